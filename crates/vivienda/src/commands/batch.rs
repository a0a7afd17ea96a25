//! `vivienda batch contributions FILE`, `vivienda batch yield --year Y`, `vivienda batch reindex
//! --year Y`, `vivienda batch reminders` and `vivienda batch queued`.

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::wiring;

pub async fn contributions(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let started = std::time::Instant::now();
    let report =
        app::batch::contributions::post_contributions(store.as_ref(), &tables, file).await?;
    if let Some(batch) = report.previous_batch {
        println!(
            "{}: already posted as batch {batch}; nothing changed",
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: bimester {}, {} rows in {:.2} s: {} posted ({}), {} rejected, {} unpaid by their employer",
        file.display(),
        report.bimester.as_deref().unwrap_or("?"),
        report.rows,
        started.elapsed().as_secs_f64(),
        report.posted,
        report.total,
        report.rejected,
        report.arrears
    );
    for path in [&report.rejects_file, &report.arrears_file]
        .into_iter()
        .flatten()
    {
        println!("  see {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn yields(config: &Config, year: i32) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let today = time::OffsetDateTime::now_utc().date();
    let bar = wiring::progress_bar(0, "balances");
    let started = std::time::Instant::now();
    let report = app::batch::yields::post_yield(store.as_ref(), &tables, year, today, &mut |n| {
        bar.set_message(format!("{n} balances"));
    })
    .await?;
    bar.finish_and_clear();
    if let Some(batch) = report.previous_batch {
        println!("yield {year}: already posted as batch {batch}; nothing changed");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "yield {year} at {} ({}): {} balances read, {} postings, total {} in {:.2} s; {} already had it",
        report.rate,
        report.rate_source,
        report.balances_read,
        report.postings,
        report.total,
        started.elapsed().as_secs_f64(),
        report.already_posted
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn reindex(config: &Config, year: i32) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let today = time::OffsetDateTime::now_utc().date();
    let bar = wiring::progress_bar(0, "credits");
    let started = std::time::Instant::now();
    let report =
        app::batch::reindex::reindex_vsm_credits(store.as_ref(), &tables, year, today, &mut |n| {
            bar.set_message(format!("{n} credits"))
        })
        .await?;
    bar.finish_and_clear();
    if let Some(batch) = report.previous_batch {
        println!("reindexation {year}: already posted as batch {batch}; nothing changed");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "reindexation {year} by {}: {} VSM credits read, {} postings, total {} in {:.2} s; {} already had it",
        report.factor.round_dp(6),
        report.credits_read,
        report.postings,
        report.total,
        started.elapsed().as_secs_f64(),
        report.already_posted
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn reminders(config: &Config) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let appointments = wiring::appointments(config, store, &tables, wiring::messages()?)?;
    let run = appointments.remind_tomorrow().await?;
    let day = run.day.map(domain::dates::iso).unwrap_or_default();
    println!(
        "appointment reminders for {day}: {} queued, {} already sent or changed",
        run.queued, run.skipped
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn queued(config: &Config) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let runner = wiring::job_runner(config, store)?;
    let mut ran = 0;
    while let Some(job) = runner.run_next().await? {
        ran += 1;
        println!(
            "job {} ({}): {}{}",
            job.job_id,
            job.kind,
            job.state.code(),
            job.error.map(|e| format!(": {e}")).unwrap_or_default()
        );
    }
    println!("{ran} queued batches run; none waits");
    Ok(ExitCode::SUCCESS)
}
