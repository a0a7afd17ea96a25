//! Payment relief granted on credits (domain.md §10): each grant, and the movements it posts on
//! the credit, written together with the audit row and the member's notice.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::credit::relief::ReliefGrant;
use domain::registry::{CreditMovement, CreditNumber, MemberId};

use crate::{NewMessage, StoreError};

/// Errors: `Conflict("relief_already_granted")` when the credit already has a grant starting
/// that month (the same application sent twice), `Conflict("credit_not_found")` when the
/// credit is not the member's.
#[async_trait]
pub trait ReliefRepo {
    /// Every grant on the member's credit, oldest first; empty for another member's credit.
    async fn relief_grants(
        &self,
        member: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<ReliefGrant>, StoreError>;
    /// Keeps `grant`, posts `movements` on its credit (moving the credit's balance) and writes
    /// `audit` and `notify`, all in one transaction.
    async fn grant_relief(
        &self,
        grant: &ReliefGrant,
        movements: &[CreditMovement],
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError>;
}
