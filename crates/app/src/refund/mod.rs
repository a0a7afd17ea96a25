//! "Devolución del ahorro para personas pensionadas" (domain.md §9): the pensioner checks
//! whether and how much, gives a CLABE in their name, and signs the request with the SAT
//! e.firma; operators review and approve it, and when the deposit is made the ledger records the
//! withdrawal of the buckets the fund paid, once, with the request's completion.
//!
//! The rules are `domain::refund`; the request machinery is `crate::requests`; this module reads
//! the facts, keeps the bank account, signs, and checks the signature again before every
//! decision and before money moves. The `.key` and the password live only in the call to
//! `submit`: they are never stored, logged, audited or returned.

mod answers;
mod bank;
mod receipt;

use std::sync::Arc;

use domain::audit::AuditEntry;
use domain::dates::mexico_city_date;
use domain::reference::ReferenceTables;
use domain::refund::{self, Eligibility, Facts, RefundOption, Refusal};
use domain::registry::{MemberId, Movement, MovementKind};
use domain::requests::{Action, Folio, ReasonCode, RequestKind, RequestState};
use efirma::{EfirmaError, TrustedIssuers};
use serde_json::json;
use store::{LedgerPosting, MovementFilter, Request, Store, StoreError};
use time::OffsetDateTime;

use crate::accounts::{Accounts, COOLING_OFF, Caller};
use crate::requests::{Acting, Filed, RequestError, RequestStatus, Requests};
pub use answers::{AnswersError, PensionFiled, RefundAnswers, StoredSignature, sha256_hex};
pub use bank::{BankAccountView, BankForm};

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Request(#[from] RequestError),
    /// The member cannot file now; every reason, each with its code.
    #[error("refund_not_eligible")]
    NotEligible(Vec<Refusal>),
    /// A field of the bank-account step, with its code.
    #[error("{1}")]
    Field(&'static str, &'static str),
    /// No bank account yet: the CLABE step comes first.
    #[error("refund_no_bank_account")]
    NoBankAccount,
    /// The `.cer`, the `.key` or the password is missing.
    #[error("efirma_files_missing")]
    EfirmaMissing,
    /// The e.firma was refused; the code says why.
    #[error("{0}")]
    Efirma(EfirmaError),
    /// No SAT authority is configured, so no e.firma can be checked.
    #[error("efirma_not_configured")]
    EfirmaNotConfigured,
    /// The stored request does not check out: its signature (or its answers) were altered.
    #[error("{0}")]
    Answers(#[from] AnswersError),
    #[error("member_not_found")]
    NoMember,
    #[error("{0}")]
    Issue(#[from] crate::issue::IssueError),
}

impl RefundError {
    pub fn code(&self) -> &'static str {
        match self {
            RefundError::Store(_) => "service_unavailable",
            RefundError::Request(e) => e.code(),
            RefundError::NotEligible(_) => "refund_not_eligible",
            RefundError::Field(_, code) => code,
            RefundError::NoBankAccount => "refund_no_bank_account",
            RefundError::EfirmaMissing => "efirma_files_missing",
            RefundError::Efirma(e) => e.code(),
            RefundError::EfirmaNotConfigured => "efirma_not_configured",
            RefundError::Answers(AnswersError::SignatureInvalid) => "signature_invalid",
            RefundError::Answers(AnswersError::Unreadable) => "refund_answers_unreadable",
            RefundError::NoMember => "member_not_found",
            RefundError::Issue(e) => e.code(),
        }
    }
}

/// The member's e.firma as uploaded: held only for the call that signs.
pub struct EfirmaFiles<'a> {
    pub cer: &'a [u8],
    pub key: &'a [u8],
    pub password: &'a str,
}

/// What the first page shows: whether the member may file, the amounts by bucket and who pays
/// them, the bank account on file and a refund already in process.
#[derive(Clone, Debug)]
pub struct RefundCheck {
    pub eligibility: Eligibility,
    pub bank_account: Option<BankAccountView>,
    /// The member's latest refund request, to follow it.
    pub latest: Option<(Folio, RequestState)>,
    /// Whether e.firma certificates can be checked at all (SAT authorities configured).
    pub efirma_available: bool,
}

/// A refund as its status page and the back office show it.
#[derive(Clone, Debug)]
pub struct RefundView {
    pub member_id: MemberId,
    pub status: RequestStatus,
    pub answers: RefundAnswers,
    /// Whether the stored signature still matches the answers.
    pub signature_valid: bool,
    pub submitted_at: Option<OffsetDateTime>,
    pub promised_on: Option<time::Date>,
}

/// The pensioner refund's use cases.
#[derive(Clone)]
pub struct PensionerRefunds {
    store: Arc<dyn Store>,
    accounts: Accounts,
    requests: Requests,
    tables: Arc<ReferenceTables>,
    issuers: Option<Arc<TrustedIssuers>>,
    messages: Arc<crate::i18n::Messages>,
}

/// The key of a request's ledger posting: one per folio, ever.
fn posting_key(folio: &Folio) -> String {
    format!("pensioner_refund:{folio}")
}

impl PensionerRefunds {
    /// `issuers`: the SAT authorities whose e.firma certificates are accepted; without them
    /// nothing can be signed (`efirma_not_configured`).
    pub fn new(
        store: Arc<dyn Store>,
        accounts: Accounts,
        requests: Requests,
        tables: Arc<ReferenceTables>,
        issuers: Option<Arc<TrustedIssuers>>,
        messages: Arc<crate::i18n::Messages>,
    ) -> PensionerRefunds {
        PensionerRefunds {
            store,
            accounts,
            requests,
            tables,
            issuers,
            messages,
        }
    }

    fn now(&self) -> OffsetDateTime {
        self.accounts.now()
    }

    fn audit(
        &self,
        caller: &Caller,
        acting: Acting,
        action: &str,
        member: MemberId,
        details: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            at: store::stored_instant(self.now()),
            actor: acting.label(),
            action: action.to_owned(),
            member_id: Some(member.0),
            channel: caller.channel,
            origin: caller.origin.clone(),
            details: details.to_string(),
        }
    }

    /// The first day the member paid in or worked, as the registry knows it.
    async fn first_contribution(&self, member: MemberId) -> Result<Option<time::Date>, StoreError> {
        let relations = self.store.relations(member).await?;
        let contributions = self
            .store
            .movements(
                member,
                &MovementFilter {
                    kinds: vec![MovementKind::Contribution],
                    ..Default::default()
                },
            )
            .await?;
        Ok(relations
            .iter()
            .map(|r| r.start_date)
            .chain(contributions.iter().map(|m| m.booked_on))
            .min())
    }

    /// Whether `member` may file now, and for how much under `option` (Ley 73 only).
    pub async fn check(
        &self,
        member: MemberId,
        option: Option<RefundOption>,
    ) -> Result<RefundCheck, RefundError> {
        if self.store.member(member).await?.is_none() {
            return Err(RefundError::NoMember);
        }
        let pensions = self.store.pension_resolutions(member).await?;
        let credits: Vec<_> = self
            .store
            .credits(member)
            .await?
            .iter()
            .map(|c| c.status)
            .collect();
        let balances = self.store.balances(member).await?;
        let holds = self.store.subaccount_holds(member).await?;
        let requests = self.store.requests_of_member(member).await?;
        let open: Vec<RequestKind> = requests
            .iter()
            .filter(|r| !r.state.is_closed() && r.state != RequestState::Draft)
            .map(|r| r.kind)
            .collect();
        let latest = requests
            .iter()
            .find(|r| r.kind == RequestKind::PensionerRefund)
            .map(|r| (r.folio.clone(), r.state.clone()));
        let account = self.store.account_by_member(member).await?;
        let bank = self.store.bank_account(member).await?;
        let changes: Vec<OffsetDateTime> = account
            .and_then(|a| a.contact_changed_at)
            .into_iter()
            .chain(bank.as_ref().and_then(|b| b.changed_at))
            .collect();
        let now = self.now();
        let facts = Facts {
            now,
            today: mexico_city_date(now),
            pensions: &pensions,
            credits: &credits,
            balances: &balances,
            first_contribution: self.first_contribution(member).await?,
            holds: &holds,
            open_requests: &open,
            changes: &changes,
            cooling_off: COOLING_OFF,
        };
        Ok(RefundCheck {
            eligibility: refund::check(&facts, option),
            bank_account: bank.map(|b| self.bank_view(&b)),
            latest,
            efirma_available: self.issuers.is_some(),
        })
    }

    /// Files the refund: checks eligibility and the bank account, signs the request (folio,
    /// NSS, RFC, CLABE, amounts by bucket, date) with the member's e.firma, verifies the
    /// signature, and files it with the signature and the certificate. The key and the password
    /// are dropped when this returns; a refused e.firma is audited with its code only.
    pub async fn submit(
        &self,
        member: MemberId,
        option: Option<RefundOption>,
        files: &EfirmaFiles<'_>,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Filed, RefundError> {
        if acting.member() != Some(member) {
            return Err(RequestError::NotPermitted.into());
        }
        let issuers = self
            .issuers
            .clone()
            .ok_or(RefundError::EfirmaNotConfigured)?;
        if files.cer.is_empty() || files.key.is_empty() || files.password.is_empty() {
            return Err(RefundError::EfirmaMissing);
        }
        let check = self.check(member, option).await?;
        if !check.eligibility.eligible() {
            return Err(RefundError::NotEligible(check.eligibility.refusals));
        }
        let bank = check.bank_account.ok_or(RefundError::NoBankAccount)?;
        let person = self
            .store
            .member(member)
            .await?
            .ok_or(RefundError::NoMember)?
            .person;
        let now = self.now();
        let signed_on = mexico_city_date(now);
        let amounts = check.eligibility.amounts;
        let pension = check.eligibility.pension.as_ref().map(PensionFiled::from);
        let outcome = self
            .requests
            .submit_with(
                member,
                RequestKind::PensionerRefund,
                acting,
                caller,
                |folio| {
                    let statement = refund::Statement {
                        folio,
                        nss: &person.nss,
                        rfc: &person.rfc,
                        clabe: &bank.clabe,
                        amounts: &amounts,
                        signed_on,
                    };
                    let text = statement.canonical_text();
                    let signed = efirma::sign_request(
                        files.cer,
                        files.key,
                        files.password,
                        &issuers,
                        now,
                        person.rfc.as_str(),
                        text.as_bytes(),
                    )
                    .map_err(RefundError::Efirma)?;
                    let answers = RefundAnswers {
                        nss: person.nss,
                        rfc: person.rfc,
                        clabe: bank.clabe,
                        bank_name: bank.bank_name.clone(),
                        holder_declared: true,
                        amounts: amounts.clone(),
                        pension: pension.clone(),
                        signed_on: domain::dates::iso(signed_on),
                        efirma: StoredSignature::of(&signed, &text),
                    };
                    serde_json::to_value(&answers)
                        .map_err(|_| RefundError::Answers(AnswersError::Unreadable))
                },
            )
            .await;
        match outcome {
            Err(RefundError::Efirma(e)) => {
                let details = json!({ "code": e.code() });
                let entry = self.audit(caller, acting, "refund_efirma_refused", member, details);
                self.store.append_audit(&[entry]).await?;
                Err(RefundError::Efirma(e))
            }
            // Filed meanwhile by another tab or channel: the database keeps it to one.
            Err(RefundError::Request(RequestError::AlreadyOpen)) => {
                Err(RefundError::NotEligible(vec![Refusal::RefundOpen]))
            }
            other => other,
        }
    }

    async fn request(
        &self,
        folio: &Folio,
        acting: Acting,
    ) -> Result<(Request, RefundAnswers), RefundError> {
        refund_request(self.store.as_ref(), folio, acting).await
    }

    /// An operator starts reviewing the request.
    pub async fn start_review(
        &self,
        folio: &Folio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, RefundError> {
        self.request(folio, acting).await?;
        Ok(self
            .requests
            .act(folio, Action::StartReview, acting, caller)
            .await?)
    }

    /// An operator approves it, once its signature has been checked again.
    pub async fn approve(
        &self,
        folio: &Folio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, RefundError> {
        decide(
            &self.store,
            &self.requests,
            folio,
            Action::Approve,
            acting,
            caller,
        )
        .await
    }

    /// An operator rejects it with a reason code (`clabe_not_in_member_name`, `data_mismatch`,
    /// …), which the member is told.
    pub async fn reject(
        &self,
        folio: &Folio,
        reason: ReasonCode,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, RefundError> {
        self.request(folio, acting).await?;
        Ok(self
            .requests
            .act(folio, Action::Reject { reason }, acting, caller)
            .await?)
    }

    /// The deposit was made (the payment batch, or an operator): the request is done and the
    /// ledger records the withdrawal of each bucket the fund paid, in the same transaction,
    /// exactly once. Calling it again changes nothing (`request_closed`).
    pub async fn complete(
        &self,
        folio: &Folio,
        acting: Acting,
        caller: &Caller,
    ) -> Result<Request, RefundError> {
        decide(
            &self.store,
            &self.requests,
            folio,
            Action::Complete,
            acting,
            caller,
        )
        .await
    }

    /// The member's refund with its timeline, answers and whether its signature holds; another
    /// member's folio is not found (and the attempt audited).
    pub async fn view(
        &self,
        member: MemberId,
        folio: &Folio,
        caller: &Caller,
    ) -> Result<RefundView, RefundError> {
        let status = self.requests.status(member, folio, caller).await?;
        if status.kind != RequestKind::PensionerRefund {
            return Err(RequestError::NotFound.into());
        }
        self.view_of(folio, Acting::Member(member), status).await
    }

    /// Any refund, for the back office.
    pub async fn view_for_operator(
        &self,
        folio: &Folio,
        operator: i64,
    ) -> Result<RefundView, RefundError> {
        let owner = self
            .store
            .folio_owner(folio)
            .await?
            .ok_or(RequestError::NotFound)?;
        let status = self.requests.status_of(owner, folio).await?;
        self.view_of(folio, Acting::Operator(operator), status)
            .await
    }

    async fn view_of(
        &self,
        folio: &Folio,
        acting: Acting,
        status: RequestStatus,
    ) -> Result<RefundView, RefundError> {
        let (request, answers) = self.request(folio, acting).await?;
        Ok(RefundView {
            member_id: request.member_id,
            signature_valid: answers.verify(folio).is_ok(),
            status,
            answers,
            submitted_at: request.submitted_at,
            promised_on: request.promised_on,
        })
    }
}

/// The refund request behind `folio` and its answers: the member's own, or anyone's for an
/// operator or the system. A folio of another kind is not found.
async fn refund_request(
    store: &dyn Store,
    folio: &Folio,
    acting: Acting,
) -> Result<(Request, RefundAnswers), RefundError> {
    let member = match acting.member() {
        Some(member) => member,
        None => store
            .folio_owner(folio)
            .await?
            .ok_or(RequestError::NotFound)?,
    };
    let request = store
        .request_by_folio(member, folio)
        .await?
        .filter(|r| r.kind == RequestKind::PensionerRefund)
        .ok_or(RequestError::NotFound)?;
    let answers = RefundAnswers::from_json(&request.answers)?;
    Ok((request, answers))
}

/// A decision on a refund, whoever takes it (these use cases, or the back office's generic
/// decision page): an approval and a completion first check the signature again against the
/// stored answers; a completion books, with the change, the withdrawal of each bucket the fund
/// paid, dated the day it is made, once per folio. Other actions go to the request machinery
/// as they are.
pub async fn decide(
    store: &Arc<dyn Store>,
    requests: &Requests,
    folio: &Folio,
    action: Action,
    acting: Acting,
    caller: &Caller,
) -> Result<Request, RefundError> {
    let (request, answers) = refund_request(store.as_ref(), folio, acting).await?;
    if !matches!(action, Action::Approve | Action::Complete) {
        return Ok(requests.act(folio, action, acting, caller).await?);
    }
    answers.verify(folio)?;
    if action == Action::Approve {
        return Ok(requests.act(folio, action, acting, caller).await?);
    }
    let booked_on = requests.today();
    let source = refund::ledger_source(folio);
    let movements = answers
        .amounts
        .infonavit_lines()
        .map(|line| Movement {
            member_id: request.member_id,
            bucket: line.bucket,
            kind: MovementKind::Withdrawal,
            period: domain::dates::yyyymmdd(booked_on),
            source,
            amount: -line.amount,
            booked_on,
        })
        .collect();
    let posting = LedgerPosting {
        key: posting_key(folio),
        movements,
    };
    Ok(requests
        .act_posting(folio, action, acting, caller, &posting)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Messages};
    use domain::refund::{HoldKind, LawRegime, Payer, PensionKind};
    use time::macros::datetime;

    #[test]
    fn every_refusal_error_and_label_has_a_text_in_both_languages() {
        let messages = Messages::load().unwrap();
        let refusals = [
            Refusal::NoPension,
            Refusal::PensionBeforeReform {
                resolved_on: time::macros::date!(2011 - 01 - 01),
            },
            Refusal::ActiveCredit,
            Refusal::NoBalance,
            Refusal::PaidByAfore,
            Refusal::Hold {
                kind: HoldKind::CourtOrder,
            },
            Refusal::CreditApplicationOpen,
            Refusal::RefundOpen,
            Refusal::CoolingOff {
                until: datetime!(2026-01-01 0:00 UTC),
            },
        ];
        let mut ids: Vec<String> = refusals
            .iter()
            .flat_map(|r| [r.code().to_owned(), format!("{}-todo", r.code())])
            .collect();
        ids.extend(EfirmaError::ALL.iter().map(|e| e.code().to_owned()));
        ids.extend(
            HoldKind::ALL
                .iter()
                .map(|k| format!("refund-hold-{}", k.code())),
        );
        ids.extend(
            PensionKind::ALL
                .iter()
                .map(|k| format!("refund-pension-kind-{}", k.code())),
        );
        ids.extend(RefundOption::ALL.iter().flat_map(|o| {
            [
                format!("refund-option-{}", o.code()),
                format!("refund-option-{}-hint", o.code()),
            ]
        }));
        ids.extend([LawRegime::Ley73, LawRegime::Ley97].iter().flat_map(|r| {
            [
                format!("refund-regime-{}", r.code()),
                format!("refund-regime-explain-{}", r.code()),
            ]
        }));
        ids.extend(
            [Payer::Infonavit, Payer::AforeRefund, Payer::AforePension]
                .iter()
                .map(|p| format!("refund-payer-{}", p.code())),
        );
        for error in [
            RefundError::NotEligible(Vec::new()),
            RefundError::NoBankAccount,
            RefundError::EfirmaMissing,
            RefundError::EfirmaNotConfigured,
            RefundError::Answers(AnswersError::SignatureInvalid),
            RefundError::Answers(AnswersError::Unreadable),
            RefundError::Field("holder", "refund_holder_not_declared"),
            RefundError::Field("current_password", "current_password_required"),
            RefundError::Request(RequestError::Posting("posting_already_made")),
            RefundError::Request(RequestError::Posting("posting_overdraws")),
        ] {
            ids.push(error.code().to_owned());
        }
        for channel in ["web", "app", "phone", "cesi"] {
            ids.push(format!("refund-channel-{channel}"));
        }
        for id in ids {
            for lang in [Lang::Es, Lang::En] {
                assert!(messages.has(lang, &id), "{id} has no {} text", lang.tag());
            }
        }
    }
}
