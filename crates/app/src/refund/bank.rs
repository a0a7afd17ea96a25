//! The member's bank account for the deposit: an 18-digit CLABE of a known SPEI participant,
//! in the member's own name (the member declares it). Replacing one already given asks for the
//! password again, tells the member on every contact, and starts the cooling-off: money waits
//! 72 hours after a change.

use domain::ids::Clabe;
use domain::registry::MemberId;
use store::{BankAccount, NewMessage, OutboxChannel};
use time::OffsetDateTime;

use super::{PensionerRefunds, RefundError};
use crate::accounts::{Caller, RecoveryError, SessionContext};
use crate::i18n::Lang;
use crate::requests::Acting;

/// What the bank-account step posts.
pub struct BankForm<'a> {
    pub clabe: &'a str,
    /// "La cuenta está a mi nombre."
    pub holder_declared: bool,
    /// Needed to replace a CLABE already given, when the member acts on their own.
    pub current_password: Option<&'a str>,
}

/// The bank account as pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccountView {
    pub clabe: Clabe,
    pub bank_code: String,
    pub bank_name: String,
    pub holder_declared_at: OffsetDateTime,
    pub changed_at: Option<OffsetDateTime>,
}

impl BankAccountView {
    /// The last four digits, as receipts and notices name the account.
    pub fn ending(&self) -> &str {
        let text = self.clabe.as_str();
        &text[text.len().saturating_sub(4)..]
    }
}

impl PensionerRefunds {
    pub(super) fn bank_view(&self, account: &BankAccount) -> BankAccountView {
        let code = account.clabe.bank_code().to_owned();
        BankAccountView {
            bank_name: self.tables.banks.name(&code).unwrap_or_default().to_owned(),
            bank_code: code,
            clabe: account.clabe,
            holder_declared_at: account.holder_declared_at,
            changed_at: account.changed_at,
        }
    }

    /// The bank a CLABE belongs to, or why it is not a CLABE the fund can pay to.
    pub fn bank_of(&self, clabe: &str) -> Result<(Clabe, String), RefundError> {
        let clabe = Clabe::parse_with_banks(clabe, &self.tables.banks)
            .map_err(|e| RefundError::Field("clabe", e.code()))?;
        let name = self
            .tables
            .banks
            .name(clabe.bank_code())
            .unwrap_or_default()
            .to_owned();
        Ok((clabe, name))
    }

    /// Keeps the CLABE for the member's deposits. The first one is registered; the same one
    /// again only renews the declaration; a different one replaces it after the password
    /// (`session` is the member's own session; an operator acting for the member at a service
    /// centre has checked the member's identity there), and starts the cooling-off.
    pub async fn save_bank_account(
        &self,
        member: MemberId,
        form: &BankForm<'_>,
        acting: Acting,
        session: Option<&SessionContext>,
        caller: &Caller,
    ) -> Result<BankAccountView, RefundError> {
        if acting.member() != Some(member) {
            return Err(crate::requests::RequestError::NotPermitted.into());
        }
        let (clabe, bank_name) = self.bank_of(form.clabe)?;
        if !form.holder_declared {
            return Err(RefundError::Field("holder", "refund_holder_not_declared"));
        }
        let now = self.now();
        let existing = self.store.bank_account(member).await?;
        let (account, action) = match existing {
            None => (
                BankAccount {
                    member_id: member,
                    clabe,
                    holder_declared_at: now,
                    registered_at: now,
                    changed_at: None,
                },
                "bank_account_registered",
            ),
            Some(old) if old.clabe == clabe => (
                BankAccount {
                    holder_declared_at: now,
                    ..old
                },
                "bank_account_confirmed",
            ),
            Some(old) => {
                if let Acting::Member(_) = acting {
                    let (Some(session), Some(password)) =
                        (session, form.current_password.filter(|p| !p.is_empty()))
                    else {
                        return Err(RefundError::Field(
                            "current_password",
                            "current_password_required",
                        ));
                    };
                    match self.accounts.reauthenticate(session, password).await {
                        Ok(_) => {}
                        Err(RecoveryError::Password(code) | RecoveryError::Code(code)) => {
                            return Err(RefundError::Field("current_password", code));
                        }
                        Err(e) => {
                            return Err(store::StoreError::Database(e.to_string()).into());
                        }
                    }
                }
                (
                    BankAccount {
                        clabe,
                        holder_declared_at: now,
                        changed_at: Some(now),
                        ..old
                    },
                    "bank_account_changed",
                )
            }
        };
        let ending = &clabe.as_str()[14..];
        let details = serde_json::json!({ "bank": clabe.bank_code(), "ending": ending });
        let audit = [self.audit(caller, acting, action, member, details)];
        let notify = self
            .bank_notices(member, action, &bank_name, ending, now)
            .await?;
        self.store
            .save_bank_account(&account, &audit, &notify)
            .await?;
        Ok(BankAccountView {
            clabe,
            bank_code: clabe.bank_code().to_owned(),
            bank_name,
            holder_declared_at: account.holder_declared_at,
            changed_at: account.changed_at,
        })
    }

    /// The member is told when an account is registered (e-mail) or changed (e-mail and SMS,
    /// since someone else may have done it).
    async fn bank_notices(
        &self,
        member: MemberId,
        action: &str,
        bank: &str,
        ending: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<NewMessage>, RefundError> {
        let Some(account) = self.store.account_by_member(member).await? else {
            return Ok(Vec::new());
        };
        let (lang, m) = (Lang::Es, &self.messages);
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("bank", bank.to_owned());
        args.set("ending", ending.to_owned());
        let mut out = Vec::new();
        let body = |id: &str| {
            format!(
                "{}\n\n{}",
                m.format(lang, id, Some(&args)),
                m.text(lang, "free-and-personal")
            )
        };
        match action {
            "bank_account_registered" => out.push(NewMessage {
                channel: OutboxChannel::Email,
                recipient: account.email.clone(),
                subject: m.text(lang, "refund-bank-registered-subject"),
                body: body("refund-bank-registered-body"),
                created_at: now,
            }),
            "bank_account_changed" => {
                out.push(NewMessage {
                    channel: OutboxChannel::Email,
                    recipient: account.email.clone(),
                    subject: m.text(lang, "refund-bank-changed-subject"),
                    body: body("refund-bank-changed-body"),
                    created_at: now,
                });
                out.push(NewMessage {
                    channel: OutboxChannel::Sms,
                    recipient: account.mobile.clone(),
                    subject: String::new(),
                    body: m.format(lang, "refund-bank-changed-sms", Some(&args)),
                    created_at: now,
                });
            }
            _ => {}
        }
        Ok(out)
    }
}
