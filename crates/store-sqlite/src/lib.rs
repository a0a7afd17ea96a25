//! The embedded default store: one SQLite file in WAL mode.
//!
//! Short point reads run directly on the calling async worker through a connection kept per
//! thread (a SQLite look-up costs microseconds; a hop to another thread costs more). Writes go
//! through one writer connection on the blocking pool. An import batch owns a connection and a
//! transaction of its own.

mod accounts;
mod applications;
mod appointments;
mod audit;
pub mod backup;
mod codes;
mod conversions;
mod corrections;
mod documents;
mod idempotency;
mod identity;
mod import;
mod jobs;
mod migrate;
mod operators;
mod outbox;
mod refunds;
mod registry;
mod relief;
mod requests;
mod rows;
mod sessions;
mod stamp;
mod stats;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use store::StoreError;

/// Distinguishes stores in one process (tests open many), so per-thread connections never mix.
static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static READERS: RefCell<HashMap<u64, Connection>> = RefCell::new(HashMap::new());
}

#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    id: u64,
    path: PathBuf,
    writer: Mutex<Connection>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // This thread's reader for a closed store would otherwise linger until the thread ends.
        let _ = READERS.try_with(|r| r.borrow_mut().remove(&self.id));
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let mut writer = open_connection(path, false)?;
        migrate::run(&mut writer)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                path: path.to_owned(),
                writer: Mutex::new(writer),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs a short read on this thread's read connection, in one read transaction: what `f`
    /// reads is one snapshot, and the file locks are taken once for all its statements rather
    /// than for each (taking them is most of what a point look-up costs).
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        READERS.with(|readers| {
            let mut readers = readers.borrow_mut();
            let conn = match readers.entry(self.inner.id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(open_connection(&self.inner.path, true)?)
                }
            };
            let tx = conn.unchecked_transaction().map_err(db)?;
            let read = f(&tx)?;
            tx.commit().map_err(db)?;
            Ok(read)
        })
    }

    /// Runs a write on the writer connection, off the async workers.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .writer
                .lock()
                .map_err(|_| StoreError::Database("writer lock poisoned".into()))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Database(format!("writer task failed: {e}")))?
    }
}

pub(crate) fn open_connection(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(db)?;
    let pragmas = if read_only {
        "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16000;"
    } else {
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;
         PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -64000; PRAGMA temp_store = MEMORY;"
    };
    conn.execute_batch(pragmas)
        .map_err(|e| StoreError::Unavailable(format!("cannot use {}: {e}", path.display())))?;
    Ok(conn)
}

/// Maps an engine error, telling contention and missing files apart from bugs.
pub(crate) fn db(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(format!("database busy: {e}"))
        }
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::DiskFull) => {
            StoreError::Unavailable(e.to_string())
        }
        Some(ErrorCode::ConstraintViolation) => StoreError::Conflict("duplicate_key"),
        _ => StoreError::Database(e.to_string()),
    }
}

#[async_trait::async_trait]
impl store::Health for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db))
    }

    fn engine(&self) -> &'static str {
        "sqlite"
    }
}
