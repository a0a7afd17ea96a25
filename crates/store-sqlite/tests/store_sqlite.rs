//! The store contract on SQLite, plus what only SQLite does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use store_sqlite::SqliteStore;

async fn fresh() -> SqliteStore {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-sqlite-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    SqliteStore::open(&dir.join("test.db")).unwrap()
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

store::contract_tests!(fresh);

#[tokio::test]
async fn reopening_keeps_data_and_migrations_run_once() {
    use store::RegistryRepo;
    let store = fresh().await;
    let path = store.path().to_owned();
    drop(store);
    let again = SqliteStore::open(&path).unwrap();
    assert_eq!(again.counts().await.unwrap().members, 0);
}

#[tokio::test]
async fn ledger_check_finds_an_edited_balance() {
    use store::{ImportRepo, RegistryRepo};
    let store = fresh().await;
    store::contract::movements_are_posted_once_and_balances_follow(&store).await;
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute(
        "UPDATE subaccount_balances SET balance = balance + 1 WHERE bucket = 2",
        [],
    )
    .unwrap();
    let check = store.check_ledger().await.unwrap();
    assert_eq!(check.mismatches.len(), 1);
    assert_eq!(
        check.mismatches[0].stored.centavos() - check.mismatches[0].sum_of_movements.centavos(),
        1
    );
    let _ = store.imports().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_detects_edited_and_removed_rows() {
    let store = fresh().await;
    let path = store.path().to_owned();
    store::contract::audit_detects_tampering(&store, |sql| {
        let path = path.clone();
        async move {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .unwrap();
            conn.execute_batch(&sql).unwrap();
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_appends_from_spawned_tasks_verify() {
    use store::{AuditRepo, AuditVerdict};
    let store = fresh().await;
    let tasks: Vec<_> = (0..16)
        .map(|m| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..10 {
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
    match store.verify_audit().await.unwrap() {
        AuditVerdict::Intact(totals) => assert_eq!(totals.total, 160),
        AuditVerdict::Broken(link) => panic!("broken at {link:?}"),
    }
}
