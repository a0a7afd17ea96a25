//! "What would it take": for a member who does not qualify, the smallest single changes that
//! reach the minimum — more bimesters of contribution, a higher wage, more savings — and the
//! refusals no change in the points can lift.
//!
//! Points only change at band edges, so each search tries the edges above the member's value,
//! lowest first, and keeps the first that re-evaluates to the minimum. Every answer is checked
//! by running [`evaluate`] on the changed member: what the page promises is what the engine
//! computes.

use serde::Serialize;

use super::evaluate::{evaluate, monthly_salary};
use super::tables::{PointsTables, version_on};
use super::{Evaluation, PointsError, PointsInput, Refusal, Unit};
use crate::money::Money;
use crate::reference::ReferenceTables;

/// One way to reach the minimum, or a refusal that blocks whatever the points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Change {
    /// Keep contributing: after `bimesters` more bimesters (`continuous_bimesters` in all),
    /// everything else as today, the total is `total`.
    MoreBimesters {
        bimesters: u32,
        continuous_bimesters: u32,
        total: u32,
    },
    /// A daily wage of `daily_wage`, held for six bimesters (so it is both the current wage and
    /// the six-bimester average).
    HigherWage { daily_wage: Money, total: u32 },
    /// A subaccount balance of `savings`, `more` above today's (voluntary contributions).
    MoreSavings {
        savings: Money,
        more: Money,
        total: u32,
    },
    /// Points cannot lift this refusal: the member needs a job, an employer that pays, or the
    /// active credit paid off.
    Blocked { refusal: Refusal },
}

impl Change {
    /// The member as they would be after the change; `None` for a blocking refusal.
    pub fn apply(&self, input: &PointsInput) -> Option<PointsInput> {
        let mut changed = *input;
        match *self {
            Change::MoreBimesters {
                continuous_bimesters,
                ..
            } => changed.continuous_bimesters = continuous_bimesters,
            Change::HigherWage { daily_wage, .. } => {
                changed.current_daily_wage = daily_wage;
                changed.average_daily_wage_6_bimesters = daily_wage;
            }
            Change::MoreSavings { savings, .. } => changed.savings = savings,
            Change::Blocked { .. } => return None,
        }
        Some(changed)
    }
}

/// The smallest single changes that reach the minimum, then the refusals points cannot lift.
/// Empty for a member who qualifies. A kind of change that cannot reach the minimum on its own
/// is left out.
pub fn what_would_it_take(
    input: &PointsInput,
    tables: &PointsTables,
    reference: &ReferenceTables,
) -> Result<Vec<Change>, PointsError> {
    let evaluation = evaluate(input, tables, reference)?;
    let mut changes = Vec::new();
    if evaluation.eligible {
        return Ok(changes);
    }
    if !evaluation.reaches_minimum() {
        let search = Search {
            input,
            evaluation: &evaluation,
            tables,
            reference,
        };
        changes.extend(search.bimesters()?);
        changes.extend(search.wage()?);
        changes.extend(search.savings()?);
    }
    changes.extend(
        evaluation
            .refusals
            .iter()
            .filter(|refusal| !refusal.fixable_by_points())
            .map(|refusal| Change::Blocked { refusal: *refusal }),
    );
    Ok(changes)
}

struct Search<'a> {
    input: &'a PointsInput,
    evaluation: &'a Evaluation,
    tables: &'a PointsTables,
    reference: &'a ReferenceTables,
}

impl Search<'_> {
    /// The band edges in force for the member's scheme and date, of every factor measured in
    /// one of `units`, as (unit, edge).
    fn edges(&self, units: &[Unit]) -> Vec<(Unit, i64)> {
        let as_of = self.input.as_of;
        let rules = self.tables.factors_of(self.evaluation.scheme);
        let mut edges = Vec::new();
        for rule in rules.factors.iter().filter(|r| units.contains(&r.unit)) {
            if let Some(version) = version_on(&rule.versions, as_of, |v| v.valid_from) {
                edges.extend(version.edges.iter().map(|edge| (rule.unit, edge.from)));
            }
        }
        if units.contains(&Unit::Vsm)
            && let Some(grid) = version_on(&rules.age_salary, as_of, |v| v.valid_from)
        {
            edges.extend(grid.vsm.iter().map(|edge| (Unit::Vsm, *edge)));
        }
        edges
    }

    /// Tries the candidates in increasing order; the first whose evaluation reaches the minimum.
    fn first_reaching<T: Copy + Ord>(
        &self,
        mut candidates: Vec<T>,
        apply: impl Fn(T) -> PointsInput,
    ) -> Result<Option<(T, u32)>, PointsError> {
        candidates.sort_unstable();
        candidates.dedup();
        for candidate in candidates {
            let evaluation = evaluate(&apply(candidate), self.tables, self.reference)?;
            if evaluation.reaches_minimum() {
                return Ok(Some((candidate, evaluation.total)));
            }
        }
        Ok(None)
    }

    fn bimesters(&self) -> Result<Option<Change>, PointsError> {
        let have = self.input.continuous_bimesters;
        let mut candidates: Vec<u32> = self
            .edges(&[Unit::Bimesters])
            .into_iter()
            .filter_map(|(_, edge)| u32::try_from(edge).ok())
            .collect();
        let rule = self.tables.scheme_on(self.input.as_of)?.value;
        candidates.push(rule.min_continuous_bimesters);
        candidates.retain(|candidate| *candidate > have);
        let found = self.first_reaching(candidates, |continuous_bimesters| PointsInput {
            continuous_bimesters,
            ..*self.input
        })?;
        Ok(
            found.map(|(continuous_bimesters, total)| Change::MoreBimesters {
                bimesters: continuous_bimesters - have,
                continuous_bimesters,
                total,
            }),
        )
    }

    /// The lowest daily wage of each higher salary band (where the savings measured in monthly
    /// salaries are also at their highest for that band).
    fn wage(&self) -> Result<Option<Change>, PointsError> {
        let as_of = self.input.as_of;
        let today = self
            .input
            .current_daily_wage
            .min(self.input.average_daily_wage_6_bimesters);
        let mut candidates = Vec::new();
        for (unit, edge) in self.edges(&[Unit::UmaMonthly, Unit::Vsm]) {
            // The monthly salary (centavos) at which the measure reaches the edge.
            let monthly = match unit {
                Unit::UmaMonthly => {
                    let uma = self.reference.uma.value_on(as_of)?.monthly.centavos();
                    ceil_div(edge.saturating_mul(uma), 10)
                }
                _ => {
                    let wage = self.reference.minimum_wage.value_on(as_of)?;
                    ceil_div(edge.saturating_mul(wage.general.centavos() * 30), 100)
                }
            };
            let daily = daily_wage_for(monthly);
            if daily > today {
                candidates.push(daily);
            }
        }
        let found = self.first_reaching(candidates, |daily| with_wage(self.input, daily))?;
        Ok(found.map(|(daily_wage, total)| Change::HigherWage { daily_wage, total }))
    }

    fn savings(&self) -> Result<Option<Change>, PointsError> {
        let monthly = monthly_salary(self.input).centavos();
        let today = self.input.savings.max(Money::ZERO);
        let mut candidates = Vec::new();
        for (unit, edge) in self.edges(&[Unit::Pesos, Unit::MonthlySalaries]) {
            let centavos = match unit {
                Unit::Pesos => edge,
                _ if monthly > 0 => ceil_div(edge.saturating_mul(monthly), 100),
                _ => continue,
            };
            let savings = Money::from_centavos(centavos);
            if savings > today {
                candidates.push(savings);
            }
        }
        let found = self.first_reaching(candidates, |savings| PointsInput {
            savings,
            ..*self.input
        })?;
        Ok(found.map(|(savings, total)| Change::MoreSavings {
            savings,
            more: savings - today,
            total,
        }))
    }
}

fn with_wage(input: &PointsInput, daily: Money) -> PointsInput {
    PointsInput {
        current_daily_wage: daily,
        average_daily_wage_6_bimesters: daily,
        ..*input
    }
}

/// The lowest daily wage whose monthly salary (× 30.4, to the centavo) is at least `monthly`.
fn daily_wage_for(monthly: i64) -> Money {
    let mut daily = ceil_div(monthly.saturating_mul(10).saturating_sub(5), 304).max(0);
    // The rounding of × 30.4 can leave the first guess a centavo short.
    while (daily * 304 + 5) / 10 < monthly {
        daily += 1;
    }
    Money::from_centavos(daily)
}

fn ceil_div(numerator: i64, denominator: i64) -> i64 {
    if denominator <= 0 {
        return numerator;
    }
    numerator.div_euclid(denominator) + i64::from(numerator.rem_euclid(denominator) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::CreditHistory;
    use crate::points::test_support::{REFERENCE, TABLES, member, pesos};
    use proptest::prelude::*;
    use time::Date;
    use time::macros::date;

    fn take(input: &PointsInput) -> Vec<Change> {
        what_would_it_take(input, &TABLES, &REFERENCE).unwrap()
    }

    fn run(input: &PointsInput) -> Evaluation {
        evaluate(input, &TABLES, &REFERENCE).unwrap()
    }

    #[test]
    fn a_member_who_qualifies_needs_nothing() {
        assert!(take(&member(date!(2024 - 01 - 01))).is_empty());
    }

    #[test]
    fn a_new_worker_under_t1000_needs_more_bimesters() {
        let input = PointsInput {
            continuous_bimesters: 4,
            ..member(date!(2024 - 01 - 01))
        };
        let changes = take(&input);
        // 986 now; 149 points at 18 bimesters give 1,045, 191 at 30 give 1,087.
        assert_eq!(run(&input).total, 986);
        assert_eq!(
            changes,
            [Change::MoreBimesters {
                bimesters: 26,
                continuous_bimesters: 30,
                total: 1087
            }]
        );
    }

    #[test]
    fn legacy_continuity_and_savings() {
        // 6 bimesters lift the 12-month rule but give 61 + 37 + 16 = 114: 13 are needed.
        let input = PointsInput {
            continuous_bimesters: 2,
            ..member(date!(2020 - 06 - 30))
        };
        let changes = take(&input);
        assert_eq!(
            changes.first(),
            Some(&Change::MoreBimesters {
                bimesters: 11,
                continuous_bimesters: 13,
                total: 61 + 37 + 23
            })
        );
        // Savings and wage cannot lift the 12-month rule.
        assert_eq!(changes.len(), 1, "{changes:?}");
    }

    #[test]
    fn refusals_points_cannot_fix_are_reported_as_such() {
        let input = PointsInput {
            has_active_credit: true,
            employed_last_bimester: false,
            ..member(date!(2024 - 01 - 01))
        };
        assert_eq!(
            take(&input),
            [
                Change::Blocked {
                    refusal: Refusal::NotEmployedLastBimester
                },
                Change::Blocked {
                    refusal: Refusal::ActiveCredit
                },
            ]
        );
    }

    #[test]
    fn savings_to_the_peso_edge() {
        let input = PointsInput {
            continuous_bimesters: 18,
            savings: pesos("1000"),
            credit_history: CreditHistory::Good,
            context_grade: 0,
            ..member(date!(2024 - 01 - 01))
        };
        let before = run(&input);
        assert!(before.total < before.minimum);
        let savings = take(&input)
            .into_iter()
            .find(|change| matches!(change, Change::MoreSavings { .. }));
        if let Some(Change::MoreSavings { savings, more, .. }) = savings {
            assert!([pesos("10000"), pesos("25000"), pesos("50000")].contains(&savings));
            assert_eq!(more, savings - pesos("1000"));
        }
    }

    fn one_step_less(change: Change) -> Option<Change> {
        match change {
            Change::MoreBimesters {
                bimesters,
                continuous_bimesters,
                total,
            } if bimesters > 1 => Some(Change::MoreBimesters {
                bimesters: bimesters - 1,
                continuous_bimesters: continuous_bimesters - 1,
                total,
            }),
            Change::HigherWage { daily_wage, total } => Some(Change::HigherWage {
                daily_wage: daily_wage - Money::from_centavos(1),
                total,
            }),
            Change::MoreSavings {
                savings,
                more,
                total,
            } if more > Money::from_centavos(1) => Some(Change::MoreSavings {
                savings: savings - Money::from_centavos(1),
                more,
                total,
            }),
            _ => None,
        }
    }

    fn any_member() -> impl Strategy<Value = PointsInput> {
        let dates = prop_oneof![
            Just(date!(2019 - 06 - 30)),
            Just(date!(2020 - 06 - 30)),
            Just(date!(2022 - 03 - 15)),
            Just(date!(2024 - 01 - 01)),
            Just(date!(2026 - 11 - 26)),
        ];
        (
            dates,
            18i32..70,
            10_000i64..150_000,
            0i64..20_000_000,
            0u32..40,
            any::<(bool, bool, bool, bool)>(),
            0u8..4,
            0u8..3,
        )
            .prop_map(
                |(as_of, age, wage, savings, bimesters, flags, grade, history)| {
                    let (woman, permanent, stable, arrears) = flags;
                    PointsInput {
                        birth_date: Date::from_julian_day(as_of.to_julian_day() - age * 365 - 100)
                            .unwrap(),
                        sex: if woman {
                            crate::registry::Sex::Female
                        } else {
                            crate::registry::Sex::Male
                        },
                        current_daily_wage: Money::from_centavos(wage),
                        average_daily_wage_6_bimesters: Money::from_centavos(wage),
                        savings: Money::from_centavos(savings),
                        continuous_bimesters: bimesters,
                        permanent_worker: permanent,
                        employer_stable: stable,
                        employer_up_to_date: !arrears,
                        context_grade: grade,
                        credit_history: [
                            CreditHistory::Poor,
                            CreditHistory::None,
                            CreditHistory::Good,
                        ][history as usize],
                        ..member(as_of)
                    }
                },
            )
    }

    /// A sweep that shows the property below is not vacuous: every kind of change is offered
    /// and checked many times.
    #[test]
    fn a_sweep_offers_and_checks_every_kind_of_change() {
        let mut seen = [0usize; 4];
        for as_of in [
            date!(2020 - 06 - 30),
            date!(2024 - 01 - 01),
            date!(2026 - 11 - 26),
        ] {
            for bimesters in [0, 2, 5, 8, 12, 20] {
                for wage in ["150", "250", "400", "900"] {
                    for (savings, credit_history) in [
                        ("0", CreditHistory::Poor),
                        ("9000", CreditHistory::Good),
                        ("30000", CreditHistory::Good),
                    ] {
                        let input = PointsInput {
                            continuous_bimesters: bimesters,
                            current_daily_wage: pesos(wage),
                            average_daily_wage_6_bimesters: pesos(wage),
                            savings: pesos(savings),
                            credit_history,
                            context_grade: 1,
                            ..member(as_of)
                        };
                        for change in take(&input) {
                            let kind = match change {
                                Change::MoreBimesters { .. } => 0,
                                Change::HigherWage { .. } => 1,
                                Change::MoreSavings { .. } => 2,
                                Change::Blocked { .. } => 3,
                            };
                            seen[kind] += 1;
                            if let Some(changed) = change.apply(&input) {
                                assert!(run(&changed).reaches_minimum(), "{change:?}");
                            }
                        }
                    }
                }
            }
        }
        assert!(seen[0] > 20 && seen[1] > 5 && seen[2] > 5, "{seen:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Every change offered really reaches the minimum when applied, and is the smallest of
        /// its kind: one centavo or one bimester less does not.
        #[test]
        fn every_change_reaches_the_minimum_and_is_the_smallest(input in any_member()) {
            let before = run(&input);
            for change in take(&input) {
                let Some(changed) = change.apply(&input) else {
                    prop_assert!(before.refusals.iter().any(|r| !r.fixable_by_points()));
                    continue;
                };
                let after = run(&changed);
                prop_assert!(after.reaches_minimum(), "{change:?} gives {after:?}");
                let total = match change {
                    Change::MoreBimesters { total, .. } | Change::HigherWage { total, .. }
                    | Change::MoreSavings { total, .. } => total,
                    Change::Blocked { .. } => unreachable!(),
                };
                prop_assert_eq!(after.total, total);
                if let Some(smaller) = one_step_less(change).and_then(|c| c.apply(&input)) {
                    prop_assert!(!run(&smaller).reaches_minimum(), "{change:?} is not the smallest");
                }
            }
        }
    }
}
