//! Changing credentials and contact data while signed in. Each change asks for the current
//! password again; a new e-mail is confirmed by a code sent to it; the old address is told of
//! every change; other sessions end when the password changes. A contact change starts the
//! cooling-off period before money can move.

use domain::auth::code::Purpose;
use store::{Account, ContactChange, StoreError};
use time::{Duration, OffsetDateTime};

use super::recovery::RecoveryError;
use super::{Accounts, Caller, SessionContext, random_token};

/// How long money-moving requests wait after a change of contact data or bank account.
pub const COOLING_OFF: Duration = Duration::hours(72);

fn store_err<E: std::fmt::Display>(e: E) -> RecoveryError {
    RecoveryError::Store(e.to_string())
}

impl Accounts {
    pub(crate) async fn reauthenticate(
        &self,
        context: &SessionContext,
        current: &str,
    ) -> Result<Account, RecoveryError> {
        let account = self
            .store
            .account(context.account_id)
            .await
            .map_err(store_err)?
            .ok_or(RecoveryError::Code("sign_in_failed"))?;
        if self
            .passwords
            .verify(Some(&account.password_hash), current)
            .await
        {
            Ok(account)
        } else {
            Err(RecoveryError::Password("current_password_wrong"))
        }
    }

    /// A new password, after the current one. Every other session ends.
    pub async fn change_password(
        &self,
        context: &SessionContext,
        current: &str,
        new: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let account = self.reauthenticate(context, current).await?;
        let member = self
            .store
            .member(account.member_id)
            .await
            .map_err(store_err)?
            .ok_or(RecoveryError::Code("sign_in_failed"))?;
        let acceptable = super::check_password_for(&member.person, &account.email, new)
            .map_err(|e| RecoveryError::Password(e.code()))?;
        self.replace_password(
            &account,
            &acceptable,
            "password_changed",
            Some(context.session.session_id),
            "La contraseña de tu cuenta cambió y se cerraron tus otras sesiones. Si no fuiste tú, congela tu cuenta y llama a Infonatel al 800 008 3900.",
            caller,
        )
        .await
    }

    /// Stores a new password hash, ends the sessions (all but `keep`) and tells the member.
    pub(crate) async fn replace_password(
        &self,
        account: &store::Account,
        acceptable: &domain::auth::password::AcceptablePassword,
        reason: &'static str,
        keep: Option<i64>,
        notice: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let hash = self.passwords.hash(acceptable).await.map_err(store_err)?;
        let id = account.member_id.0;
        let actor = format!("member:{id}");
        let audit = [self.audit(caller, actor.clone(), reason, Some(id), "{}".into())];
        self.store
            .set_password_hash(account.account_id, &hash, &audit)
            .await
            .map_err(store_err)?;
        let details = format!("{{\"reason\":\"{reason}\"}}");
        let ended = [self.audit(caller, actor, "sessions_ended", Some(id), details)];
        self.store
            .end_all_sessions(account.account_id, keep, self.clock.now(), reason, &ended)
            .await
            .map_err(store_err)?;
        self.notify_address(
            &account.email,
            "Cambiaste tu contraseña de Vivienda",
            notice,
        )
        .await
        .map_err(store_err)
    }

    /// First step of an e-mail change: the current password, then a code to the new address.
    /// Returns the attempt the code is bound to.
    pub async fn start_email_change(
        &self,
        context: &SessionContext,
        current: &str,
        new_email: &str,
        caller: &Caller,
    ) -> Result<String, RecoveryError> {
        self.start_contact_change(context, current, Contact::Email, new_email, caller)
            .await
    }

    /// Second step: the code from the new address changes it, and the old one is told.
    pub async fn finish_email_change(
        &self,
        context: &SessionContext,
        attempt: &str,
        typed: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        self.finish_contact_change(context, Contact::Email, attempt, typed, caller)
            .await
    }

    /// First step of a mobile change: the current password, then a code by SMS to the new number.
    pub async fn start_mobile_change(
        &self,
        context: &SessionContext,
        current: &str,
        new_mobile: &str,
        caller: &Caller,
    ) -> Result<String, RecoveryError> {
        self.start_contact_change(context, current, Contact::Mobile, new_mobile, caller)
            .await
    }

    /// Second step: the code from the new number changes it, and the e-mail is told.
    pub async fn finish_mobile_change(
        &self,
        context: &SessionContext,
        attempt: &str,
        typed: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        self.finish_contact_change(context, Contact::Mobile, attempt, typed, caller)
            .await
    }

    async fn start_contact_change(
        &self,
        context: &SessionContext,
        current: &str,
        contact: Contact,
        value: &str,
        caller: &Caller,
    ) -> Result<String, RecoveryError> {
        self.reauthenticate(context, current).await?;
        let value = contact
            .normalize(value)
            .ok_or(RecoveryError::Password(contact.invalid()))?;
        if contact == Contact::Email
            && self
                .store
                .account_by_email(&value)
                .await
                .map_err(store_err)?
                .is_some()
        {
            return Err(RecoveryError::Password("email_taken"));
        }
        // The new value is part of what the code is bound to, so the code confirms it.
        let attempt = format!("{}:{value}", random_token());
        self.send_code_via(
            context.member_id,
            Purpose::ContactChange,
            &attempt,
            contact.channel(),
            &value,
            caller,
        )
        .await
        .map_err(store_err)?;
        Ok(attempt)
    }

    async fn finish_contact_change(
        &self,
        context: &SessionContext,
        contact: Contact,
        attempt: &str,
        typed: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let Some((_, value)) = attempt.split_once(':') else {
            return Err(RecoveryError::Code("code_wrong"));
        };
        let account = self
            .store
            .account(context.account_id)
            .await
            .map_err(store_err)?
            .ok_or(RecoveryError::Code("code_wrong"))?;
        self.check_code(
            context.member_id,
            Purpose::ContactChange,
            attempt,
            typed,
            caller,
        )
        .await?;
        let id = context.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            contact.audit_action(),
            Some(id),
            "{}".into(),
        )];
        let change = match contact {
            Contact::Email => ContactChange {
                email: Some(value.to_owned()),
                mobile: None,
            },
            Contact::Mobile => ContactChange {
                email: None,
                mobile: Some(value.to_owned()),
            },
        };
        match self
            .store
            .set_contact(account.account_id, &change, self.clock.now(), &audit)
            .await
        {
            Err(StoreError::Conflict(code @ ("email_taken" | "mobile_taken"))) => {
                return Err(RecoveryError::Password(code));
            }
            other => other.map_err(store_err)?,
        }
        let (subject, body) = contact.notice();
        self.notify_address(&account.email, subject, body)
            .await
            .map_err(store_err)
    }

    /// When money-moving requests may go ahead again after a contact change, if still waiting.
    pub async fn cooling_off_until(
        &self,
        context: &SessionContext,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let Some(account) = self.store.account(context.account_id).await? else {
            return Ok(None);
        };
        Ok(account
            .contact_changed_at
            .map(|at| at + COOLING_OFF)
            .filter(|until| *until > self.clock.now()))
    }
}

/// Which contact datum a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Contact {
    Email,
    Mobile,
}

impl Contact {
    fn normalize(self, value: &str) -> Option<String> {
        match self {
            Contact::Email => {
                let email = value.trim().to_lowercase();
                super::signup::valid_email(&email).then_some(email)
            }
            Contact::Mobile => super::signup::normalize_mobile(value),
        }
    }

    fn invalid(self) -> &'static str {
        match self {
            Contact::Email => "email_invalid",
            Contact::Mobile => "mobile_invalid",
        }
    }

    fn channel(self) -> store::OutboxChannel {
        match self {
            Contact::Email => store::OutboxChannel::Email,
            Contact::Mobile => store::OutboxChannel::Sms,
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            Contact::Email => "email_changed",
            Contact::Mobile => "mobile_changed",
        }
    }

    /// What the e-mail on file is told (the old address, for an e-mail change).
    fn notice(self) -> (&'static str, &'static str) {
        match self {
            Contact::Email => (
                "Cambió el correo de tu cuenta de Vivienda",
                "El correo de tu cuenta se cambió por otro. Por seguridad, los trámites con dinero esperarán 72 horas. Si no fuiste tú, llama a Infonatel al 800 008 3900.",
            ),
            Contact::Mobile => (
                "Cambió el celular de tu cuenta de Vivienda",
                "El celular de tu cuenta se cambió por otro. Por seguridad, los trámites con dinero esperarán 72 horas. Si no fuiste tú, llama a Infonatel al 800 008 3900.",
            ),
        }
    }
}
