//! "Mi ahorro": the balance, the movements with their running balance, the employment history
//! and the savings calculator, for the signed-in member only (the member id always comes from
//! the session, never from the request).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use domain::bimester::Bimester;
use domain::money::Money;
use domain::reference::ReferenceTables;
use domain::registry::{Employer, MemberId, MovementKind, Nrp, RelationPeriod};
use domain::savings::{self, Line, Projection, ProjectionError, ProjectionInput, Summary};
use rust_decimal::Decimal;
use serde::Serialize;
use store::{MovementFilter, Store, StoreError};
use time::{Date, Duration};

/// The savings use cases and what they read.
#[derive(Clone)]
pub struct Savings {
    store: Arc<dyn Store>,
    /// Where the statement reads the member and their movements: a replica when one is
    /// configured (`with_lagging_reads`), else `store`.
    lagging: Arc<dyn Store>,
    tables: Arc<ReferenceTables>,
}

/// One employment relation: the employer, its dates and its wage history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Employment {
    pub nrp: Nrp,
    /// `None` when the employer is not in the registry.
    pub employer: Option<Employer>,
    pub start: Date,
    pub end: Option<Date>,
    /// Each wage and the day it took effect, oldest first.
    pub wages: Vec<(Date, Money)>,
    /// Bimesters with a contribution from this employer.
    pub bimesters_paid: u32,
    /// Bimesters of this relation, already due, with no contribution from this employer.
    pub bimesters_owed: Vec<Bimester>,
    pub current: bool,
}

/// A stretch without any employment between two relations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub from: Date,
    pub to: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct History {
    /// Newest first.
    pub employments: Vec<Employment>,
    pub gaps: Vec<Gap>,
}

/// A contribution is due around the 17th of the month after its bimester.
fn due_date(b: Bimester) -> Date {
    b.last_day() + Duration::days(17)
}

impl Savings {
    pub fn new(store: Arc<dyn Store>, tables: Arc<ReferenceTables>) -> Savings {
        Savings {
            lagging: store.clone(),
            store,
            tables,
        }
    }

    /// Statements read through `lagging`: the same data, from a replica that has caught up
    /// with everything committed before the read (see `store_postgres::PgStore::lagging_reads`).
    pub fn with_lagging_reads(self, lagging: Arc<dyn Store>) -> Savings {
        Savings { lagging, ..self }
    }

    pub fn tables(&self) -> &ReferenceTables {
        &self.tables
    }

    /// "Cuánto ahorro tengo".
    pub async fn summary(&self, member: MemberId) -> Result<Summary, StoreError> {
        let overview = self.store.savings_overview(member).await?;
        Ok(Summary::new(
            &overview.balances,
            overview.last_contribution,
            overview.last_yield,
        ))
    }

    /// The movements that pass `filter`, oldest first, each with the balance of the whole
    /// subaccount after it.
    pub async fn movements(
        &self,
        member: MemberId,
        filter: &MovementFilter,
    ) -> Result<Vec<Line>, StoreError> {
        let all = self
            .store
            .movements(member, &MovementFilter::default())
            .await?;
        Ok(savings::running(&all)
            .into_iter()
            .filter(|line| filter.matches(&line.movement))
            .collect())
    }

    /// "Mis relaciones laborales", with what each employer paid and still owes, as of `today`.
    pub async fn history(&self, member: MemberId, today: Date) -> Result<History, StoreError> {
        let periods = self.store.relations(member).await?;
        let contributions = self
            .store
            .movements(
                member,
                &MovementFilter {
                    kinds: vec![MovementKind::Contribution],
                    ..MovementFilter::default()
                },
            )
            .await?;
        // Contributions made while a credit was running went to the credit: those bimesters
        // are not owed either.
        let mut credit_paid: BTreeSet<Bimester> = BTreeSet::new();
        for credit in self.store.credits(member).await? {
            let number = credit.credit_number.clone();
            for m in self.store.credit_movements(member, &number).await? {
                if m.kind == domain::registry::CreditMovementKind::EmployerContribution {
                    credit_paid.insert(Bimester::containing(m.booked_on - Duration::days(30)));
                }
            }
        }
        let mut relations: BTreeMap<(Date, String), Vec<RelationPeriod>> = BTreeMap::new();
        for p in periods {
            relations
                .entry((p.start_date, p.nrp.as_str().to_owned()))
                .or_default()
                .push(p);
        }
        let mut employments = Vec::new();
        for ((start, _), mut periods) in relations {
            periods.sort_by_key(|p| p.wage_from);
            let Some(first) = periods.first() else {
                continue;
            };
            let nrp = first.nrp;
            let end = periods.iter().find_map(|p| p.end_date);
            let paid: BTreeSet<i32> = contributions
                .iter()
                .filter(|m| m.source == nrp.source_key())
                .map(|m| m.period)
                .collect();
            let mut owed = Vec::new();
            let mut b = Bimester::containing(start);
            let last = end.unwrap_or(today);
            while b.first_day() <= last && due_date(b) < today {
                if !paid.contains(&b.key()) && !credit_paid.contains(&b) {
                    owed.push(b);
                }
                b = b.next();
            }
            employments.push(Employment {
                employer: self.store.employer(&nrp).await?,
                nrp,
                start,
                end,
                wages: periods
                    .iter()
                    .map(|p| (p.wage_from, p.daily_wage))
                    .collect(),
                bimesters_paid: u32::try_from(paid.len()).unwrap_or(u32::MAX),
                bimesters_owed: owed,
                current: end.is_none_or(|e| e >= today),
            });
        }
        let gaps = gaps(&employments);
        employments.reverse();
        Ok(History { employments, gaps })
    }

    /// The integrated daily wage of the member's current job, for the calculator.
    pub async fn current_wage(
        &self,
        member: MemberId,
        today: Date,
    ) -> Result<Option<Money>, StoreError> {
        let periods = self.store.relations(member).await?;
        Ok(periods
            .iter()
            .filter(|p| p.start_date <= today && p.end_date.is_none_or(|e| e >= today))
            .max_by_key(|p| p.wage_from)
            .map(|p| p.daily_wage))
    }

    /// "Calculadora del ahorro": yields from the table by year (a year without a published
    /// yield uses that year's inflation; a year beyond the table, the last published yield),
    /// the wage cap from the UMA in force (the last one known for future years).
    pub fn project(&self, input: &ProjectionInput) -> Result<Projection, ProjectionError> {
        let tables = &self.tables;
        let last_published = tables
            .yields
            .last_year()
            .and_then(|y| tables.yields.get(y).map(|r| r.rate))
            .unwrap_or(Decimal::ZERO);
        savings::project(
            input,
            |year| match tables.yield_for(year) {
                Ok((rate, _)) => (rate.rate, rate.estimate),
                Err(_) => (last_published, true),
            },
            |day| savings::daily_wage_cap(tables, day),
        )
    }

    /// The last yield published in the table: the assumption for future years.
    pub fn assumed_future_yield(&self) -> Option<(i32, Decimal)> {
        let year = self.tables.yields.last_year()?;
        Some((year, self.tables.yields.get(year)?.rate))
    }
}

/// The stretches between relations with no job at all.
fn gaps(employments: &[Employment]) -> Vec<Gap> {
    let mut spans: Vec<(Date, Option<Date>)> =
        employments.iter().map(|e| (e.start, e.end)).collect();
    spans.sort_by_key(|s| s.0);
    let mut gaps = Vec::new();
    let mut covered_until: Option<Date> = None;
    for (start, end) in spans {
        if let Some(next) = covered_until.and_then(Date::next_day)
            && start > next
            && let Some(before) = start.previous_day()
        {
            gaps.push(Gap {
                from: next,
                to: before,
            });
        }
        covered_until = match (covered_until, end) {
            (_, None) => Some(Date::MAX),
            (Some(until), Some(end)) => Some(until.max(end)),
            (None, Some(end)) => Some(end),
        };
    }
    gaps
}

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Document(#[from] documents::DocumentError),
    #[error("member_not_found")]
    NoMember,
}

impl StatementError {
    pub fn code(&self) -> &'static str {
        match self {
            StatementError::Store(_) => "service_unavailable",
            StatementError::Document(e) => e.code(),
            StatementError::NoMember => "member_not_found",
        }
    }
}

impl Savings {
    /// The savings statement of `from..=to` as a PDF with its verification code, recorded as
    /// issued (and audited) in the same transaction. Rendering runs on the blocking pool.
    pub async fn statement(
        &self,
        renderer: Arc<documents::Renderer>,
        member: MemberId,
        from: Date,
        to: Date,
        now: time::OffsetDateTime,
        caller: &crate::accounts::Caller,
    ) -> Result<documents::Rendered, StatementError> {
        let person = self
            .lagging
            .member(member)
            .await?
            .ok_or(StatementError::NoMember)?;
        let all = self
            .lagging
            .movements(member, &MovementFilter::default())
            .await?;
        let mut opening: BTreeMap<domain::registry::Bucket, Money> = BTreeMap::new();
        for m in all.iter().filter(|m| m.booked_on < from) {
            *opening.entry(m.bucket).or_default() += m.amount;
        }
        let opening: Vec<domain::registry::BucketBalance> = opening
            .into_iter()
            .map(|(bucket, balance)| domain::registry::BucketBalance { bucket, balance })
            .collect();
        let period: Vec<domain::registry::Movement> = all
            .into_iter()
            .filter(|m| m.booked_on >= from && m.booked_on <= to)
            .collect();
        let data = Arc::new(documents::StatementData::new(
            person, from, to, &opening, &period,
        )?);
        crate::issue::issue(self.store.as_ref(), renderer, member, data, now, caller)
            .await
            .map_err(|e| match e {
                crate::issue::IssueError::Store(e) => StatementError::Store(e),
                crate::issue::IssueError::Document(e) => StatementError::Document(e),
            })
    }
}
