//! The record of issued documents: which member got which document, when, under which
//! verification code, and the SHA-256 of its bytes, so a public page can tell a genuine copy
//! from an altered or invented one. The documents themselves are not kept.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use time::OffsetDateTime;

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDocument {
    pub member_id: MemberId,
    /// The verification code in canonical form (16 characters of Crockford's base32).
    pub code: String,
    /// The document kind's stable code: "savings_statement", …
    pub kind: String,
    /// SHA-256 of the PDF as issued.
    pub sha256: [u8; 32],
    pub issued_at: OffsetDateTime,
}

/// An issued document as recorded; `issued_at` reads back as `stored_instant` of what was
/// written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedDocument {
    pub member_id: MemberId,
    pub code: String,
    pub kind: String,
    pub sha256: [u8; 32],
    pub issued_at: OffsetDateTime,
}

/// Errors: `Conflict("document_code_taken")` when the code was already issued (codes are
/// random: the caller draws a new one and renders again).
#[async_trait]
pub trait DocumentRepo {
    /// Records an issued document, with its audit entries in the same transaction.
    async fn record_document(
        &self,
        new: &NewDocument,
        audit: &[AuditEntry],
    ) -> Result<IssuedDocument, StoreError>;
    /// The document issued under `code` (canonical form), whoever it belongs to: the public
    /// verification look-up.
    async fn document_by_code(&self, code: &str) -> Result<Option<IssuedDocument>, StoreError>;
}
