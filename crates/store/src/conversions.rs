//! Responsabilidad Compartida on the record (domain.md §11): the conversion of a VSM credit into
//! fixed pesos, kept once per credit with the offer it applied. Converting is one transaction:
//! the conversion row, the discount movement, the credit in pesos at its new rate, the fixed
//! payment as the discount in force, the audit row and the member's notice — or none of them.

use async_trait::async_trait;
use domain::audit::{AuditEntry, Channel};
use domain::credit::conversion::Offer;
use domain::registry::{CreditNumber, MemberId};
use time::OffsetDateTime;

use crate::{NewMessage, StoreError};

/// One credit's conversion. Instants read back as `stored_instant` of what was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditConversion {
    pub member_id: MemberId,
    pub credit_number: CreditNumber,
    pub converted_at: OffsetDateTime,
    /// Who asked for it: the member on the web or the app, or an operator for them.
    pub channel: Channel,
    /// What was offered and applied, as of the day of the conversion.
    pub offer: Offer,
}

impl CreditConversion {
    /// What the conversion's movement batch is recorded under: one per credit.
    pub fn key(&self) -> String {
        format!("credit_conversion:{}", self.credit_number.as_str())
    }

    /// The key as an import batch's identity: the lower-case hex SHA-256 of it.
    pub fn identity(&self) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(self.key().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Errors of `convert_credit`: `Conflict("already_converted")` when the credit was converted
/// before (by this call repeated or by another at the same time), `Conflict("credit_not_found")`
/// when the member has no such credit, and `Conflict("credit_changed")` when the credit is no
/// longer an active VSM credit or what it owes is no longer the offer's balance.
#[async_trait]
pub trait ConversionRepo {
    async fn convert_credit(
        &self,
        conversion: &CreditConversion,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError>;
    /// The conversion of the member's credit, if it was converted; `None` for another
    /// member's credit.
    async fn credit_conversion(
        &self,
        member: MemberId,
        credit: &CreditNumber,
    ) -> Result<Option<CreditConversion>, StoreError>;
}
