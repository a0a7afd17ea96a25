//! Turning tokio-postgres and pool errors into the store's one error type.
//!
//! What a caller can act on is told apart: the database being away (`Unavailable`, so `/readyz`
//! fails and a job retries later), a broken uniqueness rule (`Conflict`), and everything else.

use deadpool_postgres::{PoolError, TimeoutType};
use store::StoreError;
use tokio_postgres::error::SqlState;

/// Maps an engine error.
pub(crate) fn db(e: tokio_postgres::Error) -> StoreError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        return StoreError::Conflict("duplicate_key");
    }
    if is_unavailable(&e) {
        return StoreError::Unavailable(reason(&e));
    }
    StoreError::Database(reason(&e))
}

/// Maps a failure to check a connection out of the pool.
pub(crate) fn pool(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => StoreError::Unavailable(reason(&e)),
        PoolError::PostCreateHook(e) => StoreError::Unavailable(e.to_string()),
        PoolError::Timeout(TimeoutType::Wait) => {
            StoreError::Unavailable("timed out waiting for a free PostgreSQL connection".into())
        }
        PoolError::Timeout(_) => StoreError::Unavailable("connection timed out".into()),
        PoolError::Closed => StoreError::Unavailable("the connection pool is closed".into()),
        PoolError::NoRuntimeSpecified => StoreError::Database(e.to_string()),
    }
}

/// The connection is gone, was never made, or the server refuses work for now: a retry later
/// may succeed, so the caller should not treat it as a bug.
fn is_unavailable(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        // Class 08 is "connection exception"; the others are a server shutting down, starting
        // up, or out of connection slots.
        Some(code) => {
            code.code().starts_with("08")
                || [
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CRASH_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                    SqlState::TOO_MANY_CONNECTIONS,
                ]
                .contains(code)
        }
        None => io_cause(e).is_some(),
    }
}

fn io_cause(e: &tokio_postgres::Error) -> Option<&std::io::Error> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = cause.source();
    }
    None
}

/// One line saying what went wrong, without the wrapper text tokio-postgres adds: the server's
/// message with its SQLSTATE, or the socket error ("connection refused").
pub(crate) fn reason(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} (SQLSTATE {})", db.message(), db.code().code());
    }
    if let Some(io) = io_cause(e) {
        let text = io.to_string();
        // "Connection refused (os error 111)" reads better as "connection refused".
        let text = match text.find(" (os error") {
            Some(at) => &text[..at],
            None => &text,
        };
        let mut chars = text.chars();
        return match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => io.kind().to_string(),
        };
    }
    if e.is_closed() {
        return "the connection to PostgreSQL was closed".into();
    }
    e.to_string()
}
