//! Import throughput: `cargo test -p store-postgres --release -- --ignored --nocapture
//! bench_insert_movements`. `VIVIENDA_BENCH_CHUNK` sets the rows per call (default 50,000).

use std::time::Instant;

use domain::bimester::Bimester;
use domain::registry::MemberId;
use store::{ImportRepo, ImportTotals, RegistryRepo};

use crate::{contribution, file, support};

const MEMBERS: i64 = 10_000;
const BIMESTERS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
async fn bench_insert_movements() {
    let Some(db) = support::fresh().await else {
        return;
    };
    let chunk: usize = std::env::var("VIVIENDA_BENCH_CHUNK")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(50_000);
    // As a contributions file comes: bimester after bimester, every member in each.
    let mut bimester = Bimester::parse("1998-1").unwrap();
    let mut rows = Vec::with_capacity(BIMESTERS * MEMBERS as usize);
    for _ in 0..BIMESTERS {
        rows.extend((1..=MEMBERS).map(|m| contribution(MemberId(m), bimester, 100 + m % 900)));
        bimester = bimester.next();
    }

    let started = Instant::now();
    let mut batch = db.store.begin_import(&file("bench")).await.unwrap();
    let mut inserted = 0;
    for part in rows.chunks(chunk) {
        inserted += batch.insert_movements(part).await.unwrap();
    }
    batch
        .commit(ImportTotals {
            accepted: inserted,
            ..ImportTotals::default()
        })
        .await
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "insert_movements: {inserted} rows for {MEMBERS} members in chunks of {chunk}: \
         {seconds:.2} s, {:.0} rows/s",
        inserted as f64 / seconds
    );

    assert_eq!(inserted, rows.len() as u64);
    let check = db.store.check_ledger().await.unwrap();
    assert_eq!(check.balances_checked, MEMBERS as u64);
    assert!(check.mismatches.is_empty());
    db.finish().await;
}
