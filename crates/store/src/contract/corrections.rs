//! The contract for data corrections: files kept with their request, and a correction that
//! rewrites the member and completes the request together or not at all.

use domain::requests::{RequestKind, RequestState};
use time::macros::date;

use super::requests::{change, folio, submitted};
use super::{at, audit_count, audit_entry, conflict, import_members, person};
use crate::{NewAttachment, Store};

fn file(name: &str, bytes: &[u8]) -> NewAttachment {
    // The store keeps the hash it is given; the app computes it.
    let mut sha256 = [0u8; 32];
    sha256[0] = u8::try_from(bytes.len()).unwrap();
    sha256[31] = name.as_bytes()[0];
    NewAttachment {
        file_name: name.into(),
        content_type: "application/pdf".into(),
        sha256,
        bytes: bytes.to_vec(),
    }
}

pub async fn corrections_keep_their_files_and_apply_atomically(store: &impl Store) {
    let members = import_members(store, "corr", &[person(31), person(32)]).await;
    let (ana, other) = (members[0], members[1]);
    let f = folio("COR-2026-CORRECT1");
    let new = submitted(ana, &f, RequestKind::DataCorrection, date!(2026 - 12 - 24));
    let files = [
        file("curp.pdf", b"%PDF-1.4 curp"),
        file("acta.pdf", &[0u8, 1, 2, 255]),
    ];
    store
        .create_request_with_attachments(&new, &files, &[], &[])
        .await
        .unwrap();
    let listed = store.attachments(ana, &f).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].seq, 1);
    assert_eq!(listed[0].file_name, "curp.pdf");
    assert_eq!(listed[1].size, 4);
    assert_eq!(listed[1].sha256, files[1].sha256);
    let (meta, bytes) = store.attachment(ana, &f, 2).await.unwrap().unwrap();
    assert_eq!(meta, listed[1]);
    assert_eq!(bytes, [0u8, 1, 2, 255]);
    assert!(store.attachments(other, &f).await.unwrap().is_empty());
    assert!(store.attachment(other, &f, 1).await.unwrap().is_none());
    assert!(store.attachment(ana, &f, 3).await.unwrap().is_none());

    // Taking another member's CURP rolls everything back.
    let before = store.member(ana).await.unwrap().unwrap();
    let theirs = store.member(other).await.unwrap().unwrap();
    let in_review = change(
        RequestState::Submitted,
        RequestState::InReview,
        10,
        "review_started",
    );
    let mut taken = before.person.clone();
    taken.curp = theirs.person.curp;
    let audits = audit_count(store).await;
    assert_eq!(
        conflict(
            store
                .apply_correction(
                    ana,
                    &taken,
                    &f,
                    &in_review,
                    &[audit_entry(Some(ana.0), "x", at(10))],
                    &[]
                )
                .await
        ),
        "curp_taken"
    );
    assert_eq!(store.member(ana).await.unwrap().unwrap(), before);
    assert_eq!(
        store
            .request_by_folio(ana, &f)
            .await
            .unwrap()
            .unwrap()
            .state,
        RequestState::Submitted
    );
    assert_eq!(audit_count(store).await, audits);

    // A change from a state the request is no longer in writes nothing either.
    let mut corrected = before.person.clone();
    corrected.second_surname = "HERNÁNDEZ".into();
    let stale = change(RequestState::Approved, RequestState::Done, 20, "completed");
    assert_eq!(
        conflict(
            store
                .apply_correction(ana, &corrected, &f, &stale, &[], &[])
                .await
        ),
        "request_state_changed"
    );
    assert_eq!(store.member(ana).await.unwrap().unwrap(), before);

    // The right change writes both, with its audit entry.
    let done = store
        .apply_correction(
            ana,
            &corrected,
            &f,
            &in_review,
            &[audit_entry(Some(ana.0), "correction_applied", at(30))],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(done.state, RequestState::InReview);
    let after = store.member(ana).await.unwrap().unwrap();
    assert_eq!(after.person, corrected);
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(store.member(other).await.unwrap().unwrap(), theirs);
}
