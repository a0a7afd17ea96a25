//! Render time of the statement, for docs/performance.md. Ignored by default; run it in release:
//!
//! ```text
//! cargo test --release -p documents --test documents -- --ignored --nocapture render_time
//! ```

use std::time::Instant;

use crate::*;

#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn render_time() {
    let started = Instant::now();
    let renderer = Renderer::new(BASE_URL).unwrap();
    let load = started.elapsed();
    let runs: usize = std::env::var("RENDER_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    let data = statement(member("JOSÉ MARÍA", "NÚÑEZ", "PEÑA"));
    let one_page = StatementData::new(
        data.member.clone(),
        date!(2026 - 01 - 01),
        date!(2026 - 10 - 31),
        &[],
        &[],
    )
    .unwrap();
    // The last year of the same history, opening with the balances it had reached by then.
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
    println!(
        "fonts and templates loaded in {:.1} ms",
        load.as_secs_f64() * 1e3
    );
    for (name, data) in [
        ("empty statement", &one_page),
        ("one-year statement", &one_year),
        ("50-year statement", &data),
    ] {
        let mut times = Vec::with_capacity(runs);
        let mut pages = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let rendered = renderer
                .render(data, &Verification::new(time::OffsetDateTime::now_utc()))
                .unwrap();
            times.push(started.elapsed().as_secs_f64() * 1e3);
            pages = rendered.pages;
        }
        let first = times[0];
        times.sort_by(f64::total_cmp);
        let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "{name} ({} movements, {pages} pages): first {first:.1} ms, p50 {:.1} ms, p99 {:.1} ms over {runs} runs",
            data.lines.len(),
            p(0.5),
            p(0.99)
        );
    }
}
