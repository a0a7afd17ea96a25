//! The discount notices the member hands to the employer (RIPAEDI arts. 42 y 44): the aviso para
//! retención, de suspensión or de modificación de descuentos. One input type for the three; its
//! `kind` says which one it is.

use domain::money::Money;
use domain::registry::{CreditNumber, Member, Nrp};
use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::member::MemberInput;
use crate::{Document, DocumentError, DocumentKind, format};

/// Which notice: start, stop or change the payroll deductions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    Retention,
    Suspension,
    Modification,
}

/// The discount the employer applies, as the fund states it (domain notes §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeDiscount {
    /// A share of the integrated daily wage: 0.20 is 20%.
    Percentage(Decimal),
    /// A fixed amount of pesos per month.
    FixedPesos(Money),
    /// A monthly factor in daily UMI (the former minimum wage), e.g. 25.3400.
    VsmFactor(Decimal),
}

/// Why the notice was issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoticeReason {
    NewCredit,
    NewEmployer,
    /// The credit is paid off or about to be: the employer contributions still to come cover
    /// the rest, so what was withheld this bimester is still applied to it.
    PaidOff,
    /// Prórroga: payments deferred (job loss, natural disaster, sanitary emergency).
    Extension,
    /// A payment-relief programme (Fondo de Protección de Pagos, paro técnico and the like).
    Relief,
    /// The credit was cancelled or never formalised.
    Cancelled,
    /// Restructuring, re-signing or a new discount factor.
    DiscountChanged,
    /// Conversion to fixed pesos under Responsabilidad Compartida.
    Conversion,
}

impl NoticeReason {
    pub const ALL: [NoticeReason; 8] = [
        NoticeReason::NewCredit,
        NoticeReason::NewEmployer,
        NoticeReason::PaidOff,
        NoticeReason::Extension,
        NoticeReason::Relief,
        NoticeReason::Cancelled,
        NoticeReason::DiscountChanged,
        NoticeReason::Conversion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeReason::NewCredit => "new_credit",
            NoticeReason::NewEmployer => "new_employer",
            NoticeReason::PaidOff => "paid_off",
            NoticeReason::Extension => "extension",
            NoticeReason::Relief => "relief",
            NoticeReason::Cancelled => "cancelled",
            NoticeReason::DiscountChanged => "discount_changed",
            NoticeReason::Conversion => "conversion",
        }
    }

    /// The one kind of notice this reason leads to (domain notes §6): deductions start for a
    /// new credit or employer, stop while the credit is paid off, cancelled, deferred or
    /// relieved, and change with its terms.
    pub fn notice(self) -> NoticeKind {
        use NoticeReason::*;
        match self {
            NewCredit | NewEmployer => NoticeKind::Retention,
            PaidOff | Extension | Relief | Cancelled => NoticeKind::Suspension,
            DiscountChanged | Conversion => NoticeKind::Modification,
        }
    }
}

/// An aviso de retención, suspensión or modificación de descuentos, addressed to the employer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountNotice {
    pub kind: NoticeKind,
    pub member: Member,
    pub credit_number: CreditNumber,
    pub employer_name: String,
    /// The employer's registro patronal.
    pub employer_nrp: Nrp,
    pub discount: NoticeDiscount,
    /// The damage-insurance premium per month.
    pub monthly_insurance: Money,
    /// The day deductions start (retention, modification) or stop (suspension).
    pub effective_on: Date,
    pub reason: NoticeReason,
}

#[derive(Serialize)]
struct Input<'a> {
    /// "retention", "suspension" or "modification".
    kind: &'static str,
    member: MemberInput<'a>,
    credit_number: &'a str,
    employer: EmployerInput<'a>,
    discount: DiscountInput,
    insurance: InsuranceInput,
    effective_on: String,
    reason: &'static str,
}

#[derive(Serialize)]
struct EmployerInput<'a> {
    name: &'a str,
    nrp: &'a str,
}

#[derive(Serialize)]
struct DiscountInput {
    /// "percentage", "fixed_pesos" or "vsm_factor".
    #[serde(rename = "type")]
    kind: &'static str,
    /// "20%", "$1,250.00" or "25.3400".
    value: String,
    /// For fixed pesos, two months of the amount: "$2,500.00".
    bimester: Option<String>,
}

#[derive(Serialize)]
struct InsuranceInput {
    monthly: String,
    bimester: String,
}

impl Document for DiscountNotice {
    fn kind(&self) -> DocumentKind {
        match self.kind {
            NoticeKind::Retention => DocumentKind::RetentionNotice,
            NoticeKind::Suspension => DocumentKind::SuspensionNotice,
            NoticeKind::Modification => DocumentKind::ModificationNotice,
        }
    }

    /// `notice_reason` when the reason cannot lead to this kind of notice.
    fn check(&self) -> Result<(), DocumentError> {
        if self.reason.notice() == self.kind {
            Ok(())
        } else {
            Err(DocumentError::Input("notice_reason".into()))
        }
    }

    fn template_input(&self) -> impl Serialize {
        let two_months = |monthly: Money| format::money(monthly + monthly);
        let discount = match self.discount {
            NoticeDiscount::Percentage(share) => DiscountInput {
                kind: "percentage",
                value: format::percent(share),
                bimester: None,
            },
            NoticeDiscount::FixedPesos(monthly) => DiscountInput {
                kind: "fixed_pesos",
                value: format::money(monthly),
                bimester: Some(two_months(monthly)),
            },
            NoticeDiscount::VsmFactor(factor) => DiscountInput {
                kind: "vsm_factor",
                value: factor.to_string(),
                bimester: None,
            },
        };
        Input {
            kind: match self.kind {
                NoticeKind::Retention => "retention",
                NoticeKind::Suspension => "suspension",
                NoticeKind::Modification => "modification",
            },
            member: MemberInput::new(&self.member),
            credit_number: self.credit_number.as_str(),
            employer: EmployerInput {
                name: &self.employer_name,
                nrp: self.employer_nrp.as_str(),
            },
            discount,
            insurance: InsuranceInput {
                monthly: format::money(self.monthly_insurance),
                bimester: two_months(self.monthly_insurance),
            },
            effective_on: format::long_date(self.effective_on),
            reason: self.reason.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_lead_to_their_notice() {
        let leading_to = |kind| {
            NoticeReason::ALL
                .into_iter()
                .filter(|r| r.notice() == kind)
                .count()
        };
        assert_eq!(leading_to(NoticeKind::Retention), 2);
        assert_eq!(leading_to(NoticeKind::Suspension), 4);
        assert_eq!(leading_to(NoticeKind::Modification), 2);
        assert_eq!(NoticeReason::Relief.notice(), NoticeKind::Suspension);
    }
}
