//! The contract every store adapter passes. Adapters expand [`contract_tests!`] in their own
//! test binary with a function that returns a fresh, empty, migrated store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use domain::bimester::Bimester;
use domain::ids::generate::{self, NameParts};
use domain::money::Money;
use domain::registry::{
    Bucket, Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, Employer, MemberId, Movement, MovementKind, Nrp, Person, RelationPeriod, Sex,
    StateCode,
};
use time::macros::date;

use crate::{FileIdentity, ImportKind, ImportTotals, MovementFilter, Store, StoreError};

/// Expands to one `#[tokio::test]` per contract case, each on a fresh store from `$fresh().await`.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::contract_tests!(@cases $fresh;
            members_round_trip, batch_is_invisible_until_commit, same_file_is_imported_once,
            movements_are_posted_once_and_balances_follow, relations_and_credits_round_trip,
            movement_filter_and_order, counts_and_import_records);
    };
    (@cases $fresh:path; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::contract::$case(&$fresh().await).await;
            }
        )*
    };
}

fn file(kind: ImportKind, tag: &str) -> FileIdentity {
    FileIdentity {
        kind,
        sha256: format!("{:0>64}", tag),
        file_name: format!("{tag}.csv"),
    }
}

/// A valid person whose identifiers derive from `n`.
pub fn person(n: u16) -> Person {
    let names = ["ANA", "LUIS", "MARTA", "JORGE", "SOFIA", "PEDRO"];
    let surnames = [
        "GARCIA",
        "LOPEZ",
        "HERNANDEZ",
        "MARTINEZ",
        "PEREZ",
        "SANCHEZ",
    ];
    let given = names[usize::from(n) % names.len()];
    let first = surnames[usize::from(n) % surnames.len()];
    let second = surnames[usize::from(n / 7) % surnames.len()];
    let name = NameParts {
        first_surname: first,
        second_surname: second,
        given_names: given,
    };
    let birth = date!(1970 - 01 - 01) + time::Duration::days(i64::from(n) * 37);
    let sex = if n.is_multiple_of(2) {
        Sex::Female
    } else {
        Sex::Male
    };
    Person {
        nss: generate::nss(1, 1990, birth.year(), n),
        curp: generate::curp(&name, birth, sex, "DF", (n % 10) as u8),
        rfc: generate::rfc_person(&name, birth),
        first_surname: first.into(),
        second_surname: second.into(),
        given_names: given.into(),
        birth_date: birth,
        sex,
        state: StateCode(9),
    }
}

fn nrp(n: u32) -> Nrp {
    Nrp::parse(&format!("Y{:010}", n)).unwrap_or_else(|_| unreachable!())
}

async fn import_members(store: &impl Store, tag: &str, people: &[Person]) -> Vec<MemberId> {
    let mut batch = store
        .begin_import(&file(ImportKind::Members, tag))
        .await
        .unwrap();
    let ids = batch.insert_members(people).await.unwrap();
    batch
        .commit(ImportTotals {
            accepted: ids.len() as u64,
            ..Default::default()
        })
        .await
        .unwrap();
    ids
}

fn contribution(member: MemberId, bimester: &str, employer: i64, pesos: i64) -> Movement {
    let b = Bimester::parse(bimester).unwrap();
    Movement {
        member_id: member,
        bucket: Bucket::for_contribution(b),
        kind: MovementKind::Contribution,
        period: b.key(),
        source: employer,
        amount: Money::from_centavos(pesos * 100),
        booked_on: b.last_day(),
    }
}

pub async fn members_round_trip(store: &impl Store) {
    let people: Vec<Person> = (1..=5).map(person).collect();
    let ids = import_members(store, "m1", &people).await;
    assert_eq!(ids.len(), 5);
    for (p, id) in people.iter().zip(&ids) {
        let by_id = store.member(*id).await.unwrap().unwrap();
        assert_eq!(&by_id.person, p);
        assert_eq!(
            store
                .member_by_nss(&p.nss)
                .await
                .unwrap()
                .unwrap()
                .member_id,
            *id
        );
        assert_eq!(
            store
                .member_by_curp(&p.curp)
                .await
                .unwrap()
                .unwrap()
                .member_id,
            *id
        );
    }
    assert!(
        store
            .member_by_nss(&person(99).nss)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.member(MemberId(987_654)).await.unwrap().is_none());
}

pub async fn batch_is_invisible_until_commit(store: &impl Store) {
    let p = person(7);
    let mut batch = store
        .begin_import(&file(ImportKind::Members, "m2"))
        .await
        .unwrap();
    let ids = batch
        .insert_members(std::slice::from_ref(&p))
        .await
        .unwrap();
    assert_eq!(
        batch
            .member_ids(std::slice::from_ref(&p.nss))
            .await
            .unwrap(),
        vec![Some(ids[0])]
    );
    assert!(
        store.member_by_nss(&p.nss).await.unwrap().is_none(),
        "seen before commit"
    );
    drop(batch);
    assert!(
        store.member_by_nss(&p.nss).await.unwrap().is_none(),
        "a dropped batch left rows"
    );
    assert!(store.imports().await.unwrap().is_empty());
    // The same file can be imported after a batch that never committed.
    import_members(store, "m2", std::slice::from_ref(&p)).await;
    assert!(store.member_by_nss(&p.nss).await.unwrap().is_some());
}

pub async fn same_file_is_imported_once(store: &impl Store) {
    import_members(store, "m3", &[person(8)]).await;
    match store.begin_import(&file(ImportKind::Members, "m3")).await {
        Err(StoreError::AlreadyImported { .. }) => {}
        Err(other) => panic!("expected already_imported, got {other}"),
        Ok(_) => panic!("the same file was accepted twice"),
    }
}

pub async fn movements_are_posted_once_and_balances_follow(store: &impl Store) {
    let ids = import_members(store, "m4", &[person(10), person(11)]).await;
    let (a, b) = (ids[0], ids[1]);
    let rows = vec![
        contribution(a, "1996-3", 1, 100),
        contribution(a, "2020-1", 1, 250),
        contribution(a, "2020-1", 1, 250), // the same payment again, in the same batch
        contribution(a, "2020-1", 2, 40),  // another employer, same bimester
        contribution(b, "2020-2", 1, 75),
    ];
    let mut batch = store
        .begin_import(&file(ImportKind::Contributions, "c1"))
        .await
        .unwrap();
    assert_eq!(batch.insert_movements(&rows).await.unwrap(), 4);
    batch.commit(ImportTotals::default()).await.unwrap();

    // A later batch repeating a payment posts nothing new.
    let mut batch = store
        .begin_import(&file(ImportKind::Contributions, "c2"))
        .await
        .unwrap();
    let again = vec![
        contribution(a, "2020-1", 1, 250),
        contribution(b, "2020-3", 1, 80),
    ];
    assert_eq!(batch.insert_movements(&again).await.unwrap(), 1);
    batch.commit(ImportTotals::default()).await.unwrap();

    let balances = store.balances(a).await.unwrap();
    let of = |bucket| {
        balances
            .iter()
            .find(|x| x.bucket == bucket)
            .map(|x| x.balance)
    };
    assert_eq!(of(Bucket::Scv92), Some(Money::from_centavos(10_000)));
    assert_eq!(of(Bucket::Scv97), Some(Money::from_centavos(29_000)));
    assert_eq!(of(Bucket::Fondo7292), None);
    let b_total: Money = store
        .balances(b)
        .await
        .unwrap()
        .iter()
        .map(|x| x.balance)
        .sum();
    assert_eq!(b_total, Money::from_centavos(15_500));

    let check = store.check_ledger().await.unwrap();
    assert_eq!(check.balances_checked, 3);
    assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);
}

pub async fn relations_and_credits_round_trip(store: &impl Store) {
    let id = import_members(store, "m5", &[person(12)]).await[0];
    let employer = Employer {
        nrp: nrp(42),
        name: "CONSTRUCTORA DEL NORTE SA DE CV".into(),
        state: StateCode(19),
        sector: "construccion".into(),
    };
    let first = RelationPeriod {
        member_id: id,
        nrp: nrp(42),
        start_date: date!(2015 - 03 - 01),
        end_date: Some(date!(2019 - 12 - 31)),
        wage_from: date!(2015 - 03 - 01),
        daily_wage: Money::from_centavos(35_000),
    };
    let raise = RelationPeriod {
        wage_from: date!(2017 - 01 - 01),
        daily_wage: Money::from_centavos(41_250),
        ..first.clone()
    };
    let credit = Credit {
        credit_number: CreditNumber::parse("1419000123").unwrap(),
        member_id: id,
        product: CreditProduct::Tradicional,
        denomination: Denomination::Vsm,
        originated_on: date!(2008 - 05 - 20),
        amount: Money::from_centavos(35_000_000),
        amount_vsm: Some("219.36".parse().unwrap()),
        rate: "0.09".parse().unwrap(),
        term_months: 360,
        status: CreditStatus::Active,
    };
    let movement = |reference: &str, kind, pesos: i64| CreditMovement {
        member_id: id,
        credit_number: credit.credit_number.clone(),
        reference: reference.into(),
        kind,
        booked_on: date!(2008 - 06 - 30),
        amount: Money::from_centavos(pesos * 100),
    };
    let mut batch = store
        .begin_import(&file(ImportKind::Synthetic, "r1"))
        .await
        .unwrap();
    assert_eq!(
        batch
            .insert_employers(&[employer.clone(), employer.clone()])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        batch.employers_known(&[nrp(42), nrp(43)]).await.unwrap(),
        vec![true, false]
    );
    assert_eq!(
        batch
            .insert_relations(&[raise.clone(), first.clone()])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        batch
            .insert_credits(std::slice::from_ref(&credit))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        batch
            .credit_owners(std::slice::from_ref(&credit.credit_number))
            .await
            .unwrap(),
        vec![Some(id)]
    );
    let moves = [
        movement("D1", CreditMovementKind::Disbursement, 350_000),
        movement("P1", CreditMovementKind::PayrollPayment, -2_500),
        movement("P1", CreditMovementKind::PayrollPayment, -2_500),
    ];
    assert_eq!(batch.insert_credit_movements(&moves).await.unwrap(), 2);
    batch.commit(ImportTotals::default()).await.unwrap();

    assert_eq!(store.employer(&nrp(42)).await.unwrap(), Some(employer));
    assert_eq!(store.relations(id).await.unwrap(), vec![first, raise]);
    assert_eq!(store.credits(id).await.unwrap(), vec![credit.clone()]);
    assert_eq!(
        store
            .credit_balance(id, &credit.credit_number)
            .await
            .unwrap(),
        Some(Money::from_centavos(34_750_000))
    );
    assert_eq!(
        store
            .credit_movements(id, &credit.credit_number)
            .await
            .unwrap()
            .len(),
        2
    );
    // Another member's id finds nothing.
    assert_eq!(
        store
            .credit_balance(MemberId(id.0 + 1), &credit.credit_number)
            .await
            .unwrap(),
        None
    );
}

pub async fn movement_filter_and_order(store: &impl Store) {
    let id = import_members(store, "m6", &[person(13)]).await[0];
    let mut rows = vec![
        contribution(id, "2021-1", 1, 10),
        contribution(id, "2020-2", 1, 20),
        contribution(id, "1995-2", 1, 30),
    ];
    rows.push(Movement {
        member_id: id,
        bucket: Bucket::Scv97,
        kind: MovementKind::Yield,
        period: 2020,
        source: 0,
        amount: Money::from_centavos(150),
        booked_on: date!(2020 - 12 - 31),
    });
    let mut batch = store
        .begin_import(&file(ImportKind::Synthetic, "f1"))
        .await
        .unwrap();
    batch.insert_movements(&rows).await.unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();

    let all = store
        .movements(id, &MovementFilter::default())
        .await
        .unwrap();
    let dates: Vec<_> = all.iter().map(|m| m.booked_on).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "movements come oldest first");
    assert_eq!(all.len(), 4);

    let yields = MovementFilter {
        kinds: vec![MovementKind::Yield],
        ..Default::default()
    };
    assert_eq!(store.movements(id, &yields).await.unwrap().len(), 1);
    let scv92 = MovementFilter {
        buckets: vec![Bucket::Scv92],
        ..Default::default()
    };
    assert_eq!(store.movements(id, &scv92).await.unwrap().len(), 1);
    let in_2020 = MovementFilter {
        from: Some(date!(2020 - 01 - 01)),
        to: Some(date!(2020 - 12 - 31)),
        ..Default::default()
    };
    assert_eq!(store.movements(id, &in_2020).await.unwrap().len(), 2);
}

pub async fn counts_and_import_records(store: &impl Store) {
    import_members(store, "m7", &[person(20), person(21), person(22)]).await;
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.members, 3);
    assert_eq!(counts.movements, 0);
    let imports = store.imports().await.unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].kind, "members");
    assert_eq!(imports[0].totals.accepted, 3);
    store.ping().await.unwrap();
}
