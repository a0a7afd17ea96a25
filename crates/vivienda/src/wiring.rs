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

/// Opens the configured store, creating and migrating it as needed.
pub async fn open_store(config: &Config, default_file: &str) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url.trim();
    if is_postgres(url) {
        let options = store_postgres::PgOptions {
            pool_size: config.postgres_pool_size,
            schema: config.postgres_schema.clone(),
            ..Default::default()
        };
        let store = store_postgres::PgStore::connect_with(url, options)
            .await
            .context("cannot use the PostgreSQL database")?;
        Ok(Arc::new(store))
    } else {
        let path = sqlite_path(config, default_file);
        let store = tokio::task::spawn_blocking(move || store_sqlite::SqliteStore::open(&path))
            .await
            .context("the database task failed")?
            .context("cannot use the SQLite database")?;
        Ok(Arc::new(store))
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
