//! Member accounts and what protects them: credentials, one-time codes, sessions, API tokens,
//! throttling counters and the notifications outbox.
//!
//! Every method that changes something a member would care about takes `audit`: the entries are
//! appended to the audit log in the same transaction as the change, and only if the change is
//! made (a refused change leaves no audit row). Secrets arrive already hashed or encrypted; the
//! store never sees a plain code, password or token.

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel};
use domain::registry::MemberId;
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use crate::StoreError;

/// Instants are kept to the microsecond, in UTC (PostgreSQL's precision; SQLite keeps the same
/// so both engines answer alike). Values read back equal `stored_instant` of what was written.
pub fn stored_instant(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AccountId(pub i64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AccountState {
    /// Created at sign-up, waiting for the activation code.
    Pending,
    Active,
    /// Frozen by the member: no sessions, no money-moving requests.
    Frozen,
}

impl AccountState {
    pub fn code(self) -> &'static str {
        match self {
            AccountState::Pending => "pending",
            AccountState::Active => "active",
            AccountState::Frozen => "frozen",
        }
    }

    pub fn from_code(code: &str) -> Option<AccountState> {
        [
            AccountState::Pending,
            AccountState::Active,
            AccountState::Frozen,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

#[derive(Clone, Debug)]
pub struct NewAccount {
    pub member_id: MemberId,
    /// Lower-cased by the caller.
    pub email: String,
    pub mobile: String,
    /// A PHC string (Argon2id).
    pub password_hash: String,
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub account_id: AccountId,
    pub member_id: MemberId,
    pub email: String,
    pub mobile: String,
    pub password_hash: String,
    pub state: AccountState,
    pub created_at: OffsetDateTime,
    pub activated_at: Option<OffsetDateTime>,
    /// Stored as given: the caller encrypts it.
    pub totp_secret: Option<Vec<u8>>,
    /// When e-mail or mobile last changed, for the cooling-off rule.
    pub contact_changed_at: Option<OffsetDateTime>,
}

/// New contact data; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct ContactChange {
    pub email: Option<String>,
    pub mobile: Option<String>,
}

/// Accounts and their credentials. Errors: `Conflict("account_exists" | "email_taken" |
/// "mobile_taken" | "unknown_member" | "account_not_found" | "account_not_pending" |
/// "account_not_active" | "account_not_frozen")`.
#[async_trait]
pub trait AccountRepo {
    /// Creates a `pending` account for a member of the registry.
    async fn create_account(
        &self,
        new: &NewAccount,
        audit: &[AuditEntry],
    ) -> Result<Account, StoreError>;
    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError>;
    async fn account_by_member(&self, member: MemberId) -> Result<Option<Account>, StoreError>;
    /// `email` as stored: lower-cased by the caller.
    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError>;
    /// `pending` → `active`.
    async fn activate_account(
        &self,
        id: AccountId,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    async fn set_password_hash(
        &self,
        id: AccountId,
        password_hash: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// Changes e-mail and/or mobile and records `at` as `contact_changed_at`.
    async fn set_contact(
        &self,
        id: AccountId,
        change: &ContactChange,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// `active` → `frozen`, ending every live session (reason "account_frozen") and revoking
    /// every API token in the same transaction; `frozen = false` is `frozen` → `active`.
    async fn set_frozen(
        &self,
        id: AccountId,
        frozen: bool,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// Sets (already encrypted) or clears the authenticator-app secret, forgetting the last
    /// step used with the previous one.
    async fn set_totp_secret(
        &self,
        id: AccountId,
        secret: Option<&[u8]>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// Records that the authenticator code for `step` was used; `false` (and no audit row) when
    /// a code for this step or a later one was already used, so each code works once even
    /// under concurrent sign-ins.
    async fn use_totp_step(
        &self,
        id: AccountId,
        step: i64,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError>;
    /// Replaces every recovery code with these hashes.
    async fn replace_recovery_codes(
        &self,
        id: AccountId,
        hashes: &[Vec<u8>],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// Uses up the recovery code with this hash; `false` when there is none unused. Single use
    /// even under concurrent calls. `audit` is written only when a code was used.
    async fn consume_recovery_code(
        &self,
        id: AccountId,
        hash: &[u8],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError>;
    async fn recovery_codes_left(&self, id: AccountId) -> Result<u64, StoreError>;
}

/// What a one-time code is bound to: the member, why it was sent, and the attempt or request
/// that asked for it. Codes are keyed by member (one account per member), so a sign-up code
/// exists before the account is active and every row stays member-keyed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeKey {
    pub member_id: MemberId,
    /// "activation", "password_reset", "contact_change", …
    pub purpose: String,
    pub bound_to: String,
}

#[derive(Clone, Debug)]
pub struct NewCode {
    pub key: CodeKey,
    pub code_hash: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneTimeCode {
    pub code_id: i64,
    pub key: CodeKey,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub attempts: u32,
    pub consumed_at: Option<OffsetDateTime>,
    /// How many codes were issued for the same key before this one.
    pub resent_count: u32,
}

/// The outcome of presenting a code. Only `Accepted` uses it up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CodeCheck {
    Accepted,
    /// No code was issued for this member, purpose and request.
    NotIssued,
    AlreadyUsed,
    Expired,
    /// The attempts allowed are spent: a new code is needed.
    TooManyAttempts,
    /// The hash did not match; the failed attempt was counted (`attempts` so far).
    Mismatch {
        attempts: u32,
    },
}

#[async_trait]
pub trait CodeRepo {
    /// Stores a code, superseding any unconsumed one for the same key.
    async fn issue_code(
        &self,
        new: &NewCode,
        audit: &[AuditEntry],
    ) -> Result<OneTimeCode, StoreError>;
    /// The latest code for a key, used or not.
    async fn current_code(&self, key: &CodeKey) -> Result<Option<OneTimeCode>, StoreError>;
    /// Counts a failed attempt on a code and returns the attempts so far.
    async fn record_code_failure(
        &self,
        member: MemberId,
        code_id: i64,
        audit: &[AuditEntry],
    ) -> Result<u32, StoreError>;
    /// Checks the latest code for `key` and, in one step, uses it up if it is unused, not
    /// expired at `now`, has had fewer than `max_attempts` attempts and `hash` matches; a
    /// mismatch counts an attempt. `audit` is written only when the code is accepted.
    async fn consume_code(
        &self,
        key: &CodeKey,
        hash: &[u8],
        now: OffsetDateTime,
        max_attempts: u32,
        audit: &[AuditEntry],
    ) -> Result<CodeCheck, StoreError>;
    /// Codes issued for the member since `since` (any purpose), for resend limits.
    async fn codes_issued_since(
        &self,
        member: MemberId,
        since: OffsetDateTime,
    ) -> Result<u64, StoreError>;
}

#[derive(Clone, Debug)]
pub struct NewSession {
    /// SHA-256 of the cookie value; the value itself is never stored.
    pub id_hash: [u8; 32],
    pub account_id: AccountId,
    pub channel: Channel,
    pub created_at: OffsetDateTime,
    /// A short summary of the user agent.
    pub device: String,
    /// The client address as the server saw it.
    pub origin: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The row's id: what "Mis sesiones" names a session by, never the cookie hash.
    pub session_id: i64,
    pub account_id: AccountId,
    pub channel: Channel,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub end_reason: Option<String>,
    pub device: String,
    pub origin: String,
}

/// Server-side sessions. Rows are kept after they end: statistics read their duration
/// (`last_seen_at - created_at`) and channel.
#[async_trait]
pub trait SessionRepo {
    async fn create_session(
        &self,
        new: &NewSession,
        audit: &[AuditEntry],
    ) -> Result<Session, StoreError>;
    /// The session with this cookie hash, if it has not ended.
    async fn live_session(&self, id_hash: &[u8; 32]) -> Result<Option<Session>, StoreError>;
    /// The live session with this cookie hash and its account, in one read: what every
    /// signed-in request needs first.
    async fn live_session_with_account(
        &self,
        id_hash: &[u8; 32],
    ) -> Result<Option<(Session, Account)>, StoreError>;
    /// The session with this cookie hash whether or not it has ended: after a time-out it
    /// still says whose it was.
    async fn session_by_hash(&self, id_hash: &[u8; 32]) -> Result<Option<Session>, StoreError>;
    /// Moves `last_seen_at` forward to `at` (never back) on a live session. Not audited.
    async fn touch_session(&self, session_id: i64, at: OffsetDateTime) -> Result<(), StoreError>;
    /// Ends one live session of this account; `false` if it is not the account's or has ended.
    async fn end_session(
        &self,
        account: AccountId,
        session_id: i64,
        at: OffsetDateTime,
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError>;
    /// Ends every live session of the account but `except`; returns how many ended.
    async fn end_all_sessions(
        &self,
        account: AccountId,
        except: Option<i64>,
        at: OffsetDateTime,
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<u64, StoreError>;
    /// The account's sessions, most recent first (at most `limit`).
    async fn sessions(&self, account: AccountId, limit: u32) -> Result<Vec<Session>, StoreError>;
}

/// What a member was typing when their session timed out, kept for when they sign in again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub member_id: MemberId,
    /// SHA-256 of the random token in the member's browser.
    pub draft_hash: [u8; 32],
    /// The page the form belongs to.
    pub path: String,
    /// The typed fields, sealed by the caller: the store never sees them in the clear.
    pub sealed: Vec<u8>,
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait DraftRepo {
    /// Keeps a draft, replacing one with the same member and hash.
    async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError>;
    /// Removes and returns the member's draft with this hash if it was saved at or after
    /// `since`; the member's older drafts are removed too.
    async fn take_draft(
        &self,
        member: MemberId,
        draft_hash: &[u8; 32],
        since: OffsetDateTime,
    ) -> Result<Option<Draft>, StoreError>;
}

/// Consecutive failures counted under a (scope, key): ("account", "123"), ("address", "10.0.0.1").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    pub failures: u32,
    pub last_failure_at: OffsetDateTime,
}

/// Failure counters shared by every instance. The delay they lead to is the domain's rule.
#[async_trait]
pub trait ThrottleRepo {
    /// Counts one failure and returns the new count, atomically.
    async fn record_failure(
        &self,
        scope: &str,
        key: &str,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<u32, StoreError>;
    async fn reset_failures(&self, scope: &str, key: &str) -> Result<(), StoreError>;
    async fn failures(&self, scope: &str, key: &str) -> Result<Option<Throttle>, StoreError>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OutboxChannel {
    Email,
    Sms,
}

impl OutboxChannel {
    pub fn code(self) -> &'static str {
        match self {
            OutboxChannel::Email => "email",
            OutboxChannel::Sms => "sms",
        }
    }

    pub fn from_code(code: &str) -> Option<OutboxChannel> {
        [OutboxChannel::Email, OutboxChannel::Sms]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OutboxStatus {
    Pending,
    Sent,
    /// Given up on: no more attempts.
    Failed,
}

impl OutboxStatus {
    pub fn code(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<OutboxStatus> {
        [
            OutboxStatus::Pending,
            OutboxStatus::Sent,
            OutboxStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

#[derive(Clone, Debug)]
pub struct NewMessage {
    pub channel: OutboxChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub created_at: OffsetDateTime,
    pub channel: OutboxChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: OutboxStatus,
    /// Times the message was claimed for sending.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<OffsetDateTime>,
}

/// Notifications waiting to leave. A claimed message is leased to its sender until
/// `lease_until`; a sender that dies lets the lease run out and the message is claimed again.
#[async_trait]
pub trait OutboxRepo {
    async fn enqueue_message(
        &self,
        message: &NewMessage,
        audit: &[AuditEntry],
    ) -> Result<i64, StoreError>;
    /// The latest messages, newest first.
    async fn recent_messages(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Claims up to `limit` pending messages of one channel whose lease is free at `now`,
    /// oldest first, counting an attempt on each; no two senders get the same message while
    /// leased.
    async fn claim_messages(
        &self,
        limit: u32,
        channel: OutboxChannel,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Marks a message sent and erases its body: codes stay in the database only until they
    /// have left.
    async fn mark_sent(&self, id: i64, at: OffsetDateTime) -> Result<(), StoreError>;
    /// Records a failed send: `failed` for good if `give_up`, else pending again and free to
    /// be claimed from `retry_at`.
    async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        give_up: bool,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError>;
}
