//! The use cases through a real SQLite store: imports of the documented example files, their
//! rejects and idempotence, and loading a synthetic population.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod appointments;
mod batches;
mod conversion;
mod drafts;
mod imports;
mod mail;
mod paid_off;
mod population;
mod refund;
mod relief;
mod requests;
mod second_factor;
mod stats;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use store_sqlite::SqliteStore;

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A fresh directory holding a fresh store.
pub fn scratch() -> (PathBuf, SqliteStore) {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-app-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(&dir.join("test.db")).unwrap();
    (dir, store)
}

pub fn messages() -> app::i18n::Messages {
    app::i18n::Messages::load().unwrap()
}
