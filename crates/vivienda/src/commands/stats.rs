//! `vivienda report` and `vivienda batch stats`: usage statistics from the summaries, and the
//! refresh that keeps them current.

use std::process::ExitCode;
use std::sync::Arc;

use app::i18n::Lang;
use app::stats::{ReportFormat, Statistics};
use time::Date;

use crate::cli::ReportFormatArg;
use crate::config::Config;
use crate::wiring;

async fn statistics(config: &Config) -> anyhow::Result<Statistics> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    Ok(Statistics::new(store, Arc::new(tables)))
}

pub async fn refresh(config: &Config, range: Option<(Date, Date)>) -> anyhow::Result<ExitCode> {
    let stats = statistics(config).await?;
    let today = domain::dates::mexico_city_date(time::OffsetDateTime::now_utc());
    let done = match range {
        Some((from, to)) if from > to => {
            eprintln!("--from must not be after --to");
            return Ok(ExitCode::FAILURE);
        }
        Some((from, to)) => Some(stats.refresh_range(from, to).await?),
        None => stats.refresh(today).await?,
    };
    match done {
        Some(done) => println!(
            "statistics summarised: {} days, {} daily cells, {} monthly cells",
            done.days, done.cells, done.months
        ),
        None => println!("statistics: no accounts or sessions yet"),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn generate(
    config: &Config,
    scale: f64,
    until: Date,
    seed: u64,
) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let config = app::stats::UsageConfig { scale, until, seed };
    let started = std::time::Instant::now();
    let mut progress = |what: &str, n: usize| {
        eprintln!("{n} {what} ({:.0} s)", started.elapsed().as_secs_f64());
    };
    match app::stats::generate(store.as_ref(), &tables, config, &mut progress).await {
        Ok(done) => {
            println!(
                "generated {} accounts and {} sessions ({}) through {} in {:.1} s; \
                 statistics summarised: {} days",
                done.accounts,
                done.sessions,
                done.windows
                    .iter()
                    .map(|(from, to)| format!("{from}..{to}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                domain::dates::iso(until),
                started.elapsed().as_secs_f64(),
                done.refresh.days
            );
            if done.already_registered > 0 {
                println!(
                    "{} generated holders were left out: their NSS or CURP was registered already",
                    done.already_registered
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e @ (app::stats::GenerateError::Scale(_) | app::stats::GenerateError::AlreadyGenerated),
        ) => {
            eprintln!("{e}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn report(
    config: &Config,
    as_of: Date,
    format: ReportFormatArg,
    window: u32,
    lang: &str,
) -> anyhow::Result<ExitCode> {
    let Some(lang) = Lang::from_tag(lang) else {
        eprintln!("unknown language {lang:?}: use es-MX or en");
        return Ok(ExitCode::FAILURE);
    };
    let store = wiring::open_store(config, "vivienda.db").await?;
    let until = store.stats_refreshed_until().await?;
    if until.is_none_or(|until| until < as_of) {
        eprintln!(
            "note: the summaries reach {}; run `vivienda batch stats` to bring them up to date",
            until.map_or_else(|| "no day yet".to_owned(), domain::dates::iso)
        );
    }
    let tables = wiring::reference_tables(&config.data_dir)?;
    let report = app::stats::build_report(store.as_ref(), &tables, as_of, window).await?;
    let format = match format {
        ReportFormatArg::Text => ReportFormat::Text,
        ReportFormatArg::Csv => ReportFormat::Csv,
        ReportFormatArg::Json => ReportFormat::Json,
    };
    let messages = wiring::messages()?;
    print!("{}", app::stats::render(&report, format, &messages, lang));
    Ok(ExitCode::SUCCESS)
}
