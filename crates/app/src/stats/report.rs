//! The report as of a date, computed from the summary tables only. Everything after the date
//! is left out because every query ends at it; a month counts in "monthly actives" only once
//! it has ended by the date.

use std::collections::BTreeMap;

use domain::dates::iso;
use domain::reference::ReferenceTables;
use domain::registry::StateCode;
use domain::requests::RequestKind;
use serde::Serialize;
use store::{
    ALL_STATES, SESSION_BUCKET_SECONDS, StatSum, Store, StoreError, metric, month_start, next_month,
};
use time::{Date, Duration, Month};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The last day counted (YYYY-MM-DD).
    pub as_of: String,
    /// The window of `activity` and `procedures`: its first day and length.
    pub window_from: String,
    pub window_days: u32,
    pub accounts: Accounts,
    /// Registered accounts by the member's state, most first.
    pub states: Vec<StateUsers>,
    pub activity: Activity,
    /// Consultations and requests started in the window, most used first.
    pub procedures: Vec<ProcedureUse>,
    /// Requests completed since 1 January of the year of the report, by kind.
    pub service_levels: Vec<ServiceLevel>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Accounts {
    /// Accounts activated on or before the date.
    pub registered: i64,
    /// Registered at the end of the year before.
    pub previous_year_end: i64,
    /// Activated from 1 January to the date.
    pub new_year_to_date: i64,
    /// `new_year_to_date` over `previous_year_end`, in percent.
    pub growth_percent: Option<f64>,
    /// Sign-ups (accounts created, activated or not) from 1 January to the date.
    pub signups_year_to_date: i64,
    /// The year's new accounts by quarter, up to the date.
    pub by_quarter: Vec<QuarterShare>,
    /// New accounts in each of the last twelve months (the last one up to the date).
    pub by_month: Vec<MonthCount>,
    /// The mean of `by_month` over its complete months.
    pub mean_new_per_month: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuarterShare {
    pub quarter: u8,
    pub new: i64,
    /// Of the year's new accounts so far, in percent.
    pub share_percent: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// The month's first day (YYYY-MM-DD).
    pub month: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StateUsers {
    /// INEGI number; 0 when unknown.
    pub state: u8,
    pub name: String,
    pub users: i64,
    pub share_percent: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Activity {
    /// Distinct users a day, averaged over every day of the window.
    pub mean_daily_users: f64,
    /// Distinct users each day of the window (days without any left out).
    pub daily_users: Vec<(String, i64)>,
    pub sessions: i64,
    pub mean_session_seconds: Option<f64>,
    /// From 10-second buckets: the middle of the bucket holding the median session.
    pub median_session_seconds: Option<f64>,
    /// Sessions in the window by channel.
    pub sessions_by_channel: Vec<(String, i64)>,
    /// The last month that ended on or before the date, and its distinct users.
    pub monthly_actives: Option<MonthCount>,
    /// Distinct users of each of the twelve months up to that one.
    pub monthly_series: Vec<MonthCount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcedureUse {
    /// A consultation's code (`stats::Procedure`) or a request kind's.
    pub code: String,
    pub uses: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceLevel {
    pub kind: String,
    pub started: i64,
    pub completed: i64,
    pub on_time: i64,
    pub on_time_percent: Option<f64>,
    /// Calendar days from submission to the promised date, on average.
    pub promised_mean_days: Option<f64>,
    /// Calendar days from submission to completion, on average.
    pub actual_mean_days: Option<f64>,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    ratio(part, whole).map(|r| r * 100.0)
}

fn metric_total(sums: &[StatSum], name: &str) -> i64 {
    sums.iter()
        .filter(|s| s.metric == name)
        .map(|s| s.value)
        .sum()
}

fn year_start(day: Date) -> Date {
    Date::from_calendar_date(day.year(), Month::January, 1).unwrap_or(day)
}

/// The month that ended last on or before `as_of`: its own when `as_of` is its last day.
fn last_complete_month(as_of: Date) -> Date {
    if (as_of + Duration::days(1)).day() == 1 {
        month_start(as_of)
    } else {
        month_start(month_start(as_of) - Duration::days(1))
    }
}

/// Twelve months back from `month`'s first day.
fn months_back(month: Date, n: i64) -> Date {
    let mut m = month;
    for _ in 0..n {
        m = month_start(m - Duration::days(1));
    }
    m
}

fn median_seconds(histogram: &[(i64, i64)]) -> Option<f64> {
    let total: i64 = histogram.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let half = (total + 1) / 2;
    let mut seen = 0;
    for &(bucket, n) in histogram {
        seen += n;
        if seen >= half {
            return Some(
                (bucket * SESSION_BUCKET_SECONDS) as f64 + SESSION_BUCKET_SECONDS as f64 / 2.0,
            );
        }
    }
    None
}

pub async fn build_report(
    store: &dyn Store,
    tables: &ReferenceTables,
    as_of: Date,
    window_days: u32,
) -> Result<Report, StoreError> {
    let window_days = window_days.max(1);
    let window_from = as_of - Duration::days(i64::from(window_days) - 1);
    let jan1 = year_start(as_of);

    // Accounts.
    let until_now = store.stats_sums(None, as_of).await?;
    let registered = metric_total(&until_now, metric::ACTIVATIONS);
    let before_year = store.stats_sums(None, jan1 - Duration::days(1)).await?;
    let previous_year_end = metric_total(&before_year, metric::ACTIVATIONS);
    let year = store.stats_sums(Some(jan1), as_of).await?;
    let new_year_to_date = metric_total(&year, metric::ACTIVATIONS);
    let this_month = month_start(as_of);
    let first_month = months_back(this_month, 11);
    let activations = store
        .stats_by_day(metric::ACTIVATIONS, first_month.min(jan1), as_of)
        .await?;
    let mut quarters = [0i64; 4];
    let mut months: BTreeMap<Date, i64> = BTreeMap::new();
    let mut m = first_month;
    while m <= this_month {
        months.insert(m, 0);
        m = next_month(m);
    }
    for &(day, n) in &activations {
        if day >= jan1 {
            quarters[usize::from((u8::from(day.month()) - 1) / 3)] += n;
        }
        if let Some(count) = months.get_mut(&month_start(day)) {
            *count += n;
        }
    }
    let last_quarter = (u8::from(as_of.month()) - 1) / 3;
    let by_quarter = (0..=last_quarter)
        .map(|q| QuarterShare {
            quarter: q + 1,
            new: quarters[usize::from(q)],
            share_percent: percent(quarters[usize::from(q)], new_year_to_date),
        })
        .collect();
    let complete: Vec<i64> = months
        .iter()
        .filter(|(month, _)| next_month(**month) <= as_of + Duration::days(1))
        .map(|(_, n)| *n)
        .collect();
    let mean_new_per_month = ratio(complete.iter().sum(), complete.len() as i64);
    let by_month = months
        .iter()
        .map(|(month, count)| MonthCount {
            month: iso(*month),
            count: *count,
        })
        .collect();

    // States, by registered accounts.
    let mut per_state: BTreeMap<i16, i64> = BTreeMap::new();
    for s in until_now.iter().filter(|s| s.metric == metric::ACTIVATIONS) {
        *per_state.entry(s.state).or_default() += s.value;
    }
    let mut states: Vec<StateUsers> = per_state
        .into_iter()
        .map(|(state, users)| {
            let code = u8::try_from(state).unwrap_or(0);
            let name = tables
                .state_by_inegi(StateCode(code))
                .map_or_else(String::new, |s| s.name.clone());
            StateUsers {
                state: code,
                name,
                users,
                share_percent: percent(users, registered),
            }
        })
        .collect();
    states.sort_by(|a, b| b.users.cmp(&a.users).then(a.state.cmp(&b.state)));

    // Activity in the window.
    let window = store.stats_sums(Some(window_from), as_of).await?;
    let daily = store
        .stats_by_day(metric::USERS_ALL, window_from, as_of)
        .await?;
    let users_days: i64 = daily.iter().map(|(_, n)| n).sum();
    let sessions = metric_total(&window, metric::SESSIONS);
    let seconds = metric_total(&window, metric::SESSION_SECONDS);
    let mut by_channel: BTreeMap<String, i64> = BTreeMap::new();
    for s in window.iter().filter(|s| s.metric == metric::SESSIONS) {
        *by_channel.entry(s.channel.clone()).or_default() += s.value;
    }
    let histogram = store.session_lengths(window_from, as_of).await?;
    let last_month = last_complete_month(as_of);
    let series_from = months_back(last_month, 11);
    let monthly: Vec<MonthCount> = store
        .monthly_actives(series_from, last_month)
        .await?
        .into_iter()
        .filter(|(_, state, _)| *state == ALL_STATES)
        .map(|(month, _, users)| MonthCount {
            month: iso(month),
            count: users,
        })
        .collect();
    let monthly_actives = monthly.iter().find(|m| m.month == iso(last_month)).cloned();
    let activity = Activity {
        mean_daily_users: users_days as f64 / f64::from(window_days),
        daily_users: daily.iter().map(|(d, n)| (iso(*d), *n)).collect(),
        sessions,
        mean_session_seconds: ratio(seconds, sessions),
        median_session_seconds: median_seconds(&histogram),
        sessions_by_channel: by_channel.into_iter().collect(),
        monthly_actives,
        monthly_series: monthly,
    };

    // Procedures: consultations, and requests started, in the window.
    let mut uses: BTreeMap<String, i64> = store
        .procedure_uses(window_from, as_of)
        .await?
        .into_iter()
        .collect();
    for kind in RequestKind::ALL {
        let started = metric_total(&window, &format!("{}:{}", metric::STARTED, kind.code()));
        if started > 0 {
            *uses.entry(kind.code().to_owned()).or_default() += started;
        }
    }
    let mut procedures: Vec<ProcedureUse> = uses
        .into_iter()
        .map(|(code, uses)| ProcedureUse { code, uses })
        .collect();
    procedures.sort_by(|a, b| b.uses.cmp(&a.uses).then(a.code.cmp(&b.code)));

    // Service levels, year to date.
    let service_levels = RequestKind::ALL
        .into_iter()
        .map(|kind| {
            let of = |m: &str| metric_total(&year, &format!("{m}:{}", kind.code()));
            let completed = of(metric::COMPLETED);
            let on_time = of(metric::ON_TIME);
            ServiceLevel {
                kind: kind.code().to_owned(),
                started: of(metric::STARTED),
                completed,
                on_time,
                on_time_percent: percent(on_time, completed),
                promised_mean_days: ratio(of(metric::PROMISED_DAYS), completed),
                actual_mean_days: ratio(of(metric::ACTUAL_DAYS), completed),
            }
        })
        .collect();

    Ok(Report {
        as_of: iso(as_of),
        window_from: iso(window_from),
        window_days,
        accounts: Accounts {
            registered,
            previous_year_end,
            new_year_to_date,
            growth_percent: percent(new_year_to_date, previous_year_end),
            signups_year_to_date: metric_total(&year, metric::SIGNUPS),
            by_quarter,
            by_month,
            mean_new_per_month,
        },
        states,
        activity,
        procedures,
        service_levels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_last_complete_month_is_the_dates_own_only_on_its_last_day() {
        assert_eq!(
            last_complete_month(date!(2024 - 08 - 31)),
            date!(2024 - 08 - 01)
        );
        assert_eq!(
            last_complete_month(date!(2020 - 06 - 30)),
            date!(2020 - 06 - 01)
        );
        assert_eq!(
            last_complete_month(date!(2020 - 06 - 29)),
            date!(2020 - 05 - 01)
        );
        assert_eq!(
            months_back(date!(2020 - 06 - 01), 11),
            date!(2019 - 07 - 01)
        );
    }

    #[test]
    fn the_median_is_the_middle_of_its_bucket() {
        assert_eq!(median_seconds(&[]), None);
        assert_eq!(median_seconds(&[(3, 1), (41, 1), (60, 1)]), Some(415.0));
        assert_eq!(median_seconds(&[(0, 10), (100, 1)]), Some(5.0));
    }
}
