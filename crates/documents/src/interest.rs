//! The interest certificate for the annual tax return ("Constancia de intereses reales"): the
//! real interest paid in a fiscal year on a home credit, which the member deducts under LISR
//! art. 151 fr. IV. It prints the figures it is given with the formula and the INPC values
//! behind them; it computes nothing.

use domain::money::Money;
use domain::registry::{CreditNumber, Member};
use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::member::MemberInput;
use crate::{Document, DocumentError, DocumentKind, format};

/// A fiscal year's real interest on one credit (RLISR art. 257).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterestCertificate {
    pub member: Member,
    /// The member's fiscal address, when the fund holds one.
    pub address: Option<String>,
    /// Where the home stands.
    pub property_address: String,
    pub credit_number: CreditNumber,
    pub fiscal_year: i32,
    /// The last day of each month of the year the credit was owed, with its balance that day.
    pub months: Vec<(Date, Money)>,
    pub average_balance: Money,
    /// The INPC of the month before the first month, with its label ("diciembre de 2024").
    pub inpc_start: (String, Decimal),
    /// The INPC of the last month, with its label.
    pub inpc_end: (String, Decimal),
    /// INPC final / INPC inicial − 1.
    pub adjustment_factor: Decimal,
    pub inflation_adjustment: Money,
    pub nominal_interest: Money,
    /// Nominal interest less the inflation adjustment, never below zero.
    pub real_interest: Money,
}

#[derive(Serialize)]
struct Input<'a> {
    member: MemberInput<'a>,
    address: Option<&'a str>,
    property_address: &'a str,
    credit_number: &'a str,
    fiscal_year: i32,
    months: Vec<MonthInput>,
    average_balance: String,
    inpc_start: InpcInput<'a>,
    inpc_end: InpcInput<'a>,
    adjustment_factor: String,
    inflation_adjustment: String,
    nominal_interest: String,
    real_interest: String,
    /// Whether the adjustment took all the nominal interest.
    real_is_zero: bool,
}

#[derive(Serialize)]
struct MonthInput {
    month: String,
    day: String,
    balance: String,
}

#[derive(Serialize)]
struct InpcInput<'a> {
    label: &'a str,
    value: String,
}

fn inpc((label, value): &(String, Decimal)) -> InpcInput<'_> {
    InpcInput {
        label,
        value: value.to_string(),
    }
}

impl Document for InterestCertificate {
    fn kind(&self) -> DocumentKind {
        DocumentKind::InterestCertificate
    }

    /// `interest_months` unless there are one to twelve month-ends, all in the fiscal year.
    fn check(&self) -> Result<(), DocumentError> {
        let in_year = self
            .months
            .iter()
            .all(|(day, _)| day.year() == self.fiscal_year);
        if in_year && (1..=12).contains(&self.months.len()) {
            Ok(())
        } else {
            Err(DocumentError::Input("interest_months".into()))
        }
    }

    fn template_input(&self) -> impl Serialize {
        Input {
            member: MemberInput::new(&self.member),
            address: self.address.as_deref(),
            property_address: &self.property_address,
            credit_number: self.credit_number.as_str(),
            fiscal_year: self.fiscal_year,
            months: self
                .months
                .iter()
                .map(|&(day, balance)| MonthInput {
                    month: format::month_year(day),
                    day: format::short_date(day),
                    balance: format::money(balance),
                })
                .collect(),
            average_balance: format::money(self.average_balance),
            inpc_start: inpc(&self.inpc_start),
            inpc_end: inpc(&self.inpc_end),
            adjustment_factor: self.adjustment_factor.to_string(),
            inflation_adjustment: format::money(self.inflation_adjustment),
            nominal_interest: format::money(self.nominal_interest),
            real_interest: format::money(self.real_interest),
            real_is_zero: self.real_interest.is_zero(),
        }
    }
}
