//! Render time of every kind of document, for docs/performance.md. Ignored by default; run it
//! in release:
//!
//! ```text
//! cargo test --release -p documents --test documents -- --ignored --nocapture render_time
//! ```
//!
//! `RENDER_RUNS` sets the renders per document and case (50); `RENDER_ONLY=50-year` measures
//! only the documents whose name contains that text.

use std::time::Instant;

use documents::{
    AppointmentReceipt, CancellationLetter, CreditStatementData, DiscountNotice, Document,
    InterestCertificate, NoticeDiscount, NoticeKind, NoticeReason, RequestReceipt,
};
use rust_decimal::Decimal;

use crate::*;

#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn render_time() {
    let started = Instant::now();
    let renderer = Renderer::new(BASE_URL).unwrap();
    println!(
        "fonts and templates loaded in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let bench = Bench {
        renderer,
        runs: std::env::var("RENDER_RUNS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(50),
        only: std::env::var("RENDER_ONLY").unwrap_or_default(),
    };

    for (name, data) in savings_statements() {
        bench.measure(
            &format!("{name} ({} movements)", data.lines.len()),
            |salt| salted(&data, salt),
        );
    }
    let lines = crate::credit_statement::credit_lines(Money::from_centavos(43_000_000));
    for (name, from) in [
        ("credit statement, one year", date!(2025 - 11 - 01)),
        ("credit statement, 30 years", PERIOD_FROM),
    ] {
        let data = crate::credit_statement::credit_statement(&lines, from, PERIOD_TO);
        bench.measure(
            &format!("{name} ({} movements)", data.lines.len()),
            |salt| salted(&data, salt),
        );
    }
    for (kind, reason) in [
        (NoticeKind::Retention, NoticeReason::NewCredit),
        (NoticeKind::Suspension, NoticeReason::Extension),
        (NoticeKind::Modification, NoticeReason::Conversion),
    ] {
        let data = crate::notice::notice(
            kind,
            NoticeDiscount::Percentage(Decimal::new(20, 2)),
            reason,
        );
        bench.measure(data.kind().code(), |salt| salted(&data, salt));
    }
    let certificate = crate::interest::certificate();
    bench.measure("interest_certificate", |salt| salted(&certificate, salt));
    let letter = crate::cancellation::letter(crate::cancellation::public_deed());
    bench.measure("cancellation_letter", |salt| CancellationLetter {
        folio: format!("{}-{}", letter.folio, salt.centavos()),
        ..letter.clone()
    });
    let request = crate::receipts::request_receipt();
    bench.measure("request_receipt", |salt| RequestReceipt {
        folio: format!("{}-{}", request.folio, salt.centavos()),
        ..request.clone()
    });
    let appointment = crate::receipts::appointment_receipt();
    bench.measure("appointment_receipt", |salt| AppointmentReceipt {
        folio: format!("{}-{}", appointment.folio, salt.centavos()),
        ..appointment.clone()
    });
}

struct Bench {
    renderer: Renderer,
    runs: usize,
    only: String,
}

impl Bench {
    /// Renders the document `make` gives for salt zero `runs` times, then a document that
    /// differs from every other (salt 1, 2, …) as often, and prints both times: typst keeps
    /// the layout of whatever did not change from one render to the next, as a server
    /// re-issuing the same statement would, while a server issuing every member's statement
    /// lays out every figure afresh.
    fn measure<D: Document>(&self, name: &str, make: impl Fn(Money) -> D) {
        if !name.contains(&self.only) {
            return;
        }
        let same = make(Money::ZERO);
        let (pages, same_times) = self.time(|_| &same);
        let documents: Vec<D> = (1..=self.runs)
            .map(|n| make(Money::from_centavos(n as i64)))
            .collect();
        let (_, fresh_times) = self.time(|i| &documents[i]);
        println!(
            "{name}, {pages} pages: same data {}; new data every time {}",
            summary(same_times),
            summary(fresh_times),
        );
    }

    fn time<'a, D: Document + 'a>(&self, document: impl Fn(usize) -> &'a D) -> (usize, Vec<f64>) {
        let mut pages = 0;
        let times = (0..self.runs)
            .map(|i| {
                let verification = Verification::new(time::OffsetDateTime::now_utc());
                let started = Instant::now();
                let rendered = self.renderer.render(document(i), &verification).unwrap();
                pages = rendered.pages;
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        (pages, times)
    }
}

/// A copy of `data` with `salt` added to its figures, so that no two copies print the same.
fn salted<D: Clone + Figures>(data: &D, salt: Money) -> D {
    let mut data = data.clone();
    for figure in data.figures() {
        *figure += salt;
    }
    data
}

/// The amounts a document prints.
trait Figures {
    fn figures(&mut self) -> Vec<&mut Money>;
}

impl Figures for StatementData {
    fn figures(&mut self) -> Vec<&mut Money> {
        let lines = self.lines.iter_mut();
        lines
            .flat_map(|l| [&mut l.amount, &mut l.balance])
            .collect()
    }
}

impl Figures for CreditStatementData {
    fn figures(&mut self) -> Vec<&mut Money> {
        let lines = self.lines.iter_mut();
        lines
            .flat_map(|l| [&mut l.amount, &mut l.balance])
            .collect()
    }
}

impl Figures for InterestCertificate {
    fn figures(&mut self) -> Vec<&mut Money> {
        self.months.iter_mut().map(|(_, balance)| balance).collect()
    }
}

impl Figures for DiscountNotice {
    fn figures(&mut self) -> Vec<&mut Money> {
        vec![&mut self.monthly_insurance]
    }
}

/// "p50 12.3 ms, p99 20.1 ms".
fn summary(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!("p50 {:.1} ms, p99 {:.1} ms", p(0.5), p(0.99))
}

/// An empty statement, the last year of the 50-year history (opening with the balances it had
/// reached by then), and the whole history.
fn savings_statements() -> Vec<(&'static str, StatementData)> {
    let data = statement(member("JOSÉ MARÍA", "NÚÑEZ", "PEÑA"));
    let one_page = StatementData::new(
        data.member.clone(),
        date!(2026 - 01 - 01),
        date!(2026 - 10 - 31),
        &[],
        &[],
    )
    .unwrap();
    let since = date!(2025 - 11 - 01);
    let (opening, movements) = history(data.member.member_id);
    let (before, last_year): (Vec<_>, Vec<_>) =
        movements.into_iter().partition(|m| m.booked_on < since);
    let opening: Vec<BucketBalance> = Bucket::ALL
        .into_iter()
        .map(|bucket| BucketBalance {
            bucket,
            balance: opening
                .iter()
                .filter(|b| b.bucket == bucket)
                .map(|b| b.balance)
                .chain(
                    before
                        .iter()
                        .filter(|m| m.bucket == bucket)
                        .map(|m| m.amount),
                )
                .sum(),
        })
        .collect();
    let one_year =
        StatementData::new(data.member.clone(), since, PERIOD_TO, &opening, &last_year).unwrap();
    vec![
        ("empty statement", one_page),
        ("one-year statement", one_year),
        ("50-year statement", data),
    ]
}
