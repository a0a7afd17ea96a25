use std::path::{Path, PathBuf};

use app::import::{ImportReport, import_file};
use domain::ids::Nss;
use domain::money::Money;
use domain::registry::CreditNumber;
use store::{ImportKind, ImportRepo, RegistryRepo};

use crate::{messages, scratch};

/// Copies a documented example file into the scratch directory, so rejects land there.
fn example(dir: &Path, name: &str) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples")
        .join(name);
    let target = dir.join(name);
    std::fs::copy(source, &target).unwrap();
    target
}

async fn import(store: &store_sqlite::SqliteStore, kind: ImportKind, path: &Path) -> ImportReport {
    import_file(store, kind, path, &messages(), &mut |_| {})
        .await
        .unwrap()
}

fn rejects(report: &ImportReport) -> Vec<(u64, String)> {
    let Some(path) = &report.rejects_file else {
        return Vec::new();
    };
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut found: Vec<(u64, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), r[2].to_owned())
        })
        .collect();
    found.sort();
    found
}

async fn import_all(dir: &Path, store: &store_sqlite::SqliteStore) -> Vec<ImportReport> {
    let mut reports = Vec::new();
    for (kind, file) in [
        (ImportKind::Members, "members.csv"),
        (ImportKind::Employers, "employers.csv"),
        (ImportKind::Relations, "relations.csv"),
        (ImportKind::Contributions, "contributions.csv"),
        (ImportKind::Credits, "credits.csv"),
        (ImportKind::CreditMovements, "credit-movements.csv"),
        (ImportKind::CreditDiscounts, "credit-discounts.csv"),
    ] {
        reports.push(import(store, kind, &example(dir, file)).await);
    }
    reports
}

#[tokio::test]
async fn example_files_keep_good_rows_and_reject_bad_ones_with_reasons() {
    let (dir, store) = scratch();
    let r = import_all(&dir, &store).await;

    let members = &r[0];
    assert_eq!((members.totals.accepted, members.totals.rejected), (4, 2));
    assert_eq!((members.totals.duplicates, members.totals.warnings), (1, 1));
    assert_eq!(
        rejects(members),
        vec![
            (5, "nss_check_digit".into()),
            (6, "curp_birth_date_mismatch".into())
        ]
    );
    assert_eq!(rejects(&r[1]), vec![(4, "nrp_format".into())]);
    assert_eq!(r[2].totals.accepted, 4);
    assert_eq!(
        rejects(&r[2]),
        vec![
            (6, "unknown_employer".into()),
            (7, "end_before_start".into())
        ]
    );
    let contributions = &r[3];
    assert_eq!(
        (
            contributions.totals.accepted,
            contributions.totals.duplicates
        ),
        (4, 1)
    );
    assert_eq!(
        rejects(contributions),
        vec![
            (7, "bimester_number".into()),
            (8, "nss_check_digit".into()),
            (9, "unknown_nss".into()),
            (10, "amount_too_many_decimals".into()),
        ]
    );
    assert_eq!(rejects(&r[4]), vec![(4, "amount_vsm_missing".into())]);
    assert_eq!(
        rejects(&r[5]),
        vec![
            (5, "amount_sign_for_kind".into()),
            (6, "unknown_credit".into())
        ]
    );
    assert_eq!(r[6].totals.accepted, 3);
    assert_eq!(
        rejects(&r[6]),
        vec![
            (5, "unknown_credit".into()),
            (6, "discount_value_format".into())
        ]
    );

    // What was kept is really there, with balances that follow the movements.
    let maria = store
        .member_by_nss(&Nss::parse("01908567892").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(maria.person.given_names, "MARÍA");
    let total: Money = store
        .balances(maria.member_id)
        .await
        .unwrap()
        .iter()
        .map(|b| b.balance)
        .sum();
    assert_eq!(total, Money::parse("3476.62").unwrap());
    let credit = CreditNumber::parse("1901234567").unwrap();
    assert_eq!(
        store
            .credit_balance(maria.member_id, &credit)
            .await
            .unwrap(),
        Some(Money::parse("639773.33").unwrap())
    );
    assert_eq!(store.relations(maria.member_id).await.unwrap().len(), 3);
    assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
    // Every reason in a rejects file is a translated sentence, not a code.
    let text = std::fs::read_to_string(r[3].rejects_file.as_ref().unwrap()).unwrap();
    assert!(text.contains("El bimestre debe ir del 1"), "{text}");
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let (dir, store) = scratch();
    let first = import_all(&dir, &store).await;
    let counts = store.counts().await.unwrap();
    let again = import_all(&dir, &store).await;
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(b.already_imported_as, a.batch_id, "{}", a.kind);
    }
    assert_eq!(store.counts().await.unwrap(), counts);
    assert_eq!(store.imports().await.unwrap().len(), 7);
}

#[tokio::test]
async fn rows_seen_in_an_earlier_file_are_duplicates_not_second_postings() {
    let (dir, store) = scratch();
    import_all(&dir, &store).await;
    let before = store.counts().await.unwrap();
    // A new file (different bytes) that repeats two payments and adds one.
    let path = dir.join("contributions-2.csv");
    std::fs::write(
        &path,
        "nss,nrp,bimester,amount,booked_on\n\
         01908567892,Y0000000001,2015-1,937.50,2015-03-17\n\
         38957812340,Y0000000002,2020-3,878.40,2020-07-17\n\
         38957812340,Y0000000002,2020-4,878.40,2020-09-17\n",
    )
    .unwrap();
    let report = import(&store, ImportKind::Contributions, &path).await;
    assert_eq!((report.totals.accepted, report.totals.duplicates), (1, 2));
    assert_eq!(report.rejects_file, None);
    assert_eq!(
        store.counts().await.unwrap().movements,
        before.movements + 1
    );
    assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
}

#[tokio::test]
async fn a_file_of_the_wrong_kind_is_refused_whole() {
    let (dir, store) = scratch();
    let path = example(&dir, "employers.csv");
    let err = import_file(&store, ImportKind::Members, &path, &messages(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), "import_header");
    assert_eq!(store.counts().await.unwrap().employers, 0);
    // Nothing was recorded, so the right import still works.
    let ok = import(&store, ImportKind::Employers, &path).await;
    assert_eq!(ok.totals.accepted, 2);
}

#[tokio::test]
async fn a_malformed_file_leaves_nothing_behind() {
    let (dir, store) = scratch();
    let path = dir.join("members.csv");
    let good = std::fs::read_to_string(example(&dir, "members.csv")).unwrap();
    // Valid rows first, then bytes that are not UTF-8: the batch must not keep the first rows.
    let mut bytes = good.into_bytes();
    bytes.extend_from_slice(b"\xff\xfe,broken\n");
    std::fs::write(&path, bytes).unwrap();
    let err = import_file(&store, ImportKind::Members, &path, &messages(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), "import_malformed");
    assert_eq!(store.counts().await.unwrap().members, 0);
}
