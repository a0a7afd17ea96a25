//! Test plumbing: one fresh PostgreSQL schema per test in the database named by
//! `VIVIENDA_TEST_POSTGRES_URL`, so the tests run in parallel against one server.

use std::sync::atomic::{AtomicU32, Ordering};

use store_postgres::{PgOptions, PgStore};
use tokio_postgres::NoTls;

pub const URL_VAR: &str = "VIVIENDA_TEST_POSTGRES_URL";

/// The server to test against; `None` (after saying so) when the variable is unset. A set
/// variable pointing at a server that cannot be reached fails the test: a CI box that meant
/// to run the suite must not pass it silently.
pub fn url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            println!("PostgreSQL contract suite skipped: {URL_VAR} is not set");
            None
        }
    }
}

/// A store in a schema of its own, created empty and migrated.
pub struct TestDb {
    pub url: String,
    pub schema: String,
    pub store: PgStore,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

pub async fn fresh() -> Option<TestDb> {
    fresh_with(4).await
}

pub async fn fresh_with(pool_size: usize) -> Option<TestDb> {
    fresh_with_options(pool_size, None, 0).await
}

/// A fresh store whose big tables are split into `partitions` by hash of `member_id`.
pub async fn fresh_partitioned(partitions: u32) -> Option<TestDb> {
    fresh_with_options(4, None, partitions).await
}

/// A fresh store whose `lagging_reads` go to `replica_url`.
pub async fn fresh_with_replica(replica_url: &str) -> Option<TestDb> {
    fresh_with_options(4, Some(replica_url.to_owned()), 0).await
}

async fn fresh_with_options(
    pool_size: usize,
    replica_url: Option<String>,
    partitions: u32,
) -> Option<TestDb> {
    let url = url()?;
    let schema = format!(
        "vivienda_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let admin = raw_client(&url, None).await;
    drop_stale_schemas(&admin).await;
    admin
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .unwrap();
    let options = PgOptions {
        pool_size,
        schema: Some(schema.clone()),
        replica_url,
        partitions,
        ..PgOptions::default()
    };
    // Named after the schema, so a test can find its own connections on the server.
    let separator = if url.contains('?') { '&' } else { '?' };
    let named = format!("{url}{separator}application_name={schema}");
    let store = PgStore::connect_with(&named, options)
        .await
        .unwrap_or_else(|e| panic!("{URL_VAR} is set, but the store cannot start: {e}"));
    Some(TestDb { url, schema, store })
}

impl TestDb {
    /// A plain tokio-postgres connection into the test's schema, for what the store won't do.
    pub async fn raw(&self) -> tokio_postgres::Client {
        raw_client(&self.url, Some(&self.schema)).await
    }

    /// The server processes of this test's store, as (pid, state).
    pub async fn backends(&self) -> Vec<(i32, String)> {
        let raw = self.raw().await;
        let rows = raw
            .query(
                "SELECT pid, coalesce(state, '') FROM pg_stat_activity WHERE application_name = $1",
                &[&self.schema],
            )
            .await
            .unwrap();
        rows.iter().map(|r| (r.get(0), r.get(1))).collect()
    }

    /// Drops the schema; called when a test passes (a failed test leaves it to look at).
    pub async fn finish(self) {
        drop(self.store);
        drop_schema(&self.url, &self.schema).await;
    }
}

/// Drops `schema` with everything in it from the server at `url`.
pub async fn drop_schema(url: &str, schema: &str) {
    raw_client(url, None)
        .await
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .unwrap();
}

pub async fn raw_client(url: &str, schema: Option<&str>) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("{URL_VAR} is set, but PostgreSQL cannot be reached: {e}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    if let Some(schema) = schema {
        client
            .batch_execute(&format!("SET search_path TO {schema}"))
            .await
            .unwrap();
    }
    client
}

/// Schemas left by test runs whose process is gone (failed tests keep theirs).
async fn drop_stale_schemas(admin: &tokio_postgres::Client) {
    let rows = admin
        .query(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'vivienda\\_test\\_%'",
            &[],
        )
        .await
        .unwrap();
    for row in rows {
        let name: String = row.get(0);
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let gone = pid.is_some_and(|p| {
            p != std::process::id() && !std::path::Path::new(&format!("/proc/{p}")).exists()
        });
        if gone && cfg!(target_os = "linux") {
            // Another test run may be dropping it at the same moment; that is fine.
            let _ = admin
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .await;
        }
    }
}
