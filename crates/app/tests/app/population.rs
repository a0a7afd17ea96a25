use domain::money::Money;
use domain::reference::ReferenceTables;
use store::{MovementFilter, RegistryRepo};
use time::macros::date;

use crate::scratch;

fn config(members: u32) -> synth::Config {
    synth::Config {
        members,
        seed: 11,
        until: date!(2026 - 11 - 25),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_generated_balance_equals_the_sum_of_its_movements() {
    let (_dir, store) = scratch();
    let tables = ReferenceTables::embedded().unwrap();
    let report = app::population::load(&store, &config(400), &tables, &mut |_| {})
        .await
        .unwrap();
    assert!(report.loaded);
    assert_eq!(report.members + report.skipped, 400);
    assert!(report.credits > 50, "{} credits", report.credits);
    let check = store.check_ledger().await.unwrap();
    assert!(check.balances_checked > 400);
    assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);

    // Member by member, through the reads a page uses, and never a negative bucket.
    for sample in &report.samples {
        let nss = domain::ids::Nss::parse(&sample.nss).unwrap();
        let member = store.member_by_nss(&nss).await.unwrap().unwrap();
        let movements = store
            .movements(member.member_id, &MovementFilter::default())
            .await
            .unwrap();
        for b in store.balances(member.member_id).await.unwrap() {
            let sum: Money = movements
                .iter()
                .filter(|m| m.bucket == b.bucket)
                .map(|m| m.amount)
                .sum();
            assert_eq!(sum, b.balance);
            assert!(!b.balance.is_negative());
        }
        for c in store.credits(member.member_id).await.unwrap() {
            let balance = store
                .credit_balance(member.member_id, &c.credit_number)
                .await
                .unwrap();
            let sum: Money = store
                .credit_movements(member.member_id, &c.credit_number)
                .await
                .unwrap()
                .iter()
                .map(|m| m.amount)
                .sum();
            assert_eq!(balance, Some(sum));
            if c.status == domain::registry::CreditStatus::PaidOff {
                assert_eq!(sum, Money::ZERO, "a paid-off credit owes nothing");
            }
        }
    }
    let profiles: Vec<_> = report.samples.iter().map(|s| s.profile).collect();
    assert_eq!(
        profiles,
        [
            "saver",
            "vsm_borrower",
            "pesos_borrower",
            "paid_off",
            "pensioner"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_population_and_loads_once() {
    let tables = ReferenceTables::embedded().unwrap();
    let a: Vec<_> = (0..50)
        .map(|i| synth::member(&config(50), &tables, i).unwrap().person)
        .collect();
    let b: Vec<_> = (0..50)
        .map(|i| synth::member(&config(50), &tables, i).unwrap().person)
        .collect();
    assert_eq!(a, b);
    let other = synth::Config {
        seed: 12,
        ..config(50)
    };
    let c: Vec<_> = (0..50)
        .map(|i| synth::member(&other, &tables, i).unwrap().person)
        .collect();
    assert_ne!(a, c);

    let (_dir, store) = scratch();
    let first = app::population::load(&store, &config(50), &tables, &mut |_| {})
        .await
        .unwrap();
    let second = app::population::load(&store, &config(50), &tables, &mut |_| {})
        .await
        .unwrap();
    assert!(first.loaded && !second.loaded);
    assert_eq!(store.counts().await.unwrap().members, first.members);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_borrowers_read_as_the_credit_pages_show_them() {
    use std::sync::Arc;
    let (_dir, store) = scratch();
    let tables = Arc::new(ReferenceTables::embedded().unwrap());
    let cfg = config(300);
    app::population::load(&store, &cfg, &tables, &mut |_| {})
        .await
        .unwrap();
    let store: Arc<dyn store::Store> = Arc::new(store);
    let credits = app::credit::Credits::new(store.clone(), tables);
    let (mut active, mut late, mut paid_off, mut monthly) = (0, 0, 0, 0);
    for id in 1..=300 {
        let member = domain::registry::MemberId(id);
        for view in credits.credits(member, cfg.until).await.unwrap() {
            let record = credits
                .credit(member, &view.credit.credit_number, cfg.until)
                .await
                .unwrap();
            if record.movements.iter().any(|m| m.reference == "I2026-10") {
                monthly += 1;
            }
            match view.credit.status {
                _ if view.account.paid_off => {
                    paid_off += 1;
                    assert_eq!(view.account.balance, Money::ZERO);
                }
                _ => {
                    active += 1;
                    if view.account.arrears_months > 0 {
                        late += 1;
                    }
                }
            }
        }
    }
    assert!(
        active > 20 && paid_off > 5,
        "{active} active, {paid_off} paid off"
    );
    // The generator pays every instalment: an active credit is up to date.
    assert_eq!(late, 0, "{late} of {active} active credits show arrears");
    // The last two years are posted month by month.
    assert!(
        monthly >= active,
        "{monthly} credits with monthly movements of {active} active"
    );
}
