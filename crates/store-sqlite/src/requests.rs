//! Requests and their timelines on SQLite. The one writer makes each change exclusive; the
//! `WHERE stage = … AND reason IS …` of the update is what refuses a change made on a state that
//! has since moved.

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel};
use domain::dates::{iso, parse_iso};
use domain::registry::MemberId;
use domain::requests::{Folio, ReasonCode, RequestKind, RequestStage, RequestState};
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{
    ImportKind, LedgerPosting, NewMessage, NewRequest, NewRequestEvent, QueueQuery, Request,
    RequestEvent, RequestRepo, StateChange, StoreError, stored_instant,
};
use time::OffsetDateTime;

use crate::stamp::{collect, get, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db, outbox};

const T: &str = "requests";
const E: &str = "request_events";

const COLUMNS: &str = "member_id, folio, kind, stage, reason, answers, channel, created_by, \
     created_at, submitted_at, promised_on, updated_at, version";

/// The stages the open-requests index covers, as written in the migration.
const OPEN: &str = "stage IN ('submitted', 'in_review', 'needs_correction', 'approved')";

fn state(
    stage: &str,
    reason: Option<String>,
    table: &'static str,
) -> Result<RequestState, StoreError> {
    let stage =
        RequestStage::from_code(stage).ok_or_else(|| StoreError::corrupt(table, "bad stage"))?;
    let reason = reason
        .map(|r| ReasonCode::parse(&r))
        .transpose()
        .map_err(|e| StoreError::corrupt(table, e))?;
    RequestState::from_parts(stage, reason)
        .ok_or_else(|| StoreError::corrupt(table, "stage and reason disagree"))
}

fn channel(code: &str, table: &'static str) -> Result<Channel, StoreError> {
    Channel::from_code(code).ok_or_else(|| StoreError::corrupt(table, "bad channel"))
}

fn folio(text: &str, table: &'static str) -> Result<Folio, StoreError> {
    Folio::parse(text).map_err(|e| StoreError::corrupt(table, e))
}

fn count(value: i64, table: &'static str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| StoreError::corrupt(table, e))
}

fn request(r: &Row) -> Result<Request, StoreError> {
    let kind: String = get(r, 2, T)?;
    let stage: String = get(r, 3, T)?;
    let channel_code: String = get(r, 6, T)?;
    let promised_on: Option<String> = get(r, 10, T)?;
    Ok(Request {
        member_id: MemberId(get(r, 0, T)?),
        folio: folio(&get::<String>(r, 1, T)?, T)?,
        kind: RequestKind::from_code(&kind).ok_or_else(|| StoreError::corrupt(T, "bad kind"))?,
        state: state(&stage, get(r, 4, T)?, T)?,
        answers: get(r, 5, T)?,
        channel: channel(&channel_code, T)?,
        created_by: get(r, 7, T)?,
        created_at: get_ts(r, 8, T)?,
        submitted_at: get_ts_opt(r, 9, T)?,
        promised_on: promised_on
            .map(|d| parse_iso(&d))
            .transpose()
            .map_err(|e| StoreError::corrupt(T, e))?,
        updated_at: get_ts(r, 11, T)?,
        version: count(get(r, 12, T)?, T)?,
    })
}

fn event(r: &Row) -> Result<RequestEvent, StoreError> {
    let stage: String = get(r, 3, E)?;
    let channel_code: String = get(r, 6, E)?;
    Ok(RequestEvent {
        seq: count(get(r, 0, E)?, E)?,
        at: get_ts(r, 1, E)?,
        event: get(r, 2, E)?,
        state: state(&stage, get(r, 4, E)?, E)?,
        actor: get(r, 5, E)?,
        channel: channel(&channel_code, E)?,
        details: get(r, 7, E)?,
    })
}

fn append_event(
    conn: &Connection,
    member: MemberId,
    folio: &Folio,
    seq: u32,
    state: &RequestState,
    event: &NewRequestEvent,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO request_events
             (member_id, folio, seq, at, event, stage, reason, actor, channel, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .map_err(db)?
    .execute(params![
        member.0,
        folio.as_str(),
        seq,
        ts(event.at),
        event.event,
        state.stage().code(),
        state.reason().map(ReasonCode::as_str),
        event.actor,
        event.channel.code(),
        event.details,
    ])
    .map_err(db)?;
    Ok(())
}

fn queue_messages(conn: &Connection, notify: &[NewMessage]) -> Result<(), StoreError> {
    for message in notify {
        outbox::insert(conn, message)?;
    }
    Ok(())
}

pub(crate) fn request_where(
    conn: &Connection,
    member: MemberId,
    folio: &Folio,
) -> Result<Option<Request>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM requests WHERE member_id = ?1 AND folio = ?2");
    conn.prepare_cached(&sql)
        .map_err(db)?
        .query_row(params![member.0, folio.as_str()], |r| Ok(request(r)))
        .optional()
        .map_err(db)?
        .transpose()
}

pub(crate) fn insert_request(
    tx: &Connection,
    new: &NewRequest,
    notify: &[NewMessage],
) -> Result<Request, StoreError> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO requests (member_id, folio, kind, stage, reason, answers,
                 channel, created_by, created_at, submitted_at, promised_on, updated_at,
                 version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1)
             ON CONFLICT DO NOTHING",
        )
        .map_err(db)?
        .execute(params![
            new.member_id.0,
            new.folio.as_str(),
            new.kind.code(),
            new.state.stage().code(),
            new.state.reason().map(ReasonCode::as_str),
            new.answers,
            new.channel.code(),
            new.created_by,
            ts(new.created_at),
            new.submitted.map(|s| ts(s.at)),
            new.submitted.map(|s| iso(s.promised_on)),
            ts(new.event.at),
        ])
        .map_err(db)?;
    if inserted == 0 {
        // The folio, or one request of a kind allowed only once at a time.
        let taken = tx
            .prepare_cached("SELECT 1 FROM requests WHERE folio = ?1")
            .map_err(db)?
            .exists([new.folio.as_str()])
            .map_err(db)?;
        return Err(StoreError::Conflict(if taken {
            "request_folio_taken"
        } else {
            "request_already_open"
        }));
    }
    append_event(tx, new.member_id, &new.folio, 1, &new.state, &new.event)?;
    queue_messages(tx, notify)?;
    let created = Request {
        member_id: new.member_id,
        folio: new.folio.clone(),
        kind: new.kind,
        state: new.state.clone(),
        answers: new.answers.clone(),
        channel: new.channel,
        created_by: new.created_by.clone(),
        created_at: stored_instant(new.created_at),
        submitted_at: new.submitted.map(|s| stored_instant(s.at)),
        promised_on: new.submitted.map(|s| s.promised_on),
        updated_at: stored_instant(new.event.at),
        version: 1,
    };
    Ok(created)
}

/// Moves the member's request from `change.expected` to `change.new` and appends the event, in
/// the caller's transaction.
pub(crate) fn transition_in(
    tx: &Connection,
    member: MemberId,
    folio: &Folio,
    change: &StateChange,
    notify: &[NewMessage],
) -> Result<Request, StoreError> {
    let sql = format!(
        "UPDATE requests
         SET stage = ?1, reason = ?2, updated_at = ?3, version = version + 1,
             submitted_at = coalesce(submitted_at, ?4),
             promised_on = coalesce(promised_on, ?5)
         WHERE member_id = ?6 AND folio = ?7 AND stage = ?8 AND reason IS ?9
         RETURNING {COLUMNS}"
    );
    let updated = tx
        .prepare_cached(&sql)
        .map_err(db)?
        .query_row(
            params![
                change.new.stage().code(),
                change.new.reason().map(ReasonCode::as_str),
                ts(change.event.at),
                change.submitted.map(|s| ts(s.at)),
                change.submitted.map(|s| iso(s.promised_on)),
                member.0,
                folio.as_str(),
                change.expected.stage().code(),
                change.expected.reason().map(ReasonCode::as_str),
            ],
            |r| Ok(request(r)),
        )
        .optional()
        .map_err(db)?
        .transpose()?;
    let Some(updated) = updated else {
        return Err(match request_where(tx, member, folio)? {
            Some(_) => StoreError::Conflict("request_state_changed"),
            None => StoreError::Conflict("request_not_found"),
        });
    };
    append_event(
        tx,
        member,
        folio,
        updated.version,
        &change.new,
        &change.event,
    )?;
    queue_messages(tx, notify)?;
    Ok(updated)
}

/// Books `posting` inside `tx`: its identity as a finished batch (refused if taken), its
/// movements (refused if a key is taken) and the balances they move (refused below zero).
fn post(tx: &Connection, posting: &LedgerPosting, at: OffsetDateTime) -> Result<(), StoreError> {
    let already = StoreError::Conflict("posting_already_made");
    let at = IsoInstant::of(at);
    let inserted = tx
        .prepare_cached(
            "INSERT INTO import_batches
                 (kind, sha256, file_name, started_at, finished_at, accepted)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT DO NOTHING",
        )
        .map_err(db)?
        .execute(params![
            ImportKind::RequestPosting.code(),
            posting.identity(),
            posting.key,
            at.0,
            posting.movements.len() as i64,
        ])
        .map_err(db)?;
    if inserted == 0 {
        return Err(already);
    }
    let batch_id = tx.last_insert_rowid();
    let mut deltas: BTreeMap<(i64, i16), i64> = BTreeMap::new();
    for m in &posting.movements {
        let added = tx
            .prepare_cached(
                "INSERT INTO subaccount_movements
                     (member_id, bucket, kind, period, source, amount, booked_on, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?
            .execute(params![
                m.member_id.0,
                m.bucket.number(),
                m.kind.number(),
                m.period,
                m.source,
                m.amount.centavos(),
                iso(m.booked_on),
                batch_id,
            ])
            .map_err(db)?;
        if added == 0 {
            return Err(StoreError::Conflict("posting_already_made"));
        }
        *deltas
            .entry((m.member_id.0, m.bucket.number()))
            .or_default() += m.amount.centavos();
    }
    for ((member, bucket), delta) in deltas {
        let balance: i64 = tx
            .prepare_cached(
                "INSERT INTO subaccount_balances (member_id, bucket, balance) VALUES (?1, ?2, ?3)
                 ON CONFLICT (member_id, bucket) DO UPDATE SET balance = balance + excluded.balance
                 RETURNING balance",
            )
            .map_err(db)?
            .query_row(params![member, bucket, delta], |r| r.get(0))
            .map_err(db)?;
        if balance < 0 {
            return Err(StoreError::Conflict("posting_overdraws"));
        }
    }
    Ok(())
}

/// An instant as `import_batches` writes it: RFC 3339 to the second, UTC.
struct IsoInstant(String);

impl IsoInstant {
    fn of(at: OffsetDateTime) -> IsoInstant {
        let at = at.to_offset(time::UtcOffset::UTC);
        IsoInstant(format!(
            "{}T{:02}:{:02}:{:02}Z",
            iso(at.date()),
            at.hour(),
            at.minute(),
            at.second()
        ))
    }
}

#[async_trait]
impl RequestRepo for SqliteStore {
    async fn create_request(
        &self,
        new: &NewRequest,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let (new, notify) = (new.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            Ok((insert_request(tx, &new, &notify)?, true))
        })
        .await
    }

    async fn transition_request(
        &self,
        member: MemberId,
        folio: &Folio,
        change: &StateChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError> {
        let (folio, change, notify) = (folio.clone(), change.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            Ok((transition_in(tx, member, &folio, &change, &notify)?, true))
        })
        .await
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
        let (folio, change, notify) = (folio.clone(), change.clone(), notify.to_vec());
        let posting = posting.clone();
        self.audited(audit, move |tx| {
            let updated = transition_in(tx, member, &folio, &change, &notify)?;
            post(tx, &posting, change.event.at)?;
            Ok((updated, true))
        })
        .await
    }

    async fn request_by_folio(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Option<Request>, StoreError> {
        self.read(|c| request_where(c, member, folio))
    }

    async fn requests_of_member(&self, member: MemberId) -> Result<Vec<Request>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM requests WHERE member_id = ?1
                 ORDER BY created_at DESC, folio"
            );
            collect(c, &sql, [member.0], request)
        })
    }

    async fn request_events(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Vec<RequestEvent>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT seq, at, event, stage, reason, actor, channel, details
                 FROM request_events WHERE member_id = ?1 AND folio = ?2 ORDER BY seq",
                params![member.0, folio.as_str()],
                event,
            )
        })
    }

    async fn folio_owner(&self, folio: &Folio) -> Result<Option<MemberId>, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT member_id FROM requests WHERE folio = ?1")
                .map_err(db)?
                .query_row([folio.as_str()], |r| r.get(0))
                .optional()
                .map_err(db)
                .map(|id| id.map(MemberId))
        })
    }

    async fn requests_queue(&self, q: &QueueQuery) -> Result<Vec<Request>, StoreError> {
        if q.stages.is_empty() || q.limit == 0 {
            return Ok(Vec::new());
        }
        // Stage codes come from a closed list, so they go in as literals; the rest are
        // parameters.
        let stages = q
            .stages
            .iter()
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut params: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(q.limit)];
        let mut conditions = String::new();
        if let Some(kind) = q.kind {
            params.push(Box::new(kind.code()));
            conditions.push_str(&format!(" AND kind = ?{}", params.len()));
        }
        if let Some((date, folio)) = &q.after {
            params.push(Box::new(iso(*date)));
            params.push(Box::new(folio.as_str().to_owned()));
            let n = params.len();
            conditions.push_str(&format!(" AND (promised_on, folio) > (?{}, ?{n})", n - 1));
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM requests
             WHERE {OPEN} AND stage IN ({stages}) AND promised_on IS NOT NULL{conditions}
             ORDER BY promised_on, folio LIMIT ?1"
        );
        self.read(|c| {
            collect(
                c,
                &sql,
                rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
                request,
            )
        })
    }
}
