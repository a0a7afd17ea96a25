//! Reads that may lag (`PgStore::lagging_reads`) on a real streaming replica, made by
//! `scripts/pg-replica` and named by `VIVIENDA_TEST_POSTGRES_REPLICA` ("PRIMARY_URL REPLICA_URL"):
//! the store's whole contract with every read made through them (`contract_cases!`), and the
//! replica passed over while it is behind.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use store::StatsRepo;
use store_postgres::{PgOptions, PgStore};
use time::macros::date;

use crate::support::raw_client;

pub const REPLICA_VAR: &str = "VIVIENDA_TEST_POSTGRES_REPLICA";

/// The primary's and the replica's URLs; `None` (after saying so) when the variable is unset.
fn urls() -> Option<(String, String)> {
    let value = std::env::var(REPLICA_VAR).unwrap_or_default();
    let mut urls = value.split_whitespace();
    match (urls.next(), urls.next()) {
        (Some(primary), Some(replica)) => Some((primary.to_owned(), replica.to_owned())),
        _ => {
            println!("replica tests skipped: {REPLICA_VAR} is not set (scripts/pg-replica)");
            None
        }
    }
}

pub struct ReplicaDb {
    pub primary: String,
    pub replica: String,
    pub schema: String,
    pub store: PgStore,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A store on a fresh schema of the primary, with the replica configured.
pub async fn fresh() -> Option<ReplicaDb> {
    let (primary, replica) = urls()?;
    let schema = format!(
        "vivienda_replica_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let options = PgOptions {
        pool_size: 4,
        schema: Some(schema.clone()),
        replica_url: Some(replica.clone()),
        ..PgOptions::default()
    };
    let store = PgStore::connect_with(&primary, options)
        .await
        .unwrap_or_else(|e| panic!("{REPLICA_VAR} is set, but the store cannot start: {e}"));
    Some(ReplicaDb {
        primary,
        replica,
        schema,
        store,
    })
}

impl ReplicaDb {
    pub async fn finish(self) {
        drop(self.store);
        crate::support::drop_schema(&self.primary, &self.schema).await;
    }
}

/// The replica's counts as `/metrics` reads them (`store::Health::replica_reads`).
pub fn counts(store: &PgStore) -> store::ReplicaReads {
    store::Health::replica_reads(store).unwrap_or_default()
}

/// Reads `stats_refreshed_until` through `lagging` until the replica has answered one more
/// read than `before`; every answer must be `expected`.
async fn until_the_replica_answers(
    store: &PgStore,
    lagging: &PgStore,
    expected: time::Date,
) -> u64 {
    let before = counts(store).answered;
    for _ in 0..200 {
        assert_eq!(
            lagging.stats_refreshed_until().await.unwrap(),
            Some(expected)
        );
        if counts(store).answered > before {
            return counts(store).answered;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the replica never answered a read ({} failed)",
        counts(store).failed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replica_answers_once_caught_up_and_never_with_older_data() {
    let Some(db) = fresh().await else { return };
    let lagging = db.store.lagging_reads();
    let primary = raw_client(&db.primary, Some(&db.schema)).await;
    let replica = raw_client(&db.replica, None).await;
    // A run that failed while the replay was paused left it paused.
    replica
        .batch_execute("SELECT pg_wal_replay_resume()")
        .await
        .unwrap();

    // A write, then at once a read through the lagging handle: it sees the write (from the
    // primary while the replica has not replayed it), and soon the replica answers.
    primary
        .batch_execute(
            "INSERT INTO stats_refreshes (singleton, until_day) VALUES (1, '2026-01-01')",
        )
        .await
        .unwrap();
    assert_eq!(
        lagging.stats_refreshed_until().await.unwrap(),
        Some(date!(2026 - 01 - 01))
    );
    until_the_replica_answers(&db.store, &lagging, date!(2026 - 01 - 01)).await;

    // The replica stops replaying: a newer write is read from the primary, never the older
    // value from the replica.
    replica
        .batch_execute("SELECT pg_wal_replay_pause()")
        .await
        .unwrap();
    primary
        .batch_execute("UPDATE stats_refreshes SET until_day = '2026-02-01'")
        .await
        .unwrap();
    let answered = counts(&db.store).answered;
    let counted = counts(&lagging);
    for _ in 0..5 {
        assert_eq!(
            lagging.stats_refreshed_until().await.unwrap(),
            Some(date!(2026 - 02 - 01))
        );
    }
    assert_eq!(
        counts(&db.store).answered,
        answered,
        "a replica behind answered"
    );
    // The metrics count the five as passed over, not failed, and both handles agree.
    let now = counts(&db.store);
    assert_eq!(now.behind, counted.behind + 5);
    assert_eq!(
        (now.answered, now.failed),
        (counted.answered, counted.failed)
    );

    // Replaying again, it catches up and answers with the new value.
    replica
        .batch_execute("SELECT pg_wal_replay_resume()")
        .await
        .unwrap();
    until_the_replica_answers(&db.store, &lagging, date!(2026 - 02 - 01)).await;

    // The store's own handle never reads the replica.
    let answered = counts(&db.store).answered;
    assert_eq!(
        db.store.stats_refreshed_until().await.unwrap(),
        Some(date!(2026 - 02 - 01))
    );
    assert_eq!(counts(&db.store).answered, answered);
    db.finish().await;
}
