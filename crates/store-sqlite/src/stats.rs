//! Usage statistics on SQLite (`store::stats`).

use async_trait::async_trait;
use domain::dates::{iso, parse_iso};
use rusqlite::{Connection, TransactionBehavior, params};
use store::{
    ALL_STATES, LoadAccount, LoadSession, LoadUse, MAX_SESSION_BUCKET, SESSION_BUCKET_SECONDS,
    StatSum, StatsRefresh, StatsRepo, StoreError, day_start, month_start, next_month,
};
use time::{Date, Duration};

use crate::stamp::{collect, get, parse_ts, ts};
use crate::{SqliteStore, db};

const T: &str = "stats_daily";

/// A Mexico City date of a stored instant.
fn day(column: &str) -> String {
    format!("date({column}, '-6 hours')")
}

fn date(text: &str) -> Result<Date, StoreError> {
    parse_iso(text).map_err(|e| StoreError::corrupt(T, e))
}

fn sessions_in_range() -> String {
    format!(
        "SELECT {d} AS d, coalesce(m.state, 0) AS st, s.channel AS ch, s.account_id AS acc,
                max(0, CAST(round((julianday(s.last_seen_at) - julianday(s.created_at)) * 86400)
                           AS INTEGER)) AS secs
         FROM sessions s
         JOIN accounts a ON a.account_id = s.account_id
         LEFT JOIN members m ON m.member_id = a.member_id
         WHERE s.created_at >= ?3 AND s.created_at < ?4",
        d = day("s.created_at")
    )
}

fn refresh(c: &mut Connection, from: Date, to: Date) -> Result<StatsRefresh, StoreError> {
    let tx = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let (from_day, to_day) = (iso(from), iso(to));
    let (start, end) = (ts(day_start(from)), ts(day_start(to + Duration::days(1))));
    let range = params![from_day, to_day, start, end];
    for table in ["stats_daily", "stats_session_lengths"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE day >= ?1 AND day <= ?2"),
            params![from_day, to_day],
        )
        .map_err(db)?;
    }
    let mut cells = 0u64;
    for (metric, column) in [("signups", "created_at"), ("activations", "activated_at")] {
        let sql = format!(
            "INSERT INTO stats_daily (day, metric, state, channel, value)
             SELECT {d}, '{metric}', coalesce(m.state, 0), 'web', count(*)
             FROM accounts a LEFT JOIN members m ON m.member_id = a.member_id
             WHERE a.{column} >= ?3 AND a.{column} < ?4
             GROUP BY 1, 3",
            d = day(&format!("a.{column}"))
        );
        cells += tx.execute(&sql, range).map_err(db)? as u64;
    }
    let sessions = sessions_in_range();
    let sql = format!(
        "INSERT INTO stats_daily (day, metric, state, channel, value)
         WITH s AS ({sessions})
         SELECT d, 'sessions', st, ch, count(*) FROM s GROUP BY d, st, ch
         UNION ALL SELECT d, 'session_seconds', st, ch, sum(secs) FROM s GROUP BY d, st, ch
         UNION ALL SELECT d, 'users', st, ch, count(DISTINCT acc) FROM s GROUP BY d, st, ch
         UNION ALL SELECT d, 'users_all', {ALL_STATES}, 'all', count(DISTINCT acc)
                   FROM s GROUP BY d"
    );
    cells += tx.execute(&sql, range).map_err(db)? as u64;
    let sql = format!(
        "INSERT INTO stats_session_lengths (day, channel, bucket, sessions)
         WITH s AS ({sessions})
         SELECT d, ch, min(secs / {SESSION_BUCKET_SECONDS}, {MAX_SESSION_BUCKET}), count(*)
         FROM s GROUP BY 1, 2, 3"
    );
    tx.execute(&sql, range).map_err(db)?;
    let sql = format!(
        "INSERT INTO stats_daily (day, metric, state, channel, value)
         SELECT {d}, 'started:' || r.kind, coalesce(m.state, 0), r.channel, count(*)
         FROM requests r LEFT JOIN members m ON m.member_id = r.member_id
         WHERE r.submitted_at >= ?3 AND r.submitted_at < ?4
         GROUP BY 1, 2, 3, 4",
        d = day("r.submitted_at")
    );
    cells += tx.execute(&sql, range).map_err(db)? as u64;
    let sql = format!(
        "INSERT INTO stats_daily (day, metric, state, channel, value)
         WITH r AS (
             SELECT {done} AS d, r.kind AS k, coalesce(m.state, 0) AS st, r.channel AS ch,
                    CASE WHEN {done} <= r.promised_on THEN 1 ELSE 0 END AS on_time,
                    CAST(julianday(r.promised_on) - julianday({sub}) AS INTEGER) AS promised,
                    CAST(julianday({done}) - julianday({sub}) AS INTEGER) AS actual
             FROM requests r LEFT JOIN members m ON m.member_id = r.member_id
             WHERE r.stage = 'done' AND r.updated_at >= ?3 AND r.updated_at < ?4
               AND r.submitted_at IS NOT NULL AND r.promised_on IS NOT NULL)
         SELECT d, 'completed:' || k, st, ch, count(*) FROM r GROUP BY d, k, st, ch
         UNION ALL SELECT d, 'on_time:' || k, st, ch, sum(on_time) FROM r GROUP BY d, k, st, ch
         UNION ALL SELECT d, 'promised_days:' || k, st, ch, sum(promised) FROM r
                   GROUP BY d, k, st, ch
         UNION ALL SELECT d, 'actual_days:' || k, st, ch, sum(actual) FROM r
                   GROUP BY d, k, st, ch",
        done = day("r.updated_at"),
        sub = day("r.submitted_at"),
    );
    cells += tx.execute(&sql, range).map_err(db)? as u64;

    // Monthly actives: every month the days touch, whole.
    let (first_month, after) = (month_start(from), next_month(to));
    let months = params![
        iso(first_month),
        iso(month_start(to)),
        ts(day_start(first_month)),
        ts(day_start(after))
    ];
    tx.execute(
        "DELETE FROM stats_monthly_actives WHERE month >= ?1 AND month <= ?2",
        params![iso(first_month), iso(month_start(to))],
    )
    .map_err(db)?;
    let sql = format!(
        "INSERT INTO stats_monthly_actives (month, state, users)
         WITH s AS (SELECT substr(d, 1, 7) || '-01' AS mo, st, acc
                    FROM ({sessions}))
         SELECT mo, st, count(DISTINCT acc) FROM s GROUP BY mo, st
         UNION ALL SELECT mo, {ALL_STATES}, count(DISTINCT acc) FROM s GROUP BY mo"
    );
    let monthly = tx.execute(&sql, months).map_err(db)? as u64;
    tx.execute(
        "INSERT INTO stats_refreshes (singleton, until_day) VALUES (1, ?1)
         ON CONFLICT (singleton) DO UPDATE SET until_day = max(until_day, excluded.until_day)",
        [&to_day],
    )
    .map_err(db)?;
    tx.commit().map_err(db)?;
    Ok(StatsRefresh {
        days: (to - from).whole_days() + 1,
        cells,
        months: monthly,
    })
}

fn load(
    c: &mut Connection,
    accounts: &[LoadAccount],
    sessions: &[LoadSession],
    uses: &[LoadUse],
) -> Result<(), StoreError> {
    let tx = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO accounts (member_id, email, mobile, password_hash, state, created_at,
                                       activated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(db)?;
        for a in accounts {
            let state = if a.activated_at.is_some() {
                "active"
            } else {
                "pending"
            };
            insert
                .execute(params![
                    a.member_id.0,
                    a.email,
                    a.mobile,
                    a.password_hash,
                    state,
                    ts(a.created_at),
                    a.activated_at.map(ts)
                ])
                .map_err(|e| match db(e) {
                    StoreError::Conflict(_) => StoreError::Conflict("account_exists"),
                    other => other,
                })?;
        }
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO sessions (id_hash, account_id, channel, created_at, last_seen_at,
                                       ended_at, end_reason, device, origin)
                 SELECT ?2, account_id, ?3, ?4, ?5, ?5, 'signed_out', 'generated', 'generator'
                 FROM accounts WHERE member_id = ?1",
            )
            .map_err(db)?;
        for s in sessions {
            let last = ts(s.last_seen_at);
            let n = insert
                .execute(params![
                    s.member_id.0,
                    s.id_hash.as_slice(),
                    s.channel.code(),
                    ts(s.created_at),
                    last
                ])
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::Conflict("unknown_member"));
            }
        }
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO procedure_uses (day, procedure, channel, uses) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (day, procedure, channel) DO UPDATE SET uses = uses + excluded.uses",
            )
            .map_err(db)?;
        for u in uses {
            insert
                .execute(params![iso(u.day), u.procedure, u.channel.code(), u.uses])
                .map_err(db)?;
        }
    }
    tx.commit().map_err(db)
}

#[async_trait]
impl StatsRepo for SqliteStore {
    async fn load_usage(
        &self,
        accounts: &[LoadAccount],
        sessions: &[LoadSession],
        uses: &[LoadUse],
    ) -> Result<(), StoreError> {
        let (accounts, sessions, uses) = (accounts.to_vec(), sessions.to_vec(), uses.to_vec());
        self.write(move |c| load(c, &accounts, &sessions, &uses))
            .await
    }

    async fn refresh_stats(&self, from: Date, to: Date) -> Result<StatsRefresh, StoreError> {
        if to < from {
            return Ok(StatsRefresh {
                days: 0,
                cells: 0,
                months: 0,
            });
        }
        self.write(move |c| refresh(c, from, to)).await
    }

    async fn first_activity_day(&self) -> Result<Option<Date>, StoreError> {
        let first: Option<String> = self.read(|c| {
            Ok(collect(
                c,
                "SELECT min(at) FROM (SELECT min(created_at) AS at FROM accounts
                                      UNION ALL SELECT min(created_at) FROM sessions)",
                [],
                |r| get::<Option<String>>(r, 0, T),
            )?
            .pop()
            .flatten())
        })?;
        first
            .map(|text| parse_ts(&text, T).map(domain::dates::mexico_city_date))
            .transpose()
    }

    async fn stats_refreshed_until(&self) -> Result<Option<Date>, StoreError> {
        let until: Option<String> = self.read(|c| {
            Ok(collect(
                c,
                "SELECT until_day FROM stats_refreshes WHERE singleton = 1",
                [],
                |r| get(r, 0, T),
            )?
            .pop())
        })?;
        until.map(|d| date(&d)).transpose()
    }

    async fn stats_sums(&self, from: Option<Date>, to: Date) -> Result<Vec<StatSum>, StoreError> {
        let from = from.map_or_else(|| "0000-01-01".to_owned(), iso);
        self.read(|c| {
            collect(
                c,
                "SELECT metric, state, channel, sum(value) FROM stats_daily
                 WHERE day >= ?1 AND day <= ?2
                 GROUP BY metric, state, channel ORDER BY metric, state, channel",
                params![from, iso(to)],
                |r| {
                    Ok(StatSum {
                        metric: get(r, 0, T)?,
                        state: get(r, 1, T)?,
                        channel: get(r, 2, T)?,
                        value: get(r, 3, T)?,
                    })
                },
            )
        })
    }

    async fn stats_by_day(
        &self,
        metric: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = self.read(|c| {
            collect(
                c,
                "SELECT day, sum(value) FROM stats_daily
                 WHERE metric = ?1 AND day >= ?2 AND day <= ?3 GROUP BY day ORDER BY day",
                params![metric, iso(from), iso(to)],
                |r| Ok((get(r, 0, T)?, get(r, 1, T)?)),
            )
        })?;
        rows.into_iter().map(|(d, v)| Ok((date(&d)?, v))).collect()
    }

    async fn session_lengths(&self, from: Date, to: Date) -> Result<Vec<(i64, i64)>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT bucket, sum(sessions) FROM stats_session_lengths
                 WHERE day >= ?1 AND day <= ?2 GROUP BY bucket ORDER BY bucket",
                params![iso(from), iso(to)],
                |r| Ok((get(r, 0, T)?, get(r, 1, T)?)),
            )
        })
    }

    async fn monthly_actives(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, i16, i64)>, StoreError> {
        let rows: Vec<(String, i16, i64)> = self.read(|c| {
            collect(
                c,
                "SELECT month, state, users FROM stats_monthly_actives
                 WHERE month >= ?1 AND month <= ?2 ORDER BY month, state",
                params![iso(from), iso(to)],
                |r| Ok((get(r, 0, T)?, get(r, 1, T)?, get(r, 2, T)?)),
            )
        })?;
        rows.into_iter()
            .map(|(m, s, u)| Ok((date(&m)?, s, u)))
            .collect()
    }

    async fn procedure_uses(&self, from: Date, to: Date) -> Result<Vec<(String, i64)>, StoreError> {
        self.read(|c| {
            collect(
                c,
                "SELECT procedure, sum(uses) FROM procedure_uses
                 WHERE day >= ?1 AND day <= ?2 GROUP BY procedure ORDER BY procedure",
                params![iso(from), iso(to)],
                |r| Ok((get(r, 0, T)?, get(r, 1, T)?)),
            )
        })
    }
}
