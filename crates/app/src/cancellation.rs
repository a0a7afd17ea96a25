//! "Carta de instrucción de cancelación de hipoteca" (domain.md §8.1): for a paid-off credit
//! only, the member says which route releases the mortgage and gives that route's data (checked
//! by `domain::credit::cancellation`). The request gets a folio, the fund decides it at once (a
//! paid-off credit needs no review) and the letter is issued, valid for 180 calendar days.

use std::collections::BTreeMap;

pub use domain::credit::cancellation::{
    CREDIT_LINES, Checked, NOTARY_ONLY_STATES, ROUTES, VALID_DAYS, fields_of, valid_until,
};
use domain::registry::{CreditNumber, MemberId};
use domain::requests::{Action, RequestKind};
use serde_json::json;

use crate::accounts::Caller;
use crate::credit::{CreditError, Credits};
use crate::requests::{Acting, Filed, RequestError, Requests};

#[derive(Debug, thiserror::Error)]
pub enum CancellationError {
    #[error("{0}")]
    Credit(#[from] CreditError),
    /// The letter is only for a credit with nothing left to pay.
    #[error("cancellation_not_paid_off")]
    NotPaidOff,
    /// Fields that are missing or wrong, with a code each.
    #[error("cancellation_invalid")]
    Invalid(Vec<(&'static str, &'static str)>),
    #[error("{0}")]
    Request(#[from] RequestError),
}

impl CancellationError {
    pub fn code(&self) -> &'static str {
        match self {
            CancellationError::Credit(e) => e.code(),
            CancellationError::NotPaidOff => "cancellation_not_paid_off",
            CancellationError::Invalid(_) => "cancellation_invalid",
            CancellationError::Request(e) => e.code(),
        }
    }
}

/// Files the request for one of the member's paid-off credits and has the system decide and
/// issue it.
pub async fn request_letter(
    credits: &Credits,
    requests: &Requests,
    member: MemberId,
    number: &CreditNumber,
    form: &BTreeMap<String, String>,
    acting: Acting,
    caller: &Caller,
) -> Result<Filed, CancellationError> {
    let today = requests.today();
    let record = credits.credit(member, number, today).await?;
    if !record.view.account.paid_off {
        return Err(CancellationError::NotPaidOff);
    }
    let checked =
        domain::credit::cancellation::validate(form, today).map_err(CancellationError::Invalid)?;
    let answers = json!({
        "route": checked.route,
        "fields": checked.fields,
        "credit_number": number.as_str(),
    });
    let filed = requests
        .submit(
            member,
            RequestKind::CancellationLetter,
            &answers,
            acting,
            caller,
        )
        .await?;
    let system = Caller {
        channel: domain::audit::Channel::System,
        origin: "cancellation".into(),
        device: String::new(),
    };
    requests
        .act(&filed.folio, Action::Approve, Acting::System, &system)
        .await?;
    requests
        .act(&filed.folio, Action::Complete, Acting::System, &system)
        .await?;
    Ok(filed)
}
