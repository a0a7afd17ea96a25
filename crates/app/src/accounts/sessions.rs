//! Server-side sessions: a random token in the cookie, only its hash in the database, idle and
//! absolute time-outs enforced here on every request.

use domain::registry::MemberId;
use store::{AccountId, AccountState, Session, StoreError};
use time::Duration;

use super::{Accounts, Caller, random_token, sha256};
use crate::seal::Sealer;

/// How often a busy session's last use is written: the idle time-out is kept to this.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// How long what a member typed is kept after their session timed out.
pub const DRAFT_LIFETIME: Duration = Duration::hours(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A signed-in member, as a request sees them.
#[derive(Clone, Debug)]
pub struct SessionContext {
    pub session: Session,
    pub account_id: AccountId,
    pub member_id: MemberId,
    /// Time left before the idle time-out, for the warning dialog.
    pub idle_left: Duration,
}

impl Accounts {
    /// The live session behind a cookie token, or `None` (unknown, ended, timed out, or the
    /// account is no longer active). A timed-out session is ended with its reason.
    pub async fn session(
        &self,
        token: &str,
        caller: &Caller,
    ) -> Result<Option<SessionContext>, StoreError> {
        let Some((session, account)) = self.store.live_session_with_account(&sha256(token)).await?
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        let reason = if now - session.created_at >= self.policy.absolute {
            Some("absolute_timeout")
        } else if now - session.last_seen_at >= self.policy.idle {
            Some("idle_timeout")
        } else {
            None
        };
        if let Some(reason) = reason {
            let id = account.member_id.0;
            let audit = [self.audit(
                caller,
                format!("member:{id}"),
                "session_expired",
                Some(id),
                format!("{{\"reason\":\"{reason}\"}}"),
            )];
            self.store
                .end_session(account.account_id, session.session_id, now, reason, &audit)
                .await?;
            return Ok(None);
        }
        if account.state != AccountState::Active {
            return Ok(None);
        }
        // Last use is kept to the minute: one write a minute per session, not one a request.
        let touched = now - session.last_seen_at >= TOUCH_EVERY;
        if touched {
            self.store.touch_session(session.session_id, now).await?;
        }
        let last_use = if touched { now } else { session.last_seen_at };
        Ok(Some(SessionContext {
            account_id: account.account_id,
            member_id: account.member_id,
            idle_left: self.policy.idle - Duration::seconds((now - last_use).whole_seconds()),
            session,
        }))
    }

    /// Signs out: ends the session behind this token.
    pub async fn sign_out(
        &self,
        context: &SessionContext,
        caller: &Caller,
    ) -> Result<(), StoreError> {
        let id = context.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "sign_out",
            Some(id),
            "{}".into(),
        )];
        self.store
            .end_session(
                context.account_id,
                context.session.session_id,
                self.clock.now(),
                "sign_out",
                &audit,
            )
            .await
            .map(|_| ())
    }

    /// "Mis sesiones": the member's sessions, newest first.
    pub async fn my_sessions(&self, context: &SessionContext) -> Result<Vec<Session>, StoreError> {
        self.store.sessions(context.account_id, 50).await
    }

    /// Ends one of the member's own sessions; `false` when it is not theirs or already ended.
    pub async fn end_my_session(
        &self,
        context: &SessionContext,
        session_id: i64,
        caller: &Caller,
    ) -> Result<bool, StoreError> {
        let id = context.member_id.0;
        let details = format!("{{\"session\":{session_id}}}");
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "session_ended_by_member",
            Some(id),
            details.clone(),
        )];
        let ended = self
            .store
            .end_session(
                context.account_id,
                session_id,
                self.clock.now(),
                "ended_by_member",
                &audit,
            )
            .await?;
        if !ended {
            // Not one of the member's live sessions: someone else's, or made up. Recorded.
            let denied = [self.audit(
                caller,
                format!("member:{id}"),
                "access_denied",
                Some(id),
                details,
            )];
            self.store.append_audit(&denied).await?;
        }
        Ok(ended)
    }

    /// Ends every other session of the member.
    pub async fn end_other_sessions(
        &self,
        context: &SessionContext,
        caller: &Caller,
    ) -> Result<u64, StoreError> {
        let id = context.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "sessions_ended_by_member",
            Some(id),
            "{}".into(),
        )];
        self.store
            .end_all_sessions(
                context.account_id,
                Some(context.session.session_id),
                self.clock.now(),
                "ended_by_member",
                &audit,
            )
            .await
    }
}

/// Field names whose values are never kept in a draft.
fn secret_field(name: &str) -> bool {
    name == "csrf" || name.contains("password") || name.contains("code") || name == "ticket"
}

impl Accounts {
    fn draft_sealer(&self) -> Sealer {
        Sealer::new(&self.code_key, "draft")
    }

    /// Keeps what was typed into the form at `path` when the session behind `token` has
    /// timed out, so it is there again after the member signs in. Returns the draft's token
    /// for the member's browser, or `None` if the session did not time out (unknown, signed
    /// out or ended by the member: nothing is kept for whoever holds the cookie then).
    /// Passwords, codes and the CSRF token are never kept.
    pub async fn keep_draft(
        &self,
        token: &str,
        path: &str,
        fields: &[(String, String)],
    ) -> Result<Option<String>, StoreError> {
        if !path.starts_with('/') || path.starts_with("//") {
            return Ok(None);
        }
        let Some(session) = self.store.session_by_hash(&sha256(token)).await? else {
            return Ok(None);
        };
        let timed_out = matches!(
            session.end_reason.as_deref(),
            Some("idle_timeout" | "absolute_timeout")
        );
        let now = self.clock.now();
        if !timed_out || session.ended_at.is_none_or(|at| now - at > DRAFT_LIFETIME) {
            return Ok(None);
        }
        let Some(account) = self.store.account(session.account_id).await? else {
            return Ok(None);
        };
        let kept: Vec<&(String, String)> = fields
            .iter()
            .filter(|(name, _)| !secret_field(name))
            .collect();
        let plain = serde_json::to_vec(&kept).unwrap_or_default();
        let draft_token = random_token();
        let context = format!("draft:{}:{path}", account.member_id.0);
        self.store
            .save_draft(&store::Draft {
                member_id: account.member_id,
                draft_hash: sha256(&draft_token),
                path: path.to_owned(),
                sealed: self.draft_sealer().seal(&plain, context.as_bytes()),
                created_at: store::stored_instant(now),
            })
            .await?;
        Ok(Some(draft_token))
    }

    /// The page and fields of the signed-in member's draft with this token, once.
    pub async fn take_draft(
        &self,
        session: &SessionContext,
        draft_token: &str,
    ) -> Result<Option<(String, Vec<(String, String)>)>, StoreError> {
        let since = self.clock.now() - DRAFT_LIFETIME;
        let Some(draft) = self
            .store
            .take_draft(session.member_id, &sha256(draft_token), since)
            .await?
        else {
            return Ok(None);
        };
        let context = format!("draft:{}:{}", session.member_id.0, draft.path);
        let fields = self
            .draft_sealer()
            .open(&draft.sealed, context.as_bytes())
            .and_then(|plain| serde_json::from_slice(&plain).ok())
            .unwrap_or_default();
        Ok(Some((draft.path, fields)))
    }
}
