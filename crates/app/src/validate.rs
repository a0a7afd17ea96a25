//! `vivienda validate`: checking identifiers one by one or a whole CSV column at a time.

use std::path::{Path, PathBuf};

use domain::ids::{BankDirectory, Clabe, Curp, IdError, Nss, Rfc};
use serde::Serialize;

use crate::i18n::{Lang, Messages};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Nss,
    Curp,
    Rfc,
    Clabe,
}

impl IdKind {
    pub fn from_code(code: &str) -> Option<IdKind> {
        match code {
            "nss" => Some(IdKind::Nss),
            "curp" => Some(IdKind::Curp),
            "rfc" => Some(IdKind::Rfc),
            "clabe" => Some(IdKind::Clabe),
            _ => None,
        }
    }
}

/// The verdict on one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    Ok,
    Warning { code: &'static str },
    Invalid { code: &'static str },
}

pub fn check(kind: IdKind, value: &str, banks: &impl BankDirectory) -> Verdict {
    let invalid = |e: IdError| Verdict::Invalid { code: e.code() };
    match kind {
        IdKind::Nss => Nss::parse(value).map_or_else(invalid, |_| Verdict::Ok),
        IdKind::Curp => Curp::parse(value).map_or_else(invalid, |_| Verdict::Ok),
        IdKind::Clabe => {
            Clabe::parse_with_banks(value, banks).map_or_else(invalid, |_| Verdict::Ok)
        }
        IdKind::Rfc => match Rfc::parse(value) {
            Err(e) => invalid(e),
            Ok(rfc) => match rfc.warning() {
                Some(w) => Verdict::Warning { code: w.code() },
                None => Verdict::Ok,
            },
        },
    }
}

/// The line printed for a verdict: `ok`, `warning: …` or `invalid: …`.
pub fn describe(verdict: &Verdict, messages: &Messages, lang: Lang) -> String {
    match verdict {
        Verdict::Ok => "ok".to_owned(),
        Verdict::Warning { code } => format!("warning: {} ({code})", messages.text(lang, code)),
        Verdict::Invalid { code } => format!("invalid: {} ({code})", messages.text(lang, code)),
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ColumnReport {
    pub rows: u64,
    pub ok: u64,
    pub warnings: u64,
    pub invalid: u64,
    pub report_file: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ColumnError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, String),
    #[error("cannot write {0}: {1}")]
    Write(PathBuf, String),
    #[error("{file} has no column named `{column}`")]
    NoColumn { file: PathBuf, column: String },
}

/// Validates one column of a CSV file as a stream, writing `FILE.validation.csv` with the line,
/// value and verdict of every row that is not plainly valid.
pub fn check_column(
    kind: IdKind,
    path: &Path,
    column: &str,
    banks: &impl BankDirectory,
    messages: &Messages,
) -> Result<ColumnReport, ColumnError> {
    let read_err = |e: &dyn std::fmt::Display| ColumnError::Read(path.to_owned(), e.to_string());
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| read_err(&e))?;
    let index = reader
        .headers()
        .map_err(|e| read_err(&e))?
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(column))
        .ok_or_else(|| ColumnError::NoColumn {
            file: path.to_owned(),
            column: column.to_owned(),
        })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report_file = path.with_file_name(format!("{stem}.validation.csv"));
    let write_err =
        |e: &dyn std::fmt::Display| ColumnError::Write(report_file.clone(), e.to_string());
    let mut out = csv::Writer::from_path(&report_file).map_err(|e| write_err(&e))?;
    out.write_record(["line", "value", "verdict", "code", "message"])
        .map_err(|e| write_err(&e))?;
    let mut report = ColumnReport {
        report_file: report_file.clone(),
        ..Default::default()
    };
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| read_err(&e))? {
        report.rows += 1;
        let value = record.get(index).unwrap_or("");
        let verdict = check(kind, value, banks);
        let (label, code) = match &verdict {
            Verdict::Ok => {
                report.ok += 1;
                continue;
            }
            Verdict::Warning { code } => {
                report.warnings += 1;
                ("warning", *code)
            }
            Verdict::Invalid { code } => {
                report.invalid += 1;
                ("invalid", *code)
            }
        };
        let line = record.position().map_or(0, |p| p.line()).to_string();
        out.write_record([
            line.as_str(),
            value,
            label,
            code,
            &messages.text(Lang::Es, code),
        ])
        .map_err(|e| write_err(&e))?;
    }
    out.flush().map_err(|e| write_err(&e))?;
    Ok(report)
}
