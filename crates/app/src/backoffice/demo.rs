//! The demo's operators: one per role, with the demo password and an authenticator secret
//! derived from the username, so the demo's messages page can show each one's current code.
//! Only `vivienda demo` creates them.

use domain::auth::totp;
use domain::operators::Role;
use sha2::Digest;

use super::{BackOffice, BackOfficeError, NewOperatorForm};
use crate::accounts::{Caller, DEMO_PASSWORD};

/// Username, name and role of each demo operator.
pub const DEMO_OPERATORS: [(&str, &str, Role); 4] = [
    ("demo.agente", "Agente de demostración", Role::Agent),
    (
        "demo.supervisora",
        "Supervisora de demostración",
        Role::Supervisor,
    ),
    ("demo.auditora", "Auditora de demostración", Role::Auditor),
    ("demo.admin", "Administración de demostración", Role::Admin),
];

fn demo_secret(username: &str) -> [u8; 20] {
    let digest = sha2::Sha256::digest(format!("vivienda demo operator {username}").as_bytes());
    let mut secret = [0u8; 20];
    secret.copy_from_slice(&digest[..20]);
    secret
}

/// The code a demo operator's authenticator would show at `now`.
pub fn demo_code(username: &str, now: time::OffsetDateTime) -> String {
    let step = totp::step_of(now.unix_timestamp());
    format!("{:06}", totp::code_at_step(&demo_secret(username), step))
}

impl BackOffice {
    /// Creates the demo operators that do not exist yet; true when any was created.
    pub async fn ensure_demo_operators(&self, caller: &Caller) -> Result<bool, BackOfficeError> {
        let mut created = false;
        for (username, name, role) in DEMO_OPERATORS {
            if self.store.operator_by_username(username).await?.is_some() {
                continue;
            }
            let form = NewOperatorForm {
                username: username.to_owned(),
                display_name: name.to_owned(),
                role,
            };
            self.create_operator_with(&form, None, DEMO_PASSWORD, demo_secret(username), caller)
                .await?;
            created = true;
        }
        Ok(created)
    }
}
