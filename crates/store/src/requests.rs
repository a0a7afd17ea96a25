//! Requests and their timelines. A request row holds where the request stands; every change
//! appends an event, so the timeline is the history and the row is its latest line.
//!
//! Changes are optimistic: the caller says which state it read, and the change is made only if
//! the request is still in it, so two operators (or a member and an operator) acting at once
//! never both succeed and no change is lost. The audit entries and the notifications of a change
//! are written in its transaction, and only when it is made.
//!
//! Every look-up a member can reach takes the member: a folio alone finds nothing. Rows are keyed
//! by member first, like every member-owned table; the folio is also unique on its own.

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel};
use domain::registry::{MemberId, Movement};
use domain::requests::{Folio, RequestKind, RequestStage, RequestState};
use time::{Date, OffsetDateTime};

use crate::{NewMessage, StoreError};

/// One line of a request's timeline, to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRequestEvent {
    pub at: OffsetDateTime,
    /// What happened, as a stable code: "submitted", "review_started", "approved", …
    pub event: String,
    /// "member:123", "operator:7" or "system", as in the audit log.
    pub actor: String,
    pub channel: Channel,
    /// Non-secret details as compact JSON text ("{}" when none).
    pub details: String,
}

/// One line of a request's timeline, as stored; `at` reads back as `stored_instant` of what was
/// written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestEvent {
    /// 1 for the event that created the request, then 2, 3, …
    pub seq: u32,
    pub at: OffsetDateTime,
    pub event: String,
    /// The state the request was left in.
    pub state: RequestState,
    pub actor: String,
    pub channel: Channel,
    pub details: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRequest {
    pub member_id: MemberId,
    pub folio: Folio,
    pub kind: RequestKind,
    /// `Draft`, or `Submitted` when filed at once.
    pub state: RequestState,
    /// The member's answers as JSON text; the store keeps them as given.
    pub answers: String,
    /// Where it was filed: web, app (the API), phone or CESI.
    pub channel: Channel,
    /// Who filed it: "member:123", or "operator:7" acting for the member.
    pub created_by: String,
    pub created_at: OffsetDateTime,
    /// When it was submitted and the date promised then; `None` for a draft.
    pub submitted: Option<Submission>,
    /// The first line of the timeline; its state is `state`.
    pub event: NewRequestEvent,
}

/// A submission: when, and what was promised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submission {
    pub at: OffsetDateTime,
    pub promised_on: Date,
}

/// A request as stored. Instants read back as `stored_instant` of what was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub member_id: MemberId,
    pub folio: Folio,
    pub kind: RequestKind,
    pub state: RequestState,
    pub answers: String,
    pub channel: Channel,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub submitted_at: Option<OffsetDateTime>,
    pub promised_on: Option<Date>,
    /// When the last event happened (for a closed request: when it closed).
    pub updated_at: OffsetDateTime,
    /// How many events the timeline holds.
    pub version: u32,
}

/// A change of state: made only if the request is still in `expected`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChange {
    pub expected: RequestState,
    pub new: RequestState,
    /// Set when a draft is submitted; a request keeps the date promised at its first submission.
    pub submitted: Option<Submission>,
    pub event: NewRequestEvent,
}

/// The operators' queue: open requests oldest promise first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueQuery {
    /// One kind, or every kind.
    pub kind: Option<RequestKind>,
    /// The stages to list; an empty list lists nothing.
    pub stages: Vec<RequestStage>,
    pub limit: u32,
    /// The page after this (promised date, folio): the last row of the previous page.
    pub after: Option<(Date, Folio)>,
}

/// Money moved in the housing subaccount because a request was completed (a refund paid out),
/// posted in the same transaction as the request's change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerPosting {
    /// Names the posting once and for all ("pensioner_refund:DEV-2026-…"). It is recorded like
    /// an import batch's identity, so the same posting can never be made twice.
    pub key: String,
    pub movements: Vec<Movement>,
}

impl LedgerPosting {
    /// What the posting is recorded under: the lower-case hex SHA-256 of its key, in the same
    /// unique column as an imported file's.
    pub fn identity(&self) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(self.key.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Errors: `Conflict("request_folio_taken")` when a folio is drawn twice (draw another),
/// `Conflict("request_already_open")` when the member already has one in process of a kind
/// allowed once at a time (the pensioner refund),
/// `Conflict("request_not_found")` when the member has no request with that folio, and
/// `Conflict("request_state_changed")` when the request is no longer in the state the caller
/// read.
#[async_trait]
pub trait RequestRepo {
    /// Creates a request with the first line of its timeline; `audit` and `notify` are written
    /// in the same transaction.
    async fn create_request(
        &self,
        new: &NewRequest,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError>;
    /// Moves the member's request from `change.expected` to `change.new` and appends the event,
    /// atomically; `audit` and `notify` are written only if the change is made.
    async fn transition_request(
        &self,
        member: MemberId,
        folio: &Folio,
        change: &StateChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError>;
    /// `transition_request`, and `posting` booked on the ledger with it: the movements and the
    /// balances they move, all or nothing. Besides the errors of a transition:
    /// `Conflict("posting_already_made")` when a posting with the same key (or a movement with
    /// the same ledger key) exists, and `Conflict("posting_overdraws")` when a balance would
    /// end below zero. Nothing is written when any of them is refused.
    async fn transition_request_posting(
        &self,
        member: MemberId,
        folio: &Folio,
        change: &StateChange,
        posting: &LedgerPosting,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError>;
    /// The member's request with this folio; `None` for another member's.
    async fn request_by_folio(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Option<Request>, StoreError>;
    /// The member's requests, newest first.
    async fn requests_of_member(&self, member: MemberId) -> Result<Vec<Request>, StoreError>;
    /// The timeline of the member's request, oldest first; empty for another member's.
    async fn request_events(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Vec<RequestEvent>, StoreError>;
    /// Whose request a folio is: for the back office (an operator told a folio on the phone),
    /// and to audit a member asking for someone else's. Never answer a member with it.
    async fn folio_owner(&self, folio: &Folio) -> Result<Option<MemberId>, StoreError>;
    /// Submitted requests in the given stages, by promised date then folio, at most `limit`.
    async fn requests_queue(&self, query: &QueueQuery) -> Result<Vec<Request>, StoreError>;
}
