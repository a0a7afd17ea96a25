//! Usage statistics on PostgreSQL (`store::stats`).

use async_trait::async_trait;
use store::{
    ALL_STATES, LoadAccount, LoadSession, LoadUse, MAX_SESSION_BUCKET, SESSION_BUCKET_SECONDS,
    StatSum, StatsRefresh, StatsRepo, StoreError, day_start, month_start, next_month,
};
use time::{Date, Duration, OffsetDateTime};

use crate::PgStore;
use crate::audit::exec;
use crate::columns::get;
use crate::error::db;

const T: &str = "stats_daily";

/// The Mexico City date of a stored instant.
fn day(column: &str) -> String {
    format!("(({column} AT TIME ZONE 'UTC') - interval '6 hours')::date")
}

/// Sessions started in [$1, $2).
fn sessions_in_range() -> String {
    format!(
        "SELECT {d} AS d, coalesce(m.state, 0) AS st, s.channel AS ch, s.account_id AS acc,
                greatest(0, round(extract(epoch FROM s.last_seen_at - s.created_at)))::bigint
                    AS secs
         FROM sessions s
         JOIN accounts a ON a.account_id = s.account_id
         LEFT JOIN members m ON m.member_id = a.member_id
         WHERE s.created_at >= $1 AND s.created_at < $2",
        d = day("s.created_at")
    )
}

#[async_trait]
impl StatsRepo for PgStore {
    async fn load_usage(
        &self,
        accounts: &[LoadAccount],
        sessions: &[LoadSession],
        uses: &[LoadUse],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO accounts (member_id, email, mobile, password_hash, state, created_at,
                                       activated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .await
            .map_err(db)?;
        for a in accounts {
            let state = if a.activated_at.is_some() {
                "active"
            } else {
                "pending"
            };
            tx.execute(
                &insert,
                &[
                    &a.member_id.0,
                    &a.email,
                    &a.mobile,
                    &a.password_hash,
                    &state,
                    &a.created_at,
                    &a.activated_at,
                ],
            )
            .await
            .map_err(|e| match db(e) {
                StoreError::Conflict(_) => StoreError::Conflict("account_exists"),
                other => other,
            })?;
        }
        let insert = tx
            .prepare_cached(
                "INSERT INTO sessions (id_hash, account_id, channel, created_at, last_seen_at,
                                       ended_at, end_reason, device, origin)
                 SELECT $2, account_id, $3, $4, $5, $5, 'signed_out', 'generated', 'generator'
                 FROM accounts WHERE member_id = $1",
            )
            .await
            .map_err(db)?;
        for s in sessions {
            let n = tx
                .execute(
                    &insert,
                    &[
                        &s.member_id.0,
                        &s.id_hash.as_slice(),
                        &s.channel.code(),
                        &s.created_at,
                        &s.last_seen_at,
                    ],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::Conflict("unknown_member"));
            }
        }
        let insert = tx
            .prepare_cached(
                "INSERT INTO procedure_uses (day, procedure, channel, uses) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (day, procedure, channel)
                 DO UPDATE SET uses = procedure_uses.uses + excluded.uses",
            )
            .await
            .map_err(db)?;
        for u in uses {
            tx.execute(&insert, &[&u.day, &u.procedure, &u.channel.code(), &u.uses])
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn refresh_stats(&self, from: Date, to: Date) -> Result<StatsRefresh, StoreError> {
        if to < from {
            return Ok(StatsRefresh {
                days: 0,
                cells: 0,
                months: 0,
            });
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let (start, end): (OffsetDateTime, OffsetDateTime) =
            (day_start(from), day_start(to + Duration::days(1)));
        for table in ["stats_daily", "stats_session_lengths"] {
            exec(
                &tx,
                &format!("DELETE FROM {table} WHERE day >= $1 AND day <= $2"),
                &[&from, &to],
            )
            .await?;
        }
        let mut cells = 0u64;
        for (metric, column) in [("signups", "created_at"), ("activations", "activated_at")] {
            let sql = format!(
                "INSERT INTO stats_daily (day, metric, state, channel, value)
                 SELECT {d}, '{metric}', coalesce(m.state, 0), 'web', count(*)
                 FROM accounts a LEFT JOIN members m ON m.member_id = a.member_id
                 WHERE a.{column} >= $1 AND a.{column} < $2
                 GROUP BY 1, 3",
                d = day(&format!("a.{column}"))
            );
            cells += exec(&tx, &sql, &[&start, &end]).await?;
        }
        let sessions = sessions_in_range();
        let sql = format!(
            "INSERT INTO stats_daily (day, metric, state, channel, value)
             WITH s AS ({sessions})
             SELECT d, 'sessions', st, ch, count(*) FROM s GROUP BY d, st, ch
             UNION ALL SELECT d, 'session_seconds', st, ch, sum(secs)::bigint FROM s
                       GROUP BY d, st, ch
             UNION ALL SELECT d, 'users', st, ch, count(DISTINCT acc) FROM s GROUP BY d, st, ch
             UNION ALL SELECT d, 'users_all', {ALL_STATES}, 'all', count(DISTINCT acc)
                       FROM s GROUP BY d"
        );
        cells += exec(&tx, &sql, &[&start, &end]).await?;
        let sql = format!(
            "INSERT INTO stats_session_lengths (day, channel, bucket, sessions)
             WITH s AS ({sessions})
             SELECT d, ch, least(secs / {SESSION_BUCKET_SECONDS}, {MAX_SESSION_BUCKET}), count(*)
             FROM s GROUP BY 1, 2, 3"
        );
        exec(&tx, &sql, &[&start, &end]).await?;
        let sql = format!(
            "INSERT INTO stats_daily (day, metric, state, channel, value)
             SELECT {d}, 'started:' || r.kind, coalesce(m.state, 0), r.channel, count(*)
             FROM requests r LEFT JOIN members m ON m.member_id = r.member_id
             WHERE r.submitted_at >= $1 AND r.submitted_at < $2
             GROUP BY 1, 2, 3, 4",
            d = day("r.submitted_at")
        );
        cells += exec(&tx, &sql, &[&start, &end]).await?;
        let sql = format!(
            "INSERT INTO stats_daily (day, metric, state, channel, value)
             WITH r AS (
                 SELECT {done} AS d, r.kind AS k, coalesce(m.state, 0) AS st, r.channel AS ch,
                        CASE WHEN {done} <= r.promised_on THEN 1 ELSE 0 END AS on_time,
                        r.promised_on - {sub} AS promised,
                        {done} - {sub} AS actual
                 FROM requests r LEFT JOIN members m ON m.member_id = r.member_id
                 WHERE r.stage = 'done' AND r.updated_at >= $1 AND r.updated_at < $2
                   AND r.submitted_at IS NOT NULL AND r.promised_on IS NOT NULL)
             SELECT d, 'completed:' || k, st, ch, count(*) FROM r GROUP BY d, k, st, ch
             UNION ALL SELECT d, 'on_time:' || k, st, ch, sum(on_time) FROM r
                       GROUP BY d, k, st, ch
             UNION ALL SELECT d, 'promised_days:' || k, st, ch, sum(promised) FROM r
                       GROUP BY d, k, st, ch
             UNION ALL SELECT d, 'actual_days:' || k, st, ch, sum(actual) FROM r
                       GROUP BY d, k, st, ch",
            done = day("r.updated_at"),
            sub = day("r.submitted_at"),
        );
        cells += exec(&tx, &sql, &[&start, &end]).await?;

        // Monthly actives: every month the days touch, whole.
        let (first_month, last_month) = (month_start(from), month_start(to));
        let (month_from, month_end) = (day_start(first_month), day_start(next_month(to)));
        exec(
            &tx,
            "DELETE FROM stats_monthly_actives WHERE month >= $1 AND month <= $2",
            &[&first_month, &last_month],
        )
        .await?;
        let sql = format!(
            "INSERT INTO stats_monthly_actives (month, state, users)
             WITH s AS (SELECT date_trunc('month', d)::date AS mo, st, acc
                        FROM ({sessions}) AS raw)
             SELECT mo, st, count(DISTINCT acc) FROM s GROUP BY mo, st
             UNION ALL SELECT mo, {ALL_STATES}, count(DISTINCT acc) FROM s GROUP BY mo"
        );
        let months = exec(&tx, &sql, &[&month_from, &month_end]).await?;
        exec(
            &tx,
            "INSERT INTO stats_refreshes (singleton, until_day) VALUES (1, $1)
             ON CONFLICT (singleton)
             DO UPDATE SET until_day = greatest(stats_refreshes.until_day, excluded.until_day)",
            &[&to],
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(StatsRefresh {
            days: (to - from).whole_days() + 1,
            cells,
            months,
        })
    }

    async fn first_activity_day(&self) -> Result<Option<Date>, StoreError> {
        let rows = self
            .fetch(
                "SELECT least((SELECT min(created_at) FROM accounts),
                              (SELECT min(created_at) FROM sessions))",
                &[],
            )
            .await?;
        let first: Option<OffsetDateTime> = match rows.first() {
            Some(r) => get(r, 0, T)?,
            None => None,
        };
        Ok(first.map(domain::dates::mexico_city_date))
    }

    async fn stats_refreshed_until(&self) -> Result<Option<Date>, StoreError> {
        let rows = self
            .fetch(
                "SELECT until_day FROM stats_refreshes WHERE singleton = 1",
                &[],
            )
            .await?;
        rows.first().map(|r| get(r, 0, T)).transpose()
    }

    async fn stats_sums(&self, from: Option<Date>, to: Date) -> Result<Vec<StatSum>, StoreError> {
        let from = from.unwrap_or(time::macros::date!(0001 - 01 - 01));
        self.fetch(
            "SELECT metric, state, channel, sum(value)::bigint FROM stats_daily
             WHERE day >= $1 AND day <= $2
             GROUP BY metric, state, channel ORDER BY metric, state, channel",
            &[&from, &to],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(StatSum {
                metric: get(r, 0, T)?,
                state: get(r, 1, T)?,
                channel: get(r, 2, T)?,
                value: get(r, 3, T)?,
            })
        })
        .collect()
    }

    async fn stats_by_day(
        &self,
        metric: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, i64)>, StoreError> {
        self.fetch(
            "SELECT day, sum(value)::bigint FROM stats_daily
             WHERE metric = $1 AND day >= $2 AND day <= $3 GROUP BY day ORDER BY day",
            &[&metric, &from, &to],
        )
        .await?
        .iter()
        .map(|r| Ok((get(r, 0, T)?, get(r, 1, T)?)))
        .collect()
    }

    async fn session_lengths(&self, from: Date, to: Date) -> Result<Vec<(i64, i64)>, StoreError> {
        self.fetch(
            "SELECT bucket, sum(sessions)::bigint FROM stats_session_lengths
             WHERE day >= $1 AND day <= $2 GROUP BY bucket ORDER BY bucket",
            &[&from, &to],
        )
        .await?
        .iter()
        .map(|r| Ok((get(r, 0, T)?, get(r, 1, T)?)))
        .collect()
    }

    async fn monthly_actives(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, i16, i64)>, StoreError> {
        self.fetch(
            "SELECT month, state, users FROM stats_monthly_actives
             WHERE month >= $1 AND month <= $2 ORDER BY month, state",
            &[&from, &to],
        )
        .await?
        .iter()
        .map(|r| Ok((get(r, 0, T)?, get(r, 1, T)?, get(r, 2, T)?)))
        .collect()
    }

    async fn procedure_uses(&self, from: Date, to: Date) -> Result<Vec<(String, i64)>, StoreError> {
        self.fetch(
            "SELECT procedure, sum(uses)::bigint FROM procedure_uses
             WHERE day >= $1 AND day <= $2 GROUP BY procedure ORDER BY procedure",
            &[&from, &to],
        )
        .await?
        .iter()
        .map(|r| Ok((get(r, 0, T)?, get(r, 1, T)?)))
        .collect()
    }
}
