//! Usage statistics: the `stats` job that keeps the summary tables current, the consultations
//! counted as they happen, and the report "as of" a date that the CLI, the back-office
//! dashboard and the public page show. The report reads only summary tables (`store::stats`).

mod cache;
mod format;
mod generate;
mod report;

use std::sync::Arc;

use domain::audit::Channel;
use domain::reference::ReferenceTables;
use store::{LoadUse, StatsRefresh, Store, StoreError};
use time::{Date, Duration};

pub use cache::ReportCache;
pub use format::{ReportFormat, duration, grouped, procedure_label, render};
pub use generate::{GenerateError, Generated, generate};
pub use report::{
    Accounts, Activity, MonthCount, ProcedureUse, QuarterShare, Report, ServiceLevel, StateUsers,
    build_report,
};
pub use synth::usage::UsageConfig;

/// The public page shows no cell counting fewer than this many people or events.
pub const PRIVACY_THRESHOLD: i64 = 10;

/// Days back from the date of a report over which daily users, sessions and procedures are
/// averaged or counted.
pub const DEFAULT_WINDOW_DAYS: u32 = 30;

/// How many days before the last refreshed one the job rewrites again: sessions go on being
/// used, and requests completed, after the day they started.
const REFRESH_OVERLAP_DAYS: i64 = 2;

/// Consultations that leave no row of their own, counted as they happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Procedure {
    /// Responsabilidad Compartida: a VSM credit moved to fixed pesos (the offer looked at).
    ResponsabilidadCompartida,
    /// Precalificación y puntos.
    Prequalification,
    /// Saldos y movimientos of a credit.
    BalancesMovements,
    /// Avisos de retención, suspensión y modificación de descuentos.
    DiscountNotices,
    /// Mi ahorro: the subaccount balance.
    SavingsBalance,
    /// Constancia de intereses.
    InterestCertificate,
}

impl Procedure {
    pub const ALL: [Procedure; 6] = [
        Procedure::ResponsabilidadCompartida,
        Procedure::Prequalification,
        Procedure::BalancesMovements,
        Procedure::DiscountNotices,
        Procedure::SavingsBalance,
        Procedure::InterestCertificate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Procedure::ResponsabilidadCompartida => "responsabilidad_compartida",
            Procedure::Prequalification => "prequalification",
            Procedure::BalancesMovements => "balances_movements",
            Procedure::DiscountNotices => "discount_notices",
            Procedure::SavingsBalance => "savings_balance",
            Procedure::InterestCertificate => "interest_certificate",
        }
    }
}

/// Consultations counted in memory and written to the store in one statement every few
/// seconds, so a page view costs no database write. A flush that fails puts its counts back for
/// the next one; what a crash loses is at most the last few seconds of counts.
#[derive(Default)]
pub struct UseTally {
    counts: std::sync::Mutex<std::collections::HashMap<(Date, Procedure, Channel), i64>>,
}

impl UseTally {
    /// Counts one use of `procedure` through `channel` on `day` (Mexico City).
    pub fn count(&self, procedure: Procedure, channel: Channel, day: Date) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry((day, procedure, channel)).or_default() += 1;
    }

    /// Writes the counts so far to `store` (added to what it holds) and forgets them; on
    /// failure keeps them for the next flush. Returns how many uses were written.
    pub async fn flush(&self, store: &dyn Store) -> Result<i64, StoreError> {
        let taken = std::mem::take(&mut *self.counts.lock().unwrap_or_else(|e| e.into_inner()));
        if taken.is_empty() {
            return Ok(0);
        }
        let uses: Vec<LoadUse> = taken
            .iter()
            .map(|(&(day, procedure, channel), &uses)| LoadUse {
                day,
                procedure: procedure.code().to_owned(),
                channel,
                uses,
            })
            .collect();
        match store.load_usage(&[], &[], &uses).await {
            Ok(()) => Ok(uses.iter().map(|u| u.uses).sum()),
            Err(e) => {
                let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
                for (key, n) in taken {
                    *counts.entry(key).or_default() += n;
                }
                Err(e)
            }
        }
    }
}

/// Statistics over a store.
#[derive(Clone)]
pub struct Statistics {
    store: Arc<dyn Store>,
    tables: Arc<ReferenceTables>,
}

impl Statistics {
    pub fn new(store: Arc<dyn Store>, tables: Arc<ReferenceTables>) -> Statistics {
        Statistics { store, tables }
    }

    /// Brings the summaries up to `today`: from a little before the last refreshed day (or
    /// from the first activity, the first time) through `today`. `None` when there is no
    /// activity at all.
    pub async fn refresh(&self, today: Date) -> Result<Option<StatsRefresh>, StoreError> {
        let from = match self.store.stats_refreshed_until().await? {
            Some(until) => until - Duration::days(REFRESH_OVERLAP_DAYS),
            None => match self.store.first_activity_day().await? {
                Some(first) => first,
                None => return Ok(None),
            },
        };
        let from = from.min(today);
        Ok(Some(self.store.refresh_stats(from, today).await?))
    }

    /// Rewrites the summaries of `from..=to`, whatever was refreshed before.
    pub async fn refresh_range(&self, from: Date, to: Date) -> Result<StatsRefresh, StoreError> {
        self.store.refresh_stats(from, to).await
    }

    /// The report as of the end of `as_of` (Mexico City), over a window of `window_days`.
    pub async fn report(&self, as_of: Date, window_days: u32) -> Result<Report, StoreError> {
        build_report(self.store.as_ref(), &self.tables, as_of, window_days).await
    }
}
