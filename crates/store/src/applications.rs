//! Credit applications (domain.md §4): the draft's answers change while the member builds it,
//! its documents are kept in the blob store and only described here (one row per checklist
//! item, in `request_attachments`), and the "Saber más para decidir mejor" course a member must
//! pass before applying.
//!
//! Every change to a draft is made only while the request is still a draft: once submitted, its
//! answers and documents are what the fund reviews.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use domain::requests::Folio;
use time::OffsetDateTime;

use crate::{Attachment, Request, StoreError};

/// A document of a draft whose bytes are in the blob store under `sha256`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStoredFile {
    /// The checklist item it answers ("official_id", "appraisal", …).
    pub item: String,
    /// The name the server chose; the member's own file name is never kept.
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: [u8; 32],
    pub uploaded_at: OffsetDateTime,
}

/// A passed course.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseCompletion {
    pub member_id: MemberId,
    /// The version of the course passed ("2026-1").
    pub course: String,
    pub score: u32,
    pub out_of: u32,
    /// Reads back as `stored_instant` of what was written.
    pub passed_at: OffsetDateTime,
}

/// Errors: `Conflict("request_not_found")` when the member has no request with that folio,
/// `Conflict("request_state_changed")` when it is no longer a draft.
#[async_trait]
pub trait ApplicationRepo {
    /// Replaces the answers of the member's draft.
    async fn update_draft_answers(
        &self,
        member: MemberId,
        folio: &Folio,
        answers: &str,
        audit: &[AuditEntry],
    ) -> Result<Request, StoreError>;
    /// Keeps `file` as the draft's document for its item, in place of the one it had (whose
    /// hash is returned, so its blob can be let go when nothing else uses it).
    async fn put_draft_file(
        &self,
        member: MemberId,
        folio: &Folio,
        file: &NewStoredFile,
        audit: &[AuditEntry],
    ) -> Result<(Attachment, Option<[u8; 32]>), StoreError>;
    /// Removes a document of the draft; the hash of the removed one, `None` when there was none.
    async fn delete_draft_file(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
        audit: &[AuditEntry],
    ) -> Result<Option<[u8; 32]>, StoreError>;
    /// Whether any attachment of any member still points at the blob `sha256`.
    async fn blob_in_use(&self, sha256: &[u8; 32]) -> Result<bool, StoreError>;
    /// The member's passed course, if any.
    async fn course_completion(
        &self,
        member: MemberId,
    ) -> Result<Option<CourseCompletion>, StoreError>;
    /// Records a pass; a member who passes again keeps the first pass.
    async fn record_course_completion(
        &self,
        completion: &CourseCompletion,
        audit: &[AuditEntry],
    ) -> Result<CourseCompletion, StoreError>;
    /// Unamos Créditos: keeps a code (its hash) the member gives a partner, valid until
    /// `expires_at`; the member's earlier codes stop working.
    async fn create_partner_code(
        &self,
        member: MemberId,
        code_hash: &[u8; 32],
        expires_at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;
    /// Pairs `member` with the maker of the code, if it is unexpired at `now`, and spends it.
    /// Errors: `Conflict("partner_code_invalid")` (unknown, expired or spent),
    /// `Conflict("partner_self")` (the member's own code), `Conflict("partner_taken")` (either
    /// already has a partner).
    async fn join_partner(
        &self,
        member: MemberId,
        code_hash: &[u8; 32],
        now: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<MemberId, StoreError>;
    /// The member's partner, if paired.
    async fn partner_of(&self, member: MemberId) -> Result<Option<MemberId>, StoreError>;
    /// Ends the member's pairing (for both); the former partner, if there was one.
    async fn leave_partner(
        &self,
        member: MemberId,
        audit: &[AuditEntry],
    ) -> Result<Option<MemberId>, StoreError>;
}
