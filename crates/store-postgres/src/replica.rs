//! The streaming replica. Reads that may lag a little (statements, statistics) go there
//! through [`crate::PgStore::lagging_reads`], but only when the replica has replayed everything
//! the primary had committed when the read began: whatever a member saw written before they
//! asked is in what they read. Behind, away or failing, the replica is passed over and the
//! primary answers; after a failure it rests a few seconds, so an absent replica costs one
//! failed attempt, not one per read.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use store::StoreError;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::error::db;

/// How long the replica is passed over after a read on it failed.
const REST: Duration = Duration::from_secs(5);

/// Whether the replica has replayed the primary's WAL up to `$1`. NULL — the server is not a
/// replica at all — counts as behind.
const CAUGHT_UP: &str = "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, false)";

pub(crate) struct Replica {
    pool: Pool,
    resting_until: Mutex<Option<Instant>>,
    /// Reads the replica answered.
    answered: AtomicU64,
    /// Reads passed to the primary because the replica had not caught up.
    behind: AtomicU64,
    /// Reads that failed on it (and went to the primary).
    failed: AtomicU64,
}

impl Replica {
    pub(crate) fn new((pool, server): (Pool, String)) -> Replica {
        tracing::info!(%server, "PostgreSQL replica for statements and statistics");
        Replica {
            pool,
            resting_until: Mutex::new(None),
            answered: AtomicU64::new(0),
            behind: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    fn resting(&self) -> bool {
        let until = *self.resting_until.lock().unwrap_or_else(|e| e.into_inner());
        until.is_some_and(|t| Instant::now() < t)
    }

    /// What it did with the reads offered to it, for the metrics.
    pub(crate) fn counts(&self) -> store::ReplicaReads {
        store::ReplicaReads {
            answered: self.answered.load(Ordering::Relaxed),
            behind: self.behind.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    fn rest(&self, error: &StoreError) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(%error, "the PostgreSQL replica failed a read: the primary answers for {} s", REST.as_secs());
        *self.resting_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + REST);
    }
}

impl crate::PgStore {
    /// The rows of `sql` from the replica, when this handle reads there and the replica has
    /// caught up with the primary; `None` when the primary must answer.
    pub(crate) async fn on_replica(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Option<Vec<Row>> {
        if !self.reads_on_replica || !plain_select(sql) {
            return None;
        }
        let replica = self.replica.as_ref()?;
        if replica.resting() {
            return None;
        }
        match self.read_on_replica(replica, sql, params).await {
            Ok(Some(rows)) => {
                replica.answered.fetch_add(1, Ordering::Relaxed);
                Some(rows)
            }
            Ok(None) => {
                replica.behind.fetch_add(1, Ordering::Relaxed);
                None
            }
            Err(e) => {
                replica.rest(&e);
                None
            }
        }
    }

    async fn read_on_replica(
        &self,
        replica: &Replica,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Vec<Row>>, StoreError> {
        // Everything committed on the primary by now, the member's own last write included.
        let lsn: String = crate::columns::get(
            self.fetch_shared_on_primary("SELECT pg_current_wal_insert_lsn()::text", &[])
                .await?
                .first()
                .ok_or(StoreError::Unavailable("no WAL position".into()))?,
            0,
            "pg_current_wal_insert_lsn",
        )?;
        let client = replica.pool.get().await.map_err(crate::error::pool)?;
        // The check first, then the read: the read's snapshot comes after the replay the
        // check saw. (A replica that is behind may not have the read's tables yet: it is not
        // asked, so that is no failure of the replica.)
        let check = client.prepare_cached(CAUGHT_UP).await.map_err(db)?;
        let caught_up: bool = client
            .query_one(&check, &[&lsn])
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        if !caught_up {
            return Ok(None);
        }
        let read = client.prepare_cached(sql).await.map_err(db)?;
        client.query(&read, params).await.map(Some).map_err(db)
    }
}

/// Whether `sql` only reads: a `SELECT` that locks nothing. Statements that write through a
/// read helper (a `WITH … UPDATE … RETURNING` claim, say) or lock rows stay on the primary.
fn plain_select(sql: &str) -> bool {
    let upper = sql.trim_start().to_ascii_uppercase();
    upper.starts_with("SELECT") && !upper.contains(" FOR UPDATE") && !upper.contains(" FOR SHARE")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_selects_go_to_the_replica() {
        assert!(super::plain_select("  select 1"));
        assert!(super::plain_select("SELECT a FROM t WHERE b = $1"));
        assert!(!super::plain_select(
            "WITH c AS (SELECT 1) UPDATE t SET a = 1 RETURNING a"
        ));
        assert!(!super::plain_select(
            "SELECT a FROM t FOR UPDATE SKIP LOCKED"
        ));
        assert!(!super::plain_select("INSERT INTO t VALUES (1) RETURNING a"));
    }
}
