//! The pensioner refund's data on PostgreSQL: pension resolutions and holds (read; the
//! imports write them) and the member's bank account.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::ids::Clabe;
use domain::refund::{HoldKind, PensionKind, PensionOutcome, PensionResolution, SubaccountHold};
use domain::registry::MemberId;
use store::{BankAccount, NewMessage, RefundRepo, StoreError, stored_instant};
use tokio_postgres::Row;

use crate::PgStore;
use crate::audit::{commit, exec};
use crate::columns::get;
use crate::error::db;
use crate::outbox;

fn pension(r: &Row) -> Result<PensionResolution, StoreError> {
    const T: &str = "pension_resolutions";
    Ok(PensionResolution {
        member_id: MemberId(get(r, 0, T)?),
        outcome: PensionOutcome::from_code(get(r, 1, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad outcome"))?,
        kind: PensionKind::from_code(get(r, 2, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad kind"))?,
        resolved_on: get(r, 3, T)?,
    })
}

fn hold(r: &Row) -> Result<SubaccountHold, StoreError> {
    const T: &str = "subaccount_holds";
    Ok(SubaccountHold {
        member_id: MemberId(get(r, 0, T)?),
        kind: HoldKind::from_code(get(r, 1, T)?)
            .ok_or_else(|| StoreError::corrupt(T, "bad kind"))?,
        placed_on: get(r, 2, T)?,
        lifted_on: get(r, 3, T)?,
    })
}

fn bank_account(r: &Row) -> Result<BankAccount, StoreError> {
    const T: &str = "bank_accounts";
    Ok(BankAccount {
        member_id: MemberId(get(r, 0, T)?),
        clabe: Clabe::parse(get(r, 1, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        holder_declared_at: get(r, 2, T)?,
        registered_at: get(r, 3, T)?,
        changed_at: get(r, 4, T)?,
    })
}

#[async_trait]
impl RefundRepo for PgStore {
    async fn pension_resolutions(
        &self,
        member: MemberId,
    ) -> Result<Vec<PensionResolution>, StoreError> {
        self.fetch(
            "SELECT member_id, outcome, kind, resolved_on FROM pension_resolutions
             WHERE member_id = $1 ORDER BY resolved_on, outcome",
            &[&member.0],
        )
        .await?
        .iter()
        .map(pension)
        .collect()
    }

    async fn subaccount_holds(&self, member: MemberId) -> Result<Vec<SubaccountHold>, StoreError> {
        self.fetch(
            "SELECT member_id, kind, placed_on, lifted_on FROM subaccount_holds
             WHERE member_id = $1 ORDER BY placed_on, kind",
            &[&member.0],
        )
        .await?
        .iter()
        .map(hold)
        .collect()
    }

    async fn bank_account(&self, member: MemberId) -> Result<Option<BankAccount>, StoreError> {
        self.fetch(
            "SELECT member_id, clabe, holder_declared_at, registered_at, changed_at
             FROM bank_accounts WHERE member_id = $1",
            &[&member.0],
        )
        .await?
        .first()
        .map(bank_account)
        .transpose()
    }

    async fn save_bank_account(
        &self,
        account: &BankAccount,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        exec(
            &tx,
            "INSERT INTO bank_accounts
                 (member_id, clabe, holder_declared_at, registered_at, changed_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (member_id) DO UPDATE SET clabe = excluded.clabe,
                 holder_declared_at = excluded.holder_declared_at,
                 registered_at = excluded.registered_at, changed_at = excluded.changed_at",
            &[
                &account.member_id.0,
                &account.clabe.as_str(),
                &stored_instant(account.holder_declared_at),
                &stored_instant(account.registered_at),
                &account.changed_at.map(stored_instant),
            ],
        )
        .await?;
        for message in notify {
            outbox::insert(&tx, message).await?;
        }
        commit(tx, audit, true).await
    }
}
