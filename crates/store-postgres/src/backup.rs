//! What a backup with `pg_dump` and a restore with `pg_restore` need from the database itself:
//! row counts taken in the very snapshot the dump reads, and a look at the target schema (does
//! it hold tables, move it aside, put it back) on a plain connection that creates nothing.

use std::collections::BTreeMap;
use std::future::Future;

use store::StoreError;
use tokio_postgres::{Client, IsolationLevel, NoTls};

use crate::{PgStore, check_schema_name, error};

/// Every table of the connection's current schema, by name.
async fn tables_of(
    client: &impl deadpool_postgres::GenericClient,
) -> Result<Vec<String>, StoreError> {
    let rows = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY table_name",
            &[],
        )
        .await
        .map_err(error::db)?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

async fn count_rows(
    client: &impl deadpool_postgres::GenericClient,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut counts = BTreeMap::new();
    for table in tables_of(client).await? {
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {quoted}"), &[])
            .await
            .map_err(error::db)?
            .get(0);
        counts.insert(table, n.unsigned_abs());
    }
    Ok(counts)
}

impl PgStore {
    /// The schema the tables live in: the store's own, or `public`.
    pub fn schema_name(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }

    /// Opens a read-only repeatable-read transaction, exports its snapshot, counts the rows of
    /// every table in it, and runs `dump` with the snapshot's name (for `pg_dump --snapshot`)
    /// while the transaction holds it: the counts are exactly what the dump contains, however
    /// much the server writes meanwhile.
    pub async fn in_exported_snapshot<T, F, Fut>(
        &self,
        dump: F,
    ) -> Result<(BTreeMap<String, u64>, T), StoreError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(error::db)?;
        let snapshot: String = tx
            .query_one("SELECT pg_export_snapshot()", &[])
            .await
            .map_err(error::db)?
            .get(0);
        let counts = count_rows(&tx).await?;
        let dumped = dump(snapshot).await?;
        tx.commit().await.map_err(error::db)?;
        Ok((counts, dumped))
    }

    /// The number of rows of every table, by name, in one snapshot.
    pub async fn table_counts(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(error::db)?;
        let counts = count_rows(&tx).await?;
        tx.commit().await.map_err(error::db)?;
        Ok(counts)
    }

    /// The SHA-256 of every blob the attachments point at, each once.
    pub async fn referenced_blobs(&self) -> Result<Vec<[u8; 32]>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT DISTINCT sha256 FROM request_attachments WHERE in_blob_store",
                &[],
            )
            .await
            .map_err(error::db)?;
        rows.iter()
            .map(|r| {
                let h: Vec<u8> = r.get(0);
                <[u8; 32]>::try_from(h.as_slice())
                    .map_err(|_| StoreError::Database("an attachment hash is not 32 bytes".into()))
            })
            .collect()
    }
}

/// A plain connection for looking at schemas from outside any store (which would create and
/// migrate its schema on connecting).
async fn plain(url: &str) -> Result<Client, StoreError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| StoreError::Unavailable(format!("cannot connect to PostgreSQL: {e}")))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "PostgreSQL connection ended with an error");
        }
    });
    Ok(client)
}

/// How many tables `schema` holds; `None` when there is no such schema.
pub async fn schema_tables(url: &str, schema: &str) -> Result<Option<u64>, StoreError> {
    check_schema_name(schema)?;
    let client = plain(url).await?;
    let exists = client
        .query_opt(
            "SELECT 1 FROM pg_namespace WHERE nspname::text = $1",
            &[&schema],
        )
        .await
        .map_err(error::db)?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema::text = $1",
            &[&schema],
        )
        .await
        .map_err(error::db)?
        .get(0);
    Ok(Some(n.unsigned_abs()))
}

/// Renames `from` to `to` (both plain names), e.g. to keep a live schema aside during a restore.
pub async fn rename_schema(url: &str, from: &str, to: &str) -> Result<(), StoreError> {
    check_schema_name(from)?;
    check_schema_name(to)?;
    plain(url)
        .await?
        .batch_execute(&format!("ALTER SCHEMA {from} RENAME TO {to}"))
        .await
        .map_err(error::db)
}

/// Drops `schema` with everything in it.
pub async fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
    check_schema_name(schema)?;
    plain(url)
        .await?
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .map_err(error::db)
}
