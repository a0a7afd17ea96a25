//! `vivienda generate` and `vivienda report`: calibrated usage into a database, the report as
//! text, CSV and JSON as of a date, `vivienda batch stats`, and the one-line failures.

use crate::{scratch, text, vivienda};

#[test]
fn generate_then_report_as_of_a_date_in_three_formats() {
    let dir = scratch("stats");
    let out = vivienda(&dir)
        .args([
            "generate",
            "--scale",
            "0.0005",
            "--until",
            "2020-06-30",
            "--seed",
            "3",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("generated 4558 accounts"), "{stdout}");

    let out = vivienda(&dir)
        .args(["report", "--as-of", "2020-06-30"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Cuentas registradas: 4,558"), "{stdout}");
    assert!(stdout.contains("1. Ciudad de México"), "{stdout}");
    assert!(
        stdout.contains("Duración media de la sesión: 6 min 54 s"),
        "{stdout}"
    );
    assert!(stdout.contains("1. Responsabilidad Compartida"), "{stdout}");

    let out = vivienda(&dir)
        .args(["report", "--as-of", "2020-06-30", "--format", "csv"])
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with("section,key,value\n"), "{stdout}");
    assert!(stdout.contains("accounts,registered,4558\n"), "{stdout}");

    let out = vivienda(&dir)
        .args([
            "report",
            "--as-of",
            "2019-12-31",
            "--format",
            "json",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        json["accounts"]["registered"],
        (8_253_324.0f64 * 0.0005).round() as i64
    );

    let out = vivienda(&dir)
        .args([
            "batch",
            "stats",
            "--from",
            "2020-06-01",
            "--to",
            "2020-06-30",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("statistics summarised: 30 days"),
        "{stdout}"
    );

    let out = vivienda(&dir)
        .args(["report", "--as-of", "30/06/2020"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("is not a date written YYYY-MM-DD"),
        "{stderr}"
    );

    let out = vivienda(&dir)
        .args([
            "generate",
            "--scale",
            "0.0005",
            "--until",
            "2020-06-30",
            "--seed",
            "3",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("generated into this database before"),
        "{stderr}"
    );
}
