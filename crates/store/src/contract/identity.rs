//! The contract for NSS changes and unifications: every centavo of the record that disappears
//! reaches the record that stays, colliding movements add up, the account follows, the old NSS
//! still finds the member, and a refused or repeated unification writes nothing.

use domain::identity::{AccountPlan, Mismatch, Refusal};
use domain::ids::generate::{self, NameParts};
use domain::money::Money;
use domain::registry::{Bucket, MemberId, Person};
use time::macros::date;

use super::{
    at, audit_count, audit_entry, conflict, contribution, file, import_members,
    member_with_account, person,
};
use crate::{ImportKind, ImportTotals, MEMBER_TABLES, MovementFilter, Store, Unification};

/// The same person as `p` under another NSS and CURP (a homonym digit apart).
fn twin(p: &Person, serial: u16) -> Person {
    let name = NameParts {
        first_surname: &p.first_surname,
        second_surname: &p.second_surname,
        given_names: &p.given_names,
    };
    let mut twin = p.clone();
    twin.nss = generate::nss(2, 1999, p.birth_date.year(), serial);
    twin.curp = generate::curp(&name, p.birth_date, p.sex, "DF", 9);
    twin
}

async fn post(store: &impl Store, tag: &str, rows: &[domain::registry::Movement]) {
    let mut batch = store
        .begin_import(&file(ImportKind::Contributions, tag))
        .await
        .unwrap();
    batch.insert_movements(rows).await.unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();
}

async fn total(store: &impl Store, member: MemberId) -> Money {
    store
        .balances(member)
        .await
        .unwrap()
        .iter()
        .map(|b| b.balance)
        .sum()
}

pub async fn unifying_two_records_keeps_every_centavo_and_the_old_nss(store: &impl Store) {
    // The source has a portal account; the target, the record that stays, has none.
    let account = member_with_account(store, 50).await;
    let source = account.member_id;
    let p = person(50);
    let other = person(51);
    let ids = import_members(store, "twins", &[twin(&p, 950), other.clone()]).await;
    let (target, stranger) = (ids[0], ids[1]);
    post(
        store,
        "u1",
        &[
            contribution(source, "2020-1", 1, 100),
            contribution(source, "2021-1", 3, 70),
            contribution(target, "2020-1", 1, 250), // the same payment key as the source's
            contribution(target, "2019-6", 2, 10),
            contribution(stranger, "2020-1", 1, 5),
        ],
    )
    .await;
    let before = audit_count(store).await;

    // Another person is refused, and nothing is written.
    let refused = store
        .unify_members(
            stranger,
            &other.nss,
            target,
            date!(2026 - 11 - 26),
            at(10),
            "operator:1",
            &[audit_entry(Some(target.0), "member_unified", at(10))],
        )
        .await
        .unwrap();
    match refused {
        Unification::Refused(reasons) => {
            assert!(matches!(&reasons[0], Refusal::NotSamePerson(m) if m.contains(&Mismatch::Name)))
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(store.member(stranger).await.unwrap().is_some());
    assert_eq!(audit_count(store).await, before);

    // A stale NSS is refused.
    assert_eq!(
        conflict(
            store
                .unify_members(
                    source,
                    &other.nss,
                    target,
                    date!(2026 - 11 - 26),
                    at(11),
                    "operator:1",
                    &[],
                )
                .await
        ),
        "nss_outdated"
    );

    let done = store
        .unify_members(
            source,
            &p.nss,
            target,
            date!(2026 - 11 - 26),
            at(12),
            "operator:1",
            &[
                audit_entry(Some(target.0), "member_unified", at(12)),
                audit_entry(Some(source.0), "member_unified_away", at(12)),
            ],
        )
        .await
        .unwrap();
    let Unification::Done(done) = done else {
        panic!("expected the unification to be done, got {done:?}");
    };
    assert_eq!(done.account, Some(AccountPlan::MoveSource));
    assert_eq!(done.folded("subaccount_movements"), 1);
    assert_eq!(done.moved("subaccount_movements"), 1);
    assert_eq!(done.dropped("subaccount_movements"), 0);
    assert_eq!(done.folded("subaccount_balances"), 1);
    assert_eq!(done.moved("accounts"), 1);
    assert_eq!(done.folded_movements.len(), 1);
    assert_eq!(done.folded_movements[0].4, 10_000);

    // Every centavo is on the record that stays, and the ledger still sums.
    assert_eq!(total(store, target).await, Money::from_centavos(43_000));
    assert!(store.balances(source).await.unwrap().is_empty());
    let movements = store
        .movements(target, &MovementFilter::default())
        .await
        .unwrap();
    assert_eq!(movements.len(), 3);
    let folded = movements.iter().find(|m| m.period == 20201).unwrap();
    assert_eq!(folded.amount, Money::from_centavos(35_000));
    assert_eq!(folded.bucket, Bucket::Scv97);
    let check = store.check_ledger().await.unwrap();
    assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);

    // The source record is gone; its NSS finds the target, and so does its account.
    assert!(store.member(source).await.unwrap().is_none());
    assert_eq!(
        store
            .member_by_nss(&p.nss)
            .await
            .unwrap()
            .map(|m| m.member_id),
        Some(target)
    );
    let aliases = store.nss_aliases(target).await.unwrap();
    assert_eq!(aliases.len(), 1);
    assert_eq!(aliases[0].nss, p.nss);
    assert_eq!(aliases[0].reason, "unified");
    assert_eq!(
        store
            .account_by_member(target)
            .await
            .unwrap()
            .map(|a| a.account_id),
        Some(account.account_id)
    );
    // An employer's file naming the old NSS lands on the record that stays.
    let mut batch = store
        .begin_import(&file(ImportKind::Contributions, "u2"))
        .await
        .unwrap();
    assert_eq!(
        batch
            .member_ids(std::slice::from_ref(&p.nss))
            .await
            .unwrap(),
        vec![Some(target)]
    );
    batch.commit(ImportTotals::default()).await.unwrap();
    assert_eq!(audit_count(store).await, before + 2);

    // Twice: the record is gone, nothing more happens.
    assert_eq!(
        conflict(
            store
                .unify_members(
                    source,
                    &p.nss,
                    target,
                    date!(2026 - 11 - 26),
                    at(13),
                    "operator:1",
                    &[],
                )
                .await
        ),
        "member_not_found"
    );
    assert_eq!(total(store, target).await, Money::from_centavos(43_000));

    // Every member-owned table has a rule, so no engine forgets one.
    for table in store.member_owned_tables().await.unwrap() {
        assert!(
            MEMBER_TABLES.iter().any(|(name, _)| *name == table),
            "table {table} has a member_id column but no unification rule in MEMBER_TABLES"
        );
    }
}

pub async fn an_nss_change_keeps_the_old_one_as_an_alias(store: &impl Store) {
    let people = [person(52), person(53)];
    let ids = import_members(store, "nsschange", &people).await;
    let (ana, other) = (ids[0], ids[1]);
    let old = people[0].nss;
    let new = generate::nss(3, 2001, 1975, 77);

    assert_eq!(
        conflict(
            store
                .change_nss(ana, &old, &people[1].nss, at(1), &[])
                .await
        ),
        "nss_taken"
    );
    assert_eq!(
        conflict(store.change_nss(ana, &new, &old, at(1), &[]).await),
        "nss_outdated"
    );
    let before = audit_count(store).await;
    store
        .change_nss(
            ana,
            &old,
            &new,
            at(2),
            &[audit_entry(Some(ana.0), "member_nss_changed", at(2))],
        )
        .await
        .unwrap();
    assert_eq!(audit_count(store).await, before + 1);
    let found = |nss| async move {
        store
            .member_by_nss(&nss)
            .await
            .unwrap()
            .map(|m| (m.member_id, m.person.nss))
    };
    assert_eq!(found(new).await, Some((ana, new)));
    assert_eq!(found(old).await, Some((ana, new)));
    // The old NSS is held: no other record can take it.
    assert_eq!(
        conflict(
            store
                .change_nss(other, &people[1].nss, &old, at(3), &[])
                .await
        ),
        "nss_taken"
    );
    // Changing back to one's own former NSS is allowed, and swaps the alias.
    store.change_nss(ana, &new, &old, at(4), &[]).await.unwrap();
    let aliases = store.nss_aliases(ana).await.unwrap();
    assert_eq!(aliases.len(), 1);
    assert_eq!(aliases[0].nss, new);
    assert_eq!(aliases[0].reason, "changed");
    assert_eq!(found(old).await, Some((ana, old)));
}
