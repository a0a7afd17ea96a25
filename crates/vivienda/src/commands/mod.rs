//! One module per subcommand.

mod audit;
mod backup;
mod batch;
mod bench;
mod create_operator;
mod demo;
mod import;
mod outbox;
mod serve;
mod stats;
mod validate;

use std::process::ExitCode;

use crate::cli::{AuditCommand, BatchCommand, BenchCommand, Command, OutboxCommand};
use crate::config::Config;
use crate::wiring;

pub async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            let (store, lagging) = wiring::open_stores(&config, "vivienda.db").await?;
            serve::serve(&config, store, lagging).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            members,
            seed,
            no_serve,
        } => demo::run(&config, members, seed, no_serve).await,
        Command::Migrate => {
            let store = wiring::open_store(&config, "vivienda.db").await?;
            println!("schema up to date ({})", store.engine());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { kind, file } => import::run(&config, kind, &file).await,
        Command::Validate {
            kind,
            values,
            csv,
            column,
        } => validate::run(&config, kind, &values, csv.as_deref(), column.as_deref()),
        Command::Audit {
            what: AuditCommand::Ledger,
        } => audit::ledger(&config).await,
        Command::Audit {
            what: AuditCommand::Verify,
        } => audit::verify(&config).await,
        Command::Batch {
            what: BatchCommand::Contributions { file },
        } => batch::contributions(&config, &file).await,
        Command::Batch {
            what: BatchCommand::Yield { year },
        } => batch::yields(&config, year).await,
        Command::Batch {
            what: BatchCommand::Reindex { year },
        } => batch::reindex(&config, year).await,
        Command::Batch {
            what: BatchCommand::Reminders,
        } => batch::reminders(&config).await,
        Command::Batch {
            what: BatchCommand::Queued,
        } => batch::queued(&config).await,
        Command::Batch {
            what: BatchCommand::Stats { from, to },
        } => stats::refresh(&config, from.zip(to)).await,
        Command::Generate { scale, until, seed } => {
            stats::generate(&config, scale, until, seed).await
        }
        Command::Report {
            as_of,
            format,
            window,
            lang,
        } => stats::report(&config, as_of, format, window, &lang).await,
        Command::Outbox {
            what: None,
            limit,
            body,
        } => outbox::list(&config, limit, body).await,
        Command::Outbox {
            what: Some(OutboxCommand::Send),
            ..
        } => outbox::send(&config).await,
        Command::CreateOperator {
            username,
            name,
            role,
        } => create_operator::run(&config, &username, &name, role.role()).await,
        Command::Backup { dest } => backup::backup(&config, &dest).await,
        Command::Restore { src, force } => backup::restore(&config, &src, force).await,
        Command::Bench {
            what: BenchCommand::Import { rows, write_only },
        } => bench::import(&config, rows, write_only).await,
    }
}
