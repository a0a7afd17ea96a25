//! Sessions on SQLite (bearer tokens of the app are sessions with channel `app`). Rows are kept
//! after they end, for the statistics.

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel};
use domain::registry::MemberId;
use rusqlite::{Row, params};
use store::{
    Account, AccountId, Draft, DraftRepo, NewSession, Session, SessionRepo, StoreError,
    qualified_columns as qualified, stored_instant,
};
use time::OffsetDateTime;

use crate::stamp::{collect, get, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db};

const SESSION_COLUMNS: &str = "session_id, account_id, channel, created_at, last_seen_at, \
     ended_at, end_reason, device, origin";

/// How many columns `SESSION_COLUMNS` names.
const SESSION_FIELDS: usize = 9;

fn session(r: &Row) -> Result<Session, StoreError> {
    const T: &str = "sessions";
    let channel: String = get(r, 2, T)?;
    Ok(Session {
        session_id: get(r, 0, T)?,
        account_id: AccountId(get(r, 1, T)?),
        channel: Channel::from_code(&channel)
            .ok_or_else(|| StoreError::corrupt(T, "bad channel"))?,
        created_at: get_ts(r, 3, T)?,
        last_seen_at: get_ts(r, 4, T)?,
        ended_at: get_ts_opt(r, 5, T)?,
        end_reason: get(r, 6, T)?,
        device: get(r, 7, T)?,
        origin: get(r, 8, T)?,
    })
}

#[async_trait]
impl SessionRepo for SqliteStore {
    async fn create_session(
        &self,
        new: &NewSession,
        audit: &[AuditEntry],
    ) -> Result<Session, StoreError> {
        let new = new.clone();
        self.audited(audit, move |tx| {
            let created = ts(new.created_at);
            tx.prepare_cached(
                "INSERT INTO sessions (id_hash, account_id, channel, created_at, last_seen_at,
                                       device, origin)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
            )
            .map_err(db)?
            .execute(params![
                &new.id_hash[..],
                new.account_id.0,
                new.channel.code(),
                created,
                new.device,
                new.origin
            ])
            .map_err(db)?;
            let at = stored_instant(new.created_at);
            let session = Session {
                session_id: tx.last_insert_rowid(),
                account_id: new.account_id,
                channel: new.channel,
                created_at: at,
                last_seen_at: at,
                ended_at: None,
                end_reason: None,
                device: new.device,
                origin: new.origin,
            };
            Ok((session, true))
        })
        .await
    }

    async fn live_session(&self, id_hash: &[u8; 32]) -> Result<Option<Session>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = ?1 AND ended_at IS NULL"
            );
            Ok(collect(c, &sql, [&id_hash[..]], session)?.pop())
        })
    }

    async fn live_session_with_account(
        &self,
        id_hash: &[u8; 32],
    ) -> Result<Option<(Session, Account)>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS_OF_S}, {ACCOUNT_COLUMNS_OF_A}
                 FROM sessions s JOIN accounts a ON a.account_id = s.account_id
                 WHERE s.id_hash = ?1 AND s.ended_at IS NULL",
                SESSION_COLUMNS_OF_S = qualified("s", SESSION_COLUMNS),
                ACCOUNT_COLUMNS_OF_A = qualified("a", crate::accounts::COLUMNS),
            );
            Ok(collect(c, &sql, [&id_hash[..]], |r| {
                Ok((session(r)?, crate::accounts::account_at(r, SESSION_FIELDS)?))
            })?
            .pop())
        })
    }

    async fn session_by_hash(&self, id_hash: &[u8; 32]) -> Result<Option<Session>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = ?1");
            Ok(collect(c, &sql, [&id_hash[..]], session)?.pop())
        })
    }

    async fn touch_session(&self, session_id: i64, at: OffsetDateTime) -> Result<(), StoreError> {
        self.write(move |c| {
            c.prepare_cached(
                "UPDATE sessions SET last_seen_at = ?2
                 WHERE session_id = ?1 AND ended_at IS NULL AND last_seen_at < ?2",
            )
            .map_err(db)?
            .execute(params![session_id, ts(at)])
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn end_session(
        &self,
        account: AccountId,
        session_id: i64,
        at: OffsetDateTime,
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError> {
        let reason = reason.to_owned();
        self.audited(audit, move |tx| {
            let ended = tx
                .prepare_cached(
                    "UPDATE sessions SET ended_at = ?3, end_reason = ?4
                     WHERE session_id = ?2 AND account_id = ?1 AND ended_at IS NULL",
                )
                .map_err(db)?
                .execute(params![account.0, session_id, ts(at), reason])
                .map_err(db)?
                == 1;
            Ok((ended, ended))
        })
        .await
    }

    async fn end_all_sessions(
        &self,
        account: AccountId,
        except: Option<i64>,
        at: OffsetDateTime,
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<u64, StoreError> {
        let reason = reason.to_owned();
        self.audited(audit, move |tx| {
            let ended = tx
                .prepare_cached(
                    "UPDATE sessions SET ended_at = ?3, end_reason = ?4
                     WHERE account_id = ?1 AND ended_at IS NULL AND session_id IS NOT ?2",
                )
                .map_err(db)?
                .execute(params![account.0, except, ts(at), reason])
                .map_err(db)?;
            Ok((ended as u64, ended > 0))
        })
        .await
    }

    async fn sessions(&self, account: AccountId, limit: u32) -> Result<Vec<Session>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE account_id = ?1
                 ORDER BY created_at DESC, session_id DESC LIMIT ?2"
            );
            collect(c, &sql, params![account.0, limit], session)
        })
    }
}

#[async_trait]
impl DraftRepo for SqliteStore {
    async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError> {
        let draft = draft.clone();
        self.write(move |c| {
            c.prepare_cached(
                "INSERT OR REPLACE INTO drafts (member_id, draft_hash, path, sealed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(db)?
            .execute(params![
                draft.member_id.0,
                &draft.draft_hash[..],
                draft.path,
                draft.sealed,
                ts(draft.created_at)
            ])
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn take_draft(
        &self,
        member: MemberId,
        draft_hash: &[u8; 32],
        since: OffsetDateTime,
    ) -> Result<Option<Draft>, StoreError> {
        let hash = *draft_hash;
        self.write(move |c| {
            let tx = c.transaction().map_err(db)?;
            let found = collect(
                &tx,
                "SELECT path, sealed, created_at FROM drafts
                 WHERE member_id = ?1 AND draft_hash = ?2 AND created_at >= ?3",
                params![member.0, &hash[..], ts(since)],
                |r| {
                    Ok(Draft {
                        member_id: member,
                        draft_hash: hash,
                        path: get(r, 0, "drafts")?,
                        sealed: get(r, 1, "drafts")?,
                        created_at: get_ts(r, 2, "drafts")?,
                    })
                },
            )?
            .pop();
            tx.prepare_cached(
                "DELETE FROM drafts WHERE member_id = ?1 AND (draft_hash = ?2 OR created_at < ?3)",
            )
            .map_err(db)?
            .execute(params![member.0, &hash[..], ts(since)])
            .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(found)
        })
        .await
    }
}
