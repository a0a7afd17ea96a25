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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::test_support::{
        REFERENCE, TABLES, member, pesos, with_measure, years_before,
    };
    use crate::points::{CreditHistory, Scheme};
    use time::macros::date;

    fn run(input: &PointsInput) -> Evaluation {
        evaluate(input, &TABLES, &REFERENCE).unwrap()
    }

    fn points(evaluation: &Evaluation, factor: Factor) -> u32 {
        evaluation.score(factor).unwrap().points
    }

    #[test]
    fn the_worked_example_8000_pesos_at_62_33_is_4_27_vsm_and_65_points_at_39() {
        let as_of = date!(2012 - 06 - 30);
        let input = PointsInput {
            birth_date: years_before(as_of, 39),
            // 263.16 × 30.4 = 8,000.06 a month.
            current_daily_wage: pesos("263.16"),
            average_daily_wage_6_bimesters: pesos("263.16"),
            ..member(as_of)
        };
        let evaluation = run(&input);
        assert_eq!(evaluation.scheme, Scheme::Legacy116);
        assert_eq!(evaluation.age, 39);
        let score = evaluation.score(Factor::AgeSalary).unwrap();
        assert_eq!(score.band.value, "4.27".parse::<Decimal>().unwrap());
        assert_eq!(
            score.band.from,
            "2.7".parse::<Decimal>().unwrap() + Decimal::ONE
        );
        assert_eq!(score.band.last(), Some("5.29".parse().unwrap()));
        assert_eq!(score.age_band.unwrap().from, Decimal::from(35));
        assert_eq!(score.points, 65);
        assert_eq!(score.max, 76);
    }

    #[test]
    fn the_scheme_switches_on_its_effective_dates() {
        for (as_of, scheme, minimum) in [
            (date!(2020 - 06 - 30), Scheme::Legacy116, 116),
            (date!(2021 - 05 - 23), Scheme::Legacy116, 116),
            (date!(2021 - 05 - 24), Scheme::T1000, 1080),
            (date!(2024 - 01 - 01), Scheme::T1000, 1080),
            (date!(2025 - 08 - 17), Scheme::T1000, 1080),
            (date!(2025 - 08 - 18), Scheme::T100, 100),
            (date!(2026 - 11 - 26), Scheme::T100, 100),
        ] {
            let evaluation = run(&member(as_of));
            assert_eq!(
                (evaluation.scheme, evaluation.minimum),
                (scheme, minimum),
                "{as_of}"
            );
        }
    }

    #[test]
    fn the_same_member_under_each_scheme() {
        let legacy = run(&member(date!(2020 - 06 - 30)));
        let factors: Vec<Factor> = legacy.factors.iter().map(|s| s.factor).collect();
        assert_eq!(
            factors,
            [Factor::AgeSalary, Factor::Savings, Factor::Continuity]
        );
        // 10,000.08 a month at 123.22 is 2.70 VSM; 40,000 is 4.00 monthly salaries; 30 bimesters.
        assert_eq!(legacy.total, 61 + 37 + 38);
        assert!(legacy.eligible);

        let t1000 = run(&member(date!(2024 - 01 - 01)));
        // 10,000.08 / 3,153.70 = 3.1 UMA.
        assert_eq!(points(&t1000, Factor::Salary), 128);
        assert_eq!(
            t1000.total,
            124 + 128 + 122 + 191 + 123 + 129 + 130 + 80 + 60
        );
        assert!(t1000.eligible, "{}", t1000.total);

        let t100 = run(&member(date!(2026 - 11 - 26)));
        // 10,000.08 / 3,566.22 = 2.8 UMA.
        assert_eq!(t100.total, 19 + 18 + 19 + 50 + 20);
        assert!(t100.eligible);
    }

    #[test]
    fn the_woman_bonus_starts_on_its_date() {
        let woman = |as_of| PointsInput {
            sex: Sex::Female,
            ..member(as_of)
        };
        assert_eq!(
            points(&run(&woman(date!(2023 - 09 - 30))), Factor::WomanBonus),
            0
        );
        assert_eq!(
            points(&run(&woman(date!(2023 - 10 - 01))), Factor::WomanBonus),
            20
        );
        assert_eq!(
            points(&run(&member(date!(2023 - 10 - 01))), Factor::WomanBonus),
            0
        );
        assert!(
            run(&woman(date!(2026 - 01 - 01)))
                .score(Factor::WomanBonus)
                .is_none()
        );
    }

    /// Every edge of every one-way table in force on a day of each scheme: a member exactly on
    /// the edge gets the band's points, a member one step below gets the band below.
    #[test]
    fn every_band_edge_of_every_table() {
        let mut checked = 0;
        for period in TABLES.scheme_periods() {
            let rules = TABLES.factors_of(period.value.scheme);
            for rule in &rules.factors {
                for version in &rule.versions {
                    let as_of = version
                        .valid_from
                        .max(period.from)
                        .max(date!(2016 - 02 - 01));
                    if as_of > period.to {
                        continue;
                    }
                    for (index, edge) in version.edges.iter().enumerate() {
                        let on = with_measure(member(as_of), rule.factor, rule.unit, edge.from);
                        let score = *run(&on).score(rule.factor).unwrap();
                        let expected = Decimal::new(edge.from, rule.unit.decimals());
                        assert_eq!(score.band.from, expected, "{:?} at {as_of}", rule.factor);
                        assert_eq!(score.band.value, expected);
                        assert_eq!(score.points, edge.points, "{:?} {expected}", rule.factor);
                        if let Some(below) = index.checked_sub(1).and_then(|i| version.edges.get(i))
                        {
                            let under =
                                with_measure(member(as_of), rule.factor, rule.unit, edge.from - 1);
                            let score = run(&under).score(rule.factor).unwrap().points;
                            assert_eq!(score, below.points, "{:?} below {expected}", rule.factor);
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn every_cell_of_table_a() {
        let as_of = date!(2018 - 06 - 30);
        let grid = &TABLES.factors_of(Scheme::Legacy116).age_salary[0];
        for (row, age) in grid.ages.iter().enumerate() {
            for (column, vsm) in grid.vsm.iter().enumerate() {
                let input = with_measure(member(as_of), Factor::Age, Unit::Years, (*age).max(16));
                let input = with_measure(input, Factor::Salary, Unit::Vsm, (*vsm).max(100));
                let score = *run(&input).score(Factor::AgeSalary).unwrap();
                assert_eq!(score.points, grid.points[row * grid.vsm.len() + column]);
                if *vsm > 0 {
                    let below = with_measure(input, Factor::Salary, Unit::Vsm, vsm - 1);
                    let score = run(&below).score(Factor::AgeSalary).unwrap().points;
                    assert_eq!(score, grid.points[row * grid.vsm.len() + column - 1]);
                }
            }
        }
    }

    /// (date, factor, unit, [(value, points)]).
    type Case = (Date, Factor, Unit, &'static [(i64, u32)]);

    /// The published values, read back through the engine (catches a typo in a data file).
    #[test]
    fn the_published_bands() {
        let cases: &[Case] = &[
            (
                date!(2019 - 03 - 01),
                Factor::Continuity,
                Unit::Bimesters,
                &[
                    (0, 0),
                    (5, 0),
                    (6, 16),
                    (12, 16),
                    (13, 23),
                    (15, 23),
                    (16, 38),
                    (40, 38),
                ],
            ),
            (
                date!(2019 - 03 - 01),
                Factor::Savings,
                Unit::MonthlySalaries,
                &[
                    (0, 24),
                    (170, 24),
                    (171, 27),
                    (220, 27),
                    (221, 31),
                    (260, 31),
                    (261, 33),
                    (310, 33),
                    (311, 35),
                    (370, 35),
                    (371, 37),
                    (450, 37),
                    (451, 39),
                ],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::Continuity,
                Unit::Bimesters,
                &[
                    (2, 0),
                    (3, 90),
                    (8, 90),
                    (9, 123),
                    (17, 123),
                    (18, 149),
                    (29, 149),
                    (30, 191),
                ],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::Age,
                Unit::Years,
                &[
                    (23, 105),
                    (24, 118),
                    (29, 118),
                    (30, 124),
                    (39, 124),
                    (40, 128),
                    (55, 128),
                    (56, 114),
                ],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::Salary,
                Unit::UmaMonthly,
                &[(27, 111), (28, 128), (41, 128), (42, 144)],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::Savings,
                Unit::Pesos,
                &[
                    (999_999, 116),
                    (1_000_000, 119),
                    (2_499_999, 119),
                    (2_500_000, 122),
                    (4_999_999, 122),
                    (5_000_000, 124),
                ],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::WorkerType,
                Unit::Flag,
                &[(0, 100), (1, 123)],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::EmployerBehaviour,
                Unit::Flag,
                &[(0, 90), (1, 129)],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::Stability,
                Unit::Flag,
                &[(0, 100), (1, 130)],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::Context,
                Unit::Grade,
                &[(0, 40), (3, 100)],
            ),
            (
                date!(2024 - 03 - 01),
                Factor::CreditBureau,
                Unit::Grade,
                &[(0, 0), (1, 60), (2, 110)],
            ),
            (
                date!(2026 - 03 - 01),
                Factor::Continuity,
                Unit::Bimesters,
                &[(2, 0), (3, 40), (6, 45), (12, 50)],
            ),
        ];
        for (as_of, factor, unit, expected) in cases {
            for (value, points_expected) in *expected {
                let input = with_measure(member(*as_of), *factor, *unit, *value);
                assert_eq!(
                    points(&run(&input), *factor),
                    *points_expected,
                    "{factor:?} {value}"
                );
            }
        }
    }

    #[test]
    fn each_refusal_reason() {
        let as_of = date!(2024 - 01 - 01);
        let cases = [
            (
                PointsInput {
                    employed_last_bimester: false,
                    ..member(as_of)
                },
                Refusal::NotEmployedLastBimester,
            ),
            (
                PointsInput {
                    employer_up_to_date: false,
                    ..member(as_of)
                },
                Refusal::EmployerInArrears,
            ),
            (
                PointsInput {
                    has_active_credit: true,
                    ..member(as_of)
                },
                Refusal::ActiveCredit,
            ),
        ];
        for (input, refusal) in cases {
            let evaluation = run(&input);
            assert_eq!(evaluation.refusals, [refusal]);
            assert!(!evaluation.eligible);
        }
        // Under T100 the employer's arrears no longer refuse.
        let t100 = PointsInput {
            employer_up_to_date: false,
            ..member(date!(2026 - 01 - 01))
        };
        assert!(run(&t100).refusals.is_empty());
        // Continuity: 6 bimesters under Legacy116, 3 under T100, none under T1000.
        let short = |as_of, continuous_bimesters| {
            run(&PointsInput {
                continuous_bimesters,
                ..member(as_of)
            })
            .refusals
        };
        let too_short = |required, have| Refusal::TooShortContinuity { required, have };
        assert_eq!(short(date!(2020 - 06 - 30), 5), [too_short(6, 5)]);
        assert!(short(date!(2020 - 06 - 30), 6).is_empty());
        assert_eq!(short(date!(2026 - 01 - 01), 2), [too_short(3, 2)]);
        assert!(short(date!(2026 - 01 - 01), 3).is_empty());
        assert!(short(date!(2024 - 01 - 01), 0).is_empty());
    }

    #[test]
    fn too_few_points_is_not_eligible_without_a_refusal() {
        let input = PointsInput {
            continuous_bimesters: 3,
            credit_history: CreditHistory::Poor,
            ..member(date!(2024 - 01 - 01))
        };
        let evaluation = run(&input);
        assert!(evaluation.refusals.is_empty());
        assert!(!evaluation.eligible);
        assert_eq!(evaluation.gap(), 1080 - evaluation.total);
    }

    #[test]
    fn dates_and_ages() {
        assert_eq!(
            age_on(date!(1980 - 06 - 15), date!(2020 - 06 - 14)),
            Some(39)
        );
        assert_eq!(
            age_on(date!(1980 - 06 - 15), date!(2020 - 06 - 15)),
            Some(40)
        );
        assert_eq!(
            age_on(date!(2000 - 02 - 29), date!(2021 - 02 - 28)),
            Some(20)
        );
        assert_eq!(
            age_on(date!(2000 - 02 - 29), date!(2021 - 03 - 01)),
            Some(21)
        );
        let unborn = PointsInput {
            birth_date: date!(2030 - 01 - 01),
            ..member(date!(2024 - 01 - 01))
        };
        assert_eq!(
            evaluate(&unborn, &TABLES, &REFERENCE).unwrap_err().code(),
            "points_birth_after_date"
        );
        let too_early = member(date!(2011 - 12 - 31));
        assert_eq!(
            evaluate(&too_early, &TABLES, &REFERENCE)
                .unwrap_err()
                .code(),
            "reference_out_of_range"
        );
    }

    #[test]
    fn the_salary_is_the_lower_of_the_average_and_the_current_wage() {
        let input = PointsInput {
            current_daily_wage: pesos("500"),
            average_daily_wage_6_bimesters: pesos("300"),
            ..member(date!(2024 - 01 - 01))
        };
        assert_eq!(run(&input).monthly_salary, pesos("9120"));
        let input = PointsInput {
            current_daily_wage: pesos("200"),
            ..input
        };
        assert_eq!(run(&input).monthly_salary, pesos("6080"));
    }
}
