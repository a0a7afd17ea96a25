//! Registry reads on PostgreSQL: one pooled connection and one cached prepared statement per
//! call. Orderings are spelled out in SQL so the answers match SQLite row for row.

use async_trait::async_trait;
use domain::credit::DiscountChange;
use domain::ids::{Curp, Nss};
use domain::money::Money;
use domain::registry::{
    Bucket, BucketBalance, Credit, CreditMovement, CreditNumber, Employer, Member, MemberId,
    Movement, MovementKind, Nrp, RelationPeriod,
};
use futures_util::StreamExt;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use store::{
    LedgerCheck, MovementFilter, PointsRecord, RegistryCounts, RegistryRepo, SavingsOverview,
    StoreError,
};
use time::Date;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::PgStore;
use crate::error::db;
use crate::rows::{self, MEMBER_COLUMNS};

const MEMBER_BY_ID: &str = "SELECT member_id, nss, curp, rfc, first_surname, second_surname, \
     given_names, birth_date, sex, state FROM members WHERE member_id = $1";

/// Every filter is a parameter, so one prepared statement serves every combination; an empty
/// array or a NULL date means "any".
const MOVEMENTS: &str = "
    SELECT member_id, bucket, kind, period, source, amount, booked_on
    FROM subaccount_movements
    WHERE member_id = $1
      AND (cardinality($2::smallint[]) = 0 OR kind = ANY($2))
      AND (cardinality($3::smallint[]) = 0 OR bucket = ANY($3))
      AND ($4::date IS NULL OR booked_on >= $4)
      AND ($5::date IS NULL OR booked_on <= $5)
    ORDER BY booked_on, bucket, kind, period, source";

impl PgStore {
    /// At most one row, like `query_opt`, from wherever `fetch` reads (the primary, or the
    /// replica for a lagging handle): more than one is an error on both.
    async fn row(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, StoreError> {
        let mut rows = self.fetch(sql, params).await?;
        if rows.len() > 1 {
            return Err(StoreError::Database(format!(
                "expected at most one row, got {}",
                rows.len()
            )));
        }
        Ok(rows.pop())
    }

    /// The member by id, on a shared connection.
    async fn member_shared(&self, id: MemberId) -> Result<Option<Member>, StoreError> {
        self.fetch_shared(MEMBER_BY_ID, &[&id.0])
            .await?
            .first()
            .map(rows::member)
            .transpose()
    }

    async fn member_where(&self, column: &str, value: &str) -> Result<Option<Member>, StoreError> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE {column} = $1");
        self.row(&sql, &[&value])
            .await?
            .as_ref()
            .map(rows::member)
            .transpose()
    }
}

fn all<T>(
    rows: Vec<Row>,
    map: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(map).collect()
}

#[async_trait]
impl RegistryRepo for PgStore {
    async fn member(&self, id: MemberId) -> Result<Option<Member>, StoreError> {
        self.member_shared(id).await
    }

    async fn member_by_nss(&self, nss: &Nss) -> Result<Option<Member>, StoreError> {
        // A former NSS (changed, or unified into another record) still finds the member.
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE nss = $1
             UNION ALL
             SELECT {MEMBER_COLUMNS} FROM members
             WHERE member_id = (SELECT member_id FROM nss_aliases WHERE nss = $1)
             LIMIT 1"
        );
        self.row(&sql, &[&nss.as_str()])
            .await?
            .as_ref()
            .map(rows::member)
            .transpose()
    }

    async fn member_by_curp(&self, curp: &Curp) -> Result<Option<Member>, StoreError> {
        self.member_where("curp", curp.as_str()).await
    }

    async fn employer(&self, nrp: &Nrp) -> Result<Option<Employer>, StoreError> {
        let sql = "SELECT nrp, name, state, sector FROM employers WHERE nrp = $1";
        self.row(sql, &[&nrp.as_str()])
            .await?
            .as_ref()
            .map(rows::employer)
            .transpose()
    }

    async fn savings_overview(&self, id: MemberId) -> Result<SavingsOverview, StoreError> {
        // One round trip: each balance row carries the two dates, and one row with a NULL
        // bucket answers for a member without balances.
        let rows = self
            .fetch_shared(
                "SELECT b.bucket, b.balance,
                     (SELECT max(latest) FROM (
                          SELECT (SELECT booked_on FROM subaccount_movements m
                                  WHERE m.member_id = $1 AND m.bucket = k AND m.kind = $2
                                  ORDER BY m.period DESC LIMIT 1) AS latest
                          FROM unnest(ARRAY[1, 2, 3, 4]::smallint[]) AS k) AS per_bucket),
                     (SELECT max(latest) FROM (
                          SELECT (SELECT booked_on FROM subaccount_movements m
                                  WHERE m.member_id = $1 AND m.bucket = k AND m.kind = $3
                                  ORDER BY m.period DESC LIMIT 1) AS latest
                          FROM unnest(ARRAY[1, 2, 3, 4]::smallint[]) AS k) AS per_bucket)
                 FROM (SELECT 1) AS one
                 LEFT JOIN subaccount_balances b ON b.member_id = $1
                 ORDER BY b.bucket",
                &[
                    &id.0,
                    &MovementKind::Contribution.number(),
                    &MovementKind::Yield.number(),
                ],
            )
            .await?;
        let mut overview = SavingsOverview::default();
        for r in &rows {
            const T: &str = "subaccount_balances";
            overview.last_contribution = crate::columns::get(r, 2, T)?;
            overview.last_yield = crate::columns::get(r, 3, T)?;
            let Some(bucket) = crate::columns::get::<Option<i16>>(r, 0, T)? else {
                continue;
            };
            overview.balances.push(BucketBalance {
                bucket: Bucket::from_number(bucket.into())
                    .ok_or_else(|| StoreError::corrupt(T, "bucket"))?,
                balance: Money::from_centavos(crate::columns::get(r, 1, T)?),
            });
        }
        Ok(overview)
    }

    async fn balances(&self, id: MemberId) -> Result<Vec<BucketBalance>, StoreError> {
        let sql = "SELECT bucket, balance FROM subaccount_balances WHERE member_id = $1 \
                   ORDER BY bucket";
        all(self.fetch_shared(sql, &[&id.0]).await?, |r| {
            let bucket: i16 = r.try_get(0).map_err(db)?;
            Ok(BucketBalance {
                bucket: Bucket::from_number(bucket.into())
                    .ok_or_else(|| StoreError::corrupt("subaccount_balances", "bucket"))?,
                balance: Money::from_centavos(r.try_get(1).map_err(db)?),
            })
        })
    }

    async fn movements(
        &self,
        id: MemberId,
        filter: &MovementFilter,
    ) -> Result<Vec<Movement>, StoreError> {
        let kinds: Vec<i16> = filter.kinds.iter().map(|k| k.number()).collect();
        let buckets: Vec<i16> = filter.buckets.iter().map(|b| b.number()).collect();
        let rows = self
            .fetch_shared(
                MOVEMENTS,
                &[&id.0, &kinds, &buckets, &filter.from, &filter.to],
            )
            .await?;
        all(rows, rows::movement)
    }

    async fn relations(&self, id: MemberId) -> Result<Vec<RelationPeriod>, StoreError> {
        let sql = "SELECT member_id, nrp, start_date, wage_from, end_date, daily_wage
                   FROM employment_periods WHERE member_id = $1
                   ORDER BY start_date, wage_from, nrp";
        all(self.fetch_shared(sql, &[&id.0]).await?, rows::relation)
    }

    async fn credits(&self, id: MemberId) -> Result<Vec<Credit>, StoreError> {
        let sql = "SELECT member_id, credit_number, product, denomination, originated_on, amount,
                          amount_vsm, rate, term_months, status
                   FROM credits WHERE member_id = $1 ORDER BY originated_on, credit_number";
        all(self.fetch_shared(sql, &[&id.0]).await?, rows::credit)
    }

    async fn points_record(
        &self,
        id: MemberId,
        contributions_from: Date,
    ) -> Result<Option<PointsRecord>, StoreError> {
        // The five reads go out together on a shared connection: one wait, not five.
        let contributions = MovementFilter {
            kinds: vec![MovementKind::Contribution],
            from: Some(contributions_from),
            ..MovementFilter::default()
        };
        let (member, relations, contributions, credits, balances) = tokio::try_join!(
            self.member_shared(id),
            self.relations(id),
            self.movements(id, &contributions),
            self.credits(id),
            self.balances(id),
        )?;
        Ok(member.map(|member| PointsRecord {
            member,
            relations,
            contributions,
            credits,
            balances,
        }))
    }

    async fn credit_balance(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Option<Money>, StoreError> {
        let sql = "SELECT balance FROM credits WHERE member_id = $1 AND credit_number = $2";
        match self.row(sql, &[&id.0, &credit.as_str()]).await? {
            Some(row) => Ok(Some(Money::from_centavos(row.try_get(0).map_err(db)?))),
            None => Ok(None),
        }
    }

    async fn credit_movements(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<CreditMovement>, StoreError> {
        let sql = "SELECT member_id, credit_number, reference, kind, booked_on, amount
                   FROM credit_movements WHERE member_id = $1 AND credit_number = $2
                   ORDER BY booked_on, reference";
        all(
            self.fetch(sql, &[&id.0, &credit.as_str()]).await?,
            rows::credit_movement,
        )
    }

    async fn credit_discounts(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<DiscountChange>, StoreError> {
        let sql = "SELECT valid_from, kind, value, reason FROM credit_discounts
                   WHERE member_id = $1 AND credit_number = $2 ORDER BY valid_from";
        all(
            self.fetch(sql, &[&id.0, &credit.as_str()]).await?,
            rows::credit_discount,
        )
    }

    async fn reindex_bases(
        &self,
        year: i32,
        after: Option<(MemberId, CreditNumber)>,
        limit: u32,
    ) -> Result<Vec<store::ReindexBase>, StoreError> {
        let (member, credit) = after.map_or((-1i64, String::new()), |(m, c)| {
            (m.0, c.as_str().to_owned())
        });
        let year_start = time::Date::from_calendar_date(year, time::Month::January, 1)
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let reference = format!("R{year}");
        let rows = self
            .fetch(
                "SELECT k.member_id, k.credit_number,
                        (SELECT coalesce(sum(m.amount), 0)::bigint FROM credit_movements m
                         WHERE m.member_id = k.member_id AND m.credit_number = k.credit_number
                           AND m.booked_on < $1),
                        EXISTS (SELECT 1 FROM credit_movements m
                                WHERE m.member_id = k.member_id
                                  AND m.credit_number = k.credit_number AND m.reference = $2)
                 FROM credits k
                 WHERE k.denomination = 'vsm' AND k.status = 'active'
                   AND k.originated_on < $1 AND (k.member_id, k.credit_number) > ($3, $4)
                 ORDER BY k.member_id, k.credit_number
                 LIMIT $5",
                &[&year_start, &reference, &member, &credit, &i64::from(limit)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                const T: &str = "credits";
                Ok(store::ReindexBase {
                    member_id: MemberId(crate::columns::get(r, 0, T)?),
                    credit_number: CreditNumber::parse(crate::columns::get(r, 1, T)?)
                        .map_err(|_| StoreError::corrupt(T, "credit_number"))?,
                    balance: Money::from_centavos(crate::columns::get(r, 2, T)?),
                    already_posted: crate::columns::get(r, 3, T)?,
                })
            })
            .collect()
    }

    async fn last_movement_on(
        &self,
        id: MemberId,
        kind: MovementKind,
    ) -> Result<Option<time::Date>, StoreError> {
        // Within (member, bucket, kind) the key orders by period: one index seek per bucket.
        let rows = self
            .fetch(
                "SELECT max(latest) FROM (
                     SELECT (SELECT booked_on FROM subaccount_movements m
                             WHERE m.member_id = $1 AND m.bucket = b AND m.kind = $2
                             ORDER BY m.period DESC LIMIT 1) AS latest
                     FROM unnest(ARRAY[1, 2, 3, 4]::smallint[]) AS b) AS per_bucket",
                &[&id.0, &kind.number()],
            )
            .await?;
        match rows.first() {
            Some(r) => crate::columns::get(r, 0, "subaccount_movements"),
            None => Ok(None),
        }
    }

    async fn periods_of_employers(
        &self,
        nrps: &[Nrp],
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<RelationPeriod>, StoreError> {
        let list: Vec<&str> = nrps.iter().map(Nrp::as_str).collect();
        let sql = "SELECT member_id, nrp, start_date, wage_from, end_date, daily_wage
                   FROM employment_periods
                   WHERE nrp = ANY($1) AND start_date <= $3 AND (end_date IS NULL OR end_date >= $2)
                   ORDER BY member_id, start_date, wage_from";
        all(self.fetch(sql, &[&list, &from, &to]).await?, rows::relation)
    }

    async fn yield_bases(
        &self,
        year: i32,
        after: Option<(MemberId, Bucket)>,
        limit: u32,
    ) -> Result<Vec<store::YieldBase>, StoreError> {
        let (member, bucket) = after.map_or((-1i64, 0i16), |(m, b)| (m.0, b.number()));
        let rows = self
            .fetch(
                "SELECT b.member_id, b.bucket, b.balance,
                        EXISTS (SELECT 1 FROM subaccount_movements m
                                WHERE m.member_id = b.member_id AND m.bucket = b.bucket
                                  AND m.kind = 2 AND m.period = $1 AND m.source = 0)
                 FROM subaccount_balances b
                 WHERE b.bucket IN (2, 3, 4) AND (b.member_id, b.bucket) > ($2, $3)
                 ORDER BY b.member_id, b.bucket
                 LIMIT $4",
                &[&year, &member, &bucket, &i64::from(limit)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                const T: &str = "subaccount_balances";
                let bucket: i16 = crate::columns::get(r, 1, T)?;
                Ok(store::YieldBase {
                    member_id: MemberId(crate::columns::get(r, 0, T)?),
                    bucket: Bucket::from_number(i64::from(bucket))
                        .ok_or_else(|| StoreError::corrupt(T, "bucket"))?,
                    balance: Money::from_centavos(crate::columns::get(r, 2, T)?),
                    already_posted: crate::columns::get(r, 3, T)?,
                })
            })
            .collect()
    }

    async fn counts(&self) -> Result<RegistryCounts, StoreError> {
        let sql = "SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM employers),
                          (SELECT count(*) FROM employment_periods),
                          (SELECT count(*) FROM subaccount_movements),
                          (SELECT count(*) FROM credits), (SELECT count(*) FROM credit_movements)";
        let row = self
            .row(sql, &[])
            .await?
            .ok_or_else(|| StoreError::Database("counts returned no row".into()))?;
        let count = |i: usize| -> Result<u64, StoreError> {
            Ok(row.try_get::<_, i64>(i).map_err(db)?.unsigned_abs())
        };
        Ok(RegistryCounts {
            members: count(0)?,
            employers: count(1)?,
            relation_periods: count(2)?,
            movements: count(3)?,
            credits: count(4)?,
            credit_movements: count(5)?,
        })
    }

    async fn check_ledger(&self) -> Result<LedgerCheck, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(store::LEDGER_CHECK_SQL)
            .await
            .map_err(db)?;
        // Streamed, not collected: the check walks every balance of the fund.
        let stream = client
            .query_raw(&stmt, std::iter::empty::<i64>())
            .await
            .map_err(db)?;
        let mut stream = std::pin::pin!(stream);
        let mut check = LedgerCheck::default();
        while let Some(row) = stream.next().await {
            let row = row.map_err(db)?;
            check.record(
                whole(&row, 0)?,
                whole(&row, 1)?,
                whole(&row, 2)?,
                whole(&row, 3)?,
            )?;
        }
        Ok(check)
    }
}

/// An integer column of the shared ledger query, whatever width PostgreSQL gave it: the key
/// columns are smallint and bigint, and `SUM(bigint)` is numeric.
fn whole(row: &Row, i: usize) -> Result<i64, StoreError> {
    const T: &str = "subaccount_balances";
    let ty = row.columns().get(i).map(|c| c.type_().clone());
    match ty {
        Some(tokio_postgres::types::Type::INT2) => Ok(row
            .try_get::<_, i16>(i)
            .map_err(|e| StoreError::corrupt(T, e))?
            .into()),
        Some(tokio_postgres::types::Type::INT4) => Ok(row
            .try_get::<_, i32>(i)
            .map_err(|e| StoreError::corrupt(T, e))?
            .into()),
        Some(tokio_postgres::types::Type::NUMERIC) => row
            .try_get::<_, Decimal>(i)
            .map_err(|e| StoreError::corrupt(T, e))?
            .to_i64()
            .ok_or_else(|| StoreError::corrupt(T, "sum out of range")),
        _ => row
            .try_get::<_, i64>(i)
            .map_err(|e| StoreError::corrupt(T, e)),
    }
}
