//! Getting back in and locking the door: resending a code, resetting a forgotten password by a
//! code to the verified e-mail, and freezing or unfreezing the account.
//!
//! Answers never reveal whether an account exists: asking for a reset says the same thing
//! either way, and a code for an unknown account is simply "not correct".

use domain::auth::code::{self, Purpose};

use domain::registry::MemberId;
use store::{Account, AccountState, CodeCheck, CodeKey, NewMessage, OutboxChannel, StoreError};
use time::Duration;

use super::{Accounts, Caller, SessionContext, random_token};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResendError {
    /// Too soon after the last code: wait this long.
    #[error("code_resend_wait")]
    Wait(Duration),
    /// Too many codes in the last hour.
    #[error("code_resend_limit")]
    Limit,
    #[error("{0}")]
    Store(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecoveryError {
    /// The code is wrong, expired, used or unknown; the page says how to get a new one.
    #[error("{0}")]
    Code(&'static str),
    #[error("{0}")]
    Password(&'static str),
    #[error("{0}")]
    Store(String),
}

impl RecoveryError {
    pub fn code(&self) -> &'static str {
        match self {
            RecoveryError::Code(c) | RecoveryError::Password(c) => c,
            RecoveryError::Store(_) => "service_unavailable",
        }
    }
}

fn store_err<E: std::fmt::Display>(e: E) -> RecoveryError {
    RecoveryError::Store(e.to_string())
}

impl Accounts {
    /// Sends a new activation code for a sign-up attempt, within the resend limits.
    pub async fn resend_activation(
        &self,
        member: MemberId,
        attempt: &str,
        caller: &Caller,
    ) -> Result<(), ResendError> {
        let err = |e: StoreError| ResendError::Store(e.to_string());
        let key = CodeKey {
            member_id: member,
            purpose: Purpose::Activation.code().into(),
            bound_to: attempt.into(),
        };
        let now = self.clock.now();
        let sent = self
            .store
            .codes_issued_since(member, now - Duration::hours(1))
            .await
            .map_err(err)?;
        if sent >= u64::from(code::MAX_SENDS_PER_HOUR) {
            return Err(ResendError::Limit);
        }
        if let Some(current) = self.store.current_code(&key).await.map_err(err)? {
            let wait = code::resend_wait(current.resent_count + 1) - (now - current.created_at);
            if wait > Duration::ZERO {
                return Err(ResendError::Wait(wait));
            }
        }
        let account = self.store.account_by_member(member).await.map_err(err)?;
        let Some(account) = account.filter(|a| a.state == AccountState::Pending) else {
            return Err(ResendError::Limit);
        };
        self.send_code(member, Purpose::Activation, attempt, &account.email, caller)
            .await
            .map_err(err)
    }

    /// "Olvidé mi contraseña": sends a code to the account's verified e-mail when the account
    /// exists and is active. Returns the attempt the code is bound to, whatever happened.
    pub async fn start_password_reset(
        &self,
        identifier: &str,
        caller: &Caller,
    ) -> Result<String, RecoveryError> {
        let attempt = random_token();
        if let Some(account) = self.find_account_for(identifier).await.map_err(store_err)?
            && account.state == AccountState::Active
        {
            let since = self.clock.now() - Duration::hours(1);
            let sent = self
                .store
                .codes_issued_since(account.member_id, since)
                .await
                .map_err(store_err)?;
            if sent < u64::from(code::MAX_SENDS_PER_HOUR) {
                self.send_code(
                    account.member_id,
                    Purpose::PasswordReset,
                    &attempt,
                    &account.email,
                    caller,
                )
                .await
                .map_err(store_err)?;
            }
        }
        Ok(attempt)
    }

    /// Sets a new password with the code. Every session ends (a credential changed) and the
    /// member is told by e-mail.
    pub async fn finish_password_reset(
        &self,
        identifier: &str,
        attempt: &str,
        typed_code: &str,
        new_password: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let account = self
            .find_account_for(identifier)
            .await
            .map_err(store_err)?
            .filter(|a| a.state == AccountState::Active)
            .ok_or(RecoveryError::Code("code_wrong"))?;
        let member = self
            .store
            .member(account.member_id)
            .await
            .map_err(store_err)?
            .ok_or(RecoveryError::Code("code_wrong"))?;
        let acceptable = super::check_password_for(&member.person, &account.email, new_password)
            .map_err(|e| RecoveryError::Password(e.code()))?;
        self.check_code(
            account.member_id,
            Purpose::PasswordReset,
            attempt,
            typed_code,
            caller,
        )
        .await?;
        self.replace_password(
            &account,
            &acceptable,
            "password_reset",
            None,
            "La contraseña de tu cuenta se cambió con un código enviado a este correo. Todas tus sesiones se cerraron.\n\nSi no fuiste tú, llama a Infonatel al 800 008 3900.",
            caller,
        )
        .await
    }

    /// "Congelar mi cuenta": ends every session and blocks sign-in and money-moving requests
    /// until the member unfreezes it with full re-authentication.
    pub async fn freeze(
        &self,
        context: &SessionContext,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let id = context.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "account_frozen",
            Some(id),
            "{}".into(),
        )];
        self.store
            .set_frozen(context.account_id, true, self.clock.now(), &audit)
            .await
            .map_err(store_err)?;
        if let Some(account) = self
            .store
            .account(context.account_id)
            .await
            .map_err(store_err)?
        {
            self.notify(&account, "Congelaste tu cuenta de Vivienda", "Tu cuenta está congelada: nadie puede entrar ni hacer trámites con ella. Para descongelarla necesitas tu contraseña y un código enviado a este correo.").await.map_err(store_err)?;
        }
        Ok(())
    }

    /// First step to unfreeze: the password (throttled like any sign-in) sends a code to the
    /// verified e-mail. Returns the attempt the code is bound to.
    pub async fn start_unfreeze(
        &self,
        identifier: &str,
        password: &str,
        caller: &Caller,
    ) -> Result<String, RecoveryError> {
        let attempt = random_token();
        let account = self.find_account_for(identifier).await.map_err(store_err)?;
        let matched = self
            .passwords
            .verify(account.as_ref().map(|a| a.password_hash.as_str()), password)
            .await;
        match account {
            Some(account) if matched && account.state == AccountState::Frozen => {
                self.send_code(
                    account.member_id,
                    Purpose::Unfreeze,
                    &attempt,
                    &account.email,
                    caller,
                )
                .await
                .map_err(store_err)?;
                Ok(attempt)
            }
            _ => Err(RecoveryError::Code("sign_in_failed")),
        }
    }

    /// Second step: the code unfreezes the account.
    pub async fn finish_unfreeze(
        &self,
        identifier: &str,
        attempt: &str,
        typed_code: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let account = self
            .find_account_for(identifier)
            .await
            .map_err(store_err)?
            .filter(|a| a.state == AccountState::Frozen)
            .ok_or(RecoveryError::Code("code_wrong"))?;
        self.check_code(
            account.member_id,
            Purpose::Unfreeze,
            attempt,
            typed_code,
            caller,
        )
        .await?;
        let id = account.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "account_unfrozen",
            Some(id),
            "{}".into(),
        )];
        self.store
            .set_frozen(account.account_id, false, self.clock.now(), &audit)
            .await
            .map_err(store_err)
    }

    pub(crate) async fn check_code(
        &self,
        member: MemberId,
        purpose: Purpose,
        attempt: &str,
        typed: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let key = CodeKey {
            member_id: member,
            purpose: purpose.code().into(),
            bound_to: attempt.into(),
        };
        let hash = code::hash(&self.code_key, purpose, attempt, typed);
        let id = member.0;
        let details = format!("{{\"purpose\":\"{}\"}}", purpose.code());
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "code_accepted",
            Some(id),
            details.clone(),
        )];
        match self
            .store
            .consume_code(&key, &hash, self.clock.now(), code::MAX_ATTEMPTS, &audit)
            .await
            .map_err(store_err)?
        {
            CodeCheck::Accepted => Ok(()),
            CodeCheck::Mismatch { .. } => {
                let failed = [self.audit(
                    caller,
                    format!("member:{id}"),
                    "code_rejected",
                    Some(id),
                    details,
                )];
                self.store.append_audit(&failed).await.map_err(store_err)?;
                Err(RecoveryError::Code("code_wrong"))
            }
            CodeCheck::Expired => Err(RecoveryError::Code("code_expired")),
            CodeCheck::AlreadyUsed => Err(RecoveryError::Code("code_used")),
            CodeCheck::TooManyAttempts => Err(RecoveryError::Code("code_too_many_attempts")),
            CodeCheck::NotIssued => Err(RecoveryError::Code("code_wrong")),
        }
    }

    async fn notify(&self, account: &Account, subject: &str, body: &str) -> Result<(), StoreError> {
        self.notify_address(&account.email, subject, body).await
    }

    pub(crate) async fn notify_address(
        &self,
        email: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        let message = NewMessage {
            channel: OutboxChannel::Email,
            recipient: email.to_owned(),
            subject: subject.into(),
            body: body.into(),
            created_at: self.clock.now(),
        };
        self.store.enqueue_message(&message, &[]).await.map(|_| ())
    }
}
