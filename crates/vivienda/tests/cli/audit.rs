//! `vivienda audit verify` on a log written through the store, then tampered with behind its
//! back: an edited entry and a removed newest entry are both named.

use std::collections::BTreeSet;
use std::path::Path;

use domain::audit::{AuditEntry, Channel};
use domain::registry::MemberId;
use store::{AuditRepo, StoredAuditEntry};
use time::OffsetDateTime;

use crate::{block_on, scratch, store_of, text, vivienda};

fn entry(member: i64, action: &str) -> AuditEntry {
    AuditEntry {
        at: OffsetDateTime::now_utc(),
        actor: format!("member:{member}"),
        action: action.into(),
        member_id: Some(member),
        channel: Channel::Web,
        origin: "127.0.0.1".into(),
        details: "{}".into(),
    }
}

/// Three entries for member 1 and two for member 2; returns each member's entries, oldest first.
fn seed(dir: &Path) -> (Vec<StoredAuditEntry>, Vec<StoredAuditEntry>) {
    let entries = [
        entry(1, "sign_up"),
        entry(1, "code_sent"),
        entry(2, "sign_up"),
        entry(1, "account_activated"),
        entry(2, "code_sent"),
    ];
    block_on(async {
        let store = store_of(dir);
        store.append_audit(&entries).await.unwrap();
        (oldest_first(&store, 1).await, oldest_first(&store, 2).await)
    })
}

async fn oldest_first(store: &impl AuditRepo, member: i64) -> Vec<StoredAuditEntry> {
    let mut list = store.recent_audit(MemberId(member), 10).await.unwrap();
    list.reverse();
    list
}

fn verify(dir: &Path) -> (bool, String) {
    let out = vivienda(dir).args(["audit", "verify"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(stderr.is_empty(), "{stderr}");
    (out.status.success(), stdout)
}

fn tamper(dir: &Path, sql: &str, entry_id: i64) {
    let db = rusqlite::Connection::open(dir.join("data/vivienda.db")).unwrap();
    assert_eq!(db.execute(sql, [entry_id]).unwrap(), 1);
}

fn broken_line(link: &StoredAuditEntry) -> String {
    format!(
        "audit log broken: chain {}, entry {} (position {}) does not follow from the one before, \
         or was removed\n",
        link.chain, link.entry_id, link.position
    )
}

#[test]
fn audit_verify_passes_an_intact_log_and_names_an_edited_entry() {
    let dir = scratch("audit-edited");
    let (first, second) = seed(&dir);
    let chains: BTreeSet<u32> = first.iter().chain(&second).map(|e| e.chain).collect();
    let (ok, stdout) = verify(&dir);
    assert!(ok, "{stdout}");
    assert_eq!(
        stdout,
        format!("audit log ok: 5 entries in {} chains\n", chains.len())
    );

    let edited = &first[1];
    assert_eq!(edited.position, 1);
    tamper(
        &dir,
        "UPDATE audit_log SET details = '{\"note\":\"edited\"}' WHERE entry_id = ?1",
        edited.entry_id,
    );
    let (ok, stdout) = verify(&dir);
    assert!(!ok, "an edited entry must fail the check");
    assert_eq!(stdout, broken_line(edited));
}

#[test]
fn audit_verify_names_a_removed_newest_entry() {
    let dir = scratch("audit-removed");
    let (_, second) = seed(&dir);
    assert!(verify(&dir).0);
    let newest = &second[1];
    tamper(
        &dir,
        "DELETE FROM audit_log WHERE entry_id = ?1",
        newest.entry_id,
    );
    let (ok, stdout) = verify(&dir);
    assert!(!ok, "a removed entry must fail the check");
    assert_eq!(stdout, broken_line(newest));
}
