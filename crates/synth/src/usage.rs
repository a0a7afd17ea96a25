//! Calibrated portal usage for the statistics: accounts opened over time, so that the report
//! gives the fund's published figures at scale 1 (domain.md §1), and sessions and
//! consultations in chosen windows only.
//!
//! Counts are exact, not drawn: the registered accounts at the end of each day are the
//! published anchors interpolated linearly and multiplied by the scale, rounded; states are
//! dealt by quota in the order of their weights; daily users and monthly actives are the
//! targets rounded; session lengths are drawn and then scaled so their mean is the target.
//! What is drawn from the seed is who, at what time, and for how long.

use std::collections::HashSet;

use domain::audit::Channel;
use domain::ids::generate::{self, NameParts};
use domain::reference::ReferenceTables;
use domain::registry::{Person, Sex, StateCode};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::macros::date;
use time::{Date, Duration, OffsetDateTime};

use crate::names::{self, STATE_WEIGHTS};
use crate::state_code;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UsageConfig {
    /// 1.0 is the fund's size; counts scale with it.
    pub scale: f64,
    /// Nothing happens after the end of this day.
    pub until: Date,
    pub seed: u64,
}

/// Registered accounts at the end of each day, at scale 1: the published figures (end of
/// 2019, the first quarter of 2020 with 48% of the half's new accounts, June 2020, May 2022,
/// August 2024 with 200,000 a month over its last year) and a start for the portal.
const ANCHORS: &[(Date, f64)] = &[
    (date!(2012 - 01 - 01), 0.0),
    (date!(2018 - 08 - 31), 7_856_575.0),
    (date!(2019 - 12 - 31), 8_253_324.0),
    (date!(2020 - 03 - 31), 8_667_785.0),
    (date!(2020 - 06 - 30), 9_116_784.0),
    (date!(2022 - 05 - 31), 11_129_000.0),
    (date!(2023 - 08 - 31), 13_941_676.0),
    (date!(2024 - 08 - 31), 16_341_676.0),
];

/// After the last anchor, accounts keep coming at 200,000 a month.
const NEW_PER_DAY_AFTER: f64 = 200_000.0 * 12.0 / 365.25;

/// Registered accounts at the end of `day` at scale 1.
pub fn registered_at(day: Date) -> f64 {
    let Some(&(first, _)) = ANCHORS.first() else {
        return 0.0;
    };
    if day < first {
        return 0.0;
    }
    for pair in ANCHORS.windows(2) {
        let ((d0, v0), (d1, v1)) = (pair[0], pair[1]);
        if day <= d1 {
            let span = (d1 - d0).whole_days() as f64;
            let at = (day - d0).whole_days() as f64;
            return v0 + (v1 - v0) * at / span;
        }
    }
    let (last, value) = ANCHORS[ANCHORS.len() - 1];
    value + NEW_PER_DAY_AFTER * (day - last).whole_days() as f64
}

/// The day the first account opens.
pub fn first_day() -> Date {
    ANCHORS[0].0 + Duration::days(1)
}

/// How an era of the portal was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// 2020: about 138,000 users a day, sessions of 6 min 54 s on average.
    Y2020,
    /// 2024: 3.7 million monthly actives, sessions of about 10 minutes.
    Y2024,
}

impl Era {
    pub fn mean_session_seconds(self) -> f64 {
        match self {
            Era::Y2020 => 414.0,
            Era::Y2024 => 600.0,
        }
    }

    fn of(day: Date) -> Era {
        if day.year() < 2022 {
            Era::Y2020
        } else {
            Era::Y2024
        }
    }
}

/// Days with sessions and consultations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: Date,
    pub to: Date,
    pub era: Era,
}

/// The windows with activity: June 2020 and August 2024 when `until` reaches their end, and
/// the 30 days up to `until` when it is neither.
pub fn windows(until: Date) -> Vec<Window> {
    let mut out = Vec::new();
    for (from, to, era) in [
        (date!(2020 - 06 - 01), date!(2020 - 06 - 30), Era::Y2020),
        (date!(2024 - 08 - 01), date!(2024 - 08 - 31), Era::Y2024),
    ] {
        if to <= until {
            out.push(Window { from, to, era });
        }
    }
    if !out.iter().any(|w| w.to == until) {
        let from = until - Duration::days(29);
        if from > first_day() {
            out.retain(|w| w.to < from);
            out.push(Window {
                from,
                to: until,
                era: Era::of(until),
            });
        }
    }
    out
}

/// Consultations, most used first, and their share of sessions: the published ranking
/// (Responsabilidad Compartida, pre-qualification, balances and movements, discount notices)
/// and then the rest.
pub const PROCEDURE_SHARES: &[(&str, f64)] = &[
    ("responsabilidad_compartida", 0.30),
    ("prequalification", 0.24),
    ("balances_movements", 0.18),
    ("discount_notices", 0.11),
    ("savings_balance", 0.09),
    ("interest_certificate", 0.05),
];

/// One generated account: its member's identity and when it was opened and activated.
#[derive(Clone, Debug)]
pub struct UsageAccount {
    pub index: u32,
    pub person: Person,
    pub created_at: OffsetDateTime,
    pub activated_at: OffsetDateTime,
}

/// One generated session of `accounts[account]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageSession {
    pub account: u32,
    pub channel: Channel,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// Consultations of one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageCount {
    pub day: Date,
    pub procedure: &'static str,
    pub uses: i64,
}

fn rng(seed: u64, stream: u64, word: u128) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0057_A751_C500);
    rng.set_stream(stream);
    rng.set_word_pos(word * 4096);
    rng
}

fn at(day: Date, seconds: i64) -> OffsetDateTime {
    day.midnight().assume_offset(domain::dates::MEXICO_CITY) + Duration::seconds(seconds)
}

/// New accounts on each day from the first through `until`, at `scale`.
pub fn new_accounts_by_day(config: &UsageConfig) -> Vec<(Date, u32)> {
    let mut out = Vec::new();
    let mut day = first_day();
    let mut before = 0i64;
    while day <= config.until {
        let now = (registered_at(day) * config.scale).round() as i64;
        let new = u32::try_from((now - before).max(0)).unwrap_or(0);
        if new > 0 {
            out.push((day, new));
        }
        before = before.max(now);
        day += Duration::days(1);
    }
    out
}

/// Deals states by quota: each account goes to the state furthest below its share so far.
struct StateDealer {
    dealt: Vec<u64>,
    total: u64,
    weight_sum: u64,
}

impl StateDealer {
    fn new() -> StateDealer {
        StateDealer {
            dealt: vec![0; STATE_WEIGHTS.len()],
            total: 0,
            weight_sum: STATE_WEIGHTS.iter().map(|(_, w)| u64::from(*w)).sum(),
        }
    }

    fn next(&mut self) -> StateCode {
        self.total += 1;
        let mut best = 0;
        let mut best_gap = i128::MIN;
        for (i, (_, weight)) in STATE_WEIGHTS.iter().enumerate() {
            // Deficit times weight_sum, to stay in integers.
            let gap = i128::from(self.total) * i128::from(*weight)
                - i128::from(self.dealt[i]) * i128::from(self.weight_sum);
            if gap > best_gap {
                best_gap = gap;
                best = i;
            }
        }
        self.dealt[best] += 1;
        state_code(STATE_WEIGHTS[best].0)
    }
}

/// The identity of account holder `index`: a valid NSS that no other index shares (up to 99
/// million), a CURP made unique by moving the birth date, and the state dealt.
fn person(
    rng: &mut ChaCha8Rng,
    tables: &ReferenceTables,
    index: u32,
    state: StateCode,
    until: Date,
    curps: &mut HashSet<String>,
) -> Person {
    let sex = if rng.random_bool(0.42) {
        Sex::Female
    } else {
        Sex::Male
    };
    let (first, second, given) = names::person(rng, sex);
    let mut birth = until - Duration::days(rng.random_range(19 * 365..70 * 365));
    let name = NameParts {
        first_surname: first,
        second_surname: second,
        given_names: &given,
    };
    let curp_state = tables
        .state_by_inegi(state)
        .map_or("DF", |s| s.curp_code.as_str())
        .to_owned();
    let homonym = rng.random_range(0..10);
    let mut curp = generate::curp(&name, birth, sex, &curp_state, homonym);
    while !curps.insert(curp.as_str().to_owned()) {
        birth -= Duration::days(1);
        curp = generate::curp(&name, birth, sex, &curp_state, homonym);
    }
    // Blocks of 990,000 differ in how many years after birth the NSS was registered.
    let block = i32::try_from(index / 990_000).unwrap_or(0);
    Person {
        nss: generate::nss(
            u8::try_from(1 + (index / 10_000) % 99).unwrap_or(1),
            birth.year() + 18 + block,
            birth.year(),
            u16::try_from(index % 10_000).unwrap_or(0),
        ),
        curp,
        rfc: generate::rfc_person(&name, birth),
        first_surname: first.to_owned(),
        second_surname: second.to_owned(),
        given_names: given,
        birth_date: birth,
        sex,
        state,
    }
}

/// Every account opened through `until`, oldest first: opened between 7:00 and 22:00 Mexico
/// City time and activated within ten minutes, the same day.
pub fn accounts(config: &UsageConfig, tables: &ReferenceTables) -> Vec<UsageAccount> {
    Accounts::new(config, tables).collect()
}

/// The accounts of [`accounts`], one at a time: a national population is generated and loaded
/// without being held in memory at once.
pub struct Accounts<'a> {
    config: UsageConfig,
    tables: &'a ReferenceTables,
    days: std::vec::IntoIter<(Date, u32)>,
    /// The day being dealt and the opening times (seconds) of its accounts still to come.
    day: Option<(Date, std::vec::IntoIter<i64>)>,
    dealer: StateDealer,
    curps: HashSet<String>,
    index: u32,
}

impl<'a> Accounts<'a> {
    pub fn new(config: &UsageConfig, tables: &'a ReferenceTables) -> Accounts<'a> {
        Accounts {
            config: *config,
            tables,
            days: new_accounts_by_day(config).into_iter(),
            day: None,
            dealer: StateDealer::new(),
            curps: HashSet::new(),
            index: 0,
        }
    }
}

impl Iterator for Accounts<'_> {
    type Item = UsageAccount;

    fn next(&mut self) -> Option<UsageAccount> {
        loop {
            if let Some((day, times)) = &mut self.day
                && let Some(opened) = times.next()
            {
                let index = self.index;
                let mut r = rng(self.config.seed, 2, u128::from(index));
                let state = self.dealer.next();
                let person = person(
                    &mut r,
                    self.tables,
                    index,
                    state,
                    self.config.until,
                    &mut self.curps,
                );
                let created_at = at(*day, opened);
                let activated_at = created_at + Duration::seconds(r.random_range(30..600));
                self.index += 1;
                return Some(UsageAccount {
                    index,
                    person,
                    created_at,
                    activated_at,
                });
            }
            let (day, new) = self.days.next()?;
            let mut times: Vec<i64> = (0..new)
                .map(|k| {
                    let mut r = rng(self.config.seed, 1, u128::from(self.index + k));
                    r.random_range(7 * 3600..22 * 3600)
                })
                .collect();
            times.sort_unstable();
            self.day = Some((day, times.into_iter()));
        }
    }
}

/// Session lengths with mean `mean`: drawn as the sum of two exponentials (most sessions
/// short, a few long), then scaled so their mean is `mean` to the second.
fn lengths(rng: &mut ChaCha8Rng, n: usize, mean: f64) -> Vec<i64> {
    let drawn: Vec<f64> = (0..n)
        .map(|_| {
            let u1: f64 = rng.random_range(f64::EPSILON..1.0);
            let u2: f64 = rng.random_range(f64::EPSILON..1.0);
            -(u1.ln() + u2.ln()) / 2.0
        })
        .collect();
    let drawn_mean = drawn.iter().sum::<f64>() / n.max(1) as f64;
    let factor = if drawn_mean > 0.0 {
        mean / drawn_mean
    } else {
        0.0
    };
    drawn
        .into_iter()
        .map(|d| ((d * factor).round() as i64).clamp(1, 12 * 3600))
        .collect()
}

fn channel(rng: &mut ChaCha8Rng) -> Channel {
    if rng.random_bool(0.8) {
        Channel::Web
    } else {
        Channel::App
    }
}

/// The sessions of a window, by accounts activated before it starts (`activated`: when each
/// account was activated, oldest first, as [`accounts`] gives them). In 2020 each day has
/// its users (138,000 at scale 1), one session each; in 2024 the window's month has its
/// actives (3.7 million at scale 1), each with one to four sessions on different days.
pub fn sessions(
    config: &UsageConfig,
    activated: &[OffsetDateTime],
    window: &Window,
) -> Vec<UsageSession> {
    let start = at(window.from, 0);
    let eligible = activated.partition_point(|a| *a < start);
    let days = (window.to - window.from).whole_days() + 1;
    let mut r = rng(
        config.seed,
        3,
        u128::from(window.from.to_julian_day().unsigned_abs()),
    );
    let mut visits: Vec<(u32, Date)> = Vec::new();
    match window.era {
        Era::Y2020 => {
            let per_day = ((138_000.0 * config.scale).round() as usize).min(eligible);
            for d in 0..days {
                let day = window.from + Duration::days(d);
                for i in sample(&mut r, eligible, per_day) {
                    visits.push((u32::try_from(i).unwrap_or(0), day));
                }
            }
        }
        Era::Y2024 => {
            let actives = ((3_700_000.0 * config.scale).round() as usize).min(eligible);
            let span = usize::try_from(days).unwrap_or(1);
            for i in sample(&mut r, eligible, actives) {
                let k = r.random_range(1..=4usize).min(span);
                for d in sample(&mut r, span, k) {
                    visits.push((
                        u32::try_from(i).unwrap_or(0),
                        window.from + Duration::days(i64::try_from(d).unwrap_or(0)),
                    ));
                }
            }
        }
    }
    let lengths = lengths(&mut r, visits.len(), window.era.mean_session_seconds());
    let mut out: Vec<UsageSession> = visits
        .into_iter()
        .zip(lengths)
        .map(|((account, day), length)| {
            let created_at = at(day, r.random_range(7 * 3600..23 * 3600));
            UsageSession {
                account,
                channel: channel(&mut r),
                created_at,
                last_seen_at: created_at + Duration::seconds(length),
            }
        })
        .collect();
    out.sort_by_key(|s| (s.created_at, s.account));
    out
}

/// Consultations of each day of a window: the day's sessions times each procedure's share.
pub fn counts(sessions: &[UsageSession]) -> Vec<UsageCount> {
    let mut per_day: std::collections::BTreeMap<Date, i64> = std::collections::BTreeMap::new();
    for s in sessions {
        *per_day
            .entry(domain::dates::mexico_city_date(s.created_at))
            .or_default() += 1;
    }
    per_day
        .into_iter()
        .flat_map(|(day, n)| {
            PROCEDURE_SHARES
                .iter()
                .map(move |&(procedure, share)| UsageCount {
                    day,
                    procedure,
                    uses: (n as f64 * share).round() as i64,
                })
        })
        .filter(|c| c.uses > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anchors_give_the_published_figures() {
        assert_eq!(registered_at(date!(2020 - 06 - 30)), 9_116_784.0);
        assert_eq!(registered_at(date!(2024 - 08 - 31)), 16_341_676.0);
        let h1 = registered_at(date!(2020 - 06 - 30)) - registered_at(date!(2019 - 12 - 31));
        assert_eq!(h1, 863_460.0);
        let q2 = registered_at(date!(2020 - 06 - 30)) - registered_at(date!(2020 - 03 - 31));
        assert!((q2 / h1 - 0.52).abs() < 0.0005, "{}", q2 / h1);
        assert!(registered_at(date!(2022 - 05 - 31)) > 11_129_000.0 - 1.0);
    }

    #[test]
    fn states_are_dealt_by_quota_in_the_order_of_their_weights() {
        let mut dealer = StateDealer::new();
        let mut counts = std::collections::HashMap::new();
        for _ in 0..1029 {
            *counts.entry(dealer.next().0).or_insert(0) += 1;
        }
        assert_eq!(counts[&9], 170);
        assert_eq!(counts[&19], 95);
        assert!(counts[&15] > counts[&14] && counts[&14] > counts[&8]);
    }

    #[test]
    fn session_lengths_have_the_mean_asked_for() {
        let mut r = rng(7, 9, 0);
        let l = lengths(&mut r, 5000, 414.0);
        let mean = l.iter().sum::<i64>() as f64 / 5000.0;
        assert!((mean - 414.0).abs() < 1.0, "{mean}");
    }

    #[test]
    fn windows_follow_the_date() {
        let w = windows(date!(2024 - 08 - 31));
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].era, Era::Y2020);
        assert_eq!(w[1].from, date!(2024 - 08 - 01));
        let w = windows(date!(2021 - 03 - 15));
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].to, date!(2021 - 03 - 15));
        assert_eq!(w[1].from, date!(2021 - 02 - 14));
    }
}
