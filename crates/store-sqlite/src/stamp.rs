//! Instants as fixed-width ISO-8601 text (UTC, six fraction digits), so that text order is time
//! order in indexes and comparisons; and the write transaction that carries audit entries.

use domain::audit::AuditEntry;
use rusqlite::{Connection, Row, Transaction, TransactionBehavior};
use store::{StoreError, stored_instant};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::{SqliteStore, audit, db};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The stored text of an instant.
pub(crate) fn ts(at: OffsetDateTime) -> String {
    // The format has no fallible component for a UTC instant in years 0–9999.
    stored_instant(at).format(FORMAT).unwrap_or_default()
}

pub(crate) fn parse_ts(text: &str, table: &'static str) -> Result<OffsetDateTime, StoreError> {
    PrimitiveDateTime::parse(text, FORMAT)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|e| StoreError::corrupt(table, e))
}

pub(crate) fn get<T: rusqlite::types::FromSql>(
    row: &Row,
    i: usize,
    table: &'static str,
) -> Result<T, StoreError> {
    row.get(i).map_err(|e| StoreError::corrupt(table, e))
}

pub(crate) fn get_ts(
    row: &Row,
    i: usize,
    table: &'static str,
) -> Result<OffsetDateTime, StoreError> {
    parse_ts(&get::<String>(row, i, table)?, table)
}

pub(crate) fn get_ts_opt(
    row: &Row,
    i: usize,
    table: &'static str,
) -> Result<Option<OffsetDateTime>, StoreError> {
    get::<Option<String>>(row, i, table)?
        .map(|t| parse_ts(&t, table))
        .transpose()
}

pub(crate) fn get_count(row: &Row, i: usize, table: &'static str) -> Result<u32, StoreError> {
    u32::try_from(get::<i64>(row, i, table)?).map_err(|e| StoreError::corrupt(table, e))
}

/// Collects a query's rows through `map`.
pub(crate) fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db)?;
    let mut rows = stmt.query(params).map_err(db)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db)? {
        out.push(map(row)?);
    }
    Ok(out)
}

impl SqliteStore {
    /// Runs `change` in one IMMEDIATE transaction on the writer and appends `entries` to the
    /// audit log in it when `change` reports that it changed something (`true`). An error
    /// rolls back the change and the entries together.
    pub(crate) async fn audited<T: Send + 'static>(
        &self,
        entries: &[AuditEntry],
        change: impl FnOnce(&Transaction) -> Result<(T, bool), StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let entries = entries.to_vec();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let (value, changed) = change(&tx)?;
            if changed {
                audit::append(&tx, &entries)?;
            }
            tx.commit().map_err(db)?;
            Ok(value)
        })
        .await
    }
}
