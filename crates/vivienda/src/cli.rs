//! The command line. Every common option is also an environment variable and a key of
//! `vivienda.toml`; the command line wins, then the environment, then the file, then defaults.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "vivienda",
    version,
    about = "Portal de autoservicio para derechohabientes de un fondo de vivienda"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, global = true, env = "VIVIENDA_LISTEN")]
    pub listen: Option<String>,
    /// `postgres://…` for PostgreSQL, or a SQLite file path [default: DATA_DIR/vivienda.db]
    #[arg(long, global = true, env = "VIVIENDA_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and reference-table overrides [default: ./data]
    #[arg(long, global = true, env = "VIVIENDA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Configuration file [default: ./vivienda.toml when it exists]
    #[arg(long, global = true, env = "VIVIENDA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format
    #[arg(long, global = true, env = "VIVIENDA_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the portal
    Serve,
    /// Generate a synthetic population into DATA_DIR/demo.db and serve it
    Demo {
        #[arg(long, default_value_t = 20_000)]
        members: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Generate and load, print the sample accounts, but do not serve
        #[arg(long)]
        no_serve: bool,
    },
    /// Create or update the database schema
    Migrate,
    /// Import a registry file (see docs/imports.md)
    Import { kind: ImportKindArg, file: PathBuf },
    /// Validate identifiers: prints ok, warning or invalid for each value
    Validate {
        kind: IdKindArg,
        values: Vec<String>,
        /// Validate a column of a CSV file instead, writing FILE.validation.csv
        #[arg(long, requires = "column")]
        csv: Option<PathBuf>,
        #[arg(long)]
        column: Option<String>,
    },
    /// Integrity checks
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
    /// Post money to the ledger: a bimester's employer payments, or a year's yield
    Batch {
        #[command(subcommand)]
        what: BatchCommand,
    },
    /// List the latest notifications (how codes are read when no SMTP server is configured),
    /// or deliver the pending ones with `outbox send`
    Outbox {
        #[command(subcommand)]
        what: Option<OutboxCommand>,
        /// How many messages to list, newest first
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Show each message's body too
        #[arg(long)]
        body: bool,
    },
    /// Create a back-office operator (the first admin of an installation, usually): prints the
    /// first password and the authenticator key once
    CreateOperator {
        /// 3 to 32 lower-case letters, digits, dots or dashes, starting with a letter
        #[arg(long)]
        username: String,
        /// The person's name as the back office shows it
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Copy the database (consistently, while the server runs), the uploaded documents and the
    /// server key into DEST, a new or empty directory, with a manifest of hashes and row counts
    Backup { dest: PathBuf },
    /// Restore a backup made by `vivienda backup`: checks it whole, then swaps it in, keeping
    /// the replaced database beside it, and checks the ledger and the audit log again
    Restore {
        src: PathBuf,
        /// Replace an existing database (stop the server first)
        #[arg(long)]
        force: bool,
    },
    /// Generate calibrated portal usage into the database: account holders and their accounts
    /// opened over time (at scale 1 the fund's published figures), sessions and consultations
    /// in June 2020, August 2024 and the 30 days up to --until; then summarise it
    Generate {
        /// 1.0 is the fund's size (16 million accounts by 2024); counts scale with it
        #[arg(long, default_value_t = 0.01)]
        scale: f64,
        /// Nothing is generated after this day, YYYY-MM-DD
        #[arg(long, value_parser = parse_date)]
        until: time::Date,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Usage statistics as of a date, from the summaries (`vivienda batch stats` keeps them
    /// current): accounts, states, daily and monthly users, sessions, procedures, service times
    Report {
        /// The last day counted, YYYY-MM-DD
        #[arg(long, value_parser = parse_date)]
        as_of: time::Date,
        #[arg(long, value_enum, default_value_t = ReportFormatArg::Text)]
        format: ReportFormatArg,
        /// Days back from the date over which users, sessions and procedures are counted
        #[arg(long, default_value_t = 30)]
        window: u32,
        /// Language of the text format
        #[arg(long, default_value = "es-MX")]
        lang: String,
    },
    /// Measure this machine: import throughput
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Agent,
    Supervisor,
    Auditor,
    Admin,
}

impl RoleArg {
    pub fn role(self) -> domain::operators::Role {
        match self {
            RoleArg::Agent => domain::operators::Role::Agent,
            RoleArg::Supervisor => domain::operators::Role::Supervisor,
            RoleArg::Auditor => domain::operators::Role::Auditor,
            RoleArg::Admin => domain::operators::Role::Admin,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Prove every subaccount balance equals the sum of its movements
    Ledger,
    /// Walk every chain of the audit log and report the first entry that was altered or removed
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum OutboxCommand {
    /// Deliver pending e-mail through the configured SMTP server, marking each sent or failed
    Send,
}

#[derive(Subcommand, Debug)]
pub enum BatchCommand {
    /// Post one bimester's employer payments (nss,nrp,bimester,amount[,paid_on]); bad rows go
    /// to FILE.rejects.csv, unpaid employees to FILE.arrears.csv
    Contributions { file: PathBuf },
    /// Post year Y's yield on every SCV 92, SCV 97 and Solo Infonavit balance, once
    Yield {
        #[arg(long)]
        year: i32,
    },
    /// Re-index every active VSM credit on 1 January of year Y by the UMI increase, once
    Reindex {
        #[arg(long)]
        year: i32,
    },
    /// Queue the e-mail and SMS reminders of tomorrow's CESI appointments, each once; run it
    /// every day (again the same day sends nothing more)
    Reminders,
    /// Bring the usage statistics' summaries up to today (from a little before the last day
    /// summarised), or rewrite the days FROM..=TO
    Stats {
        #[arg(long, value_parser = parse_date, requires = "to")]
        from: Option<time::Date>,
        #[arg(long, value_parser = parse_date, requires = "from")]
        to: Option<time::Date>,
    },
    /// Run the batches queued from the back office until none waits (`vivienda serve` runs
    /// them by itself; this is for an instance that only runs batches)
    Queued,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Generate and import ledger rows into the configured database, printing rows/s
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Only write the files (members.csv, employers.csv, contributions.csv) into DIR
        #[arg(long, value_name = "DIR")]
        write_only: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormatArg {
    Text,
    Csv,
    Json,
}

/// A date written YYYY-MM-DD.
pub fn parse_date(text: &str) -> Result<time::Date, String> {
    domain::dates::parse_iso(text).map_err(|_| format!("{text:?} is not a date written YYYY-MM-DD"))
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ImportKindArg {
    Members,
    Employers,
    Relations,
    Contributions,
    Credits,
    CreditMovements,
    CreditDiscounts,
    Pensions,
    Holds,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum IdKindArg {
    Nss,
    Curp,
    Rfc,
    Clabe,
}
