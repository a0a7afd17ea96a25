//! Files attached to requests (the evidence of a data correction), and applying a correction:
//! the member's record is rewritten and the request completed in one transaction, or neither.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::{MemberId, Person};
use domain::requests::Folio;
use time::OffsetDateTime;

use crate::{NewMessage, NewRequest, Request, StateChange, StoreError};

/// A file to keep with a request. The caller checks its type and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub sha256: [u8; 32],
    pub bytes: Vec<u8>,
}

/// A kept file, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// 1, 2, … within the request.
    pub seq: u32,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: [u8; 32],
    pub uploaded_at: OffsetDateTime,
    /// The checklist item a credit application's document answers; `None` for evidence.
    pub item: Option<String>,
    /// The bytes are in the blob store under `sha256`, not in the database (credit
    /// applications); `attachment` then returns no bytes.
    pub in_blob_store: bool,
}

/// Errors: `Conflict("request_folio_taken")` as for `create_request`; `Conflict("curp_taken")`
/// when a corrected CURP is another member's; the request errors of `transition_request`.
#[async_trait]
pub trait CorrectionRepo {
    /// Creates the request and keeps its files, in one transaction.
    async fn create_request_with_attachments(
        &self,
        new: &NewRequest,
        attachments: &[NewAttachment],
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError>;
    /// The files of the member's request, in order; empty for another member's.
    async fn attachments(
        &self,
        member: MemberId,
        folio: &Folio,
    ) -> Result<Vec<Attachment>, StoreError>;
    /// One file with its bytes.
    async fn attachment(
        &self,
        member: MemberId,
        folio: &Folio,
        seq: u32,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StoreError>;
    /// Writes the member's corrected name, CURP and RFC and makes `change` on the request,
    /// atomically: if the request moved meanwhile or the CURP is taken, nothing is written.
    async fn apply_correction(
        &self,
        member: MemberId,
        corrected: &Person,
        folio: &Folio,
        change: &StateChange,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<Request, StoreError>;
}
