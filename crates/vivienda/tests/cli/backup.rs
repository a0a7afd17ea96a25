//! `vivienda backup` taken while another process keeps writing, `vivienda restore` into a fresh
//! place, and the checks on both sides: row counts against the manifest, the ledger, the audit
//! chains (through `vivienda audit ledger` and `audit verify` too), the documents and the key;
//! a damaged backup and an existing database are refused. SQLite always; PostgreSQL when
//! `VIVIENDA_TEST_POSTGRES_URL` is set, in a scratch schema dropped afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use domain::audit::{AuditEntry, Channel};
use sha2::{Digest, Sha256};
use store::{AuditVerdict, Store};

use crate::{scratch, text, vivienda};

/// Where the database is: a SQLite file, or a schema of the test PostgreSQL server.
#[derive(Clone)]
enum Db {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

impl Db {
    fn command(&self, dir: &Path) -> Command {
        let mut cmd = vivienda(dir);
        match self {
            Db::Sqlite(path) => cmd.env("VIVIENDA_DATABASE_URL", path),
            Db::Postgres { url, schema } => cmd
                .env("VIVIENDA_DATABASE_URL", url)
                .env("VIVIENDA_POSTGRES_SCHEMA", schema),
        };
        cmd
    }

    async fn open(&self) -> Box<dyn Store> {
        match self {
            Db::Sqlite(path) => Box::new(store_sqlite::SqliteStore::open(path).unwrap()),
            Db::Postgres { url, schema } => Box::new(
                store_postgres::PgStore::connect_with_schema(url, schema)
                    .await
                    .unwrap(),
            ),
        }
    }

    async fn table_counts(&self) -> BTreeMap<String, u64> {
        match self {
            Db::Sqlite(path) => store_sqlite::backup::table_counts(path).unwrap(),
            Db::Postgres { url, schema } => {
                store_postgres::PgStore::connect_with_schema(url, schema)
                    .await
                    .unwrap()
                    .table_counts()
                    .await
                    .unwrap()
            }
        }
    }
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out: Output = cmd.output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn audit_total(rt: &tokio::runtime::Runtime, db: &Db) -> u64 {
    rt.block_on(async {
        match db.open().await.verify_audit().await.unwrap() {
            AuditVerdict::Intact(totals) => totals.total,
            AuditVerdict::Broken(link) => panic!("audit log broken at {link:?}"),
        }
    })
}

/// Where the blob store keeps `content`: under its SHA-256, relative to the data directory.
fn blob_path(content: &[u8]) -> PathBuf {
    let name = hex::encode(Sha256::digest(content));
    Path::new("blobs")
        .join(&name[0..2])
        .join(&name[2..4])
        .join(&name)
}

/// A document in the blob store, as the upload path keeps it.
fn put_blob(data_dir: &Path, content: &[u8]) {
    let path = data_dir.join(blob_path(content));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
}

fn manifest_tables(backup: &Path) -> BTreeMap<String, u64> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    serde_json::from_value(manifest["tables"].clone()).unwrap()
}

/// Demo population, a writer appending audit entries (one transaction each) from this process
/// the whole time `vivienda backup` runs, then the backup's manifest against what was written.
fn populate_and_back_up(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    db: &Db,
    backup: &Path,
) -> BTreeMap<String, u64> {
    let (ok, _, stderr) = run(db
        .command(dir)
        .args(["demo", "--members", "300", "--no-serve"]));
    assert!(ok, "{stderr}");
    let base = audit_total(rt, db);

    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (stop, written, db) = (stop.clone(), written.clone(), db.clone());
        rt.spawn(async move {
            let store = db.open().await;
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed) as i64;
                let entry = AuditEntry {
                    at: time::OffsetDateTime::now_utc(),
                    actor: "system:backup-test".into(),
                    action: "backup_test_write".into(),
                    member_id: Some(1 + n % 7),
                    channel: Channel::System,
                    origin: "test".into(),
                    details: format!("{{\"n\":{n}}}"),
                };
                store.append_audit(&[entry]).await.unwrap();
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while written.load(Ordering::Relaxed) < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let before = written.load(Ordering::Relaxed);
    let (ok, stdout, stderr) = run(db.command(dir).arg("backup").arg(backup));
    let after = written.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    rt.block_on(writer).unwrap();
    assert!(ok, "{stdout}{stderr}");
    assert!(after > before, "the writer kept writing during the backup");
    assert!(stdout.contains("1 documents copied"), "{stdout}");

    let tables = manifest_tables(backup);
    let audit = tables["audit_log"];
    assert!(
        (base + before..=base + after).contains(&audit),
        "the backup holds {audit} audit entries, between {} and {}",
        base + before,
        base + after
    );
    assert!(tables["members"] >= 300, "{tables:?}");
    tables
}

fn restore_and_check(dir: &Path, db: &Db, backup: &Path, tables: &BTreeMap<String, u64>) {
    let (ok, stdout, stderr) = run(db.command(dir).arg("restore").arg(backup));
    assert!(ok, "{stdout}{stderr}");
    for line in [
        "row counts match the manifest",
        "ledger ok: ",
        "audit log ok: ",
        "restore complete",
    ] {
        assert!(stdout.contains(line), "{line} missing from:\n{stdout}");
    }
    let rt = rt();
    assert_eq!(&rt.block_on(db.table_counts()), tables);
    // And through the commands an operator would run.
    let (ok, stdout, _) = run(db.command(dir).args(["audit", "ledger"]));
    assert!(ok && stdout.starts_with("ledger ok: "), "{stdout}");
    let (ok, stdout, _) = run(db.command(dir).args(["audit", "verify"]));
    assert!(
        ok && stdout.starts_with(&format!("audit log ok: {} entries", tables["audit_log"])),
        "{stdout}"
    );
}

#[test]
fn a_sqlite_backup_taken_while_writing_restores_whole_into_a_fresh_directory() {
    let rt = rt();
    let dir = scratch("backup-sqlite");
    let db = Db::Sqlite(dir.join("data/vivienda.db"));
    let blob = b"%PDF-1.4 comprobante de domicilio de prueba";
    put_blob(&dir.join("data"), blob);
    let backup = dir.join("backup");
    let tables = populate_and_back_up(&rt, &dir, &db, &backup);
    assert!(backup.join("secret.key").exists());

    // A backup never goes over something else.
    let (ok, _, stderr) = run(db.command(&dir).arg("backup").arg(&backup));
    assert!(!ok && stderr.contains("is not empty"), "{stderr}");

    // Restore into a fresh directory.
    let fresh = scratch("backup-sqlite-fresh");
    let restored = Db::Sqlite(fresh.join("data/vivienda.db"));
    restore_and_check(&fresh, &restored, &backup, &tables);
    assert_eq!(
        std::fs::read(fresh.join("data").join(blob_path(blob))).unwrap(),
        blob
    );
    assert_eq!(
        std::fs::read(fresh.join("data/secret.key")).unwrap(),
        std::fs::read(dir.join("data/secret.key")).unwrap()
    );

    // A database is there now: restoring over it needs --force.
    let live = std::fs::read(fresh.join("data/vivienda.db")).unwrap();
    let (ok, _, stderr) = run(restored.command(&fresh).arg("restore").arg(&backup));
    assert!(!ok && stderr.contains("refusing to replace"), "{stderr}");
    assert_eq!(std::fs::read(fresh.join("data/vivienda.db")).unwrap(), live);

    // A damaged copy is refused before anything is touched, even with --force.
    let damaged = dir.join("damaged");
    std::fs::create_dir_all(&damaged).unwrap();
    for file in ["manifest.json", "vivienda.db", "secret.key"] {
        std::fs::copy(backup.join(file), damaged.join(file)).unwrap();
    }
    let (ok, _, stderr) = run(restored.command(&fresh).arg("restore").arg(&damaged));
    assert!(
        !ok && stderr.contains("should hold 1 documents"),
        "{stderr}"
    );
    let mut bytes = std::fs::read(damaged.join("vivienda.db")).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(damaged.join("vivienda.db"), bytes).unwrap();
    let (ok, _, stderr) = run(restored
        .command(&fresh)
        .args(["restore", "--force"])
        .arg(&damaged));
    assert!(
        !ok && stderr.contains("does not match the manifest"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(fresh.join("data/vivienda.db")).unwrap(), live);

    // With --force the live database is replaced and kept beside.
    let (ok, stdout, stderr) = run(restored
        .command(&fresh)
        .args(["restore", "--force"])
        .arg(&backup));
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("the previous database is kept as "),
        "{stdout}"
    );
    let kept: Vec<_> = std::fs::read_dir(fresh.join("data"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("vivienda.db.before-restore-") && !name.ends_with("-wal")
        })
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(kept[0].path()).unwrap(), live);
    assert_eq!(&rt.block_on(restored.table_counts()), &tables);
}

#[test]
fn a_postgres_backup_taken_while_writing_restores_whole_into_an_emptied_schema() {
    let Ok(url) = std::env::var("VIVIENDA_TEST_POSTGRES_URL") else {
        eprintln!("PostgreSQL backup test skipped: VIVIENDA_TEST_POSTGRES_URL is not set");
        return;
    };
    let rt = rt();
    let dir = scratch("backup-pg");
    let schema = format!("vivienda_backup_{}", std::process::id());
    let db = Db::Postgres {
        url: url.clone(),
        schema: schema.clone(),
    };
    put_blob(&dir.join("data"), b"identificacion oficial de prueba");
    let backup = dir.join("backup");
    let tables = populate_and_back_up(&rt, &dir, &db, &backup);
    assert!(backup.join("vivienda.pgdump").exists());

    // The schema is lost; the restore brings it back whole.
    rt.block_on(store_postgres::backup::drop_schema(&url, &schema))
        .unwrap();
    let fresh = scratch("backup-pg-fresh");
    restore_and_check(&fresh, &db, &backup, &tables);

    // Over a live schema only with --force, which keeps the old one under another name.
    let (ok, _, stderr) = run(db.command(&fresh).arg("restore").arg(&backup));
    assert!(!ok && stderr.contains("refusing to replace"), "{stderr}");
    let (ok, stdout, stderr) = run(db.command(&fresh).args(["restore", "--force"]).arg(&backup));
    let aside = stdout
        .lines()
        .find_map(|l| l.strip_prefix("the previous schema is kept as "))
        .and_then(|l| l.split(':').next())
        .map(str::to_owned);
    if let Some(aside) = &aside {
        rt.block_on(store_postgres::backup::drop_schema(&url, aside))
            .unwrap();
    }
    let counts = rt.block_on(db.table_counts());
    rt.block_on(store_postgres::backup::drop_schema(&url, &schema))
        .unwrap();
    assert!(ok, "{stdout}{stderr}");
    assert!(aside.is_some(), "{stdout}");
    assert_eq!(counts, tables);
}
