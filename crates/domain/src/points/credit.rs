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
            wage.general
                .times(DAYS_PER_MONTH)
                .map_err(|_| PointsError::OutOfRange)
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

/// The annual rate the fund charges a monthly credit salary on `date` (domain.md §4.5), and
/// whether it was interpolated inside a published band (an estimate). Read by the
/// conversion of VSM credits (§11) as well as by pre-qualification.
pub fn rate_for_salary(
    monthly_salary: Money,
    date: Date,
    reference: &ReferenceTables,
    tables: &PointsTables,
) -> Result<(Decimal, bool), PointsError> {
    let rate = rate_on(monthly_salary, date, reference, tables)?;
    Ok((rate.rate, rate.estimate))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::evaluate;
    use crate::points::test_support::{
        REFERENCE, TABLES, daily_for_monthly, member, pesos, years_before,
    };
    use proptest::prelude::*;
    use time::macros::date;

    fn offer(input: &PointsInput) -> Conditions {
        let evaluation = evaluate(input, &TABLES, &REFERENCE).unwrap();
        conditions(input, &evaluation, &REFERENCE, &TABLES).unwrap()
    }

    fn with_monthly(input: PointsInput, monthly: &str) -> PointsInput {
        let daily = daily_for_monthly(pesos(monthly).centavos());
        PointsInput {
            current_daily_wage: daily,
            average_daily_wage_6_bimesters: daily,
            ..input
        }
    }

    fn rate(monthly: &str, date: Date) -> Decimal {
        rate_on(pesos(monthly), date, &REFERENCE, &TABLES)
            .unwrap()
            .rate
    }

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn term_limits_by_age_and_sex() {
        let as_of = date!(2024 - 01 - 01);
        let at = |age, sex| {
            offer(&PointsInput {
                birth_date: years_before(as_of, age),
                sex,
                ..member(as_of)
            })
            .term_years
        };
        assert_eq!(at(55, Sex::Male), 15);
        assert_eq!(at(55, Sex::Female), 20);
        assert_eq!(at(30, Sex::Male), 30);
        assert_eq!(at(45, Sex::Female), 30);
        assert_eq!(at(40, Sex::Male), 30);
        assert_eq!(at(41, Sex::Male), 29);
        assert_eq!(at(70, Sex::Male), 0);
        let old = PointsInput {
            birth_date: years_before(as_of, 72),
            ..member(as_of)
        };
        assert_eq!(offer(&old).credit, Money::ZERO);
    }

    #[test]
    fn the_2021_rate_bands_at_their_edges() {
        let june = date!(2021 - 06 - 15);
        // 2021 monthly UMA: 2,724.45.
        assert_eq!(rate("4086.68", june), dec("0.0191")); // 1.5 UMA
        assert_eq!(rate("4086.67", june), dec("0.0191")); // 1.4 UMA
        assert_eq!(rate("5448.90", june), dec("0.0333")); // 2.0
        assert_eq!(rate("5721.35", june), dec("0.0355")); // 2.1
        assert_eq!(rate("8173.35", june), dec("0.0551")); // 3.0
        assert_eq!(rate("8445.80", june), dec("0.0570"));
        assert_eq!(rate("10897.80", june), dec("0.0721"));
        assert_eq!(rate("11170.25", june), dec("0.0741"));
        assert_eq!(rate("13622.25", june), dec("0.0886"));
        assert_eq!(rate("13894.70", june), dec("0.0903"));
        assert_eq!(rate("16346.70", june), dec("0.1042"));
        assert_eq!(rate("16619.15", june), dec("0.1045"));
        assert_eq!(rate("90000", june), dec("0.1045"));
        // Inside a band: 3.5 UMA is 4/9 of the way from 5.70% (3.1) to 7.21% (4.0).
        assert_eq!(rate("9535.58", june), dec("0.0637"));
        // Before June 2021 every credit was 12%.
        assert_eq!(rate("9535.58", date!(2021 - 05 - 31)), dec("0.12"));
        assert_eq!(rate("1000", date!(2015 - 05 - 31)), dec("0.12"));
    }

    #[test]
    fn the_lowest_rates_reported_later_follow_from_the_minimum_wage() {
        // 2024: 248.93 × 30.4 = 7,567.47, 2.2 UMA of 3,300.53 → 3.77% (reported "3.76%").
        assert_eq!(rate("7567.47", date!(2024 - 06 - 01)), dec("0.0377"));
    }

    #[test]
    fn reproduces_the_2021_simulator_within_five_percent() {
        for (monthly, published) in [("5000", 348_000), ("10000", 457_000), ("12000", 485_000)] {
            let input = with_monthly(member(date!(2021 - 06 - 15)), monthly);
            let amount = offer(&input).amount_by_payment.centavos() / 100;
            let off = (amount - published).abs() as f64 / published as f64;
            assert!(off < 0.05, "{monthly}: {amount} against {published}");
        }
    }

    #[test]
    fn fees_are_waived_below_2_8_uma() {
        let as_of = date!(2024 - 06 - 01);
        // 2.8 × 3,300.53 = 9,241.484; 303.99 a day is 9,241.30 a month, 304.00 is 9,241.60.
        let daily = |wage| PointsInput {
            current_daily_wage: pesos(wage),
            average_daily_wage_6_bimesters: pesos(wage),
            ..member(as_of)
        };
        let below = offer(&daily("303.99"));
        assert_eq!(below.monthly_salary, pesos("9241.30"));
        assert!(below.fees_waived);
        assert_eq!(below.fees, Money::ZERO);
        let at = offer(&daily("304.00"));
        assert!(!at.fees_waived);
        assert_eq!(at.fees, at.credit.times(dec("0.03")).unwrap());
    }

    #[test]
    fn the_subaccount_adds_and_the_t1000_score_sets_the_share() {
        let input = member(date!(2024 - 01 - 01));
        let conditions = offer(&input);
        assert_eq!(conditions.subaccount, pesos("40000"));
        assert_eq!(conditions.total, conditions.credit + pesos("40000"));
        // 1,087 points: 80% + 7/100 of the remaining 20%.
        assert_eq!(conditions.score_share, dec("0.814"));
        let t100 = offer(&member(date!(2026 - 01 - 01)));
        assert_eq!(t100.score_share, Decimal::ONE);
        assert_eq!(t100.credit, t100.amount_by_payment);
    }

    #[test]
    fn the_annuity_factor() {
        assert_eq!(
            annuity_factor(Decimal::ZERO, 12).unwrap(),
            Decimal::from(12)
        );
        assert_eq!(annuity_factor(dec("0.01"), 0).unwrap(), Decimal::ZERO);
        // 1% a month over 12 months: 11.2551.
        assert_eq!(
            annuity_factor(dec("0.01"), 12).unwrap().round_dp(4),
            dec("11.2551")
        );
    }

    proptest! {
        #[test]
        fn the_rate_never_falls_as_the_salary_rises(
            a in 0i64..10_000_000, b in 0i64..10_000_000,
            date in prop_oneof![Just(date!(2021 - 07 - 01)), Just(date!(2024 - 01 - 01)), Just(date!(2026 - 11 - 26))],
        ) {
            let (low, high) = (a.min(b), a.max(b));
            let rate = |c| rate_on(Money::from_centavos(c), date, &REFERENCE, &TABLES).unwrap().rate;
            prop_assert!(rate(low) <= rate(high));
            prop_assert!(rate(low) >= dec("0.0191") && rate(high) <= dec("0.1045"));
        }

        #[test]
        fn the_credit_never_exceeds_the_cap(
            wage in 0i64..100_000_000, age in 18i32..80, woman: bool,
            date in prop_oneof![Just(date!(2020 - 06 - 30)), Just(date!(2022 - 07 - 01)), Just(date!(2024 - 01 - 01)), Just(date!(2026 - 11 - 26))],
        ) {
            let input = PointsInput {
                birth_date: years_before(date, age),
                sex: if woman { Sex::Female } else { Sex::Male },
                current_daily_wage: Money::from_centavos(wage),
                average_daily_wage_6_bimesters: Money::from_centavos(wage),
                ..member(date)
            };
            let conditions = offer(&input);
            prop_assert!(conditions.credit <= conditions.cap);
            prop_assert!(conditions.credit >= Money::ZERO);
            prop_assert!(conditions.term_years <= 30);
        }
    }
}
