//! The back office's operators, their sessions, and who a request is assigned to.
//!
//! An operator's password is stored as an Argon2 hash and the authenticator secret sealed with
//! the server key (`app::seal`); the store never sees either in the clear. Sessions are kept by
//! the hash of a random token, apart from the members' sessions. Every change writes its audit
//! entries in its own transaction, and only when it is made.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::operators::Role;
use domain::registry::{Member, MemberId};
use domain::requests::Folio;
use time::OffsetDateTime;

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOperator {
    /// Already normalised (`domain::operators::normalize_username`).
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    /// The authenticator secret, sealed.
    pub totp_sealed: Vec<u8>,
    pub created_at: OffsetDateTime,
    /// "operator:3" for an admin, "cli" for the first one.
    pub created_by: String,
}

/// An operator as stored. Instants read back as `stored_instant` of what was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub operator_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub totp_sealed: Vec<u8>,
    /// The last authenticator step used, so a code works only once.
    pub totp_last_step: Option<i64>,
    pub active: bool,
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

/// An operator's session as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorSession {
    pub operator: Operator,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// Errors: `Conflict("operator_username_taken")` on a second operator with a username, and
/// `Conflict("operator_not_found")` when changing one that does not exist.
#[async_trait]
pub trait OperatorRepo {
    async fn create_operator(
        &self,
        new: &NewOperator,
        audit: &[AuditEntry],
    ) -> Result<Operator, StoreError>;
    async fn operator(&self, id: i64) -> Result<Option<Operator>, StoreError>;
    async fn operator_by_username(&self, username: &str) -> Result<Option<Operator>, StoreError>;
    /// Every operator, by username.
    async fn operators(&self) -> Result<Vec<Operator>, StoreError>;
    /// Sets the role and whether the operator may sign in. Disabling ends their sessions.
    async fn update_operator(
        &self,
        id: i64,
        role: Role,
        active: bool,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<Operator, StoreError>;
    /// Records that the authenticator step `step` was used, only if it is later than the last
    /// one used; false when it is not (a replayed code).
    async fn use_operator_totp_step(&self, id: i64, step: i64) -> Result<bool, StoreError>;
    async fn create_operator_session(
        &self,
        id_hash: &[u8; 32],
        operator_id: i64,
        at: OffsetDateTime,
        origin: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// The live session with this token hash, its operator active and last seen after
    /// `idle_since`; marks it seen at `now`.
    async fn operator_session(
        &self,
        id_hash: &[u8; 32],
        idle_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<OperatorSession>, StoreError>;
    async fn end_operator_session(
        &self,
        id_hash: &[u8; 32],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// Gives the member's request to an operator (or to nobody).
    async fn assign_request(
        &self,
        member: MemberId,
        folio: &Folio,
        operator: Option<i64>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// Members by name for the back office's look-up: the first surname exactly, then the
    /// second surname exactly when given, then given names starting with `given` when given;
    /// in name order, at most `limit`. Names are compared as stored (upper case).
    async fn members_by_name(
        &self,
        first_surname: &str,
        second_surname: Option<&str>,
        given: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Member>, StoreError>;
    /// Who the request is assigned to.
    async fn request_assignee(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Option<i64>, StoreError>;
}
