//! "Quiero una cuenta": NSS, CURP and RFC must match one member of the registry; then contact
//! data and a password; the account waits for the activation code sent to the member.

use domain::auth::code::{self, Purpose};
use domain::auth::password::{self, PersonalData};
use domain::ids::{Curp, Nss, Rfc};
use domain::registry::{Member, MemberId};
use serde::{Deserialize, Serialize};
use store::{
    AccountId, AccountState, CodeCheck, CodeKey, NewAccount, NewCode, NewMessage, OutboxChannel,
    StoreError,
};

use super::{Accounts, Caller, random_token};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SignUpForm {
    pub nss: String,
    pub curp: String,
    pub rfc: String,
    pub email: String,
    pub mobile: String,
    pub password: String,
    pub accept_terms: bool,
}

/// A problem with one field, by stable code; the page shows the translated text beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    /// Fields to fix; nothing was created.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// This member already has an account: the way forward is recovery, not a second account.
    #[error("account_exists")]
    AccountExists,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct SignUpStarted {
    pub member_id: MemberId,
    pub account_id: AccountId,
    /// What the activation code is bound to; the page carries it (never in a URL).
    pub attempt: String,
    pub email_masked: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ActivationError {
    #[error("code_wrong")]
    Wrong { attempts_left: u32 },
    #[error("code_expired")]
    Expired,
    #[error("code_used")]
    Used,
    #[error("code_too_many_attempts")]
    TooManyAttempts,
    #[error("code_not_issued")]
    NotIssued,
    #[error("{0}")]
    Store(String),
}

impl ActivationError {
    pub fn code(&self) -> &'static str {
        match self {
            ActivationError::Wrong { .. } => "code_wrong",
            ActivationError::Expired => "code_expired",
            ActivationError::Used => "code_used",
            ActivationError::TooManyAttempts => "code_too_many_attempts",
            ActivationError::NotIssued => "code_not_issued",
            ActivationError::Store(_) => "service_unavailable",
        }
    }
}

/// "m•••@example.mx": enough to recognise one's own address, not to learn someone else's.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

pub(crate) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && email.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// Ten digits, spaces and dashes ignored: a Mexican mobile number.
pub(crate) fn normalize_mobile(mobile: &str) -> Option<String> {
    let digits: String = mobile
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = digits.strip_prefix("+52").unwrap_or(&digits).to_owned();
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

impl Accounts {
    pub async fn sign_up(
        &self,
        form: &SignUpForm,
        caller: &Caller,
    ) -> Result<SignUpStarted, SignUpError> {
        let mut errors = Vec::new();
        let nss = Nss::parse(&form.nss)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "nss",
                    code: e.code(),
                })
            })
            .ok();
        let curp = Curp::parse(&form.curp)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "curp",
                    code: e.code(),
                })
            })
            .ok();
        let rfc = Rfc::parse(&form.rfc)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "rfc",
                    code: e.code(),
                })
            })
            .ok();
        let email = form.email.trim().to_lowercase();
        if !valid_email(&email) {
            errors.push(FieldError {
                field: "email",
                code: "email_invalid",
            });
        }
        let mobile = normalize_mobile(&form.mobile);
        if mobile.is_none() {
            errors.push(FieldError {
                field: "mobile",
                code: "mobile_invalid",
            });
        }
        if !form.accept_terms {
            errors.push(FieldError {
                field: "accept_terms",
                code: "terms_required",
            });
        }
        // The registry is checked only once the identifiers are well formed, and it says which
        // of the three disagrees without showing what the registry holds.
        let member = match (nss, curp, rfc) {
            (Some(nss), Some(curp), Some(rfc)) => {
                self.match_registry(nss, curp, rfc, &mut errors).await?
            }
            _ => None,
        };
        let checked = match &member {
            Some(m) => super::check_password_for(&m.person, &email, &form.password),
            None => password::check(&form.password, &PersonalData::default()),
        };
        let acceptable = checked
            .map_err(|e| {
                errors.push(FieldError {
                    field: "password",
                    code: e.code(),
                })
            })
            .ok();
        let (Some(member), Some(acceptable), Some(mobile), true) =
            (member, acceptable, mobile, errors.is_empty())
        else {
            return Err(SignUpError::Invalid(errors));
        };
        if self
            .store
            .account_by_member(member.member_id)
            .await?
            .is_some()
        {
            return Err(SignUpError::AccountExists);
        }
        let hash = self
            .passwords
            .hash(&acceptable)
            .await
            .map_err(|e| SignUpError::Internal(e.to_string()))?;
        let id = member.member_id.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "sign_up",
            Some(id),
            "{}".into(),
        )];
        let new = NewAccount {
            member_id: member.member_id,
            email: email.clone(),
            mobile,
            password_hash: hash,
            created_at: self.clock.now(),
        };
        let account = match self.store.create_account(&new, &audit).await {
            Ok(a) => a,
            Err(StoreError::Conflict("account_exists")) => return Err(SignUpError::AccountExists),
            Err(StoreError::Conflict("email_taken")) => {
                return Err(SignUpError::Invalid(vec![FieldError {
                    field: "email",
                    code: "email_taken",
                }]));
            }
            Err(StoreError::Conflict("mobile_taken")) => {
                return Err(SignUpError::Invalid(vec![FieldError {
                    field: "mobile",
                    code: "mobile_taken",
                }]));
            }
            Err(e) => return Err(e.into()),
        };
        let attempt = random_token();
        self.send_code(
            member.member_id,
            Purpose::Activation,
            &attempt,
            &email,
            caller,
        )
        .await?;
        Ok(SignUpStarted {
            member_id: member.member_id,
            account_id: account.account_id,
            attempt,
            email_masked: mask_email(&email),
        })
    }

    async fn match_registry(
        &self,
        nss: Nss,
        curp: Curp,
        rfc: Rfc,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<Member>, StoreError> {
        let Some(member) = self.store.member_by_nss(&nss).await? else {
            errors.push(FieldError {
                field: "nss",
                code: "registry_nss_unknown",
            });
            return Ok(None);
        };
        if member.person.curp != curp {
            errors.push(FieldError {
                field: "curp",
                code: "registry_curp_mismatch",
            });
        }
        if member.person.rfc != rfc {
            errors.push(FieldError {
                field: "rfc",
                code: "registry_rfc_mismatch",
            });
        }
        Ok(errors.is_empty().then_some(member))
    }

    /// Issues a code bound to `purpose` and `bound_to`, and queues it for the member's e-mail.
    pub(crate) async fn send_code(
        &self,
        member: MemberId,
        purpose: Purpose,
        bound_to: &str,
        email: &str,
        caller: &Caller,
    ) -> Result<(), StoreError> {
        self.send_code_via(
            member,
            purpose,
            bound_to,
            OutboxChannel::Email,
            email,
            caller,
        )
        .await
    }

    /// Issues a code and queues it by e-mail or SMS to `recipient`.
    pub(crate) async fn send_code_via(
        &self,
        member: MemberId,
        purpose: Purpose,
        bound_to: &str,
        channel: OutboxChannel,
        recipient: &str,
        caller: &Caller,
    ) -> Result<(), StoreError> {
        let plain = code::generate(&mut rand::rng());
        let now = self.clock.now();
        let id = member.0;
        let details = format!("{{\"purpose\":\"{}\"}}", purpose.code());
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "code_sent",
            Some(id),
            details,
        )];
        let new = NewCode {
            key: CodeKey {
                member_id: member,
                purpose: purpose.code().into(),
                bound_to: bound_to.into(),
            },
            code_hash: code::hash(&self.code_key, purpose, bound_to, &plain).to_vec(),
            created_at: now,
            expires_at: now + code::LIFETIME,
        };
        self.store.issue_code(&new, &audit).await?;
        let message = NewMessage {
            channel,
            recipient: recipient.to_owned(),
            subject: "Tu código de Vivienda".into(),
            body: format!(
                "Tu código es {plain}. Vence en 10 minutos.\n\nNadie de Vivienda te lo pedirá por teléfono: todos los trámites son gratuitos y personales."
            ),
            created_at: now,
        };
        self.store.enqueue_message(&message, &[]).await?;
        Ok(())
    }

    /// Checks the activation code and activates the account.
    pub async fn activate(
        &self,
        member: MemberId,
        attempt: &str,
        typed: &str,
        caller: &Caller,
    ) -> Result<(), ActivationError> {
        let store_err = |e: StoreError| ActivationError::Store(e.to_string());
        let key = CodeKey {
            member_id: member,
            purpose: Purpose::Activation.code().into(),
            bound_to: attempt.into(),
        };
        let hash = code::hash(&self.code_key, Purpose::Activation, attempt, typed);
        let id = member.0;
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "code_accepted",
            Some(id),
            "{\"purpose\":\"activation\"}".into(),
        )];
        let check = self
            .store
            .consume_code(&key, &hash, self.clock.now(), code::MAX_ATTEMPTS, &audit)
            .await
            .map_err(store_err)?;
        match check {
            CodeCheck::Accepted => {}
            CodeCheck::Mismatch { attempts } => {
                let failed = [self.audit(
                    caller,
                    format!("member:{id}"),
                    "code_rejected",
                    Some(id),
                    "{\"purpose\":\"activation\"}".into(),
                )];
                self.store.append_audit(&failed).await.map_err(store_err)?;
                return Err(ActivationError::Wrong {
                    attempts_left: code::MAX_ATTEMPTS.saturating_sub(attempts),
                });
            }
            CodeCheck::Expired => return Err(ActivationError::Expired),
            CodeCheck::AlreadyUsed => return Err(ActivationError::Used),
            CodeCheck::TooManyAttempts => return Err(ActivationError::TooManyAttempts),
            CodeCheck::NotIssued => return Err(ActivationError::NotIssued),
        }
        let account = self
            .store
            .account_by_member(member)
            .await
            .map_err(store_err)?
            .ok_or(ActivationError::NotIssued)?;
        if account.state != AccountState::Pending {
            return Err(ActivationError::Used);
        }
        let audit = [self.audit(
            caller,
            format!("member:{id}"),
            "account_activated",
            Some(id),
            "{}".into(),
        )];
        self.store
            .activate_account(account.account_id, self.clock.now(), &audit)
            .await
            .map_err(store_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_data_is_checked_and_masked() {
        assert!(valid_email("maria.garcia@example.mx"));
        for bad in [
            "maria",
            "maria@",
            "@example.mx",
            "maria@example",
            "ma ria@example.mx",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(
            normalize_mobile("55 1234-5678").as_deref(),
            Some("5512345678")
        );
        assert_eq!(
            normalize_mobile("+52 (55) 1234 5678").as_deref(),
            Some("5512345678")
        );
        assert_eq!(normalize_mobile("12345"), None);
        assert_eq!(mask_email("maria@example.mx"), "m•••@example.mx");
    }
}
