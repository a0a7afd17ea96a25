//! The credit a pre-qualified member can get (domain.md §4.5): term, rate, payment, amount,
//! the subaccount that adds to it, and fees.
//!
//! The official amount table is not public, so the amount is an annuity: the monthly payment
//! the member can afford (a share of the credit salary) repaid over the term at the rate, then
//! capped by the maximum in force. Every figure is kept exact and rounded half away from zero
//! to the centavo once, when it is shown; the result says that it is an estimate.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use time::Date;

use super::tables::{Param, PointsTables};
use super::{Evaluation, PointsError, PointsInput, Scheme, money};
use crate::money::Money;
use crate::reference::{DAYS_PER_MONTH, ReferenceTables};
use crate::registry::Sex;

/// What the fund would lend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Conditions {
    pub as_of: Date,
    pub scheme: Scheme,
    /// The pre-qualification was granted; the figures are shown either way, for the what-if.
    pub eligible: bool,
    pub age: u32,
    /// 30.4 × the lower of the six-bimester average and the current daily wage.
    pub monthly_salary: Money,
    /// The monthly salary in monthly UMA (minimum wages before 2016), to tenths: it sets the
    /// rate and the fee waiver.
    pub salary_in_uma: Decimal,
    /// Fixed for the life of the credit, as a decimal (0.0551 = 5.51%).
    pub annual_rate: Decimal,
    /// The rate was interpolated inside a published band.
    pub rate_estimate: bool,
    /// min(30, age limit − age): 70 for men, 75 for women.
    pub term_years: u32,
    /// The share of the monthly salary that can go to the payment, as money.
    pub payment_capacity: Money,
    /// What the payment capacity repays over the term at the rate.
    pub amount_by_payment: Money,
    /// The maximum credit in force.
    pub cap: Money,
    /// The share of the maximum granted: from the score under T1000, 1 otherwise.
    pub score_share: Decimal,
    /// The credit: min(amount by payment, cap) × score share.
    pub credit: Money,
    /// The monthly payment of that credit over the term at the rate.
    pub monthly_payment: Money,
    /// The subaccount balance that adds to the credit.
    pub subaccount: Money,
    /// Credit plus subaccount: what the member can spend.
    pub total: Money,
    /// Titling, operating and financial fees, zero when waived.
    pub fees: Money,
    pub fees_waived: bool,
    /// Always true while the amount is the annuity estimate; also when a table value used is.
    pub estimate: bool,
}

/// The traditional credit for a member already evaluated (see [`super::evaluate`]).
pub fn conditions(
    input: &PointsInput,
    evaluation: &Evaluation,
    reference: &ReferenceTables,
    tables: &PointsTables,
) -> Result<Conditions, PointsError> {
    let date = input.as_of;
    let rate = rate_on(evaluation.monthly_salary, date, reference, tables)?;
    let term = max_term(input.sex, evaluation.age, date, tables)?;
    let cap = tables.param(Param::CapTradicional, date)?;
    let terms = Terms {
        annual_rate: rate.rate,
        term_years: term,
        rate_estimate: rate.estimate,
        cap: cap.value,
        adds_subaccount: true,
        scored: true,
    };
    build(input, evaluation, reference, tables, terms)
}

/// The terms a product sets before the arithmetic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Terms {
    pub annual_rate: Decimal,
    /// The rate was interpolated inside a band (the per-0.1-UMA table is not public).
    pub rate_estimate: bool,
    pub term_years: u32,
    /// Pesos.
    pub cap: Decimal,
    pub adds_subaccount: bool,
    /// The T1000 score sets the share of the maximum granted.
    pub scored: bool,
}

pub(crate) struct Rate {
    pub rate: Decimal,
    pub estimate: bool,
}

/// The monthly unit the salary is measured in: the UMA, or before it existed the minimum
/// wage × 30.4.
pub(crate) fn monthly_unit(reference: &ReferenceTables, date: Date) -> Result<Money, PointsError> {
    match reference.uma.value_on(date) {
        Ok(uma) => Ok(uma.monthly),
        Err(err) if date < reference.uma.first_date() => {
            let wage = reference.minimum_wage.value_on(date).map_err(|_| err)?;
            wage.general.times(DAYS_PER_MONTH).map_err(|_| PointsError::OutOfRange)
        }
        Err(err) => Err(err.into()),
    }
}

/// The monthly salary in monthly units, truncated to tenths.
pub(crate) fn salary_in_units(monthly_salary: Money, unit: Money) -> Decimal {
    if unit.centavos() <= 0 {
        return Decimal::ZERO;
    }
    let tenths = i128::from(monthly_salary.centavos().max(0)) * 10 / i128::from(unit.centavos());
    Decimal::new(i64::try_from(tenths).unwrap_or(i64::MAX), 1)
}

/// The annual rate for a monthly salary on `date`: the band it falls in, interpolated in a
/// straight line inside the band, to the hundredth of a percentage point.
pub(crate) fn rate_on(
    monthly_salary: Money,
    date: Date,
    reference: &ReferenceTables,
    tables: &PointsTables,
) -> Result<Rate, PointsError> {
    let bands = tables.rate_bands(date)?;
    // A flat table (12% before June 2021) needs no unit.
    if let [only] = bands
        && only.uma_to.is_none()
    {
        return Ok(Rate {
            rate: only.rate_from,
            estimate: only.estimate,
        });
    }
    let in_units = salary_in_units(monthly_salary, monthly_unit(reference, date)?);
    let tenths = (in_units * Decimal::TEN).trunc();
    let band = bands
        .iter()
        .rev()
        .find(|band| Decimal::from(band.uma_from) <= tenths)
        .or(bands.first())
        .ok_or(PointsError::OutOfRange)?;
    let rate = match band.uma_to {
        Some(to) if to > band.uma_from => {
            let (from, to) = (Decimal::from(band.uma_from), Decimal::from(to));
            let along = (tenths.min(to) - from) / (to - from);
            band.rate_from + along * (band.rate_to - band.rate_from)
        }
        _ => band.rate_from,
    };
    Ok(Rate {
        rate: rate.round_dp(4),
        estimate: band.estimate || (band.rate_from != band.rate_to && rate != band.rate_to),
    })
}

/// min(the longest term, age limit − age), never below zero.
pub(crate) fn max_term(
    sex: Sex,
    age: u32,
    date: Date,
    tables: &PointsTables,
) -> Result<u32, PointsError> {
    let limit = match sex {
        Sex::Male => Param::AgeLimitMen,
        Sex::Female => Param::AgeLimitWomen,
    };
    let limit = whole(tables.param(limit, date)?.value);
    let longest = whole(tables.param(Param::MaxTermYears, date)?.value);
    Ok(limit.saturating_sub(age).min(longest))
}

fn whole(value: Decimal) -> u32 {
    value.trunc().to_u32().unwrap_or(0)
}

/// The arithmetic every product shares.
pub(crate) fn build(
    input: &PointsInput,
    evaluation: &Evaluation,
    reference: &ReferenceTables,
    tables: &PointsTables,
    terms: Terms,
) -> Result<Conditions, PointsError> {
    let date = input.as_of;
    let monthly_salary = evaluation.monthly_salary;
    let unit = monthly_unit(reference, date)?;
    let share = tables.param(Param::PaymentShare, date)?;
    let capacity = monthly_salary.to_decimal() * share.value;
    let months = terms.term_years * 12;
    let factor = annuity_factor(terms.annual_rate / Decimal::from(12), months)?;
    let by_payment = capacity * factor;
    let score_share = if terms.scored {
        score_share(evaluation, tables)?
    } else {
        (Decimal::ONE, false)
    };
    let credit = by_payment.min(terms.cap) * score_share.0;
    let payment = if factor.is_zero() {
        Decimal::ZERO
    } else {
        credit / factor
    };
    let subaccount = if terms.adds_subaccount {
        input.savings.max(Money::ZERO)
    } else {
        Money::ZERO
    };
    let credit = money(credit)?;
    let waiver = tables.param(Param::FeeWaiverBelowUma, date)?;
    let fees_waived = monthly_salary.to_decimal() < unit.to_decimal() * waiver.value;
    let fee_rate = tables.param(Param::FeeRate, date)?;
    let fees = if fees_waived {
        Money::ZERO
    } else {
        money(credit.to_decimal() * fee_rate.value)?
    };
    Ok(Conditions {
        as_of: date,
        scheme: evaluation.scheme,
        eligible: evaluation.eligible,
        age: evaluation.age,
        monthly_salary,
        salary_in_uma: salary_in_units(monthly_salary, unit),
        annual_rate: terms.annual_rate,
        rate_estimate: terms.rate_estimate,
        term_years: terms.term_years,
        payment_capacity: money(capacity)?,
        amount_by_payment: money(by_payment)?,
        cap: money(terms.cap)?,
        score_share: score_share.0,
        credit,
        monthly_payment: money(payment)?,
        subaccount,
        total: credit
            .checked_add(subaccount)
            .ok_or(PointsError::OutOfRange)?,
        fees,
        fees_waived,
        estimate: true,
    })
}

/// What one peso of monthly payment repays over `months` at `monthly_rate`:
/// (1 − (1 + r)^−n) / r, or n when the rate is zero.
pub(crate) fn annuity_factor(monthly_rate: Decimal, months: u32) -> Result<Decimal, PointsError> {
    if months == 0 {
        return Ok(Decimal::ZERO);
    }
    if monthly_rate.is_zero() {
        return Ok(Decimal::from(months));
    }
    let growth = power(Decimal::ONE + monthly_rate, months)?;
    Ok((Decimal::ONE - Decimal::ONE / growth) / monthly_rate)
}

/// `base^exponent` by repeated squaring.
fn power(base: Decimal, mut exponent: u32) -> Result<Decimal, PointsError> {
    let (mut result, mut square) = (Decimal::ONE, base);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result.checked_mul(square).ok_or(PointsError::OutOfRange)?;
        }
        exponent >>= 1;
        if exponent > 0 {
            square = square.checked_mul(square).ok_or(PointsError::OutOfRange)?;
        }
    }
    Ok(result)
}

/// Under T1000 the score sets the share of the maximum credit granted: the share at the
/// minimum score, rising in a straight line to 1 at the full-share score. 1 under the other
/// schemes. Returns the share and whether it is an estimate.
pub(crate) fn score_share(
    evaluation: &Evaluation,
    tables: &PointsTables,
) -> Result<(Decimal, bool), PointsError> {
    if evaluation.scheme != Scheme::T1000 {
        return Ok((Decimal::ONE, false));
    }
    let at_minimum = tables.param(Param::T1000ShareAtMinimum, evaluation.as_of)?;
    let full = tables.param(Param::T1000FullSharePoints, evaluation.as_of)?;
    let minimum = Decimal::from(evaluation.minimum);
    let total = Decimal::from(evaluation.total);
    let share = if total >= full.value || full.value <= minimum {
        Decimal::ONE
    } else if total <= minimum {
        at_minimum.value
    } else {
        let along = (total - minimum) / (full.value - minimum);
        at_minimum.value + along * (Decimal::ONE - at_minimum.value)
    };
    Ok((share.round_dp(4), at_minimum.estimate || full.estimate))
}
