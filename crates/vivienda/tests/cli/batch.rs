//! `vivienda batch yield` and `vivienda batch contributions` on a demo population, and
//! `vivienda batch reminders`.

use crate::{scratch, text, vivienda};

#[test]
fn batches_post_once_and_explain_what_they_cannot_do() {
    let dir = scratch("batch");
    let out = vivienda(&dir)
        .args(["demo", "--members", "60", "--no-serve"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let db = ["--database-url", "data/demo.db"];

    let out = vivienda(&dir)
        .args(["batch", "yield", "--year", "2025"])
        .args(db)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("yield 2025 at 0.0369 (inflation): "),
        "{stdout}"
    );
    let again = vivienda(&dir)
        .args(["batch", "yield", "--year", "2025"])
        .args(db)
        .output()
        .unwrap();
    assert!(
        text(&again).0.contains("already posted as batch"),
        "{:?}",
        text(&again)
    );

    // A year whose rate is not known yet: one clear line, non-zero.
    let out = vivienda(&dir)
        .args(["batch", "yield", "--year", "2026"])
        .args(db)
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let file = dir.join("pagos.csv");
    std::fs::write(
        &file,
        "nss,nrp,bimester,amount\n12345678903,Y0000000002,2026-5,10.00\n",
    )
    .unwrap();
    let out = vivienda(&dir)
        .args(["batch", "contributions"])
        .arg(&file)
        .args(db)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("0 posted (0.00), 1 rejected"), "{stdout}");
    let rejects = std::fs::read_to_string(dir.join("pagos.rejects.csv")).unwrap();
    assert!(rejects.contains("unknown_nss"), "{rejects}");
}

#[test]
fn the_reminder_batch_says_what_it_queued_and_a_broken_office_file_stops_it() {
    let dir = scratch("reminders");
    let out = vivienda(&dir)
        .args(["batch", "reminders"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("appointment reminders for 20"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(": 0 queued, 0 already sent or changed\n"),
        "{stdout}"
    );

    // A fund's copy of the offices that names a state twice over: one line, the file and line.
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("data/cesi_offices.csv"),
        "code,state,city,name,desks,mon,tue,wed,thu,fri,sat,address\n\
         NLE01,19,Monterrey,CESI Monterrey,4,08:30-14:30,,,,,,Calle 1\n\
         NLE02,14,Guadalajara,CESI Guadalajara,4,08:30-14:30,,,,,,Calle 2\n",
    )
    .unwrap();
    let out = vivienda(&dir)
        .args(["batch", "reminders"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cesi_offices.csv line 3: the code NLE02 should start with JAL"),
        "{stderr}"
    );
}
