//! One-time codes on SQLite. Every step runs in the writer's transaction, so checking and using
//! up a code is one atomic step.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use rusqlite::{Connection, OptionalExtension, Row, params};
use store::{CodeCheck, CodeKey, CodeRepo, NewCode, OneTimeCode, StoreError};
use time::OffsetDateTime;

use crate::stamp::{collect, get, get_count, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db};

const T: &str = "one_time_codes";

const COLUMNS: &str = "code_id, member_id, purpose, bound_to, created_at, expires_at, attempts, \
     consumed_at, resent_count";

fn code(r: &Row) -> Result<OneTimeCode, StoreError> {
    Ok(OneTimeCode {
        code_id: get(r, 0, T)?,
        key: CodeKey {
            member_id: MemberId(get(r, 1, T)?),
            purpose: get(r, 2, T)?,
            bound_to: get(r, 3, T)?,
        },
        created_at: get_ts(r, 4, T)?,
        expires_at: get_ts(r, 5, T)?,
        attempts: get_count(r, 6, T)?,
        consumed_at: get_ts_opt(r, 7, T)?,
        resent_count: get_count(r, 8, T)?,
    })
}

/// The latest code for a key, with its stored hash.
fn latest_with_hash(
    conn: &Connection,
    key: &CodeKey,
) -> Result<Option<(OneTimeCode, Vec<u8>)>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, code_hash FROM one_time_codes WHERE member_id = ?1 AND purpose = ?2
         AND bound_to = ?3 ORDER BY code_id DESC LIMIT 1"
    );
    let found = collect(
        conn,
        &sql,
        params![key.member_id.0, key.purpose, key.bound_to],
        |r| Ok((code(r)?, get::<Vec<u8>>(r, 9, T)?)),
    )?;
    Ok(found.into_iter().next())
}

fn latest(conn: &Connection, key: &CodeKey) -> Result<Option<OneTimeCode>, StoreError> {
    Ok(latest_with_hash(conn, key)?.map(|(code, _)| code))
}

#[async_trait]
impl CodeRepo for SqliteStore {
    async fn issue_code(
        &self,
        new: &NewCode,
        audit: &[AuditEntry],
    ) -> Result<OneTimeCode, StoreError> {
        let new = new.clone();
        self.audited(audit, move |tx| {
            let previous = latest(tx, &new.key)?;
            let (member, purpose, bound_to) =
                (new.key.member_id.0, &new.key.purpose, &new.key.bound_to);
            tx.prepare_cached(
                "UPDATE one_time_codes SET superseded_at = ?4
                 WHERE member_id = ?1 AND purpose = ?2 AND bound_to = ?3
                   AND consumed_at IS NULL AND superseded_at IS NULL",
            )
            .map_err(db)?
            .execute(params![member, purpose, bound_to, ts(new.created_at)])
            .map_err(db)?;
            let resent = previous.map_or(0, |p| p.resent_count + 1);
            tx.prepare_cached(
                "INSERT INTO one_time_codes (member_id, purpose, bound_to, code_hash, created_at,
                                             expires_at, resent_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(db)?
            .execute(params![
                member,
                purpose,
                bound_to,
                new.code_hash,
                ts(new.created_at),
                ts(new.expires_at),
                resent
            ])
            .map_err(db)?;
            let issued = latest(tx, &new.key)?
                .ok_or_else(|| StoreError::Database("issued code not found".into()))?;
            Ok((issued, true))
        })
        .await
    }

    async fn current_code(&self, key: &CodeKey) -> Result<Option<OneTimeCode>, StoreError> {
        self.read(|c| latest(c, key))
    }

    async fn record_code_failure(
        &self,
        member: MemberId,
        code_id: i64,
        audit: &[AuditEntry],
    ) -> Result<u32, StoreError> {
        self.audited(audit, move |tx| {
            let attempts: Option<i64> = tx
                .prepare_cached(
                    "UPDATE one_time_codes SET attempts = attempts + 1
                     WHERE member_id = ?1 AND code_id = ?2 RETURNING attempts",
                )
                .map_err(db)?
                .query_row([member.0, code_id], |r| r.get(0))
                .optional()
                .map_err(db)?;
            let attempts = attempts.ok_or(StoreError::Conflict("code_not_found"))?;
            let attempts = u32::try_from(attempts).map_err(|e| StoreError::corrupt(T, e))?;
            Ok((attempts, true))
        })
        .await
    }

    async fn consume_code(
        &self,
        key: &CodeKey,
        hash: &[u8],
        now: OffsetDateTime,
        max_attempts: u32,
        audit: &[AuditEntry],
    ) -> Result<CodeCheck, StoreError> {
        let (key, hash) = (key.clone(), hash.to_vec());
        self.audited(audit, move |tx| {
            let Some((current, stored_hash)) = latest_with_hash(tx, &key)? else {
                return Ok((CodeCheck::NotIssued, false));
            };
            let code_id = current.code_id;
            let check = if current.consumed_at.is_some() {
                CodeCheck::AlreadyUsed
            } else if current.expires_at <= now {
                CodeCheck::Expired
            } else if current.attempts >= max_attempts {
                CodeCheck::TooManyAttempts
            } else if stored_hash != hash {
                tx.prepare_cached(
                    "UPDATE one_time_codes SET attempts = attempts + 1 WHERE code_id = ?1",
                )
                .map_err(db)?
                .execute([code_id])
                .map_err(db)?;
                CodeCheck::Mismatch {
                    attempts: current.attempts + 1,
                }
            } else {
                tx.prepare_cached("UPDATE one_time_codes SET consumed_at = ?2 WHERE code_id = ?1")
                    .map_err(db)?
                    .execute(params![code_id, ts(now)])
                    .map_err(db)?;
                CodeCheck::Accepted
            };
            Ok((check, check == CodeCheck::Accepted))
        })
        .await
    }

    async fn codes_issued_since(
        &self,
        member: MemberId,
        since: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c
                .prepare_cached(
                    "SELECT count(*) FROM one_time_codes WHERE member_id = ?1 AND created_at >= ?2",
                )
                .map_err(db)?
                .query_row(params![member.0, ts(since)], |r| r.get(0))
                .map_err(db)?;
            Ok(n.unsigned_abs())
        })
    }
}
