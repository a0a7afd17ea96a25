//! The credit's PDFs: the statement of a period, each payroll-discount notice that applies
//! today, the interest certificate of a closed year and the cancellation letter of a completed
//! request. Each is built from the same reads as its page and issued through [`crate::issue`],
//! so every one carries a verification code and is recorded.

use std::sync::Arc;

use documents::{
    CancellationLetter, CancellationRoute, CreditStatementData, CreditStatementLine,
    DiscountNotice, Notary, NoticeDiscount, Rendered, Renderer,
};
use domain::credit::{DiscountKind, NoticeKind, NoticeReason};
use domain::money::Money;
use domain::registry::{CreditNumber, MemberId, Nrp};
use domain::requests::{Folio, RequestKind, RequestState};
use time::{Date, OffsetDateTime};

use crate::accounts::Caller;
use crate::credit::{CreditError, Credits};
use crate::issue::{IssueError, issue};

#[derive(Debug, thiserror::Error)]
pub enum CreditDocumentError {
    #[error("{0}")]
    Credit(#[from] CreditError),
    #[error("{0}")]
    Issue(#[from] IssueError),
    #[error("{0}")]
    Store(#[from] store::StoreError),
    /// No completed cancellation request of this member has this folio.
    #[error("request_not_found")]
    NoLetter,
}

impl CreditDocumentError {
    pub fn code(&self) -> &'static str {
        match self {
            CreditDocumentError::Credit(e) => e.code(),
            CreditDocumentError::Issue(e) => e.code(),
            CreditDocumentError::Store(_) => "service_unavailable",
            CreditDocumentError::NoLetter => "request_not_found",
        }
    }
}

fn notice_kind(kind: NoticeKind) -> documents::NoticeKind {
    match kind {
        NoticeKind::Retention => documents::NoticeKind::Retention,
        NoticeKind::Suspension => documents::NoticeKind::Suspension,
        NoticeKind::Modification => documents::NoticeKind::Modification,
    }
}

fn notice_reason(reason: NoticeReason) -> documents::NoticeReason {
    match reason {
        NoticeReason::NewCredit => documents::NoticeReason::NewCredit,
        NoticeReason::NewEmployer => documents::NoticeReason::NewEmployer,
        NoticeReason::PaidOff => documents::NoticeReason::PaidOff,
        NoticeReason::Cancelled => documents::NoticeReason::Cancelled,
        NoticeReason::Extension => documents::NoticeReason::Extension,
        NoticeReason::DiscountChanged => documents::NoticeReason::DiscountChanged,
        NoticeReason::Conversion => documents::NoticeReason::Conversion,
    }
}

impl Credits {
    async fn person(&self, member: MemberId) -> Result<domain::registry::Member, CreditError> {
        self.store()
            .member(member)
            .await?
            .ok_or(CreditError::NotFound)
    }

    /// The statement of `from..=to` (from the origination and up to today by default).
    #[allow(clippy::too_many_arguments)]
    pub async fn statement_pdf(
        &self,
        renderer: Arc<Renderer>,
        member: MemberId,
        number: &CreditNumber,
        from: Option<Date>,
        to: Option<Date>,
        now: OffsetDateTime,
        caller: &Caller,
    ) -> Result<Rendered, CreditDocumentError> {
        let today = domain::dates::mexico_city_date(now);
        let record = self.credit(member, number, today).await?;
        let view = &record.view;
        let from = from.unwrap_or(view.credit.originated_on);
        let to = to.unwrap_or(today).min(today);
        let mut owed = Money::ZERO;
        let mut opening = Money::ZERO;
        let mut lines = Vec::new();
        for m in &record.movements {
            owed += m.amount;
            if m.booked_on < from {
                opening = owed;
            } else if m.booked_on <= to {
                lines.push(CreditStatementLine {
                    booked_on: m.booked_on,
                    kind: m.kind,
                    amount: m.amount,
                    balance: owed,
                });
            }
        }
        let closing = lines.last().map_or(opening, |l| l.balance);
        let data = CreditStatementData {
            member: self.person(member).await?,
            credit_number: number.clone(),
            denomination: view.credit.denomination,
            period_from: from,
            period_to: to,
            opening_balance: opening,
            closing_balance: closing,
            closing_balance_vsm: view
                .account
                .unit
                .and_then(|u| domain::credit::vsm::in_units(closing.max(Money::ZERO), u)),
            monthly_payment: view.account.monthly_payment,
            rate: view.credit.rate,
            lines,
            paid_off: view.account.paid_off,
        };
        Ok(issue(
            self.store().as_ref(),
            renderer,
            member,
            Arc::new(data),
            now,
            caller,
        )
        .await?)
    }

    /// The notice of `kind` for `employer`, if it applies today.
    #[allow(clippy::too_many_arguments)]
    pub async fn notice_pdf(
        &self,
        renderer: Arc<Renderer>,
        member: MemberId,
        number: &CreditNumber,
        kind: NoticeKind,
        employer: &Nrp,
        now: OffsetDateTime,
        caller: &Caller,
    ) -> Result<Rendered, CreditDocumentError> {
        let today = domain::dates::mexico_city_date(now);
        let (notice, record) = self.notice(member, number, kind, employer, today).await?;
        let offer = notice.offer;
        let discount = match offer.discount.kind {
            DiscountKind::Percentage => NoticeDiscount::Percentage(offer.discount.value),
            DiscountKind::FixedPesos => NoticeDiscount::FixedPesos(
                Money::from_decimal(offer.discount.value).map_err(CreditError::from)?,
            ),
            DiscountKind::VsmFactor => NoticeDiscount::VsmFactor(offer.discount.value),
        };
        // The damage insurance charged over the last year, as a monthly amount.
        let insurance = record.view.account.last_twelve_months.insurance;
        let data = DiscountNotice {
            kind: notice_kind(offer.kind),
            member: self.person(member).await?,
            credit_number: number.clone(),
            employer_name: notice
                .employer
                .map(|e| e.name)
                .unwrap_or_else(|| offer.employer.as_str().to_owned()),
            employer_nrp: offer.employer,
            discount,
            monthly_insurance: Money::from_centavos(insurance.centavos() / 12),
            effective_on: offer.effective_on,
            reason: notice_reason(offer.reason),
        };
        Ok(issue(
            self.store().as_ref(),
            renderer,
            member,
            Arc::new(data),
            now,
            caller,
        )
        .await?)
    }

    /// The interest certificate of `year`.
    #[allow(clippy::too_many_arguments)]
    pub async fn interest_pdf(
        &self,
        renderer: Arc<Renderer>,
        member: MemberId,
        number: &CreditNumber,
        year: i32,
        now: OffsetDateTime,
        caller: &Caller,
    ) -> Result<Rendered, CreditDocumentError> {
        let today = domain::dates::mexico_city_date(now);
        let (_, c) = self.interest(member, number, year, today).await?;
        let label = |v: domain::credit::interest::InpcValue| {
            let day = Date::from_calendar_date(v.year, v.month, 1).unwrap_or(today);
            (documents::format::month_year(day), v.value)
        };
        let data = documents::InterestCertificate {
            member: self.person(member).await?,
            address: None,
            property_address: String::new(),
            credit_number: number.clone(),
            fiscal_year: year,
            months: c.months.iter().map(|m| (m.month_end, m.balance)).collect(),
            average_balance: c.average_balance,
            inpc_start: label(c.inpc_start),
            inpc_end: label(c.inpc_end),
            adjustment_factor: c.adjustment_factor,
            inflation_adjustment: c.inflation_adjustment,
            nominal_interest: c.nominal_interest,
            real_interest: c.real_interest,
        };
        Ok(issue(
            self.store().as_ref(),
            renderer,
            member,
            Arc::new(data),
            now,
            caller,
        )
        .await?)
    }

    /// The letter of a completed cancellation request of the member.
    pub async fn cancellation_pdf(
        &self,
        renderer: Arc<Renderer>,
        member: MemberId,
        folio: &Folio,
        now: OffsetDateTime,
        caller: &Caller,
    ) -> Result<Rendered, CreditDocumentError> {
        let request = self
            .store()
            .request_by_folio(member, folio)
            .await?
            .filter(|r| r.kind == RequestKind::CancellationLetter && r.state == RequestState::Done)
            .ok_or(CreditDocumentError::NoLetter)?;
        let answers: serde_json::Value =
            serde_json::from_str(&request.answers).map_err(|_| CreditDocumentError::NoLetter)?;
        let text = |name: &str| {
            answers["fields"][name]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        let day = |name: &str| domain::dates::parse_iso(&text(name)).unwrap_or(now.date());
        let number = CreditNumber::parse(answers["credit_number"].as_str().unwrap_or_default())
            .map_err(|_| CreditDocumentError::NoLetter)?;
        let submitted =
            domain::dates::mexico_city_date(request.submitted_at.unwrap_or(request.created_at));
        let record = self.credit(member, &number, submitted).await?;
        let notary = || Notary {
            name: text("notary_name"),
            number: text("notary_number"),
            address: text("notary_address"),
            postal_code: text("notary_postal_code"),
            email: text("notary_email"),
            phone: text("notary_phone"),
        };
        let route = match answers["route"].as_str() {
            Some("notary_public_deed") => CancellationRoute::NotaryPublicDeed {
                notary: notary(),
                deed_number: text("deed_number"),
                originating_notary_name: text("originating_notary_name"),
                originating_notary_number: text("originating_notary_number"),
                originated_on: day("originated_on"),
                credit_line: text("credit_line"),
            },
            Some("notary_private_instrument") => CancellationRoute::NotaryPrivateInstrument {
                notary: notary(),
                instrument_number: text("instrument_number"),
                originated_on: day("originated_on"),
                credit_line: text("credit_line"),
            },
            Some("public_registry") => CancellationRoute::PublicRegistry {
                folio_real: text("folio_real"),
                recorded_on: day("recorded_on"),
                state: text("registry_state")
                    .parse::<u8>()
                    .ok()
                    .and_then(|n| self.tables().state_by_inegi(domain::registry::StateCode(n)))
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                deed_number: text("deed_number"),
                originating_notary_name: text("originating_notary_name"),
                originating_notary_number: text("originating_notary_number"),
                originated_on: day("originated_on"),
                credit_line: text("credit_line"),
            },
            _ => return Err(CreditDocumentError::NoLetter),
        };
        let data = CancellationLetter {
            folio: folio.as_str().to_owned(),
            member: self.person(member).await?,
            credit_number: number,
            paid_off_on: record.view.account.paid_off_on.unwrap_or(submitted),
            route,
            property_address: text("property_address"),
            valid_until: crate::cancellation::valid_until(submitted),
        };
        Ok(issue(
            self.store().as_ref(),
            renderer,
            member,
            Arc::new(data),
            now,
            caller,
        )
        .await?)
    }
}
