//! The contract for idempotency keys: one claim wins, the first answer is kept and replayed,
//! keys are the member's own, a released key runs again, an expired key is forgotten.

use domain::registry::MemberId;

use super::{at, join_all};
use crate::{IdempotencyClaim, IdempotentAnswer, Store};

pub async fn an_idempotency_key_is_claimed_once_and_keeps_its_first_answer(store: &impl Store) {
    let (ana, luis) = (MemberId(101), MemberId(202));
    let body = [7u8; 32];
    let other = [8u8; 32];
    let expires = at(86_400);

    // Many claims of one key at once: exactly one runs the request.
    let claims = join_all(
        (0..8)
            .map(|_| store.claim_idempotency_key(ana, "k-1", &body, at(0), expires))
            .collect(),
    )
    .await;
    let claims: Vec<_> = claims.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        claims
            .iter()
            .filter(|c| **c == IdempotencyClaim::Claimed)
            .count(),
        1,
        "{claims:?}"
    );
    assert!(claims.iter().all(|c| *c == IdempotencyClaim::Claimed
        || *c == IdempotencyClaim::Pending { request_hash: body }));

    // Another member's key of the same name is theirs.
    assert_eq!(
        store
            .claim_idempotency_key(luis, "k-1", &other, at(1), expires)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );

    let first = IdempotentAnswer {
        status: 201,
        content_type: "application/json".into(),
        body: br#"{"folio":"A"}"#.to_vec(),
    };
    store
        .answer_idempotency_key(ana, "k-1", &first)
        .await
        .unwrap();
    // A second answer does not replace the first; releasing an answered key keeps it.
    let second = IdempotentAnswer {
        status: 409,
        content_type: "application/json".into(),
        body: b"{}".to_vec(),
    };
    store
        .answer_idempotency_key(ana, "k-1", &second)
        .await
        .unwrap();
    store.release_idempotency_key(ana, "k-1").await.unwrap();
    let replay = store
        .claim_idempotency_key(ana, "k-1", &other, at(2), expires)
        .await
        .unwrap();
    assert_eq!(
        replay,
        IdempotencyClaim::Answered {
            request_hash: body,
            answer: first.clone()
        },
        "the stored hash is the first request's, whatever the retry sends"
    );

    // Luis's pending key, released because his request failed before acting, runs again.
    store.release_idempotency_key(luis, "k-1").await.unwrap();
    assert_eq!(
        store
            .claim_idempotency_key(luis, "k-1", &body, at(3), expires)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );

    // Once expired, Ana's key is forgotten and can be claimed for a new request.
    assert_eq!(
        store
            .claim_idempotency_key(ana, "k-1", &other, at(86_399), at(90_000))
            .await
            .unwrap(),
        IdempotencyClaim::Answered {
            request_hash: body,
            answer: first
        }
    );
    assert_eq!(
        store
            .claim_idempotency_key(ana, "k-1", &other, at(86_400), at(172_800))
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
}
