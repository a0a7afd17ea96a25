//! The pensioner refund's data on SQLite: pension resolutions and holds (read; the imports
//! write them) and the member's bank account.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::dates::parse_iso;
use domain::ids::Clabe;
use domain::refund::{HoldKind, PensionKind, PensionOutcome, PensionResolution, SubaccountHold};
use domain::registry::MemberId;
use rusqlite::{OptionalExtension, Row, params};
use store::{BankAccount, NewMessage, RefundRepo, StoreError};

use crate::stamp::{collect, get, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db, outbox};

fn date(text: &str, table: &'static str) -> Result<time::Date, StoreError> {
    parse_iso(text).map_err(|e| StoreError::corrupt(table, e))
}

fn pension(r: &Row) -> Result<PensionResolution, StoreError> {
    const T: &str = "pension_resolutions";
    let outcome: String = get(r, 1, T)?;
    let kind: String = get(r, 2, T)?;
    Ok(PensionResolution {
        member_id: MemberId(get(r, 0, T)?),
        outcome: PensionOutcome::from_code(&outcome)
            .ok_or_else(|| StoreError::corrupt(T, "bad outcome"))?,
        kind: PensionKind::from_code(&kind).ok_or_else(|| StoreError::corrupt(T, "bad kind"))?,
        resolved_on: date(&get::<String>(r, 3, T)?, T)?,
    })
}

fn hold(r: &Row) -> Result<SubaccountHold, StoreError> {
    const T: &str = "subaccount_holds";
    let kind: String = get(r, 1, T)?;
    let lifted: Option<String> = get(r, 3, T)?;
    Ok(SubaccountHold {
        member_id: MemberId(get(r, 0, T)?),
        kind: HoldKind::from_code(&kind).ok_or_else(|| StoreError::corrupt(T, "bad kind"))?,
        placed_on: date(&get::<String>(r, 2, T)?, T)?,
        lifted_on: lifted.map(|d| date(&d, T)).transpose()?,
    })
}

fn bank_account(r: &Row) -> Result<BankAccount, StoreError> {
    const T: &str = "bank_accounts";
    Ok(BankAccount {
        member_id: MemberId(get(r, 0, T)?),
        clabe: Clabe::parse(&get::<String>(r, 1, T)?).map_err(|e| StoreError::corrupt(T, e))?,
        holder_declared_at: get_ts(r, 2, T)?,
        registered_at: get_ts(r, 3, T)?,
        changed_at: get_ts_opt(r, 4, T)?,
    })
}

#[async_trait]
impl RefundRepo for SqliteStore {
    async fn pension_resolutions(
        &self,
        member: MemberId,
    ) -> Result<Vec<PensionResolution>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT member_id, outcome, kind, resolved_on FROM pension_resolutions
                 WHERE member_id = ?1 ORDER BY resolved_on, outcome",
                [member.0],
                pension,
            )
        })
    }

    async fn subaccount_holds(&self, member: MemberId) -> Result<Vec<SubaccountHold>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT member_id, kind, placed_on, lifted_on FROM subaccount_holds
                 WHERE member_id = ?1 ORDER BY placed_on, kind",
                [member.0],
                hold,
            )
        })
    }

    async fn bank_account(&self, member: MemberId) -> Result<Option<BankAccount>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT member_id, clabe, holder_declared_at, registered_at, changed_at
                 FROM bank_accounts WHERE member_id = ?1",
            )
            .map_err(db)?
            .query_row([member.0], |r| Ok(bank_account(r)))
            .optional()
            .map_err(db)?
            .transpose()
        })
    }

    async fn save_bank_account(
        &self,
        account: &BankAccount,
        audit: &[AuditEntry],
        notify: &[NewMessage],
    ) -> Result<(), StoreError> {
        let (account, notify) = (account.clone(), notify.to_vec());
        self.audited(audit, move |tx| {
            tx.prepare_cached(
                "INSERT INTO bank_accounts
                     (member_id, clabe, holder_declared_at, registered_at, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (member_id) DO UPDATE SET clabe = excluded.clabe,
                     holder_declared_at = excluded.holder_declared_at,
                     registered_at = excluded.registered_at, changed_at = excluded.changed_at",
            )
            .map_err(db)?
            .execute(params![
                account.member_id.0,
                account.clabe.as_str(),
                ts(account.holder_declared_at),
                ts(account.registered_at),
                account.changed_at.map(ts),
            ])
            .map_err(db)?;
            for message in &notify {
                outbox::insert(tx, message)?;
            }
            Ok(((), true))
        })
        .await
    }
}
