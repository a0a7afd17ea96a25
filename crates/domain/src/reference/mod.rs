//! Reference tables: the published values the fund's rules rest on — UMA, minimum wage, UMI,
//! inflation and INPC, housing-subaccount yields, states and bank codes — each looked up by the
//! date (or year) it applies to.
//!
//! The tables are data, not code: CSV files in the repository's `data/` directory, compiled in as
//! the default copy. A fund corrects or extends them without a release by dropping a file of the
//! same name in its data directory; the app reads the files and passes their text to
//! [`ReferenceTables::parse`], so this module does no IO. A date or year a table does not cover is
//! an error, never a neighbouring value. `docs/reference-tables.md` describes every file.

pub(crate) mod csv;
mod load;
mod table;
mod tables;
mod values;

pub use table::{EffectiveTable, Period, PeriodError, YearTable};
pub use tables::{FILE_NAMES, ReferenceSources, ReferenceTables};
pub use values::{
    Banks, DAYS_PER_MONTH, IndexValue, InflationYear, MinimumWage, State, Uma, Umi, YearRate,
    YieldSource,
};

/// Why a reference value could not be given, or a table could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The date (or year) is before the first or after the last the table covers.
    #[error("{table} has no value for {date}: it covers {first} to {last}")]
    OutOfRange {
        table: &'static str,
        date: String,
        first: String,
        last: String,
    },
    /// The table covers the key but this value was not published (a December INPC not loaded).
    #[error("{table} has no {column} for {key}")]
    Missing {
        table: &'static str,
        key: String,
        column: &'static str,
    },
    /// A line of a file is not in the file's format.
    #[error("{file} line {line}: {reason}")]
    Parse {
        file: &'static str,
        line: usize,
        reason: String,
    },
    /// A well-formed line breaks a rule of its table (overlapping periods, a duplicate code, a
    /// monthly UMA that is not daily × 30.4).
    #[error("{file} line {line}: {reason}")]
    Invalid {
        file: &'static str,
        line: usize,
        reason: String,
    },
    /// A file name that is not one of [`FILE_NAMES`].
    #[error("{name} is not a reference table file")]
    UnknownFile { name: String },
}

impl ReferenceError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange { .. } => "reference_out_of_range",
            Self::Missing { .. } => "reference_missing",
            Self::Parse { .. } => "reference_parse",
            Self::Invalid { .. } => "reference_invalid",
            Self::UnknownFile { .. } => "reference_unknown_file",
        }
    }
}
