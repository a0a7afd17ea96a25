//! One-time codes on PostgreSQL. Checking and using up a code locks the code's row, so two
//! concurrent tries are counted one after the other.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use store::{CodeCheck, CodeKey, CodeRepo, NewCode, OneTimeCode, StoreError, stored_instant};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::{count, get};
use crate::error::db;

const T: &str = "one_time_codes";

const LATEST: &str = "SELECT code_id, member_id, purpose, bound_to, created_at, expires_at, \
     attempts, consumed_at, resent_count, code_hash FROM one_time_codes \
     WHERE member_id = $1 AND purpose = $2 AND bound_to = $3 ORDER BY code_id DESC LIMIT 1";

fn code(r: &Row) -> Result<(OneTimeCode, Vec<u8>), StoreError> {
    let code = OneTimeCode {
        code_id: get(r, 0, T)?,
        key: CodeKey {
            member_id: MemberId(get(r, 1, T)?),
            purpose: get(r, 2, T)?,
            bound_to: get(r, 3, T)?,
        },
        created_at: get(r, 4, T)?,
        expires_at: get(r, 5, T)?,
        attempts: count(r, 6, T)?,
        consumed_at: get(r, 7, T)?,
        resent_count: count(r, 8, T)?,
    };
    Ok((code, get(r, 9, T)?))
}

async fn latest(
    client: &impl GenericClient,
    key: &CodeKey,
    lock: bool,
) -> Result<Option<(OneTimeCode, Vec<u8>)>, StoreError> {
    let sql = if lock {
        format!("{LATEST} FOR UPDATE")
    } else {
        LATEST.to_owned()
    };
    let stmt = client.prepare_cached(&sql).await.map_err(db)?;
    let rows = client
        .query(&stmt, &[&key.member_id.0, &key.purpose, &key.bound_to])
        .await
        .map_err(db)?;
    rows.first().map(code).transpose()
}

#[async_trait]
impl CodeRepo for PgStore {
    async fn issue_code(
        &self,
        new: &NewCode,
        audit: &[AuditEntry],
    ) -> Result<OneTimeCode, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let key = &new.key;
        let previous = latest(&tx, key, true).await?;
        let created_at = stored_instant(new.created_at);
        exec(
            &tx,
            "UPDATE one_time_codes SET superseded_at = $4
             WHERE member_id = $1 AND purpose = $2 AND bound_to = $3
               AND consumed_at IS NULL AND superseded_at IS NULL",
            &[&key.member_id.0, &key.purpose, &key.bound_to, &created_at],
        )
        .await?;
        let resent = previous.map_or(0, |(p, _)| p.resent_count + 1);
        let rows = query(
            &tx,
            "INSERT INTO one_time_codes (member_id, purpose, bound_to, code_hash, created_at,
                                         expires_at, resent_count)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING code_id",
            &[
                &key.member_id.0,
                &key.purpose,
                &key.bound_to,
                &new.code_hash,
                &created_at,
                &stored_instant(new.expires_at),
                &i32::try_from(resent).unwrap_or(i32::MAX),
            ],
        )
        .await?;
        let code_id = match rows.first() {
            Some(r) => get(r, 0, T)?,
            None => return Err(StoreError::Database("insert returned no code id".into())),
        };
        commit(tx, audit, true).await?;
        Ok(OneTimeCode {
            code_id,
            key: key.clone(),
            created_at,
            expires_at: stored_instant(new.expires_at),
            attempts: 0,
            consumed_at: None,
            resent_count: resent,
        })
    }

    async fn current_code(&self, key: &CodeKey) -> Result<Option<OneTimeCode>, StoreError> {
        let client = self.client().await?;
        Ok(latest(&client, key, false).await?.map(|(c, _)| c))
    }

    async fn record_code_failure(
        &self,
        member: MemberId,
        code_id: i64,
        audit: &[AuditEntry],
    ) -> Result<u32, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let rows = query(
            &tx,
            "UPDATE one_time_codes SET attempts = attempts + 1
             WHERE member_id = $1 AND code_id = $2 RETURNING attempts",
            &[&member.0, &code_id],
        )
        .await?;
        let attempts = match rows.first() {
            Some(r) => count(r, 0, T)?,
            None => return Err(StoreError::Conflict("code_not_found")),
        };
        commit(tx, audit, true).await?;
        Ok(attempts)
    }

    async fn consume_code(
        &self,
        key: &CodeKey,
        hash: &[u8],
        now: OffsetDateTime,
        max_attempts: u32,
        audit: &[AuditEntry],
    ) -> Result<CodeCheck, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let Some((current, stored_hash)) = latest(&tx, key, true).await? else {
            return Ok(CodeCheck::NotIssued);
        };
        let member = key.member_id.0;
        let check = if current.consumed_at.is_some() {
            CodeCheck::AlreadyUsed
        } else if current.expires_at <= now {
            CodeCheck::Expired
        } else if current.attempts >= max_attempts {
            CodeCheck::TooManyAttempts
        } else if stored_hash != hash {
            exec(
                &tx,
                "UPDATE one_time_codes SET attempts = attempts + 1
                 WHERE member_id = $1 AND code_id = $2",
                &[&member, &current.code_id],
            )
            .await?;
            CodeCheck::Mismatch {
                attempts: current.attempts + 1,
            }
        } else {
            exec(
                &tx,
                "UPDATE one_time_codes SET consumed_at = $3 WHERE member_id = $1 AND code_id = $2",
                &[&member, &current.code_id, &now],
            )
            .await?;
            CodeCheck::Accepted
        };
        commit(tx, audit, check == CodeCheck::Accepted).await?;
        Ok(check)
    }

    async fn codes_issued_since(
        &self,
        member: MemberId,
        since: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let rows = self
            .fetch(
                "SELECT count(*) FROM one_time_codes WHERE member_id = $1 AND created_at >= $2",
                &[&member.0, &since],
            )
            .await?;
        let n: i64 = match rows.first() {
            Some(r) => get(r, 0, T)?,
            None => 0,
        };
        Ok(n.unsigned_abs())
    }
}
