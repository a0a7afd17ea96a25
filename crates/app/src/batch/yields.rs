//! `vivienda batch yield --year Y`: the year's yield on every balance that earns one (SCV 92,
//! SCV 97, Solo Infonavit; the Fondo de Ahorro 72-92 earns none), at the rate of the reference
//! table, booked on 31 December, rounded half away from zero to the centavo, once per member,
//! bucket and year.

use domain::money::Money;
use domain::reference::{ReferenceError, ReferenceTables, YieldSource};
use domain::registry::{Movement, MovementKind};
use domain::savings;
use rust_decimal::Decimal;
use serde::Serialize;
use store::{ImportKind, ImportTotals, Store, StoreError};
use time::{Date, Month};

/// Balances read and posted at a time.
const PAGE: u32 = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum YieldError {
    #[error("{0}")]
    Rate(#[from] ReferenceError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the year must be between 1992 and {0}")]
    Year(i32),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct YieldReport {
    pub year: i32,
    pub rate: Decimal,
    /// Where the rate came from: the yield table, or the year's inflation when none was
    /// published.
    pub rate_source: &'static str,
    pub balances_read: u64,
    /// Movements written by this run, and their sum: the fund-wide yield of the year.
    pub postings: u64,
    pub total: Money,
    /// Balances that already had this year's yield.
    pub already_posted: u64,
    /// Set when this year's batch had run before: nothing was written.
    pub previous_batch: Option<i64>,
}

/// Posts `year`'s yield; `progress` gets the balances read so far.
pub async fn post_yield(
    store: &dyn Store,
    tables: &ReferenceTables,
    year: i32,
    today: Date,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<YieldReport, YieldError> {
    if year < 1992 || year > today.year() {
        return Err(YieldError::Year(today.year()));
    }
    let (rate, source) = tables.yield_for(year)?;
    let mut report = YieldReport {
        year,
        rate: rate.rate,
        rate_source: match source {
            YieldSource::Table => "table",
            YieldSource::Inflation => "inflation",
        },
        ..YieldReport::default()
    };
    let mut batch = match super::begin_yearly(store, ImportKind::YieldPosting, year).await? {
        Ok(batch) => batch,
        Err(previous) => {
            report.previous_batch = Some(previous);
            return Ok(report);
        }
    };
    let booked_on = Date::from_calendar_date(year, Month::December, 31)
        .map_err(|_| YieldError::Year(today.year()))?;
    let mut after = None;
    loop {
        let bases = store.yield_bases(year, after, PAGE).await?;
        let Some(last) = bases.last() else {
            break;
        };
        after = Some((last.member_id, last.bucket));
        report.balances_read += bases.len() as u64;
        let mut postings = Vec::with_capacity(bases.len());
        for base in &bases {
            if base.already_posted {
                report.already_posted += 1;
                continue;
            }
            let amount = savings::yearly_yield(base.balance, rate.rate);
            if amount.centavos() > 0 {
                postings.push(Movement {
                    member_id: base.member_id,
                    bucket: base.bucket,
                    kind: MovementKind::Yield,
                    period: year,
                    source: 0,
                    amount,
                    booked_on,
                });
            }
        }
        let written = batch.insert_movements(&postings).await?;
        if written != postings.len() as u64 {
            // Another writer posted some of them meanwhile: the batch is not applied.
            return Err(StoreError::Conflict("yield_posted_concurrently").into());
        }
        report.postings += written;
        report.total += postings.iter().map(|m| m.amount).sum::<Money>();
        progress(report.balances_read);
    }
    batch
        .commit(ImportTotals {
            accepted: report.postings,
            rejected: 0,
            duplicates: report.already_posted,
            warnings: u64::from(source == YieldSource::Inflation),
        })
        .await?;
    Ok(report)
}
