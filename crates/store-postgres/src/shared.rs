//! Connections shared by many requests at once, for the short reads of one member that
//! signed-in pages make (the session, the member, the balances, the movements, the credits). tokio-postgres pipelines the statements that concurrent
//! callers send on one connection: the server reads several at a time and the two sides wake
//! each other far less often than with a connection per request. Only short reads go here: a
//! slow statement would hold up everything queued behind it on its connection.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use deadpool_postgres::{Object, Pool};
use store::StoreError;
use tokio_postgres::Row;

pub(crate) struct SharedClients {
    slots: Vec<Mutex<Option<Arc<Object>>>>,
    next: AtomicUsize,
}

impl SharedClients {
    /// `wanted` shared connections, never more than half of a pool of `pool_size`: a pool of
    /// one shares none, and the shared reads then check a connection out like any other read.
    pub(crate) fn new(wanted: usize, pool_size: usize) -> SharedClients {
        let n = wanted.min(pool_size / 2);
        SharedClients {
            slots: (0..n).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// A shared connection, taken from `pool` the first time and again when the one held has
    /// closed (the server restarted or the network cut it); `None` when nothing is shared.
    async fn client(&self, pool: &Pool) -> Result<Option<Arc<Object>>, StoreError> {
        if self.slots.is_empty() {
            return Ok(None);
        }
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()];
        let held = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(client) = held
            && !client.is_closed()
        {
            return Ok(Some(client));
        }
        let fresh = Arc::new(pool.get().await.map_err(crate::error::pool)?);
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            // Another caller replaced it meanwhile: use theirs, give this one back.
            Some(theirs) if !theirs.is_closed() => Ok(Some(theirs.clone())),
            _ => {
                *slot = Some(fresh.clone());
                Ok(Some(fresh))
            }
        }
    }
}

impl crate::PgStore {
    /// Like `fetch`, on a shared connection: for short reads made by every request.
    pub(crate) async fn fetch_shared(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        if let Some(rows) = self.on_replica(sql, params).await {
            return Ok(rows);
        }
        self.fetch_shared_on_primary(sql, params).await
    }

    /// `fetch_shared` that never goes to the replica.
    pub(crate) async fn fetch_shared_on_primary(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let Some(client) = self.shared.client(&self.pool).await? else {
            return self.fetch_on_primary(sql, params).await;
        };
        let stmt = client.prepare_cached(sql).await.map_err(crate::error::db)?;
        client.query(&stmt, params).await.map_err(crate::error::db)
    }
}
