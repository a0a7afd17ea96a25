//! Shared fixtures of the points tests: the embedded tables, a typical member, and a member
//! whose measure of one factor is exactly a given value.

use std::sync::LazyLock;

use time::{Date, Month};

use super::tables::PointsTables;
use super::{CreditHistory, Factor, PointsInput, Unit};
use crate::money::Money;
use crate::reference::ReferenceTables;
use crate::registry::Sex;

pub static TABLES: LazyLock<PointsTables> = LazyLock::new(|| PointsTables::embedded().unwrap());
pub static REFERENCE: LazyLock<ReferenceTables> =
    LazyLock::new(|| ReferenceTables::embedded().unwrap());

pub fn pesos(text: &str) -> Money {
    Money::parse(text).unwrap()
}

/// A 30-year-old man with a permanent job, 10,000 pesos a month, 40,000 saved and five years
/// of contributions to an employer up to date.
pub fn member(as_of: Date) -> PointsInput {
    PointsInput {
        as_of,
        birth_date: years_before(as_of, 30),
        sex: Sex::Male,
        current_daily_wage: pesos("328.95"),
        average_daily_wage_6_bimesters: pesos("328.95"),
        savings: pesos("40000"),
        continuous_bimesters: 30,
        permanent_worker: true,
        employed_last_bimester: true,
        employer_up_to_date: true,
        has_active_credit: false,
        employer_stable: true,
        context_grade: 2,
        credit_history: CreditHistory::None,
    }
}

/// The same day and month `years` earlier (1 March for a 29 February that does not exist).
pub fn years_before(date: Date, years: i32) -> Date {
    let year = date.year() - years;
    Date::from_calendar_date(year, date.month(), date.day())
        .unwrap_or_else(|_| Date::from_calendar_date(year, Month::March, 1).unwrap())
}

/// The lowest daily wage whose monthly salary (× 30.4 to the centavo) is at least `monthly`
/// centavos.
pub fn daily_for_monthly(monthly: i64) -> Money {
    let mut daily = (monthly * 10 / 304 - 1).max(0);
    while (daily * 304 + 5) / 10 < monthly {
        daily += 1;
    }
    Money::from_centavos(daily)
}

/// `member` changed so that its measure of `factor` in `unit` is exactly `value` (× 10^decimals).
pub fn with_measure(mut input: PointsInput, factor: Factor, unit: Unit, value: i64) -> PointsInput {
    let as_of = input.as_of;
    let set_monthly = |input: &mut PointsInput, monthly: i64| {
        let daily = daily_for_monthly(monthly);
        input.current_daily_wage = daily;
        input.average_daily_wage_6_bimesters = daily;
    };
    let ceil = |n: i64, d: i64| (n + d - 1) / d;
    match unit {
        Unit::Years => input.birth_date = years_before(as_of, value as i32),
        Unit::Bimesters => input.continuous_bimesters = value as u32,
        Unit::Pesos => input.savings = Money::from_centavos(value),
        Unit::MonthlySalaries => {
            let monthly = super::evaluate::monthly_salary(&input).centavos();
            input.savings = Money::from_centavos(ceil(value * monthly, 100));
        }
        Unit::UmaMonthly => {
            let uma = REFERENCE.uma.value_on(as_of).unwrap().monthly.centavos();
            set_monthly(&mut input, ceil(value * uma, 10));
        }
        Unit::Vsm => {
            let wage = REFERENCE.minimum_wage.value_on(as_of).unwrap().general;
            set_monthly(&mut input, ceil(value * wage.centavos() * 30, 100));
        }
        Unit::Flag => {
            let on = value == 1;
            match factor {
                Factor::WorkerType => input.permanent_worker = on,
                Factor::EmployerBehaviour => input.employer_up_to_date = on,
                Factor::Stability => input.employer_stable = on,
                Factor::WomanBonus => input.sex = if on { Sex::Female } else { Sex::Male },
                _ => unreachable!("{factor:?} is not a flag"),
            }
        }
        Unit::Grade => match factor {
            Factor::Context => input.context_grade = value as u8,
            Factor::CreditBureau => {
                input.credit_history = match value {
                    0 => CreditHistory::Poor,
                    1 => CreditHistory::None,
                    _ => CreditHistory::Good,
                }
            }
            _ => unreachable!("{factor:?} is not a grade"),
        },
    }
    input
}
