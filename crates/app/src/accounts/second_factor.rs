//! The second factor: an authenticator app (TOTP) the member turns on after typing the password
//! again, ten recovery codes for when the phone is lost, and the second step of sign-in.
//!
//! The app's secret is sealed with the server key before it is stored. While the member is
//! enrolling, the new secret travels sealed in the form itself, so nothing is stored until the
//! member proves the app works by typing a code from it. At sign-in a correct password gives
//! a ticket (stored hashed, ten minutes, five tries); the ticket and a code open the session.
//! A wrong code counts as a sign-in failure, so guessing codes is slowed down like guessing
//! passwords.

use domain::auth::code::{self, Purpose};
use domain::auth::throttle::Decision;
use domain::auth::{recovery, totp};
use domain::registry::MemberId;
use rand::RngCore;
use store::{Account, CodeKey, NewCode, StoreError};
use time::Duration;

use super::recovery::RecoveryError;
use super::signin::{ACCOUNT, ADDRESS, SignInError, SignedIn, store_err};
use super::{Accounts, Caller, SessionContext, random_token};
use crate::seal::Sealer;

const SECRET_BYTES: usize = 20;
/// How long a started enrolment can wait for its first code.
const ENROLMENT_LIFETIME: Duration = Duration::minutes(15);
const ISSUER: &str = "Vivienda";

/// What the member needs to add Vivienda to an authenticator app.
#[derive(Clone, Debug)]
pub struct Enrolment {
    /// The secret in base32, for typing it in by hand.
    pub secret: String,
    /// The `otpauth://` URI, for the QR code.
    pub uri: String,
    /// The sealed secret, carried by the form to `finish_totp_enrolment`.
    pub token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecondFactorStatus {
    pub enabled: bool,
    pub recovery_codes_left: u64,
}

fn rec_err(e: StoreError) -> RecoveryError {
    RecoveryError::Store(e.to_string())
}

fn context(account: &Account) -> Vec<u8> {
    format!("account:{}", account.account_id.0).into_bytes()
}

impl Accounts {
    fn totp_sealer(&self) -> Sealer {
        Sealer::new(&self.code_key, "totp secret")
    }

    fn enrolment_sealer(&self) -> Sealer {
        Sealer::new(&self.code_key, "totp enrolment")
    }

    pub async fn second_factor_status(
        &self,
        context: &SessionContext,
    ) -> Result<SecondFactorStatus, StoreError> {
        let account = self.store.account(context.account_id).await?;
        Ok(SecondFactorStatus {
            enabled: account.is_some_and(|a| a.totp_secret.is_some()),
            recovery_codes_left: self.store.recovery_codes_left(context.account_id).await?,
        })
    }

    /// First step: the current password, then a new secret for the app.
    pub async fn start_totp_enrolment(
        &self,
        session: &SessionContext,
        password: &str,
    ) -> Result<Enrolment, RecoveryError> {
        let account = self.reauthenticate(session, password).await?;
        if account.totp_secret.is_some() {
            return Err(RecoveryError::Code("second_factor_already_on"));
        }
        let mut secret = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut secret);
        let started = self.clock.now().unix_timestamp().to_be_bytes();
        let sealed = self
            .enrolment_sealer()
            .seal(&[&secret[..], &started].concat(), &context(&account));
        Ok(Enrolment {
            secret: totp::base32(&secret),
            uri: totp::otpauth_uri(&secret, ISSUER, &account.email),
            token: hex::encode(sealed),
        })
    }

    /// The enrolment behind a token already handed out (to show its QR code again after a
    /// mistyped code), if it is still this member's and not expired.
    pub async fn reopen_totp_enrolment(
        &self,
        session: &SessionContext,
        token: &str,
    ) -> Option<Enrolment> {
        let account = self.store.account(session.account_id).await.ok()??;
        let (secret, started) = self.open_enrolment(&account, token)?;
        let now = self.clock.now().unix_timestamp();
        (now >= started && now - started <= ENROLMENT_LIFETIME.whole_seconds()).then(|| Enrolment {
            secret: totp::base32(&secret),
            uri: totp::otpauth_uri(&secret, ISSUER, &account.email),
            token: token.to_owned(),
        })
    }

    /// The secret and start time sealed in an enrolment token.
    fn open_enrolment(&self, account: &Account, token: &str) -> Option<(Vec<u8>, i64)> {
        let opened = hex::decode(token)
            .ok()
            .and_then(|sealed| self.enrolment_sealer().open(&sealed, &context(account)))
            .filter(|plain| plain.len() == SECRET_BYTES + 8)?;
        let (secret, started) = opened.split_at(SECRET_BYTES);
        Some((
            secret.to_vec(),
            i64::from_be_bytes(started.try_into().ok()?),
        ))
    }

    /// Second step: a code from the app proves it works; the secret is stored and ten recovery
    /// codes are returned, to be shown once.
    pub async fn finish_totp_enrolment(
        &self,
        session: &SessionContext,
        token: &str,
        typed: &str,
        caller: &Caller,
    ) -> Result<Vec<String>, RecoveryError> {
        let account = self
            .store
            .account(session.account_id)
            .await
            .map_err(rec_err)?
            .ok_or(RecoveryError::Code("sign_in_failed"))?;
        if account.totp_secret.is_some() {
            return Err(RecoveryError::Code("second_factor_already_on"));
        }
        let (secret, started) = self
            .open_enrolment(&account, token)
            .ok_or(RecoveryError::Code("enrolment_expired"))?;
        let now = self.clock.now().unix_timestamp();
        if now - started > ENROLMENT_LIFETIME.whole_seconds() || now < started {
            return Err(RecoveryError::Code("enrolment_expired"));
        }
        let step = totp::verify(&secret, typed, now, None)
            .ok_or(RecoveryError::Code("second_factor_wrong"))?;
        let id = account.member_id.0;
        let actor = format!("member:{id}");
        let sealed = self.totp_sealer().seal(&secret, &context(&account));
        let audit = [self.audit(
            caller,
            actor,
            "second_factor_enabled",
            Some(id),
            "{}".into(),
        )];
        self.store
            .set_totp_secret(account.account_id, Some(&sealed), &audit)
            .await
            .map_err(rec_err)?;
        self.store
            .use_totp_step(account.account_id, step, &[])
            .await
            .map_err(rec_err)?;
        let codes = self.issue_recovery_codes(&account, caller).await?;
        self.notify_address(
            &account.email,
            "Activaste la verificación en dos pasos",
            "Desde ahora, al entrar a Vivienda te pediremos también el código de tu aplicación de autenticación. Si no fuiste tú, congela tu cuenta y llama a Infonatel al 800 008 3900.",
        )
        .await
        .map_err(rec_err)?;
        Ok(codes)
    }

    /// Turns the authenticator app off, after the current password.
    pub async fn disable_totp(
        &self,
        session: &SessionContext,
        password: &str,
        caller: &Caller,
    ) -> Result<(), RecoveryError> {
        let account = self.reauthenticate(session, password).await?;
        if account.totp_secret.is_none() {
            return Err(RecoveryError::Code("second_factor_already_off"));
        }
        let id = account.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "second_factor_disabled",
            Some(id),
            "{}".into(),
        )];
        self.store
            .set_totp_secret(account.account_id, None, &audit)
            .await
            .map_err(rec_err)?;
        self.store
            .replace_recovery_codes(account.account_id, &[], &[])
            .await
            .map_err(rec_err)?;
        self.notify_address(
            &account.email,
            "Desactivaste la verificación en dos pasos",
            "Tu cuenta de Vivienda ya no pide el código de tu aplicación de autenticación. Si no fuiste tú, congela tu cuenta y llama a Infonatel al 800 008 3900.",
        )
        .await
        .map_err(rec_err)
    }

    /// Ten new recovery codes replace the old ones, after the current password.
    pub async fn new_recovery_codes(
        &self,
        session: &SessionContext,
        password: &str,
        caller: &Caller,
    ) -> Result<Vec<String>, RecoveryError> {
        let account = self.reauthenticate(session, password).await?;
        if account.totp_secret.is_none() {
            return Err(RecoveryError::Code("second_factor_already_off"));
        }
        self.issue_recovery_codes(&account, caller).await
    }

    async fn issue_recovery_codes(
        &self,
        account: &Account,
        caller: &Caller,
    ) -> Result<Vec<String>, RecoveryError> {
        // The thread's generator is not `Send`: it must be gone before the first await.
        let codes: Vec<String> = {
            let mut rng = rand::rng();
            (0..recovery::COUNT)
                .map(|_| recovery::generate(&mut rng))
                .collect()
        };
        let hashes: Vec<Vec<u8>> = codes
            .iter()
            .filter_map(|c| recovery::normalize(c))
            .map(|c| self.recovery_hash(account, &c).to_vec())
            .collect();
        let id = account.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "recovery_codes_issued",
            Some(id),
            "{}".into(),
        )];
        self.store
            .replace_recovery_codes(account.account_id, &hashes, &audit)
            .await
            .map_err(rec_err)?;
        Ok(codes)
    }

    fn recovery_hash(&self, account: &Account, normalized: &str) -> [u8; 32] {
        let bound = account.account_id.0.to_string();
        code::hash(&self.code_key, Purpose::RecoveryCode, &bound, normalized)
    }

    /// The ticket a correct password earns when the account has a second factor:
    /// "member.random", stored hashed and bound to the member like any one-time code.
    pub(crate) async fn second_factor_ticket(
        &self,
        account: &Account,
        caller: &Caller,
    ) -> Result<String, StoreError> {
        let token = random_token();
        let (bound, _) = token.split_at(16);
        let now = self.clock.now();
        let id = account.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "sign_in_password_ok",
            Some(id),
            "{\"next\":\"second_factor\"}".into(),
        )];
        let new = NewCode {
            key: ticket_key(account.member_id, bound),
            code_hash: code::hash(&self.code_key, Purpose::SecondFactor, bound, &token).to_vec(),
            created_at: now,
            expires_at: now + code::LIFETIME,
        };
        self.store.issue_code(&new, &audit).await?;
        Ok(format!("{id}.{token}"))
    }

    /// The second step of sign-in: the ticket and a code from the app, or a recovery code.
    pub async fn sign_in_second_factor(
        &self,
        ticket: &str,
        typed: &str,
        caller: &Caller,
    ) -> Result<SignedIn, SignInError> {
        let (member, token) = ticket
            .split_once('.')
            .and_then(|(m, t)| Some((MemberId(m.parse().ok()?), t)))
            .filter(|(_, t)| t.len() == 64)
            .ok_or(SignInError::SecondFactorExpired)?;
        let (bound, _) = token.split_at(16);
        let key = ticket_key(member, bound);
        let account = self
            .store
            .account_by_member(member)
            .await
            .map_err(store_err)?
            .ok_or(SignInError::SecondFactorExpired)?;
        let account_key = account.account_id.0.to_string();
        if let Decision::Wait(wait) = self
            .throttle_decision(&account_key, caller)
            .await
            .map_err(store_err)?
        {
            return Err(SignInError::Wait(wait));
        }
        let now = self.clock.now();
        let issued = self
            .store
            .current_code(&key)
            .await
            .map_err(store_err)?
            .filter(|c| {
                c.consumed_at.is_none() && c.expires_at > now && c.attempts < code::MAX_ATTEMPTS
            })
            .ok_or(SignInError::SecondFactorExpired)?;
        let sealed = account
            .totp_secret
            .as_deref()
            .ok_or(SignInError::SecondFactorExpired)?;
        let right = match self.totp_sealer().open(sealed, &context(&account)) {
            Some(secret) => {
                self.second_factor_right(&account, &secret, typed, caller)
                    .await?
            }
            None => {
                tracing::error!(member = member.0, "authenticator secret cannot be opened");
                false
            }
        };
        let id = member.0;
        if !right {
            let audit = [self.audit(
                caller,
                format!("member:{id}"),
                "sign_in_failed",
                Some(id),
                "{\"factor\":\"second\"}".into(),
            )];
            self.store
                .record_code_failure(member, issued.code_id, &[])
                .await
                .map_err(store_err)?;
            self.store
                .record_failure(ACCOUNT, &account_key, now, &audit)
                .await
                .map_err(store_err)?;
            self.store
                .record_failure(ADDRESS, &caller.origin, now, &[])
                .await
                .map_err(store_err)?;
            return Err(SignInError::SecondFactorWrong);
        }
        let hash = code::hash(&self.code_key, Purpose::SecondFactor, bound, token);
        let accepted = self
            .store
            .consume_code(&key, &hash, now, code::MAX_ATTEMPTS, &[])
            .await
            .map_err(store_err)?;
        if accepted != store::CodeCheck::Accepted {
            return Err(SignInError::SecondFactorExpired);
        }
        self.open_session(&account, caller, "password+second_factor")
            .await
            .map_err(store_err)
    }

    /// Whether `typed` is the app's code for now (not used before) or an unused recovery code.
    async fn second_factor_right(
        &self,
        account: &Account,
        secret: &[u8],
        typed: &str,
        caller: &Caller,
    ) -> Result<bool, SignInError> {
        let now = self.clock.now().unix_timestamp();
        if let Some(step) = totp::verify(secret, typed, now, None) {
            return self
                .store
                .use_totp_step(account.account_id, step, &[])
                .await
                .map_err(store_err);
        }
        let Some(normalized) = recovery::normalize(typed) else {
            return Ok(false);
        };
        let id = account.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "recovery_code_used",
            Some(id),
            "{}".into(),
        )];
        let hash = self.recovery_hash(account, &normalized);
        let used = self
            .store
            .consume_recovery_code(account.account_id, &hash, self.clock.now(), &audit)
            .await
            .map_err(store_err)?;
        if used {
            let left = self
                .store
                .recovery_codes_left(account.account_id)
                .await
                .map_err(store_err)?;
            self.notify_address(
                &account.email,
                "Usaste un código de recuperación",
                &format!(
                    "Entraste a Vivienda con uno de tus códigos de recuperación. Te quedan {left}. Si no fuiste tú, congela tu cuenta y llama a Infonatel al 800 008 3900."
                ),
            )
            .await
            .map_err(store_err)?;
        }
        Ok(used)
    }
}

fn ticket_key(member: MemberId, bound: &str) -> CodeKey {
    CodeKey {
        member_id: member,
        purpose: Purpose::SecondFactor.code().into(),
        bound_to: bound.into(),
    }
}
