//! The contract every store adapter passes. Adapters expand [`contract_tests!`] in their own
//! test binary with a function that returns a fresh, empty, migrated store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use domain::audit::{AuditEntry, Channel};
use domain::bimester::Bimester;
use domain::ids::generate::{self, NameParts};
use domain::money::Money;
use domain::registry::{
    Bucket, Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, Employer, MemberId, Movement, MovementKind, Nrp, Person, RelationPeriod, Sex,
    StateCode,
};
use time::OffsetDateTime;
use time::macros::{date, datetime};

mod applications;
mod appointments;
mod conversions;
mod corrections;
mod idempotency;
mod identity;
mod jobs;
mod operators;
mod refunds;
mod relief;
mod requests;
mod stats;

pub use applications::{
    drafts_keep_one_file_per_item_until_submitted, partners_pair_by_a_spent_code_and_part_together,
};
pub use appointments::{
    a_member_has_one_appointment_to_come_per_procedure,
    a_slot_never_takes_more_than_its_capacity_even_at_once, appointment_folio,
    appointments_are_booked_moved_and_cancelled_with_their_places,
    reminders_are_marked_exactly_once,
};
pub use conversions::a_credit_converts_once_atomically_even_when_asked_at_once;
pub use corrections::corrections_keep_their_files_and_apply_atomically;
pub use idempotency::an_idempotency_key_is_claimed_once_and_keeps_its_first_answer;
pub use identity::{
    an_nss_change_keeps_the_old_one_as_an_alias,
    unifying_two_records_keeps_every_centavo_and_the_old_nss,
};
pub use jobs::jobs_are_claimed_once_and_taken_over_after_their_lease;
pub use operators::{
    operators_sign_in_once_per_code_and_sessions_end, requests_are_assigned_to_an_operator,
};
pub use refunds::{
    a_bank_account_is_kept_replaced_and_audited,
    a_completed_request_posts_its_withdrawal_exactly_once,
    pensions_and_holds_are_imported_and_read_per_member,
};
pub use relief::relief_is_granted_once_with_its_movements_and_audit;
pub use requests::{
    a_member_reaches_only_their_own_requests,
    concurrent_changes_of_one_request_let_exactly_one_win, folio,
    requests_round_trip_with_their_timeline, the_queue_lists_open_requests_by_promised_date,
};
pub use stats::statistics_summarise_by_day_state_and_channel;

use crate::{
    Account, AccountId, AccountState, AuditVerdict, CodeCheck, CodeKey, ContactChange,
    FileIdentity, ImportKind, ImportTotals, MovementFilter, NewAccount, NewCode, NewDocument,
    NewMessage, NewSession, OutboxChannel, OutboxStatus, Store, StoreError, stored_instant,
};

/// Expands to one `#[tokio::test]` per contract case, each on a fresh store from `$fresh().await`.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::contract_tests!(@cases $fresh;
            members_round_trip, batch_is_invisible_until_commit, same_file_is_imported_once,
            movements_are_posted_once_and_balances_follow, relations_and_credits_round_trip,
            movement_filter_and_order, counts_and_import_records,
            accounts_round_trip_and_conflicts, account_changes_are_audited_with_them,
            one_time_codes_are_bound_single_use_and_limited, sessions_end_only_for_their_owner,
            throttle_counts_atomically_and_resets, second_factor_steps_and_drafts,
            outbox_claims_each_message_once, audit_appends_from_many_writers_verify,
            documents_are_recorded_once_and_found_by_code,
            credit_discounts_and_reindex_bases,
            requests_round_trip_with_their_timeline, a_member_reaches_only_their_own_requests,
            concurrent_changes_of_one_request_let_exactly_one_win,
            the_queue_lists_open_requests_by_promised_date,
            operators_sign_in_once_per_code_and_sessions_end,
            requests_are_assigned_to_an_operator,
            corrections_keep_their_files_and_apply_atomically,
            drafts_keep_one_file_per_item_until_submitted,
            partners_pair_by_a_spent_code_and_part_together,
            appointments_are_booked_moved_and_cancelled_with_their_places,
            a_slot_never_takes_more_than_its_capacity_even_at_once,
            a_member_has_one_appointment_to_come_per_procedure,
            reminders_are_marked_exactly_once,
            pensions_and_holds_are_imported_and_read_per_member,
            a_bank_account_is_kept_replaced_and_audited,
            a_completed_request_posts_its_withdrawal_exactly_once,
            unifying_two_records_keeps_every_centavo_and_the_old_nss,
            an_nss_change_keeps_the_old_one_as_an_alias,
            jobs_are_claimed_once_and_taken_over_after_their_lease,
            a_credit_converts_once_atomically_even_when_asked_at_once,
            relief_is_granted_once_with_its_movements_and_audit,
            statistics_summarise_by_day_state_and_channel,
            an_idempotency_key_is_claimed_once_and_keeps_its_first_answer);
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

    // The overview reads the same balances and dates in one go.
    let overview = store.savings_overview(a).await.unwrap();
    assert_eq!(overview.balances, store.balances(a).await.unwrap());
    assert_eq!(
        overview.last_contribution,
        Some(Bimester::parse("2020-1").unwrap().last_day())
    );
    assert_eq!(overview.last_yield, None);
    assert_eq!(
        store.savings_overview(MemberId(999_999)).await.unwrap(),
        crate::SavingsOverview::default()
    );

    // Pre-qualification's record is what the separate reads give.
    let from = Bimester::parse("2020-1").unwrap().first_day();
    let record = store.points_record(a, from).await.unwrap().unwrap();
    assert_eq!(record.member, store.member(a).await.unwrap().unwrap());
    assert_eq!(record.balances, store.balances(a).await.unwrap());
    let contributions = MovementFilter {
        kinds: vec![MovementKind::Contribution],
        from: Some(from),
        ..MovementFilter::default()
    };
    assert_eq!(
        record.contributions,
        store.movements(a, &contributions).await.unwrap()
    );
    assert!(!record.contributions.is_empty());
    assert!(
        store
            .points_record(MemberId(999_999), from)
            .await
            .unwrap()
            .is_none()
    );
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

    // Pre-qualification's record carries the same periods and credits.
    let record = store
        .points_record(id, date!(2000 - 01 - 01))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.relations, store.relations(id).await.unwrap());
    assert_eq!(record.credits, store.credits(id).await.unwrap());
    assert!(!record.relations.is_empty() && !record.credits.is_empty());
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

// ---- Accounts, codes, sessions, tokens, throttling, outbox and the audit log ----

/// A fixed instant plus `seconds`, with a microsecond part so precision is exercised.
pub fn at(seconds: i64) -> OffsetDateTime {
    datetime!(2026-11-25 12:00:00.123456 UTC) + time::Duration::seconds(seconds)
}

pub fn audit_entry(member: Option<i64>, action: &str, when: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        at: when,
        actor: member.map_or_else(|| "system".into(), |m| format!("member:{m}")),
        action: action.into(),
        member_id: member,
        channel: Channel::Web,
        origin: "127.0.0.1".into(),
        details: "{}".into(),
    }
}

async fn audit_count(store: &impl Store) -> u64 {
    match store.verify_audit().await.unwrap() {
        AuditVerdict::Intact(totals) => totals.total,
        AuditVerdict::Broken(link) => panic!("audit log broken at {link:?}"),
    }
}

fn new_account(member: MemberId, tag: &str) -> NewAccount {
    NewAccount {
        member_id: member,
        email: format!("{tag}@example.mx"),
        mobile: format!("55{:08}", member.0),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: at(0),
    }
}

fn conflict(result: Result<impl std::fmt::Debug, StoreError>) -> &'static str {
    match result {
        Err(StoreError::Conflict(code)) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// A member with a `pending` account.
async fn member_with_account(store: &impl Store, n: u16) -> Account {
    let id = import_members(store, &format!("acct{n}"), &[person(n)]).await[0];
    store
        .create_account(&new_account(id, &format!("m{n}")), &[])
        .await
        .unwrap()
}

pub async fn accounts_round_trip_and_conflicts(store: &impl Store) {
    let ids = import_members(store, "a1", &[person(40), person(41)]).await;
    let (a, b) = (ids[0], ids[1]);
    let created = store
        .create_account(&new_account(a, "ana"), &[])
        .await
        .unwrap();
    assert_eq!(created.state, AccountState::Pending);
    assert_eq!(created.created_at, at(0));
    assert_eq!(
        store.account(created.account_id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        store.account_by_member(a).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        store.account_by_email("ana@example.mx").await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        store.account_by_email("nobody@example.mx").await.unwrap(),
        None
    );

    // The same member again, someone else's e-mail, someone else's mobile, no such member.
    let again = new_account(a, "other");
    assert_eq!(
        conflict(store.create_account(&again, &[]).await),
        "account_exists"
    );
    let mut email = new_account(b, "ana");
    email.mobile = "5500000001".into();
    assert_eq!(
        conflict(store.create_account(&email, &[]).await),
        "email_taken"
    );
    let mobile = NewAccount {
        mobile: created.mobile.clone(),
        ..new_account(b, "luis")
    };
    assert_eq!(
        conflict(store.create_account(&mobile, &[]).await),
        "mobile_taken"
    );
    let unknown = new_account(MemberId(a.0 + 1000), "ghost");
    assert_eq!(
        conflict(store.create_account(&unknown, &[]).await),
        "unknown_member"
    );

    let id = created.account_id;
    store.activate_account(id, at(60), &[]).await.unwrap();
    assert_eq!(
        conflict(store.activate_account(id, at(61), &[]).await),
        "account_not_pending"
    );
    store
        .set_password_hash(id, "$argon2id$new", &[])
        .await
        .unwrap();
    store
        .set_totp_secret(id, Some(&[1, 2, 3]), &[])
        .await
        .unwrap();
    let luis = store
        .create_account(&new_account(b, "luis"), &[])
        .await
        .unwrap();
    let taken = ContactChange {
        email: Some("luis@example.mx".into()),
        mobile: None,
    };
    assert_eq!(
        conflict(store.set_contact(id, &taken, at(90), &[]).await),
        "email_taken"
    );
    let change = ContactChange {
        email: Some("ana.nueva@example.mx".into()),
        mobile: None,
    };
    store.set_contact(id, &change, at(120), &[]).await.unwrap();
    let now = store.account(id).await.unwrap().unwrap();
    assert_eq!(now.state, AccountState::Active);
    assert_eq!(now.activated_at, Some(at(60)));
    assert_eq!(now.password_hash, "$argon2id$new");
    assert_eq!(now.totp_secret, Some(vec![1, 2, 3]));
    assert_eq!(now.email, "ana.nueva@example.mx");
    assert_eq!(now.mobile, created.mobile, "an unchanged mobile is kept");
    assert_eq!(now.contact_changed_at, Some(at(120)));
    store.set_totp_secret(id, None, &[]).await.unwrap();
    assert_eq!(store.account(id).await.unwrap().unwrap().totp_secret, None);
    assert!(
        store
            .account_by_email("ana@example.mx")
            .await
            .unwrap()
            .is_none()
    );

    // Recovery codes: replaced as a set, each used once.
    let codes: Vec<Vec<u8>> = (0u8..3).map(|i| vec![i; 32]).collect();
    store.replace_recovery_codes(id, &codes, &[]).await.unwrap();
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 3);
    assert!(
        store
            .consume_recovery_code(id, &codes[1], at(130), &[])
            .await
            .unwrap()
    );
    assert!(
        !store
            .consume_recovery_code(id, &codes[1], at(131), &[])
            .await
            .unwrap()
    );
    assert!(
        !store
            .consume_recovery_code(luis.account_id, &codes[0], at(131), &[])
            .await
            .unwrap()
    );
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 2);
    store
        .replace_recovery_codes(id, &codes[..1], &[])
        .await
        .unwrap();
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 1);

    // Freezing ends sessions (bearer tokens of the app are sessions too); unfreezing needs a
    // frozen account.
    let session = store
        .create_session(&new_session(id, 1, Channel::Web, 200), &[])
        .await
        .unwrap();
    assert_eq!(
        conflict(store.set_frozen(id, false, at(300), &[]).await),
        "account_not_frozen"
    );
    store.set_frozen(id, true, at(300), &[]).await.unwrap();
    assert_eq!(
        store.account(id).await.unwrap().unwrap().state,
        AccountState::Frozen
    );
    assert!(store.live_session(&[1; 32]).await.unwrap().is_none());
    let ended = &store.sessions(id, 10).await.unwrap()[0];
    assert_eq!(
        (ended.session_id, ended.end_reason.as_deref()),
        (session.session_id, Some("account_frozen"))
    );
    assert_eq!(
        conflict(store.set_frozen(id, true, at(301), &[]).await),
        "account_not_active"
    );
    store.set_frozen(id, false, at(400), &[]).await.unwrap();
    assert_eq!(
        store.account(id).await.unwrap().unwrap().state,
        AccountState::Active
    );
    let missing = AccountId(id.0 + 1000);
    assert_eq!(
        conflict(store.set_password_hash(missing, "x", &[]).await),
        "account_not_found"
    );
}

pub async fn account_changes_are_audited_with_them(store: &impl Store) {
    let id = import_members(store, "a2", &[person(42)]).await[0];
    let entry = |action: &str, s: i64| audit_entry(Some(id.0), action, at(s));
    let account = store
        .create_account(&new_account(id, "marta"), &[entry("sign_up", 0)])
        .await
        .unwrap();
    // A refused change writes nothing: the conflict rolls back its audit rows too.
    let refused = store
        .create_account(&new_account(id, "marta2"), &[entry("sign_up", 1)])
        .await;
    assert_eq!(conflict(refused), "account_exists");
    assert_eq!(audit_count(store).await, 1);
    store
        .activate_account(account.account_id, at(2), &[entry("activated", 2)])
        .await
        .unwrap();
    let again = store
        .activate_account(account.account_id, at(3), &[entry("activated", 3)])
        .await;
    assert_eq!(conflict(again), "account_not_pending");
    // An unused recovery code is no change, so its entry is not written either.
    let used = store
        .consume_recovery_code(
            account.account_id,
            &[9; 32],
            at(4),
            &[entry("recovery_used", 4)],
        )
        .await
        .unwrap();
    assert!(!used);
    store
        .set_password_hash(
            account.account_id,
            "$argon2id$p",
            &[entry("password_changed", 5), entry("notice_sent", 5)],
        )
        .await
        .unwrap();
    let recent = store.recent_audit(id, 10).await.unwrap();
    let actions: Vec<&str> = recent.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(
        actions,
        ["notice_sent", "password_changed", "activated", "sign_up"]
    );
    assert_eq!(recent[0].position, 3);
    assert_eq!(
        recent[3].entry,
        entry("sign_up", 0),
        "entries come back as written"
    );
    assert_eq!(audit_count(store).await, 4);
}

fn code_key(member: MemberId, purpose: &str, bound_to: &str) -> CodeKey {
    CodeKey {
        member_id: member,
        purpose: purpose.into(),
        bound_to: bound_to.into(),
    }
}

fn new_code(key: &CodeKey, hash: u8, issued: i64) -> NewCode {
    NewCode {
        key: key.clone(),
        code_hash: vec![hash; 32],
        created_at: at(issued),
        expires_at: at(issued + 600),
    }
}

pub async fn one_time_codes_are_bound_single_use_and_limited(store: &impl Store) {
    let member = import_members(store, "c1", &[person(43)]).await[0];
    let key = code_key(member, "activation", "attempt-1");
    let issued = store.issue_code(&new_code(&key, 1, 0), &[]).await.unwrap();
    assert_eq!((issued.attempts, issued.resent_count), (0, 0));
    assert_eq!(
        store.current_code(&key).await.unwrap(),
        Some(issued.clone())
    );

    let check = |hash: u8, now: i64| {
        let key = key.clone();
        async move {
            store
                .consume_code(&key, &[hash; 32], at(now), 5, &[])
                .await
                .unwrap()
        }
    };
    assert_eq!(check(2, 10).await, CodeCheck::Mismatch { attempts: 1 });
    // Another purpose or another request has no code, whatever the hash.
    let other = code_key(member, "password_reset", "attempt-1");
    assert_eq!(
        store
            .consume_code(&other, &[1; 32], at(11), 5, &[])
            .await
            .unwrap(),
        CodeCheck::NotIssued
    );
    let elsewhere = code_key(member, "activation", "attempt-2");
    assert_eq!(
        store
            .consume_code(&elsewhere, &[1; 32], at(11), 5, &[])
            .await
            .unwrap(),
        CodeCheck::NotIssued
    );
    assert_eq!(check(1, 600).await, CodeCheck::Expired);
    assert_eq!(
        store
            .record_code_failure(member, issued.code_id, &[])
            .await
            .unwrap(),
        2
    );
    for attempts in 3..=5 {
        assert_eq!(check(9, 20).await, CodeCheck::Mismatch { attempts });
    }
    assert_eq!(
        check(1, 21).await,
        CodeCheck::TooManyAttempts,
        "the right code, too late"
    );

    // A new code supersedes the old one: the old hash no longer works, the new one once.
    let resent = store.issue_code(&new_code(&key, 7, 30), &[]).await.unwrap();
    assert_eq!((resent.attempts, resent.resent_count), (0, 1));
    assert_eq!(check(1, 31).await, CodeCheck::Mismatch { attempts: 1 });
    let accepted = store
        .consume_code(
            &key,
            &[7; 32],
            at(32),
            5,
            &[audit_entry(Some(member.0), "code_accepted", at(32))],
        )
        .await
        .unwrap();
    assert_eq!(accepted, CodeCheck::Accepted);
    assert_eq!(check(7, 33).await, CodeCheck::AlreadyUsed);
    assert_eq!(
        store.current_code(&key).await.unwrap().unwrap().consumed_at,
        Some(at(32))
    );

    assert_eq!(store.codes_issued_since(member, at(-1)).await.unwrap(), 2);
    assert_eq!(store.codes_issued_since(member, at(1)).await.unwrap(), 1);
    // Only the accepted code's entry was written.
    assert_eq!(audit_count(store).await, 1);
}

fn new_session(account: AccountId, hash: u8, channel: Channel, created: i64) -> NewSession {
    NewSession {
        id_hash: [hash; 32],
        account_id: account,
        channel,
        created_at: at(created),
        device: "Firefox en Android".into(),
        origin: "10.0.0.1".into(),
    }
}

pub async fn sessions_end_only_for_their_owner(store: &impl Store) {
    let ana = member_with_account(store, 44).await.account_id;
    let luis = member_with_account(store, 45).await.account_id;
    let first = store
        .create_session(&new_session(ana, 1, Channel::Web, 0), &[])
        .await
        .unwrap();
    let second = store
        .create_session(&new_session(ana, 2, Channel::App, 10), &[])
        .await
        .unwrap();
    let third = store
        .create_session(&new_session(ana, 3, Channel::Web, 20), &[])
        .await
        .unwrap();
    let other = store
        .create_session(&new_session(luis, 4, Channel::Cesi, 5), &[])
        .await
        .unwrap();
    assert_eq!(
        store.live_session(&[1; 32]).await.unwrap(),
        Some(first.clone())
    );

    store
        .touch_session(first.session_id, at(100))
        .await
        .unwrap();
    store.touch_session(first.session_id, at(50)).await.unwrap(); // never moves back
    let live = store.live_session(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(live.last_seen_at, at(100));
    // With its account, in one read.
    let (with, account) = store
        .live_session_with_account(&[1; 32])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(with, live);
    assert_eq!(Some(account), store.account(ana).await.unwrap());
    assert!(
        store
            .live_session_with_account(&[9; 32])
            .await
            .unwrap()
            .is_none()
    );

    let listed: Vec<i64> = store
        .sessions(ana, 10)
        .await
        .unwrap()
        .iter()
        .map(|s| s.session_id)
        .collect();
    assert_eq!(
        listed,
        [third.session_id, second.session_id, first.session_id]
    );
    assert_eq!(store.sessions(ana, 2).await.unwrap().len(), 2);

    // Luis cannot end Ana's session; Ana ends it once.
    assert!(
        !store
            .end_session(luis, first.session_id, at(110), "signed_out", &[])
            .await
            .unwrap()
    );
    assert!(
        store
            .end_session(ana, first.session_id, at(110), "signed_out", &[])
            .await
            .unwrap()
    );
    assert!(
        !store
            .end_session(ana, first.session_id, at(111), "signed_out", &[])
            .await
            .unwrap()
    );
    assert!(store.live_session(&[1; 32]).await.unwrap().is_none());
    assert!(
        store
            .live_session_with_account(&[1; 32])
            .await
            .unwrap()
            .is_none()
    );
    store
        .touch_session(first.session_id, at(200))
        .await
        .unwrap(); // an ended session stays ended
    let ended = store.sessions(ana, 10).await.unwrap().pop().unwrap();
    assert_eq!(ended.ended_at, Some(at(110)));
    assert_eq!(ended.end_reason.as_deref(), Some("signed_out"));
    assert_eq!(
        ended.last_seen_at - ended.created_at,
        time::Duration::seconds(100)
    );

    // "End all others" keeps the current one and touches no one else's.
    let ended = store
        .end_all_sessions(ana, Some(third.session_id), at(120), "ended_by_member", &[])
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(store.live_session(&[3; 32]).await.unwrap().is_some());
    assert!(store.live_session(&[4; 32]).await.unwrap().is_some());
    assert_eq!(
        store
            .end_all_sessions(ana, None, at(130), "password_changed", &[])
            .await
            .unwrap(),
        1
    );
    assert!(store.live_session(&[3; 32]).await.unwrap().is_none());
    assert_eq!(
        store.live_session(&[4; 32]).await.unwrap().unwrap().channel,
        other.channel
    );
}

pub async fn second_factor_steps_and_drafts(store: &impl Store) {
    let ana = member_with_account(store, 46).await;
    let luis = member_with_account(store, 47).await;
    let id = ana.account_id;
    assert!(
        !store.use_totp_step(id, 10, &[]).await.unwrap(),
        "no secret, no step"
    );
    store
        .set_totp_secret(id, Some(&[9; 20]), &[])
        .await
        .unwrap();
    // Each step works once and never an earlier one, even from two callers at once.
    let both = join_all(vec![
        store.use_totp_step(id, 100, &[]),
        store.use_totp_step(id, 100, &[]),
    ])
    .await;
    let wins = both
        .into_iter()
        .filter(|won| *won.as_ref().unwrap())
        .count();
    assert_eq!(wins, 1, "exactly one of two concurrent uses wins");
    assert!(!store.use_totp_step(id, 99, &[]).await.unwrap());
    assert!(store.use_totp_step(id, 101, &[]).await.unwrap());
    assert!(
        !store
            .use_totp_step(luis.account_id, 102, &[])
            .await
            .unwrap()
    );
    // A new secret starts afresh.
    store
        .set_totp_secret(id, Some(&[8; 20]), &[])
        .await
        .unwrap();
    assert!(store.use_totp_step(id, 50, &[]).await.unwrap());

    // An ended session is still found by its hash, with its reason.
    let session = store
        .create_session(&new_session(id, 7, Channel::Web, 0), &[])
        .await
        .unwrap();
    store
        .end_session(id, session.session_id, at(10), "idle_timeout", &[])
        .await
        .unwrap();
    assert_eq!(store.live_session(&[7; 32]).await.unwrap(), None);
    let ended = store.session_by_hash(&[7; 32]).await.unwrap().unwrap();
    assert_eq!(ended.end_reason.as_deref(), Some("idle_timeout"));
    assert_eq!(store.session_by_hash(&[6; 32]).await.unwrap(), None);

    // Drafts: found once, by their member and hash, only while fresh.
    let draft = |hash: u8, created: i64| crate::Draft {
        member_id: ana.member_id,
        draft_hash: [hash; 32],
        path: "/cuenta/correo".into(),
        sealed: vec![hash, 1, 2],
        created_at: at(created),
    };
    store.save_draft(&draft(1, 100)).await.unwrap();
    store.save_draft(&draft(2, 10)).await.unwrap();
    assert_eq!(
        store
            .take_draft(luis.member_id, &[1; 32], at(0))
            .await
            .unwrap(),
        None,
        "another member never gets it"
    );
    assert_eq!(
        store
            .take_draft(ana.member_id, &[1; 32], at(50))
            .await
            .unwrap(),
        Some(draft(1, 100))
    );
    assert_eq!(
        store
            .take_draft(ana.member_id, &[1; 32], at(50))
            .await
            .unwrap(),
        None,
        "taken once"
    );
    assert_eq!(
        store
            .take_draft(ana.member_id, &[2; 32], at(50))
            .await
            .unwrap(),
        None,
        "a stale draft is not returned"
    );
    store.save_draft(&draft(3, 200)).await.unwrap();
    store.save_draft(&draft(3, 210)).await.unwrap();
    assert_eq!(
        store
            .take_draft(ana.member_id, &[3; 32], at(0))
            .await
            .unwrap(),
        Some(draft(3, 210)),
        "saving again replaces"
    );
}

pub async fn throttle_counts_atomically_and_resets(store: &impl Store) {
    assert_eq!(store.failures("account", "1").await.unwrap(), None);
    let tries: Vec<_> = (0..20)
        .map(|i| store.record_failure("account", "1", at(i), &[]))
        .collect();
    let mut counts: Vec<u32> = join_all(tries)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<u32>>(),
        "every failure counted once"
    );
    assert_eq!(
        store
            .record_failure("address", "10.0.0.1", at(30), &[])
            .await
            .unwrap(),
        1
    );
    let state = store.failures("account", "1").await.unwrap().unwrap();
    assert_eq!(state.failures, 20);
    assert!(state.last_failure_at >= at(0) && state.last_failure_at <= at(19));
    store.reset_failures("account", "1").await.unwrap();
    assert_eq!(store.failures("account", "1").await.unwrap(), None);
    assert_eq!(
        store
            .failures("address", "10.0.0.1")
            .await
            .unwrap()
            .unwrap()
            .failures,
        1
    );
    assert_eq!(
        store
            .record_failure("account", "1", at(40), &[])
            .await
            .unwrap(),
        1
    );
}

pub async fn outbox_claims_each_message_once(store: &impl Store) {
    let mut ids = Vec::new();
    for i in 0..6 {
        let message = NewMessage {
            channel: if i % 2 == 0 {
                OutboxChannel::Email
            } else {
                OutboxChannel::Sms
            },
            recipient: format!("r{i}@example.mx"),
            subject: "Tu código".into(),
            body: format!("message {i}"),
            created_at: at(i),
        };
        ids.push(store.enqueue_message(&message, &[]).await.unwrap());
    }
    let recent = store.recent_messages(4).await.unwrap();
    assert_eq!(
        recent.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[5], ids[4], ids[3], ids[2]]
    );
    assert_eq!(recent[0].status, OutboxStatus::Pending);

    // Concurrent senders never share a message, and each claims only its channel.
    let email = OutboxChannel::Email;
    let sms = OutboxChannel::Sms;
    let claims: Vec<_> = (0..3)
        .map(|_| store.claim_messages(2, email, at(100), at(160)))
        .collect();
    let mut claimed: Vec<i64> = join_all(claims)
        .await
        .into_iter()
        .flat_map(|c| c.unwrap())
        .map(|m| m.id)
        .collect();
    claimed.sort_unstable();
    assert_eq!(claimed, [ids[0], ids[2], ids[4]]);
    let texts = store
        .claim_messages(10, sms, at(100), at(160))
        .await
        .unwrap();
    assert_eq!(
        texts.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[1], ids[3], ids[5]]
    );
    assert!(
        store
            .claim_messages(10, email, at(120), at(180))
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );

    store.mark_sent(ids[0], at(130)).await.unwrap();
    store
        .mark_failed(ids[1], "provider busy", false, at(150))
        .await
        .unwrap();
    store
        .mark_failed(ids[2], "bad address", true, at(130))
        .await
        .unwrap();
    // A message to retry comes back from its retry time, not before.
    assert!(
        store
            .claim_messages(10, sms, at(140), at(200))
            .await
            .unwrap()
            .is_empty()
    );
    let retry = store
        .claim_messages(10, sms, at(150), at(200))
        .await
        .unwrap();
    assert_eq!(retry.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[1]]);
    assert_eq!(retry[0].attempts, 2);
    assert_eq!(retry[0].last_error.as_deref(), Some("provider busy"));
    // After their lease, the other leased ones (their sender died) come back, oldest first.
    let expired = store
        .claim_messages(10, sms, at(170), at(230))
        .await
        .unwrap();
    assert_eq!(
        expired.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[3], ids[5]]
    );
    let expired = store
        .claim_messages(10, email, at(170), at(230))
        .await
        .unwrap();
    assert_eq!(expired.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[4]]);

    let all = store.recent_messages(10).await.unwrap();
    let by_id = |id: i64| all.iter().find(|m| m.id == id).unwrap();
    assert_eq!(by_id(ids[0]).status, OutboxStatus::Sent);
    assert_eq!(by_id(ids[0]).sent_at, Some(at(130)));
    assert_eq!(by_id(ids[0]).body, "", "a sent message keeps no body");
    assert_eq!(by_id(ids[2]).body, "message 2");
    assert_eq!(by_id(ids[2]).status, OutboxStatus::Failed);
    assert_eq!(by_id(ids[1]).channel, OutboxChannel::Sms);
    assert_eq!(
        conflict(store.mark_sent(ids[5] + 100, at(1)).await),
        "message_not_found"
    );
}

async fn append_many(store: &impl Store, member: Option<i64>, n: i64) {
    for i in 0..n {
        let entry = audit_entry(member, "sign_in", at(i));
        store
            .append_audit(std::slice::from_ref(&entry))
            .await
            .unwrap();
    }
}

pub async fn audit_appends_from_many_writers_verify(store: &impl Store) {
    assert_eq!(
        store.verify_audit().await.unwrap(),
        AuditVerdict::Intact(Default::default())
    );
    // Many members (spread over many chains) and the system, written at once.
    let writers: Vec<_> = (0..24)
        .map(|m| append_many(store, (m != 0).then_some(1000 + m), 8))
        .collect();
    join_all(writers).await;
    // A batch spanning several chains in one transaction.
    let batch: Vec<AuditEntry> = (0..6)
        .map(|m| audit_entry(Some(2000 + m), "notice_sent", at(m)))
        .collect();
    store.append_audit(&batch).await.unwrap();
    let AuditVerdict::Intact(totals) = store.verify_audit().await.unwrap() else {
        panic!("a concurrent log must verify");
    };
    assert_eq!(totals.total, 24 * 8 + 6);
    assert_eq!(totals.per_chain.values().sum::<u64>(), totals.total);
    assert!(totals.per_chain.len() > 8, "members spread over chains");

    let mine = store.recent_audit(MemberId(1005), 3).await.unwrap();
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().all(|r| r.entry.member_id == Some(1005)));
    assert_eq!(
        mine.iter().map(|r| r.position).collect::<Vec<_>>(),
        [7, 6, 5]
    );
    let all = store.recent_audit_all(5).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].entry_id > w[1].entry_id));
}

pub async fn documents_are_recorded_once_and_found_by_code(store: &impl Store) {
    let ids = import_members(store, "d1", &[person(50), person(51)]).await;
    let (a, b) = (ids[0], ids[1]);
    let issued_at = at(0) + time::Duration::nanoseconds(789);
    let statement = NewDocument {
        member_id: a,
        code: "7KQ2M9XAPR4T0C8D".into(),
        kind: "savings_statement".into(),
        sha256: [7; 32],
        issued_at,
    };
    let recorded = store
        .record_document(
            &statement,
            &[audit_entry(Some(a.0), "document_issued", at(0))],
        )
        .await
        .unwrap();
    assert_eq!(recorded.member_id, a);
    assert_eq!(recorded.code, statement.code);
    assert_eq!(recorded.kind, "savings_statement");
    assert_eq!(recorded.sha256, [7; 32]);
    assert_eq!(recorded.issued_at, stored_instant(issued_at));
    assert_eq!(
        store.document_by_code("7KQ2M9XAPR4T0C8D").await.unwrap(),
        Some(recorded.clone())
    );
    assert_eq!(audit_count(store).await, 1);

    // A code is issued once, whoever asks: the refused record leaves no audit row either.
    let same_code = NewDocument {
        member_id: b,
        sha256: [8; 32],
        ..statement.clone()
    };
    let refused = store
        .record_document(
            &same_code,
            &[audit_entry(Some(b.0), "document_issued", at(1))],
        )
        .await;
    assert_eq!(conflict(refused), "document_code_taken");
    assert_eq!(audit_count(store).await, 1);
    assert_eq!(
        store.document_by_code("7KQ2M9XAPR4T0C8D").await.unwrap(),
        Some(recorded)
    );

    let other = NewDocument {
        member_id: b,
        code: "0000111122223333".into(),
        sha256: [9; 32],
        issued_at: at(2),
        ..statement
    };
    store.record_document(&other, &[]).await.unwrap();
    let found = store.document_by_code("0000111122223333").await.unwrap();
    assert_eq!(found.map(|d| (d.member_id, d.sha256)), Some((b, [9; 32])));
    assert_eq!(
        store.document_by_code("7KQ2M9XAPR4T0C8E").await.unwrap(),
        None
    );
    assert_eq!(store.document_by_code("").await.unwrap(), None);
}

/// Tampering with the stored log, through a raw connection the adapter provides (`sql` runs
/// one statement; the SQL here is valid on both engines). Every edited field and every removed
/// row is reported at exactly that entry. Not in `contract_tests!`: it needs raw access.
pub async fn audit_detects_tampering<F, Fut>(store: &impl Store, sql: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for m in 0..5 {
        append_many(store, Some(3000 + m), 4).await;
    }
    assert_eq!(audit_count(store).await, 20);
    let target = store.recent_audit(MemberId(3002), 4).await.unwrap();
    let middle = target.iter().find(|r| r.position == 1).unwrap().clone();
    let last = target.iter().find(|r| r.position == 3).unwrap().clone();
    let other = store.recent_audit(MemberId(3003), 1).await.unwrap()[0].entry_id;
    sql("CREATE TABLE audit_backup AS SELECT * FROM audit_log".into()).await;

    let edits = [
        ("at", "'2020-01-01T00:00:00.000000Z'".to_owned()),
        ("actor", "'member:1'".into()),
        ("action", "'nothing_happened'".into()),
        ("member_id", "member_id + 1".into()),
        ("channel", "'cesi'".into()),
        ("origin", "'10.9.9.9'".into()),
        ("details", "'{\"amount\":1}'".into()),
        (
            "hash",
            format!("(SELECT b.hash FROM audit_backup b WHERE b.entry_id = {other})"),
        ),
    ];
    for (column, value) in edits {
        sql(format!(
            "UPDATE audit_log SET {column} = {value} WHERE entry_id = {}",
            middle.entry_id
        ))
        .await;
        let expected = domain::audit::BrokenLink {
            chain: middle.chain,
            position: 1,
            entry_id: middle.entry_id,
        };
        assert_eq!(
            store.verify_audit().await.unwrap(),
            AuditVerdict::Broken(expected),
            "editing {column}"
        );
        sql(format!(
            "UPDATE audit_log SET {column} = (SELECT b.{column} FROM audit_backup b
             WHERE b.entry_id = audit_log.entry_id) WHERE entry_id = {}",
            middle.entry_id
        ))
        .await;
        assert_eq!(audit_count(store).await, 20, "restoring {column}");
    }

    // Removing a row in the middle, then the newest row of a chain.
    sql(format!(
        "DELETE FROM audit_log WHERE entry_id = {}",
        middle.entry_id
    ))
    .await;
    let AuditVerdict::Broken(link) = store.verify_audit().await.unwrap() else {
        panic!("a removed row went unnoticed");
    };
    assert_eq!((link.chain, link.position), (middle.chain, 1));
    sql(format!(
        "INSERT INTO audit_log SELECT * FROM audit_backup WHERE entry_id = {}",
        middle.entry_id
    ))
    .await;
    assert_eq!(audit_count(store).await, 20);
    sql(format!(
        "DELETE FROM audit_log WHERE entry_id = {}",
        last.entry_id
    ))
    .await;
    let expected = domain::audit::BrokenLink {
        chain: last.chain,
        position: 3,
        entry_id: last.entry_id,
    };
    assert_eq!(
        store.verify_audit().await.unwrap(),
        AuditVerdict::Broken(expected)
    );
}

/// Polls every future until all are done: concurrent writers on one task, without depending on
/// a runtime here.
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, slot) in futures.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *slot = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    done.into_iter().map(Option::unwrap).collect()
}

pub async fn credit_discounts_and_reindex_bases(store: &impl Store) {
    use domain::credit::{Discount, DiscountChange, DiscountChangeReason, DiscountKind};
    let ids = import_members(store, "m9", &[person(21), person(22), person(23)]).await;
    let credit = |member: MemberId, number: &str, denomination, originated_on, status| Credit {
        credit_number: CreditNumber::parse(number).unwrap(),
        member_id: member,
        product: CreditProduct::Tradicional,
        denomination,
        originated_on,
        amount: Money::from_centavos(10_000_000),
        amount_vsm: None,
        rate: "0.06".parse().unwrap(),
        term_months: 240,
        status,
    };
    let vsm = credit(
        ids[0],
        "0800000001",
        Denomination::Vsm,
        date!(2008 - 01 - 10),
        CreditStatus::Active,
    );
    let pesos = credit(
        ids[1],
        "1900000002",
        Denomination::Pesos,
        date!(2019 - 01 - 10),
        CreditStatus::Active,
    );
    let paid = credit(
        ids[2],
        "0700000003",
        Denomination::Vsm,
        date!(2007 - 01 - 10),
        CreditStatus::PaidOff,
    );
    let young = credit(
        ids[2],
        "2500000004",
        Denomination::Vsm,
        date!(2025 - 03 - 01),
        CreditStatus::Active,
    );
    let moved = |c: &Credit, reference: &str, on, centavos| CreditMovement {
        member_id: c.member_id,
        credit_number: c.credit_number.clone(),
        reference: reference.into(),
        kind: if centavos > 0 {
            CreditMovementKind::Disbursement
        } else {
            CreditMovementKind::PayrollPayment
        },
        booked_on: on,
        amount: Money::from_centavos(centavos),
    };
    let fixed = |value: &str, valid_from, reason| DiscountChange {
        valid_from,
        discount: Discount {
            kind: DiscountKind::FixedPesos,
            value: value.parse().unwrap(),
        },
        reason,
    };
    let mut batch = store
        .begin_import(&file(ImportKind::Synthetic, "c9"))
        .await
        .unwrap();
    batch
        .insert_credits(&[vsm.clone(), pesos.clone(), paid.clone(), young.clone()])
        .await
        .unwrap();
    batch
        .insert_credit_movements(&[
            moved(&vsm, "D", date!(2008 - 01 - 10), 10_000_000),
            moved(&vsm, "P2025", date!(2025 - 12 - 31), -1_000_000),
            // Booked in the new year: not part of the balance the year's factor applies to.
            moved(&vsm, "P2026", date!(2026 - 01 - 05), -50_000),
            moved(&pesos, "D", date!(2019 - 01 - 10), 10_000_000),
            moved(&young, "D", date!(2025 - 03 - 01), 5_000_000),
        ])
        .await
        .unwrap();
    let discounts = [
        crate::CreditDiscount {
            member_id: ids[1],
            credit_number: pesos.credit_number.clone(),
            change: fixed(
                "2500.00",
                date!(2019 - 01 - 10),
                DiscountChangeReason::NewCredit,
            ),
        },
        crate::CreditDiscount {
            member_id: ids[1],
            credit_number: pesos.credit_number.clone(),
            change: fixed(
                "1800.50",
                date!(2024 - 09 - 09),
                DiscountChangeReason::Conversion,
            ),
        },
    ];
    assert_eq!(batch.insert_credit_discounts(&discounts).await.unwrap(), 2);
    assert_eq!(
        batch
            .insert_credit_discounts(&discounts[..1])
            .await
            .unwrap(),
        0
    );
    batch.commit(ImportTotals::default()).await.unwrap();

    let found = store
        .credit_discounts(ids[1], &pesos.credit_number)
        .await
        .unwrap();
    assert_eq!(found, vec![discounts[0].change, discounts[1].change]);
    // Only the owner's id finds them.
    assert!(
        store
            .credit_discounts(ids[0], &pesos.credit_number)
            .await
            .unwrap()
            .is_empty()
    );

    // 2026: the active VSM credits granted before the year, with their balance at its start.
    let bases = store.reindex_bases(2026, None, 10).await.unwrap();
    let summary: Vec<_> = bases
        .iter()
        .map(|b| {
            (
                b.credit_number.as_str().to_owned(),
                b.balance.centavos(),
                b.already_posted,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("0800000001".to_owned(), 9_000_000, false),
            ("2500000004".to_owned(), 5_000_000, false)
        ]
    );
    // Paging: after the first, only the second.
    let after = Some((bases[0].member_id, bases[0].credit_number.clone()));
    let rest = store.reindex_bases(2026, after, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].credit_number, young.credit_number);
    // Once R2026 is booked, the base says so; a credit granted in 2025 is not in 2025's list.
    let mut batch = store
        .begin_import(&file(ImportKind::Reindexation, "r26"))
        .await
        .unwrap();
    batch
        .insert_credit_movements(&[CreditMovement {
            kind: CreditMovementKind::Reindexation,
            ..moved(&vsm, "R2026", date!(2026 - 01 - 01), 100)
        }])
        .await
        .unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();
    let bases = store.reindex_bases(2026, None, 10).await.unwrap();
    assert!(bases[0].already_posted && !bases[1].already_posted);
    let bases_2025 = store.reindex_bases(2025, None, 10).await.unwrap();
    assert_eq!(bases_2025.len(), 1);
    assert_eq!(bases_2025[0].balance.centavos(), 10_000_000);
}
