//! Small helpers for reading the portal tables' rows: typed columns, counts, hashes, and the
//! uniqueness rule a failed write broke.

use store::StoreError;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

pub(crate) fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    i: usize,
    table: &'static str,
) -> Result<T, StoreError> {
    row.try_get(i).map_err(|e| StoreError::corrupt(table, e))
}

/// A non-negative `integer` column.
pub(crate) fn count(row: &Row, i: usize, table: &'static str) -> Result<u32, StoreError> {
    u32::try_from(get::<i32>(row, i, table)?).map_err(|e| StoreError::corrupt(table, e))
}

pub(crate) fn hash32(bytes: Vec<u8>, table: &'static str) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::corrupt(table, "hash is not 32 bytes"))
}

/// A unique violation on the accounts table, named after the rule it broke; anything else as
/// the engine error it is.
pub(crate) fn account_conflict(e: tokio_postgres::Error) -> StoreError {
    let constraint = e.as_db_error().and_then(|d| d.constraint());
    match constraint {
        Some("accounts_member_id") => StoreError::Conflict("account_exists"),
        Some("accounts_email") => StoreError::Conflict("email_taken"),
        Some("accounts_mobile") => StoreError::Conflict("mobile_taken"),
        _ => crate::error::db(e),
    }
}

impl crate::PgStore {
    /// One pooled connection, one cached prepared statement, every row.
    pub(crate) async fn fetch(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        if let Some(rows) = self.on_replica(sql, params).await {
            return Ok(rows);
        }
        self.fetch_on_primary(sql, params).await
    }

    /// `fetch` that never goes to the replica.
    pub(crate) async fn fetch_on_primary(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(crate::error::db)?;
        client.query(&stmt, params).await.map_err(crate::error::db)
    }

    /// Like `fetch`, for a statement that changes rows: how many it changed.
    pub(crate) async fn change(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(crate::error::db)?;
        client
            .execute(&stmt, params)
            .await
            .map_err(crate::error::db)
    }
}
