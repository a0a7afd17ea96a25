//! Hash partitioning by `member_id`, by configuration (`PgOptions::partitions`), of the tables
//! that grow with every member's history. Every statement stays the same: each names one
//! `member_id` or scans all, and the primary keys already start with it. A table is split only
//! while it is empty (a new database, right after its migrations); one with rows keeps its
//! layout and the store says so, since moving a populated table is a maintenance job of its own.

use deadpool_postgres::ClientWrapper;
use store::StoreError;

use crate::error::db;

/// The tables split, all keyed by `member_id` first.
pub const PARTITIONED_TABLES: [&str; 3] = [
    "subaccount_movements",
    "credit_movements",
    "employment_periods",
];

/// Splits each of [`PARTITIONED_TABLES`] into `partitions` by hash of `member_id`, when it is
/// still a plain, empty table.
pub(crate) async fn apply(
    client: &mut ClientWrapper,
    schema: Option<&str>,
    partitions: u32,
) -> Result<(), StoreError> {
    let modulus = i32::try_from(partitions)
        .map_err(|_| StoreError::Unavailable(format!("too many partitions: {partitions}")))?;
    for table in PARTITIONED_TABLES {
        let tx = client.transaction().await.map_err(db)?;
        crate::migrate::lock(&tx, schema).await?;
        let layout = tx
            .query_one(
                "SELECT c.relkind::text,
                        (SELECT count(*)::int FROM pg_inherits i WHERE i.inhparent = c.oid),
                        (SELECT count(*)::int FROM pg_index x WHERE x.indrelid = c.oid),
                        (SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k
                         WHERE k.conrelid = c.oid AND k.contype = 'p')
                 FROM pg_class c WHERE c.oid = to_regclass($1)",
                &[&table],
            )
            .await
            .map_err(db)?;
        let (kind, parts, indexes, key): (String, i32, i32, String) = (
            layout.try_get(0).map_err(db)?,
            layout.try_get(1).map_err(db)?,
            layout.try_get(2).map_err(db)?,
            layout.try_get(3).map_err(db)?,
        );
        if kind == "p" {
            if parts != modulus {
                tracing::warn!(
                    table,
                    parts,
                    wanted = modulus,
                    "already partitioned otherwise: left as it is"
                );
            }
            continue;
        }
        let has_rows: bool = tx
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        if has_rows || indexes != 1 {
            tracing::warn!(
                table,
                has_rows,
                indexes,
                "not partitioned: only an empty table with its primary key alone is split"
            );
            continue;
        }
        let mut ddl = format!(
            "ALTER TABLE {table} RENAME TO {table}_unpartitioned;
             CREATE TABLE {table} (LIKE {table}_unpartitioned INCLUDING DEFAULTS
                 INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY HASH (member_id);
             DROP TABLE {table}_unpartitioned;
             ALTER TABLE {table} ADD CONSTRAINT {table}_pkey {key};"
        );
        for remainder in 0..modulus {
            ddl.push_str(&format!(
                "CREATE TABLE {table}_p{remainder} PARTITION OF {table}
                 FOR VALUES WITH (MODULUS {modulus}, REMAINDER {remainder});"
            ));
        }
        tx.batch_execute(&ddl).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(table, partitions, "partitioned by hash of member_id");
    }
    Ok(())
}
