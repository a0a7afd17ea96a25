//! The welcome letter of Responsabilidad Compartida ("Carta de bienvenida", domain.md §11): the
//! credit is now in fixed pesos. It prints the conditions it was converted on next to the VSM
//! credit it replaced; it computes nothing.

use domain::credit::conversion::Offer;
use domain::registry::{CreditNumber, Member};
use serde::Serialize;
use time::Date;

use crate::member::MemberInput;
use crate::{Document, DocumentKind, format};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionLetter {
    pub member: Member,
    pub credit_number: CreditNumber,
    /// The day of the conversion (Mexico City).
    pub converted_on: Date,
    pub offer: Offer,
}

#[derive(Serialize)]
struct Input<'a> {
    member: MemberInput<'a>,
    credit_number: &'a str,
    converted_on: String,
    balance: String,
    reindexation: String,
    discount: String,
    new_balance: String,
    rate: String,
    current_rate: String,
    monthly_payment: String,
    current_payment: String,
    payment_raised: bool,
    months: u32,
    first_payment_on: String,
    ends_on: String,
    total_to_pay: String,
    yearly_unit_growth: String,
    vsm_balance_at_end: String,
    vsm_payment_at_end: String,
}

impl Document for ConversionLetter {
    fn kind(&self) -> DocumentKind {
        DocumentKind::ConversionLetter
    }

    fn template_input(&self) -> impl Serialize {
        let o = &self.offer;
        Input {
            member: MemberInput::new(&self.member),
            credit_number: self.credit_number.as_str(),
            converted_on: format::long_date(self.converted_on),
            balance: format::money(o.balance),
            reindexation: format::money(o.reindexation),
            discount: format::money(o.discount),
            new_balance: format::money(o.new_balance),
            rate: format::percent(o.rate),
            current_rate: format::percent(o.current_rate),
            monthly_payment: format::money(o.monthly_payment),
            current_payment: format::money(o.current_payment),
            payment_raised: o.payment_raised,
            months: o.months,
            first_payment_on: format::long_date(o.first_payment_on),
            ends_on: format::long_date(o.ends_on),
            total_to_pay: format::money(o.total_to_pay),
            yearly_unit_growth: format::percent(o.yearly_unit_growth),
            vsm_balance_at_end: format::money(o.vsm_balance_at_end),
            vsm_payment_at_end: format::money(o.vsm_payment_at_end),
        }
    }
}
