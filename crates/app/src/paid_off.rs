//! Requests for a paid-off credit, with a folio on the request machinery: the deeds the fund
//! keeps for credits of 1972–2007 (domain.md §8.2), delivered at the service centre (CESI) the
//! member chooses, and the refund of overpayments ("pagos en exceso") to the member's CLABE,
//! checked and named by bank as the pensioner refund does. Eligibility is in
//! `domain::credit::deeds`; the receipt is the "Acuse de solicitud" of any request.

use std::sync::Arc;

use domain::appointments::Offices;
use domain::credit::deeds::{Refusal, deeds_eligibility, overpayment_eligibility};
use domain::registry::{CreditNumber, MemberId};
use domain::requests::{Folio, RequestKind};
use serde_json::json;

use crate::accounts::Caller;
use crate::credit::{CreditError, Credits};
use crate::refund::PensionerRefunds;
use crate::requests::{Acting, Filed, RequestError, Requests};

#[derive(Debug, thiserror::Error)]
pub enum PaidOffError {
    #[error("{0}")]
    Credit(#[from] CreditError),
    #[error("{}", .0.code())]
    Refused(Refusal),
    /// A field that is missing or wrong, with its code.
    #[error("{1}")]
    Field(&'static str, &'static str),
    #[error("{0}")]
    Request(#[from] RequestError),
    #[error("{0}")]
    Issue(#[from] crate::issue::IssueError),
    #[error("{0}")]
    Reference(#[from] domain::reference::ReferenceError),
}

impl PaidOffError {
    pub fn code(&self) -> &'static str {
        match self {
            PaidOffError::Credit(e) => e.code(),
            PaidOffError::Refused(r) => r.code(),
            PaidOffError::Field(_, code) => code,
            PaidOffError::Request(e) => e.code(),
            PaidOffError::Issue(e) => e.code(),
            PaidOffError::Reference(e) => e.code(),
        }
    }
}

/// Files the deeds request for one of the member's credits, to be delivered at `office`.
#[allow(clippy::too_many_arguments)]
pub async fn request_deeds(
    credits: &Credits,
    requests: &Requests,
    member: MemberId,
    number: &CreditNumber,
    office: &str,
    acting: Acting,
    caller: &Caller,
) -> Result<Filed, PaidOffError> {
    let today = requests.today();
    let record = credits.credit(member, number, today).await?;
    deeds_eligibility(&record.view.credit, &record.view.account).map_err(PaidOffError::Refused)?;
    let offices = Offices::embedded(&credits.tables().states)?;
    let office = offices
        .by_code(office.trim())
        .ok_or(PaidOffError::Field("office", "office_unknown"))?;
    let answers = json!({
        "credit_number": number.as_str(),
        "originated_on": domain::dates::iso(record.view.credit.originated_on),
        "office": office.code.to_string(),
        "office_name": office.name,
        "office_address": office.address,
    });
    Ok(requests
        .submit(member, RequestKind::Deeds, &answers, acting, caller)
        .await?)
}

/// Files the refund of what the member paid beyond what the credit owed, to `clabe`.
#[allow(clippy::too_many_arguments)]
pub async fn request_overpayment_refund(
    credits: &Credits,
    requests: &Requests,
    refunds: &PensionerRefunds,
    member: MemberId,
    number: &CreditNumber,
    clabe: &str,
    acting: Acting,
    caller: &Caller,
) -> Result<Filed, PaidOffError> {
    let today = requests.today();
    let record = credits.credit(member, number, today).await?;
    let amount = overpayment_eligibility(&record.view.account).map_err(PaidOffError::Refused)?;
    let (clabe, bank) = refunds.bank_of(clabe).map_err(|e| match e {
        crate::refund::RefundError::Field(field, code) => PaidOffError::Field(field, code),
        _ => PaidOffError::Field("clabe", "clabe_invalid"),
    })?;
    let answers = json!({
        "credit_number": number.as_str(),
        "amount": amount.to_string(),
        "clabe": clabe.as_str(),
        "bank": bank,
    });
    Ok(requests
        .submit(
            member,
            RequestKind::OverpaymentRefund,
            &answers,
            acting,
            caller,
        )
        .await?)
}

/// The "Acuse de solicitud" of the member's deeds or overpayment request `folio`.
pub async fn receipt_pdf(
    credits: &Credits,
    requests: &Requests,
    renderer: Arc<documents::Renderer>,
    member: MemberId,
    folio: &Folio,
    now: time::OffsetDateTime,
    caller: &Caller,
) -> Result<documents::Rendered, PaidOffError> {
    let store = credits.store();
    let found = store
        .request_by_folio(member, folio)
        .await
        .map_err(RequestError::from)?;
    if found.is_none() {
        requests
            .refuse_foreign(member, folio, Acting::Member(member), caller)
            .await?;
    }
    let request = found
        .filter(|r| matches!(r.kind, RequestKind::Deeds | RequestKind::OverpaymentRefund))
        .ok_or(RequestError::NotFound)?;
    let messages = requests.messages();
    let lang = crate::i18n::Lang::Es;
    let t = |id: &str| messages.text(lang, id);
    let answers: serde_json::Value =
        serde_json::from_str(&request.answers).unwrap_or(serde_json::Value::Null);
    let text = |name: &str| answers[name].as_str().unwrap_or_default().to_owned();
    let mut rows = vec![(t("credit-number"), text("credit_number"))];
    match request.kind {
        RequestKind::Deeds => {
            rows.push((
                t("paid-off-deeds-office"),
                format!("{}, {}", text("office_name"), text("office_address")),
            ));
        }
        _ => {
            let amount = domain::money::Money::parse(&text("amount")).unwrap_or_default();
            rows.push((t("paid-off-overpaid"), amount.pesos()));
            rows.push((
                t("paid-off-clabe"),
                format!("{} ({})", text("clabe"), text("bank")),
            ));
        }
    }
    let data = documents::RequestReceipt {
        folio: folio.as_str().to_owned(),
        kind_label: crate::requests::kind_text(messages, lang, request.kind),
        member: store
            .member(member)
            .await
            .map_err(RequestError::from)?
            .ok_or(RequestError::NoMember)?,
        submitted_at: request.submitted_at.unwrap_or(now),
        promised_on: request
            .promised_on
            .unwrap_or_else(|| domain::dates::mexico_city_date(now)),
        channel_label: t("refund-channel-web"),
        answers: rows,
    };
    Ok(crate::issue::issue(
        store.as_ref(),
        renderer,
        member,
        Arc::new(data),
        now,
        caller,
    )
    .await?)
}
