//! Sign-in with NSS or e-mail and password. Failures are counted per account and per address
//! in the database, and slow the next attempt down (domain::auth::throttle); the answer to a
//! failure never says whether the account exists, and a missing account costs a hash too.

use domain::auth::code::Purpose;
use domain::auth::throttle::{self, Decision};
use domain::ids::Nss;
use store::{Account, AccountState, NewMessage, NewSession, OutboxChannel, StoreError};
use time::Duration;

use super::{Accounts, Caller, random_token, sha256};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignInError {
    /// The same answer for a wrong password and an unknown account.
    #[error("sign_in_failed")]
    Failed,
    /// Too many recent failures: try again after this long. The password was not checked.
    #[error("sign_in_wait")]
    Wait(Duration),
    /// After many failures the password alone is not enough: a code was sent to the member's
    /// e-mail, bound to `attempt`; sign in again with it (`sign_in_with_code`).
    #[error("sign_in_code_required")]
    CodeRequired { attempt: String },
    #[error("account_not_activated")]
    NotActivated,
    #[error("account_frozen")]
    Frozen,
    /// The password was right and the account has an authenticator app: finish with
    /// `sign_in_second_factor(ticket, code)` within ten minutes.
    #[error("second_factor_required")]
    SecondFactorRequired { ticket: String },
    /// The authenticator or recovery code is not right (the failure was counted).
    #[error("second_factor_wrong")]
    SecondFactorWrong,
    /// The ticket is unknown, used, expired or out of attempts: sign in again.
    #[error("second_factor_expired")]
    SecondFactorExpired,
    #[error("{0}")]
    Store(String),
}

impl SignInError {
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::Failed => "sign_in_failed",
            SignInError::Wait(_) => "sign_in_wait",
            SignInError::CodeRequired { .. } => "sign_in_code_required",
            SignInError::NotActivated => "account_not_activated",
            SignInError::Frozen => "account_frozen",
            SignInError::SecondFactorRequired { .. } => "second_factor_required",
            SignInError::SecondFactorWrong => "second_factor_wrong",
            SignInError::SecondFactorExpired => "second_factor_expired",
            SignInError::Store(_) => "service_unavailable",
        }
    }
}

/// A new session: `token` goes into the cookie and is never stored.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub session_id: i64,
}

pub(crate) fn store_err(e: StoreError) -> SignInError {
    SignInError::Store(e.to_string())
}

pub(crate) const ACCOUNT: &str = "account";
pub(crate) const ADDRESS: &str = "address";

impl Accounts {
    pub async fn sign_in(
        &self,
        identifier: &str,
        password: &str,
        caller: &Caller,
    ) -> Result<SignedIn, SignInError> {
        self.sign_in_inner(identifier, password, None, caller).await
    }

    /// Sign-in with the password and the code sent after `CodeRequired`.
    pub async fn sign_in_with_code(
        &self,
        identifier: &str,
        password: &str,
        attempt: &str,
        code: &str,
        caller: &Caller,
    ) -> Result<SignedIn, SignInError> {
        self.sign_in_inner(identifier, password, Some((attempt, code)), caller)
            .await
    }

    async fn sign_in_inner(
        &self,
        identifier: &str,
        password: &str,
        step_up: Option<(&str, &str)>,
        caller: &Caller,
    ) -> Result<SignedIn, SignInError> {
        let account = self.find_account_for(identifier).await.map_err(store_err)?;
        // Unknown identifiers are throttled under a key of their own, so probing them costs
        // the same as probing real accounts.
        let account_key = account.as_ref().map_or_else(
            || {
                format!(
                    "unknown:{}",
                    hex::encode(sha256(&identifier.trim().to_lowercase()))
                )
            },
            |a| a.account_id.0.to_string(),
        );
        let now = self.clock.now();
        let code_required = match self
            .throttle_decision(&account_key, caller)
            .await
            .map_err(store_err)?
        {
            Decision::Wait(wait) => return Err(SignInError::Wait(wait)),
            Decision::Proceed { code_required } => code_required,
        };
        let matched = self
            .passwords
            .verify(account.as_ref().map(|a| a.password_hash.as_str()), password)
            .await;
        let member_id = account.as_ref().map(|a| a.member_id.0);
        let actor = member_id.map_or_else(|| "anonymous".to_owned(), |id| format!("member:{id}"));
        let Some(account) = account.filter(|_| matched) else {
            let audit = [self.audit(caller, actor, "sign_in_failed", member_id, "{}".into())];
            self.store
                .record_failure(ACCOUNT, &account_key, now, &audit)
                .await
                .map_err(store_err)?;
            self.store
                .record_failure(ADDRESS, &caller.origin, now, &[])
                .await
                .map_err(store_err)?;
            return Err(SignInError::Failed);
        };
        if code_required {
            match step_up {
                None => {
                    let attempt = super::random_token();
                    self.send_code(
                        account.member_id,
                        Purpose::SignInStepUp,
                        &attempt,
                        &account.email,
                        caller,
                    )
                    .await
                    .map_err(store_err)?;
                    return Err(SignInError::CodeRequired { attempt });
                }
                Some((attempt, code)) => self
                    .check_code(
                        account.member_id,
                        Purpose::SignInStepUp,
                        attempt,
                        code,
                        caller,
                    )
                    .await
                    .map_err(|_| SignInError::Failed)?,
            }
        }
        match account.state {
            AccountState::Pending => return Err(SignInError::NotActivated),
            AccountState::Frozen => return Err(SignInError::Frozen),
            AccountState::Active => {}
        }
        if account.totp_secret.is_some() {
            // The failure counters stay as they are until the second factor is right too.
            let ticket = self
                .second_factor_ticket(&account, caller)
                .await
                .map_err(store_err)?;
            return Err(SignInError::SecondFactorRequired { ticket });
        }
        self.open_session(&account, caller, "password")
            .await
            .map_err(store_err)
    }

    /// Ends a successful sign-in: clears the failure counters, creates the session (a new id
    /// every time), audits it and alerts the member when the device is new.
    pub(crate) async fn open_session(
        &self,
        account: &Account,
        caller: &Caller,
        factors: &str,
    ) -> Result<SignedIn, StoreError> {
        let account_key = account.account_id.0.to_string();
        self.store.reset_failures(ACCOUNT, &account_key).await?;
        self.store.reset_failures(ADDRESS, &caller.origin).await?;
        let new_device = !self
            .store
            .sessions(account.account_id, 50)
            .await?
            .iter()
            .any(|s| s.device == caller.device);
        let token = random_token();
        let id = account.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "sign_in",
            Some(id),
            format!("{{\"new_device\":{new_device},\"factors\":\"{factors}\"}}"),
        )];
        let now = self.clock.now();
        let session = self
            .store
            .create_session(
                &NewSession {
                    id_hash: sha256(&token),
                    account_id: account.account_id,
                    channel: caller.channel,
                    created_at: now,
                    device: caller.device.clone(),
                    origin: caller.origin.clone(),
                },
                &audit,
            )
            .await?;
        if new_device {
            self.alert_new_device(account, caller).await?;
        }
        Ok(SignedIn {
            token,
            session_id: session.session_id,
        })
    }

    /// The delay the failure counters impose on this account and address right now.
    pub(crate) async fn throttle_decision(
        &self,
        account_key: &str,
        caller: &Caller,
    ) -> Result<Decision, StoreError> {
        let now = self.clock.now();
        let counter = |t: Option<store::Throttle>| {
            t.map_or((0, Duration::ZERO), |t| {
                (t.failures, now - t.last_failure_at)
            })
        };
        let by_account = counter(self.store.failures(ACCOUNT, account_key).await?);
        let by_address = counter(self.store.failures(ADDRESS, &caller.origin).await?);
        Ok(throttle::decide(by_account, by_address))
    }

    pub(crate) async fn find_account_for(
        &self,
        identifier: &str,
    ) -> Result<Option<Account>, StoreError> {
        let identifier = identifier.trim();
        if identifier.contains('@') {
            return self
                .store
                .account_by_email(&identifier.to_lowercase())
                .await;
        }
        let Ok(nss) = Nss::parse(identifier) else {
            return Ok(None);
        };
        match self.store.member_by_nss(&nss).await? {
            Some(member) => self.store.account_by_member(member.member_id).await,
            None => Ok(None),
        }
    }

    async fn alert_new_device(&self, account: &Account, caller: &Caller) -> Result<(), StoreError> {
        let message = NewMessage {
            channel: OutboxChannel::Email,
            recipient: account.email.clone(),
            subject: "Nuevo inicio de sesión en tu cuenta de Vivienda".into(),
            body: format!(
                "Alguien entró a tu cuenta desde un dispositivo nuevo ({}) a las {} (hora UTC).\n\nSi no fuiste tú, congela tu cuenta desde Mi perfil y cambia tu contraseña.",
                caller.device,
                self.clock.now().time()
            ),
            created_at: self.clock.now(),
        };
        self.store.enqueue_message(&message, &[]).await.map(|_| ())
    }
}
