//! Registry reads on SQLite.

use async_trait::async_trait;
use domain::credit::DiscountChange;
use domain::ids::{Curp, Nss};
use domain::money::Money;
use domain::registry::{
    Bucket, BucketBalance, Credit, CreditMovement, CreditNumber, Employer, Member, MemberId,
    Movement, MovementKind, Nrp, RelationPeriod, StateCode,
};
use rusqlite::{Connection, OptionalExtension, params};
use store::{
    LedgerCheck, MovementFilter, PointsRecord, RegistryCounts, RegistryRepo, SavingsOverview,
    StoreError,
};

use crate::rows::{self, MEMBER_COLUMNS};
use crate::stamp::get;
use crate::{SqliteStore, db};

fn member_where(
    conn: &Connection,
    column: &str,
    value: &str,
) -> Result<Option<Member>, StoreError> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE {column} = ?1");
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let mut found = stmt.query([value]).map_err(db)?;
    match found.next().map_err(db)? {
        Some(row) => rows::member(row).map(Some),
        None => Ok(None),
    }
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&rusqlite::Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db)?;
    let mut rows = stmt.query(params).map_err(db)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db)? {
        out.push(map(row)?);
    }
    Ok(out)
}

fn balances_of(c: &Connection, id: MemberId) -> Result<Vec<BucketBalance>, StoreError> {
    collect(
        c,
        "SELECT bucket, balance FROM subaccount_balances WHERE member_id = ?1 ORDER BY bucket",
        [id.0],
        |r| {
            let bucket: i64 = r.get(0).map_err(db)?;
            Ok(BucketBalance {
                bucket: Bucket::from_number(bucket)
                    .ok_or_else(|| StoreError::corrupt("subaccount_balances", "bucket"))?,
                balance: Money::from_centavos(r.get(1).map_err(db)?),
            })
        },
    )
}

/// The booking date of the member's latest movement of `kind`. Within (member, bucket, kind)
/// the key orders by period, and a later period is booked later: one index seek per bucket.
fn member_of(c: &Connection, id: MemberId) -> Result<Option<Member>, StoreError> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE member_id = ?1");
    Ok(collect(c, &sql, [id.0], rows::member)?.pop())
}

fn relations_of(c: &Connection, id: MemberId) -> Result<Vec<RelationPeriod>, StoreError> {
    collect(
        c,
        "SELECT member_id, nrp, start_date, wage_from, end_date, daily_wage
         FROM employment_periods WHERE member_id = ?1 ORDER BY start_date, wage_from, nrp",
        [id.0],
        rows::relation,
    )
}

fn credits_of(c: &Connection, id: MemberId) -> Result<Vec<Credit>, StoreError> {
    collect(
        c,
        "SELECT member_id, credit_number, product, denomination, originated_on, amount,
                amount_vsm, rate, term_months, status
         FROM credits WHERE member_id = ?1 ORDER BY originated_on, credit_number",
        [id.0],
        rows::credit,
    )
}

/// Movements in booking order, as `RegistryRepo::movements` gives them.
fn booking_order(m: &Movement) -> (time::Date, Bucket, MovementKind, i32, i64) {
    (m.booked_on, m.bucket, m.kind, m.period, m.source)
}

fn last_movement_of(
    c: &Connection,
    id: MemberId,
    kind: MovementKind,
) -> Result<Option<time::Date>, StoreError> {
    let mut stmt = c
        .prepare_cached(
            "SELECT booked_on FROM subaccount_movements
             WHERE member_id = ?1 AND bucket = ?2 AND kind = ?3
             ORDER BY period DESC LIMIT 1",
        )
        .map_err(db)?;
    let mut latest: Option<time::Date> = None;
    for bucket in Bucket::ALL {
        let found: Option<String> = stmt
            .query_row(params![id.0, bucket.number(), kind.number()], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if let Some(text) = found {
            let day = domain::dates::parse_iso(&text)
                .map_err(|_| StoreError::corrupt("subaccount_movements", "booked_on"))?;
            latest = latest.max(Some(day));
        }
    }
    Ok(latest)
}

#[async_trait]
impl RegistryRepo for SqliteStore {
    async fn member(&self, id: MemberId) -> Result<Option<Member>, StoreError> {
        self.read(|c| member_of(c, id))
    }

    async fn member_by_nss(&self, nss: &Nss) -> Result<Option<Member>, StoreError> {
        self.read(|c| {
            // A former NSS (changed, or unified into another record) still finds the member.
            let sql = format!(
                "SELECT {MEMBER_COLUMNS} FROM members WHERE nss = ?1
                 UNION ALL
                 SELECT {MEMBER_COLUMNS} FROM members
                 WHERE member_id = (SELECT member_id FROM nss_aliases WHERE nss = ?1)
                 LIMIT 1"
            );
            let mut stmt = c.prepare_cached(&sql).map_err(db)?;
            let mut found = stmt.query([nss.as_str()]).map_err(db)?;
            match found.next().map_err(db)? {
                Some(row) => rows::member(row).map(Some),
                None => Ok(None),
            }
        })
    }

    async fn member_by_curp(&self, curp: &Curp) -> Result<Option<Member>, StoreError> {
        self.read(|c| member_where(c, "curp", curp.as_str()))
    }

    async fn employer(&self, nrp: &Nrp) -> Result<Option<Employer>, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT nrp, name, state, sector FROM employers WHERE nrp = ?1")
                .map_err(db)?
                .query_row([nrp.as_str()], |r| {
                    Ok((
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })
                .optional()
                .map_err(db)?
                .map(|(name, state, sector)| {
                    let state = u8::try_from(state)
                        .ok()
                        .and_then(StateCode::new)
                        .ok_or_else(|| StoreError::corrupt("employers", "bad state"))?;
                    Ok(Employer {
                        nrp: *nrp,
                        name,
                        state,
                        sector,
                    })
                })
                .transpose()
        })
    }

    async fn balances(&self, id: MemberId) -> Result<Vec<BucketBalance>, StoreError> {
        self.read(|c| balances_of(c, id))
    }

    async fn savings_overview(&self, id: MemberId) -> Result<SavingsOverview, StoreError> {
        self.read(|c| {
            Ok(SavingsOverview {
                balances: balances_of(c, id)?,
                last_contribution: last_movement_of(c, id, MovementKind::Contribution)?,
                last_yield: last_movement_of(c, id, MovementKind::Yield)?,
            })
        })
    }

    async fn movements(
        &self,
        id: MemberId,
        filter: &MovementFilter,
    ) -> Result<Vec<Movement>, StoreError> {
        self.read(|c| {
            let mut all = collect(
                c,
                "SELECT member_id, bucket, kind, period, source, amount, booked_on
                 FROM subaccount_movements WHERE member_id = ?1",
                [id.0],
                rows::movement,
            )?;
            all.retain(|m| filter.matches(m));
            all.sort_by_key(booking_order);
            Ok(all)
        })
    }

    async fn relations(&self, id: MemberId) -> Result<Vec<RelationPeriod>, StoreError> {
        self.read(|c| relations_of(c, id))
    }

    async fn credits(&self, id: MemberId) -> Result<Vec<Credit>, StoreError> {
        self.read(|c| credits_of(c, id))
    }

    async fn points_record(
        &self,
        id: MemberId,
        contributions_from: time::Date,
    ) -> Result<Option<PointsRecord>, StoreError> {
        self.read(|c| {
            let Some(member) = member_of(c, id)? else {
                return Ok(None);
            };
            let mut contributions = collect(
                c,
                "SELECT member_id, bucket, kind, period, source, amount, booked_on
                 FROM subaccount_movements
                 WHERE member_id = ?1 AND kind = ?2 AND booked_on >= ?3",
                params![
                    id.0,
                    MovementKind::Contribution.number(),
                    domain::dates::iso(contributions_from)
                ],
                rows::movement,
            )?;
            contributions.sort_by_key(booking_order);
            Ok(Some(PointsRecord {
                member,
                relations: relations_of(c, id)?,
                contributions,
                credits: credits_of(c, id)?,
                balances: balances_of(c, id)?,
            }))
        })
    }

    async fn credit_balance(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Option<Money>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT balance FROM credits WHERE member_id = ?1 AND credit_number = ?2",
            )
            .map_err(db)?
            .query_row(params![id.0, credit.as_str()], |r| r.get::<_, i64>(0))
            .optional()
            .map(|b| b.map(Money::from_centavos))
            .map_err(db)
        })
    }

    async fn credit_movements(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<CreditMovement>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT member_id, credit_number, reference, kind, booked_on, amount
                 FROM credit_movements WHERE member_id = ?1 AND credit_number = ?2
                 ORDER BY booked_on, reference",
                params![id.0, credit.as_str()],
                rows::credit_movement,
            )
        })
    }

    async fn credit_discounts(
        &self,
        id: MemberId,
        credit: &CreditNumber,
    ) -> Result<Vec<DiscountChange>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT valid_from, kind, value, reason FROM credit_discounts
                 WHERE member_id = ?1 AND credit_number = ?2 ORDER BY valid_from",
                params![id.0, credit.as_str()],
                rows::credit_discount,
            )
        })
    }

    async fn reindex_bases(
        &self,
        year: i32,
        after: Option<(MemberId, CreditNumber)>,
        limit: u32,
    ) -> Result<Vec<store::ReindexBase>, StoreError> {
        let (member, credit) =
            after.map_or((-1, String::new()), |(m, c)| (m.0, c.as_str().to_owned()));
        let year_start = format!("{year:04}-01-01");
        let reference = format!("R{year}");
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            store.read(|c| {
                collect(
                    c,
                    "SELECT k.member_id, k.credit_number,
                            (SELECT coalesce(sum(m.amount), 0) FROM credit_movements m
                             WHERE m.member_id = k.member_id AND m.credit_number = k.credit_number
                               AND m.booked_on < ?1),
                            EXISTS (SELECT 1 FROM credit_movements m
                                    WHERE m.member_id = k.member_id
                                      AND m.credit_number = k.credit_number
                                      AND m.reference = ?2)
                     FROM credits k INDEXED BY credits_vsm_active
                     WHERE k.denomination = 'vsm' AND k.status = 'active'
                       AND k.originated_on < ?1 AND (k.member_id, k.credit_number) > (?3, ?4)
                     ORDER BY k.member_id, k.credit_number
                     LIMIT ?5",
                    params![year_start, reference, member, credit, limit],
                    |r| {
                        const T: &str = "credits";
                        Ok(store::ReindexBase {
                            member_id: MemberId(get(r, 0, T)?),
                            credit_number: CreditNumber::parse(&get::<String>(r, 1, T)?)
                                .map_err(|_| StoreError::corrupt(T, "credit_number"))?,
                            balance: Money::from_centavos(get(r, 2, T)?),
                            already_posted: get(r, 3, T)?,
                        })
                    },
                )
            })
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
    }

    async fn counts(&self) -> Result<RegistryCounts, StoreError> {
        self.read(|c| {
            let count = |table: &str| -> Result<u64, StoreError> {
                let n: i64 = c
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                    .map_err(db)?;
                Ok(n.unsigned_abs())
            };
            Ok(RegistryCounts {
                members: count("members")?,
                employers: count("employers")?,
                relation_periods: count("employment_periods")?,
                movements: count("subaccount_movements")?,
                credits: count("credits")?,
                credit_movements: count("credit_movements")?,
            })
        })
    }

    async fn last_movement_on(
        &self,
        id: MemberId,
        kind: MovementKind,
    ) -> Result<Option<time::Date>, StoreError> {
        self.read(|c| last_movement_of(c, id, kind))
    }

    async fn periods_of_employers(
        &self,
        nrps: &[Nrp],
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<RelationPeriod>, StoreError> {
        let list: Vec<String> = nrps.iter().map(|n| n.as_str().to_owned()).collect();
        let store = self.clone();
        let (from, to) = (domain::dates::iso(from), domain::dates::iso(to));
        tokio::task::spawn_blocking(move || {
            store.read(|c| {
                let mut found = Vec::new();
                for nrp in &list {
                    found.extend(collect(
                        c,
                        "SELECT member_id, nrp, start_date, wage_from, end_date, daily_wage
                         FROM employment_periods
                         WHERE nrp = ?1 AND start_date <= ?3 AND (end_date IS NULL OR end_date >= ?2)
                         ORDER BY member_id, start_date, wage_from",
                        params![nrp, from, to],
                        rows::relation,
                    )?);
                }
                Ok(found)
            })
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
    }

    async fn yield_bases(
        &self,
        year: i32,
        after: Option<(MemberId, Bucket)>,
        limit: u32,
    ) -> Result<Vec<store::YieldBase>, StoreError> {
        let (member, bucket) = after.map_or((-1, 0), |(m, b)| (m.0, b.number()));
        self.read(|c| {
            collect(
                c,
                "SELECT b.member_id, b.bucket, b.balance,
                        EXISTS (SELECT 1 FROM subaccount_movements m
                                WHERE m.member_id = b.member_id AND m.bucket = b.bucket
                                  AND m.kind = 2 AND m.period = ?1 AND m.source = 0)
                 FROM subaccount_balances b
                 WHERE b.bucket IN (2, 3, 4) AND (b.member_id, b.bucket) > (?2, ?3)
                 ORDER BY b.member_id, b.bucket
                 LIMIT ?4",
                rusqlite::params![year, member, bucket, limit],
                |r| {
                    let bucket: i64 = get(r, 1, "subaccount_balances")?;
                    Ok(store::YieldBase {
                        member_id: MemberId(get(r, 0, "subaccount_balances")?),
                        bucket: Bucket::from_number(bucket)
                            .ok_or_else(|| StoreError::corrupt("subaccount_balances", "bucket"))?,
                        balance: Money::from_centavos(get(r, 2, "subaccount_balances")?),
                        already_posted: get(r, 3, "subaccount_balances")?,
                    })
                },
            )
        })
    }

    async fn check_ledger(&self) -> Result<LedgerCheck, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            store.read(|c| {
                let mut stmt = c.prepare(store::LEDGER_CHECK_SQL).map_err(db)?;
                let mut rows = stmt.query([]).map_err(db)?;
                let mut check = LedgerCheck::default();
                while let Some(r) = rows.next().map_err(db)? {
                    let (member, bucket, stored, sum): (i64, i64, i64, i64) = (
                        r.get(0).map_err(db)?,
                        r.get(1).map_err(db)?,
                        r.get(2).map_err(db)?,
                        r.get(3).map_err(db)?,
                    );
                    check.record(member, bucket, stored, sum)?;
                }
                Ok(check)
            })
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
    }
}
