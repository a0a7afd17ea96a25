//! Throttling counters and the notifications outbox on PostgreSQL. Senders claim messages with
//! `FOR UPDATE SKIP LOCKED`, so several instances drain the outbox without waiting on each other.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::AuditEntry;
use store::{
    NewMessage, OutboxChannel, OutboxMessage, OutboxRepo, OutboxStatus, StoreError, Throttle,
    ThrottleRepo,
};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, query};
use crate::columns::{count, get};
use crate::error::db;

#[async_trait]
impl ThrottleRepo for PgStore {
    async fn record_failure(
        &self,
        scope: &str,
        key: &str,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<u32, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let rows = query(
            &tx,
            "INSERT INTO throttles (scope, key, failures, last_failure_at) VALUES ($1, $2, 1, $3)
             ON CONFLICT (scope, key) DO UPDATE
             SET failures = throttles.failures + 1, last_failure_at = excluded.last_failure_at
             RETURNING failures",
            &[&scope, &key, &at],
        )
        .await?;
        let failures = match rows.first() {
            Some(r) => count(r, 0, "throttles")?,
            None => return Err(StoreError::Database("upsert returned no row".into())),
        };
        commit(tx, audit, true).await?;
        Ok(failures)
    }

    async fn reset_failures(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        self.change(
            "DELETE FROM throttles WHERE scope = $1 AND key = $2",
            &[&scope, &key],
        )
        .await?;
        Ok(())
    }

    async fn failures(&self, scope: &str, key: &str) -> Result<Option<Throttle>, StoreError> {
        let rows = self
            .fetch(
                "SELECT failures, last_failure_at FROM throttles WHERE scope = $1 AND key = $2",
                &[&scope, &key],
            )
            .await?;
        rows.first()
            .map(|r| {
                Ok(Throttle {
                    failures: count(r, 0, "throttles")?,
                    last_failure_at: get(r, 1, "throttles")?,
                })
            })
            .transpose()
    }
}

const COLUMNS: &str = "id, created_at, channel, recipient, subject, body, status, attempts, \
     last_error, sent_at";

fn message(r: &Row) -> Result<OutboxMessage, StoreError> {
    const T: &str = "outbox";
    Ok(OutboxMessage {
        id: get(r, 0, T)?,
        created_at: get(r, 1, T)?,
        channel: OutboxChannel::from_code(get(r, 2, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad channel"))?,
        recipient: get(r, 3, T)?,
        subject: get(r, 4, T)?,
        body: get(r, 5, T)?,
        status: OutboxStatus::from_code(get(r, 6, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad status"))?,
        attempts: count(r, 7, T)?,
        last_error: get(r, 8, T)?,
        sent_at: get(r, 9, T)?,
    })
}

fn found(rows: u64) -> Result<(), StoreError> {
    match rows {
        0 => Err(StoreError::Conflict("message_not_found")),
        _ => Ok(()),
    }
}

/// Queues a message inside the caller's transaction, so it leaves only if the change that
/// caused it is made.
pub(crate) async fn insert(tx: &Transaction<'_>, m: &NewMessage) -> Result<i64, StoreError> {
    let rows = query(
        tx,
        "INSERT INTO outbox (created_at, channel, recipient, subject, body, status)
         VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id",
        &[
            &m.created_at,
            &m.channel.code(),
            &m.recipient,
            &m.subject,
            &m.body,
        ],
    )
    .await?;
    match rows.first() {
        Some(r) => get(r, 0, "outbox"),
        None => Err(StoreError::Database("insert returned no id".into())),
    }
}

#[async_trait]
impl OutboxRepo for PgStore {
    async fn enqueue_message(
        &self,
        m: &NewMessage,
        audit: &[AuditEntry],
    ) -> Result<i64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let id = insert(&tx, m).await?;
        commit(tx, audit, true).await?;
        Ok(id)
    }

    async fn recent_messages(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1");
        let rows = self.fetch(&sql, &[&i64::from(limit)]).await?;
        rows.iter().map(message).collect()
    }

    async fn claim_messages(
        &self,
        limit: u32,
        channel: OutboxChannel,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!(
            "WITH claimed AS (
                 SELECT id FROM outbox
                 WHERE status = 'pending' AND channel = $4
                   AND (lease_until IS NULL OR lease_until <= $1)
                 ORDER BY id LIMIT $3
                 FOR UPDATE SKIP LOCKED)
             UPDATE outbox o SET attempts = o.attempts + 1, lease_until = $2
             FROM claimed WHERE o.id = claimed.id
             RETURNING {}",
            COLUMNS
                .split(", ")
                .map(|c| format!("o.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = self
            .fetch(
                &sql,
                &[&now, &lease_until, &i64::from(limit), &channel.code()],
            )
            .await?;
        let mut claimed = rows.iter().map(message).collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    async fn mark_sent(&self, id: i64, at: OffsetDateTime) -> Result<(), StoreError> {
        found(
            self.change(
                "UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = NULL, body = '' WHERE id = $1",
                &[&id, &at],
            )
            .await?,
        )
    }

    async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        give_up: bool,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let status = if give_up { "failed" } else { "pending" };
        found(
            self.change(
                "UPDATE outbox SET status = $2, last_error = $3, lease_until = $4 WHERE id = $1",
                &[&id, &status, &error, &retry_at],
            )
            .await?,
        )
    }
}
