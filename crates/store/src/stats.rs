//! Usage statistics: summary tables that a job keeps current from the raw rows (accounts,
//! sessions, requests), so no report or dashboard ever scans raw rows, and the counters of
//! consultations that leave no row of their own (a balance looked at, a pre-qualification).
//!
//! Days are Mexico City dates (UTC−6, as `domain::dates::mexico_city_date`). Every figure is
//! kept per day, by the member's state (INEGI number, 0 when unknown) and by channel, in
//! `stats_daily`; distinct users are counted per day and per month at refresh time, since they
//! cannot be added up from smaller cells.

use async_trait::async_trait;
use domain::audit::Channel;
use domain::registry::MemberId;
use time::{Date, Duration, OffsetDateTime};

use crate::StoreError;

/// Metric names in `stats_daily`. Request metrics append `:` and the request kind's code.
pub mod metric {
    /// Accounts created (sign-ups), by the day they were created.
    pub const SIGNUPS: &str = "signups";
    /// Accounts activated, by the day of activation: what "registered accounts" counts.
    pub const ACTIVATIONS: &str = "activations";
    /// Sessions started.
    pub const SESSIONS: &str = "sessions";
    /// Seconds between the start and the last use of the sessions started that day.
    pub const SESSION_SECONDS: &str = "session_seconds";
    /// Distinct accounts with a session that day, per state and channel.
    pub const USERS: &str = "users";
    /// Distinct accounts with a session that day, whatever the state or channel (state -1,
    /// channel "all").
    pub const USERS_ALL: &str = "users_all";
    /// Requests submitted, `started:<kind>`.
    pub const STARTED: &str = "started";
    /// Requests done, `completed:<kind>`, by the day they were done.
    pub const COMPLETED: &str = "completed";
    /// Requests done on or before their promised date, `on_time:<kind>`.
    pub const ON_TIME: &str = "on_time";
    /// Calendar days from submission to the promised date, summed, `promised_days:<kind>`.
    pub const PROMISED_DAYS: &str = "promised_days";
    /// Calendar days from submission to completion, summed, `actual_days:<kind>`.
    pub const ACTUAL_DAYS: &str = "actual_days";
}

/// The state of cells that count the whole country (`users_all`, monthly actives); members
/// whose state is unknown count under 0.
pub const ALL_STATES: i16 = -1;

/// The longest session bucket: 12 hours, the absolute limit of a session.
pub const MAX_SESSION_BUCKET: i64 = 12 * 3600 / SESSION_BUCKET_SECONDS;

/// The instant a Mexico City day starts.
pub fn day_start(day: Date) -> OffsetDateTime {
    day.midnight().assume_offset(domain::dates::MEXICO_CITY)
}

/// The first day of `day`'s month.
pub fn month_start(day: Date) -> Date {
    day.replace_day(1).unwrap_or(day)
}

/// The first day of the month after `day`'s.
pub fn next_month(day: Date) -> Date {
    let first = month_start(day);
    month_start(first + Duration::days(32))
}

/// The width of a session-length histogram bucket, in seconds.
pub const SESSION_BUCKET_SECONDS: i64 = 10;

/// A sum of `stats_daily` cells over a range of days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatSum {
    pub metric: String,
    pub state: i16,
    pub channel: String,
    pub value: i64,
}

/// What a refresh rewrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatsRefresh {
    pub days: i64,
    /// Daily cells written.
    pub cells: u64,
    /// Monthly cells written.
    pub months: u64,
}

/// An account to load with generated usage: a member's, created and activated when given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadAccount {
    pub member_id: MemberId,
    pub email: String,
    pub mobile: String,
    pub password_hash: String,
    pub created_at: OffsetDateTime,
    pub activated_at: Option<OffsetDateTime>,
}

/// A session to load with generated usage: of the member's account, ended at its last use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadSession {
    pub member_id: MemberId,
    pub id_hash: [u8; 32],
    pub channel: Channel,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// Consultations to add to a day's count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadUse {
    pub day: Date,
    pub procedure: String,
    pub channel: Channel,
    pub uses: i64,
}

#[async_trait]
pub trait StatsRepo {
    /// Loads generated usage (`vivienda generate`) in one transaction: accounts of members
    /// already in the registry, then sessions of those accounts, then consultation counts.
    /// Errors: `Conflict("account_exists" | "duplicate_key")`, `Conflict("unknown_member")`
    /// for a session of a member without an account.
    async fn load_usage(
        &self,
        accounts: &[LoadAccount],
        sessions: &[LoadSession],
        uses: &[LoadUse],
    ) -> Result<(), StoreError>;
    /// Rewrites the summaries of the days `from..=to` from the raw rows, and the monthly
    /// actives of every month those days touch, in one transaction. Running it twice writes
    /// the same cells.
    async fn refresh_stats(&self, from: Date, to: Date) -> Result<StatsRefresh, StoreError>;
    /// The first day with an account or a session, where a first refresh starts.
    async fn first_activity_day(&self) -> Result<Option<Date>, StoreError>;
    /// The last day a refresh covered.
    async fn stats_refreshed_until(&self) -> Result<Option<Date>, StoreError>;
    /// The cells of `from..=to` (from the beginning when `None`) summed per metric, state
    /// and channel.
    async fn stats_sums(&self, from: Option<Date>, to: Date) -> Result<Vec<StatSum>, StoreError>;
    /// One metric per day of `from..=to`, summed over states and channels; days without a
    /// cell are left out.
    async fn stats_by_day(
        &self,
        metric: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, i64)>, StoreError>;
    /// Sessions started in `from..=to` by length bucket (`bucket * SESSION_BUCKET_SECONDS`
    /// seconds and up), ascending.
    async fn session_lengths(&self, from: Date, to: Date) -> Result<Vec<(i64, i64)>, StoreError>;
    /// Distinct accounts with a session in each month whose first day is in `from..=to`
    /// (state `ALL_STATES` is the whole country), ascending by month.
    async fn monthly_actives(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, i16, i64)>, StoreError>;
    /// Consultations in `from..=to` per procedure, summed over channels.
    async fn procedure_uses(&self, from: Date, to: Date) -> Result<Vec<(String, i64)>, StoreError>;
}
