//! Accounts and recovery codes on PostgreSQL. State changes lock the account row first.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use store::{
    Account, AccountId, AccountRepo, AccountState, ContactChange, NewAccount, StoreError,
    stored_instant,
};
use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::PgStore;
use crate::audit::{commit, exec, query};
use crate::columns::{account_conflict, get};
use crate::error::db;

const T: &str = "accounts";

pub(crate) const COLUMNS: &str = "account_id, member_id, email, mobile, password_hash, state, created_at, \
     activated_at, totp_secret, contact_changed_at";

fn account(r: &Row) -> Result<Account, StoreError> {
    account_at(r, 0)
}

/// An account read from the columns `COLUMNS` starting at `base`.
pub(crate) fn account_at(r: &Row, base: usize) -> Result<Account, StoreError> {
    let state: &str = get(r, base + 5, T)?;
    Ok(Account {
        account_id: AccountId(get(r, base, T)?),
        member_id: MemberId(get(r, base + 1, T)?),
        email: get(r, base + 2, T)?,
        mobile: get(r, base + 3, T)?,
        password_hash: get(r, base + 4, T)?,
        state: AccountState::from_code(state).ok_or_else(|| StoreError::corrupt(T, "bad state"))?,
        created_at: get(r, base + 6, T)?,
        activated_at: get(r, base + 7, T)?,
        totp_secret: get(r, base + 8, T)?,
        contact_changed_at: get(r, base + 9, T)?,
    })
}

impl PgStore {
    async fn account_where(
        &self,
        column: &str,
        value: &(dyn ToSql + Sync),
    ) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE {column} = $1");
        self.fetch(&sql, &[value])
            .await?
            .first()
            .map(account)
            .transpose()
    }
}

/// Which uniqueness rule a new or changed account would break, checked before writing so the
/// answer does not depend on the order the engine checks its indexes in. A concurrent writer
/// can still win the race; its unique violation is mapped the same way.
async fn taken(
    tx: &Transaction<'_>,
    own: Option<i64>,
    member: Option<i64>,
    email: Option<&str>,
    mobile: Option<&str>,
) -> Result<Option<&'static str>, StoreError> {
    let clashes = query(
        tx,
        "SELECT member_id = $1, email = $2, mobile = $3 FROM accounts
         WHERE (member_id = $1 OR email = $2 OR mobile = $3) AND account_id IS DISTINCT FROM $4",
        &[&member, &email, &mobile, &own],
    )
    .await?;
    let flag = |i: usize| -> Result<bool, StoreError> {
        for r in &clashes {
            if get::<Option<bool>>(r, i, T)? == Some(true) {
                return Ok(true);
            }
        }
        Ok(false)
    };
    Ok(if flag(0)? {
        Some("account_exists")
    } else if flag(1)? {
        Some("email_taken")
    } else if clashes.is_empty() {
        None
    } else {
        Some("mobile_taken")
    })
}

/// Locks the account row and returns its state, or `account_not_found`.
async fn lock_state(tx: &Transaction<'_>, id: AccountId) -> Result<AccountState, StoreError> {
    let rows = query(
        tx,
        "SELECT state FROM accounts WHERE account_id = $1 FOR UPDATE",
        &[&id.0],
    )
    .await?;
    let row = rows
        .first()
        .ok_or(StoreError::Conflict("account_not_found"))?;
    AccountState::from_code(get(row, 0, T)?).ok_or_else(|| StoreError::corrupt(T, "bad state"))
}

/// One UPDATE on an account; `account_not_found` if no row matched.
async fn update_account(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<(), StoreError> {
    match exec(tx, sql, params).await? {
        0 => Err(StoreError::Conflict("account_not_found")),
        _ => Ok(()),
    }
}

#[async_trait]
impl AccountRepo for PgStore {
    async fn create_account(
        &self,
        new: &NewAccount,
        audit: &[AuditEntry],
    ) -> Result<Account, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let known = query(
            &tx,
            "SELECT 1 FROM members WHERE member_id = $1",
            &[&new.member_id.0],
        )
        .await?;
        if known.is_empty() {
            return Err(StoreError::Conflict("unknown_member"));
        }
        let clash = taken(
            &tx,
            None,
            Some(new.member_id.0),
            Some(&new.email),
            Some(&new.mobile),
        )
        .await?;
        if let Some(code) = clash {
            return Err(StoreError::Conflict(code));
        }
        let created_at = stored_instant(new.created_at);
        let stmt = tx
            .prepare_cached(
                "INSERT INTO accounts (member_id, email, mobile, password_hash, state, created_at)
                 VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING account_id",
            )
            .await
            .map_err(db)?;
        let row = tx
            .query_one(
                &stmt,
                &[
                    &new.member_id.0,
                    &new.email,
                    &new.mobile,
                    &new.password_hash,
                    &created_at,
                ],
            )
            .await
            .map_err(account_conflict)?;
        let account = Account {
            account_id: AccountId(get(&row, 0, T)?),
            member_id: new.member_id,
            email: new.email.clone(),
            mobile: new.mobile.clone(),
            password_hash: new.password_hash.clone(),
            state: AccountState::Pending,
            created_at,
            activated_at: None,
            totp_secret: None,
            contact_changed_at: None,
        };
        commit(tx, audit, true).await?;
        Ok(account)
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        self.account_where("account_id", &id.0).await
    }

    async fn account_by_member(&self, member: MemberId) -> Result<Option<Account>, StoreError> {
        self.account_where("member_id", &member.0).await
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        self.account_where("email", &email).await
    }

    async fn activate_account(
        &self,
        id: AccountId,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if lock_state(&tx, id).await? != AccountState::Pending {
            return Err(StoreError::Conflict("account_not_pending"));
        }
        update_account(
            &tx,
            "UPDATE accounts SET state = 'active', activated_at = $2 WHERE account_id = $1",
            &[&id.0, &at],
        )
        .await?;
        commit(tx, audit, true).await
    }

    async fn set_password_hash(
        &self,
        id: AccountId,
        password_hash: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        update_account(
            &tx,
            "UPDATE accounts SET password_hash = $2 WHERE account_id = $1",
            &[&id.0, &password_hash],
        )
        .await?;
        commit(tx, audit, true).await
    }

    async fn set_contact(
        &self,
        id: AccountId,
        change: &ContactChange,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        lock_state(&tx, id).await?;
        let clash = taken(
            &tx,
            Some(id.0),
            None,
            change.email.as_deref(),
            change.mobile.as_deref(),
        )
        .await?;
        if let Some(code) = clash {
            return Err(StoreError::Conflict(code));
        }
        let stmt = tx
            .prepare_cached(
                "UPDATE accounts SET email = coalesce($2, email), mobile = coalesce($3, mobile),
                        contact_changed_at = $4
                 WHERE account_id = $1",
            )
            .await
            .map_err(db)?;
        tx.execute(&stmt, &[&id.0, &change.email, &change.mobile, &at])
            .await
            .map_err(account_conflict)?;
        commit(tx, audit, true).await
    }

    async fn set_frozen(
        &self,
        id: AccountId,
        frozen: bool,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let (from, to, refused) = if frozen {
            (AccountState::Active, "frozen", "account_not_active")
        } else {
            (AccountState::Frozen, "active", "account_not_frozen")
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if lock_state(&tx, id).await? != from {
            return Err(StoreError::Conflict(refused));
        }
        update_account(
            &tx,
            "UPDATE accounts SET state = $2 WHERE account_id = $1",
            &[&id.0, &to],
        )
        .await?;
        if frozen {
            exec(
                &tx,
                "UPDATE sessions SET ended_at = $2, end_reason = 'account_frozen'
                 WHERE account_id = $1 AND ended_at IS NULL",
                &[&id.0, &at],
            )
            .await?;
        }
        commit(tx, audit, true).await
    }

    async fn set_totp_secret(
        &self,
        id: AccountId,
        secret: Option<&[u8]>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        update_account(
            &tx,
            "UPDATE accounts SET totp_secret = $2, totp_last_step = NULL WHERE account_id = $1",
            &[&id.0, &secret],
        )
        .await?;
        commit(tx, audit, true).await
    }

    async fn use_totp_step(
        &self,
        id: AccountId,
        step: i64,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let used = exec(
            &tx,
            "UPDATE accounts SET totp_last_step = $2
             WHERE account_id = $1 AND totp_secret IS NOT NULL
               AND (totp_last_step IS NULL OR totp_last_step < $2)",
            &[&id.0, &step],
        )
        .await?
            == 1;
        commit(tx, audit, used).await?;
        Ok(used)
    }

    async fn replace_recovery_codes(
        &self,
        id: AccountId,
        hashes: &[Vec<u8>],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        lock_state(&tx, id).await?;
        exec(
            &tx,
            "DELETE FROM recovery_codes WHERE account_id = $1",
            &[&id.0],
        )
        .await?;
        exec(
            &tx,
            "INSERT INTO recovery_codes (account_id, code_hash)
             SELECT $1, h FROM unnest($2::bytea[]) AS h ON CONFLICT DO NOTHING",
            &[&id.0, &hashes],
        )
        .await?;
        commit(tx, audit, true).await
    }

    async fn consume_recovery_code(
        &self,
        id: AccountId,
        hash: &[u8],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let used = exec(
            &tx,
            "UPDATE recovery_codes SET used_at = $3
             WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
            &[&id.0, &hash, &at],
        )
        .await?
            == 1;
        commit(tx, audit, used).await?;
        Ok(used)
    }

    async fn recovery_codes_left(&self, id: AccountId) -> Result<u64, StoreError> {
        let rows = self
            .fetch(
                "SELECT count(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
                &[&id.0],
            )
            .await?;
        let n: i64 = match rows.first() {
            Some(r) => get(r, 0, "recovery_codes")?,
            None => 0,
        };
        Ok(n.unsigned_abs())
    }
}
