//! Working lives: jobs with wages, the employer contributions they produce each bimester, and
//! the yearly yield on the subaccount.

use std::collections::BTreeMap;

use domain::bimester::Bimester;
use domain::money::Money;
use domain::reference::{ReferenceError, ReferenceTables};
use domain::registry::{Bucket, MemberId, Movement, MovementKind, Person, RelationPeriod};
use rand::Rng;
use rust_decimal::Decimal;
use time::{Date, Duration, Month};

use crate::credit::CreditPlan;
use crate::{Config, MemberRecord, Profile, nrp_of};

const EMPLOYEES_PER_EMPLOYER: u32 = 25;

/// The fund's first bimester with contributions (May–June 1972).
const FUND_START: Date = match Date::from_calendar_date(1972, Month::May, 1) {
    Ok(d) => d,
    Err(_) => Date::MIN,
};

pub fn employer_count(members: u32) -> u32 {
    (members / EMPLOYEES_PER_EMPLOYER).max(1)
}

pub(crate) struct Plan {
    pub relations: Vec<RelationPeriod>,
    pub profile: Profile,
    /// Wage as a multiple of the minimum wage, by period, for the credit model.
    pub wage_multiple: f64,
    pub career_start: Date,
    pub career_end: Option<Date>,
}

fn jan_first(year: i32) -> Date {
    Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN)
}

/// Jobs from the first one to retirement or today, with gaps, and a wage change now and then.
pub(crate) fn plan(
    rng: &mut impl Rng,
    config: &Config,
    person: &Person,
    first_job_age: i32,
    index: u32,
) -> Plan {
    let employers = employer_count(config.members);
    let birth = person.birth_date;
    let career_start = jan_first(birth.year() + first_job_age)
        .replace_month(Month::try_from(rng.random_range(1..=12u8)).unwrap_or(Month::January))
        .unwrap_or(birth)
        .max(FUND_START);
    let age_now = config.until.year() - birth.year();
    let retire_at = (age_now >= 60 && rng.random_bool(0.7))
        .then(|| jan_first(birth.year() + rng.random_range(60..=65)).min(config.until));
    let stop = retire_at.unwrap_or(config.until);
    let mut multiple = 1.0 + rng.random::<f64>().powi(3) * 9.0;
    let mut relations = Vec::new();
    let mut start = career_start;
    let mut job = 0u32;
    while start < stop {
        let years = rng.random_range(1..=14);
        let end = start + Duration::days(365 * years + rng.random_range(0..365));
        let nrp = nrp_of((index.wrapping_mul(7).wrapping_add(job * 13)) % employers);
        let open = end >= stop && retire_at.is_none();
        let end_date = if open {
            None
        } else {
            Some(end.min(stop) - Duration::days(1))
        };
        let last = end_date.unwrap_or(config.until);
        let mut wage_from = start;
        loop {
            relations.push(RelationPeriod {
                member_id: MemberId(0),
                nrp,
                start_date: start,
                end_date,
                wage_from,
                daily_wage: Money::ZERO,
            });
            let next = jan_first(wage_from.year() + rng.random_range(1..=3));
            if next > last {
                break;
            }
            multiple *= 1.0 + rng.random_range(0.0..0.08);
            wage_from = next;
        }
        if let Some(end) = end_date {
            // Some people take months between jobs; a few leave formal work for years.
            let gap = if rng.random_bool(0.3) {
                rng.random_range(30..900)
            } else {
                1
            };
            start = end + Duration::days(gap);
        } else {
            break;
        }
        job += 1;
        multiple *= rng.random_range(0.9..1.25);
    }
    let profile = if retire_at.is_some() {
        Profile::Pensioner
    } else {
        Profile::Saver
    };
    Plan {
        relations,
        profile,
        wage_multiple: multiple,
        career_start,
        career_end: retire_at,
    }
}

/// The minimum wage in force on a date, or the earliest known one before the table starts.
pub(crate) fn minimum_wage(tables: &ReferenceTables, date: Date) -> Result<Money, ReferenceError> {
    let date = date.max(tables.minimum_wage.first_date());
    Ok(tables.minimum_wage.value_on(date)?.general)
}

fn pesos(value: f64) -> Money {
    Money::from_centavos((value * 100.0).round() as i64)
}

/// Fills in wages, posts contributions and yields. Contributions made while a credit is active
/// go to the credit instead; they are returned, by booking date, for the credit to post.
pub(crate) fn post(
    record: &mut MemberRecord,
    plan: &Plan,
    credit: Option<&CreditPlan>,
    tables: &ReferenceTables,
    config: &Config,
) -> Result<Vec<(Date, Money)>, ReferenceError> {
    // Wages: the multiple grows along the periods; fix each period's pesos from its date.
    let periods = record.relations.len().max(1) as f64;
    for (i, r) in record.relations.iter_mut().enumerate() {
        let multiple = plan.wage_multiple * (0.7 + 0.3 * (i as f64 + 1.0) / periods);
        let base = minimum_wage(tables, r.wage_from)?.to_decimal();
        let wage = base * Decimal::from_f64_retain(multiple).unwrap_or(Decimal::ONE);
        r.daily_wage = Money::from_decimal(wage).unwrap_or(Money::ZERO);
    }
    let mut to_credit = Vec::new();
    let mut by_year: BTreeMap<i32, Vec<Movement>> = BTreeMap::new();
    let first = Bimester::containing(plan.career_start);
    let mut b = first;
    let last_due = config.until - Duration::days(20);
    loop {
        let booked_on = b.last_day() + Duration::days(17);
        if booked_on > last_due {
            break;
        }
        let amount = contribution(&record.relations, b, tables)?;
        if amount.centavos() > 0 {
            let credit_active = credit.is_some_and(|c| c.covers(booked_on));
            if credit_active && b.key() >= 19974 {
                to_credit.push((booked_on, amount));
            } else {
                let nrp = active_employer(&record.relations, b);
                by_year.entry(booked_on.year()).or_default().push(Movement {
                    member_id: MemberId(0),
                    bucket: Bucket::for_contribution(b),
                    kind: MovementKind::Contribution,
                    period: b.key(),
                    source: nrp.map_or(0, |n| n.source_key()),
                    amount,
                    booked_on,
                });
            }
        }
        b = b.next();
    }
    // The subaccount goes into the credit on the day it is granted.
    let mut balances: BTreeMap<Bucket, Money> = BTreeMap::new();
    let last_year = config.until.year() - 1;
    let first_year = plan.career_start.year();
    for year in first_year..=config.until.year() {
        for m in by_year.remove(&year).unwrap_or_default() {
            *balances.entry(m.bucket).or_default() += m.amount;
            record.movements.push(m);
        }
        if let Some(c) = credit.filter(|c| c.originated_on.year() == year) {
            for bucket in [Bucket::Scv92, Bucket::Scv97] {
                let balance = balances.get(&bucket).copied().unwrap_or_default();
                if balance.centavos() > 0 {
                    *balances.entry(bucket).or_default() -= balance;
                    record.movements.push(Movement {
                        member_id: MemberId(0),
                        bucket,
                        kind: MovementKind::AppliedToCredit,
                        period: domain::dates::yyyymmdd(c.originated_on),
                        source: 0,
                        amount: -balance,
                        booked_on: c.originated_on,
                    });
                }
            }
        }
        if year <= last_year && year >= 1992 {
            let (rate, _) = tables.yield_rate(year)?;
            let dec31 = Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MIN);
            for bucket in [Bucket::Scv92, Bucket::Scv97, Bucket::SoloInfonavit] {
                let balance = balances.get(&bucket).copied().unwrap_or_default();
                let gain = balance.times(rate).unwrap_or(Money::ZERO);
                if gain.centavos() > 0 {
                    *balances.entry(bucket).or_default() += gain;
                    record.movements.push(Movement {
                        member_id: MemberId(0),
                        bucket,
                        kind: MovementKind::Yield,
                        period: year,
                        source: 0,
                        amount: gain,
                        booked_on: dec31,
                    });
                }
            }
        }
    }
    Ok(to_credit)
}

fn active_employer(relations: &[RelationPeriod], b: Bimester) -> Option<&domain::registry::Nrp> {
    relations
        .iter()
        .rev()
        .find(|r| r.start_date <= b.last_day() && r.end_date.is_none_or(|e| e >= b.first_day()))
        .map(|r| &r.nrp)
}

/// 5% of the capped daily wage for each day worked in the bimester.
fn contribution(
    relations: &[RelationPeriod],
    b: Bimester,
    tables: &ReferenceTables,
) -> Result<Money, ReferenceError> {
    let (first, last) = (b.first_day(), b.last_day());
    let mut total = 0.0;
    for (i, r) in relations.iter().enumerate() {
        let next_wage = relations
            .get(i + 1)
            .filter(|n| n.start_date == r.start_date && n.nrp == r.nrp)
            .map(|n| n.wage_from - Duration::days(1));
        let period_end = match (next_wage, r.end_date) {
            (Some(n), _) => n,
            (None, Some(e)) => e,
            (None, None) => last,
        };
        let from = r.wage_from.max(first);
        let to = period_end.min(last);
        if from > to {
            continue;
        }
        let days = ((to - from).whole_days() + 1) as f64;
        let cap = domain::savings::daily_wage_cap(tables, from);
        let wage = r.daily_wage.min(cap).centavos() as f64 / 100.0;
        total += 0.05 * wage * days;
    }
    Ok(pesos(total))
}
