//! Import batches on SQLite: one connection, one IMMEDIATE transaction, committed whole.
//!
//! The batch's methods run on the calling thread: imports run from the CLI or a job worker,
//! never on a request path.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::dates::{IsoDate, iso};
use domain::ids::{Curp, Nss};
use domain::refund::{PensionResolution, SubaccountHold};
use domain::registry::{
    Credit, CreditMovement, CreditNumber, Employer, MemberId, Movement, Nrp, Person, RelationPeriod,
};
use rusqlite::{Connection, OptionalExtension, params};
use store::{FileIdentity, ImportBatch, ImportRecord, ImportRepo, ImportTotals, StoreError};
use time::OffsetDateTime;

use crate::{SqliteStore, db, open_connection};

pub struct SqliteImportBatch {
    conn: Connection,
    batch_id: i64,
    file: FileIdentity,
    open: bool,
}

impl Drop for SqliteImportBatch {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn now_text() -> String {
    let now = OffsetDateTime::now_utc();
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso(now.date()),
        now.hour(),
        now.minute(),
        now.second()
    )
}

fn parse_timestamp(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| StoreError::corrupt("import_batches", e))
}

fn lookup<K, V>(
    conn: &Connection,
    sql: &str,
    keys: &[K],
    key_text: impl Fn(&K) -> &str,
    value: impl Fn(&rusqlite::Row) -> rusqlite::Result<V>,
) -> Result<Vec<Option<V>>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db)?;
    keys.iter()
        .map(|k| stmt.query_row([key_text(k)], &value).optional().map_err(db))
        .collect()
}

#[async_trait]
impl ImportRepo for SqliteStore {
    async fn begin_import(&self, file: &FileIdentity) -> Result<Box<dyn ImportBatch>, StoreError> {
        let conn = open_connection(self.path(), false)?;
        // A batch touches far more pages than a request: give it a large page cache.
        conn.execute_batch("PRAGMA cache_size = -262144; BEGIN IMMEDIATE")
            .map_err(db)?;
        let mut batch = SqliteImportBatch {
            conn,
            batch_id: 0,
            file: file.clone(),
            open: true,
        };
        let existing: Option<i64> = batch
            .conn
            .query_row(
                "SELECT batch_id FROM import_batches WHERE sha256 = ?1",
                [&file.sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        if let Some(batch_id) = existing {
            return Err(StoreError::AlreadyImported { batch_id });
        }
        batch
            .conn
            .execute(
                "INSERT INTO import_batches (kind, sha256, file_name, started_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![file.kind.code(), file.sha256, file.file_name, now_text()],
            )
            .map_err(db)?;
        batch.batch_id = batch.conn.last_insert_rowid();
        Ok(Box::new(batch))
    }

    async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT batch_id, kind, sha256, file_name, finished_at, accepted, rejected,
                            duplicates, warnings
                     FROM import_batches WHERE finished_at IS NOT NULL ORDER BY batch_id",
                )
                .map_err(db)?;
            let mut rows = stmt.query([]).map_err(db)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(db)? {
                let count = |i: usize| -> Result<u64, StoreError> {
                    Ok(r.get::<_, i64>(i).map_err(db)?.unsigned_abs())
                };
                out.push(ImportRecord {
                    batch_id: r.get(0).map_err(db)?,
                    kind: r.get(1).map_err(db)?,
                    sha256: r.get(2).map_err(db)?,
                    file_name: r.get(3).map_err(db)?,
                    finished_at: parse_timestamp(&r.get::<_, String>(4).map_err(db)?)?,
                    totals: ImportTotals {
                        accepted: count(5)?,
                        rejected: count(6)?,
                        duplicates: count(7)?,
                        warnings: count(8)?,
                    },
                });
            }
            Ok(out)
        })
    }
}

#[async_trait]
impl ImportBatch for SqliteImportBatch {
    fn batch_id(&self) -> i64 {
        self.batch_id
    }

    async fn member_ids(&mut self, nss: &[Nss]) -> Result<Vec<Option<MemberId>>, StoreError> {
        lookup(
            &self.conn,
            "SELECT member_id FROM members WHERE nss = ?1
             UNION ALL SELECT member_id FROM nss_aliases WHERE nss = ?1 LIMIT 1",
            nss,
            Nss::as_str,
            |r| r.get(0).map(MemberId),
        )
    }

    async fn curp_owners(&mut self, curps: &[Curp]) -> Result<Vec<Option<MemberId>>, StoreError> {
        lookup(
            &self.conn,
            "SELECT member_id FROM members WHERE curp = ?1",
            curps,
            Curp::as_str,
            |r| r.get(0).map(MemberId),
        )
    }

    async fn employers_known(&mut self, nrps: &[Nrp]) -> Result<Vec<bool>, StoreError> {
        let found = lookup(
            &self.conn,
            "SELECT 1 FROM employers WHERE nrp = ?1",
            nrps,
            Nrp::as_str,
            |r| r.get::<_, i64>(0),
        )?;
        Ok(found.into_iter().map(|f| f.is_some()).collect())
    }

    async fn credit_owners(
        &mut self,
        numbers: &[CreditNumber],
    ) -> Result<Vec<Option<MemberId>>, StoreError> {
        lookup(
            &self.conn,
            "SELECT member_id FROM credits WHERE credit_number = ?1",
            numbers,
            CreditNumber::as_str,
            |r| r.get(0).map(MemberId),
        )
    }

    async fn insert_members(&mut self, rows: &[Person]) -> Result<Vec<MemberId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO members (nss, curp, rfc, first_surname, second_surname, given_names,
                                      birth_date, sex, state, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(db)?;
        let mut ids = Vec::with_capacity(rows.len());
        for p in rows {
            let id = stmt
                .insert(params![
                    p.nss.as_str(),
                    p.curp.as_str(),
                    p.rfc.as_str(),
                    p.first_surname,
                    p.second_surname,
                    p.given_names,
                    iso(p.birth_date),
                    p.sex.letter().to_string(),
                    p.state.0,
                    self.batch_id
                ])
                .map_err(db)?;
            ids.push(MemberId(id));
        }
        Ok(ids)
    }

    async fn insert_employers(&mut self, rows: &[Employer]) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO employers (nrp, name, state, sector, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?;
        let mut inserted = 0;
        for e in rows {
            inserted += stmt
                .execute(params![
                    e.nrp.as_str(),
                    e.name,
                    e.state.0,
                    e.sector,
                    self.batch_id
                ])
                .map_err(db)? as u64;
        }
        Ok(inserted)
    }

    async fn insert_relations(&mut self, rows: &[RelationPeriod]) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO employment_periods
                     (member_id, nrp, start_date, wage_from, end_date, daily_wage, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?;
        let mut inserted = 0;
        for r in rows {
            inserted += stmt
                .execute(params![
                    r.member_id.0,
                    r.nrp.as_str(),
                    iso(r.start_date),
                    iso(r.wage_from),
                    r.end_date.map(iso),
                    r.daily_wage.centavos(),
                    self.batch_id
                ])
                .map_err(db)? as u64;
        }
        Ok(inserted)
    }

    async fn insert_movements(&mut self, rows: &[Movement]) -> Result<u64, StoreError> {
        let mut deltas: HashMap<(i64, i16), i64> = HashMap::new();
        let mut inserted = 0;
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "INSERT INTO subaccount_movements
                         (member_id, bucket, kind, period, source, amount, booked_on, batch_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                )
                .map_err(db)?;
            // The batch id is bound once; SQLite keeps bindings across executions, so each row
            // rebinds only its own seven values.
            stmt.raw_bind_parameter(8, self.batch_id).map_err(db)?;
            for m in rows {
                let date = IsoDate::new(m.booked_on);
                stmt.raw_bind_parameter(1, m.member_id.0).map_err(db)?;
                stmt.raw_bind_parameter(2, m.bucket.number()).map_err(db)?;
                stmt.raw_bind_parameter(3, m.kind.number()).map_err(db)?;
                stmt.raw_bind_parameter(4, m.period).map_err(db)?;
                stmt.raw_bind_parameter(5, m.source).map_err(db)?;
                stmt.raw_bind_parameter(6, m.amount.centavos())
                    .map_err(db)?;
                stmt.raw_bind_parameter(7, date.as_str()).map_err(db)?;
                let added = stmt.raw_execute().map_err(db)?;
                if added == 1 {
                    inserted += 1;
                    *deltas
                        .entry((m.member_id.0, m.bucket.number()))
                        .or_default() += m.amount.centavos();
                }
            }
        }
        let mut upsert = self
            .conn
            .prepare_cached(
                "INSERT INTO subaccount_balances (member_id, bucket, balance) VALUES (?1, ?2, ?3)
                 ON CONFLICT (member_id, bucket) DO UPDATE SET balance = balance + excluded.balance",
            )
            .map_err(db)?;
        for ((member, bucket), delta) in deltas {
            upsert.execute(params![member, bucket, delta]).map_err(db)?;
        }
        Ok(inserted)
    }

    async fn insert_credits(&mut self, rows: &[Credit]) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO credits (member_id, credit_number, product, denomination,
                                      originated_on, amount, amount_vsm, rate, term_months,
                                      status, balance, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?;
        let mut inserted = 0;
        for c in rows {
            inserted += stmt
                .execute(params![
                    c.member_id.0,
                    c.credit_number.as_str(),
                    c.product.code(),
                    c.denomination.code(),
                    iso(c.originated_on),
                    c.amount.centavos(),
                    c.amount_vsm.map(|v| v.to_string()),
                    c.rate.to_string(),
                    c.term_months,
                    c.status.code(),
                    self.batch_id
                ])
                .map_err(db)? as u64;
        }
        Ok(inserted)
    }

    async fn insert_credit_movements(
        &mut self,
        rows: &[CreditMovement],
    ) -> Result<u64, StoreError> {
        let mut deltas: HashMap<(i64, String), i64> = HashMap::new();
        let mut inserted = 0;
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "INSERT INTO credit_movements
                         (member_id, credit_number, reference, kind, booked_on, amount, batch_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                )
                .map_err(db)?;
            for m in rows {
                let added = stmt
                    .execute(params![
                        m.member_id.0,
                        m.credit_number.as_str(),
                        m.reference,
                        m.kind.code(),
                        IsoDate::new(m.booked_on).as_str(),
                        m.amount.centavos(),
                        self.batch_id
                    ])
                    .map_err(db)?;
                if added == 1 {
                    inserted += 1;
                    *deltas
                        .entry((m.member_id.0, m.credit_number.as_str().to_owned()))
                        .or_default() += m.amount.centavos();
                }
            }
        }
        let mut update = self
            .conn
            .prepare_cached(
                "UPDATE credits SET balance = balance + ?3 WHERE member_id = ?1 AND credit_number = ?2",
            )
            .map_err(db)?;
        for ((member, credit), delta) in deltas {
            update.execute(params![member, credit, delta]).map_err(db)?;
        }
        Ok(inserted)
    }

    async fn insert_credit_discounts(
        &mut self,
        rows: &[store::CreditDiscount],
    ) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO credit_discounts
                     (member_id, credit_number, valid_from, kind, value, reason, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?;
        let mut inserted = 0;
        for d in rows {
            inserted += stmt
                .execute(params![
                    d.member_id.0,
                    d.credit_number.as_str(),
                    IsoDate::new(d.change.valid_from).as_str(),
                    d.change.discount.kind.code(),
                    d.change.discount.value.to_string(),
                    d.change.reason.code(),
                    self.batch_id
                ])
                .map_err(db)? as u64;
        }
        Ok(inserted)
    }

    async fn insert_pension_resolutions(
        &mut self,
        rows: &[PensionResolution],
    ) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO pension_resolutions (member_id, outcome, kind, resolved_on, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )
            .map_err(db)?;
        let mut inserted = 0;
        for p in rows {
            inserted += stmt
                .execute(params![
                    p.member_id.0,
                    p.outcome.code(),
                    p.kind.code(),
                    IsoDate::new(p.resolved_on).as_str(),
                    self.batch_id
                ])
                .map_err(db)? as u64;
        }
        Ok(inserted)
    }

    async fn insert_subaccount_holds(
        &mut self,
        rows: &[SubaccountHold],
    ) -> Result<u64, StoreError> {
        // A hold the registry now reports lifted gets its date; one already lifted stays.
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO subaccount_holds (member_id, kind, placed_on, lifted_on, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (member_id, kind, placed_on) DO UPDATE
                     SET lifted_on = excluded.lifted_on, batch_id = excluded.batch_id
                     WHERE subaccount_holds.lifted_on IS NULL
                       AND excluded.lifted_on IS NOT NULL",
            )
            .map_err(db)?;
        let mut inserted = 0;
        for h in rows {
            inserted += stmt
                .execute(params![
                    h.member_id.0,
                    h.kind.code(),
                    IsoDate::new(h.placed_on).as_str(),
                    h.lifted_on.map(iso),
                    self.batch_id
                ])
                .map_err(db)? as u64;
        }
        Ok(inserted)
    }

    async fn commit(mut self: Box<Self>, totals: ImportTotals) -> Result<ImportRecord, StoreError> {
        let finished = now_text();
        self.conn
            .execute(
                "UPDATE import_batches SET finished_at = ?2, accepted = ?3, rejected = ?4,
                        duplicates = ?5, warnings = ?6
                 WHERE batch_id = ?1",
                params![
                    self.batch_id,
                    finished,
                    totals.accepted as i64,
                    totals.rejected as i64,
                    totals.duplicates as i64,
                    totals.warnings as i64
                ],
            )
            .map_err(db)?;
        self.conn.execute_batch("COMMIT").map_err(db)?;
        self.open = false;
        Ok(ImportRecord {
            batch_id: self.batch_id,
            kind: self.file.kind.code().to_owned(),
            sha256: self.file.sha256.clone(),
            file_name: self.file.file_name.clone(),
            finished_at: parse_timestamp(&finished)?,
            totals,
        })
    }
}
