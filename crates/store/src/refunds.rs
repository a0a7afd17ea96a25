//! What the pensioner refund reads and keeps besides its request: the member's pension
//! resolutions and the holds on their subaccount (registry data, loaded by imports), and the
//! bank account the member gave for deposits.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::ids::Clabe;
use domain::refund::{PensionResolution, SubaccountHold};
use domain::registry::MemberId;
use time::OffsetDateTime;

use crate::{NewMessage, StoreError};

/// The member's account for deposits: an 18-digit CLABE the member declared is in their name.
/// Instants read back as `stored_instant` of what was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    pub member_id: MemberId,
    pub clabe: Clabe,
    /// When the member last declared the account is in their own name.
    pub holder_declared_at: OffsetDateTime,
    /// When the first CLABE was given.
    pub registered_at: OffsetDateTime,
    /// When it last changed to a different CLABE (money then waits: the cooling-off); `None`
    /// while it is the first one given.
    pub changed_at: Option<OffsetDateTime>,
}

#[async_trait]
pub trait RefundRepo {
    /// The member's pension resolutions and denials, oldest first.
    async fn pension_resolutions(
        &self,
        member: MemberId,
    ) -> Result<Vec<PensionResolution>, StoreError>;
    /// Every hold placed on the member's subaccount, lifted or not, oldest first.
    async fn subaccount_holds(&self, member: MemberId) -> Result<Vec<SubaccountHold>, StoreError>;
    async fn bank_account(&self, member: MemberId) -> Result<Option<BankAccount>, StoreError>;
    /// Keeps `account` as the member's (replacing the one there was), with `audit` and the
    /// member's notices in the same transaction.
    async fn save_bank_account(
        &self,
        account: &BankAccount,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError>;
}
