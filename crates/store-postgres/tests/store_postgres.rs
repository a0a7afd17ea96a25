//! The store contract on PostgreSQL, plus what only PostgreSQL does: concurrent claims on one
//! file, connections that must come back clean, migrations raced by two instances.
//!
//! Runs against `VIVIENDA_TEST_POSTGRES_URL`, one schema per test; without it each test says
//! it is skipped and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bench;
mod replica;
mod support;

use std::time::Duration;

use domain::bimester::Bimester;
use domain::money::Money;
use domain::registry::{
    Bucket, Credit, CreditMovement, CreditMovementKind, CreditNumber, CreditProduct, CreditStatus,
    Denomination, MemberId, Movement, MovementKind, Person,
};
use store::{
    FileIdentity, Health, ImportKind, ImportRepo, ImportTotals, RegistryCounts, RegistryRepo,
    StoreError,
};
use store_postgres::{PgOptions, PgStore};
use time::macros::date;

/// Runs each case of the store's contract on a fresh schema. `store::contract_tests!` would
/// need a store from every `fresh()` and so cannot skip when no server is configured; this is
/// the same expansion with that skip. `contract_cases_match_the_store_crate` keeps the list
/// in step with the store crate's.
macro_rules! contract_cases {
    ($($case:ident),* $(,)?) => {
        const CONTRACT_CASES: &[&str] = &[$(stringify!($case)),*];
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(db) = support::fresh().await else { return };
                store::contract::$case(&db.store).await;
                db.finish().await;
            }
        )*

        /// The same cases with the big tables hash-partitioned by `member_id`.
        mod partitioned {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = crate::support::fresh_partitioned(4).await else { return };
                    store::contract::$case(&db.store).await;
                    db.finish().await;
                }
            )*
        }

        /// The same cases with every read made through a streaming replica
        /// (`PgStore::lagging_reads`): each case reads right after it writes, so a replica read
        /// that missed a write made before it would fail the case; and no read may fail on
        /// the replica (a write sent through a read, say), which the primary would hide.
        mod through_a_replica {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = crate::replica::fresh().await else { return };
                    store::contract::$case(&db.store.lagging_reads()).await;
                    assert_eq!(crate::replica::counts(&db.store).failed, 0, "reads failed on the replica");
                    db.finish().await;
                }
            )*
        }
    };
}

contract_cases!(
    members_round_trip,
    batch_is_invisible_until_commit,
    same_file_is_imported_once,
    movements_are_posted_once_and_balances_follow,
    relations_and_credits_round_trip,
    movement_filter_and_order,
    counts_and_import_records,
    accounts_round_trip_and_conflicts,
    account_changes_are_audited_with_them,
    one_time_codes_are_bound_single_use_and_limited,
    sessions_end_only_for_their_owner,
    throttle_counts_atomically_and_resets,
    second_factor_steps_and_drafts,
    outbox_claims_each_message_once,
    audit_appends_from_many_writers_verify,
    documents_are_recorded_once_and_found_by_code,
    credit_discounts_and_reindex_bases,
    requests_round_trip_with_their_timeline,
    a_member_reaches_only_their_own_requests,
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
    an_idempotency_key_is_claimed_once_and_keeps_its_first_answer,
);

#[test]
fn contract_cases_match_the_store_crate() {
    let source = include_str!("../../store/src/contract.rs");
    let start = source
        .find("@cases $fresh;")
        .expect("contract_tests! lists its cases")
        + 14;
    let end = start + source[start..].find(')').unwrap();
    let mut theirs: Vec<&str> = source[start..end].split(',').map(str::trim).collect();
    theirs.retain(|c| !c.is_empty());
    let mut ours = CONTRACT_CASES.to_vec();
    theirs.sort_unstable();
    ours.sort_unstable();
    assert_eq!(
        ours, theirs,
        "add the store crate's new contract cases to contract_cases!"
    );
}

fn file(tag: &str) -> FileIdentity {
    FileIdentity {
        kind: ImportKind::Contributions,
        sha256: format!("{tag:0>64}"),
        file_name: format!("{tag}.csv"),
    }
}

fn contribution(member: MemberId, bimester: Bimester, pesos: i64) -> Movement {
    Movement {
        member_id: member,
        bucket: Bucket::for_contribution(bimester),
        kind: MovementKind::Contribution,
        period: bimester.key(),
        source: 1,
        amount: Money::from_centavos(pesos * 100),
        booked_on: bimester.last_day(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_check_finds_an_edited_balance() {
    let Some(db) = support::fresh().await else {
        return;
    };
    store::contract::movements_are_posted_once_and_balances_follow(&db.store).await;
    let raw = db.raw().await;
    let edited = raw
        .execute(
            "UPDATE subaccount_balances SET balance = balance + 1 WHERE bucket = 2",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(edited, 1);
    let check = db.store.check_ledger().await.unwrap();
    assert_eq!(check.balances_checked, 3);
    assert_eq!(check.mismatches.len(), 1, "{:?}", check.mismatches);
    let mismatch = &check.mismatches[0];
    assert_eq!(mismatch.bucket, Bucket::Scv92);
    assert_eq!(
        mismatch.stored.centavos() - mismatch.sum_of_movements.centavos(),
        1
    );
    db.finish().await;
}

/// Balances are posted at commit from what each chunk really inserted: chunks that touch the
/// same balances, and a movement repeated across chunks, must still add up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balances_add_up_across_the_chunks_of_one_batch() {
    let Some(db) = support::fresh().await else {
        return;
    };
    let store = &db.store;
    let ids = {
        let mut batch = store.begin_import(&file("people")).await.unwrap();
        let people: Vec<Person> = (30..32).map(store::contract::person).collect();
        let ids = batch.insert_members(&people).await.unwrap();
        batch.commit(ImportTotals::default()).await.unwrap();
        ids
    };
    let (a, b) = (ids[0], ids[1]);
    let [first, second] = ["2020-1", "2020-2"].map(|b| Bimester::parse(b).unwrap());
    let credit = Credit {
        credit_number: CreditNumber::parse("1419000999").unwrap(),
        member_id: a,
        product: CreditProduct::Tradicional,
        denomination: Denomination::Pesos,
        originated_on: date!(2020 - 01 - 15),
        amount: Money::from_centavos(50_000_000),
        amount_vsm: None,
        rate: "0.1045".parse().unwrap(),
        term_months: 240,
        status: CreditStatus::Active,
    };
    let payment = |reference: &str, pesos: i64| CreditMovement {
        member_id: a,
        credit_number: credit.credit_number.clone(),
        reference: reference.into(),
        kind: CreditMovementKind::PayrollPayment,
        booked_on: date!(2020 - 02 - 29),
        amount: Money::from_centavos(-pesos * 100),
    };

    let mut batch = store.begin_import(&file("chunks")).await.unwrap();
    let chunks = [
        vec![contribution(a, first, 100), contribution(b, first, 10)],
        vec![contribution(a, first, 100), contribution(a, second, 200)],
        vec![contribution(b, second, 20)],
    ];
    let mut inserted = Vec::new();
    for chunk in &chunks {
        inserted.push(batch.insert_movements(chunk).await.unwrap());
    }
    assert_eq!(inserted, [2, 1, 1]);
    assert_eq!(
        batch
            .insert_credits(std::slice::from_ref(&credit))
            .await
            .unwrap(),
        1
    );
    let disbursement = CreditMovement {
        kind: CreditMovementKind::Disbursement,
        amount: Money::from_centavos(50_000_000),
        ..payment("D1", 0)
    };
    assert_eq!(
        batch
            .insert_credit_movements(&[disbursement, payment("P1", 3_000)])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        batch
            .insert_credit_movements(&[payment("P1", 3_000), payment("P2", 3_000)])
            .await
            .unwrap(),
        1
    );
    batch.commit(ImportTotals::default()).await.unwrap();

    let total = |id| async move {
        store
            .balances(id)
            .await
            .unwrap()
            .iter()
            .map(|x| x.balance)
            .sum::<Money>()
    };
    assert_eq!(total(a).await, Money::from_centavos(30_000));
    assert_eq!(total(b).await, Money::from_centavos(3_000));
    assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
    assert_eq!(
        store
            .credit_balance(a, &credit.credit_number)
            .await
            .unwrap(),
        Some(Money::from_centavos(50_000_000 - 600_000))
    );
    db.finish().await;
}

/// With a pool of one connection every call after the drop runs on the batch's own
/// connection: had it come back inside the transaction, the counts would see the batch's rows
/// (or fail on its aborted transaction).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_batches_leave_nothing_and_the_pool_comes_back_clean() {
    let Some(db) = support::fresh_with(1).await else {
        return;
    };
    let store = &db.store;
    let people: Vec<Person> = (1..=3).map(store::contract::person).collect();
    let bimester = Bimester::parse("2020-1").unwrap();
    let mut backend = None;
    for round in 0..6 {
        let mut batch = store
            .begin_import(&file(&format!("drop{round}")))
            .await
            .unwrap();
        let ids = batch.insert_members(&people).await.unwrap();
        let moves: Vec<_> = ids
            .iter()
            .map(|id| contribution(*id, bimester, 100))
            .collect();
        assert_eq!(batch.insert_movements(&moves).await.unwrap(), 3);
        match round % 3 {
            // Dropped with its transaction healthy.
            0 => {}
            // Dropped after a failed statement left the transaction aborted.
            1 => match batch.insert_members(&people[..1]).await {
                Err(StoreError::Conflict("duplicate_key")) => {}
                other => panic!("expected duplicate_key, got {other:?}"),
            },
            // Dropped in the middle of a COPY, as when the caller's future is cancelled.
            _ => {
                let many: Vec<_> = (0..200_000)
                    .map(|n| contribution(MemberId(n), bimester, 1))
                    .collect();
                let cut = Duration::from_millis(2);
                let cut_short = tokio::time::timeout(cut, batch.insert_movements(&many)).await;
                assert!(
                    cut_short.is_err(),
                    "the COPY finished before it could be cut"
                );
            }
        }
        drop(batch);
        assert_eq!(
            store.counts().await.unwrap(),
            RegistryCounts::default(),
            "round {round}"
        );
        assert!(store.imports().await.unwrap().is_empty());
        assert_eq!(store.check_ledger().await.unwrap().balances_checked, 0);
        store.ping().await.unwrap();
        // Rolled back and reused, not closed and reopened.
        let backends = db.backends().await;
        assert_eq!(backends.len(), 1, "{backends:?}");
        assert_eq!(backends[0].1, "idle", "round {round}");
        assert_eq!(
            *backend.get_or_insert(backends[0].0),
            backends[0].0,
            "round {round}"
        );
    }
    let mut batch = store.begin_import(&file("kept")).await.unwrap();
    batch.insert_members(&people).await.unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();
    assert_eq!(store.counts().await.unwrap().members, 3);
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_claimed_by_an_open_batch_waits_for_its_outcome() {
    let Some(db) = support::fresh().await else {
        return;
    };
    let claim_again = |tag: &'static str| {
        let store = db.store.clone();
        tokio::spawn(async move { store.begin_import(&file(tag)).await.map(|b| b.batch_id()) })
    };

    // The first batch commits: the waiting one is told the file is already imported.
    let first = db.store.begin_import(&file("same")).await.unwrap();
    let first_id = first.batch_id();
    let second = claim_again("same");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second claim should wait for the first batch"
    );
    first.commit(ImportTotals::default()).await.unwrap();
    match second.await.unwrap() {
        Err(StoreError::AlreadyImported { batch_id }) => assert_eq!(batch_id, first_id),
        other => panic!("expected already_imported, got {other:?}"),
    }

    // The first batch is dropped: the waiting one goes ahead.
    let first = db.store.begin_import(&file("other")).await.unwrap();
    let second = claim_again("other");
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(first);
    assert!(second.await.unwrap().is_ok());
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_starting_together_migrate_once() {
    let Some(db) = support::fresh().await else {
        return;
    };
    let schema = format!("{}_twin", db.schema);
    let options = PgOptions {
        pool_size: 2,
        schema: Some(schema.clone()),
        ..PgOptions::default()
    };
    let (a, b) = tokio::join!(
        PgStore::connect_with(&db.url, options.clone()),
        PgStore::connect_with(&db.url, options),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.counts().await.unwrap(), b.counts().await.unwrap());
    let raw = support::raw_client(&db.url, Some(&schema)).await;
    let applied: i64 = raw
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .await
        .unwrap()
        .get(0);
    // Each migration file once, however many instances raced.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(applied, files as i64);
    raw.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
    db.finish().await;
}

/// Needs no server: nothing listens on port 1.
#[tokio::test]
async fn an_unreachable_server_is_reported_in_one_line() {
    match PgStore::connect("postgres://postgres@127.0.0.1:1/test").await {
        Err(StoreError::Unavailable(reason)) => {
            assert_eq!(
                reason,
                "cannot connect to PostgreSQL at 127.0.0.1:1: connection refused"
            );
        }
        Err(other) => panic!("expected unavailable, got {other}"),
        Ok(_) => panic!("connected to a closed port"),
    }
    match PgStore::connect("postgres://[bad").await {
        Err(StoreError::Unavailable(reason)) => {
            assert!(reason.starts_with("invalid PostgreSQL URL"))
        }
        Err(other) => panic!("expected unavailable, got {other}"),
        Ok(_) => panic!("accepted a broken URL"),
    }
}

#[tokio::test]
async fn a_store_reports_its_engine() {
    let Some(db) = support::fresh().await else {
        return;
    };
    assert_eq!(db.store.engine(), "postgres");
    assert_eq!(db.store.schema(), Some(db.schema.as_str()));
    db.finish().await;
}

#[tokio::test]
async fn a_url_demanding_tls_is_refused_clearly() {
    let Some(url) = support::url() else { return };
    let separator = if url.contains('?') { '&' } else { '?' };
    match PgStore::connect(&format!("{url}{separator}sslmode=require")).await {
        Err(StoreError::Unavailable(reason)) => assert!(reason.contains("TLS"), "{reason}"),
        Err(other) => panic!("expected unavailable, got {other}"),
        Ok(_) => panic!("connected without the TLS the URL asked for"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_detects_edited_and_removed_rows() {
    let Some(db) = support::fresh().await else {
        return;
    };
    let raw = db.raw().await;
    store::contract::audit_detects_tampering(&db.store, |sql| {
        let raw = &raw;
        async move { raw.batch_execute(&sql).await.unwrap() }
    })
    .await;
    db.finish().await;
}

/// Appends from many tasks on both workers and a pool of 8: each locks only its own chain's
/// head, so they interleave freely and the log still verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_appends_from_spawned_tasks_verify() {
    use store::{AuditRepo, AuditVerdict};
    let Some(db) = support::fresh_with(8).await else {
        return;
    };
    let tasks: Vec<_> = (0..32)
        .map(|m| {
            let store = db.store.clone();
            tokio::spawn(async move {
                for i in 0..10 {
                    // Two members per chain on average: some tasks contend for one head.
                    let entry =
                        store::contract::audit_entry(Some(m), "sign_in", store::contract::at(i));
                    store.append_audit(&[entry]).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    match db.store.verify_audit().await.unwrap() {
        AuditVerdict::Intact(totals) => assert_eq!(totals.total, 320),
        AuditVerdict::Broken(link) => panic!("broken at {link:?}"),
    }
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lagging_reads_without_a_usable_replica_come_from_the_primary() {
    let Some(url) = support::url() else { return };
    // A replica that is away, and a "replica" that is a primary (it replays nothing).
    for replica in ["postgres://postgres@127.0.0.1:1/test", url.as_str()] {
        let db = support::fresh_with_replica(replica).await.unwrap();
        let lagging = db.store.lagging_reads();
        let raw = db.raw().await;
        raw.batch_execute(
            "INSERT INTO stats_refreshes (singleton, until_day) VALUES (1, '2026-03-01')",
        )
        .await
        .unwrap();
        for _ in 0..3 {
            let started = std::time::Instant::now();
            assert_eq!(
                store::StatsRepo::stats_refreshed_until(&lagging)
                    .await
                    .unwrap(),
                Some(date!(2026 - 03 - 01)),
                "{replica}"
            );
            assert!(started.elapsed() < Duration::from_secs(2), "{replica}");
        }
        assert_eq!(replica::counts(&db.store).answered, 0, "{replica}");
        db.finish().await;
    }
}

/// The layout of `table` in the test's schema: its kind (`p` partitioned, `r` plain), its
/// partitions, and its rows counted through the parent and partition by partition.
async fn layout(db: &support::TestDb, table: &str) -> (String, i64, i64, i64) {
    let raw = db.raw().await;
    let row = raw
        .query_one(
            "SELECT c.relkind::text,
                    (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid)
             FROM pg_class c WHERE c.oid = to_regclass($1)",
            &[&table],
        )
        .await
        .unwrap();
    let total: i64 = raw
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0);
    let parts: i64 = row.get(1);
    let mut by_partition = 0;
    for p in 0..parts {
        let n: i64 = raw
            .query_one(&format!("SELECT count(*) FROM ONLY {table}_p{p}"), &[])
            .await
            .unwrap()
            .get(0);
        by_partition += n;
    }
    (row.get(0), parts, total, by_partition)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_big_tables_are_partitioned_by_configuration_while_empty() {
    let Some(db) = support::fresh_partitioned(4).await else {
        return;
    };
    store::contract::movements_are_posted_once_and_balances_follow(&db.store).await;
    for table in store_postgres::PARTITIONED_TABLES {
        let (kind, parts, total, by_partition) = layout(&db, table).await;
        assert_eq!((kind.as_str(), parts), ("p", 4), "{table}");
        assert_eq!(total, by_partition, "{table}");
    }
    let (_, _, movements, _) = layout(&db, "subaccount_movements").await;
    assert!(movements > 0);

    // Opened again with another count, a partitioned table is left as it is.
    let options = PgOptions {
        schema: Some(db.schema.clone()),
        partitions: 8,
        ..PgOptions::default()
    };
    let again = PgStore::connect_with(&db.url, options).await.unwrap();
    drop(again);
    let (kind, parts, total, _) = layout(&db, "subaccount_movements").await;
    assert_eq!((kind.as_str(), parts, total), ("p", 4, movements));
    db.finish().await;

    // A plain table that already has rows keeps its layout and its rows.
    let Some(db) = support::fresh().await else {
        return;
    };
    store::contract::movements_are_posted_once_and_balances_follow(&db.store).await;
    let (_, _, before, _) = layout(&db, "subaccount_movements").await;
    let options = PgOptions {
        schema: Some(db.schema.clone()),
        partitions: 4,
        ..PgOptions::default()
    };
    drop(PgStore::connect_with(&db.url, options).await.unwrap());
    let (kind, parts, after, _) = layout(&db, "subaccount_movements").await;
    assert_eq!((kind.as_str(), parts, after), ("r", 0, before));
    db.finish().await;
}
