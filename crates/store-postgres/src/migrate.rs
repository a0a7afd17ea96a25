//! Schema migrations: the SQL files in `migrations/`, applied in order, each exactly once.
//!
//! Each file runs in its own transaction under a transaction-scoped advisory lock, so two
//! instances starting at once take turns: the second finds the file recorded and skips it.
//! The lock key includes the schema, so stores in different schemas migrate in parallel.

use deadpool_postgres::ClientWrapper;
use store::StoreError;

use crate::error::db;

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "registry",
        include_str!("../migrations/0001_registry.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../migrations/0002_accounts.sql"),
    ),
    (
        3,
        "second_factor_and_drafts",
        include_str!("../migrations/0003_second_factor_and_drafts.sql"),
    ),
    (
        4,
        "documents",
        include_str!("../migrations/0004_documents.sql"),
    ),
    (
        5,
        "credit_servicing",
        include_str!("../migrations/0005_credit_servicing.sql"),
    ),
    (
        6,
        "requests",
        include_str!("../migrations/0006_requests.sql"),
    ),
    (
        7,
        "appointments",
        include_str!("../migrations/0007_appointments.sql"),
    ),
    (
        8,
        "pensioner_refund",
        include_str!("../migrations/0008_pensioner_refund.sql"),
    ),
    (
        9,
        "operators",
        include_str!("../migrations/0009_operators.sql"),
    ),
    (
        10,
        "corrections",
        include_str!("../migrations/0010_corrections.sql"),
    ),
    (
        11,
        "credit_conversions",
        include_str!("../migrations/0011_credit_conversions.sql"),
    ),
    (12, "relief", include_str!("../migrations/0012_relief.sql")),
    (
        13,
        "credit_application",
        include_str!("../migrations/0013_credit_application.sql"),
    ),
    (
        14,
        "identity",
        include_str!("../migrations/0014_identity.sql"),
    ),
    (15, "jobs", include_str!("../migrations/0015_jobs.sql")),
    (16, "stats", include_str!("../migrations/0016_stats.sql")),
    (
        17,
        "idempotency",
        include_str!("../migrations/0017_idempotency.sql"),
    ),
];

/// The first half of the advisory-lock key, "VIVI" in ASCII, so it cannot meet another
/// application's locks; the second half is a hash of the schema name.
const LOCK_CLASS: i32 = 0x5649_5649;

pub(crate) async fn run(
    client: &mut ClientWrapper,
    schema: Option<&str>,
) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(db)?;
    lock(&tx, schema).await?;
    if let Some(schema) = schema {
        // The name was checked to need no quoting; the quotes only keep it literal.
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .await
            .map_err(db)?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version bigint PRIMARY KEY,
             name text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;

    for &(version, name, sql) in MIGRATIONS {
        let tx = client.transaction().await.map_err(db)?;
        lock(&tx, schema).await?;
        let applied = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)",
                &[&version],
            )
            .await
            .map_err(db)?
            .try_get::<_, bool>(0)
            .map_err(db)?;
        if !applied {
            tracing::info!(version, name, "applying migration");
            tx.batch_execute(sql).await.map_err(db)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[&version, &name],
            )
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
    }
    Ok(())
}

pub(crate) async fn lock(
    tx: &deadpool_postgres::Transaction<'_>,
    schema: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(
             $1, hashtext(coalesce($2::text, current_schema()::text, '')))",
        &[&LOCK_CLASS, &schema],
    )
    .await
    .map_err(db)?;
    Ok(())
}
