//! Schema migrations: the SQL files in `migrations/`, applied in order, each exactly once.

use rusqlite::Connection;
use store::StoreError;

use crate::db;

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

pub(crate) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .map_err(db)?;
    for &(version, name, sql) in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db)?;
        let applied: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
                [version],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !applied {
            tracing::info!(version, name, "applying migration");
            tx.execute_batch(sql).map_err(db)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                rusqlite::params![version, name],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)?;
    }
    Ok(())
}
