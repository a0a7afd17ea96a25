//! Credits: who gets one, when, in VSM or pesos, and the yearly movements that follow —
//! interest, payroll or direct payments, employer contributions, VSM re-indexation, payoff.

use domain::money::Money;
use domain::reference::{ReferenceError, ReferenceTables};
use domain::registry::{
    Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, MemberId,
};
use rand::Rng;
use rust_decimal::Decimal;
use time::{Date, Duration, Month};

use crate::history::{Plan, minimum_wage};
use crate::{Config, MemberRecord, Profile};

/// Credits in pesos replaced VSM credits in 2016.
const PESOS_FROM: i32 = 2016;

pub(crate) struct CreditPlan {
    pub originated_on: Date,
    pub paid_off_on: Option<Date>,
    pub amount: Money,
    pub rate: f64,
    pub term_months: u16,
    pub denomination: Denomination,
    pub product: CreditProduct,
    pub profile: Profile,
    pub number: u64,
}

impl CreditPlan {
    /// Whether the credit is receiving the employer's contributions on this date.
    pub fn covers(&self, date: Date) -> bool {
        date > self.originated_on && self.paid_off_on.is_none_or(|p| date <= p)
    }
}

pub(crate) fn plan(
    rng: &mut impl Rng,
    config: &Config,
    tables: &ReferenceTables,
    plan: &Plan,
) -> Result<Option<CreditPlan>, ReferenceError> {
    let earliest = (plan.career_start + Duration::days(3 * 365))
        .max(Date::from_calendar_date(1995, Month::January, 1).unwrap_or(Date::MIN));
    let latest = plan.career_end.unwrap_or(config.until) - Duration::days(60);
    if earliest >= latest || !rng.random_bool(0.4) {
        return Ok(None);
    }
    let span = (latest - earliest).whole_days();
    let originated_on = earliest + Duration::days(rng.random_range(0..span));
    let monthly_wage =
        minimum_wage(tables, originated_on)?.centavos() as f64 / 100.0 * plan.wage_multiple * 30.4;
    let amount = monthly_wage * rng.random_range(28.0..60.0);
    let denomination = if originated_on.year() < PESOS_FROM {
        Denomination::Vsm
    } else {
        Denomination::Pesos
    };
    let rate = match denomination {
        Denomination::Vsm => 0.04 + 0.06 * (plan.wage_multiple / 10.0).min(1.0),
        Denomination::Pesos => 0.0191 + 0.0854 * ((plan.wage_multiple - 1.0) / 5.0).clamp(0.0, 1.0),
    };
    let years_left = (config.until - originated_on).whole_days() / 365;
    let paid_off_on = (years_left >= 6 && rng.random_bool(0.35))
        .then(|| originated_on + Duration::days(365 * rng.random_range(5..=years_left.min(25))));
    let profile = match (paid_off_on, denomination) {
        (Some(_), _) => Profile::PaidOff,
        (None, Denomination::Vsm) => Profile::VsmBorrower,
        (None, Denomination::Pesos) => Profile::PesosBorrower,
    };
    let product = match rng.random_range(0..20) {
        0 => CreditProduct::Cofinavit,
        1 => CreditProduct::UnamosCreditos,
        _ => CreditProduct::Tradicional,
    };
    Ok(Some(CreditPlan {
        originated_on,
        paid_off_on,
        amount: Money::from_centavos((amount * 100.0).round() as i64),
        rate: (rate * 10_000.0).round() / 10_000.0,
        term_months: [240u16, 300, 360][rng.random_range(0..3)],
        denomination,
        product,
        profile,
        number: (originated_on.year() % 100) as u64 * 100_000_000
            + rng.random_range(0..100_000_000u64),
    }))
}

/// The whole months of `from..=to`, each ending on its last day (or on `to`), labelled
/// `YYYY-MM`; a month cut short counts as the share of it that ran.
fn months_of(from: Date, to: Date) -> Vec<(Date, Date, f64, String)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let last = start.month().length(start.year());
        let month_end = Date::from_calendar_date(start.year(), start.month(), last).unwrap_or(to);
        let end = month_end.min(to);
        let share = f64::from(end.day() - start.day() + 1) / f64::from(last);
        out.push((
            start,
            end,
            share,
            format!("{}-{:02}", start.year(), u8::from(start.month())),
        ));
        start = month_end + Duration::days(1);
    }
    out
}

fn pesos(value: f64) -> Money {
    Money::from_centavos((value * 100.0).round() as i64)
}

/// How much a VSM balance grows on 1 January: the minimum wage increase, and since 2016 the UMI's.
fn reindexation(tables: &ReferenceTables, year: i32) -> Result<f64, ReferenceError> {
    let jan = |y| Date::from_calendar_date(y, Month::January, 1).unwrap_or(Date::MIN);
    let ratio = |a: Money, b: Money| a.centavos() as f64 / b.centavos().max(1) as f64;
    if year > PESOS_FROM {
        let now = tables.umi.value_on(jan(year))?.daily;
        let before = tables.umi.value_on(jan(year - 1))?.daily;
        Ok(ratio(now, before))
    } else {
        Ok(ratio(
            minimum_wage(tables, jan(year))?,
            minimum_wage(tables, jan(year - 1))?,
        ))
    }
}

pub(crate) fn post(
    record: &mut MemberRecord,
    credit: &CreditPlan,
    employer_payments: &[(Date, Money)],
    tables: &ReferenceTables,
    config: &Config,
) -> Result<(), ReferenceError> {
    let number = CreditNumber::numbered(credit.number);
    let mut balance = credit.amount.centavos() as f64 / 100.0;
    let monthly_rate = credit.rate / 12.0;
    let n = f64::from(credit.term_months);
    let mut instalment = balance * monthly_rate / (1.0 - (1.0 + monthly_rate).powf(-n));
    let amount_vsm = match credit.denomination {
        Denomination::Vsm => {
            let vsm = minimum_wage(tables, credit.originated_on)?.centavos() as f64 / 100.0 * 30.4;
            Decimal::from_f64_retain((balance / vsm * 100.0).round() / 100.0)
        }
        Denomination::Pesos => None,
    };
    let end = credit.paid_off_on.unwrap_or(config.until);
    let mut moves = vec![(
        credit.originated_on,
        "D".to_owned(),
        CreditMovementKind::Disbursement,
        balance,
    )];
    for year in credit.originated_on.year()..=end.year() {
        let from = if year == credit.originated_on.year() {
            credit.originated_on
        } else {
            jan(year)
        };
        let to = if year == end.year() { end } else { dec31(year) };
        let months = ((to - from).whole_days() as f64 / 30.4).floor();
        if credit.denomination == Denomination::Vsm && year > credit.originated_on.year() {
            let factor = reindexation(tables, year)?;
            let growth = balance * (factor - 1.0);
            // The payment is a number of VSM units too: it grows with the balance.
            instalment *= factor;
            moves.push((
                jan(year),
                format!("R{year}"),
                CreditMovementKind::Reindexation,
                growth,
            ));
            balance += growth;
        }
        // Old years as one line each; the last two month by month, as a statement shows them.
        let periods = if year + 1 >= config.until.year() {
            months_of(from, to)
        } else {
            vec![(from, to, months, year.to_string())]
        };
        for (from, to, months, label) in periods {
            let interest = balance * credit.rate * months / 12.0;
            let employer: f64 = employer_payments
                .iter()
                .filter(|(d, _)| *d >= from && *d <= to)
                .map(|(_, m)| m.centavos() as f64 / 100.0)
                .sum();
            // Contributions beyond what is owed stay with the worker (refund of overpayments).
            let employer = employer.min(balance + interest);
            let payments = (instalment * months)
                .min(balance + interest - employer)
                .max(0.0);
            let employed = record
                .relations
                .iter()
                .any(|r| r.end_date.is_none_or(|e| e >= to));
            let kind = if employed {
                CreditMovementKind::PayrollPayment
            } else {
                CreditMovementKind::DirectPayment
            };
            moves.push((
                to,
                format!("I{label}"),
                CreditMovementKind::Interest,
                interest,
            ));
            if employer > 0.0 {
                moves.push((
                    to,
                    format!("A{label}"),
                    CreditMovementKind::EmployerContribution,
                    -employer,
                ));
            }
            moves.push((to, format!("P{label}"), kind, -payments));
            balance += interest - employer - payments;
        }
    }
    // A credit whose term ran out is paid off too, whatever its plan said.
    let repaid = credit.paid_off_on.is_some() || balance < 1.0;
    if credit.paid_off_on.is_some() && balance > 0.0 {
        moves.push((
            end,
            "LIQ".to_owned(),
            CreditMovementKind::DirectPayment,
            -balance,
        ));
    }
    record.credit_movements = moves
        .into_iter()
        .map(|(booked_on, reference, kind, amount)| CreditMovement {
            member_id: MemberId(0),
            credit_number: number.clone(),
            reference,
            kind,
            booked_on,
            amount: pesos(amount),
        })
        .filter(|m| !m.amount.is_zero())
        .collect();
    // Rounding each movement to the centavo may leave a paid-off credit a few centavos off zero.
    if repaid {
        let rest: Money = record.credit_movements.iter().map(|m| m.amount).sum();
        if let Some(last) = record.credit_movements.last_mut() {
            last.amount -= rest;
        }
    }
    record.credits.push(Credit {
        credit_number: number,
        member_id: MemberId(0),
        product: credit.product,
        denomination: credit.denomination,
        originated_on: credit.originated_on,
        amount: credit.amount,
        amount_vsm,
        rate: Decimal::from_f64_retain(credit.rate)
            .unwrap_or(Decimal::ZERO)
            .round_dp(4),
        term_months: credit.term_months,
        status: if repaid {
            CreditStatus::PaidOff
        } else {
            CreditStatus::Active
        },
    });
    Ok(())
}

fn jan(year: i32) -> Date {
    Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN)
}

fn dec31(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MIN)
}
