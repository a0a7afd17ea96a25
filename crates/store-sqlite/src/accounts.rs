//! Accounts and recovery codes on SQLite.

use async_trait::async_trait;
use domain::audit::AuditEntry;
use domain::registry::MemberId;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use store::{
    Account, AccountId, AccountRepo, AccountState, ContactChange, NewAccount, StoreError,
    stored_instant,
};
use time::OffsetDateTime;

use crate::stamp::{collect, get, get_ts, get_ts_opt, ts};
use crate::{SqliteStore, db};

const T: &str = "accounts";

pub(crate) const COLUMNS: &str = "account_id, member_id, email, mobile, password_hash, state, created_at, \
     activated_at, totp_secret, contact_changed_at";

fn account(r: &Row) -> Result<Account, StoreError> {
    account_at(r, 0)
}

/// An account read from the columns `COLUMNS` starting at `base`.
pub(crate) fn account_at(r: &Row, base: usize) -> Result<Account, StoreError> {
    let state: String = get(r, base + 5, T)?;
    Ok(Account {
        account_id: AccountId(get(r, base, T)?),
        member_id: MemberId(get(r, base + 1, T)?),
        email: get(r, base + 2, T)?,
        mobile: get(r, base + 3, T)?,
        password_hash: get(r, base + 4, T)?,
        state: AccountState::from_code(&state)
            .ok_or_else(|| StoreError::corrupt(T, "bad state"))?,
        created_at: get_ts(r, base + 6, T)?,
        activated_at: get_ts_opt(r, base + 7, T)?,
        totp_secret: get(r, base + 8, T)?,
        contact_changed_at: get_ts_opt(r, base + 9, T)?,
    })
}

fn account_where(
    conn: &Connection,
    column: &str,
    value: &dyn rusqlite::ToSql,
) -> Result<Option<Account>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE {column} = ?1");
    Ok(collect(conn, &sql, [value], account)?.pop())
}

/// Which uniqueness rule a new or changed account would break, checked before writing so the
/// answer is the same whatever order the engine checks its indexes in.
fn taken(
    tx: &Transaction,
    own: Option<i64>,
    member: Option<i64>,
    email: Option<&str>,
    mobile: Option<&str>,
) -> Result<Option<&'static str>, StoreError> {
    let clashes = collect(
        tx,
        "SELECT member_id = ?1, email = ?2, mobile = ?3 FROM accounts
         WHERE (member_id = ?1 OR email = ?2 OR mobile = ?3) AND account_id IS NOT ?4",
        params![member, email, mobile, own],
        |r| Ok((get::<Option<bool>>(r, 0, T)?, get::<Option<bool>>(r, 1, T)?)),
    )?;
    Ok(if clashes.iter().any(|c| c.0 == Some(true)) {
        Some("account_exists")
    } else if clashes.iter().any(|c| c.1 == Some(true)) {
        Some("email_taken")
    } else if clashes.is_empty() {
        None
    } else {
        Some("mobile_taken")
    })
}

/// The account's state, or `account_not_found`.
fn state_of(tx: &Transaction, id: AccountId) -> Result<AccountState, StoreError> {
    let state: Option<String> = tx
        .prepare_cached("SELECT state FROM accounts WHERE account_id = ?1")
        .map_err(db)?
        .query_row([id.0], |r| r.get(0))
        .optional()
        .map_err(db)?;
    let state = state.ok_or(StoreError::Conflict("account_not_found"))?;
    AccountState::from_code(&state).ok_or_else(|| StoreError::corrupt(T, "bad state"))
}

/// Runs one UPDATE on an account; `account_not_found` if no row matched.
fn update_account(
    tx: &Transaction,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<((), bool), StoreError> {
    match tx
        .prepare_cached(sql)
        .map_err(db)?
        .execute(params)
        .map_err(db)?
    {
        0 => Err(StoreError::Conflict("account_not_found")),
        _ => Ok(((), true)),
    }
}

#[async_trait]
impl AccountRepo for SqliteStore {
    async fn create_account(
        &self,
        new: &NewAccount,
        audit: &[AuditEntry],
    ) -> Result<Account, StoreError> {
        let new = new.clone();
        self.audited(audit, move |tx| {
            let member_known: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM members WHERE member_id = ?1)")
                .map_err(db)?
                .query_row([new.member_id.0], |r| r.get(0))
                .map_err(db)?;
            if !member_known {
                return Err(StoreError::Conflict("unknown_member"));
            }
            let clash = taken(
                tx,
                None,
                Some(new.member_id.0),
                Some(&new.email),
                Some(&new.mobile),
            )?;
            if let Some(code) = clash {
                return Err(StoreError::Conflict(code));
            }
            tx.prepare_cached(
                "INSERT INTO accounts (member_id, email, mobile, password_hash, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
            )
            .map_err(db)?
            .execute(params![
                new.member_id.0,
                new.email,
                new.mobile,
                new.password_hash,
                ts(new.created_at)
            ])
            .map_err(db)?;
            let account = Account {
                account_id: AccountId(tx.last_insert_rowid()),
                member_id: new.member_id,
                email: new.email,
                mobile: new.mobile,
                password_hash: new.password_hash,
                state: AccountState::Pending,
                created_at: stored_instant(new.created_at),
                activated_at: None,
                totp_secret: None,
                contact_changed_at: None,
            };
            Ok((account, true))
        })
        .await
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        self.read(|c| account_where(c, "account_id", &id.0))
    }

    async fn account_by_member(&self, member: MemberId) -> Result<Option<Account>, StoreError> {
        self.read(|c| account_where(c, "member_id", &member.0))
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        self.read(|c| account_where(c, "email", &email))
    }

    async fn activate_account(
        &self,
        id: AccountId,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        self.audited(audit, move |tx| {
            if state_of(tx, id)? != AccountState::Pending {
                return Err(StoreError::Conflict("account_not_pending"));
            }
            update_account(
                tx,
                "UPDATE accounts SET state = 'active', activated_at = ?2 WHERE account_id = ?1",
                params![id.0, ts(at)],
            )
        })
        .await
    }

    async fn set_password_hash(
        &self,
        id: AccountId,
        password_hash: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let hash = password_hash.to_owned();
        self.audited(audit, move |tx| {
            update_account(
                tx,
                "UPDATE accounts SET password_hash = ?2 WHERE account_id = ?1",
                params![id.0, hash],
            )
        })
        .await
    }

    async fn set_contact(
        &self,
        id: AccountId,
        change: &ContactChange,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let change = change.clone();
        self.audited(audit, move |tx| {
            state_of(tx, id)?;
            let clash = taken(
                tx,
                Some(id.0),
                None,
                change.email.as_deref(),
                change.mobile.as_deref(),
            )?;
            if let Some(code) = clash {
                return Err(StoreError::Conflict(code));
            }
            update_account(
                tx,
                "UPDATE accounts SET email = coalesce(?2, email), mobile = coalesce(?3, mobile),
                        contact_changed_at = ?4
                 WHERE account_id = ?1",
                params![id.0, change.email, change.mobile, ts(at)],
            )
        })
        .await
    }

    async fn set_frozen(
        &self,
        id: AccountId,
        frozen: bool,
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        self.audited(audit, move |tx| {
            let (from, to, refused) = if frozen {
                ("active", "frozen", "account_not_active")
            } else {
                ("frozen", "active", "account_not_frozen")
            };
            if state_of(tx, id)?.code() != from {
                return Err(StoreError::Conflict(refused));
            }
            update_account(
                tx,
                "UPDATE accounts SET state = ?2 WHERE account_id = ?1",
                params![id.0, to],
            )?;
            if frozen {
                let at = ts(at);
                tx.prepare_cached(
                    "UPDATE sessions SET ended_at = ?2, end_reason = 'account_frozen'
                     WHERE account_id = ?1 AND ended_at IS NULL",
                )
                .map_err(db)?
                .execute(params![id.0, at])
                .map_err(db)?;
            }
            Ok(((), true))
        })
        .await
    }

    async fn set_totp_secret(
        &self,
        id: AccountId,
        secret: Option<&[u8]>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let secret = secret.map(<[u8]>::to_vec);
        self.audited(audit, move |tx| {
            update_account(
                tx,
                "UPDATE accounts SET totp_secret = ?2, totp_last_step = NULL WHERE account_id = ?1",
                params![id.0, secret],
            )
        })
        .await
    }

    async fn use_totp_step(
        &self,
        id: AccountId,
        step: i64,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError> {
        self.audited(audit, move |tx| {
            let used = tx
                .prepare_cached(
                    "UPDATE accounts SET totp_last_step = ?2
                     WHERE account_id = ?1 AND totp_secret IS NOT NULL
                       AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                )
                .map_err(db)?
                .execute(params![id.0, step])
                .map_err(db)?
                == 1;
            Ok((used, used))
        })
        .await
    }

    async fn replace_recovery_codes(
        &self,
        id: AccountId,
        hashes: &[Vec<u8>],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let hashes = hashes.to_vec();
        self.audited(audit, move |tx| {
            state_of(tx, id)?;
            tx.prepare_cached("DELETE FROM recovery_codes WHERE account_id = ?1")
                .map_err(db)?
                .execute([id.0])
                .map_err(db)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO recovery_codes (account_id, code_hash) VALUES (?1, ?2)",
                )
                .map_err(db)?;
            for hash in &hashes {
                insert.execute(params![id.0, hash]).map_err(db)?;
            }
            Ok(((), true))
        })
        .await
    }

    async fn consume_recovery_code(
        &self,
        id: AccountId,
        hash: &[u8],
        at: OffsetDateTime,
        audit: &[AuditEntry],
    ) -> Result<bool, StoreError> {
        let hash = hash.to_vec();
        self.audited(audit, move |tx| {
            let used = tx
                .prepare_cached(
                    "UPDATE recovery_codes SET used_at = ?3
                     WHERE account_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
                )
                .map_err(db)?
                .execute(params![id.0, hash, ts(at)])
                .map_err(db)?
                == 1;
            Ok((used, used))
        })
        .await
    }

    async fn recovery_codes_left(&self, id: AccountId) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c
                .prepare_cached(
                    "SELECT count(*) FROM recovery_codes WHERE account_id = ?1 AND used_at IS NULL",
                )
                .map_err(db)?
                .query_row([id.0], |r| r.get(0))
                .map_err(db)?;
            Ok(n.unsigned_abs())
        })
    }
}
