//! Loading the reference tables: the copies built into the binary, each replaced by a file of
//! the same name in the data directory when the fund has dropped a corrected one there.

use std::path::Path;

use domain::reference::{FILE_NAMES, ReferenceError, ReferenceSources, ReferenceTables};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(#[from] ReferenceError),
}

/// The tables in force, and which files came from the data directory.
pub struct Loaded {
    pub tables: ReferenceTables,
    pub overridden: Vec<&'static str>,
}

pub fn load(data_dir: &Path) -> Result<Loaded, LoadError> {
    let embedded = ReferenceTables::embedded_sources();
    let mut texts: Vec<(&'static str, String)> = Vec::new();
    let mut overridden = Vec::new();
    for name in FILE_NAMES {
        let path = data_dir.join(name);
        match std::fs::read_to_string(&path) {
            // Run from the repository, the data directory holds the built-in copies themselves.
            Ok(text) if Some(text.as_str()) == embedded.get(name) => {}
            Ok(text) => {
                overridden.push(name);
                texts.push((name, text));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(LoadError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        }
    }
    let pick = |name: &str, builtin: &'static str| -> &str {
        texts
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(builtin, |(_, t)| t.as_str())
    };
    let sources = ReferenceSources {
        uma: pick("uma.csv", embedded.uma),
        minimum_wage: pick("minimum_wage.csv", embedded.minimum_wage),
        umi: pick("umi.csv", embedded.umi),
        inflation: pick("inflation.csv", embedded.inflation),
        yields: pick("yields.csv", embedded.yields),
        states: pick("states.csv", embedded.states),
        banks: pick("banks.csv", embedded.banks),
    };
    let tables = ReferenceTables::parse(&sources)?;
    Ok(Loaded { tables, overridden })
}
