//! Pre-qualification throughput: the goal is at least 1,000,000 evaluations per second per
//! core. Run with `cargo bench -p domain --bench points`.

use std::hint::black_box;
use std::time::Instant;

use domain::money::Money;
use domain::points::{CreditHistory, PointsInput, PointsTables, evaluate, what_would_it_take};
use domain::reference::ReferenceTables;
use domain::registry::Sex;
use time::{Date, Duration, Month};

const COUNT: usize = 1_000_000;

/// Knuth's MMIX linear congruential generator: deterministic variety without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 16
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    let (Ok(tables), Ok(reference)) = (PointsTables::embedded(), ReferenceTables::embedded())
    else {
        eprintln!("the embedded tables do not load");
        return;
    };
    let dates = [
        (2020, Month::June, 30),
        (2024, Month::January, 1),
        (2026, Month::November, 26),
    ];
    let mut lcg = Lcg(20_200_630);
    let members: Vec<PointsInput> = (0..COUNT)
        .filter_map(|_| {
            let (year, month, day) = dates[lcg.below(3) as usize];
            let as_of = Date::from_calendar_date(year, month, day).ok()?;
            let wage = Money::from_centavos(15_000 + lcg.below(300_000) as i64);
            Some(PointsInput {
                as_of,
                birth_date: as_of - Duration::days(18 * 365 + lcg.below(45 * 365) as i64),
                sex: if lcg.below(2) == 0 {
                    Sex::Female
                } else {
                    Sex::Male
                },
                current_daily_wage: wage,
                average_daily_wage_6_bimesters: wage,
                savings: Money::from_centavos(lcg.below(30_000_000) as i64),
                continuous_bimesters: lcg.below(40) as u32,
                permanent_worker: lcg.below(4) != 0,
                employed_last_bimester: lcg.below(20) != 0,
                employer_up_to_date: lcg.below(10) != 0,
                has_active_credit: lcg.below(10) == 0,
                employer_stable: lcg.below(3) != 0,
                context_grade: lcg.below(4) as u8,
                credit_history: [
                    CreditHistory::Poor,
                    CreditHistory::None,
                    CreditHistory::Good,
                ][lcg.below(3) as usize],
            })
        })
        .collect();

    let start = Instant::now();
    let mut eligible = 0usize;
    for input in &members {
        if let Ok(evaluation) = black_box(evaluate(black_box(input), &tables, &reference)) {
            eligible += usize::from(evaluation.eligible);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "evaluate: {:.0} evaluations/s ({eligible} of {} eligible)",
        members.len() as f64 / seconds,
        members.len()
    );

    let sample = &members[..members.len() / 100];
    let start = Instant::now();
    for input in sample {
        let _ = black_box(what_would_it_take(black_box(input), &tables, &reference));
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "what_would_it_take: {:.0} answers/s",
        sample.len() as f64 / seconds
    );
}
