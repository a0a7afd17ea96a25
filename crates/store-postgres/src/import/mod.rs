//! Import batches on PostgreSQL: one pooled connection holding one transaction, committed
//! whole.
//!
//! Ledger movements go straight into their table by binary COPY (see `ledger`); the other
//! kinds go by binary COPY into temporary staging tables and from there, one statement per
//! chunk, into the registry (see `staging`). Balances are posted once, at commit. Look-ups send the whole slice in one query. A batch dropped without `commit` is
//! rolled back before its connection can serve anyone else (see `abandon`).

mod abandon;
mod kinds;
mod ledger;
mod staging;

use std::collections::HashMap;

use async_trait::async_trait;
use deadpool_postgres::Object;
use domain::ids::{Curp, Nss};
use domain::refund::{PensionResolution, SubaccountHold};
use domain::registry::{
    Credit, CreditMovement, CreditNumber, Employer, MemberId, Movement, Nrp, Person, RelationPeriod,
};
use store::{FileIdentity, ImportBatch, ImportRecord, ImportRepo, ImportTotals, StoreError};
use time::OffsetDateTime;

use crate::PgStore;
use crate::error::db;

pub struct PgImportBatch {
    /// The connection, inside its open transaction; `None` once committed or rolled back.
    conn: Option<Object>,
    batch_id: i64,
    file: FileIdentity,
    /// The kinds staged so far: their tables exist in this transaction.
    staged: Vec<&'static staging::Staging>,
    /// Ledger balance changes copied so far, posted at commit.
    movement_deltas: ledger::Deltas,
}

impl Drop for PgImportBatch {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            abandon::roll_back(conn);
        }
    }
}

/// Rows after which a committed import refreshes the planner's statistics.
const LARGE_BATCH: u64 = 100_000;

/// Claims the file's SHA-256. When another transaction holds an uncommitted claim on the same
/// hash, the unique index makes this wait for it; if it commits, DO NOTHING returns no row and
/// the file is reported as already imported, exactly as for an old batch.
const CLAIM: &str = "
    INSERT INTO import_batches (kind, sha256, file_name, started_at)
    VALUES ($1, $2, $3, now())
    ON CONFLICT (sha256) DO NOTHING
    RETURNING batch_id";

#[async_trait]
impl ImportRepo for PgStore {
    async fn begin_import(&self, file: &FileIdentity) -> Result<Box<dyn ImportBatch>, StoreError> {
        let mut batch = PgImportBatch {
            conn: Some(self.client().await?),
            batch_id: 0,
            file: file.clone(),
            staged: Vec::new(),
            movement_deltas: ledger::Deltas::new(),
        };
        // From here on an early return drops the batch, which rolls back. The commit does not
        // wait for its WAL to reach disk: a crash just after it can lose the batch, whole and
        // with its import_batches row, so the same file can simply be imported again.
        let conn = batch.conn()?;
        // Every look-up of an import is by key. The planner's statistics describe the tables as
        // they were before the batch, so a large batch would otherwise scan what it just wrote.
        conn.batch_execute(
            "BEGIN; SET LOCAL synchronous_commit = off; SET LOCAL enable_seqscan = off",
        )
        .await
        .map_err(db)?;
        let claim = conn.prepare_cached(CLAIM).await.map_err(db)?;
        let claimed = conn
            .query_opt(&claim, &[&file.kind.code(), &file.sha256, &file.file_name])
            .await
            .map_err(db)?;
        if let Some(row) = claimed {
            batch.batch_id = row.try_get(0).map_err(db)?;
            return Ok(Box::new(batch));
        }
        // Read committed: this statement sees the batch that won the claim.
        let existing = conn
            .query_opt(
                "SELECT batch_id FROM import_batches WHERE sha256 = $1",
                &[&file.sha256],
            )
            .await
            .map_err(db)?;
        batch.roll_back().await;
        match existing {
            Some(row) => Err(StoreError::AlreadyImported {
                batch_id: row.try_get(0).map_err(db)?,
            }),
            None => Err(StoreError::Conflict("duplicate_key")),
        }
    }

    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT batch_id, kind, sha256, file_name, finished_at, accepted, rejected,
                        duplicates, warnings
                 FROM import_batches WHERE finished_at IS NOT NULL ORDER BY batch_id",
            )
            .await
            .map_err(db)?;
        let rows = client.query(&stmt, &[]).await.map_err(db)?;
        rows.iter()
            .map(|r| {
                let get_count = |i: usize| -> Result<u64, StoreError> {
                    Ok(r.try_get::<_, i64>(i).map_err(db)?.unsigned_abs())
                };
                Ok(ImportRecord {
                    batch_id: r.try_get(0).map_err(db)?,
                    kind: r.try_get(1).map_err(db)?,
                    sha256: r.try_get(2).map_err(db)?,
                    file_name: r.try_get(3).map_err(db)?,
                    finished_at: r.try_get(4).map_err(db)?,
                    totals: ImportTotals {
                        accepted: get_count(5)?,
                        rejected: get_count(6)?,
                        duplicates: get_count(7)?,
                        warnings: get_count(8)?,
                    },
                })
            })
            .collect()
    }
}

impl PgImportBatch {
    fn conn(&self) -> Result<&Object, StoreError> {
        open(&self.conn)
    }

    /// Ends the transaction here, while a runtime is certainly at hand, rather than in `Drop`.
    async fn roll_back(&mut self) {
        if let Some(conn) = self.conn.take() {
            abandon::roll_back_now(conn).await;
        }
    }

    /// One query for the whole slice; answers come back keyed by the text of each key and are
    /// put back in the order asked.
    async fn lookup(&self, sql: &str, keys: &[&str]) -> Result<HashMap<String, i64>, StoreError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let conn = self.conn()?;
        let stmt = conn.prepare_cached(sql).await.map_err(db)?;
        let rows = conn.query(&stmt, &[&keys]).await.map_err(db)?;
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(db)?, r.try_get(1).map_err(db)?)))
            .collect()
    }

    async fn owners(&self, sql: &str, keys: &[&str]) -> Result<Vec<Option<MemberId>>, StoreError> {
        let found = self.lookup(sql, keys).await?;
        Ok(keys
            .iter()
            .map(|k| found.get(*k).copied().map(MemberId))
            .collect())
    }
}

/// The batch's connection, borrowed alone so the rest of the batch stays free to change.
fn open(conn: &Option<Object>) -> Result<&Object, StoreError> {
    conn.as_ref()
        .ok_or_else(|| StoreError::Database("import batch already closed".into()))
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait]
impl ImportBatch for PgImportBatch {
    fn batch_id(&self) -> i64 {
        self.batch_id
    }

    async fn member_ids(&mut self, nss: &[Nss]) -> Result<Vec<Option<MemberId>>, StoreError> {
        let keys: Vec<&str> = nss.iter().map(Nss::as_str).collect();
        self.owners(
            "SELECT nss, member_id FROM members WHERE nss = ANY($1)
             UNION ALL SELECT nss, member_id FROM nss_aliases WHERE nss = ANY($1)",
            &keys,
        )
        .await
    }

    async fn curp_owners(&mut self, curps: &[Curp]) -> Result<Vec<Option<MemberId>>, StoreError> {
        let keys: Vec<&str> = curps.iter().map(Curp::as_str).collect();
        self.owners(
            "SELECT curp, member_id FROM members WHERE curp = ANY($1)",
            &keys,
        )
        .await
    }

    async fn employers_known(&mut self, nrps: &[Nrp]) -> Result<Vec<bool>, StoreError> {
        let keys: Vec<&str> = nrps.iter().map(Nrp::as_str).collect();
        let sql = "SELECT nrp, 0::bigint FROM employers WHERE nrp = ANY($1)";
        let found = self.lookup(sql, &keys).await?;
        Ok(keys.iter().map(|k| found.contains_key(*k)).collect())
    }

    async fn credit_owners(
        &mut self,
        numbers: &[CreditNumber],
    ) -> Result<Vec<Option<MemberId>>, StoreError> {
        let keys: Vec<&str> = numbers.iter().map(CreditNumber::as_str).collect();
        let sql = "SELECT credit_number, member_id FROM credits WHERE credit_number = ANY($1)";
        self.owners(sql, &keys).await
    }

    async fn insert_members(&mut self, rows: &[Person]) -> Result<Vec<MemberId>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let inserted = self.stage_and_insert(rows).await?;
        let ids: HashMap<String, i64> = inserted
            .iter()
            .map(|r| Ok((r.try_get(1).map_err(db)?, r.try_get(0).map_err(db)?)))
            .collect::<Result<_, StoreError>>()?;
        rows.iter()
            .map(|p| {
                ids.get(p.nss.as_str())
                    .copied()
                    .map(MemberId)
                    .ok_or_else(|| {
                        StoreError::Database(format!("member {} was not inserted", p.nss.as_str()))
                    })
            })
            .collect()
    }

    async fn insert_employers(&mut self, rows: &[Employer]) -> Result<u64, StoreError> {
        self.stage_and_count(rows).await
    }

    async fn insert_relations(&mut self, rows: &[RelationPeriod]) -> Result<u64, StoreError> {
        self.stage_and_count(rows).await
    }

    async fn insert_movements(&mut self, rows: &[Movement]) -> Result<u64, StoreError> {
        self.copy_movements(rows).await
    }

    async fn insert_credits(&mut self, rows: &[Credit]) -> Result<u64, StoreError> {
        self.stage_and_count(rows).await
    }

    async fn insert_credit_movements(
        &mut self,
        rows: &[CreditMovement],
    ) -> Result<u64, StoreError> {
        self.stage_and_count(rows).await
    }

    async fn insert_credit_discounts(
        &mut self,
        rows: &[store::CreditDiscount],
    ) -> Result<u64, StoreError> {
        let conn = self.conn()?;
        let stmt = conn
            .prepare_cached(
                "INSERT INTO credit_discounts
                     (member_id, credit_number, valid_from, kind, value, reason, batch_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(db)?;
        let mut inserted = 0;
        for d in rows {
            inserted += conn
                .execute(
                    &stmt,
                    &[
                        &d.member_id.0,
                        &d.credit_number.as_str(),
                        &d.change.valid_from,
                        &d.change.discount.kind.code(),
                        &d.change.discount.value,
                        &d.change.reason.code(),
                        &self.batch_id,
                    ],
                )
                .await
                .map_err(db)?;
        }
        Ok(inserted)
    }

    async fn insert_pension_resolutions(
        &mut self,
        rows: &[PensionResolution],
    ) -> Result<u64, StoreError> {
        let conn = self.conn()?;
        let stmt = conn
            .prepare_cached(
                "INSERT INTO pension_resolutions (member_id, outcome, kind, resolved_on, batch_id)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(db)?;
        let mut inserted = 0;
        for p in rows {
            inserted += conn
                .execute(
                    &stmt,
                    &[
                        &p.member_id.0,
                        &p.outcome.code(),
                        &p.kind.code(),
                        &p.resolved_on,
                        &self.batch_id,
                    ],
                )
                .await
                .map_err(db)?;
        }
        Ok(inserted)
    }

    async fn insert_subaccount_holds(
        &mut self,
        rows: &[SubaccountHold],
    ) -> Result<u64, StoreError> {
        // A hold the registry now reports lifted gets its date; one already lifted stays.
        let conn = self.conn()?;
        let stmt = conn
            .prepare_cached(
                "INSERT INTO subaccount_holds (member_id, kind, placed_on, lifted_on, batch_id)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (member_id, kind, placed_on) DO UPDATE
                     SET lifted_on = excluded.lifted_on, batch_id = excluded.batch_id
                     WHERE subaccount_holds.lifted_on IS NULL
                       AND excluded.lifted_on IS NOT NULL",
            )
            .await
            .map_err(db)?;
        let mut inserted = 0;
        for h in rows {
            inserted += conn
                .execute(
                    &stmt,
                    &[
                        &h.member_id.0,
                        &h.kind.code(),
                        &h.placed_on,
                        &h.lifted_on,
                        &self.batch_id,
                    ],
                )
                .await
                .map_err(db)?;
        }
        Ok(inserted)
    }

    async fn commit(mut self: Box<Self>, totals: ImportTotals) -> Result<ImportRecord, StoreError> {
        self.post_balances().await?;
        self.post_movement_deltas().await?;
        let conn = self.conn()?;
        let row = conn
            .query_one(
                "UPDATE import_batches SET finished_at = clock_timestamp(), accepted = $2,
                        rejected = $3, duplicates = $4, warnings = $5
                 WHERE batch_id = $1 RETURNING finished_at",
                &[
                    &self.batch_id,
                    &count(totals.accepted),
                    &count(totals.rejected),
                    &count(totals.duplicates),
                    &count(totals.warnings),
                ],
            )
            .await
            .map_err(db)?;
        let finished_at: OffsetDateTime = row.try_get(0).map_err(db)?;
        conn.batch_execute("COMMIT").await.map_err(db)?;
        // After a large load the planner's statistics are far from the tables: refresh them
        // now rather than leave every reader to a plan for empty tables until autovacuum runs.
        if totals.accepted >= LARGE_BATCH
            && let Err(e) = conn
                .batch_execute(
                    "ANALYZE members, employment_periods, subaccount_movements, \
                     subaccount_balances, credits, credit_movements",
                )
                .await
        {
            tracing::warn!(error = %e, "ANALYZE after a large import failed");
        }
        // The transaction is over: the connection goes back to the pool clean.
        drop(self.conn.take());
        Ok(ImportRecord {
            batch_id: self.batch_id,
            kind: self.file.kind.code().to_owned(),
            sha256: self.file.sha256.clone(),
            file_name: self.file.file_name.clone(),
            finished_at,
            totals,
        })
    }
}
