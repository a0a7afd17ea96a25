//! Loading one chunk: binary COPY into a temporary staging table, then a single
//! `INSERT … SELECT … ON CONFLICT DO NOTHING` from there into the registry.
//!
//! COPY is the fastest way in, but it cannot skip rows whose key is already present and it
//! cannot move balances; the staging step keeps both in one set-based statement per chunk. The
//! staging tables have no keys or indexes (nothing reads them but one sequential scan), live
//! only in this session (temporary tables write no WAL), are created once per batch and kind,
//! emptied between chunks, and vanish at commit or rollback.

use std::future::Future;
use std::pin::Pin;

use domain::registry::{Credit, CreditMovement, Employer, Movement, Person, RelationPeriod, Sex};
use store::StoreError;
use tokio_postgres::Row;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;

use super::PgImportBatch;
use crate::error::db;

/// Where one kind of row is staged and how it moves on.
pub(super) struct Staging {
    create: &'static str,
    truncate: &'static str,
    copy: &'static str,
    /// The staging table's column types, in order, for the binary COPY.
    types: &'static [Type],
    /// Moves the staged rows into the registry; `$1` is the batch id. Returns one row: how
    /// many were inserted (for members, one row per member instead).
    insert: &'static str,
}

/// A row type that can be staged.
pub(super) trait Staged: Sync {
    const STAGING: Staging;
    /// Writes the row; `ord` is its position in the chunk.
    fn write<'a>(
        &'a self,
        ord: i64,
        to: Pin<&'a mut BinaryCopyInWriter>,
    ) -> impl Future<Output = Result<(), tokio_postgres::Error>> + Send + 'a;
}

impl PgImportBatch {
    /// Stages the rows and moves them on; the answer is the number inserted.
    pub(super) async fn stage_and_count<T: Staged>(
        &mut self,
        rows: &[T],
    ) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let result = self.stage_and_insert(rows).await?;
        let inserted: i64 = match result.first() {
            Some(row) => row.try_get(0).map_err(db)?,
            None => 0,
        };
        Ok(inserted.unsigned_abs())
    }

    /// Stages the rows and runs the kind's insert, returning what it returns.
    pub(super) async fn stage_and_insert<T: Staged>(
        &mut self,
        rows: &[T],
    ) -> Result<Vec<Row>, StoreError> {
        let t0 = std::time::Instant::now();
        let staging = &T::STAGING;
        let first_time = !self.staged.contains(&staging.create);
        let conn = self.conn()?;
        conn.batch_execute(if first_time {
            staging.create
        } else {
            staging.truncate
        })
        .await
        .map_err(db)?;
        let copy = conn.prepare_cached(staging.copy).await.map_err(db)?;
        let sink = conn.copy_in(&copy).await.map_err(db)?;
        let mut writer = Box::pin(BinaryCopyInWriter::new(sink, staging.types));
        for (ord, row) in (0_i64..).zip(rows) {
            row.write(ord, writer.as_mut()).await.map_err(db)?;
        }
        writer.as_mut().finish().await.map_err(db)?;
        let t1 = t0.elapsed();
        // Cached per connection: PostgreSQL re-plans the statement when a later batch
        // recreates the staging table under the same name.
        let insert = conn.prepare_cached(staging.insert).await.map_err(db)?;
        let result = conn.query(&insert, &[&self.batch_id]).await.map_err(db)?;
        if std::env::var("ADHOC_TIMING").is_ok() {
            eprintln!("ADHOC copy {:?} total {:?}", t1, t0.elapsed());
        }
        if first_time {
            self.staged.push(staging.create);
        }
        Ok(result)
    }
}

fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "M",
        Sex::Male => "H",
    }
}

impl Staged for Person {
    const STAGING: Staging = Staging {
        create: "CREATE TEMP TABLE staging_members (
                     ord bigint, nss text, curp text, rfc text, first_surname text,
                     second_surname text, given_names text, birth_date date, sex text,
                     state smallint) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_members",
        copy: "COPY pg_temp.staging_members FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::DATE,
            Type::TEXT,
            Type::INT2,
        ],
        // Ordered by position so ids are handed out in input order, as SQLite does; the
        // caller maps them back by NSS all the same.
        insert: "INSERT INTO members (nss, curp, rfc, first_surname, second_surname, given_names,
                                      birth_date, sex, state, batch_id)
                 SELECT nss, curp, rfc, first_surname, second_surname, given_names, birth_date,
                        sex, state, $1
                 FROM pg_temp.staging_members ORDER BY ord
                 RETURNING member_id, nss",
    };

    async fn write(
        &self,
        ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &ord,
            &self.nss.as_str(),
            &self.curp.as_str(),
            &self.rfc.as_str(),
            &self.first_surname,
            &self.second_surname,
            &self.given_names,
            &self.birth_date,
            &sex_code(self.sex),
            &i16::from(self.state.0),
        ])
        .await
    }
}

impl Staged for Employer {
    const STAGING: Staging = Staging {
        create: "CREATE TEMP TABLE staging_employers (
                     nrp text, name text, state smallint, sector text) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_employers",
        copy: "COPY pg_temp.staging_employers FROM STDIN (FORMAT binary)",
        types: &[Type::TEXT, Type::TEXT, Type::INT2, Type::TEXT],
        insert: "WITH ins AS (
                     INSERT INTO employers (nrp, name, state, sector, batch_id)
                     SELECT nrp, name, state, sector, $1 FROM pg_temp.staging_employers
                     ON CONFLICT DO NOTHING
                     RETURNING 1)
                 SELECT count(*) FROM ins",
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.nrp.as_str(),
            &self.name,
            &i16::from(self.state.0),
            &self.sector,
        ])
        .await
    }
}

impl Staged for RelationPeriod {
    const STAGING: Staging = Staging {
        create: "CREATE TEMP TABLE staging_relations (
                     member_id bigint, nrp text, start_date date, wage_from date, end_date date,
                     daily_wage bigint) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_relations",
        copy: "COPY pg_temp.staging_relations FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::DATE,
            Type::DATE,
            Type::DATE,
            Type::INT8,
        ],
        insert: "WITH ins AS (
                     INSERT INTO employment_periods
                         (member_id, nrp, start_date, wage_from, end_date, daily_wage, batch_id)
                     SELECT member_id, nrp, start_date, wage_from, end_date, daily_wage, $1
                     FROM pg_temp.staging_relations
                     ON CONFLICT DO NOTHING
                     RETURNING 1)
                 SELECT count(*) FROM ins",
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.member_id.0,
            &self.nrp.as_str(),
            &self.start_date,
            &self.wage_from,
            &self.end_date,
            &self.daily_wage.centavos(),
        ])
        .await
    }
}

impl Staged for Movement {
    const STAGING: Staging = Staging {
        create: "CREATE TEMP TABLE staging_movements (
                     member_id bigint, bucket smallint, kind smallint, period integer,
                     source bigint, amount bigint, booked_on date) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_movements",
        copy: "COPY pg_temp.staging_movements FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::INT2,
            Type::INT2,
            Type::INT4,
            Type::INT8,
            Type::INT8,
            Type::DATE,
        ],
        // The balances move by exactly the rows that went in: a movement already posted, in
        // an earlier batch or earlier in this chunk, is skipped and moves nothing.
        insert: "WITH ins AS (
                     INSERT INTO subaccount_movements
                         (member_id, bucket, kind, period, source, amount, booked_on, batch_id)
                     SELECT member_id, bucket, kind, period, source, amount, booked_on, $1
                     FROM pg_temp.staging_movements
                     ON CONFLICT DO NOTHING
                     RETURNING member_id, bucket, amount),
                 agg AS (
                     SELECT member_id, bucket, sum(amount)::bigint AS delta
                     FROM ins GROUP BY member_id, bucket),
                 up AS (
                     INSERT INTO subaccount_balances (member_id, bucket, balance)
                     SELECT member_id, bucket, delta FROM agg
                     ON CONFLICT (member_id, bucket)
                     DO UPDATE SET balance = subaccount_balances.balance + excluded.balance)
                 SELECT count(*) FROM ins",
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.member_id.0,
            &self.bucket.number(),
            &self.kind.number(),
            &self.period,
            &self.source,
            &self.amount.centavos(),
            &self.booked_on,
        ])
        .await
    }
}

impl Staged for Credit {
    const STAGING: Staging = Staging {
        create: "CREATE TEMP TABLE staging_credits (
                     member_id bigint, credit_number text, product text, denomination text,
                     originated_on date, amount bigint, amount_vsm numeric, rate numeric,
                     term_months integer, status text) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_credits",
        copy: "COPY pg_temp.staging_credits FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::DATE,
            Type::INT8,
            Type::NUMERIC,
            Type::NUMERIC,
            Type::INT4,
            Type::TEXT,
        ],
        // Skips a credit whose number is taken, by this member or another (either key).
        insert: "WITH ins AS (
                     INSERT INTO credits (member_id, credit_number, product, denomination,
                                          originated_on, amount, amount_vsm, rate, term_months,
                                          status, balance, batch_id)
                     SELECT member_id, credit_number, product, denomination, originated_on,
                            amount, amount_vsm, rate, term_months, status, 0, $1
                     FROM pg_temp.staging_credits
                     ON CONFLICT DO NOTHING
                     RETURNING 1)
                 SELECT count(*) FROM ins",
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.member_id.0,
            &self.credit_number.as_str(),
            &self.product.code(),
            &self.denomination.code(),
            &self.originated_on,
            &self.amount.centavos(),
            &self.amount_vsm,
            &self.rate,
            &i32::from(self.term_months),
            &self.status.code(),
        ])
        .await
    }
}

impl Staged for CreditMovement {
    const STAGING: Staging = Staging {
        create: "CREATE TEMP TABLE staging_credit_movements (
                     member_id bigint, credit_number text, reference text, kind text,
                     booked_on date, amount bigint) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_credit_movements",
        copy: "COPY pg_temp.staging_credit_movements FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::DATE,
            Type::INT8,
        ],
        // As with the subaccount: the balance owed moves by the rows that went in.
        insert: "WITH ins AS (
                     INSERT INTO credit_movements
                         (member_id, credit_number, reference, kind, booked_on, amount, batch_id)
                     SELECT member_id, credit_number, reference, kind, booked_on, amount, $1
                     FROM pg_temp.staging_credit_movements
                     ON CONFLICT DO NOTHING
                     RETURNING member_id, credit_number, amount),
                 agg AS (
                     SELECT member_id, credit_number, sum(amount)::bigint AS delta
                     FROM ins GROUP BY member_id, credit_number),
                 up AS (
                     UPDATE credits c SET balance = c.balance + agg.delta
                     FROM agg
                     WHERE c.member_id = agg.member_id AND c.credit_number = agg.credit_number)
                 SELECT count(*) FROM ins",
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.member_id.0,
            &self.credit_number.as_str(),
            &self.reference,
            &self.kind.code(),
            &self.booked_on,
            &self.amount.centavos(),
        ])
        .await
    }
}
