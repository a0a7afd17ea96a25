//! The real binary, run as a user would: exit codes, the one-line failures, serving and
//! stopping on SIGTERM, imports, the ledger and audit-log checks, the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit;
mod backup;
mod batch;
mod crash;
mod outbox;
mod stats;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn vivienda(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vivienda"));
    cmd.current_dir(dir)
        .env_remove("VIVIENDA_DATABASE_URL")
        .env_remove("VIVIENDA_LISTEN")
        .env_remove("VIVIENDA_SMTP_HOST")
        .env_remove("VIVIENDA_SMTP_PORT")
        .env_remove("VIVIENDA_SMTP_FROM")
        .env_remove("VIVIENDA_SMTP_USERNAME")
        .env_remove("VIVIENDA_SMTP_PASSWORD")
        .env("VIVIENDA_DATA_DIR", dir.join("data"))
        .env("VIVIENDA_LOG", "warn");
    cmd
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vivienda-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn validate_prints_one_verdict_per_value_and_fails_on_an_invalid_one() {
    let dir = scratch("validate");
    let out = vivienda(&dir)
        .args([
            "validate",
            "nss",
            "92919084431",
            "12345678903",
            "92919084432",
        ])
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines[0], "92919084431: ok");
    assert_eq!(lines[1], "12345678903: ok");
    assert!(
        lines[2].starts_with("92919084432: invalid: "),
        "{}",
        lines[2]
    );
    assert!(lines[2].ends_with("(nss_check_digit)"));
    assert!(!out.status.success());

    let out = vivienda(&dir)
        .args(["validate", "rfc", "GODE561231GR8", "SIN9311169P8"])
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert!(stdout.contains("GODE561231GR8: ok"));
    assert!(stdout.contains("SIN9311169P8: warning: "), "{stdout}");
    assert!(out.status.success(), "a warning is not a failure");

    let out = vivienda(&dir)
        .args([
            "validate",
            "clabe",
            "032180000118359719",
            "002010077777777779",
        ])
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert!(stdout.contains("032180000118359719: ok"), "{stdout}");
    assert!(stdout.contains("(clabe_check_digit)"));
}

#[test]
fn validate_a_csv_column_writes_a_report() {
    let dir = scratch("validate-csv");
    let file = dir.join("people.csv");
    std::fs::write(
        &file,
        "name,curp\nA,HEGG560427MVZRRL04\nB,PEGL890909MJCRMS09\nC,BEML920313HMCLNS09\n",
    )
    .unwrap();
    let out = vivienda(&dir)
        .args([
            "validate",
            "curp",
            "--csv",
            file.to_str().unwrap(),
            "--column",
            "curp",
        ])
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("3 rows: 2 ok, 0 warnings, 1 invalid"),
        "{stdout}"
    );
    assert!(!out.status.success());
    let report = std::fs::read_to_string(dir.join("people.validation.csv")).unwrap();
    assert!(
        report.contains("3,PEGL890909MJCRMS09,invalid,curp_check_digit"),
        "{report}"
    );
}

#[test]
fn a_start_up_failure_prints_one_clear_line_and_exits_non_zero() {
    let dir = scratch("startup");
    let out = vivienda(&dir)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "postgres://postgres@127.0.0.1:1/test",
        ])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("vivienda: cannot use the PostgreSQL database"),
        "{stderr}"
    );

    let out = vivienda(&dir)
        .args(["serve", "--data-dir", "/proc/vivienda-cannot-write"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("vivienda: cannot use the SQLite database"),
        "{stderr}"
    );

    let out = vivienda(&dir)
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).1.contains("cannot listen on not-an-address"));
}

#[test]
fn serves_then_stops_gracefully_on_sigterm() {
    let dir = scratch("serve");
    let mut child = vivienda(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().rsplit(' ').next().unwrap().to_owned();
    let body = ureq_get(&format!("{url}healthz"));
    assert!(body.contains("ok"), "{body}");
    assert!(
        dir.join("data/vivienda.db").exists(),
        "zero-config start creates the SQLite file"
    );
    // Sign-ins hash a password for tens of milliseconds, a few at a time: SIGTERM arrives while
    // some are still being answered, and every one of them must still get its answer.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let in_flight: Vec<_> = (0..8)
        .map(|_| {
            let url = format!("{url}api/v1/sessions");
            rt.spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .json(&serde_json::json!({ "identifier": "nadie@example.mx", "password": "una frase cualquiera" }))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(20));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    for request in in_flight {
        let status = rt.block_on(request).unwrap();
        assert_eq!(
            status.ok(),
            Some(401),
            "an in-flight request lost its answer"
        );
    }
    let status = wait(&mut child, Duration::from_secs(10));
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn imports_report_and_stay_idempotent_and_the_ledger_audit_passes() {
    let dir = scratch("import");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    for (kind, file) in [
        ("members", "members.csv"),
        ("employers", "employers.csv"),
        ("contributions", "contributions.csv"),
    ] {
        std::fs::copy(examples.join(file), dir.join(file)).unwrap();
        let out = vivienda(&dir)
            .args(["import", kind, file])
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("accepted"), "{stdout}");
    }
    let out = vivienda(&dir)
        .args(["import", "members", "members.csv"])
        .output()
        .unwrap();
    assert!(
        text(&out)
            .0
            .contains("already imported as batch 1; nothing changed")
    );
    assert!(dir.join("members.rejects.csv").exists());
    let out = vivienda(&dir).args(["audit", "ledger"]).output().unwrap();
    assert!(out.status.success());
    assert!(text(&out).0.starts_with("ledger ok: "));
}

#[test]
fn pensions_and_holds_import_with_their_rejects_and_a_bad_sat_authority_stops_the_start() {
    let dir = scratch("pensions");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    for (kind, file, rejected) in [
        ("members", "members.csv", None),
        ("pensions", "pensions.csv", Some("pension_outcome_unknown")),
        ("holds", "holds.csv", Some("hold_lifted_before_placed")),
    ] {
        std::fs::copy(examples.join(file), dir.join(file)).unwrap();
        let out = vivienda(&dir)
            .args(["import", kind, file])
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("accepted"), "{stdout}");
        if let Some(code) = rejected {
            let rejects = dir.join(file.replace(".csv", ".rejects.csv"));
            let rejects = std::fs::read_to_string(rejects).unwrap();
            assert!(rejects.contains(code), "{rejects}");
            assert!(rejects.contains("unknown_nss"), "{rejects}");
        }
    }
    let store = store_of(&dir);
    let julia = block_on(store::RegistryRepo::member_by_nss(
        &store,
        &domain::ids::Nss::parse("14997511119").unwrap(),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(
        block_on(store::RefundRepo::pension_resolutions(
            &store,
            julia.member_id
        ))
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        block_on(store::RefundRepo::subaccount_holds(&store, julia.member_id))
            .unwrap()
            .len(),
        2
    );

    // A file in the SAT authorities' directory that is not a certificate stops the start.
    std::fs::create_dir_all(dir.join("data/sat-ca")).unwrap();
    std::fs::write(dir.join("data/sat-ca/ac-sat.cer"), b"not a certificate").unwrap();
    let out = vivienda(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr
            .lines()
            .last()
            .unwrap_or_default()
            .contains("SAT authority certificates"),
        "{stderr}"
    );
}

#[test]
fn configuration_layers_file_then_environment_then_flags() {
    let dir = scratch("config");
    std::fs::write(dir.join("vivienda.toml"), "data_dir = \"from-file\"\n").unwrap();
    let run = |extra: &[&str], env: Option<&str>| {
        let mut cmd = vivienda(&dir);
        cmd.env_remove("VIVIENDA_DATA_DIR");
        if let Some(v) = env {
            cmd.env("VIVIENDA_DATA_DIR", v);
        }
        cmd.arg("migrate").args(extra).output().unwrap()
    };
    assert!(run(&[], None).status.success());
    assert!(dir.join("from-file/vivienda.db").exists());
    assert!(run(&[], Some("from-env")).status.success());
    assert!(dir.join("from-env/vivienda.db").exists());
    assert!(
        run(&["--data-dir", "from-flag"], Some("from-env"))
            .status
            .success()
    );
    assert!(dir.join("from-flag/vivienda.db").exists());
}

/// The SQLite store the binary uses for `dir`, opened directly to set up or inspect data.
fn store_of(dir: &Path) -> store_sqlite::SqliteStore {
    store_sqlite::SqliteStore::open(&dir.join("data/vivienda.db")).unwrap()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn wait(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the server did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A blocking GET with a fresh runtime, so this test needs no async harness.
fn ureq_get(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
}

#[test]
fn a_secret_key_of_digits_only_is_read_as_written_and_a_bad_one_is_refused() {
    let dir = scratch("secret-key");
    let digits = "1".repeat(64);
    let out = vivienda(&dir)
        .env("VIVIENDA_SECRET_KEY", &digits)
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .unwrap();
    // The key loads (the failure is the address, reported after configuration).
    assert!(
        text(&out).1.contains("cannot listen on not-an-address"),
        "{}",
        text(&out).1
    );
    let out = vivienda(&dir)
        .env("VIVIENDA_SECRET_KEY", "short")
        .args(["demo", "--members", "10", "--no-serve"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out)
            .1
            .contains("secret_key must be 64 hexadecimal digits"),
        "{}",
        text(&out).1
    );
}
