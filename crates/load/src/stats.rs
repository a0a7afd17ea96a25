//! Every answer's time by kind, and the report: percentiles by nearest rank over all samples.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use tokio::time::Instant;

/// The kinds of answer; each is its index in `NAMES` and in the samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    SignIn,
    Consult,
    Pdf,
    SignOut,
    Healthz,
}

const NAMES: [&str; 5] = [
    "sign-in",
    "consultation",
    "statement PDF",
    "sign-out",
    "/healthz (baseline)",
];

pub struct Stats {
    start: Instant,
    /// Microseconds, one vector a kind.
    samples: [Vec<u64>; 5],
    /// When each member request was answered, from the start.
    answered_at: Vec<Duration>,
    /// When the first session ended: from then on as many sessions end as start.
    first_finished: Option<Duration>,
    /// How far behind its scheduled time each session started: the generator's own delay.
    lags: Vec<u64>,
    /// "route status" of every answer that was not the expected one, and how many.
    unexpected: BTreeMap<String, u64>,
    finished: u64,
}

impl Stats {
    pub fn new(start: Instant) -> Stats {
        Stats {
            start,
            samples: Default::default(),
            answered_at: Vec::new(),
            first_finished: None,
            lags: Vec::new(),
            unexpected: BTreeMap::new(),
            finished: 0,
        }
    }
}

/// What the run was asked to do and how long it took.
pub struct Run {
    pub rate: f64,
    pub requests: usize,
    pub think_ms: u64,
    pub arrivals: Duration,
    pub elapsed: Duration,
    pub started: u64,
    pub unfinished: usize,
}

impl Stats {
    /// One answer: its time, and when it was not the expected one, its route and status.
    pub fn record(&mut self, kind: Kind, took: Duration, ok: bool, route: &str, status: u16) {
        self.samples[kind as usize].push(micros(took));
        if kind != Kind::Healthz {
            self.answered_at.push(self.start.elapsed());
        }
        if !ok {
            *self
                .unexpected
                .entry(format!("{route} {status}"))
                .or_default() += 1;
        }
    }

    pub fn lag(&mut self, lag: Duration) {
        self.lags.push(micros(lag));
    }

    pub fn finished(&mut self) {
        self.finished += 1;
        self.first_finished.get_or_insert(self.start.elapsed());
    }

    /// Member requests a second between the end of the first session and the last arrival,
    /// when sessions end as often as they start: the load the server carried, without the
    /// ramp up and the tail.
    fn steady_rate(&self, arrivals: Duration) -> Option<f64> {
        let from = self.first_finished.filter(|f| *f < arrivals)?;
        let n = self
            .answered_at
            .iter()
            .filter(|t| **t >= from && **t < arrivals)
            .count();
        Some(n as f64 / (arrivals - from).as_secs_f64())
    }

    pub fn report(&self, run: &Run) -> String {
        let mut out = String::new();
        let arrivals = run.arrivals.as_secs_f64();
        let member: Vec<u64> = self.samples[..Kind::Healthz as usize]
            .iter()
            .flatten()
            .copied()
            .collect();
        let _ = writeln!(
            out,
            "offered {:.1} sessions/s for {:.0} s ({} consultations a session, think {} ms on average): \
             {} started ({:.2}/s), {} finished, {} still running at the end; the whole run took {:.0} s",
            run.rate,
            arrivals,
            run.requests,
            run.think_ms,
            run.started,
            run.started as f64 / arrivals,
            self.finished,
            run.unfinished,
            run.elapsed.as_secs_f64(),
        );
        let steady = self.steady_rate(run.arrivals).map_or_else(
            || "no steady part: make --duration longer than a session".to_owned(),
            |r| format!("{r:.1}/s while steady"),
        );
        let _ = writeln!(
            out,
            "member requests {} ({steady}), sign-ins {:.2}/s; sessions started late by the generator: p99 {}",
            member.len(),
            self.samples[Kind::SignIn as usize].len() as f64 / arrivals,
            ms(percentile(&self.lags, 99.0)),
        );
        let _ = writeln!(
            out,
            "{:<22} {:>8} {:>9} {:>9} {:>9} {:>9}",
            "answers", "count", "p50", "p95", "p99", "max"
        );
        let mut line = |name: &str, values: &[u64]| {
            let _ = writeln!(
                out,
                "{:<22} {:>8} {:>9} {:>9} {:>9} {:>9}",
                name,
                values.len(),
                ms(percentile(values, 50.0)),
                ms(percentile(values, 95.0)),
                ms(percentile(values, 99.0)),
                ms(values.iter().max().copied()),
            );
        };
        for (name, samples) in NAMES.iter().zip(&self.samples).take(4) {
            line(name, samples);
        }
        line("every member request", &member);
        line(
            NAMES[Kind::Healthz as usize],
            &self.samples[Kind::Healthz as usize],
        );
        let unexpected: u64 = self.unexpected.values().sum();
        let _ = write!(out, "unexpected answers: {unexpected}");
        for (what, n) in &self.unexpected {
            let _ = write!(out, " [{what} ×{n}]");
        }
        out.push('\n');
        out
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// The nearest-rank percentile: the smallest value with at least `p` % of them at or below it.
fn percentile(values: &[u64], p: f64) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn ms(value: Option<u64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{:.1} ms", v as f64 / 1000.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_by_nearest_rank() {
        let values: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(percentile(&values, 50.0), Some(50));
        assert_eq!(percentile(&values, 99.0), Some(99));
        assert_eq!(percentile(&values, 100.0), Some(100));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn the_steady_rate_counts_the_answers_between_the_first_session_end_and_the_last_arrival() {
        let start = Instant::now();
        let mut stats = Stats::new(start);
        stats.answered_at = (0..100).map(Duration::from_millis).collect();
        stats.first_finished = Some(Duration::from_millis(40));
        // 40..80 ms: 40 answers in 40 ms.
        let rate = stats.steady_rate(Duration::from_millis(80)).unwrap_or(0.0);
        assert!((rate - 1000.0).abs() < 1e-6, "{rate}");
        // No session ended before the arrivals stopped: no steady part.
        assert_eq!(stats.steady_rate(Duration::from_millis(30)), None);
    }

    #[test]
    fn the_report_counts_the_unexpected_answers_by_route_and_status() {
        let mut stats = Stats::new(Instant::now());
        stats.record(
            Kind::SignIn,
            Duration::from_millis(30),
            true,
            "sign-in",
            201,
        );
        stats.record(Kind::Consult, Duration::from_millis(2), false, "/x", 500);
        stats.record(Kind::Consult, Duration::from_millis(4), false, "/x", 500);
        stats.record(
            Kind::Healthz,
            Duration::from_micros(300),
            true,
            "/healthz",
            200,
        );
        stats.finished();
        let report = stats.report(&Run {
            rate: 1.0,
            requests: 2,
            think_ms: 0,
            arrivals: Duration::from_secs(1),
            elapsed: Duration::from_secs(2),
            started: 1,
            unfinished: 0,
        });
        assert!(
            report.contains("unexpected answers: 2 [/x 500 ×2]"),
            "{report}"
        );
        assert!(report.contains("every member request"), "{report}");
        // Each kind is counted on its own line.
        assert!(
            report.contains("sign-in                       1"),
            "{report}"
        );
        assert!(
            report.contains("consultation                  2"),
            "{report}"
        );
        assert!(
            report.contains("/healthz (baseline)           1"),
            "{report}"
        );
        assert!(report.contains("1 finished"), "{report}");
    }
}
