//! The pre-qualification itself: the scheme in force on the date, each factor's band and points,
//! the refusals, the total against the minimum.
//!
//! Measures are integers at each unit's precision (centavos, hundredths of a VSM, tenths of a
//! UMA), truncated as the published examples are: 8,000 pesos at a minimum wage of 62.33 is
//! 4.27 VSM, not 4.28. Nothing here formats text; the page does.

use rust_decimal::Decimal;
use time::Date;

use super::tables::{BandVersion, GridVersion, PointsTables, version_on};
use super::{
    Band, CreditHistory, Evaluation, Factor, FactorScore, PointsError, PointsInput, Refusal, Unit,
};
use crate::money::Money;
use crate::reference::{ReferenceError, ReferenceTables};
use crate::registry::Sex;

/// Age in whole years on `date`; `None` for a birth date after it.
pub fn age_on(birth_date: Date, date: Date) -> Option<u32> {
    if birth_date > date {
        return None;
    }
    let mut years = date.year() - birth_date.year();
    if (date.month() as u8, date.day()) < (birth_date.month() as u8, birth_date.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The monthly salary the points and the credit use: 30.4 × the lower of the six-bimester
/// average and the current daily wage, rounded half away from zero to the centavo.
pub(crate) fn monthly_salary(input: &PointsInput) -> Money {
    let daily = input
        .current_daily_wage
        .min(input.average_daily_wage_6_bimesters)
        .max(Money::ZERO)
        .centavos();
    // × 30.4 in integers: × 304 / 10, the half centavo rounded up (the amount is never negative).
    Money::from_centavos(daily.saturating_mul(304).saturating_add(5) / 10)
}

/// Scores the member under the scheme in force on `input.as_of`.
pub fn evaluate(
    input: &PointsInput,
    tables: &PointsTables,
    reference: &ReferenceTables,
) -> Result<Evaluation, PointsError> {
    let as_of = input.as_of;
    let age = age_on(input.birth_date, as_of).ok_or(PointsError::BirthAfterDate {
        birth_date: input.birth_date,
        as_of,
    })?;
    let period = tables.scheme_on(as_of)?;
    let rule = period.value;
    let mut measure = Measure {
        input,
        reference,
        age,
        monthly: monthly_salary(input).centavos(),
        uma_monthly: None,
        minimum_wage: None,
    };
    let rules = tables.factors_of(rule.scheme);
    let mut factors = Vec::with_capacity(rules.factors.len() + 1);
    let mut estimate = period.estimate;

    if !rules.age_salary.is_empty() {
        let grid = version_on(&rules.age_salary, as_of, |v| v.valid_from)
            .ok_or_else(|| missing(as_of, Factor::AgeSalary))?;
        let vsm = measure.value(Factor::Salary, Unit::Vsm)?;
        let score = grid_score(grid, i64::from(age), vsm);
        estimate |= score.estimate;
        factors.push(score);
    }
    for factor_rule in &rules.factors {
        let version = version_on(&factor_rule.versions, as_of, |v| v.valid_from)
            .ok_or_else(|| missing(as_of, factor_rule.factor))?;
        let value = measure.value(factor_rule.factor, factor_rule.unit)?;
        let score = band_score(factor_rule.factor, factor_rule.unit, version, value);
        estimate |= score.estimate;
        factors.push(score);
    }
    let total = factors.iter().map(|score| score.points).sum();

    let mut refusals = Vec::new();
    if !input.employed_last_bimester {
        refusals.push(Refusal::NotEmployedLastBimester);
    }
    if rule.arrears_refuse && !input.employer_up_to_date {
        refusals.push(Refusal::EmployerInArrears);
    }
    if input.has_active_credit {
        refusals.push(Refusal::ActiveCredit);
    }
    if input.continuous_bimesters < rule.min_continuous_bimesters {
        refusals.push(Refusal::TooShortContinuity {
            required: rule.min_continuous_bimesters,
            have: input.continuous_bimesters,
        });
    }

    Ok(Evaluation {
        as_of,
        scheme: rule.scheme,
        age,
        monthly_salary: Money::from_centavos(measure.monthly),
        factors,
        total,
        minimum: rule.minimum,
        eligible: refusals.is_empty() && total >= rule.minimum,
        refusals,
        estimate,
    })
}

fn missing(date: Date, factor: Factor) -> PointsError {
    PointsError::Reference(ReferenceError::Missing {
        table: "points_bands",
        key: date.to_string(),
        column: factor.code(),
    })
}

/// The member's values, with the reference values looked up only when a unit needs them.
struct Measure<'a> {
    input: &'a PointsInput,
    reference: &'a ReferenceTables,
    age: u32,
    /// Monthly salary in centavos.
    monthly: i64,
    uma_monthly: Option<i64>,
    minimum_wage: Option<i64>,
}

impl Measure<'_> {
    /// The member's value for `factor` in `unit`, × 10^decimals, truncated.
    fn value(&mut self, factor: Factor, unit: Unit) -> Result<i64, PointsError> {
        let input = self.input;
        let savings = input.savings.centavos().max(0);
        Ok(match unit {
            Unit::Years => i64::from(self.age),
            Unit::Bimesters => i64::from(input.continuous_bimesters),
            Unit::Pesos => savings,
            Unit::MonthlySalaries => ratio(savings, 100, self.monthly),
            Unit::UmaMonthly => {
                let uma = match self.uma_monthly {
                    Some(uma) => uma,
                    None => {
                        let uma = self.reference.uma.value_on(input.as_of)?.monthly.centavos();
                        *self.uma_monthly.insert(uma)
                    }
                };
                ratio(self.monthly, 10, uma)
            }
            Unit::Vsm => {
                let wage = match self.minimum_wage {
                    Some(wage) => wage,
                    None => {
                        let wage = self.reference.minimum_wage.value_on(input.as_of)?;
                        *self.minimum_wage.insert(wage.general.centavos())
                    }
                };
                ratio(self.monthly, 100, wage.saturating_mul(30))
            }
            Unit::Flag => i64::from(match factor {
                Factor::WorkerType => input.permanent_worker,
                Factor::EmployerBehaviour => input.employer_up_to_date,
                Factor::Stability => input.employer_stable,
                Factor::WomanBonus => input.sex == Sex::Female,
                _ => false,
            }),
            Unit::Grade => match factor {
                Factor::Context => i64::from(input.context_grade),
                Factor::CreditBureau => match input.credit_history {
                    CreditHistory::Poor => 0,
                    CreditHistory::None => 1,
                    CreditHistory::Good => 2,
                },
                _ => 0,
            },
        })
    }
}

/// `amount × scale / base`, truncated; 0 when the base is not positive.
fn ratio(amount: i64, scale: i64, base: i64) -> i64 {
    if base <= 0 {
        return 0;
    }
    let value = i128::from(amount) * i128::from(scale) / i128::from(base);
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn band_of(unit: Unit, edges: &[i64], index: usize, value: i64) -> Band {
    let decimals = unit.decimals();
    Band {
        unit,
        value: Decimal::new(value, decimals),
        from: Decimal::new(edges.get(index).copied().unwrap_or(0), decimals),
        to: edges
            .get(index + 1)
            .map(|edge| Decimal::new(*edge, decimals)),
    }
}

fn band_score(factor: Factor, unit: Unit, version: &BandVersion, value: i64) -> FactorScore {
    let index = version.band_of(value);
    let edge = version.edges.get(index).copied();
    let decimals = unit.decimals();
    FactorScore {
        factor,
        band: Band {
            unit,
            value: Decimal::new(value, decimals),
            from: Decimal::new(edge.map_or(0, |edge| edge.from), decimals),
            to: version
                .edges
                .get(index + 1)
                .map(|next| Decimal::new(next.from, decimals)),
        },
        age_band: None,
        points: edge.map_or(0, |edge| edge.points),
        max: version.max,
        estimate: edge.is_some_and(|edge| edge.estimate),
    }
}

fn grid_score(grid: &GridVersion, age: i64, vsm: i64) -> FactorScore {
    let last_at_or_below =
        |edges: &[i64], value: i64| edges.iter().rposition(|edge| *edge <= value).unwrap_or(0);
    let row = last_at_or_below(&grid.ages, age);
    let column = last_at_or_below(&grid.vsm, vsm);
    let cell = row * grid.vsm.len() + column;
    FactorScore {
        factor: Factor::AgeSalary,
        band: band_of(Unit::Vsm, &grid.vsm, column, vsm),
        age_band: Some(band_of(Unit::Years, &grid.ages, row, age)),
        points: grid.points.get(cell).copied().unwrap_or(0),
        max: grid.max,
        estimate: grid.estimate.get(cell).copied().unwrap_or(false),
    }
}
