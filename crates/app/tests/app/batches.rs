//! The posting batches: a year's yield once per member, and a bimester's employer payments
//! with every kind of bad row rejected and the good ones kept.

use std::path::Path;

use app::batch::contributions::post_contributions;
use app::batch::yields::post_yield;
use domain::money::Money;
use domain::reference::ReferenceTables;
use domain::registry::{Bucket, MemberId, MovementKind};
use store::{ImportKind, MovementFilter, RegistryRepo};
use time::macros::date;

use crate::{messages, scratch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_yield_is_posted_once_and_its_total_is_the_sum_of_the_postings() {
    let (_dir, store) = scratch();
    let tables = ReferenceTables::embedded().unwrap();
    let config = synth::Config {
        members: 200,
        seed: 5,
        until: date!(2024 - 11 - 25),
    };
    app::population::load(&store, &config, &tables, &mut |_| {})
        .await
        .unwrap();
    let members: Vec<MemberId> = (1..=200).map(MemberId).collect();
    let mut before = Vec::new();
    for m in &members {
        before.push(store.balances(*m).await.unwrap());
    }

    let report = post_yield(&store, &tables, 2024, date!(2024 - 12 - 31), &mut |_| {})
        .await
        .unwrap();
    assert!(report.postings > 50, "{report:?}");
    let (rate, _) = tables.yield_rate(2024).unwrap();
    assert_eq!(report.rate, rate);
    let mut sum = Money::ZERO;
    let mut postings = 0;
    for (m, balances) in members.iter().zip(&before) {
        let yields = store
            .movements(
                *m,
                &MovementFilter {
                    kinds: vec![MovementKind::Yield],
                    ..MovementFilter::default()
                },
            )
            .await
            .unwrap();
        for y in yields.iter().filter(|y| y.period == 2024) {
            assert_ne!(y.bucket, Bucket::Fondo7292, "the Fondo 72-92 earns nothing");
            assert_eq!(y.booked_on, date!(2024 - 12 - 31));
            let base = balances
                .iter()
                .find(|b| b.bucket == y.bucket)
                .unwrap()
                .balance;
            assert_eq!(y.amount, domain::savings::yearly_yield(base, rate));
            sum += y.amount;
            postings += 1;
        }
    }
    assert_eq!(
        sum, report.total,
        "the fund-wide total is the sum of the postings"
    );
    assert_eq!(postings, report.postings);
    assert!(store.check_ledger().await.unwrap().mismatches.is_empty());

    let again = post_yield(&store, &tables, 2024, date!(2024 - 12 - 31), &mut |_| {})
        .await
        .unwrap();
    assert!(again.previous_batch.is_some(), "{again:?}");
    assert_eq!(again.postings, 0);
    // The generator already posted 2023: none is posted twice.
    let y2025 = post_yield(&store, &tables, 2023, date!(2024 - 12 - 31), &mut |_| {})
        .await
        .unwrap();
    // (A balance that was empty at the end of 2023 and has money now gets its first 2023
    // yield: the batch is meant to run at the end of its year.)
    assert!(y2025.postings < 5, "{y2025:?}");
    assert!(y2025.already_posted > 50);
    assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
    assert!(
        post_yield(&store, &tables, 2031, date!(2024 - 12 - 31), &mut |_| {})
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contribution_file_keeps_the_good_rows_and_says_why_each_bad_one_was_refused() {
    let (dir, store) = scratch();
    let tables = ReferenceTables::embedded().unwrap();
    for (kind, file) in [
        (ImportKind::Members, "members.csv"),
        (ImportKind::Employers, "employers.csv"),
        (ImportKind::Relations, "relations.csv"),
    ] {
        let copy = dir.join(file);
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../docs/examples")
                .join(file),
            &copy,
        )
        .unwrap();
        app::import::import_file(&store, kind, &copy, &messages(), &mut |_| {})
            .await
            .unwrap();
    }
    // Bimester 5 of 2026 has 61 days: María earns $520.00 a day at Y0000000002
    // (0.05 × 520 × 61 = $1,586.00); Juan $288.00 there (0.05 × 288 × 61 = $878.40).
    let file = dir.join("pagos-2026-5.csv");
    std::fs::write(
        &file,
        "nss,nrp,bimester,amount\n\
         01908567892,Y0000000002,2026-5,1586.00\n\
         12345678903,Y0000000002,2026-5,100.00\n\
         0190856789,Y0000000002,2026-5,100.00\n\
         38957812340,Y0000000001,2026-5,878.40\n\
         38957812340,Y0000000002,2026-5,100.00\n\
         01908567892,Y0000000002,2026-5,1586.00\n\
         01908567892,Y0000000002,2026-4,1586.00\n\
         01908567892,Y0001,2026-5,abc\n",
    )
    .unwrap();
    let report = post_contributions(&store, &tables, &file).await.unwrap();
    assert_eq!(report.posted, 1, "{report:?}");
    assert_eq!(report.total, Money::parse("1586.00").unwrap());
    assert_eq!(report.rejected, 7);
    let rejects = std::fs::read_to_string(report.rejects_file.unwrap()).unwrap();
    let reasons: Vec<&str> = rejects
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "unknown_nss",
            "unknown_nss",
            "no_relation_in_bimester",
            "amount_not_five_percent",
            "duplicate_in_file",
            "other_bimester",
            "invalid_nrp"
        ],
        "{rejects}"
    );
    assert!(rejects.contains("expected 878.40"), "{rejects}");
    // Juan worked for Y0000000002 in that bimester and it did not pay for him.
    assert_eq!(report.arrears, 1);
    let arrears = std::fs::read_to_string(report.arrears_file.unwrap()).unwrap();
    assert_eq!(
        arrears,
        "nss,nrp,bimester\n38957812340,Y0000000002,2026-5\n"
    );
    let maria = store
        .member_by_nss(&domain::ids::Nss::parse("01908567892").unwrap())
        .await
        .unwrap()
        .unwrap();
    let balances = store.balances(maria.member_id).await.unwrap();
    assert_eq!(balances[0].bucket, Bucket::Scv97);
    assert_eq!(balances[0].balance, Money::parse("1586.00").unwrap());

    // The same file again changes nothing; the same payment in another file is refused.
    let again = post_contributions(&store, &tables, &file).await.unwrap();
    assert!(again.previous_batch.is_some());
    let repeat = dir.join("repetido.csv");
    std::fs::write(
        &repeat,
        "nss,nrp,bimester,amount\n01908567892,Y0000000002,2026-5,1586.00\n",
    )
    .unwrap();
    let report = post_contributions(&store, &tables, &repeat).await.unwrap();
    assert_eq!(report.posted, 0);
    let rejects = std::fs::read_to_string(report.rejects_file.unwrap()).unwrap();
    assert!(rejects.contains("already_posted"), "{rejects}");
    assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vsm_credit_is_reindexed_by_a_worked_example_once_even_if_the_batch_runs_twice() {
    use app::batch::reindex::reindex_vsm_credits;
    use domain::registry::{
        Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
        Denomination,
    };
    use store::{FileIdentity, ImportRepo, ImportTotals};

    let (_dir, store) = scratch();
    let tables = ReferenceTables::embedded().unwrap();
    let people = [store::contract::person(1), store::contract::person(2)];
    let mut batch = store
        .begin_import(&FileIdentity {
            kind: ImportKind::Synthetic,
            sha256: "ab".repeat(32),
            file_name: "credits".into(),
        })
        .await
        .unwrap();
    let ids = batch.insert_members(&people).await.unwrap();
    let credit = |member, number: &str, denomination| Credit {
        credit_number: CreditNumber::parse(number).unwrap(),
        member_id: member,
        product: CreditProduct::Tradicional,
        denomination,
        originated_on: date!(2009 - 03 - 02),
        amount: Money::parse("250000").unwrap(),
        amount_vsm: None,
        rate: "0.06".parse().unwrap(),
        term_months: 360,
        status: CreditStatus::Active,
    };
    let vsm = credit(ids[0], "0900000001", Denomination::Vsm);
    let pesos = credit(ids[1], "0900000002", Denomination::Pesos);
    batch
        .insert_credits(&[vsm.clone(), pesos.clone()])
        .await
        .unwrap();
    let movement = |c: &Credit, reference: &str, kind, booked_on, amount: &str| CreditMovement {
        member_id: c.member_id,
        credit_number: c.credit_number.clone(),
        reference: reference.into(),
        kind,
        booked_on,
        amount: Money::parse(amount).unwrap(),
    };
    batch
        .insert_credit_movements(&[
            movement(
                &vsm,
                "D",
                CreditMovementKind::Disbursement,
                date!(2009 - 03 - 02),
                "260000",
            ),
            movement(
                &vsm,
                "P2020",
                CreditMovementKind::PayrollPayment,
                date!(2020 - 12 - 31),
                "-10000",
            ),
            // Paid after the close of the year: not part of the base.
            movement(
                &vsm,
                "P2021",
                CreditMovementKind::PayrollPayment,
                date!(2021 - 01 - 05),
                "-2000",
            ),
            movement(
                &pesos,
                "D",
                CreditMovementKind::Disbursement,
                date!(2009 - 03 - 02),
                "250000",
            ),
        ])
        .await
        .unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();

    let report = reindex_vsm_credits(&store, &tables, 2021, date!(2021 - 01 - 20), &mut |_| {})
        .await
        .unwrap();
    // UMI 84.55 → 87.21: 250,000.00 × (87.21 / 84.55 − 1) = 7,865.1685… → 7,865.17.
    assert_eq!(report.postings, 1, "{report:?}");
    assert_eq!(report.total, Money::parse("7865.17").unwrap());
    let moves = store
        .credit_movements(ids[0], &vsm.credit_number)
        .await
        .unwrap();
    let r = moves.iter().find(|m| m.reference == "R2021").unwrap();
    assert_eq!(r.kind, CreditMovementKind::Reindexation);
    assert_eq!(r.booked_on, date!(2021 - 01 - 01));
    assert_eq!(r.amount, Money::parse("7865.17").unwrap());
    assert_eq!(
        store
            .credit_balance(ids[0], &vsm.credit_number)
            .await
            .unwrap(),
        Some(Money::parse("255865.17").unwrap())
    );
    // The peso credit does not move.
    assert_eq!(
        store
            .credit_balance(ids[1], &pesos.credit_number)
            .await
            .unwrap(),
        Some(Money::parse("250000").unwrap())
    );

    // Run again: nothing happens, and the balance stays.
    let again = reindex_vsm_credits(&store, &tables, 2021, date!(2021 - 02 - 01), &mut |_| {})
        .await
        .unwrap();
    assert!(again.previous_batch.is_some(), "{again:?}");
    assert_eq!(again.postings, 0);
    assert_eq!(
        store
            .credit_balance(ids[0], &vsm.credit_number)
            .await
            .unwrap(),
        Some(Money::parse("255865.17").unwrap())
    );
    // A year still to come is refused.
    assert!(
        reindex_vsm_credits(&store, &tables, 2022, date!(2021 - 12 - 31), &mut |_| {})
            .await
            .is_err()
    );
}
