//! The contract for credit applications: a draft's answers and documents change only while it
//! is a draft, one document per checklist item (a new one replaces it), blobs are known to be in
//! use while any row points at them, and the first course pass is the one kept.

use domain::requests::{RequestKind, RequestState};
use time::macros::date;

use super::requests::{change, folio, submitted};
use super::{at, audit_count, audit_entry, conflict, import_members, person};
use crate::{CourseCompletion, NewRequest, NewStoredFile, Store, stored_instant};

fn stored(item: &str, tag: u8) -> NewStoredFile {
    let mut sha256 = [0u8; 32];
    sha256[0] = tag;
    NewStoredFile {
        item: item.into(),
        file_name: format!("{item}.pdf"),
        content_type: "application/pdf".into(),
        size: 100 + u64::from(tag),
        sha256,
        uploaded_at: at(i64::from(tag)),
    }
}

fn draft(new: NewRequest) -> NewRequest {
    NewRequest {
        state: RequestState::Draft,
        submitted: None,
        answers: r#"{"product":"tradicional","purpose":"buy"}"#.into(),
        ..new
    }
}

pub async fn drafts_keep_one_file_per_item_until_submitted(store: &impl Store) {
    let members = import_members(store, "apply", &[person(41), person(42)]).await;
    let (ana, other) = (members[0], members[1]);
    let f = folio("CRE-2026-APPXYANA");
    let new = draft(submitted(
        ana,
        &f,
        RequestKind::CreditApplication,
        date!(2026 - 12 - 24),
    ));
    store.create_request(&new, &[], &[]).await.unwrap();

    let audits = audit_count(store).await;
    let answers = r#"{"product":"cofinavit","purpose":"buy"}"#;
    let updated = store
        .update_draft_answers(ana, &f, answers, &[audit_entry(Some(ana.0), "x", at(1))])
        .await
        .unwrap();
    assert_eq!(updated.answers, answers);
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(
        conflict(store.update_draft_answers(other, &f, answers, &[]).await),
        "request_not_found"
    );

    let (first, replaced) = store
        .put_draft_file(ana, &f, &stored("official_id", 1), &[])
        .await
        .unwrap();
    assert_eq!((first.seq, replaced), (1, None));
    assert!(first.in_blob_store);
    assert_eq!(first.item.as_deref(), Some("official_id"));
    assert_eq!(first.uploaded_at, stored_instant(at(1)));
    let (second, _) = store
        .put_draft_file(ana, &f, &stored("appraisal", 2), &[])
        .await
        .unwrap();
    assert_eq!(second.seq, 2);
    // A new file for the same item replaces the old one and says which blob it was.
    let (again, replaced) = store
        .put_draft_file(ana, &f, &stored("official_id", 3), &[])
        .await
        .unwrap();
    assert_eq!(replaced, Some(stored("official_id", 1).sha256));
    assert_eq!(again.seq, 3);
    let listed = store.attachments(ana, &f).await.unwrap();
    assert_eq!(listed, vec![second.clone(), again.clone()]);
    let (meta, bytes) = store.attachment(ana, &f, 3).await.unwrap().unwrap();
    assert_eq!(meta, again);
    assert!(bytes.is_empty(), "the bytes are in the blob store");
    assert!(!store.blob_in_use(&stored("x", 1).sha256).await.unwrap());
    assert!(store.blob_in_use(&stored("x", 3).sha256).await.unwrap());
    assert!(store.attachments(other, &f).await.unwrap().is_empty());
    assert_eq!(
        conflict(
            store
                .put_draft_file(other, &f, &stored("tax_id", 4), &[])
                .await
        ),
        "request_not_found"
    );

    let removed = store.delete_draft_file(ana, &f, 2, &[]).await.unwrap();
    assert_eq!(removed, Some(stored("x", 2).sha256));
    assert_eq!(
        store.delete_draft_file(ana, &f, 2, &[]).await.unwrap(),
        None
    );
    assert!(!store.blob_in_use(&stored("x", 2).sha256).await.unwrap());

    // Submitted: nothing about it changes any more, and nothing is audited for trying.
    let mut submit = change(
        RequestState::Draft,
        RequestState::Submitted,
        20,
        "submitted",
    );
    submit.submitted = Some(crate::Submission {
        at: at(20),
        promised_on: date!(2026 - 12 - 24),
    });
    store
        .transition_request(ana, &f, &submit, &[], &[])
        .await
        .unwrap();
    let audits = audit_count(store).await;
    let late = [audit_entry(Some(ana.0), "late", at(21))];
    assert_eq!(
        conflict(
            store
                .put_draft_file(ana, &f, &stored("tax_id", 5), &late)
                .await
        ),
        "request_state_changed"
    );
    assert_eq!(
        conflict(store.delete_draft_file(ana, &f, 3, &late).await),
        "request_state_changed"
    );
    assert_eq!(
        conflict(store.update_draft_answers(ana, &f, "{}", &late).await),
        "request_state_changed"
    );
    assert_eq!(audit_count(store).await, audits);
    assert_eq!(store.attachments(ana, &f).await.unwrap(), vec![again]);
    assert!(!store.blob_in_use(&stored("x", 5).sha256).await.unwrap());

    // The course: the first pass is kept.
    assert_eq!(store.course_completion(ana).await.unwrap(), None);
    let pass = CourseCompletion {
        member_id: ana,
        course: "2026-1".into(),
        score: 5,
        out_of: 6,
        passed_at: at(30),
    };
    let kept = store
        .record_course_completion(&pass, &[audit_entry(Some(ana.0), "course_passed", at(30))])
        .await
        .unwrap();
    assert_eq!(kept.passed_at, stored_instant(at(30)));
    let later = CourseCompletion {
        score: 6,
        passed_at: at(40),
        ..pass.clone()
    };
    let audits = audit_count(store).await;
    let still = store
        .record_course_completion(&later, &[audit_entry(Some(ana.0), "course_passed", at(40))])
        .await
        .unwrap();
    assert_eq!(still.score, 5);
    assert_eq!(
        audit_count(store).await,
        audits,
        "a second pass changes nothing"
    );
    assert_eq!(store.course_completion(ana).await.unwrap(), Some(kept));
    assert_eq!(store.course_completion(other).await.unwrap(), None);
}

pub async fn partners_pair_by_a_spent_code_and_part_together(store: &impl Store) {
    let members = import_members(store, "unamos", &[person(43), person(44), person(45)]).await;
    let (ana, luis, marta) = (members[0], members[1], members[2]);
    let code = [7u8; 32];
    store
        .create_partner_code(ana, &code, at(100), &[audit_entry(Some(ana.0), "x", at(0))])
        .await
        .unwrap();
    assert_eq!(
        conflict(store.join_partner(ana, &code, at(1), &[]).await),
        "partner_self"
    );
    assert_eq!(
        conflict(store.join_partner(luis, &code, at(100), &[]).await),
        "partner_code_invalid",
        "expired"
    );
    assert_eq!(
        conflict(store.join_partner(luis, &[8u8; 32], at(1), &[]).await),
        "partner_code_invalid"
    );
    // A newer code replaces the older one.
    let newer = [9u8; 32];
    store
        .create_partner_code(ana, &newer, at(100), &[])
        .await
        .unwrap();
    assert_eq!(
        conflict(store.join_partner(luis, &code, at(1), &[]).await),
        "partner_code_invalid"
    );
    let audits = audit_count(store).await;
    let partner = store
        .join_partner(
            luis,
            &newer,
            at(2),
            &[audit_entry(Some(luis.0), "x", at(2))],
        )
        .await
        .unwrap();
    assert_eq!(partner, ana);
    assert_eq!(audit_count(store).await, audits + 1);
    assert_eq!(store.partner_of(ana).await.unwrap(), Some(luis));
    assert_eq!(store.partner_of(luis).await.unwrap(), Some(ana));
    assert_eq!(store.partner_of(marta).await.unwrap(), None);
    assert_eq!(
        conflict(store.join_partner(marta, &newer, at(3), &[]).await),
        "partner_code_invalid",
        "a code is spent once"
    );
    // Someone already paired cannot pair again.
    let hers = [10u8; 32];
    store
        .create_partner_code(marta, &hers, at(100), &[])
        .await
        .unwrap();
    assert_eq!(
        conflict(store.join_partner(luis, &hers, at(4), &[]).await),
        "partner_taken"
    );
    assert_eq!(store.partner_of(marta).await.unwrap(), None);
    // Either ends it, for both.
    assert_eq!(store.leave_partner(ana, &[]).await.unwrap(), Some(luis));
    assert_eq!(store.partner_of(luis).await.unwrap(), None);
    assert_eq!(store.leave_partner(ana, &[]).await.unwrap(), None);
}
