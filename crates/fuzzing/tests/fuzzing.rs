//! Replays every kept fuzz input (`fuzz/corpus/<target>/`) through the function its target
//! drives, so what the fuzzer once found stays tested on every run, without the fuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    let files = corpus(target);
    // The corpora are kept in the repository; an empty one would make this test mean nothing.
    assert!(
        files.len() >= 10,
        "fuzz/corpus/{target} has only {} inputs",
        files.len()
    );
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(
            outcome.is_ok(),
            "{} makes the {target} target fail",
            file.display()
        );
    }
}

#[test]
fn identifiers_corpus_replays_clean() {
    replay("identifiers", fuzzing::identifiers);
}

#[test]
fn import_rows_corpus_replays_clean() {
    replay("import_rows", fuzzing::import_rows);
}

#[test]
fn efirma_corpus_replays_clean() {
    replay("efirma", fuzzing::efirma);
}

/// The checks can fail: a value a parser accepts is read back, and a broken parser is caught.
#[test]
fn the_round_trip_check_catches_a_parser_that_does_not_read_back() {
    fuzzing::identifiers(b"12345678901");
    let outcome = std::panic::catch_unwind(|| {
        fuzzing::check_round_trip(
            "broken",
            "7",
            |t: &str| t.parse::<u32>().map_err(|_| ()),
            |n| format!("{n}0"),
        )
    });
    assert!(outcome.is_err());
}

/// A fresh e.firma (certificate, key encrypted with the targets' password, authority bundle)
/// goes through the target's success paths, as the seeds in the corpus do.
#[test]
fn a_real_efirma_goes_through_the_target() {
    use efirma::testing::{Authority, Holder, TestKey};
    let key = TestKey::generate();
    let authority = Authority::sat(&key);
    let holder = Holder::new(
        "MARIA GARCIA LOPEZ",
        "GALM800101AB1",
        "GALM800101MDFRPR09",
        time::macros::datetime!(2024-01-01 0:00 UTC),
        time::macros::datetime!(2028-01-01 0:00 UTC),
    );
    let certificate = holder.issue(&key, &authority);
    assert!(efirma::Certificate::from_der(&certificate).is_ok());
    assert!(
        efirma::PrivateKey::decrypt(&key.sat_key(fuzzing::KEY_PASSWORD), fuzzing::KEY_PASSWORD)
            .is_ok()
    );
    if std::env::var_os("VIVIENDA_WRITE_FUZZ_SEEDS").is_some() {
        // Writes the e.firma seeds of the corpus (run once, when the target changes).
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/efirma");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, pick, bytes) in [
            ("seed-certificate", 0u8, certificate.clone()),
            ("seed-key", 1, key.sat_key(fuzzing::KEY_PASSWORD)),
            ("seed-authority-pem", 2, authority.pem.clone().into_bytes()),
        ] {
            let mut data = vec![pick];
            data.extend_from_slice(&bytes);
            std::fs::write(dir.join(name), data).unwrap();
        }
    }
}
