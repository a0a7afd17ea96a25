//! Requests and their timelines on PostgreSQL. A change is one `UPDATE … WHERE stage = … AND
//! reason IS NOT DISTINCT FROM …`: a second writer waits for the first's row lock, then finds the
//! row no longer matching and changes nothing, so exactly one of two concurrent changes wins.

use std::collections::BTreeMap;

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::{AuditEntry, Channel};
use domain::registry::MemberId;
use domain::requests::{Folio, ReasonCode, RequestKind, RequestStage, RequestState};
use store::{
    ImportKind, LedgerPosting, NewMessage, NewRequest, NewRequestEvent, QueueQuery, Request,
    RequestEvent, RequestRepo, StateChange, StoreError, stored_instant,
};
use time::{Date, OffsetDateTime};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;
use crate::outbox;

const T: &str = "requests";
const E: &str = "request_events";

pub(crate) const COLUMNS: &str = "member_id, folio, kind, stage, reason, answers, channel, created_by, \
     created_at, submitted_at, promised_on, updated_at, version";

/// The stages the open-requests index covers, as written in the migration.
const OPEN: &str = "stage IN ('submitted', 'in_review', 'needs_correction', 'approved')";

fn state(
    stage: &str,
    reason: Option<&str>,
    table: &'static str,
) -> Result<RequestState, StoreError> {
    let stage =
        RequestStage::from_code(stage).ok_or_else(|| StoreError::corrupt(table, "bad stage"))?;
    let reason = reason
        .map(ReasonCode::parse)
        .transpose()
        .map_err(|e| StoreError::corrupt(table, e))?;
    RequestState::from_parts(stage, reason)
        .ok_or_else(|| StoreError::corrupt(table, "stage and reason disagree"))
}

fn channel(code: &str, table: &'static str) -> Result<Channel, StoreError> {
    Channel::from_code(code).ok_or_else(|| StoreError::corrupt(table, "bad channel"))
}

fn count(value: i32, table: &'static str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| StoreError::corrupt(table, e))
}

pub(crate) fn request(r: &Row) -> Result<Request, StoreError> {
    Ok(Request {
        member_id: MemberId(get(r, 0, T)?),
        folio: Folio::parse(get(r, 1, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        kind: RequestKind::from_code(get(r, 2, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad kind"))?,
        state: state(get(r, 3, T)?, get(r, 4, T)?, T)?,
        answers: get(r, 5, T)?,
        channel: channel(get(r, 6, T)?, T)?,
        created_by: get(r, 7, T)?,
        created_at: get(r, 8, T)?,
        submitted_at: get(r, 9, T)?,
        promised_on: get(r, 10, T)?,
        updated_at: get(r, 11, T)?,
        version: count(get(r, 12, T)?, T)?,
    })
}

fn event(r: &Row) -> Result<RequestEvent, StoreError> {
    Ok(RequestEvent {
        seq: count(get(r, 0, E)?, E)?,
        at: get(r, 1, E)?,
        event: get(r, 2, E)?,
        state: state(get(r, 3, E)?, get(r, 4, E)?, E)?,
        actor: get(r, 5, E)?,
        channel: channel(get(r, 6, E)?, E)?,
        details: get(r, 7, E)?,
    })
}

async fn append_event(
    tx: &Transaction<'_>,
    member: MemberId,
    folio: &Folio,
    seq: u32,
    state: &RequestState,
    event: &NewRequestEvent,
) -> Result<(), StoreError> {
    let seq = i32::try_from(seq).map_err(|e| StoreError::Database(e.to_string()))?;
    exec(
        tx,
        "INSERT INTO request_events
             (member_id, folio, seq, at, event, stage, reason, actor, channel, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &member.0,
            &folio.as_str(),
            &seq,
            &stored_instant(event.at),
            &event.event,
            &state.stage().code(),
            &state.reason().map(ReasonCode::as_str),
            &event.actor,
            &event.channel.code(),
            &event.details,
        ],
    )
    .await?;
    Ok(())
}

async fn queue_messages(tx: &Transaction<'_>, notify: &[NewMessage]) -> Result<(), StoreError> {
    for message in notify {
        outbox::insert(tx, message).await?;
    }
    Ok(())
}

pub(crate) async fn insert_request(
    tx: &Transaction<'_>,
    new: &NewRequest,
    notify: &[NewMessage],
) -> Result<Request, StoreError> {
    let submitted_at: Option<OffsetDateTime> = new.submitted.map(|s| stored_instant(s.at));
    let promised_on: Option<Date> = new.submitted.map(|s| s.promised_on);
    let inserted = exec(
        tx,
        "INSERT INTO requests (member_id, folio, kind, stage, reason, answers, channel,
             created_by, created_at, submitted_at, promised_on, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1)
         ON CONFLICT DO NOTHING",
        &[
            &new.member_id.0,
            &new.folio.as_str(),
            &new.kind.code(),
            &new.state.stage().code(),
            &new.state.reason().map(ReasonCode::as_str),
            &new.answers,
            &new.channel.code(),
            &new.created_by,
            &stored_instant(new.created_at),
            &submitted_at,
            &promised_on,
            &stored_instant(new.event.at),
        ],
    )
    .await?;
    if inserted == 0 {
        // The folio, or one request of a kind allowed only once at a time.
        let taken = query(
            tx,
            "SELECT 1 FROM requests WHERE folio = $1",
            &[&new.folio.as_str()],
        )
        .await?;
        return Err(StoreError::Conflict(if taken.is_empty() {
            "request_already_open"
        } else {
            "request_folio_taken"
        }));
    }
    append_event(tx, new.member_id, &new.folio, 1, &new.state, &new.event).await?;
    queue_messages(tx, notify).await?;
    Ok(Request {
        member_id: new.member_id,
        folio: new.folio.clone(),
        kind: new.kind,
        state: new.state.clone(),
        answers: new.answers.clone(),
        channel: new.channel,
        created_by: new.created_by.clone(),
        created_at: stored_instant(new.created_at),
        submitted_at,
        promised_on,
        updated_at: stored_instant(new.event.at),
        version: 1,
    })
}

/// Moves the member's request from `change.expected` to `change.new` and appends the event, in
/// the caller's transaction.
pub(crate) async fn transition_in(
    tx: &Transaction<'_>,
    member: MemberId,
    folio: &Folio,
    change: &StateChange,
    notify: &[NewMessage],
) -> Result<Request, StoreError> {
    let submitted_at: Option<OffsetDateTime> = change.submitted.map(|s| stored_instant(s.at));
    let promised_on: Option<Date> = change.submitted.map(|s| s.promised_on);
    let sql = format!(
        "UPDATE requests
         SET stage = $1, reason = $2, updated_at = $3, version = version + 1,
             submitted_at = coalesce(submitted_at, $4),
             promised_on = coalesce(promised_on, $5)
         WHERE member_id = $6 AND folio = $7 AND stage = $8
           AND reason IS NOT DISTINCT FROM $9
         RETURNING {COLUMNS}"
    );
    let rows = query(
        tx,
        &sql,
        &[
            &change.new.stage().code(),
            &change.new.reason().map(ReasonCode::as_str),
            &stored_instant(change.event.at),
            &submitted_at,
            &promised_on,
            &member.0,
            &folio.as_str(),
            &change.expected.stage().code(),
            &change.expected.reason().map(ReasonCode::as_str),
        ],
    )
    .await?;
    let Some(row) = rows.first() else {
        let exists = query(
            tx,
            "SELECT 1 FROM requests WHERE member_id = $1 AND folio = $2",
            &[&member.0, &folio.as_str()],
        )
        .await?;
        return Err(if exists.is_empty() {
            StoreError::Conflict("request_not_found")
        } else {
            StoreError::Conflict("request_state_changed")
        });
    };
    let updated = request(row)?;
    append_event(
        tx,
        member,
        folio,
        updated.version,
        &change.new,
        &change.event,
    )
    .await?;
    queue_messages(tx, notify).await?;
    Ok(updated)
}

/// Books `posting` inside `tx`: its identity as a finished batch (refused if taken), its
/// movements (refused if a key is taken) and the balances they move (refused below zero).
async fn post(
    tx: &Transaction<'_>,
    posting: &LedgerPosting,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let at = stored_instant(at);
    let batch = query(
        tx,
        "INSERT INTO import_batches (kind, sha256, file_name, started_at, finished_at, accepted)
         VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT DO NOTHING RETURNING batch_id",
        &[
            &ImportKind::RequestPosting.code(),
            &posting.identity(),
            &posting.key,
            &at,
            &(posting.movements.len() as i64),
        ],
    )
    .await?;
    let Some(batch) = batch.first() else {
        return Err(StoreError::Conflict("posting_already_made"));
    };
    let batch_id: i64 = get(batch, 0, "import_batches")?;
    let mut deltas: BTreeMap<(i64, i16), i64> = BTreeMap::new();
    for m in &posting.movements {
        let added = exec(
            tx,
            "INSERT INTO subaccount_movements
                 (member_id, bucket, kind, period, source, amount, booked_on, batch_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            &[
                &m.member_id.0,
                &m.bucket.number(),
                &m.kind.number(),
                &m.period,
                &m.source,
                &m.amount.centavos(),
                &m.booked_on,
                &batch_id,
            ],
        )
        .await?;
        if added == 0 {
            return Err(StoreError::Conflict("posting_already_made"));
        }
        *deltas
            .entry((m.member_id.0, m.bucket.number()))
            .or_default() += m.amount.centavos();
    }
    for ((member, bucket), delta) in deltas {
        let rows = query(
            tx,
            "INSERT INTO subaccount_balances (member_id, bucket, balance) VALUES ($1, $2, $3)
             ON CONFLICT (member_id, bucket)
             DO UPDATE SET balance = subaccount_balances.balance + excluded.balance
             RETURNING balance",
            &[&member, &bucket, &delta],
        )
        .await?;
        let balance: i64 = match rows.first() {
            Some(row) => get(row, 0, "subaccount_balances")?,
            None => 0,
        };
        if balance < 0 {
            return Err(StoreError::Conflict("posting_overdraws"));
        }
    }
    Ok(())
}

#[async_trait]
impl RequestRepo for PgStore {
    async fn create_request(
        &self,
        new: &NewRequest,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let created = insert_request(&tx, new, notify).await?;
        commit(tx, audit, true).await?;
        Ok(created)
    }

    async fn transition_request(
        &self,
        member: MemberId,
        folio: &Folio,
        change: &StateChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let updated = transition_in(&tx, member, folio, change, notify).await?;
        commit(tx, audit, true).await?;
        Ok(updated)
    }

    async fn transition_request_posting(
        &self,
        member: MemberId,
        folio: &Folio,
        change: &StateChange,
        posting: &LedgerPosting,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let updated = transition_in(&tx, member, folio, change, notify).await?;
        post(&tx, posting, change.event.at).await?;
        commit(tx, audit, true).await?;
        Ok(updated)
    }

    async fn request_by_folio(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Option<Request>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM requests WHERE member_id = $1 AND folio = $2");
        let rows = self.fetch(&sql, &[&member.0, &folio.as_str()]).await?;
        rows.first().map(request).transpose()
    }

    async fn requests_of_member(&self, member: MemberId) -> Result<Vec<Request>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM requests WHERE member_id = $1 ORDER BY created_at DESC, folio"
        );
        let rows = self.fetch(&sql, &[&member.0]).await?;
        rows.iter().map(request).collect()
    }

    async fn request_events(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Vec<RequestEvent>, StoreError> {
        let rows = self
            .fetch(
                "SELECT seq, at, event, stage, reason, actor, channel, details
                 FROM request_events WHERE member_id = $1 AND folio = $2 ORDER BY seq",
                &[&member.0, &folio.as_str()],
            )
            .await?;
        rows.iter().map(event).collect()
    }

    async fn folio_owner(&self, folio: &Folio) -> Result<Option<MemberId>, StoreError> {
        let rows = self
            .fetch(
                "SELECT member_id FROM requests WHERE folio = $1",
                &[&folio.as_str()],
            )
            .await?;
        rows.first().map(|r| get(r, 0, T).map(MemberId)).transpose()
    }

    async fn requests_queue(&self, q: &QueueQuery) -> Result<Vec<Request>, StoreError> {
        if q.stages.is_empty() || q.limit == 0 {
            return Ok(Vec::new());
        }
        let stages: Vec<&str> = q.stages.iter().map(|s| s.code()).collect();
        let kind = q.kind.map(RequestKind::code);
        let after = q
            .after
            .as_ref()
            .map(|(date, folio)| (*date, folio.as_str()));
        let limit = i64::from(q.limit);
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&stages, &limit];
        let mut conditions = String::new();
        if let Some(kind) = &kind {
            params.push(kind);
            conditions.push_str(&format!(" AND kind = ${}", params.len()));
        }
        if let Some((date, folio)) = &after {
            params.push(date);
            params.push(folio);
            let n = params.len();
            conditions.push_str(&format!(" AND (promised_on, folio) > (${}, ${n})", n - 1));
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM requests
             WHERE {OPEN} AND stage = ANY($1) AND promised_on IS NOT NULL{conditions}
             ORDER BY promised_on, folio LIMIT $2"
        );
        let rows = self.fetch(&sql, &params).await?;
        rows.iter().map(request).collect()
    }
}
