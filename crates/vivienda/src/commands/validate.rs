//! `vivienda validate nss|curp|rfc|clabe VALUE…` and `--csv FILE --column NAME`.

use std::path::Path;
use std::process::ExitCode;

use app::i18n::Lang;
use app::validate::{IdKind, Verdict, check, check_column, describe};

use crate::cli::IdKindArg;
use crate::config::Config;
use crate::wiring;

fn kind_of(arg: IdKindArg) -> IdKind {
    match arg {
        IdKindArg::Nss => IdKind::Nss,
        IdKindArg::Curp => IdKind::Curp,
        IdKindArg::Rfc => IdKind::Rfc,
        IdKindArg::Clabe => IdKind::Clabe,
    }
}

pub fn run(
    config: &Config,
    kind: IdKindArg,
    values: &[String],
    csv: Option<&Path>,
    column: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let messages = wiring::messages()?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let kind = kind_of(kind);
    let mut any_invalid = false;
    for value in values {
        let verdict = check(kind, value, &tables.banks);
        any_invalid |= matches!(verdict, Verdict::Invalid { .. });
        println!("{value}: {}", describe(&verdict, &messages, Lang::Es));
    }
    if let (Some(csv), Some(column)) = (csv, column) {
        let report = check_column(kind, csv, column, &tables.banks, &messages)?;
        println!(
            "{}: {} rows: {} ok, {} warnings, {} invalid; report in {}",
            csv.display(),
            report.rows,
            report.ok,
            report.warnings,
            report.invalid,
            report.report_file.display()
        );
        any_invalid |= report.invalid > 0;
    } else if values.is_empty() {
        anyhow::bail!("give values to validate, or --csv FILE --column NAME");
    }
    Ok(if any_invalid {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
