//! Putting the pieces together: logging, the store chosen by URL, translations, reference tables.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use store::Store;
use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;
use crate::config::Config;

pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_from_env("VIVIENDA_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

/// Where the SQLite database lives when no URL is configured.
pub fn sqlite_path(config: &Config, default_file: &str) -> PathBuf {
    let url = config.database_url.trim();
    if url.is_empty() {
        config.data_dir.join(default_file)
    } else {
        PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url))
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens the configured store, creating and migrating it as needed: for the commands, which
/// have no reads to send to a replica.
pub async fn open_store(config: &Config, default_file: &str) -> anyhow::Result<Arc<dyn Store>> {
    let without_replica = Config {
        database_replica_url: None,
        ..config.clone()
    };
    Ok(open_stores(&without_replica, default_file).await?.0)
}

/// The configured store, and the same store for the reads that may lag a little (statements,
/// statistics): on PostgreSQL with `database_replica_url`, they go to the replica.
pub async fn open_stores(
    config: &Config,
    default_file: &str,
) -> anyhow::Result<(Arc<dyn Store>, Arc<dyn Store>)> {
    let url = config.database_url.trim();
    if is_postgres(url) {
        let options = store_postgres::PgOptions {
            pool_size: config.postgres_pool_size,
            schema: config.postgres_schema.clone(),
            shared_connections: config.postgres_shared_connections,
            partitions: config.postgres_partitions,
            replica_url: config
                .database_replica_url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned),
            ..Default::default()
        };
        let store = store_postgres::PgStore::connect_with(url, options)
            .await
            .context("cannot use the PostgreSQL database")?;
        let lagging: Arc<dyn Store> = Arc::new(store.lagging_reads());
        Ok((Arc::new(store), lagging))
    } else {
        if config.database_replica_url.is_some() {
            anyhow::bail!(
                "database_replica_url is for PostgreSQL; the SQLite store has no replica"
            );
        }
        let path = sqlite_path(config, default_file);
        let store = tokio::task::spawn_blocking(move || store_sqlite::SqliteStore::open(&path))
            .await
            .context("the database task failed")?
            .context("cannot use the SQLite database")?;
        let store: Arc<dyn Store> = Arc::new(store);
        Ok((store.clone(), store))
    }
}

pub fn messages() -> anyhow::Result<Arc<app::i18n::Messages>> {
    Ok(Arc::new(app::i18n::Messages::load()?))
}

pub fn reference_tables(data_dir: &Path) -> anyhow::Result<domain::reference::ReferenceTables> {
    let loaded = app::reference::load(data_dir).context("cannot load the reference tables")?;
    for name in &loaded.overridden {
        tracing::info!(file = %data_dir.join(name).display(), "reference table replaced by the data directory's copy");
    }
    Ok(loaded.tables)
}

/// A progress bar on a terminal; hidden when output is redirected (CI, pipes).
pub fn progress_bar(total: u64, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    let template = format!(
        "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {unit} {{msg}} (eta {{eta}})"
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// The secret key for one-time codes: configured, or kept in `DATA_DIR/secret.key` (created
/// on first start with owner-only permissions).
pub fn secret_key(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &config.secret_key {
        let key = hex_key(&secret.0).context("secret_key must be 64 hexadecimal digits")?;
        return Ok(key);
    }
    let path = config.data_dir.join("secret.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return hex_key(text.trim())
            .with_context(|| format!("{} is not a valid key", path.display()));
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
    let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(key.to_vec())
}

fn hex_key(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..32)
        .map(|i| u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// The SAT authorities for e.firma certificates: every `.cer`, `.crt`, `.der` and `.pem` file in
/// `sat_ca_dir` (default `DATA_DIR/sat-ca`). `None`, with a warning, when there are none: the
/// portal runs, and the refund says it cannot check signatures. An unreadable file stops the
/// start, so a broken configuration is not mistaken for an empty one.
pub fn trusted_issuers(config: &Config) -> anyhow::Result<Option<efirma::TrustedIssuers>> {
    let dir = config
        .sat_ca_dir
        .clone()
        .unwrap_or_else(|| config.data_dir.join("sat-ca"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        tracing::warn!(dir = %dir.display(), "no SAT authority certificates: e.firma signatures cannot be checked");
        return Ok(None);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "cer" | "crt" | "der" | "pem"
                )
            })
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        tracing::warn!(dir = %dir.display(), "no SAT authority certificates: e.firma signatures cannot be checked");
        return Ok(None);
    }
    let files = paths
        .iter()
        .map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let slices: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let issuers = efirma::TrustedIssuers::from_files(&slices).map_err(|e| {
        anyhow::anyhow!(
            "the SAT authority certificates in {} are not usable: {e}",
            dir.display()
        )
    })?;
    tracing::info!(dir = %dir.display(), files = paths.len(), "SAT authorities loaded for the e.firma");
    Ok(Some(issuers))
}

/// The back office's use cases; the CLI's `create-operator` uses them too.
pub fn backoffice(
    config: &Config,
    store: Arc<dyn Store>,
    requests: app::requests::Requests,
) -> anyhow::Result<app::backoffice::BackOffice> {
    let passwords = app::accounts::Passwords::new(config.password_hash, 2)
        .context("invalid password_hash settings")?;
    Ok(app::backoffice::BackOffice::new(
        store,
        passwords,
        &secret_key(config)?,
        Arc::new(app::clock::SystemClock),
        requests,
    ))
}

/// The appointment use cases: the service centres from the data directory (or the built-in
/// copy), 30-minute slots, the federal rest days.
pub fn appointments(
    config: &Config,
    store: Arc<dyn Store>,
    tables: &domain::reference::ReferenceTables,
    messages: Arc<app::i18n::Messages>,
) -> anyhow::Result<app::appointments::Appointments> {
    let (offices, replaced) = app::reference::load_cesi_offices(&config.data_dir, &tables.states)
        .context("cannot load the service centres")?;
    if replaced {
        tracing::info!(
            offices = offices.len(),
            "service centres replaced by the data directory's copy"
        );
    }
    Ok(app::appointments::Appointments::new(
        store,
        Arc::new(app::clock::SystemClock),
        Arc::new(offices),
        domain::requests::Holidays::federal(),
        domain::appointments::SlotRules::default(),
        messages,
    ))
}

/// The worker of the job queue: the batches started from the back office.
pub fn job_runner(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<app::jobs::JobRunner> {
    let tables = Arc::new(reference_tables(&config.data_dir)?);
    let appointments = appointments(config, store.clone(), &tables, messages()?)?;
    Ok(app::jobs::JobRunner::new(
        store,
        tables,
        Some(appointments),
        Arc::new(app::clock::SystemClock),
    ))
}

/// What runs beside the web server in every instance: the job queue's worker (which empties
/// the kept statistics reports when it refreshes the summaries) and, every
/// `stats_refresh_minutes`, the `stats` job queued.
pub fn start_background(config: &Config, state: &web::AppState) -> anyhow::Result<()> {
    let runner = job_runner(config, state.store.clone())?.with_report_cache(state.reports.clone());
    tokio::spawn(runner.keep_running(std::time::Duration::from_secs(2)));
    if config.stats_refresh_minutes > 0 {
        tokio::spawn(app::jobs::keep_refreshing_stats(
            state.store.clone(),
            Arc::new(app::clock::SystemClock),
            std::time::Duration::from_secs(config.stats_refresh_minutes * 60),
        ));
    }
    Ok(())
}

/// The blob store of uploaded documents: the directory `DATA_DIR/blobs`, or object storage.
pub fn blob_store(config: &Config) -> anyhow::Result<Arc<dyn app::blobs::BlobStore>> {
    match config
        .blob_store_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        None => Ok(Arc::new(
            app::blobs::DirectoryBlobs::open(&config.data_dir.join("blobs"))
                .context("cannot open the blob directory")?,
        )),
        #[cfg(feature = "object-store")]
        Some(url) => Ok(Arc::new(
            app::blobs::ObjectStoreBlobs::from_url(url, &config.data_dir.join("staging"))
                .context("cannot open the blob store")?,
        )),
        #[cfg(not(feature = "object-store"))]
        Some(_) => anyhow::bail!(
            "blob_store_url needs a build with the object-store feature \
             (cargo build --release --features object-store)"
        ),
    }
}

/// The virus-scan hook: the configured command, or none.
pub fn virus_scan(config: &Config) -> anyhow::Result<Arc<dyn app::uploads::VirusScan>> {
    match config
        .virus_scan_command
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        None => {
            tracing::warn!("no virus_scan_command: uploads are not scanned");
            Ok(Arc::new(app::uploads::NoScan))
        }
        Some(command) => Ok(Arc::new(
            app::uploads::CommandScan::parse(command).context("invalid virus_scan_command")?,
        )),
    }
}

/// Everything the web tier needs, around one store (and `lagging`, the same store for reads
/// that may lag a little: see [`open_stores`]).
pub fn app_state(
    config: &Config,
    store: Arc<dyn Store>,
    lagging: Arc<dyn Store>,
) -> anyhow::Result<web::Services> {
    // One hash a core: more at once only adds their working memory (19 MiB each) while they
    // share the cores, and the sign-ins queue the same.
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let passwords = app::accounts::Passwords::new(config.password_hash, cores)
        .context("invalid password_hash settings")?;
    let accounts = app::accounts::Accounts::new(
        store.clone(),
        passwords,
        &secret_key(config)?,
        Arc::new(app::clock::SystemClock),
        app::accounts::SessionPolicy::default(),
    );
    let tables = Arc::new(reference_tables(&config.data_dir)?);
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.listen));
    let documents = Arc::new(
        documents::Renderer::new(public_url.trim_end_matches('/'))
            .context("cannot load the document templates")?,
    );
    let (standards, replaced) = app::reference::load_service_standards(&config.data_dir)
        .context("cannot load the service standards")?;
    if replaced {
        tracing::info!("service standards replaced by the data directory's copy");
    }
    let (programmes, replaced) = app::reference::load_relief_programmes(&config.data_dir)
        .context("cannot load the relief programmes")?;
    if replaced {
        tracing::info!("relief programmes replaced by the data directory's copy");
    }
    let messages = messages()?;
    let credits = app::credit::Credits::new(store.clone(), tables.clone());
    let requests = app::requests::Requests::new(
        store.clone(),
        Arc::new(app::clock::SystemClock),
        Arc::new(standards),
        domain::requests::Holidays::federal(),
        messages.clone(),
    );
    let refunds = app::refund::PensionerRefunds::new(
        store.clone(),
        accounts.clone(),
        requests.clone(),
        tables.clone(),
        trusted_issuers(config)?.map(Arc::new),
        messages.clone(),
    );
    let prequal = app::prequal::Prequal::new(
        store.clone(),
        tables.clone(),
        Arc::new(domain::points::PointsTables::embedded().context("invalid points tables")?),
    );
    let applications = app::credit_application::CreditApplications::new(
        store.clone(),
        requests.clone(),
        blob_store(config)?,
        virus_scan(config)?,
    );
    Ok(web::Services {
        backoffice: backoffice(config, store.clone(), requests.clone())?
            .with_blobs(applications.blobs().clone())
            .with_lagging_reads(lagging.clone()),
        applications,
        course: app::course::Course::new(store.clone(), Arc::new(app::clock::SystemClock)),
        appointments: appointments(config, store.clone(), &tables, messages.clone())?,
        corrections: app::corrections::Corrections::new(store.clone(), requests.clone()),
        requests,
        refunds,
        documents,
        savings: app::savings::Savings::new(store.clone(), tables.clone())
            .with_lagging_reads(lagging.clone()),
        relief: app::relief::Relief::new(
            store.clone(),
            credits.clone(),
            Arc::new(programmes),
            Arc::new(app::clock::SystemClock),
            messages.clone(),
        ),
        credits,
        unamos: app::unamos::Unamos::new(
            store.clone(),
            prequal.clone(),
            Arc::new(app::clock::SystemClock),
        ),
        prequal,
        store,
        lagging,
        messages,
        metrics: Arc::new(web::Metrics::default()),
        accounts,
        behind_tls: config.behind_tls,
        demo: false,
        trusted_proxies: config.trusted_proxies()?.into(),
        uses: Default::default(),
        reports: Default::default(),
    })
}
