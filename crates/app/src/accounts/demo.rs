//! Ready accounts for the demo: the sample members get active accounts with a known password,
//! so a visitor can sign in at once. Only `vivienda demo` calls this.

use domain::auth::password::{self, PersonalData};
use domain::registry::MemberId;
use store::{AccountState, NewAccount, StoreError};

use super::{Accounts, Caller};

/// The password of every demo account, printed by `vivienda demo`.
pub const DEMO_PASSWORD: &str = "casa propia en la colonia";

impl Accounts {
    /// Creates an active account for a demo member, unless it has one already.
    pub async fn ensure_demo_account(
        &self,
        member: MemberId,
        index: usize,
        caller: &Caller,
    ) -> Result<(), StoreError> {
        if let Some(existing) = self.store.account_by_member(member).await? {
            if existing.state == AccountState::Active {
                return Ok(());
            }
        } else {
            let acceptable = password::check(DEMO_PASSWORD, &PersonalData::default())
                .map_err(|e| StoreError::Database(e.code().into()))?;
            let hash = self
                .passwords
                .hash(&acceptable)
                .await
                .map_err(|e| StoreError::Database(e.to_string()))?;
            let id = member.0;
            let audit = [self.audit(
                caller,
                "system".into(),
                "demo_account_created",
                Some(id),
                "{}".into(),
            )];
            let new = NewAccount {
                member_id: member,
                email: format!("demo{index}@vivienda.example"),
                mobile: format!("55000000{index:02}"),
                password_hash: hash,
                created_at: self.clock.now(),
            };
            self.store.create_account(&new, &audit).await?;
        }
        let Some(account) = self.store.account_by_member(member).await? else {
            return Ok(());
        };
        let id = member.0;
        let audit = [self.audit(
            caller,
            "system".into(),
            "account_activated",
            Some(id),
            "{}".into(),
        )];
        self.store
            .activate_account(account.account_id, self.clock.now(), &audit)
            .await
    }
}
