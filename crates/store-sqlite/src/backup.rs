//! Online backups of the SQLite file, and the checks a restore runs on a copy before it is
//! trusted. These work on files, not on an open store: a backup reads the live database through
//! a connection of its own (so the server keeps writing), a restore checks a file nothing serves.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use store::StoreError;

use crate::{db, open_connection};

/// Writes a consistent copy of the database at `source` to `dest` (which must not exist) with
/// `VACUUM INTO`: it reads inside one transaction, so the copy is the database as of one
/// instant even while other connections keep writing (WAL lets them). The copy is compacted
/// and is a single file, with no `-wal` beside it.
pub fn backup_into(source: &Path, dest: &Path) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::Conflict("backup_target_exists"));
    }
    let dest_text = dest.to_str().ok_or_else(|| {
        StoreError::Unavailable(format!("{} is not a UTF-8 path", dest.display()))
    })?;
    // Read-write, so that a database left with a `-wal` by a stopped server is read whole.
    let conn = open_connection(source, false)?;
    conn.execute("VACUUM INTO ?1", [dest_text]).map_err(db)?;
    drop(conn);
    // The copy is on disk before anyone is told it exists.
    std::fs::File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Unavailable(format!("cannot sync {}: {e}", dest.display())))
}

/// Opens a file to check it, read-only, without creating it when it is missing.
fn open_to_check(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(db)?;
    Ok(conn)
}

/// The number of rows of every table in the file, by name (SQLite's own tables left out).
pub fn table_counts(path: &Path) -> Result<BTreeMap<String, u64>, StoreError> {
    let conn = open_to_check(path)?;
    // One read transaction, so the counts agree with each other on a database in use.
    conn.execute_batch("BEGIN").map_err(db)?;
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .map_err(db)?
        .query_map([], |r| r.get(0))
        .map_err(db)?
        .collect::<Result<_, _>>()
        .map_err(db)?;
    let mut counts = BTreeMap::new();
    for name in names {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get(0))
            .map_err(db)?;
        counts.insert(name, n.unsigned_abs());
    }
    conn.execute_batch("COMMIT").map_err(db)?;
    Ok(counts)
}

/// SQLite's own check of every page and index of the file: `Ok` when it answers "ok", the
/// first problems otherwise (as `Database`).
pub fn integrity_check(path: &Path) -> Result<(), StoreError> {
    let conn = open_to_check(path)?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check(5)")
        .map_err(db)?
        .query_map([], |r| r.get(0))
        .map_err(db)?
        .collect::<Result<_, _>>()
        .map_err(db)?;
    if problems.len() == 1 && problems[0] == "ok" {
        Ok(())
    } else {
        Err(StoreError::Database(format!(
            "integrity check failed: {}",
            problems.join("; ")
        )))
    }
}

/// The SHA-256 of every blob the file's attachments point at, each once.
pub fn referenced_blobs(path: &Path) -> Result<Vec<[u8; 32]>, StoreError> {
    let conn = open_to_check(path)?;
    let hashes: Vec<Vec<u8>> = conn
        .prepare("SELECT DISTINCT sha256 FROM request_attachments WHERE in_blob_store = 1")
        .map_err(db)?
        .query_map([], |r| r.get(0))
        .map_err(db)?
        .collect::<Result<_, _>>()
        .map_err(db)?;
    hashes
        .into_iter()
        .map(|h| {
            <[u8; 32]>::try_from(h.as_slice())
                .map_err(|_| StoreError::Database("an attachment hash is not 32 bytes".into()))
        })
        .collect()
}

/// Folds the write-ahead log into the file and empties it, so the file alone holds every
/// committed change (before it is moved).
pub fn checkpoint(path: &Path) -> Result<(), StoreError> {
    let conn = open_connection(path, false)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(db)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_backup_is_a_consistent_checked_copy_and_refuses_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("store-sqlite-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("live.db");
        let _store = crate::SqliteStore::open(&source).unwrap();
        let conn = open_connection(&source, false).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);")
            .unwrap();
        let copy = dir.join("copy.db");
        backup_into(&source, &copy).unwrap();
        integrity_check(&copy).unwrap();
        let counts = table_counts(&copy).unwrap();
        assert_eq!(counts.get("t"), Some(&3));
        assert_eq!(counts, table_counts(&source).unwrap());
        assert!(counts.contains_key("members"));
        assert!(referenced_blobs(&copy).unwrap().is_empty());
        assert!(matches!(
            backup_into(&source, &copy),
            Err(StoreError::Conflict("backup_target_exists"))
        ));

        // A damaged page is caught.
        let mut bytes = std::fs::read(&copy).unwrap();
        let page = 4096;
        for b in &mut bytes[page * 2..page * 2 + 200] {
            *b = 0xAB;
        }
        let broken = dir.join("broken.db");
        std::fs::write(&broken, bytes).unwrap();
        assert!(integrity_check(&broken).is_err() || table_counts(&broken).is_err());
        assert!(table_counts(&dir.join("missing.db")).is_err());
        assert!(!dir.join("missing.db").exists(), "a check creates nothing");
    }
}
