//! The housing subaccount (domain.md §3): what each bucket is for, the employer's contribution,
//! the yearly yield, the running balance of the movements, and the savings calculator.

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::bimester::Bimester;
use crate::money::Money;
use crate::registry::{Bucket, BucketBalance, Movement};

/// The employer pays 5% of the integrated daily wage (Ley Infonavit art. 29 fr. II).
pub const CONTRIBUTION_RATE: Decimal = Decimal::from_parts(5, 0, 0, false, 2);
/// The wage counts up to 25 UMA a day (25 minimum wages before the UMA existed).
pub const WAGE_CAP_UNITS: i64 = 25;

/// The daily wage cap on `day`: 25 UMA, or 25 minimum wages before the UMA existed (2016);
/// beyond the tables' last date, the last value known; before their first, the first.
pub fn daily_wage_cap(tables: &crate::reference::ReferenceTables, day: Date) -> Money {
    let unit = if day >= tables.uma.first_date() {
        tables
            .uma
            .value_on(day.min(tables.uma.last_date()))
            .map(|u| u.daily)
    } else {
        tables
            .minimum_wage
            .value_on(day.max(tables.minimum_wage.first_date()))
            .map(|w| w.general)
    };
    Money::from_centavos(unit.map_or(0, |u| u.centavos()) * WAGE_CAP_UNITS)
}

/// What the money in a bucket can be used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Use {
    /// Goes into a housing credit when the member takes one (and is refunded at retirement
    /// if never used).
    CreditOrRetirement,
    /// Only refunded, at retirement or pension: it cannot go into a credit.
    RetirementOnly,
}

impl Use {
    pub fn code(self) -> &'static str {
        match self {
            Use::CreditOrRetirement => "credit_or_retirement",
            Use::RetirementOnly => "retirement_only",
        }
    }
}

/// Fondo de Ahorro 72-92 is only refunded; the housing subaccounts and Solo Infonavit can go
/// into a credit.
pub fn use_of(bucket: Bucket) -> Use {
    match bucket {
        Bucket::Fondo7292 => Use::RetirementOnly,
        Bucket::Scv92 | Bucket::Scv97 | Bucket::SoloInfonavit => Use::CreditOrRetirement,
    }
}

/// Whether a bucket earns the yearly yield (the Fondo de Ahorro 72-92 never did).
pub fn earns_yield(bucket: Bucket) -> bool {
    bucket != Bucket::Fondo7292
}

/// The employer's contribution for `days` worked at `daily_wage`, the wage capped at `cap`
/// per day, rounded half away from zero to the centavo.
pub fn contribution(daily_wage: Money, cap: Money, days: u32) -> Money {
    let base = daily_wage.min(cap).to_decimal() * CONTRIBUTION_RATE * Decimal::from(days);
    Money::from_decimal(base).unwrap_or(Money::ZERO)
}

/// The yield of one year on a balance, rounded half away from zero to the centavo; nothing on
/// a balance that is zero or negative.
pub fn yearly_yield(balance: Money, rate: Decimal) -> Money {
    if balance.centavos() <= 0 {
        return Money::ZERO;
    }
    balance.times(rate).unwrap_or(Money::ZERO)
}

/// "Cuánto ahorro tengo": each bucket, the total, and the dates that say the account is alive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// All four buckets, in their fixed order, zero where the member has nothing.
    pub buckets: Vec<BucketLine>,
    pub total: Money,
    /// What could go into a credit today.
    pub usable_for_credit: Money,
    pub last_contribution: Option<Date>,
    pub last_yield: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BucketLine {
    pub bucket: Bucket,
    pub balance: Money,
    pub use_: Use,
    pub earns_yield: bool,
}

impl Summary {
    pub fn new(
        balances: &[BucketBalance],
        last_contribution: Option<Date>,
        last_yield: Option<Date>,
    ) -> Summary {
        let buckets: Vec<BucketLine> = Bucket::ALL
            .into_iter()
            .map(|bucket| BucketLine {
                bucket,
                balance: balances
                    .iter()
                    .filter(|b| b.bucket == bucket)
                    .map(|b| b.balance)
                    .sum(),
                use_: use_of(bucket),
                earns_yield: earns_yield(bucket),
            })
            .collect();
        Summary {
            total: buckets.iter().map(|b| b.balance).sum(),
            usable_for_credit: buckets
                .iter()
                .filter(|b| b.use_ == Use::CreditOrRetirement)
                .map(|b| b.balance)
                .sum(),
            buckets,
            last_contribution,
            last_yield,
        }
    }
}

/// A movement with the balance of the whole subaccount right after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub movement: Movement,
    pub balance_after: Money,
}

/// The movements in booking order with the running balance of the subaccount; `movements` must
/// be every movement of the member (filter afterwards, so the balances stay true).
pub fn running(movements: &[Movement]) -> Vec<Line> {
    let mut ordered: Vec<&Movement> = movements.iter().collect();
    ordered.sort_by_key(|m| (m.booked_on, m.bucket, m.kind, m.period, m.source));
    let mut balance = Money::ZERO;
    ordered
        .into_iter()
        .map(|m| {
            balance += m.amount;
            Line {
                movement: m.clone(),
                balance_after: balance,
            }
        })
        .collect()
}

// ----- the savings calculator --------------------------------------------------------------

/// What the member tells the calculator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectionInput {
    /// The first bimester projected (usually the next one).
    pub start: Bimester,
    /// Today's balance of the buckets that earn yield.
    pub opening_balance: Money,
    /// Integrated daily wage today.
    pub daily_wage: Money,
    /// Bimesters projected, 1 to 240 (40 years).
    pub bimesters: u32,
    /// Yearly wage growth, applied each January (0.03 = 3%).
    pub wage_growth: Decimal,
    /// Bimesters without work (no contribution) at the start of the projection.
    pub gap_bimesters: u32,
}

/// One bimester of the projection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectionRow {
    pub bimester: Bimester,
    pub daily_wage: Money,
    pub contribution: Money,
    pub yield_amount: Money,
    pub balance: Money,
    /// The yearly rate used, and whether it is an assumption (no published yield).
    pub rate: Decimal,
    pub rate_assumed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Projection {
    pub rows: Vec<ProjectionRow>,
    pub contributions: Money,
    pub yields: Money,
    pub closing_balance: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error("projection_length")]
    Length,
    #[error("projection_wage")]
    Wage,
    #[error("projection_growth")]
    Growth,
}

impl ProjectionError {
    pub fn code(self) -> &'static str {
        match self {
            ProjectionError::Length => "projection_length",
            ProjectionError::Wage => "projection_wage",
            ProjectionError::Growth => "projection_growth",
        }
    }
}

/// Projects the balance bimester by bimester: each bimester the balance grows by the yearly
/// rate for its share of the year, `(1 + r)^(days/365)`, then the contribution is added (5% of
/// the capped wage for every day of the bimester, none during the gap). `rate_for(year)` gives
/// the yearly rate and whether it is assumed; `cap_on(day)` the daily wage cap.
pub fn project(
    input: &ProjectionInput,
    rate_for: impl Fn(i32) -> (Decimal, bool),
    cap_on: impl Fn(Date) -> Money,
) -> Result<Projection, ProjectionError> {
    if input.bimesters == 0 || input.bimesters > 240 {
        return Err(ProjectionError::Length);
    }
    if input.daily_wage.is_negative() {
        return Err(ProjectionError::Wage);
    }
    if input.wage_growth < Decimal::ZERO || input.wage_growth > Decimal::ONE {
        return Err(ProjectionError::Growth);
    }
    let mut rows = Vec::with_capacity(input.bimesters as usize);
    let (mut balance, mut wage) = (input.opening_balance, input.daily_wage);
    let (mut contributions, mut yields) = (Money::ZERO, Money::ZERO);
    let mut b = input.start;
    for i in 0..input.bimesters {
        if i > 0 && b.number() == 1 {
            wage = wage.times(Decimal::ONE + input.wage_growth).unwrap_or(wage);
        }
        let (rate, rate_assumed) = rate_for(b.year());
        let share = f64::from(b.days()) / 365.0;
        let rate_f = rate.try_into().unwrap_or(0.0f64);
        let factor = Decimal::try_from((1.0 + rate_f).powf(share) - 1.0).unwrap_or(Decimal::ZERO);
        let yield_amount = if balance.centavos() > 0 {
            balance.times(factor).unwrap_or(Money::ZERO)
        } else {
            Money::ZERO
        };
        let contribution = if i < input.gap_bimesters {
            Money::ZERO
        } else {
            contribution(wage, cap_on(b.first_day()), b.days())
        };
        balance += yield_amount + contribution;
        contributions += contribution;
        yields += yield_amount;
        rows.push(ProjectionRow {
            bimester: b,
            daily_wage: wage,
            contribution,
            yield_amount,
            balance,
            rate,
            rate_assumed,
        });
        b = b.next();
    }
    Ok(Projection {
        rows,
        contributions,
        yields,
        closing_balance: balance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{MemberId, MovementKind};
    use time::macros::date;

    fn pesos(text: &str) -> Money {
        Money::parse(text).unwrap_or(Money::ZERO)
    }

    fn movement(bucket: Bucket, kind: MovementKind, amount: &str, on: Date) -> Movement {
        Movement {
            member_id: MemberId(1),
            bucket,
            kind,
            period: 0,
            source: 0,
            amount: pesos(amount),
            booked_on: on,
        }
    }

    #[test]
    fn contributions_are_five_percent_of_the_capped_wage_per_day() {
        // 61 days at $500.00: 0.05 × 500 × 61 = $1,525.00.
        assert_eq!(
            contribution(pesos("500"), pesos("2932.75"), 61),
            pesos("1525.00")
        );
        // Above the cap (25 UMA of 2026, $117.31 × 25 = $2,932.75) only the cap counts:
        // 0.05 × 2,932.75 × 59 = 8,651.6125 → $8,651.61.
        assert_eq!(
            contribution(pesos("5000"), pesos("2932.75"), 59),
            pesos("8651.61")
        );
        // Half a centavo rounds away from zero: 0.05 × 0.01 × 10 = 0.005 → 0.01.
        assert_eq!(contribution(pesos("0.01"), pesos("1"), 10), pesos("0.01"));
    }

    #[test]
    fn the_yield_rounds_half_away_from_zero_and_skips_empty_balances() {
        let rate = Decimal::new(736, 4); // 7.36%
        // 12,345.67 × 0.0736 = 908.641312 → 908.64
        assert_eq!(yearly_yield(pesos("12345.67"), rate), pesos("908.64"));
        // 0.50 × 0.01 = 0.005 → 0.01
        assert_eq!(
            yearly_yield(pesos("0.50"), Decimal::new(1, 2)),
            pesos("0.01")
        );
        assert_eq!(yearly_yield(Money::ZERO, rate), Money::ZERO);
        assert_eq!(yearly_yield(pesos("-5"), rate), Money::ZERO);
    }

    #[test]
    fn the_summary_shows_every_bucket_and_what_each_is_for() {
        let balances = [
            BucketBalance {
                bucket: Bucket::Fondo7292,
                balance: pesos("1000"),
            },
            BucketBalance {
                bucket: Bucket::Scv97,
                balance: pesos("50000.50"),
            },
        ];
        let s = Summary::new(
            &balances,
            Some(date!(2026 - 09 - 17)),
            Some(date!(2025 - 12 - 31)),
        );
        assert_eq!(s.buckets.len(), 4);
        assert_eq!(s.total, pesos("51000.50"));
        assert_eq!(s.usable_for_credit, pesos("50000.50"));
        assert_eq!(s.buckets[0].use_, Use::RetirementOnly);
        assert!(!s.buckets[0].earns_yield);
        assert_eq!(s.buckets[3].balance, Money::ZERO);
        assert_eq!(s.last_contribution, Some(date!(2026 - 09 - 17)));
        assert_eq!(s.last_yield, Some(date!(2025 - 12 - 31)));
    }

    #[test]
    fn the_running_balance_follows_booking_order() {
        let movements = [
            movement(
                Bucket::Scv97,
                MovementKind::Yield,
                "10",
                date!(2025 - 12 - 31),
            ),
            movement(
                Bucket::Scv97,
                MovementKind::Contribution,
                "100",
                date!(2025 - 03 - 17),
            ),
            movement(
                Bucket::Scv97,
                MovementKind::Withdrawal,
                "-50",
                date!(2026 - 01 - 05),
            ),
        ];
        let lines = running(&movements);
        let after: Vec<Money> = lines.iter().map(|l| l.balance_after).collect();
        assert_eq!(after, [pesos("100"), pesos("110"), pesos("60")]);
    }

    #[test]
    fn the_calculator_matches_a_hand_computed_example() {
        // $10,000.00 today, $500.00 a day, 7% a year, from the 6th bimester of 2026 for two
        // bimesters, no growth, no gap, cap far above the wage.
        // 6th bimester 2026 (Nov–Dec, 61 days):
        //   yield = 10,000 × ((1.07)^(61/365) − 1) = 10,000 × 0.0113716… = 113.72
        //   contribution = 0.05 × 500 × 61 = 1,525.00 → balance 11,638.72
        // 1st bimester 2027 (Jan–Feb, 59 days):
        //   yield = 11,638.72 × ((1.07)^(59/365) − 1) = 11,638.72 × 0.0109967… = 127.99
        //   contribution = 0.05 × 500 × 59 = 1,475.00 → balance 13,241.71
        let input = ProjectionInput {
            start: Bimester::new(2026, 6).unwrap_or(Bimester::containing(date!(2026 - 11 - 01))),
            opening_balance: pesos("10000"),
            daily_wage: pesos("500"),
            bimesters: 2,
            wage_growth: Decimal::ZERO,
            gap_bimesters: 0,
        };
        let p = project(&input, |_| (Decimal::new(7, 2), true), |_| pesos("100000")).unwrap();
        let row = |i: usize| {
            (
                p.rows[i].yield_amount,
                p.rows[i].contribution,
                p.rows[i].balance,
            )
        };
        assert_eq!(
            row(0),
            (pesos("113.72"), pesos("1525.00"), pesos("11638.72"))
        );
        assert_eq!(
            row(1),
            (pesos("127.99"), pesos("1475.00"), pesos("13241.71"))
        );
        assert_eq!(p.contributions, pesos("3000.00"));
        assert_eq!(p.yields, pesos("241.71"));
        assert_eq!(p.closing_balance, pesos("13241.71"));
    }

    #[test]
    fn growth_applies_in_january_and_the_gap_pays_nothing() {
        let input = ProjectionInput {
            start: Bimester::new(2026, 6).unwrap_or(Bimester::containing(date!(2026 - 11 - 01))),
            opening_balance: Money::ZERO,
            daily_wage: pesos("100"),
            bimesters: 3,
            wage_growth: Decimal::new(10, 2),
            gap_bimesters: 1,
        };
        let p = project(&input, |_| (Decimal::ZERO, false), |_| pesos("1000")).unwrap();
        assert_eq!(p.rows[0].contribution, Money::ZERO, "out of work");
        assert_eq!(p.rows[1].daily_wage, pesos("110"), "10% more from January");
        assert_eq!(p.rows[1].contribution, pesos("324.50")); // 0.05 × 110 × 59
        assert_eq!(p.rows[2].contribution, pesos("335.50")); // 0.05 × 110 × 61
        assert_eq!(
            project(
                &ProjectionInput {
                    bimesters: 0,
                    ..input.clone()
                },
                |_| (Decimal::ZERO, false),
                |_| pesos("1")
            ),
            Err(ProjectionError::Length)
        );
    }
}
