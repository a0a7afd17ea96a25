//! Layered configuration: defaults → `vivienda.toml` → `VIVIENDA_*` environment → flags.

use std::path::PathBuf;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::cli::{Cli, LogFormat};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    pub listen: String,
    /// Empty means the SQLite file in the data directory.
    pub database_url: String,
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_grace_seconds: u64,
    pub postgres_pool_size: usize,
    /// A PostgreSQL schema of Vivienda's own (created if missing) instead of `public`.
    pub postgres_schema: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: String::new(),
            data_dir: PathBuf::from("./data"),
            log_format: LogFormat::Text,
            shutdown_grace_seconds: 20,
            postgres_pool_size: 16,
            postgres_schema: None,
        }
    }
}

/// Only the flags that were given, so they override without erasing the layers below.
#[derive(Serialize)]
struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_format: Option<LogFormat>,
}

impl Config {
    pub fn load(cli: &Cli) -> anyhow::Result<Config> {
        let c = &cli.common;
        let file = c
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from("vivienda.toml"));
        if c.config.is_some() && !file.exists() {
            anyhow::bail!("the configuration file {} does not exist", file.display());
        }
        // clap already folded VIVIENDA_LISTEN etc. into the flags; the Env layer brings the
        // keys that have no flag (VIVIENDA_SHUTDOWN_GRACE_SECONDS, …).
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("VIVIENDA_").ignore(&["config"]))
            .merge(Serialized::defaults(Flags {
                listen: c.listen.clone(),
                database_url: c.database_url.clone(),
                data_dir: c.data_dir.clone(),
                log_format: c.log_format,
            }))
            .extract()
            .with_context(|| format!("invalid configuration (file {})", file.display()))
    }
}
