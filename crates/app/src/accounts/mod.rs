//! Member accounts: sign-up against the registry, activation by code, sign-in with throttling,
//! and server-side sessions. Every change writes its audit entry in the same transaction.

mod changes;
mod demo;
pub mod passwords;
mod recovery;
mod second_factor;
mod sessions;
mod signin;
mod signup;

use std::sync::Arc;

use domain::audit::{AuditEntry, Channel};
use rand::RngCore;
use store::Store;

use crate::clock::Clock;
pub use changes::COOLING_OFF;
pub use demo::DEMO_PASSWORD;
pub use passwords::{HashCost, Passwords};
pub use recovery::{RecoveryError, ResendError};
pub use second_factor::{Enrolment, SecondFactorStatus};
pub use sessions::DRAFT_LIFETIME;
pub use sessions::{SessionContext, SessionPolicy};
pub use signin::{SignInError, SignedIn};
pub use signup::{ActivationError, FieldError, SignUpError, SignUpForm, SignUpStarted};

/// Who is asking, from where and through which channel: what every audit entry records.
#[derive(Clone, Debug)]
pub struct Caller {
    pub channel: Channel,
    /// The client address as the server saw it.
    pub origin: String,
    /// A short description of the device (user agent summary).
    pub device: String,
}

/// The account use cases and what they need.
#[derive(Clone)]
pub struct Accounts {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) passwords: Passwords,
    /// The server's key for hashing one-time codes.
    pub(crate) code_key: Arc<[u8]>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) policy: SessionPolicy,
}

impl Accounts {
    pub fn new(
        store: Arc<dyn Store>,
        passwords: Passwords,
        code_key: &[u8],
        clock: Arc<dyn Clock>,
        policy: SessionPolicy,
    ) -> Accounts {
        Accounts {
            store,
            passwords,
            code_key: Arc::from(code_key),
            clock,
            policy,
        }
    }

    /// The time now, by the clock the accounts run on (a test clock in tests).
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// Today's date in Mexico City (UTC−6 all year since 2022), the date rules are applied on.
    pub fn today(&self) -> time::Date {
        domain::dates::mexico_city_date(self.clock.now())
    }

    pub(crate) fn audit(
        &self,
        caller: &Caller,
        actor: String,
        action: &str,
        member_id: Option<i64>,
        details: String,
    ) -> AuditEntry {
        AuditEntry {
            at: store::stored_instant(self.clock.now()),
            actor,
            action: action.to_owned(),
            member_id,
            channel: caller.channel,
            origin: caller.origin.clone(),
            details,
        }
    }
}

/// 256 random bits from a CSPRNG seeded by the operating system, as lower-case hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn sha256(text: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).into()
}

/// Checks a new password against the policy and against this member's own data.
pub(crate) fn check_password_for(
    person: &domain::registry::Person,
    email: &str,
    candidate: &str,
) -> Result<domain::auth::password::AcceptablePassword, domain::auth::password::PasswordProblem> {
    let names = [
        person.given_names.as_str(),
        person.first_surname.as_str(),
        person.second_surname.as_str(),
    ];
    let personal = domain::auth::password::PersonalData {
        nss: person.nss.as_str(),
        curp: person.curp.as_str(),
        rfc: person.rfc.as_str(),
        names: &names,
        email,
        birth_date: Some(person.birth_date),
    };
    domain::auth::password::check(candidate, &personal)
}
