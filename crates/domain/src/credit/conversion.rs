//! Responsabilidad Compartida (domain.md §11): a credit in VSM becomes a credit in fixed pesos.
//! This module says who may convert, when (the monthly window), and what the converted credit
//! would be — the discount, the fixed balance, the rate by income, the fixed payment and the
//! end date — next to what the VSM credit would grow to if left as it is.
//!
//! Where §11 gives no formula, the rules below are this portal's decisions (docs/conversion.md):
//! - the discount gives back what the yearly VSM re-indexation added to the debt, at most 55%
//!   of the balance (the first stage's average share);
//! - the rate is the one the fund charges the member's income today (§4.5), kept within the
//!   1%–10.45% that §11 states;
//! - the payment is fixed at today's payment in pesos, raised only when that would not repay
//!   the new balance within 30 years;
//! - the projection of the VSM credit grows its balance and payment every 1 January by the
//!   average yearly rise of the unit over the last five years.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::account::CreditAccount;
use super::vsm;
use crate::dates::last_day_of_month;
use crate::money::{Money, MoneyError};
use crate::reference::{ReferenceError, ReferenceTables};
use crate::registry::{Credit, CreditProduct, CreditStatus, Denomination};

/// The first day of the month the window is open; days 1–8 are for the monthly recalculation
/// of balances ("recálculo").
pub const WINDOW_OPENS_ON_DAY: u8 = 9;

/// The largest share of the balance the discount can take (55%, §11 first stage).
pub const MAX_DISCOUNT_SHARE: Decimal = Decimal::from_parts(55, 0, 0, false, 2);

/// The range §11 gives for the rate of a converted credit: 1%–10.45%.
pub const RATE_FLOOR: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
pub const RATE_CEILING: Decimal = Decimal::from_parts(1045, 0, 0, false, 4);

/// The longest a converted credit may take to repay: 30 years.
pub const MAX_MONTHS: u32 = 360;

/// Years of unit rises averaged to project a VSM credit.
pub const GROWTH_YEARS: i32 = 5;

/// The reference of the discount movement booked by the conversion: one per credit.
pub const DISCOUNT_REFERENCE: &str = "RC";

/// Why a credit cannot be converted, with a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Ineligible {
    /// It was converted before: a credit converts once.
    AlreadyConverted,
    /// It is in pesos already.
    NotVsm,
    /// It is cancelled or paid off.
    NotActive,
    /// Nothing is owed on it.
    NothingOwed,
    /// Part of a co-financing with a bank (Cofinavit, Infonavit Total).
    CoFinanced,
}

impl Ineligible {
    pub fn code(self) -> &'static str {
        match self {
            Ineligible::AlreadyConverted => "already_converted",
            Ineligible::NotVsm => "not_vsm",
            Ineligible::NotActive => "not_active",
            Ineligible::NothingOwed => "nothing_owed",
            Ineligible::CoFinanced => "co_financed",
        }
    }
}

/// Whether the credit may convert: a VSM credit, active, with something owed, not part of a
/// bank co-financing, never converted before.
pub fn eligibility(
    credit: &Credit,
    account: &CreditAccount,
    already_converted: bool,
) -> Result<(), Ineligible> {
    if already_converted {
        return Err(Ineligible::AlreadyConverted);
    }
    if credit.denomination != Denomination::Vsm {
        return Err(Ineligible::NotVsm);
    }
    if matches!(
        credit.product,
        CreditProduct::Cofinavit | CreditProduct::InfonavitTotal
    ) {
        return Err(Ineligible::CoFinanced);
    }
    if credit.status != CreditStatus::Active || account.paid_off {
        return Err(Ineligible::NotActive);
    }
    if account.balance.centavos() <= 0 {
        return Err(Ineligible::NothingOwed);
    }
    Ok(())
}

/// The monthly window on a date (in Mexico City).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Window {
    /// From the 9th to the last day of the month.
    Open { closes_on: Date },
    /// Days 1–8: balances are being recalculated; it opens again on the 9th.
    Closed { reopens_on: Date },
}

impl Window {
    pub fn is_open(self) -> bool {
        matches!(self, Window::Open { .. })
    }
}

pub fn window(today: Date) -> Window {
    if today.day() >= WINDOW_OPENS_ON_DAY {
        Window::Open {
            closes_on: last_day_of_month(today),
        }
    } else {
        Window::Closed {
            reopens_on: today.replace_day(WINDOW_OPENS_ON_DAY).unwrap_or(today),
        }
    }
}

/// The rate of the converted credit: the rate for the member's income, within 1%–10.45%.
pub fn conversion_rate(rate_for_income: Decimal) -> Decimal {
    rate_for_income.clamp(RATE_FLOOR, RATE_CEILING)
}

/// The average yearly rise of the monthly unit over the `GROWTH_YEARS` years up to `year`
/// (0.0294 = 2.94% a year): what the projection of a VSM credit assumes for the years ahead.
pub fn yearly_unit_growth(tables: &ReferenceTables, year: i32) -> Result<Decimal, ReferenceError> {
    let mut sum = Decimal::ZERO;
    for y in (year - GROWTH_YEARS + 1)..=year {
        sum += vsm::reindexation_factor(tables, y)? - Decimal::ONE;
    }
    Ok((sum / Decimal::from(GROWTH_YEARS)).round_dp(6))
}

/// What the offer is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfferFacts {
    /// What is owed today, in pesos.
    pub balance: Money,
    /// What the yearly re-indexation added to the credit over its life.
    pub reindexation: Money,
    /// Today's monthly payment of the VSM credit, in pesos.
    pub current_payment: Money,
    /// The VSM credit's own annual rate.
    pub current_rate: Decimal,
    /// The annual rate for the member's income (before the 1%–10.45% range is applied).
    pub rate_for_income: Decimal,
    /// For the projection: the yearly rise of the unit ([`yearly_unit_growth`]).
    pub yearly_unit_growth: Decimal,
    pub today: Date,
}

/// The converted credit, next to the VSM credit as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub as_of: Date,
    /// Today, as the VSM credit stands.
    pub balance: Money,
    pub current_payment: Money,
    pub current_rate: Decimal,
    /// What the re-indexation added over the life of the credit.
    pub reindexation: Money,
    /// The discount ("quita"): the re-indexation, at most 55% of the balance.
    pub discount: Money,
    /// The balance in fixed pesos after the discount.
    pub new_balance: Money,
    /// The fixed annual rate.
    pub rate: Decimal,
    /// The fixed monthly payment.
    pub monthly_payment: Money,
    /// The payment had to rise above today's to repay the credit within 30 years.
    pub payment_raised: bool,
    /// Monthly payments until the credit is paid off.
    pub months: u32,
    pub first_payment_on: Date,
    /// The month-end of the last payment.
    pub ends_on: Date,
    /// Every payment of the converted credit added up.
    pub total_to_pay: Money,
    /// The yearly rise of the unit the projection assumes.
    pub yearly_unit_growth: Decimal,
    /// What the VSM credit would still owe on `ends_on` if not converted (zero if it would be
    /// paid off by then).
    pub vsm_balance_at_end: Money,
    /// The VSM credit's monthly payment on `ends_on`, after the yearly rises.
    pub vsm_payment_at_end: Money,
}

/// The month-end `n` months after `date`'s month.
fn month_end_after(date: Date, n: u32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + n as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, month.length(year)).unwrap_or(date)
}

/// Months a fixed payment takes to repay `balance` at `rate` a year, interest charged on the
/// balance each month and rounded to the centavo; `None` when it never does within
/// `MAX_MONTHS`. With the total paid.
fn repayment(
    balance: Money,
    rate: Decimal,
    payment: Money,
) -> Result<Option<(u32, Money)>, MoneyError> {
    let monthly = rate / Decimal::from(12);
    let mut owed = balance;
    let mut paid = Money::ZERO;
    for month in 1..=MAX_MONTHS {
        owed += owed.times(monthly)?;
        let pay = if payment < owed { payment } else { owed };
        owed -= pay;
        paid += pay;
        if owed.centavos() <= 0 {
            return Ok(Some((month, paid)));
        }
    }
    Ok(None)
}

/// The converted credit and the projection of the VSM one.
pub fn offer(facts: &OfferFacts) -> Result<Offer, MoneyError> {
    let cap = facts.balance.times(MAX_DISCOUNT_SHARE)?;
    let discount = facts.reindexation.max(Money::ZERO).min(cap);
    let new_balance = facts.balance - discount;
    let rate = conversion_rate(facts.rate_for_income);
    let (monthly_payment, months, total_to_pay) =
        match repayment(new_balance, rate, facts.current_payment)? {
            Some((months, total)) if facts.current_payment.centavos() > 0 => {
                (facts.current_payment, months, total)
            }
            _ => {
                // Today's payment would not repay it within 30 years: the level payment that
                // does, rounded up to the centavo so that it does.
                let mut level = super::account::annuity(new_balance, rate, MAX_MONTHS as u16)?;
                loop {
                    if let Some((months, total)) = repayment(new_balance, rate, level)? {
                        break (level, months, total);
                    }
                    level += Money::from_centavos(1);
                }
            }
        };
    let ends_on = month_end_after(facts.today, months);
    let (vsm_balance_at_end, vsm_payment_at_end) = project_vsm(facts, months)?;
    Ok(Offer {
        as_of: facts.today,
        balance: facts.balance,
        current_payment: facts.current_payment,
        current_rate: facts.current_rate,
        reindexation: facts.reindexation,
        discount,
        new_balance,
        rate,
        monthly_payment,
        payment_raised: monthly_payment != facts.current_payment,
        months,
        first_payment_on: month_end_after(facts.today, 1),
        ends_on,
        total_to_pay,
        yearly_unit_growth: facts.yearly_unit_growth,
        vsm_balance_at_end,
        vsm_payment_at_end,
    })
}

/// The VSM credit month by month for `months` months from today: interest at its own rate,
/// today's payment, and on every 1 January the balance and the payment grow by the yearly
/// rise of the unit.
fn project_vsm(facts: &OfferFacts, months: u32) -> Result<(Money, Money), MoneyError> {
    let monthly = facts.current_rate / Decimal::from(12);
    let growth = Decimal::ONE + facts.yearly_unit_growth;
    let mut owed = facts.balance;
    let mut payment = facts.current_payment;
    for n in 1..=months {
        let month_end = month_end_after(facts.today, n);
        if month_end.month() == Month::January {
            owed = owed.times(growth)?;
            payment = payment.times(growth)?;
        }
        owed += owed.times(monthly)?;
        owed -= payment.min(owed);
        if owed.centavos() <= 0 {
            return Ok((Money::ZERO, payment));
        }
    }
    Ok((owed, payment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credit::Regime;
    use crate::credit::account::Totals;
    use crate::registry::{CreditNumber, MemberId};

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
    }

    fn money(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn credit(product: CreditProduct, denomination: Denomination, status: CreditStatus) -> Credit {
        Credit {
            credit_number: CreditNumber::parse("1901234567").unwrap(),
            member_id: MemberId(1),
            product,
            denomination,
            originated_on: d(2004, 3, 1),
            amount: money("180000"),
            amount_vsm: Some(dec("130.5")),
            rate: dec("0.06"),
            term_months: 360,
            status,
        }
    }

    fn account(balance: &str, paid_off: bool) -> CreditAccount {
        CreditAccount {
            balance: money(balance),
            overpaid: Money::ZERO,
            balance_units: None,
            unit: None,
            monthly_payment: money("1012"),
            monthly_payment_units: None,
            regime: Regime::Ordinary,
            paid_off,
            paid_off_on: None,
            arrears_months: 0,
            last_payment_on: None,
            totals: Totals::default(),
            last_twelve_months: Totals::default(),
        }
    }

    #[test]
    fn only_an_active_vsm_credit_owing_something_and_not_co_financed_converts() {
        use CreditProduct::*;
        use CreditStatus::*;
        use Denomination::*;
        let owing = account("215111", false);
        assert_eq!(
            eligibility(&credit(Tradicional, Vsm, Active), &owing, false),
            Ok(())
        );
        assert_eq!(
            eligibility(&credit(UnamosCreditos, Vsm, Active), &owing, false),
            Ok(())
        );
        let refusal = |c: Credit, a: &CreditAccount, converted| eligibility(&c, a, converted);
        assert_eq!(
            refusal(credit(Tradicional, Vsm, Active), &owing, true),
            Err(Ineligible::AlreadyConverted)
        );
        assert_eq!(
            refusal(credit(Tradicional, Pesos, Active), &owing, false),
            Err(Ineligible::NotVsm)
        );
        assert_eq!(
            refusal(credit(Cofinavit, Vsm, Active), &owing, false),
            Err(Ineligible::CoFinanced)
        );
        assert_eq!(
            refusal(credit(InfonavitTotal, Vsm, Active), &owing, false),
            Err(Ineligible::CoFinanced)
        );
        assert_eq!(
            refusal(credit(Tradicional, Vsm, PaidOff), &owing, false),
            Err(Ineligible::NotActive)
        );
        assert_eq!(
            refusal(credit(Tradicional, Vsm, Cancelled), &owing, false),
            Err(Ineligible::NotActive)
        );
        // Active in the registry but nothing left to pay: paid off by its movements.
        assert_eq!(
            refusal(credit(Tradicional, Vsm, Active), &account("0", true), false),
            Err(Ineligible::NotActive)
        );
        // One centavo owed is still a debt to convert; none is not.
        assert_eq!(
            refusal(
                credit(Tradicional, Vsm, Active),
                &account("0.01", false),
                false
            ),
            Ok(())
        );
        assert_eq!(
            refusal(
                credit(Tradicional, Vsm, Active),
                &account("0", false),
                false
            ),
            Err(Ineligible::NothingOwed)
        );
    }

    #[test]
    fn the_window_opens_on_the_ninth_and_closes_at_month_end() {
        // The 8th is still recalculation: closed, opening the next day.
        assert_eq!(
            window(d(2026, 11, 8)),
            Window::Closed {
                reopens_on: d(2026, 11, 9)
            }
        );
        assert_eq!(
            window(d(2026, 11, 1)),
            Window::Closed {
                reopens_on: d(2026, 11, 9)
            }
        );
        // The 9th opens it until the last day of the month.
        assert_eq!(
            window(d(2026, 11, 9)),
            Window::Open {
                closes_on: d(2026, 11, 30)
            }
        );
        // The last day of the month is still open (February of a leap year too); the next
        // day, the 1st, it is closed again.
        assert!(window(d(2026, 11, 30)).is_open());
        assert!(window(d(2028, 2, 29)).is_open());
        assert_eq!(
            window(d(2026, 12, 1)),
            Window::Closed {
                reopens_on: d(2026, 12, 9)
            }
        );
    }

    #[test]
    fn the_rate_stays_within_what_section_11_states() {
        assert_eq!(conversion_rate(dec("0.12")), dec("0.1045"));
        assert_eq!(conversion_rate(dec("0.005")), dec("0.01"));
        assert_eq!(conversion_rate(dec("0.0309")), dec("0.0309"));
    }

    /// domain.md §11's worked example (December 2022): a balance of 215,111 with a discount of
    /// 53,716 leaves 161,395 at 3.09% with a fixed payment of 1,012 (the source rounds the
    /// balance to 161,394).
    fn worked_example() -> OfferFacts {
        OfferFacts {
            balance: money("215111"),
            reindexation: money("53716"),
            current_payment: money("1012"),
            current_rate: dec("0.06"),
            rate_for_income: dec("0.0309"),
            yearly_unit_growth: dec("0.06"),
            today: d(2022, 12, 15),
        }
    }

    #[test]
    fn the_worked_example_of_section_11() {
        let o = offer(&worked_example()).unwrap();
        // Discount: the re-indexation, 53,716, is below 55% of the balance
        // (215,111 × 0.55 = 118,311.05), so all of it is given back.
        assert_eq!(o.discount, money("53716"));
        // 215,111 − 53,716 = 161,395.
        assert_eq!(o.new_balance, money("161395"));
        assert_eq!(o.rate, dec("0.0309"));
        // The payment stays 1,012: the first month's interest is 161,395 × 0.0309 / 12 =
        // 415.59, well below it.
        assert_eq!(o.monthly_payment, money("1012"));
        assert!(!o.payment_raised);
        // Months: n = ln(P / (P − B·i)) / ln(1 + i), with i = 0.0309 / 12 = 0.002575:
        // P − B·i = 1,012 − 415.592 = 596.408; ln(1,012 / 596.408) = ln(1.696822) = 0.528755;
        // ln(1.002575) = 0.0025717; 0.528755 / 0.0025717 = 205.6 → 206 payments, the last a
        // small one. 206 months are 17 years and 2 months: from December 2022, February 2040.
        assert_eq!(o.months, 206);
        assert_eq!(o.first_payment_on, d(2023, 1, 31));
        assert_eq!(o.ends_on, d(2040, 2, 29));
        // 205 full payments of 1,012 = 207,460, plus a last one of 615.26 (what is left after
        // the interest of each month, rounded to the centavo, is added month by month).
        assert_eq!(o.total_to_pay, money("208075.26"));
        // Left in VSM, the credit pays 6% a year on 215,111 (1,075.56 a month, more than the
        // 1,012 paid) and grows 6% every January: after 206 months it owes far more than
        // today, while the converted credit is paid off.
        assert!(o.vsm_balance_at_end > money("215111"));
        // The payment grows 6% on each of the 18 Januaries from 2023 to 2040:
        // 1,012 × 1.06^18 = 1,012 × 2.854339 = 2,888.59 (2,888.58 with each rise rounded to
        // the centavo).
        assert_eq!(o.vsm_payment_at_end, money("2888.58"));
    }

    #[test]
    fn a_payment_that_would_never_repay_is_raised_to_repay_within_thirty_years() {
        let facts = OfferFacts {
            current_payment: money("300"),
            ..worked_example()
        };
        let o = offer(&facts).unwrap();
        // 300 is less than the first month's interest (415.59): the payment becomes the
        // 30-year level payment of 161,395 at 3.09%, 688.31 (annuity formula:
        // B·i·(1+i)^360 / ((1+i)^360 − 1) with (1+i)^360 = 2.524…).
        assert!(o.payment_raised);
        assert!(o.months <= MAX_MONTHS && o.months >= 359, "{}", o.months);
        assert!(
            o.monthly_payment > money("688") && o.monthly_payment < money("689"),
            "{}",
            o.monthly_payment
        );
    }

    #[test]
    fn the_discount_is_capped_at_55_percent_of_the_balance() {
        let facts = OfferFacts {
            balance: money("100000"),
            reindexation: money("80000"),
            ..worked_example()
        };
        let o = offer(&facts).unwrap();
        assert_eq!(o.discount, money("55000"));
        assert_eq!(o.new_balance, money("45000"));
        // No re-indexation, no discount.
        let none = offer(&OfferFacts {
            reindexation: Money::ZERO,
            ..worked_example()
        })
        .unwrap();
        assert_eq!(none.discount, Money::ZERO);
        assert_eq!(none.new_balance, money("215111"));
    }

    #[test]
    fn the_unit_grew_on_average_by_the_last_five_rises() {
        let t = ReferenceTables::embedded().unwrap();
        // 2022–2026 UMI rises over 2021–2025: the five factors less one, averaged.
        let mut sum = Decimal::ZERO;
        for y in 2022..=2026 {
            sum += vsm::reindexation_factor(&t, y).unwrap() - Decimal::ONE;
        }
        let g = yearly_unit_growth(&t, 2026).unwrap();
        assert_eq!(g, (sum / Decimal::from(5)).round_dp(6));
        assert!(g > Decimal::ZERO && g < dec("0.06"), "{g}");
    }
}
