//! The scale-out store: PostgreSQL through tokio-postgres, behind a deadpool pool.
//!
//! Reads check a connection out per call and run cached prepared statements; the point reads
//! every signed-in request makes (its session, the balances, the movements) share four connections instead, on
//! which tokio-postgres pipelines concurrent callers (`shared`). An import batch
//! keeps one connection and one transaction for its whole life and loads rows with binary COPY.
//! Connections are recycled without a ping (`RecyclingMethod::Fast`): the design measured the
//! ping at 27% of point-read throughput, and a dead connection is found by `is_closed` anyway.

mod accounts;
mod applications;
mod appointments;
mod audit;
pub mod backup;
mod codes;
mod columns;
mod conversions;
mod corrections;
mod documents;
mod error;
mod idempotency;
mod identity;
mod import;
mod jobs;
mod migrate;
mod operators;
mod outbox;
mod partition;
mod refunds;
mod registry;
mod relief;
mod replica;
mod requests;
mod rows;
mod sessions;
mod shared;
mod stats;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use store::StoreError;
use tokio_postgres::NoTls;
use tokio_postgres::config::Host;

pub use import::PgImportBatch;
pub use partition::PARTITIONED_TABLES;

/// How to connect. `Default` gives the production settings.
#[derive(Clone, Debug)]
pub struct PgOptions {
    /// Connections kept at most; each import batch holds one for its whole life.
    pub pool_size: usize,
    /// A schema of its own, created if missing and put first on every connection's
    /// `search_path`; `None` uses the server's default (`public`).
    pub schema: Option<String>,
    /// How long to try to reach the server (and start a connection) before reporting it
    /// unavailable.
    pub connect_timeout: Duration,
    /// How long a caller waits for a free connection before it is told the database is busy:
    /// only when all `pool_size` connections are in use, which is overload or a hung server.
    pub wait_timeout: Duration,
    /// Connections of the pool that concurrent point reads share, pipelined (at most half the
    /// pool); 0 gives every read a connection of its own.
    pub shared_connections: usize,
    /// A streaming replica of the same database (`postgres://…`), for the reads that may lag a
    /// little: see [`PgStore::lagging_reads`]. Its connections get the same schema and pool
    /// size; it is never written to nor migrated.
    pub replica_url: Option<String>,
    /// Hash partitions by `member_id` for the tables that grow with members' histories
    /// ([`PARTITIONED_TABLES`]), made when they are created; 0 keeps them plain.
    pub partitions: u32,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            pool_size: 16,
            schema: None,
            // Together at most a second: a request that needs the database when it is away (or
            // every connection is stuck) is answered 503 within a second instead of hanging.
            connect_timeout: Duration::from_millis(500),
            wait_timeout: Duration::from_millis(500),
            shared_connections: 4,
            replica_url: None,
            partitions: 0,
        }
    }
}

#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    schema: Option<String>,
    /// Connections that concurrent point reads share (`fetch_shared`).
    shared: std::sync::Arc<shared::SharedClients>,
    /// The streaming replica, when one is configured.
    replica: Option<std::sync::Arc<replica::Replica>>,
    /// Whether this handle's reads go to the replica (`lagging_reads`).
    reads_on_replica: bool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), checks the server answers, and
    /// brings the schema up to date.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect_with(url, PgOptions::default()).await
    }

    /// Like [`PgStore::connect`], but keeps every table in `schema` (created if missing), so
    /// several stores share one database without seeing each other — one per test, say.
    pub async fn connect_with_schema(url: &str, schema: &str) -> Result<PgStore, StoreError> {
        let options = PgOptions {
            schema: Some(schema.to_owned()),
            ..PgOptions::default()
        };
        PgStore::connect_with(url, options).await
    }

    /// Connects with explicit [`PgOptions`]. Connections are made without TLS: a URL that
    /// demands it (`sslmode=require`) is refused with a clear reason.
    pub async fn connect_with(url: &str, options: PgOptions) -> Result<PgStore, StoreError> {
        let (pool, server) = new_pool(url, &options)?;
        let mut client = pool.get().await.map_err(|e| {
            let reason = match error::pool(e) {
                StoreError::Unavailable(reason) | StoreError::Database(reason) => reason,
                other => other.to_string(),
            };
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {server}: {reason}"
            ))
        })?;
        migrate::run(&mut client, options.schema.as_deref()).await?;
        if options.partitions > 0 {
            partition::apply(&mut client, options.schema.as_deref(), options.partitions).await?;
        }
        drop(client);
        let replica = match &options.replica_url {
            Some(url) => Some(std::sync::Arc::new(replica::Replica::new(new_pool(
                url, &options,
            )?))),
            None => None,
        };
        Ok(PgStore {
            pool,
            schema: options.schema,
            shared: std::sync::Arc::new(shared::SharedClients::new(
                options.shared_connections,
                options.pool_size,
            )),
            replica,
            reads_on_replica: false,
        })
    }

    /// This store for reads that may lag a little behind the primary — statements and
    /// statistics: they go to the replica when one is configured and it has replayed
    /// everything the primary had committed when the read began, so a member never sees data
    /// older than their own last write; otherwise (no replica, behind, or away) to the
    /// primary. Writes made through it go to the primary as always.
    pub fn lagging_reads(&self) -> PgStore {
        PgStore {
            reads_on_replica: self.replica.is_some(),
            ..self.clone()
        }
    }

    /// The schema this store keeps its tables in, when it was given one.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// Drops this store's own schema with everything in it: for scratch stores (benchmarks).
    /// A store on the server's default schema refuses.
    pub async fn drop_own_schema(self) -> Result<(), StoreError> {
        let Some(schema) = self.schema.clone() else {
            return Err(StoreError::Conflict("no_own_schema"));
        };
        let client = self.client().await?;
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await
            .map_err(error::db)
    }

    pub(crate) async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(error::pool)
    }
}

/// A pool of connections to `url` with `options` (nothing is connected yet), and the server's
/// address for messages.
fn new_pool(url: &str, options: &PgOptions) -> Result<(Pool, String), StoreError> {
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| StoreError::Unavailable(format!("invalid PostgreSQL URL: {e}")))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(options.connect_timeout);
    }
    if config.get_application_name().is_none() {
        config.application_name("vivienda");
    }
    if let Some(schema) = &options.schema {
        check_schema_name(schema)?;
        // Sent in the start-up packet, so every pooled connection has it from its first
        // statement and no hook or extra round trip is needed.
        let extra = format!("-c search_path={schema}");
        let all = match config.get_options() {
            Some(given) if !given.is_empty() => format!("{given} {extra}"),
            _ => extra,
        };
        config.options(&all);
    }
    let server = describe_server(&config);
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(options.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(options.connect_timeout))
        .wait_timeout(Some(options.wait_timeout))
        .build()
        .map_err(|e| StoreError::Database(e.to_string()))?;
    Ok((pool, server))
}

/// Schema names go into the start-up options and into DDL, so only plain lower-case names
/// are accepted: nothing there can need quoting.
fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let plain = schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain {
        Ok(())
    } else {
        Err(StoreError::Unavailable(format!(
            "invalid PostgreSQL schema name {schema:?}: use lower-case letters, digits and _"
        )))
    }
}

/// "host:port" for messages; never the password.
fn describe_server(config: &tokio_postgres::Config) -> String {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    match config.get_hosts().first() {
        Some(Host::Tcp(host)) => format!("{host}:{port}"),
        #[cfg(unix)]
        Some(Host::Unix(dir)) => format!("{}/.s.PGSQL.{port}", dir.display()),
        None => format!("localhost:{port}"),
    }
}

#[async_trait::async_trait]
impl store::Health for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(error::db)?;
        Ok(())
    }

    fn engine(&self) -> &'static str {
        "postgres"
    }

    fn replica_reads(&self) -> Option<store::ReplicaReads> {
        self.replica.as_ref().map(|r| r.counts())
    }
}
