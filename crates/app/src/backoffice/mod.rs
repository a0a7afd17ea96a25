//! The back office: operators sign in with a password and an authenticator code, work the
//! queues of requests, look members up (personal data masked until they state why they need
//! it), act for members on the phone or at a CESI, and manage one another by role
//! (`domain::operators`). Every operator action writes an audit entry; a refused one too.

mod batches;
mod demo;
mod identity;
mod members;
mod operators;
mod statistics;
mod work;

use std::sync::Arc;

use domain::audit::{AuditEntry, Channel};
use domain::operators::{Permission, Role};
use store::{Store, StoreError};
use time::Duration;

use crate::accounts::{Caller, Passwords};
use crate::clock::Clock;
use crate::requests::{RequestError, Requests};
use crate::seal::Sealer;

pub use batches::JOBS_LISTED;
pub use demo::{DEMO_OPERATORS, demo_code};
pub use identity::{MAX_NOTE, refusal_codes};
pub use members::{MemberCard, MemberLookup, Shown};
pub use operators::{NewOperatorForm, OperatorCreated, OperatorLine};
pub use work::{QueueFilter, QueueLine, RequestCase};

/// An operator session ends after this long without use.
pub const OPERATOR_IDLE: Duration = Duration::minutes(15);

/// Results per page of the member look-up and the queues.
pub const PAGE: u32 = 50;

/// The operator behind a back-office request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorContext {
    pub operator_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl OperatorContext {
    pub fn label(&self) -> String {
        format!("operator:{}", self.operator_id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackOfficeError {
    /// Wrong username, password or code: one answer for all three.
    #[error("operator_sign_in_failed")]
    SignInFailed,
    /// Too many recent failures; try again after this long.
    #[error("operator_sign_in_wait")]
    Wait(Duration),
    /// The operator's role does not allow this.
    #[error("operator_forbidden")]
    Forbidden,
    #[error("operator_username_invalid")]
    UsernameInvalid,
    #[error("operator_username_taken")]
    UsernameTaken,
    #[error("operator_name_required")]
    NameRequired,
    #[error("operator_not_found")]
    OperatorNotFound,
    /// An admin cannot disable themselves or take away their own admin role, so there is always
    /// someone left to manage operators.
    #[error("operator_cannot_change_self")]
    CannotChangeSelf,
    #[error("member_not_found")]
    MemberNotFound,
    /// Asking for a correction and rejecting need a reason code from the list.
    #[error("decision_reason_required")]
    ReasonRequired,
    #[error("unmask_reason_required")]
    UnmaskReasonRequired,
    /// Acting for a member needs the channel: phone or CESI.
    #[error("serving_channel_required")]
    ChannelRequired,
    /// A change of NSS or a unification needs a note: the evidence it rests on.
    #[error("identity_note_required")]
    IdentityNoteRequired,
    #[error("nss_unchanged")]
    NssUnchanged,
    /// The new NSS is another record's, or was.
    #[error("nss_taken")]
    NssTaken,
    /// The record changed since the operator read it.
    #[error("nss_outdated")]
    NssOutdated,
    /// The rules refuse the unification, for every reason listed.
    #[error("unify_refused")]
    Unify(Vec<domain::identity::Refusal>),
    /// A yearly batch for a year that has not come, or before the fund's records.
    #[error("batch_year")]
    BatchYear(i32),
    #[error("batch_file_empty")]
    BatchFileEmpty,
    #[error("batch_file_too_large")]
    BatchFileTooLarge,
    /// The same batch is waiting or running.
    #[error("job_already_queued")]
    BatchAlreadyQueued,
    #[error("job_not_found")]
    BatchNotFound,
    #[error("{0}")]
    Request(#[from] RequestError),
    #[error("{0}")]
    Correction(#[from] crate::corrections::CorrectionError),
    /// A refund's signature or ledger posting refused the decision.
    #[error("{0}")]
    Refund(crate::refund::RefundError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl From<crate::refund::RefundError> for BackOfficeError {
    fn from(e: crate::refund::RefundError) -> Self {
        use crate::refund::RefundError;
        match e {
            RefundError::Request(e) => BackOfficeError::Request(e),
            RefundError::Store(e) => BackOfficeError::Store(e),
            other => BackOfficeError::Refund(other),
        }
    }
}

impl BackOfficeError {
    pub fn code(&self) -> &'static str {
        match self {
            BackOfficeError::SignInFailed => "operator_sign_in_failed",
            BackOfficeError::Wait(_) => "operator_sign_in_wait",
            BackOfficeError::Forbidden => "operator_forbidden",
            BackOfficeError::UsernameInvalid => "operator_username_invalid",
            BackOfficeError::UsernameTaken => "operator_username_taken",
            BackOfficeError::NameRequired => "operator_name_required",
            BackOfficeError::OperatorNotFound => "operator_not_found",
            BackOfficeError::CannotChangeSelf => "operator_cannot_change_self",
            BackOfficeError::MemberNotFound => "member_not_found",
            BackOfficeError::ReasonRequired => "decision_reason_required",
            BackOfficeError::UnmaskReasonRequired => "unmask_reason_required",
            BackOfficeError::ChannelRequired => "serving_channel_required",
            BackOfficeError::IdentityNoteRequired => "identity_note_required",
            BackOfficeError::NssUnchanged => "nss_unchanged",
            BackOfficeError::NssTaken => "nss_taken",
            BackOfficeError::NssOutdated => "nss_outdated",
            BackOfficeError::Unify(_) => "unify_refused",
            BackOfficeError::BatchYear(_) => "batch_year",
            BackOfficeError::BatchFileEmpty => "batch_file_empty",
            BackOfficeError::BatchFileTooLarge => "batch_file_too_large",
            BackOfficeError::BatchAlreadyQueued => "job_already_queued",
            BackOfficeError::BatchNotFound => "job_not_found",
            BackOfficeError::Request(e) => e.code(),
            BackOfficeError::Correction(e) => e.code(),
            BackOfficeError::Refund(e) => e.code(),
            BackOfficeError::Store(_) | BackOfficeError::Hash(_) => "service_unavailable",
        }
    }
}

/// The back-office use cases and what they need.
#[derive(Clone)]
pub struct BackOffice {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) passwords: Passwords,
    pub(crate) server_key: Arc<[u8]>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) requests: Requests,
    /// Where credit applications' documents are kept, to open them for a decision.
    pub(crate) blobs: Option<Arc<dyn crate::blobs::BlobStore>>,
    /// Where the statistics are read: a replica when one is configured, else `store`.
    pub(crate) lagging: Arc<dyn Store>,
}

impl BackOffice {
    pub fn new(
        store: Arc<dyn Store>,
        passwords: Passwords,
        server_key: &[u8],
        clock: Arc<dyn Clock>,
        requests: Requests,
    ) -> BackOffice {
        BackOffice {
            lagging: store.clone(),
            store,
            passwords,
            server_key: Arc::from(server_key),
            clock,
            requests,
            blobs: None,
        }
    }

    /// The back office, able to open documents kept in `blobs`.
    pub fn with_blobs(self, blobs: Arc<dyn crate::blobs::BlobStore>) -> BackOffice {
        BackOffice {
            blobs: Some(blobs),
            ..self
        }
    }

    /// The back office, reading the statistics through `lagging` (see
    /// `store_postgres::PgStore::lagging_reads`).
    pub fn with_lagging_reads(self, lagging: Arc<dyn Store>) -> BackOffice {
        BackOffice { lagging, ..self }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The data-correction use cases, on the same store and requests.
    pub(crate) fn corrections(&self) -> crate::corrections::Corrections {
        crate::corrections::Corrections::new(self.store.clone(), self.requests.clone())
    }

    pub(crate) fn totp_sealer(&self) -> Sealer {
        Sealer::new(&self.server_key, "operator totp secret")
    }

    pub(crate) fn audit(
        &self,
        caller: &Caller,
        actor: String,
        action: &str,
        member_id: Option<i64>,
        details: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            at: store::stored_instant(self.clock.now()),
            actor,
            action: action.to_owned(),
            member_id,
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: details.to_string(),
        }
    }

    /// Refuses, and audits the refusal, when the operator's role does not allow `permission`.
    pub async fn require(
        &self,
        operator: &OperatorContext,
        permission: Permission,
        what: &str,
        caller: &Caller,
    ) -> Result<(), BackOfficeError> {
        if operator.role.may(permission) {
            return Ok(());
        }
        let entry = self.audit(
            caller,
            operator.label(),
            "operator_access_denied",
            None,
            serde_json::json!({ "attempted": what, "role": operator.role.code() }),
        );
        self.store.append_audit(&[entry]).await?;
        Err(BackOfficeError::Forbidden)
    }
}

/// The channel an operator serves a member through.
pub fn serving_channel(code: &str) -> Option<Channel> {
    match code {
        "phone" => Some(Channel::Phone),
        "cesi" => Some(Channel::Cesi),
        _ => None,
    }
}
