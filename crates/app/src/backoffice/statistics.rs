//! The usage statistics' dashboard for operators: aggregates only, for the roles that may see
//! them (`Permission::ReadStatistics`).

use std::sync::Arc;

use domain::operators::Permission;
use domain::reference::ReferenceTables;
use time::Date;

use super::{BackOffice, BackOfficeError, OperatorContext};
use crate::accounts::Caller;
use crate::stats::{Report, ReportCache};

impl BackOffice {
    /// The report as of `as_of` over `window_days` (kept in `reports` between refreshes), and
    /// the last day the summaries cover, read through `lagging` (the store, or a replica).
    pub async fn statistics(
        &self,
        operator: &OperatorContext,
        reports: &ReportCache,
        tables: &ReferenceTables,
        as_of: Date,
        window_days: u32,
        caller: &Caller,
    ) -> Result<(Arc<Report>, Option<Date>), BackOfficeError> {
        self.require(
            operator,
            Permission::ReadStatistics,
            "read_statistics",
            caller,
        )
        .await?;
        Ok(reports
            .report(self.lagging.as_ref(), tables, as_of, window_days)
            .await?)
    }
}
