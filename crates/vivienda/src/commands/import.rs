//! `vivienda import KIND FILE`.

use std::path::Path;
use std::process::ExitCode;

use store::ImportKind;

use crate::cli::ImportKindArg;
use crate::config::Config;
use crate::wiring;

pub fn kind_of(arg: ImportKindArg) -> ImportKind {
    match arg {
        ImportKindArg::Members => ImportKind::Members,
        ImportKindArg::Employers => ImportKind::Employers,
        ImportKindArg::Relations => ImportKind::Relations,
        ImportKindArg::Contributions => ImportKind::Contributions,
        ImportKindArg::Credits => ImportKind::Credits,
        ImportKindArg::CreditMovements => ImportKind::CreditMovements,
        ImportKindArg::CreditDiscounts => ImportKind::CreditDiscounts,
        ImportKindArg::Pensions => ImportKind::Pensions,
        ImportKindArg::Holds => ImportKind::Holds,
    }
}

pub async fn run(config: &Config, kind: ImportKindArg, file: &Path) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let messages = wiring::messages()?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let bar = wiring::progress_bar(size, "bytes");
    let started = std::time::Instant::now();
    let report =
        app::import::import_file(store.as_ref(), kind_of(kind), file, &messages, &mut |p| {
            bar.set_position(p.bytes_read);
            let rate = p.rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{} rows, {rate:.0} rows/s", p.rows));
        })
        .await?;
    bar.finish_and_clear();
    if let Some(batch) = report.already_imported_as {
        println!(
            "{}: already imported as batch {batch}; nothing changed",
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let t = report.totals;
    println!(
        "{}: {} rows in {:.2} s ({:.0} rows/s): {} accepted, {} rejected, {} duplicates, {} warnings (batch {})",
        file.display(),
        report.rows,
        report.elapsed.as_secs_f64(),
        report.rows_per_second(),
        t.accepted,
        t.rejected,
        t.duplicates,
        t.warnings,
        report.batch_id.unwrap_or_default(),
    );
    if let Some(rejects) = &report.rejects_file {
        println!("rejected rows, with line and reason: {}", rejects.display());
    }
    Ok(ExitCode::SUCCESS)
}
