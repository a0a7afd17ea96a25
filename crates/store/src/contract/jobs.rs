//! The contract for the job queue: one claim per job, a dead worker's job taken over once its
//! lease runs out, the first claim unable to finish what the second took, and a batch queued
//! once while it waits or runs.

use super::{at, audit_count, audit_entry, conflict};
use crate::{JobState, NewJob, Store};

fn yield_job(year: i32, when: i64) -> NewJob {
    NewJob {
        kind: "yield".into(),
        args: format!("{{\"year\":{year}}}"),
        dedupe: format!("yield:{year}"),
        created_by: "operator:1".into(),
        created_at: at(when),
        files: vec![("entrada.csv".into(), b"a,b\n".to_vec())],
    }
}

pub async fn jobs_are_claimed_once_and_taken_over_after_their_lease(store: &impl Store) {
    let before = audit_count(store).await;
    let first = store
        .enqueue_job(
            &yield_job(2024, 0),
            &[audit_entry(None, "job_queued", at(0))],
        )
        .await
        .unwrap();
    assert_eq!(first.state, JobState::Queued);
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(
        conflict(store.enqueue_job(&yield_job(2024, 1), &[]).await),
        "job_already_queued"
    );
    let second = store.enqueue_job(&yield_job(2025, 2), &[]).await.unwrap();

    // Oldest first, each once.
    let claimed = store.claim_job(at(10), at(70)).await.unwrap().unwrap();
    assert_eq!((claimed.job_id, claimed.attempts), (first.job_id, 1));
    assert_eq!(claimed.state, JobState::Running);
    let next = store.claim_job(at(10), at(1000)).await.unwrap().unwrap();
    assert_eq!(next.job_id, second.job_id);
    assert!(store.claim_job(at(11), at(71)).await.unwrap().is_none());

    // Progress extends the lease; once it lapses another worker takes the job over, and the
    // first claim can neither report nor finish any more.
    assert!(
        store
            .job_progress(first.job_id, 1, 500, at(100))
            .await
            .unwrap()
    );
    assert!(store.claim_job(at(90), at(150)).await.unwrap().is_none());
    let again = store.claim_job(at(101), at(160)).await.unwrap().unwrap();
    assert_eq!((again.job_id, again.attempts), (first.job_id, 2));
    assert_eq!(again.progress, 500);
    assert!(
        !store
            .job_progress(first.job_id, 1, 600, at(200))
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_job(first.job_id, 1, Ok("{}".into()), &[], at(102), &[])
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_job(
                first.job_id,
                2,
                Ok("{\"postings\":3}".into()),
                &[("rechazos.csv".into(), b"linea,motivo\n".to_vec())],
                at(103),
                &[audit_entry(None, "job_finished", at(103))],
            )
            .await
            .unwrap()
    );
    let done = store.job(first.job_id).await.unwrap().unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.summary.as_deref(), Some("{\"postings\":3}"));
    assert_eq!(done.finished_at, Some(at(103)));
    assert_eq!(audit_count(store).await, before + 2);
    assert_eq!(
        store.job_file_names(first.job_id).await.unwrap(),
        ["entrada.csv", "rechazos.csv"]
    );
    assert_eq!(
        store
            .job_file(first.job_id, "rechazos.csv")
            .await
            .unwrap()
            .as_deref(),
        Some(&b"linea,motivo\n"[..])
    );
    assert!(
        store
            .job_file(second.job_id, "rechazos.csv")
            .await
            .unwrap()
            .is_none()
    );

    // Finished, the same batch can be queued again (the batch itself posts nothing twice).
    store.enqueue_job(&yield_job(2024, 200), &[]).await.unwrap();
    assert!(
        store
            .finish_job(second.job_id, 1, Err("sin tasa".into()), &[], at(201), &[])
            .await
            .unwrap()
    );
    let failed = store.job(second.job_id).await.unwrap().unwrap();
    assert_eq!(failed.state, JobState::Failed);
    assert_eq!(failed.error.as_deref(), Some("sin tasa"));
    let recent: Vec<i64> = store
        .recent_jobs(2)
        .await
        .unwrap()
        .iter()
        .map(|j| j.job_id)
        .collect();
    assert_eq!(recent.len(), 2);
    assert!(recent[0] > second.job_id);
    assert_eq!(recent[1], second.job_id);
}
