//! Importing registry files: members, employers, relations, contributions, credits and credit
//! movements.
//!
//! A file is read as a stream, in chunks; every row is validated; bad rows go with their line
//! number and reason to `FILE.rejects.csv` and good rows are kept. The whole file is one batch in
//! one transaction, so a crash leaves the database as it was before the file. The file's SHA-256
//! is recorded, so importing it again changes nothing, and each row's natural key makes a row
//! seen in an earlier file a duplicate rather than a second posting.

mod apply;
pub use domain::import_rows as rows;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{FileIdentity, ImportKind, ImportRecord, ImportTotals, Store, StoreError};

use crate::i18n::{Lang, Messages};
pub use rows::RowError;

/// Rows per chunk: large enough to amortise round trips, small enough to stay flat in memory.
pub const CHUNK_ROWS: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the rejects file {path}: {source}")]
    Rejects {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a {kind} file: expected the header `{expected}`, found `{found}`")]
    Header {
        path: PathBuf,
        kind: &'static str,
        expected: String,
        found: String,
    },
    #[error("{path}, line {line}: the CSV is malformed: {reason}")]
    Malformed {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Read { .. } => "import_read",
            ImportError::Rejects { .. } => "import_rejects_write",
            ImportError::Header { .. } => "import_header",
            ImportError::Malformed { .. } => "import_malformed",
            ImportError::Store(e) => e.code(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub kind: &'static str,
    pub file: PathBuf,
    pub sha256: String,
    /// Set when this exact file had been imported before: nothing was changed.
    pub already_imported_as: Option<i64>,
    pub batch_id: Option<i64>,
    pub rows: u64,
    pub totals: ImportTotals,
    pub rejects_file: Option<PathBuf>,
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl ImportReport {
    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Progress of a running import, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub rows: u64,
}

pub fn header(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Members => rows::MEMBERS,
        ImportKind::Employers => rows::EMPLOYERS,
        ImportKind::Relations => rows::RELATIONS,
        ImportKind::Contributions => rows::CONTRIBUTIONS,
        ImportKind::Credits => rows::CREDITS,
        ImportKind::CreditDiscounts => rows::CREDIT_DISCOUNTS,
        ImportKind::Pensions => rows::PENSIONS,
        ImportKind::Holds => rows::HOLDS,
        ImportKind::CreditMovements
        | ImportKind::RequestPosting
        | ImportKind::CreditConversion
        | ImportKind::ReliefPosting
        | ImportKind::Reindexation
        | ImportKind::Synthetic
        | ImportKind::YieldPosting
        | ImportKind::ContributionPosting => rows::CREDIT_MOVEMENTS,
    }
}

/// `FILE.csv` → `FILE.rejects.csv`, beside it.
pub fn rejects_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.rejects.csv"))
}

pub fn sha256_file(path: &Path) -> Result<String, ImportError> {
    let read_err = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Imports one file of `kind` into `store`.
pub async fn import_file<S: Store + ?Sized>(
    store: &S,
    kind: ImportKind,
    path: &Path,
    messages: &Messages,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let read_err = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let bytes_total = std::fs::metadata(path).map_err(read_err)?.len();
    let sha256 = sha256_file(path)?;
    let mut report = ImportReport {
        kind: kind.code(),
        file: path.to_owned(),
        sha256: sha256.clone(),
        already_imported_as: None,
        batch_id: None,
        rows: 0,
        totals: ImportTotals::default(),
        rejects_file: None,
        elapsed: Duration::ZERO,
    };
    let identity = FileIdentity {
        kind,
        sha256,
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let mut batch = match store.begin_import(&identity).await {
        Ok(batch) => batch,
        Err(StoreError::AlreadyImported { batch_id }) => {
            report.already_imported_as = Some(batch_id);
            report.elapsed = started.elapsed();
            return Ok(report);
        }
        Err(e) => return Err(e.into()),
    };

    let mut reader =
        csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(BufReader::with_capacity(
                1 << 20,
                File::open(path).map_err(read_err)?,
            ));
    check_header(&mut reader, kind, path)?;

    // Parsing and validating run on a thread of their own while this task writes the previous
    // chunk: on two cores the import takes the longer of the two, not their sum.
    let (sender, mut chunks) = tokio::sync::mpsc::channel::<Result<Parsed, ImportError>>(2);
    let parse_path = path.to_owned();
    let parser = std::thread::Builder::new()
        .name("import-parser".into())
        .spawn(move || parse_chunks(reader, kind, &parse_path, &sender))
        .map_err(read_err)?;

    let rejects_path = rejects_path(path);
    let mut rejects = Rejects::new(&rejects_path, messages);
    while let Some(parsed) = chunks.recv().await {
        let parsed = parsed?;
        for (line, row, error) in &parsed.rejected {
            rejects.add(*line, row, *error)?;
        }
        let outcome = parsed.chunk.apply(batch.as_mut()).await?;
        for (line, row, error) in &outcome.rejected {
            rejects.add(*line, row, *error)?;
        }
        report.rows = parsed.rows;
        report.totals.accepted += outcome.accepted;
        report.totals.duplicates += outcome.duplicates;
        report.totals.warnings += outcome.warnings;
        tracing::debug!(rows = report.rows, "import chunk written");
        progress(Progress {
            bytes_read: parsed.bytes_read,
            bytes_total,
            rows: report.rows,
        });
    }
    // The parser has ended (its sender is gone); a panic there is a bug, reported as such.
    if parser.join().is_err() {
        return Err(ImportError::Malformed {
            path: path.to_owned(),
            line: report.rows,
            reason: "the parser stopped unexpectedly".into(),
        });
    }
    report.totals.rejected = rejects.count;
    report.rejects_file = rejects.finish()?;
    let record: ImportRecord = batch.commit(report.totals).await?;
    report.batch_id = Some(record.batch_id);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// A chunk of parsed rows and the rows refused while parsing it.
struct Parsed {
    chunk: apply::Chunk,
    rejected: Vec<(u64, String, RowError)>,
    rows: u64,
    bytes_read: u64,
}

/// Reads the file to the end in chunks, sending each one on; stops early if the receiver has
/// gone (the import failed) or the CSV itself is broken.
fn parse_chunks<R: Read>(
    mut reader: csv::Reader<R>,
    kind: ImportKind,
    path: &Path,
    sender: &tokio::sync::mpsc::Sender<Result<Parsed, ImportError>>,
) {
    let mut rows = 0u64;
    let mut record = csv::StringRecord::new();
    let fresh = || Parsed {
        chunk: apply::Chunk::new(kind),
        rejected: Vec::new(),
        rows: 0,
        bytes_read: 0,
    };
    let mut parsed = fresh();
    loop {
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                let _ = sender.blocking_send(Err(ImportError::Malformed {
                    path: path.to_owned(),
                    line: e.position().map_or(rows + 1, |p| p.line()),
                    reason: e.to_string(),
                }));
                return;
            }
        };
        if more {
            rows += 1;
            let line = record.position().map_or(rows + 1, |p| p.line());
            if let Err(error) = parsed.chunk.push(line, &record) {
                let mut row = String::new();
                apply::join_fields(&mut row, &record);
                parsed.rejected.push((line, row, error));
            }
        }
        let full = parsed.chunk.len() + parsed.rejected.len() >= CHUNK_ROWS;
        if full || !more {
            parsed.rows = rows;
            parsed.bytes_read = reader.position().byte();
            if sender
                .blocking_send(Ok(std::mem::replace(&mut parsed, fresh())))
                .is_err()
            {
                return;
            }
        }
        if !more {
            return;
        }
    }
}

fn check_header<R: Read>(
    reader: &mut csv::Reader<R>,
    kind: ImportKind,
    path: &Path,
) -> Result<(), ImportError> {
    let expected = header(kind);
    let found = reader.headers().map_err(|e| ImportError::Malformed {
        path: path.to_owned(),
        line: 1,
        reason: e.to_string(),
    })?;
    let matches = found.len() == expected.len()
        && found
            .iter()
            .zip(expected)
            .all(|(f, e)| f.trim().eq_ignore_ascii_case(e));
    if matches {
        Ok(())
    } else {
        Err(ImportError::Header {
            path: path.to_owned(),
            kind: kind.code(),
            expected: expected.join(","),
            found: found.iter().collect::<Vec<_>>().join(","),
        })
    }
}

/// The rejects file, created on the first rejected row. A stale one from an earlier run is
/// removed when this run rejects nothing, so what lies beside the file is always current.
struct Rejects<'a> {
    path: PathBuf,
    messages: &'a Messages,
    writer: Option<csv::Writer<File>>,
    count: u64,
}

impl<'a> Rejects<'a> {
    fn new(path: &Path, messages: &'a Messages) -> Self {
        Rejects {
            path: path.to_owned(),
            messages,
            writer: None,
            count: 0,
        }
    }

    fn add(&mut self, line: u64, row: &str, error: RowError) -> Result<(), ImportError> {
        let err = |source| ImportError::Rejects {
            path: self.path.clone(),
            source,
        };
        if self.writer.is_none() {
            let mut w = csv::Writer::from_writer(File::create(&self.path).map_err(err)?);
            w.write_record(["line", "field", "code", "reason", "row"])
                .map_err(|e| err(e.into()))?;
            self.writer = Some(w);
        }
        let reason = self.messages.text(Lang::Es, error.code);
        if let Some(w) = self.writer.as_mut() {
            w.write_record([
                line.to_string().as_str(),
                error.field,
                error.code,
                &reason,
                row,
            ])
            .map_err(|e| err(e.into()))?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<Option<PathBuf>, ImportError> {
        let err = |source| ImportError::Rejects {
            path: self.path.clone(),
            source,
        };
        match self.writer {
            Some(mut w) => {
                w.flush().map_err(err)?;
                Ok(Some(self.path))
            }
            None => {
                match std::fs::remove_file(&self.path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(err(e)),
                }
                Ok(None)
            }
        }
    }
}
