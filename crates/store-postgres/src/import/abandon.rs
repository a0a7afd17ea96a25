//! The end of a batch that never commits.
//!
//! Its connection is inside an open transaction and must not go back to the pool like that: the
//! next borrower would run inside it, see the batch's rows and keep its locks. So the
//! connection is rolled back first, on a task of its own because `Drop` cannot wait, and only
//! returned to the pool once the server has confirmed. If the rollback fails, or that task never
//! runs (no runtime, or the runtime is shutting down), the connection is detached from the pool
//! with `Object::take` and closed; the server then rolls the transaction back by itself when the
//! socket closes. Either way no other caller ever sees the half-done batch.

use deadpool_postgres::Object;

/// From `Drop`: rolls back in the background.
pub(super) fn roll_back(conn: Object) {
    let abandoned = Abandoned(Some(conn));
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        drop(runtime.spawn(abandoned.roll_back()));
    }
    // Without a runtime `abandoned` is dropped here, which closes the connection.
}

/// From async code: rolls back before returning.
pub(super) async fn roll_back_now(conn: Object) {
    Abandoned(Some(conn)).roll_back().await;
}

/// A connection in a transaction nobody will commit. Dropping it closes the connection.
struct Abandoned(Option<Object>);

impl Abandoned {
    async fn roll_back(mut self) {
        let Some(conn) = self.0.as_ref() else { return };
        match conn.batch_execute("ROLLBACK").await {
            // Clean again: back to the pool.
            Ok(()) => drop(self.0.take()),
            Err(e) => tracing::warn!(
                error = %crate::error::reason(&e),
                "rolling back an abandoned import failed; closing its connection"
            ),
        }
    }
}

impl Drop for Abandoned {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(Object::take(conn));
        }
    }
}
