//! Loading the reference tables: the copies built into the binary, each replaced by a file of
//! the same name in the data directory when the fund has dropped a corrected one there.

use std::path::Path;

use domain::appointments::{Offices, offices};
use domain::reference::{FILE_NAMES, ReferenceError, ReferenceTables, State};
use domain::requests::{ServiceStandards, standards};

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
    for name in FILE_NAMES {
        let path = data_dir.join(name);
        match std::fs::read_to_string(&path) {
            // Run from the repository, the data directory holds the built-in copies themselves.
            Ok(text) if Some(text.as_str()) == embedded.get(name) => {}
            Ok(text) => texts.push((name, text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(LoadError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        }
    }
    let mut sources = embedded;
    for (name, text) in &texts {
        sources.set(name, text)?;
    }
    let tables = ReferenceTables::parse(&sources)?;
    let overridden = texts.iter().map(|(name, _)| *name).collect();
    Ok(Loaded { tables, overridden })
}

/// The service standards for requests: `<data-dir>/service_standards.csv` when the fund has put
/// one there, else the built-in copy; `true` when the data directory's copy was used.
pub fn load_service_standards(data_dir: &Path) -> Result<(ServiceStandards, bool), LoadError> {
    let path = data_dir.join(standards::FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) if text != ServiceStandards::embedded_text() => {
            Ok((ServiceStandards::parse(&text)?, true))
        }
        Ok(_) => Ok((ServiceStandards::embedded()?, false)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((ServiceStandards::embedded()?, false))
        }
        Err(source) => Err(LoadError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The relief programmes: `<data-dir>/relief_programmes.csv` when the fund has put one there,
/// else the built-in copy; `true` when the data directory's copy was used.
pub fn load_relief_programmes(
    data_dir: &Path,
) -> Result<(domain::credit::relief::ReliefProgrammes, bool), LoadError> {
    use domain::credit::relief::{FILE_NAME, ReliefProgrammes};
    let path = data_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) if text != ReliefProgrammes::embedded_text() => {
            Ok((ReliefProgrammes::parse(&text)?, true))
        }
        Ok(_) => Ok((ReliefProgrammes::embedded()?, false)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((ReliefProgrammes::embedded()?, false))
        }
        Err(source) => Err(LoadError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The service centres: `<data-dir>/cesi_offices.csv` when the fund has put one there, else the
/// built-in copy, checked against `states`; `true` when the data directory's copy was used.
pub fn load_cesi_offices(data_dir: &Path, states: &[State]) -> Result<(Offices, bool), LoadError> {
    let path = data_dir.join(offices::FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) if text != Offices::embedded_text() => Ok((Offices::parse(&text, states)?, true)),
        Ok(_) => Ok((Offices::embedded(states)?, false)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((Offices::embedded(states)?, false))
        }
        Err(source) => Err(LoadError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("vivienda-reference-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_in_the_data_directory_replaces_the_built_in_copy() {
        let dir = scratch("override");
        let corrected = ReferenceTables::embedded_sources()
            .yields
            .replace("0.0633", "0.0640");
        std::fs::write(dir.join("yields.csv"), corrected).unwrap();
        let loaded = load(&dir).unwrap();
        assert_eq!(loaded.overridden, vec!["yields.csv"]);
        let (rate, _) = loaded.tables.yield_rate(2023).unwrap();
        assert_eq!(rate.to_string(), "0.0640");
    }

    #[test]
    fn an_identical_copy_is_not_an_override_and_a_broken_one_is_an_error() {
        let dir = scratch("same");
        std::fs::write(dir.join("uma.csv"), ReferenceTables::embedded_sources().uma).unwrap();
        assert!(load(&dir).unwrap().overridden.is_empty());
        std::fs::write(dir.join("banks.csv"), "code,name\nnot a bank line\n").unwrap();
        assert!(matches!(load(&dir), Err(LoadError::Invalid(_))));
    }

    #[test]
    fn a_fund_can_change_a_service_standard() {
        let dir = scratch("standards");
        let (_, overridden) = load_service_standards(&dir).unwrap();
        assert!(!overridden);
        let faster = ServiceStandards::embedded_text().replace(
            "deeds,2020-01-01,2099-12-31,30,15,true",
            "deeds,2020-01-01,2099-12-31,25,15,false",
        );
        std::fs::write(dir.join("service_standards.csv"), faster).unwrap();
        let (standards, overridden) = load_service_standards(&dir).unwrap();
        assert!(overridden);
        let on = time::macros::date!(2026 - 11 - 25);
        let deeds = standards
            .standard(domain::requests::RequestKind::Deeds, on)
            .unwrap();
        assert_eq!((deeds.value.business_days, deeds.estimate), (25, false));
        std::fs::write(dir.join("service_standards.csv"), "kind\nnothing\n").unwrap();
        assert!(matches!(
            load_service_standards(&dir),
            Err(LoadError::Invalid(_))
        ));
    }

    #[test]
    fn a_fund_can_reopen_a_relief_programme() {
        use domain::credit::relief::ReliefProgrammes;
        let dir = scratch("relief");
        let (_, overridden) = load_relief_programmes(&dir).unwrap();
        assert!(!overridden);
        // The 2020 deferral opened again for the last months of 2020.
        let longer = ReliefProgrammes::embedded_text().replace(
            "covid_deferral,covid2020,deferral,2020-04-15,2020-08-31,",
            "covid_deferral,covid2020,deferral,2020-04-15,2020-12-31,",
        );
        std::fs::write(dir.join("relief_programmes.csv"), longer).unwrap();
        let (programmes, overridden) = load_relief_programmes(&dir).unwrap();
        assert!(overridden);
        let on = time::macros::date!(2020 - 11 - 02);
        assert!(programmes.row("covid_deferral", on).unwrap().is_open(on));
        std::fs::write(dir.join("relief_programmes.csv"), "programme\nnothing\n").unwrap();
        assert!(matches!(
            load_relief_programmes(&dir),
            Err(LoadError::Invalid(_))
        ));
    }

    #[test]
    fn a_fund_can_replace_the_offices_and_a_broken_file_says_where() {
        let dir = scratch("offices");
        let states = ReferenceTables::embedded().unwrap().states;
        let (offices, overridden) = load_cesi_offices(&dir, &states).unwrap();
        assert!(!overridden);
        assert_eq!(offices.len(), 103);
        let saturdays = Offices::embedded_text().replacen(
            "CESI Aguascalientes Centro,4,08:30-14:30,08:30-14:30,08:30-14:30,08:30-14:30,08:30-14:30,,",
            "CESI Aguascalientes Centro,6,08:30-14:30,08:30-14:30,08:30-14:30,08:30-14:30,08:30-14:30,09:00-13:00,",
            1,
        );
        assert_ne!(saturdays, Offices::embedded_text());
        std::fs::write(dir.join("cesi_offices.csv"), &saturdays).unwrap();
        let (offices, overridden) = load_cesi_offices(&dir, &states).unwrap();
        assert!(overridden);
        let ags = offices.by_code("AGU01").unwrap();
        assert_eq!(ags.desks, 6);
        assert!(ags.hours_on(time::Weekday::Saturday).is_some());
        let twice =
            format!("{saturdays}AGU01,01,Aguascalientes,CESI Otra,2,08:30-14:30,,,,,,Calle 9\n");
        std::fs::write(dir.join("cesi_offices.csv"), twice).unwrap();
        match load_cesi_offices(&dir, &states) {
            Err(LoadError::Invalid(e)) => {
                let text = e.to_string();
                assert!(text.starts_with("cesi_offices.csv line 121:"), "{text}");
                assert!(text.contains("listed twice"), "{text}");
            }
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("a broken file was accepted"),
        }
    }
}
