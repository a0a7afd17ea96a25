//! Sessions on PostgreSQL (bearer tokens of the app are sessions with channel `app`). Rows are
//! kept after they end, for the statistics.

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel};
use domain::registry::MemberId;
use store::{
    Account, AccountId, Draft, DraftRepo, NewSession, Session, SessionRepo, StoreError,
    qualified_columns as qualified, stored_instant,
};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::get;
use crate::error::db;

const SESSION_COLUMNS: &str = "session_id, account_id, channel, created_at, last_seen_at, \
     ended_at, end_reason, device, origin";

/// How many columns `SESSION_COLUMNS` names.
const SESSION_FIELDS: usize = 9;

fn session(r: &Row) -> Result<Session, StoreError> {
    const T: &str = "sessions";
    let channel: &str = get(r, 2, T)?;
    Ok(Session {
        session_id: get(r, 0, T)?,
        account_id: AccountId(get(r, 1, T)?),
        channel: Channel::from_code(channel)
            .ok_or_else(|| StoreError::corrupt(T, "bad channel"))?,
        created_at: get(r, 3, T)?,
        last_seen_at: get(r, 4, T)?,
        ended_at: get(r, 5, T)?,
        end_reason: get(r, 6, T)?,
        device: get(r, 7, T)?,
        origin: get(r, 8, T)?,
    })
}

fn id_of(rows: &[Row], table: &'static str) -> Result<i64, StoreError> {
    match rows.first() {
        Some(r) => get(r, 0, table),
        None => Err(StoreError::Database(format!(
            "insert into {table} returned no id"
        ))),
    }
}

#[async_trait]
impl SessionRepo for PgStore {
    async fn create_session(
        &self,
        new: &NewSession,
        audit: &[AuditEntry],
    ) -> Result<Session, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let at = stored_instant(new.created_at);
        let rows = query(
            &tx,
            "INSERT INTO sessions (id_hash, account_id, channel, created_at, last_seen_at,
                                   device, origin)
             VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING session_id",
            &[
                &&new.id_hash[..],
                &new.account_id.0,
                &new.channel.code(),
                &at,
                &new.device,
                &new.origin,
            ],
        )
        .await?;
        let session_id = id_of(&rows, "sessions")?;
        commit(tx, audit, true).await?;
        Ok(Session {
            session_id,
            account_id: new.account_id,
            channel: new.channel,
            created_at: at,
            last_seen_at: at,
            ended_at: None,
            end_reason: None,
            device: new.device.clone(),
            origin: new.origin.clone(),
        })
    }

    async fn live_session(&self, id_hash: &[u8; 32]) -> Result<Option<Session>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1 AND ended_at IS NULL"
        );
        self.fetch(&sql, &[&&id_hash[..]])
            .await?
            .first()
            .map(session)
            .transpose()
    }

    async fn live_session_with_account(
        &self,
        id_hash: &[u8; 32],
    ) -> Result<Option<(Session, Account)>, StoreError> {
        let sql = format!(
            "SELECT {}, {}
             FROM sessions s JOIN accounts a ON a.account_id = s.account_id
             WHERE s.id_hash = $1 AND s.ended_at IS NULL",
            qualified("s", SESSION_COLUMNS),
            qualified("a", crate::accounts::COLUMNS),
        );
        self.fetch_shared(&sql, &[&&id_hash[..]])
            .await?
            .first()
            .map(|r| Ok((session(r)?, crate::accounts::account_at(r, SESSION_FIELDS)?)))
            .transpose()
    }

    async fn session_by_hash(&self, id_hash: &[u8; 32]) -> Result<Option<Session>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1");
        self.fetch(&sql, &[&&id_hash[..]])
            .await?
            .first()
            .map(session)
            .transpose()
    }

    async fn touch_session(&self, session_id: i64, at: OffsetDateTime) -> Result<(), StoreError> {
        self.change(
            "UPDATE sessions SET last_seen_at = $2
             WHERE session_id = $1 AND ended_at IS NULL AND last_seen_at < $2",
            &[&session_id, &at],
        )
        .await?;
        Ok(())
    }

    async fn end_session(
        &self,
        account: AccountId,
        session_id: i64,
        at: OffsetDateTime,
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let ended = exec(
            &tx,
            "UPDATE sessions SET ended_at = $3, end_reason = $4
             WHERE session_id = $2 AND account_id = $1 AND ended_at IS NULL",
            &[&account.0, &session_id, &at, &reason],
        )
        .await?
            == 1;
        commit(tx, audit, ended).await?;
        Ok(ended)
    }

    async fn end_all_sessions(
        &self,
        account: AccountId,
        except: Option<i64>,
        at: OffsetDateTime,
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let ended = exec(
            &tx,
            "UPDATE sessions SET ended_at = $3, end_reason = $4
             WHERE account_id = $1 AND ended_at IS NULL AND session_id IS DISTINCT FROM $2",
            &[&account.0, &except, &at, &reason],
        )
        .await?;
        commit(tx, audit, ended > 0).await?;
        Ok(ended)
    }

    async fn sessions(&self, account: AccountId, limit: u32) -> Result<Vec<Session>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE account_id = $1
             ORDER BY created_at DESC, session_id DESC LIMIT $2"
        );
        let rows = self.fetch(&sql, &[&account.0, &i64::from(limit)]).await?;
        rows.iter().map(session).collect()
    }
}

#[async_trait]
impl DraftRepo for PgStore {
    async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError> {
        self.change(
            "INSERT INTO drafts (member_id, draft_hash, path, sealed, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (member_id, draft_hash)
             DO UPDATE SET path = excluded.path, sealed = excluded.sealed,
                           created_at = excluded.created_at",
            &[
                &draft.member_id.0,
                &&draft.draft_hash[..],
                &draft.path,
                &draft.sealed,
                &draft.created_at,
            ],
        )
        .await
        .map(|_| ())
    }

    async fn take_draft(
        &self,
        member: MemberId,
        draft_hash: &[u8; 32],
        since: OffsetDateTime,
    ) -> Result<Option<Draft>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let rows = query(
            &tx,
            "DELETE FROM drafts WHERE member_id = $1 AND (draft_hash = $2 OR created_at < $3)
             RETURNING draft_hash = $2 AND created_at >= $3, path, sealed, created_at",
            &[&member.0, &&draft_hash[..], &since],
        )
        .await?;
        let mut found = None;
        for r in &rows {
            let wanted: bool = get(r, 0, "drafts")?;
            if wanted {
                found = Some(Draft {
                    member_id: member,
                    draft_hash: *draft_hash,
                    path: get(r, 1, "drafts")?,
                    sealed: get(r, 2, "drafts")?,
                    created_at: get(r, 3, "drafts")?,
                });
            }
        }
        commit(tx, &[], false).await?;
        Ok(found)
    }
}
