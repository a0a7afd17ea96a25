//! Throttling counters and the notifications outbox on SQLite.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{
    NewMessage, OutboxChannel, OutboxMessage, OutboxRepo, OutboxStatus, StoreError, Throttle,
    ThrottleRepo,
};
use time::OffsetDateTime;

use crate::stamp::{collect, get, get_count, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db};

#[async_trait]
impl ThrottleRepo for SqliteStore {
    async fn record_failure(
        &self,
        scope: &str,
        key: &str,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<u32, StoreError> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.audited(audit, move |tx| {
            let failures: i64 = tx
                .prepare_cached(
                    "INSERT INTO throttles (scope, key, failures, last_failure_at)
                     VALUES (?1, ?2, 1, ?3)
                     ON CONFLICT (scope, key) DO UPDATE
                     SET failures = throttles.failures + 1,
                         last_failure_at = excluded.last_failure_at
                     RETURNING failures",
                )
                .map_err(db)?
                .query_row(params![scope, key, ts(at)], |r| r.get(0))
                .map_err(db)?;
            let failures =
                u32::try_from(failures).map_err(|e| StoreError::corrupt("throttles", e))?;
            Ok((failures, true))
        })
        .await
    }

    async fn reset_failures(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.write(move |c| {
            c.prepare_cached("DELETE FROM throttles WHERE scope = ?1 AND key = ?2")
                .map_err(db)?
                .execute(params![scope, key])
                .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn failures(&self, scope: &str, key: &str) -> Result<Option<Throttle>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT failures, last_failure_at FROM throttles WHERE scope = ?1 AND key = ?2",
            )
            .map_err(db)?
            .query_row(params![scope, key], |r| {
                Ok((get_count(r, 0, "throttles"), get_ts(r, 1, "throttles")))
            })
            .optional()
            .map_err(db)?
            .map(|(failures, at)| {
                Ok(Throttle {
                    failures: failures?,
                    last_failure_at: at?,
                })
            })
            .transpose()
        })
    }
}

const COLUMNS: &str = "id, created_at, channel, recipient, subject, body, status, attempts, \
     last_error, sent_at";

fn message(r: &Row) -> Result<OutboxMessage, StoreError> {
    const T: &str = "outbox";
    let channel: String = get(r, 2, T)?;
    let status: String = get(r, 6, T)?;
    Ok(OutboxMessage {
        id: get(r, 0, T)?,
        created_at: get_ts(r, 1, T)?,
        channel: OutboxChannel::from_code(&channel)
            .ok_or_else(|| StoreError::corrupt(T, "bad channel"))?,
        recipient: get(r, 3, T)?,
        subject: get(r, 4, T)?,
        body: get(r, 5, T)?,
        status: OutboxStatus::from_code(&status)
            .ok_or_else(|| StoreError::corrupt(T, "bad status"))?,
        attempts: get_count(r, 7, T)?,
        last_error: get(r, 8, T)?,
        sent_at: get_ts_opt(r, 9, T)?,
    })
}

/// Queues a message inside the caller's transaction, so it leaves only if the change that
/// caused it is made.
pub(crate) fn insert(conn: &Connection, m: &NewMessage) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO outbox (created_at, channel, recipient, subject, body, status)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending')",
    )
    .map_err(db)?
    .execute(params![
        ts(m.created_at),
        m.channel.code(),
        m.recipient,
        m.subject,
        m.body
    ])
    .map_err(db)?;
    Ok(conn.last_insert_rowid())
}

#[async_trait]
impl OutboxRepo for SqliteStore {
    async fn enqueue_message(
        &self,
        message: &NewMessage,
        audit: &[AuditEntry],
    ) -> Result<i64, StoreError> {
        let m = message.clone();
        self.audited(audit, move |tx| Ok((insert(tx, &m)?, true)))
            .await
    }

    async fn recent_messages(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?1");
            collect(c, &sql, [limit], message)
        })
    }

    async fn claim_messages(
        &self,
        limit: u32,
        channel: OutboxChannel,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.write(move |c| {
            // One statement: SQLite has one writer, so no two senders can claim the same row.
            let sql = format!(
                "UPDATE outbox SET attempts = attempts + 1, lease_until = ?2
                 WHERE id IN (SELECT id FROM outbox
                              WHERE status = 'pending' AND channel = ?4
                                AND (lease_until IS NULL OR lease_until <= ?1)
                              ORDER BY id LIMIT ?3)
                 RETURNING {COLUMNS}"
            );
            let mut claimed = collect(
                c,
                &sql,
                params![ts(now), ts(lease_until), limit, channel.code()],
                message,
            )?;
            claimed.sort_by_key(|m| m.id);
            Ok(claimed)
        })
        .await
    }

    async fn mark_sent(&self, id: i64, at: OffsetDateTime) -> Result<(), StoreError> {
        self.write(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE outbox SET status = 'sent', sent_at = ?2, lease_until = NULL, body = ''
                     WHERE id = ?1",
                )
                .map_err(db)?
                .execute(params![id, ts(at)])
                .map_err(db)?;
            found(n)
        })
        .await
    }

    async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        give_up: bool,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let error = error.to_owned();
        let status = if give_up { "failed" } else { "pending" };
        self.write(move |c| {
            let n = c
                .prepare_cached(
                    "UPDATE outbox SET status = ?2, last_error = ?3, lease_until = ?4
                     WHERE id = ?1",
                )
                .map_err(db)?
                .execute(params![id, status, error, ts(retry_at)])
                .map_err(db)?;
            found(n)
        })
        .await
    }
}

fn found(rows: usize) -> Result<(), StoreError> {
    match rows {
        0 => Err(StoreError::Conflict("message_not_found")),
        _ => Ok(()),
    }
}
