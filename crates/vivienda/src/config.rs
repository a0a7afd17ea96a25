//! Layered configuration: defaults → `vivienda.toml` → `VIVIENDA_*` environment → flags.

use std::path::PathBuf;

use anyhow::Context;
use app::notify::SmtpConfig;
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
    /// Connections of the pool that the point reads of every request share, pipelined.
    pub postgres_shared_connections: usize,
    /// A PostgreSQL schema of Vivienda's own (created if missing) instead of `public`.
    pub postgres_schema: Option<String>,
    /// Hash partitions by member of the tables that grow with members' histories, made when a
    /// new PostgreSQL database is created (0: plain tables).
    pub postgres_partitions: u32,
    /// A streaming replica of the PostgreSQL database, for the reads that may lag a little
    /// (statements, statistics), never behind what was committed before they began.
    pub database_replica_url: Option<String>,
    /// E-mail leaves through this SMTP server; without it, messages wait in the outbox.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// The sender, e.g. "Vivienda <avisos@vivienda.example>".
    pub smtp_from: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    /// SMS leave through this provider webhook (see app::notify::sms); without it, they wait.
    pub sms_webhook_url: Option<String>,
    pub sms_webhook_token: Option<Secret>,
    /// The server's secret key (64 hex digits) for one-time codes. Every instance of one
    /// deployment needs the same; without it, one is created in the data directory.
    pub secret_key: Option<Secret>,
    /// Proxies and load balancers whose `X-Forwarded-For` is believed: IP addresses separated
    /// by commas ("10.0.0.1, 10.0.0.2"); empty believes none.
    pub trusted_proxies: String,
    /// The address members reach the portal at ("https://vivienda.example"): printed under
    /// the QR code of every document. Default: http:// and the listen address.
    pub public_url: Option<String>,
    /// Browsers reach Vivienda over HTTPS (directly or through a TLS proxy): send HSTS.
    pub behind_tls: bool,
    /// Argon2id cost for member passwords.
    pub password_hash: app::accounts::HashCost,
    /// The SAT authorities whose e.firma certificates the pensioner refund accepts: a directory
    /// of their certificates, DER (`.cer`, `.crt`, `.der`) or PEM (`.pem`). Default:
    /// `DATA_DIR/sat-ca`. Without any, the refund cannot be signed.
    pub sat_ca_dir: Option<PathBuf>,
    /// Where uploaded documents are kept. Default: the directory `DATA_DIR/blobs`. A URL
    /// (`s3://bucket/prefix`, with `AWS_*` variables for the endpoint and keys) keeps them in
    /// object storage; that needs a build with the `object-store` feature.
    pub blob_store_url: Option<String>,
    /// The virus scanner run on every upload, as a command line the file's path is appended
    /// to, e.g. `clamdscan --no-summary --fdpass` (exit 0 clean, 1 infected). Without one,
    /// uploads are not scanned and the audit log says so.
    pub virus_scan_command: Option<String>,
    /// How often the usage statistics' summaries are brought up to date (the `stats` job is
    /// queued), in minutes; 0 leaves it to operators and `vivienda batch stats`.
    pub stats_refresh_minutes: u64,
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
            postgres_shared_connections: 4,
            postgres_schema: None,
            database_replica_url: None,
            postgres_partitions: 0,
            smtp_host: None,
            smtp_port: 25,
            smtp_from: None,
            smtp_username: None,
            smtp_password: None,
            sms_webhook_url: None,
            sms_webhook_token: None,
            secret_key: None,
            trusted_proxies: String::new(),
            public_url: None,
            behind_tls: false,
            password_hash: app::accounts::HashCost::default(),
            sat_ca_dir: None,
            blob_store_url: None,
            virus_scan_command: None,
            stats_refresh_minutes: 60,
        }
    }
}

/// A configured secret: kept out of `Debug` output, so it never reaches a log line.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
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

/// Credentials taken from the environment as they are: figment's `Env` layer reads values as
/// TOML-like data, which would turn a password such as `007` into the number 7.
#[derive(Serialize)]
struct VerbatimEnv {
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sms_webhook_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_replica_url: Option<String>,
}

impl VerbatimEnv {
    const KEYS: [&str; 5] = [
        "smtp_username",
        "smtp_password",
        "secret_key",
        "sms_webhook_token",
        "database_replica_url",
    ];

    fn read() -> VerbatimEnv {
        let var = |key: &str| std::env::var(format!("VIVIENDA_{}", key.to_uppercase())).ok();
        VerbatimEnv {
            smtp_username: var(Self::KEYS[0]),
            smtp_password: var(Self::KEYS[1]),
            secret_key: var(Self::KEYS[2]),
            sms_webhook_token: var(Self::KEYS[3]),
            database_replica_url: var(Self::KEYS[4]),
        }
    }
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
            .merge(
                Env::prefixed("VIVIENDA_")
                    .ignore(&["config"])
                    .ignore(&VerbatimEnv::KEYS),
            )
            .merge(Serialized::defaults(VerbatimEnv::read()))
            .merge(Serialized::defaults(Flags {
                listen: c.listen.clone(),
                database_url: c.database_url.clone(),
                data_dir: c.data_dir.clone(),
                log_format: c.log_format,
            }))
            .extract()
            .with_context(|| format!("invalid configuration (file {})", file.display()))
    }

    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<std::net::IpAddr>> {
        self.trusted_proxies
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                p.trim()
                    .parse()
                    .with_context(|| format!("trusted_proxies: {p:?} is not an IP address"))
            })
            .collect()
    }

    /// The SMS provider's webhook, when `sms_webhook_url` is set.
    pub fn sms_webhook(&self) -> Option<app::notify::WebhookSmsConfig> {
        let url = self.sms_webhook_url.as_deref().map(str::trim)?;
        (!url.is_empty()).then(|| app::notify::WebhookSmsConfig {
            url: url.to_owned(),
            token: self.sms_webhook_token.as_ref().map(|t| t.0.clone()),
        })
    }

    /// The SMTP server, when `smtp_host` is set; `smtp_from` is then required.
    pub fn smtp(&self) -> anyhow::Result<Option<SmtpConfig>> {
        let Some(host) = self
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            return Ok(None);
        };
        let Some(from) = self
            .smtp_from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        else {
            anyhow::bail!("smtp_host is set but smtp_from is not (VIVIENDA_SMTP_FROM)");
        };
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            anyhow::bail!("smtp_username and smtp_password must be set together");
        }
        Ok(Some(SmtpConfig {
            host: host.to_owned(),
            port: self.smtp_port,
            from: from.to_owned(),
            username: self.smtp_username.clone(),
            password: self.smtp_password.as_ref().map(|p| p.0.clone()),
        }))
    }
}
