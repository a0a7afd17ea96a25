//! Reports kept between refreshes. A report reads only summary tables, which change when the
//! `stats` job runs and, for consultations, when the counted uses are written every few
//! seconds. A kept report is used while the summaries cover the same days and it is younger
//! than `max_age`; the `stats` job of this instance empties the cache when it has run, and
//! another instance's run is seen by its new last day or within `max_age`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::reference::ReferenceTables;
use store::{Store, StoreError};
use time::Date;

use super::{Report, build_report};

/// How many reports (dates and windows) are kept; the oldest goes first.
const KEPT: usize = 64;

struct Kept {
    built: Instant,
    refreshed_until: Option<Date>,
    report: Arc<Report>,
}

pub struct ReportCache {
    max_age: Duration,
    kept: Mutex<HashMap<(Date, u32), Kept>>,
}

impl ReportCache {
    /// The age after which a kept report is built again, whatever the summaries say.
    pub const MAX_AGE: Duration = Duration::from_secs(60);

    pub fn new(max_age: Duration) -> ReportCache {
        ReportCache {
            max_age,
            kept: Mutex::new(HashMap::new()),
        }
    }

    /// The report as of `as_of` over `window_days`, and the last day the summaries cover:
    /// the kept one when it is still good, else built and kept.
    pub async fn report(
        &self,
        store: &dyn Store,
        tables: &ReferenceTables,
        as_of: Date,
        window_days: u32,
    ) -> Result<(Arc<Report>, Option<Date>), StoreError> {
        let until = store.stats_refreshed_until().await?;
        let key = (as_of, window_days);
        if let Some(kept) = self.lock().get(&key)
            && kept.refreshed_until == until
            && kept.built.elapsed() < self.max_age
        {
            return Ok((kept.report.clone(), until));
        }
        let report = Arc::new(build_report(store, tables, as_of, window_days).await?);
        let mut kept = self.lock();
        if kept.len() >= KEPT && !kept.contains_key(&key) {
            let oldest = kept
                .iter()
                .min_by_key(|(_, k)| k.built)
                .map(|(key, _)| *key);
            if let Some(oldest) = oldest {
                kept.remove(&oldest);
            }
        }
        kept.insert(
            key,
            Kept {
                built: Instant::now(),
                refreshed_until: until,
                report: report.clone(),
            },
        );
        Ok((report, until))
    }

    /// Forgets the kept report as of `as_of` over `window_days`: the next read builds it.
    pub fn forget(&self, as_of: Date, window_days: u32) {
        self.lock().remove(&(as_of, window_days));
    }

    /// Forgets every kept report: the summaries have just been rewritten.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Date, u32), Kept>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for ReportCache {
    fn default() -> ReportCache {
        ReportCache::new(ReportCache::MAX_AGE)
    }
}
