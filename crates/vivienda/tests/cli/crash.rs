//! `kill -9` in the middle of an import: the database must be exactly as before the file, and
//! the same file must then import whole. On SQLite always; on PostgreSQL when
//! `VIVIENDA_TEST_POSTGRES_URL` is set. And in the middle of a queued batch: the job is taken
//! over once its lease runs out and the batch posts exactly once.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

use store::Store;

use crate::{scratch, text, vivienda};

const ROWS: u64 = 200_000;

fn with_database(cmd: &mut Command, url: Option<&str>, schema: &str) {
    if let Some(url) = url {
        cmd.env("VIVIENDA_DATABASE_URL", url)
            .env("VIVIENDA_POSTGRES_SCHEMA", schema);
    }
}

async fn open(dir: &Path, url: Option<&str>, schema: &str) -> Box<dyn Store> {
    match url {
        Some(url) => Box::new(
            store_postgres::PgStore::connect_with_schema(url, schema)
                .await
                .unwrap(),
        ),
        None => Box::new(store_sqlite::SqliteStore::open(&dir.join("data/vivienda.db")).unwrap()),
    }
}

fn killed_import_leaves_nothing(name: &str, url: Option<&str>) {
    let dir = scratch(name);
    let schema = format!("vivienda_cli_{name}_{}", std::process::id());
    let files = dir.join("files");
    let out = vivienda(&dir)
        .args([
            "bench",
            "import",
            "--rows",
            &ROWS.to_string(),
            "--write-only",
        ])
        .arg(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    for kind in ["members", "employers"] {
        let mut cmd = vivienda(&dir);
        with_database(&mut cmd, url, &schema);
        let out = cmd
            .args(["import", kind])
            .arg(files.join(format!("{kind}.csv")))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out).1);
    }

    let mut cmd = vivienda(&dir);
    with_database(&mut cmd, url, &schema);
    let mut child = cmd
        .env("VIVIENDA_LOG", "app::import=debug")
        .args(["import", "contributions"])
        .arg(files.join("contributions.csv"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill as soon as the first chunk is written: the rest of the file is still to come.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains("import chunk written") {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the import ended before it was killed: {status}"
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = open(&dir, url, &schema).await;
        // PostgreSQL rolls the transaction back once it sees the client gone.
        let mut counts = store.counts().await.unwrap();
        for _ in 0..50 {
            if counts.movements == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            counts = store.counts().await.unwrap();
        }
        assert_eq!(counts.movements, 0, "a killed import left rows behind");
        assert_eq!(
            store.imports().await.unwrap().len(),
            2,
            "only members and employers"
        );
        assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
    });

    let mut cmd = vivienda(&dir);
    with_database(&mut cmd, url, &schema);
    let out = cmd
        .args(["import", "contributions"])
        .arg(files.join("contributions.csv"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("{ROWS} accepted")), "{stdout}");
    rt.block_on(async {
        let store = open(&dir, url, &schema).await;
        assert_eq!(store.counts().await.unwrap().movements, ROWS);
        assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
    });
    if let Some(url) = url {
        rt.block_on(async {
            let pg = store_postgres::PgStore::connect_with_schema(url, &schema)
                .await
                .unwrap();
            pg.drop_own_schema().await.unwrap();
        });
    }
}

#[test]
fn a_killed_sqlite_import_leaves_the_database_as_before_the_file() {
    killed_import_leaves_nothing("crash-sqlite", None);
}

#[test]
fn a_killed_postgres_import_leaves_the_database_as_before_the_file() {
    match std::env::var("VIVIENDA_TEST_POSTGRES_URL") {
        Ok(url) => killed_import_leaves_nothing("crash_pg", Some(&url)),
        Err(_) => eprintln!("PostgreSQL crash test skipped: VIVIENDA_TEST_POSTGRES_URL is not set"),
    }
}

/// Movements in the database, and whether the ledger and the audit log check out.
fn settled(rt: &tokio::runtime::Runtime, dir: &Path) -> u64 {
    rt.block_on(async {
        let store = open(dir, None, "").await;
        assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
        assert!(matches!(
            store.verify_audit().await.unwrap(),
            store::AuditVerdict::Intact(_)
        ));
        store.counts().await.unwrap().movements
    })
}

#[test]
fn a_killed_queued_batch_is_taken_over_and_posts_exactly_once() {
    let dir = scratch("crash-job");
    let db = ["--database-url", "data/vivienda.db"];
    let out = vivienda(&dir)
        .args(["demo", "--members", "3000", "--no-serve"])
        .args(db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let before = settled(&rt, &dir);
    let job = rt.block_on(async {
        let store = open(&dir, None, "").await;
        let new = store::NewJob {
            kind: "yield".into(),
            args: r#"{"year":2025}"#.into(),
            dedupe: "yield:2025".into(),
            created_by: "operator:test".into(),
            created_at: time::OffsetDateTime::now_utc(),
            files: Vec::new(),
        };
        store.enqueue_job(&new, &[]).await.unwrap().job_id
    });

    // The worker is killed once it has claimed the job and started the batch.
    let mut child = vivienda(&dir)
        .env("VIVIENDA_LOG", "app::jobs=info")
        .args(["batch", "queued"])
        .args(db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains("job claimed") {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let yield_again_posts_nothing = |after: u64| {
        let out = vivienda(&dir)
            .args(["batch", "yield", "--year", "2025"])
            .args(db)
            .output()
            .unwrap();
        assert!(
            text(&out).0.contains("already posted as batch"),
            "{:?}",
            text(&out)
        );
        assert_eq!(settled(&rt, &dir), after, "posted twice");
    };
    if status.signal() != Some(9) {
        // On a loaded machine the worker can finish the short batch before the kill lands:
        // then it must have posted it whole, once.
        assert!(status.success(), "the worker failed: {status}");
        let after = settled(&rt, &dir);
        assert!(after > before, "the yield posted nothing");
        eprintln!(
            "the worker finished before the kill; the batch posted {}",
            after - before
        );
        yield_again_posts_nothing(after);
        return;
    }
    let after_kill = settled(&rt, &dir);

    // Nothing picks the job up while its lease holds.
    let out = vivienda(&dir)
        .args(["batch", "queued"])
        .args(db)
        .output()
        .unwrap();
    assert!(
        text(&out).0.contains("0 queued batches run"),
        "{:?}",
        text(&out)
    );
    // The lease runs out (an hour passes, as far as the job knows)...
    let conn = rusqlite::Connection::open(dir.join("data/vivienda.db")).unwrap();
    assert_eq!(
        conn.execute(
            "UPDATE jobs SET lease_until = '2000-01-01T00:00:00Z' WHERE job_id = ?1 AND state = 'running'",
            [job],
        )
        .unwrap(),
        1,
        "the killed job is left running"
    );
    drop(conn);
    // ...and the next worker takes it over and finishes it.
    let out = vivienda(&dir)
        .args(["batch", "queued"])
        .args(db)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains(&format!("job {job} (yield): done")),
        "{stdout}"
    );
    let after = settled(&rt, &dir);
    assert!(after > before, "the yield posted nothing");
    // The killed run left nothing or everything, never a part.
    assert!(
        after_kill == before || after_kill == after,
        "half a batch: {before} movements before, {after_kill} after the kill, {after} at the end"
    );
    eprintln!(
        "killed worker left {} movements; the batch posted {}",
        after_kill - before,
        after - before
    );
    yield_again_posts_nothing(after);
}
