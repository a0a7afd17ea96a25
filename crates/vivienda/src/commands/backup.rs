//! `vivienda backup DEST` and `vivienda restore SRC`.
//!
//! A backup is a directory: the database (a SQLite copy made with `VACUUM INTO`, or a
//! `pg_dump` custom-format archive), the uploaded documents when they live in `DATA_DIR/blobs`,
//! the server key when it lives in `DATA_DIR/secret.key` (it seals the authenticator secrets:
//! without it they cannot be read), and `manifest.json` with every file's SHA-256 and the row
//! count of every table as of the instant the copy was taken. Both engines back up while the
//! server runs and writes: the copy is one transaction's snapshot.
//!
//! A restore checks the backup whole before it touches anything (hashes, SQLite's integrity
//! check, the row counts, the ledger, the audit chains), refuses to replace an existing
//! database unless `--force`, keeps the replaced one beside it, and checks again after the swap.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{AuditVerdict, Store};

use crate::config::Config;
use crate::wiring;

const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;
const SQLITE_FILE: &str = "vivienda.db";
const PG_FILE: &str = "vivienda.pgdump";
const KEY_FILE: &str = "secret.key";
const BLOBS: &str = "blobs";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    /// "sqlite" or "postgres".
    engine: String,
    created_at: String,
    vivienda_version: String,
    database: FileEntry,
    /// The PostgreSQL schema dumped ("public" when none is configured).
    postgres_schema: Option<String>,
    /// Rows per table, in the snapshot the copy holds.
    tables: BTreeMap<String, u64>,
    /// Blob files copied; `None` when the blobs live in object storage (not in this backup).
    blobs: Option<u64>,
    /// Blobs an attachment points at that were not in the blob store when the backup was made.
    missing_blobs: Vec<String>,
    /// The server key file; `None` when the key is configured (then keep it with the backup).
    secret_key: Option<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    file: String,
    sha256: String,
    bytes: u64,
}

fn sha256_of(path: &Path) -> anyhow::Result<(String, u64)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), bytes))
}

fn file_entry(dir: &Path, file: &str) -> anyhow::Result<FileEntry> {
    let (sha256, bytes) = sha256_of(&dir.join(file))?;
    Ok(FileEntry {
        file: file.into(),
        sha256,
        bytes,
    })
}

fn check_file(dir: &Path, entry: &FileEntry) -> anyhow::Result<()> {
    let (sha256, bytes) = sha256_of(&dir.join(&entry.file))?;
    if sha256 != entry.sha256 || bytes != entry.bytes {
        bail!(
            "{} does not match the manifest (damaged or altered): nothing was restored",
            dir.join(&entry.file).display()
        );
    }
    Ok(())
}

fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", path.display()))
}

fn now_stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(time::macros::format_description!(
        "[year][month][day]t[hour][minute][second]z"
    ))
    .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The blob directory, when blobs are kept on disk.
fn blob_root(config: &Config) -> Option<PathBuf> {
    let in_object_storage = config
        .blob_store_url
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty());
    (!in_object_storage).then(|| config.data_dir.join(BLOBS))
}

/// Every blob file under `root` (`ab/cd/abcd…`), by name; the staging area is left out.
fn blob_files(root: &Path) -> anyhow::Result<BTreeMap<String, PathBuf>> {
    let mut found = BTreeMap::new();
    let Ok(level1) = std::fs::read_dir(root) else {
        return Ok(found);
    };
    for a in level1 {
        let a = a.with_context(|| format!("cannot list {}", root.display()))?;
        let a_name = a.file_name().to_string_lossy().into_owned();
        if a_name.len() != 2 || !a.path().is_dir() {
            continue;
        }
        for b in std::fs::read_dir(a.path())
            .with_context(|| format!("cannot list {}", a.path().display()))?
        {
            let b = b.with_context(|| format!("cannot list {}", a.path().display()))?;
            if !b.path().is_dir() {
                continue;
            }
            for f in std::fs::read_dir(b.path())
                .with_context(|| format!("cannot list {}", b.path().display()))?
            {
                let f = f.with_context(|| format!("cannot list {}", b.path().display()))?;
                let name = f.file_name().to_string_lossy().into_owned();
                let is_blob = name.len() == 64
                    && name.bytes().all(|c| c.is_ascii_hexdigit())
                    && name.starts_with(&a_name);
                if is_blob && f.path().is_file() {
                    found.insert(name, f.path());
                }
            }
        }
    }
    Ok(found)
}

fn blob_path(root: &Path, name: &str) -> PathBuf {
    root.join(&name[0..2]).join(&name[2..4]).join(name)
}

/// Copies blobs from `from` to `to`, leaving those already there (a blob's name is its content).
fn copy_blobs(from: &BTreeMap<String, PathBuf>, to: &Path) -> anyhow::Result<u64> {
    let mut copied = 0;
    for (name, source) in from {
        let target = blob_path(to, name);
        if target.exists() {
            continue;
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let partial = target.with_extension("partial");
        std::fs::copy(source, &partial)
            .with_context(|| format!("cannot copy {}", source.display()))?;
        sync_file(&partial)?;
        std::fs::rename(&partial, &target)
            .with_context(|| format!("cannot keep {}", target.display()))?;
        copied += 1;
    }
    Ok(copied)
}

/// Every blob in the backup hashes to its name.
fn check_blobs(blobs: &BTreeMap<String, PathBuf>) -> anyhow::Result<()> {
    for (name, path) in blobs {
        let (sha256, _) = sha256_of(path)?;
        if &sha256 != name {
            bail!(
                "the document {} in the backup is damaged (its content does not match its name): \
                 nothing was restored",
                path.display()
            );
        }
    }
    Ok(())
}

fn missing_blobs(referenced: &[[u8; 32]], present: &BTreeMap<String, PathBuf>) -> Vec<String> {
    referenced
        .iter()
        .map(hex::encode)
        .filter(|name| !present.contains_key(name))
        .collect()
}

/// The server key file, when the key is not configured some other way.
fn key_file(config: &Config) -> Option<PathBuf> {
    let path = config.data_dir.join(KEY_FILE);
    (config.secret_key.is_none() && path.exists()).then_some(path)
}

#[cfg(unix)]
fn copy_private(from: &Path, to: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let bytes = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .with_context(|| format!("cannot create {}", to.display()))?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", to.display()))
}

#[cfg(not(unix))]
fn copy_private(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to).with_context(|| format!("cannot copy {}", from.display()))?;
    Ok(())
}

fn print_counts(tables: &BTreeMap<String, u64>) {
    let rows: u64 = tables.values().sum();
    println!("{} tables, {rows} rows", tables.len());
}

pub async fn backup(config: &Config, dest: &Path) -> anyhow::Result<ExitCode> {
    if dest.exists()
        && std::fs::read_dir(dest)
            .with_context(|| format!("{} is not a directory", dest.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: a backup goes into a new or empty directory",
            dest.display()
        );
    }
    std::fs::create_dir_all(dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let url = config.database_url.trim();
    let (engine, database, schema, tables, referenced) = if wiring::is_postgres(url) {
        let (schema, tables, referenced) = dump_postgres(config, url, &dest.join(PG_FILE)).await?;
        ("postgres", PG_FILE, Some(schema), tables, referenced)
    } else {
        let source = wiring::sqlite_path(config, "vivienda.db");
        if !source.exists() {
            bail!("there is no database at {}", source.display());
        }
        let copy = dest.join(SQLITE_FILE);
        let (tables, referenced) = tokio::task::spawn_blocking(move || {
            store_sqlite::backup::backup_into(&source, &copy)?;
            store_sqlite::backup::integrity_check(&copy)?;
            Ok::<_, store::StoreError>((
                store_sqlite::backup::table_counts(&copy)?,
                store_sqlite::backup::referenced_blobs(&copy)?,
            ))
        })
        .await
        .context("the backup task failed")?
        .context("cannot back up the SQLite database")?;
        ("sqlite", SQLITE_FILE, None, tables, referenced)
    };
    // After the database: every blob its snapshot points at was kept before its row committed.
    let (blobs, missing) = match blob_root(config) {
        Some(root) => {
            let present = blob_files(&root)?;
            let copied = copy_blobs(&present, &dest.join(BLOBS))?;
            (Some(copied), missing_blobs(&referenced, &present))
        }
        None => (None, Vec::new()),
    };
    let secret_key = match key_file(config) {
        Some(path) => {
            copy_private(&path, &dest.join(KEY_FILE))?;
            Some(file_entry(dest, KEY_FILE)?)
        }
        None => None,
    };
    let manifest = Manifest {
        format: FORMAT,
        engine: engine.into(),
        created_at: now_rfc3339(),
        vivienda_version: env!("CARGO_PKG_VERSION").into(),
        database: file_entry(dest, database)?,
        postgres_schema: schema,
        tables,
        blobs,
        missing_blobs: missing,
        secret_key,
    };
    let manifest_path = dest.join(MANIFEST);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest)?)
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;
    sync_file(&manifest_path)?;
    sync_file(dest)?;

    println!(
        "backup of the {engine} database written to {}",
        dest.display()
    );
    print_counts(&manifest.tables);
    match manifest.blobs {
        Some(n) => println!("{n} documents copied"),
        None => println!(
            "documents are in object storage ({}): back them up with the storage's own tools",
            config.blob_store_url.as_deref().unwrap_or_default()
        ),
    }
    if manifest.secret_key.is_none() {
        println!(
            "the server key is configured, not in the data directory: keep it with this backup"
        );
    }
    for name in &manifest.missing_blobs {
        println!("warning: document {name} is attached but was not in the blob store");
    }
    Ok(ExitCode::SUCCESS)
}

async fn dump_postgres(
    config: &Config,
    url: &str,
    file: &Path,
) -> anyhow::Result<(String, BTreeMap<String, u64>, Vec<[u8; 32]>)> {
    let store = connect_postgres(config, url).await?;
    let schema = store.schema_name().to_owned();
    let referenced = store.referenced_blobs().await?;
    let (tables, ()) = store
        .in_exported_snapshot(|snapshot| {
            let mut cmd = std::process::Command::new("pg_dump");
            cmd.args([
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                &format!("--schema={schema}"),
                &format!("--snapshot={snapshot}"),
                "--file",
            ])
            .arg(file)
            .arg(format!("--dbname={url}"));
            run_tool(cmd, "pg_dump")
        })
        .await
        .context("cannot back up the PostgreSQL database")?;
    Ok((schema, tables, referenced))
}

async fn connect_postgres(config: &Config, url: &str) -> anyhow::Result<store_postgres::PgStore> {
    let options = store_postgres::PgOptions {
        pool_size: 2,
        schema: config.postgres_schema.clone(),
        ..Default::default()
    };
    store_postgres::PgStore::connect_with(url, options)
        .await
        .context("cannot use the PostgreSQL database")
}

/// Runs a PostgreSQL client tool off the async workers; its error output becomes the error.
async fn run_tool(
    mut cmd: std::process::Command,
    name: &'static str,
) -> Result<(), store::StoreError> {
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .map_err(|e| store::StoreError::Database(format!("{name} task failed: {e}")))?
        .map_err(|e| {
            store::StoreError::Unavailable(format!(
                "cannot run {name} (install postgresql-client): {e}"
            ))
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(store::StoreError::Database(format!(
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

fn compare_counts(
    expected: &BTreeMap<String, u64>,
    found: &BTreeMap<String, u64>,
) -> anyhow::Result<()> {
    let mut differences = Vec::new();
    for (table, n) in expected {
        match found.get(table) {
            Some(m) if m == n => {}
            Some(m) => differences.push(format!("{table}: {m} rows, the backup says {n}")),
            None => differences.push(format!("{table}: missing")),
        }
    }
    if differences.is_empty() {
        Ok(())
    } else {
        bail!(
            "row counts differ from the manifest: {}",
            differences.join("; ")
        )
    }
}

/// The ledger and the audit chains of a store, as `vivienda audit ledger` and `audit verify`
/// check them.
async fn check_store(store: &dyn Store) -> anyhow::Result<()> {
    let ledger = store.check_ledger().await?;
    if let Some(m) = ledger.mismatches.first() {
        bail!(
            "ledger broken: {} of {} balances disagree with their movements (first: member {} {})",
            ledger.mismatches.len(),
            ledger.balances_checked,
            m.member_id.0,
            m.bucket.code()
        );
    }
    println!(
        "ledger ok: {} balances equal the sum of their movements",
        ledger.balances_checked
    );
    match store.verify_audit().await? {
        AuditVerdict::Intact(totals) => {
            println!(
                "audit log ok: {} entries in {} chains",
                totals.total,
                totals.per_chain.len()
            );
            Ok(())
        }
        AuditVerdict::Broken(link) => bail!(
            "audit log broken: chain {}, entry {} (position {})",
            link.chain,
            link.entry_id,
            link.position
        ),
    }
}

fn read_manifest(src: &Path) -> anyhow::Result<Manifest> {
    let path = src.join(MANIFEST);
    let bytes =
        std::fs::read(&path).with_context(|| format!("{} is not a backup", src.display()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a Vivienda backup manifest", path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "{} is a backup of format {}; this vivienda reads format {FORMAT}",
            src.display(),
            manifest.format
        );
    }
    Ok(manifest)
}

pub async fn restore(config: &Config, src: &Path, force: bool) -> anyhow::Result<ExitCode> {
    let manifest = read_manifest(src)?;
    let url = config.database_url.trim();
    let target_engine = if wiring::is_postgres(url) {
        "postgres"
    } else {
        "sqlite"
    };
    if manifest.engine != target_engine {
        bail!(
            "this is a backup of a {} database and the configured database is {target_engine}",
            manifest.engine
        );
    }
    // The whole backup is checked before anything is touched.
    check_file(src, &manifest.database)?;
    if let Some(key) = &manifest.secret_key {
        check_file(src, key)?;
    }
    let blobs = blob_files(&src.join(BLOBS))?;
    check_blobs(&blobs)?;
    if let Some(n) = manifest.blobs
        && n != blobs.len() as u64
    {
        bail!(
            "the backup should hold {n} documents and holds {}: nothing was restored",
            blobs.len()
        );
    }
    let key_target = config.data_dir.join(KEY_FILE);
    let key_differs = match &manifest.secret_key {
        Some(entry) if key_target.exists() => sha256_of(&key_target)?.0 != entry.sha256,
        _ => false,
    };
    if key_differs && !force {
        bail!(
            "{} holds a different server key: refusing to replace it without --force",
            key_target.display()
        );
    }
    if target_engine == "postgres" {
        restore_postgres(config, url, src, &manifest, force).await?;
    } else {
        restore_sqlite(config, src, &manifest, force).await?;
    }
    // The documents and the key follow the database.
    if let Some(root) = blob_root(config) {
        let copied = copy_blobs(&blobs, &root)?;
        println!("{copied} documents restored");
    } else if manifest.blobs.is_some() {
        println!(
            "documents are configured in object storage: the {} in this backup were not copied",
            blobs.len()
        );
    }
    if manifest.secret_key.is_some() && (key_differs || !key_target.exists()) {
        if key_target.exists() {
            let aside =
                key_target.with_file_name(format!("{KEY_FILE}.before-restore-{}", now_stamp()));
            std::fs::rename(&key_target, &aside)
                .with_context(|| format!("cannot move {} aside", key_target.display()))?;
            println!("the previous server key is kept as {}", aside.display());
        }
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
        copy_private(&src.join(KEY_FILE), &key_target)?;
    }
    for name in &manifest.missing_blobs {
        println!("warning: document {name} was already missing when the backup was made");
    }
    println!("restore complete");
    Ok(ExitCode::SUCCESS)
}

fn remove_if_exists(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(suffix);
    PathBuf::from(text)
}

async fn restore_sqlite(
    config: &Config,
    src: &Path,
    manifest: &Manifest,
    force: bool,
) -> anyhow::Result<()> {
    let target = wiring::sqlite_path(config, "vivienda.db");
    if target.exists() && !force {
        bail!(
            "{} exists: refusing to replace a database that may be in use. Stop the server and \
             run again with --force (the current database is kept beside it)",
            target.display()
        );
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let staging = with_suffix(&target, ".restoring");
    for leftover in ["", "-wal", "-shm"] {
        remove_if_exists(&with_suffix(&staging, leftover))?;
    }
    std::fs::copy(src.join(&manifest.database.file), &staging)
        .with_context(|| format!("cannot copy the backup to {}", staging.display()))?;
    sync_file(&staging)?;

    // Checked as a file first, then through the store, all before the swap.
    let checked = {
        let staging = staging.clone();
        tokio::task::spawn_blocking(move || {
            store_sqlite::backup::integrity_check(&staging)?;
            store_sqlite::backup::table_counts(&staging)
        })
        .await
        .context("the check task failed")?
    };
    let outcome: anyhow::Result<BTreeMap<String, u64>> = async {
        compare_counts(&manifest.tables, &checked?)?;
        println!("backup checked: integrity ok, row counts match the manifest");
        let store = {
            let staging = staging.clone();
            tokio::task::spawn_blocking(move || store_sqlite::SqliteStore::open(&staging))
                .await
                .context("the check task failed")??
        };
        check_store(&store).await?;
        drop(store);
        let staging = staging.clone();
        let counts = tokio::task::spawn_blocking(move || {
            store_sqlite::backup::checkpoint(&staging)?;
            store_sqlite::backup::table_counts(&staging)
        })
        .await
        .context("the check task failed")??;
        Ok(counts)
    }
    .await;
    let migrated_counts = match outcome {
        Ok(counts) => counts,
        Err(e) => {
            for leftover in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(with_suffix(&staging, leftover));
            }
            return Err(e.context("the backup failed its checks: nothing was restored"));
        }
    };

    // The swap: the current database (with its log) is moved aside, never deleted.
    if target.exists() {
        let aside = with_suffix(&target, &format!(".before-restore-{}", now_stamp()));
        std::fs::rename(&target, &aside)
            .with_context(|| format!("cannot move {} aside", target.display()))?;
        let wal = with_suffix(&target, "-wal");
        if wal.exists() {
            std::fs::rename(&wal, with_suffix(&aside, "-wal"))
                .with_context(|| format!("cannot move {} aside", wal.display()))?;
        }
        remove_if_exists(&with_suffix(&target, "-shm"))?;
        println!("the previous database is kept as {}", aside.display());
    }
    std::fs::rename(&staging, &target)
        .with_context(|| format!("cannot put the restored database at {}", target.display()))?;
    for leftover in ["-wal", "-shm"] {
        remove_if_exists(&with_suffix(&staging, leftover))?;
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        sync_file(dir)?;
    }

    // And checked again where it now lives.
    let after = {
        let target = target.clone();
        tokio::task::spawn_blocking(move || store_sqlite::backup::table_counts(&target))
            .await
            .context("the check task failed")??
    };
    compare_counts(&migrated_counts, &after)?;
    let store = wiring::open_store(config, "vivienda.db").await?;
    check_store(store.as_ref()).await?;
    println!("database restored to {}", target.display());
    print_counts(&after);
    Ok(())
}

async fn restore_postgres(
    config: &Config,
    url: &str,
    src: &Path,
    manifest: &Manifest,
    force: bool,
) -> anyhow::Result<()> {
    let schema = config
        .postgres_schema
        .clone()
        .unwrap_or_else(|| "public".into());
    if manifest.postgres_schema.as_deref() != Some(schema.as_str()) {
        bail!(
            "this backup holds the schema {} and the configured schema is {schema}",
            manifest.postgres_schema.as_deref().unwrap_or("?")
        );
    }
    let archive = src.join(&manifest.database.file);
    let mut list = std::process::Command::new("pg_restore");
    list.arg("--list").arg(&archive);
    run_tool(list, "pg_restore")
        .await
        .context("the archive cannot be read: nothing was restored")?;

    let aside = match store_postgres::backup::schema_tables(url, &schema).await? {
        Some(n) if n > 0 && !force => bail!(
            "the schema {schema} holds {n} tables: refusing to replace a database that may be in \
             use. Stop the servers and run again with --force (the current schema is kept \
             under another name)"
        ),
        Some(n) if n > 0 => {
            let mut aside = format!("{schema}_before_restore_{}", now_stamp());
            aside.truncate(63);
            store_postgres::backup::rename_schema(url, &schema, &aside).await?;
            Some(aside)
        }
        Some(_) => {
            store_postgres::backup::drop_schema(url, &schema).await?;
            None
        }
        None => None,
    };
    let outcome: anyhow::Result<()> = async {
        let mut cmd = std::process::Command::new("pg_restore");
        cmd.args([
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
        ])
        .arg(format!("--dbname={url}"))
        .arg(&archive);
        run_tool(cmd, "pg_restore").await?;
        let store = connect_postgres(config, url).await?;
        compare_counts(&manifest.tables, &store.table_counts().await?)?;
        println!("row counts match the manifest");
        check_store(&store).await
    }
    .await;
    match (outcome, aside) {
        (Ok(()), Some(aside)) => {
            println!(
                "the previous schema is kept as {aside}: drop it (DROP SCHEMA {aside} CASCADE) \
                 once the restore is confirmed"
            );
            Ok(())
        }
        (Ok(()), None) => Ok(()),
        (Err(e), aside) => {
            // Put things back as they were.
            store_postgres::backup::drop_schema(url, &schema).await?;
            if let Some(aside) = aside {
                store_postgres::backup::rename_schema(url, &aside, &schema).await?;
            }
            Err(e.context(
                "the restored database failed its checks and was removed; the previous one is back",
            ))
        }
    }
}
