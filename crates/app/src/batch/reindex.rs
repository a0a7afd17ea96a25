//! `vivienda batch reindex --year Y`: on 1 January every active VSM credit's balance grows
//! by the year's unit increase (the UMI since 2016), booked as the movement `R{Y}` on
//! 1 January, rounded half away from zero to the centavo. The balance it applies to is what
//! was owed at the close of the year before, whenever the batch runs. Exactly once per year:
//! the batch's identity makes a second run a no-op, and each credit's `R{Y}` is a natural
//! key, so a credit already re-indexed is never charged twice.

use domain::credit::vsm;
use domain::money::{Money, MoneyError};
use domain::reference::{ReferenceError, ReferenceTables};
use domain::registry::{CreditMovement, CreditMovementKind};
use rust_decimal::Decimal;
use serde::Serialize;
use store::{ImportKind, ImportTotals, Store, StoreError};
use time::{Date, Month};

/// Credits read and posted at a time.
const PAGE: u32 = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error("{0}")]
    Unit(#[from] ReferenceError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("amount out of range")]
    Money(#[from] MoneyError),
    #[error("the year must be between 1993 and {0}")]
    Year(i32),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReindexReport {
    pub year: i32,
    /// This year's monthly unit over last year's.
    pub factor: Decimal,
    pub credits_read: u64,
    /// Movements written by this run, and their sum.
    pub postings: u64,
    pub total: Money,
    /// Credits that already had this year's movement.
    pub already_posted: u64,
    /// Set when this year's batch had run before: nothing was written.
    pub previous_batch: Option<i64>,
}

pub async fn reindex_vsm_credits(
    store: &dyn Store,
    tables: &ReferenceTables,
    year: i32,
    today: Date,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ReindexReport, ReindexError> {
    if year < 1993 || year > today.year() {
        return Err(ReindexError::Year(today.year()));
    }
    let factor = vsm::reindexation_factor(tables, year)?;
    let mut report = ReindexReport {
        year,
        factor,
        ..ReindexReport::default()
    };
    let mut batch = match super::begin_yearly(store, ImportKind::Reindexation, year).await? {
        Ok(batch) => batch,
        Err(previous) => {
            report.previous_batch = Some(previous);
            return Ok(report);
        }
    };
    let booked_on =
        Date::from_calendar_date(year, Month::January, 1).map_err(|_| ReindexError::Year(year))?;
    let reference = format!("R{year}");
    let mut after = None;
    loop {
        let bases = store.reindex_bases(year, after, PAGE).await?;
        let Some(last) = bases.last() else {
            break;
        };
        after = Some((last.member_id, last.credit_number.clone()));
        report.credits_read += bases.len() as u64;
        let mut postings = Vec::with_capacity(bases.len());
        for base in bases {
            if base.already_posted {
                report.already_posted += 1;
                continue;
            }
            let amount = vsm::reindexation(base.balance, factor)?;
            if !amount.is_zero() {
                postings.push(CreditMovement {
                    member_id: base.member_id,
                    credit_number: base.credit_number,
                    reference: reference.clone(),
                    kind: CreditMovementKind::Reindexation,
                    booked_on,
                    amount,
                });
            }
        }
        let written = batch.insert_credit_movements(&postings).await?;
        if written != postings.len() as u64 {
            return Err(StoreError::Conflict("reindexation_posted_concurrently").into());
        }
        report.postings += written;
        report.total += postings.iter().map(|m| m.amount).sum::<Money>();
        progress(report.credits_read);
    }
    batch
        .commit(ImportTotals {
            accepted: report.postings,
            rejected: 0,
            duplicates: report.already_posted,
            warnings: 0,
        })
        .await?;
    Ok(report)
}
