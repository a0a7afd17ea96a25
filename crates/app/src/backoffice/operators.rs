//! Operator accounts: created by `vivienda create-operator` (the first) or by an admin, signed
//! in with password and authenticator code, kept in sessions of their own.

use domain::auth::throttle::{self, Decision};
use domain::auth::totp;
use domain::operators::{Permission, Role, normalize_username};
use rand::RngCore;
use serde_json::json;
use store::{NewOperator, Operator, StoreError};
use time::Duration;

use super::{BackOffice, BackOfficeError, OPERATOR_IDLE, OperatorContext};
use crate::accounts::{Caller, random_token, sha256};

const THROTTLE_OPERATOR: &str = "operator";
const THROTTLE_ADDRESS: &str = "operator_address";

/// What an admin (or the CLI) fills in to create an operator.
#[derive(Clone, Debug)]
pub struct NewOperatorForm {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// A new operator and the secrets to hand them, shown once and never stored in the clear.
#[derive(Debug)]
pub struct OperatorCreated {
    pub operator: OperatorLine,
    /// The first password: random, 24 characters.
    pub password: String,
    /// The authenticator secret in base32 and as an otpauth:// URI for a QR code.
    pub totp_secret: String,
    pub otpauth_uri: String,
}

/// An operator as the admin's list shows them: never their secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorLine {
    pub operator_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: time::OffsetDateTime,
}

impl From<Operator> for OperatorLine {
    fn from(o: Operator) -> OperatorLine {
        OperatorLine {
            operator_id: o.operator_id,
            username: o.username,
            display_name: o.display_name,
            role: o.role,
            active: o.active,
            created_at: o.created_at,
        }
    }
}

fn context(o: &Operator) -> OperatorContext {
    OperatorContext {
        operator_id: o.operator_id,
        username: o.username.clone(),
        display_name: o.display_name.clone(),
        role: o.role,
    }
}

/// A random password of 24 characters from an alphabet without look-alikes.
fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

impl BackOffice {
    /// Creates an operator. `by` is the admin creating them, or `None` for the command line
    /// (the first admin of an installation).
    pub async fn create_operator(
        &self,
        form: &NewOperatorForm,
        by: Option<&OperatorContext>,
        caller: &Caller,
    ) -> Result<OperatorCreated, BackOfficeError> {
        let mut secret = [0u8; 20];
        rand::rng().fill_bytes(&mut secret);
        self.create_operator_with(form, by, &random_password(), secret, caller)
            .await
    }

    /// `create_operator` with a given password and authenticator secret: the demo's operators.
    pub(crate) async fn create_operator_with(
        &self,
        form: &NewOperatorForm,
        by: Option<&OperatorContext>,
        password: &str,
        secret: [u8; 20],
        caller: &Caller,
    ) -> Result<OperatorCreated, BackOfficeError> {
        if let Some(admin) = by {
            self.require(
                admin,
                Permission::ManageOperators,
                "create_operator",
                caller,
            )
            .await?;
        }
        let username =
            normalize_username(&form.username).ok_or(BackOfficeError::UsernameInvalid)?;
        let display_name = form.display_name.trim().to_owned();
        if display_name.is_empty() || display_name.chars().count() > 80 {
            return Err(BackOfficeError::NameRequired);
        }
        let acceptable = domain::auth::password::check(
            password,
            &domain::auth::password::PersonalData::default(),
        )
        .map_err(|p| BackOfficeError::Hash(p.code().to_owned()))?;
        let hash = self
            .passwords
            .hash(&acceptable)
            .await
            .map_err(|e| BackOfficeError::Hash(e.to_string()))?;
        let sealed = self
            .totp_sealer()
            .seal(&secret, format!("operator:{username}").as_bytes());
        let created_by = by.map_or_else(|| "cli".to_owned(), OperatorContext::label);
        let audit = self.audit(
            caller,
            created_by.clone(),
            "operator_created",
            None,
            json!({ "username": username, "role": form.role.code() }),
        );
        let operator = self
            .store
            .create_operator(
                &NewOperator {
                    username: username.clone(),
                    display_name,
                    role: form.role,
                    password_hash: hash,
                    totp_sealed: sealed,
                    created_at: self.clock.now(),
                    created_by,
                },
                &[audit],
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict("operator_username_taken") => BackOfficeError::UsernameTaken,
                other => BackOfficeError::Store(other),
            })?;
        Ok(OperatorCreated {
            operator: operator.into(),
            password: password.to_owned(),
            totp_secret: totp::base32(&secret),
            otpauth_uri: totp::otpauth_uri(&secret, "Vivienda operación", &username),
        })
    }

    /// Signs an operator in with username, password and the authenticator code. Failures are
    /// counted per operator and per address and slow the next attempt down; the answer never
    /// says which of the three was wrong. A code works once.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        code: &str,
        caller: &Caller,
    ) -> Result<(String, OperatorContext), BackOfficeError> {
        let username = normalize_username(username).unwrap_or_default();
        let operator = if username.is_empty() {
            None
        } else {
            self.store.operator_by_username(&username).await?
        };
        let key = operator.as_ref().map_or_else(
            || format!("unknown:{}", hex::encode(sha256(&username))),
            |o| o.operator_id.to_string(),
        );
        let now = self.clock.now();
        let counter = |t: Option<store::Throttle>| {
            t.map_or((0, Duration::ZERO), |t| {
                (t.failures, now - t.last_failure_at)
            })
        };
        let by_operator = counter(self.store.failures(THROTTLE_OPERATOR, &key).await?);
        let by_address = counter(
            self.store
                .failures(THROTTLE_ADDRESS, &caller.origin)
                .await?,
        );
        if let Decision::Wait(wait) = throttle::decide(by_operator, by_address) {
            return Err(BackOfficeError::Wait(wait));
        }
        let matched = self
            .passwords
            .verify(
                operator.as_ref().map(|o| o.password_hash.as_str()),
                password,
            )
            .await;
        let step = operator
            .as_ref()
            .filter(|o| matched && o.active)
            .and_then(|o| {
                let secret = self.totp_sealer().open(
                    &o.totp_sealed,
                    format!("operator:{}", o.username).as_bytes(),
                )?;
                totp::verify(&secret, code, now.unix_timestamp(), o.totp_last_step)
            });
        let signed_in = match (&operator, step) {
            (Some(o), Some(step)) => {
                self.store
                    .use_operator_totp_step(o.operator_id, step)
                    .await?
            }
            _ => false,
        };
        let Some(operator) = operator.clone().filter(|_| signed_in) else {
            let actor = operator.as_ref().map_or_else(
                || "anonymous".to_owned(),
                |o| format!("operator:{}", o.operator_id),
            );
            let audit = self.audit(
                caller,
                actor,
                "operator_sign_in_failed",
                None,
                json!({ "username": username }),
            );
            self.store
                .record_failure(THROTTLE_OPERATOR, &key, now, &[audit])
                .await?;
            self.store
                .record_failure(THROTTLE_ADDRESS, &caller.origin, now, &[])
                .await?;
            return Err(BackOfficeError::SignInFailed);
        };
        self.store.reset_failures(THROTTLE_OPERATOR, &key).await?;
        let token = random_token();
        let ctx = context(&operator);
        let audit = self.audit(caller, ctx.label(), "operator_signed_in", None, json!({}));
        self.store
            .create_operator_session(
                &sha256(&token),
                operator.operator_id,
                now,
                &caller.origin,
                &[audit],
            )
            .await?;
        Ok((token, ctx))
    }

    /// The operator of a live session, which is kept alive by this use.
    pub async fn session(&self, token: &str) -> Result<Option<OperatorContext>, BackOfficeError> {
        let now = self.clock.now();
        let found = self
            .store
            .operator_session(&sha256(token), now - OPERATOR_IDLE, now)
            .await?;
        Ok(found.map(|s| context(&s.operator)))
    }

    pub async fn sign_out(
        &self,
        token: &str,
        operator: &OperatorContext,
        caller: &Caller,
    ) -> Result<(), BackOfficeError> {
        let audit = self.audit(
            caller,
            operator.label(),
            "operator_signed_out",
            None,
            json!({}),
        );
        self.store
            .end_operator_session(&sha256(token), self.clock.now(), &[audit])
            .await?;
        Ok(())
    }

    /// Every operator, for an admin.
    pub async fn operators(
        &self,
        admin: &OperatorContext,
        caller: &Caller,
    ) -> Result<Vec<OperatorLine>, BackOfficeError> {
        self.require(admin, Permission::ManageOperators, "list_operators", caller)
            .await?;
        let audit = self.audit(
            caller,
            admin.label(),
            "operator_listed_operators",
            None,
            json!({}),
        );
        self.store.append_audit(&[audit]).await?;
        Ok(self
            .store
            .operators()
            .await?
            .into_iter()
            .map(OperatorLine::from)
            .collect())
    }

    /// Changes an operator's role or disables them (which ends their sessions).
    pub async fn update_operator(
        &self,
        admin: &OperatorContext,
        operator_id: i64,
        role: Role,
        active: bool,
        caller: &Caller,
    ) -> Result<OperatorLine, BackOfficeError> {
        self.require(
            admin,
            Permission::ManageOperators,
            "update_operator",
            caller,
        )
        .await?;
        if operator_id == admin.operator_id && (!active || role != admin.role) {
            return Err(BackOfficeError::CannotChangeSelf);
        }
        let before = self
            .store
            .operator(operator_id)
            .await?
            .ok_or(BackOfficeError::OperatorNotFound)?;
        let audit = self.audit(
            caller,
            admin.label(),
            "operator_updated",
            None,
            json!({
                "operator": operator_id,
                "role": { "from": before.role.code(), "to": role.code() },
                "active": { "from": before.active, "to": active },
            }),
        );
        let updated = self
            .store
            .update_operator(operator_id, role, active, self.clock.now(), &[audit])
            .await
            .map_err(|e| match e {
                StoreError::Conflict("operator_not_found") => BackOfficeError::OperatorNotFound,
                other => BackOfficeError::Store(other),
            })?;
        Ok(updated.into())
    }
}
