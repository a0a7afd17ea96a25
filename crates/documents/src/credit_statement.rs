//! The credit statement ("Estado de cuenta de tu crédito"): what the member owed at the start
//! and end of a period, the terms in force, and every charge and payment with the balance after
//! it. A period of up to two years lists every movement; a longer one (the whole history of a
//! 30-year credit is 360 months of lines) is summarised by calendar year — what each year charged,
//! what was paid and the balance at its close — and each year's detail is its own statement.

use domain::money::Money;
use domain::registry::{CreditMovementKind, CreditNumber, Denomination, Member};
use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::member::MemberInput;
use crate::{Document, DocumentError, DocumentKind, format};

/// Everything the credit statement shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditStatementData {
    pub member: Member,
    pub credit_number: CreditNumber,
    pub denomination: Denomination,
    pub period_from: Date,
    pub period_to: Date,
    pub opening_balance: Money,
    pub closing_balance: Money,
    /// For a VSM credit, the closing balance in monthly minimum wages.
    pub closing_balance_vsm: Option<Decimal>,
    pub monthly_payment: Money,
    /// Annual rate: 0.1045 is 10.45%.
    pub rate: Decimal,
    /// The period's movements in booking order.
    pub lines: Vec<CreditStatementLine>,
    pub paid_off: bool,
}

/// One movement as the statement lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditStatementLine {
    pub booked_on: Date,
    pub kind: CreditMovementKind,
    /// Signed as it changes what is owed: charges positive, payments negative.
    pub amount: Money,
    /// What is owed after this movement.
    pub balance: Money,
}

#[derive(Serialize)]
struct Input<'a> {
    member: MemberInput<'a>,
    credit_number: &'a str,
    denomination: &'static str,
    period: Period,
    opening_balance: String,
    closing_balance: String,
    closing_balance_vsm: Option<String>,
    monthly_payment: String,
    rate: String,
    paid_off: bool,
    charges: String,
    payments: String,
    /// Each line as the table's cells: date, kind code, charge, payment, balance. Empty when
    /// the period is summarised by year.
    lines: Vec<[String; 5]>,
    /// For a long period, each calendar year's cells: year, charges, payments, closing balance.
    years: Vec<[String; 4]>,
    movement_count: usize,
}

/// Periods longer than this many months are summarised by year.
pub const DETAIL_MONTHS: i32 = 24;

/// Whether the statement of this period lists every movement rather than a summary by year.
pub fn lists_every_movement(from: Date, to: Date) -> bool {
    let months = (to.year() - from.year()) * 12 + i32::from(u8::from(to.month()))
        - i32::from(u8::from(from.month()));
    months < DETAIL_MONTHS
}

#[derive(Serialize)]
struct Period {
    from: String,
    to: String,
}

impl Document for CreditStatementData {
    fn kind(&self) -> DocumentKind {
        DocumentKind::CreditStatement
    }

    /// `statement_period` when the period ends before it starts or a line falls outside it.
    fn check(&self) -> Result<(), DocumentError> {
        let inside = |day: Date| self.period_from <= day && day <= self.period_to;
        if self.period_from <= self.period_to && self.lines.iter().all(|l| inside(l.booked_on)) {
            Ok(())
        } else {
            Err(DocumentError::Input("statement_period".into()))
        }
    }

    fn template_input(&self) -> impl Serialize {
        let (charges, payments): (Vec<Money>, Vec<Money>) = self
            .lines
            .iter()
            .map(|l| l.amount)
            .partition(|amount| !amount.is_negative());
        let payments: Money = payments.into_iter().sum();
        Input {
            member: MemberInput::new(&self.member),
            credit_number: self.credit_number.as_str(),
            denomination: self.denomination.code(),
            period: Period {
                from: format::long_date(self.period_from),
                to: format::long_date(self.period_to),
            },
            opening_balance: format::money(self.opening_balance),
            closing_balance: format::money(self.closing_balance),
            closing_balance_vsm: self.closing_balance_vsm.map(|vsm| vsm.to_string()),
            monthly_payment: format::money(self.monthly_payment),
            rate: format::percent(self.rate),
            paid_off: self.paid_off,
            charges: format::money(charges.into_iter().sum()),
            payments: format::money(-payments),
            lines: if lists_every_movement(self.period_from, self.period_to) {
                self.lines.iter().map(line).collect()
            } else {
                Vec::new()
            },
            years: if lists_every_movement(self.period_from, self.period_to) {
                Vec::new()
            } else {
                by_year(&self.lines)
            },
            movement_count: self.lines.len(),
        }
    }
}

/// Each calendar year with movements: its charges, its payments and the balance after its last
/// movement, in order.
fn by_year(lines: &[CreditStatementLine]) -> Vec<[String; 4]> {
    let mut years: Vec<(i32, Money, Money, Money)> = Vec::new();
    for l in lines {
        let year = l.booked_on.year();
        if years.last().is_none_or(|y| y.0 != year) {
            years.push((year, Money::ZERO, Money::ZERO, l.balance));
        }
        if let Some(y) = years.last_mut() {
            if l.amount.is_negative() {
                y.2 += -l.amount;
            } else {
                y.1 += l.amount;
            }
            y.3 = l.balance;
        }
    }
    years
        .into_iter()
        .map(|(year, charges, payments, closing)| {
            [
                year.to_string(),
                format::money(charges),
                format::money(payments),
                format::money(closing),
            ]
        })
        .collect()
}

/// A charge in the charges column, a payment (as a positive amount) in the payments column.
fn line(line: &CreditStatementLine) -> [String; 5] {
    let (charge, payment) = if line.amount.is_negative() {
        (String::new(), format::money(-line.amount))
    } else {
        (format::money(line.amount), String::new())
    };
    [
        format::short_date(line.booked_on),
        line.kind.code().to_owned(),
        charge,
        payment,
        format::money(line.balance),
    ]
}
