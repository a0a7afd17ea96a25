//! `Idempotency-Key` on the API's submissions and money movements: a client that did not get
//! the answer (a dropped connection, a 503 while the database was away) retries with the same
//! key and gets the first answer again; the request is never done twice.
//!
//! The key is claimed in the store before the handler runs, per member, for a day. A request
//! whose handler answered with a server error (it failed before acting: the store was away) or
//! was not let in (401, 403, 429) frees its key, so the retry runs it; any other answer is kept
//! and replayed byte for byte with
//! `Idempotent-Replayed: true`. The same key with a different request is refused with 422
//! `idempotency_key_reused`; while the first request runs, or when its outcome is unknown (the
//! process stopped in the middle), 409 `idempotency_key_in_progress`. When the store cannot take
//! the answer or the release at once, they are retried in the background until it returns.
//!
//! One window is left to the operations' own rules: when the database kept a change but the
//! answer to its COMMIT was lost, the handler answers 503 and the key is freed; the retry then
//! meets the rule that makes each of these operations happen once (one appointment to come per
//! procedure, one refund in progress, a credit converts once, relief is granted once) and gets
//! its 409. Nothing is done twice either way.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::audit::Channel;
use domain::registry::MemberId;
use sha2::{Digest, Sha256};
use store::{IdempotencyClaim, IdempotentAnswer, Store};

use crate::accounts::{Peer, api_error};
use crate::{AppState, auth};

pub(crate) const HEADER: &str = "idempotency-key";

/// The operations that take a key: each submits a request or moves money.
const ROUTES: [&str; 4] = [
    "/api/v1/me/refund",
    "/api/v1/me/credits/{credit}/conversion",
    "/api/v1/me/credits/{credit}/relief",
    "/api/v1/me/appointments",
];

/// How long a key and its answer are kept.
const KEPT_FOR: time::Duration = time::Duration::hours(24);

/// The largest body read to hash: the server's own body limit.
const LARGEST_BODY: usize = 24 * 1024 * 1024;

fn valid(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

pub(crate) async fn keys(
    State(state): State<AppState>,
    peer: Peer,
    req: Request,
    next: Next,
) -> Response {
    // Every request passes here: the common case is decided without allocating.
    let applies = req.method() == Method::POST
        && req.headers().contains_key(HEADER)
        && req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| ROUTES.contains(&p.as_str()));
    if !applies {
        return next.run(req).await;
    }
    let key = match req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(key) if valid(key) => key.to_owned(),
        _ => return api_error(&state, StatusCode::BAD_REQUEST, "idempotency_key_invalid"),
    };
    let caller = auth::caller(req.headers(), peer, Channel::App);
    let Some((member, _)) = auth::member(&state, req.headers(), &caller).await else {
        // Not signed in (or the store is away): the handler gives the answer it always gives.
        return next.run(req).await;
    };
    let member = member.member_id;
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_BODY).await else {
        return api_error(&state, StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.uri.path().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let hash: [u8; 32] = hasher.finalize().into();
    let now = time::OffsetDateTime::now_utc();
    let claim = state
        .store
        .claim_idempotency_key(member, &key, &hash, now, now + KEPT_FOR)
        .await;
    match claim {
        Err(e) => {
            tracing::warn!(error = %e, "idempotency key not claimed");
            crate::unavailable::note(&e);
            // The claim may have been kept with only its answer lost; the request did not
            // run, so the key is freed (in the background, once the store is back).
            tokio::spawn(persist(state.store.clone(), member, key, None));
            api_error(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
            )
        }
        Ok(IdempotencyClaim::Answered {
            request_hash,
            answer,
        }) if request_hash == hash => replay(answer),
        Ok(IdempotencyClaim::Pending { request_hash }) if request_hash == hash => {
            api_error(&state, StatusCode::CONFLICT, "idempotency_key_in_progress")
        }
        Ok(IdempotencyClaim::Answered { .. } | IdempotencyClaim::Pending { .. }) => api_error(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
        ),
        Ok(IdempotencyClaim::Claimed) => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            settle(&state, member, key, response).await
        }
    }
}

/// Keeps the answer of a claimed key (or frees it after a server error) and returns it.
async fn settle(state: &AppState, member: MemberId, key: String, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, LARGEST_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            // The answer could not be read back; what it did is unknown, so the key stays
            // claimed and a retry is told the request is in progress.
            tracing::error!(error = %e, "answer of an idempotent request not readable");
            return api_error(
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            );
        }
    };
    let store = state.store.clone();
    // A server error, or a request that was not let in (CSRF, a session, throttling), did
    // nothing: the key is freed for the retry.
    let did_nothing = parts.status.is_server_error()
        || [
            StatusCode::UNAUTHORIZED,
            StatusCode::FORBIDDEN,
            StatusCode::TOO_MANY_REQUESTS,
        ]
        .contains(&parts.status);
    if did_nothing {
        tokio::spawn(persist(store, member, key, None));
    } else {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned();
        let answer = IdempotentAnswer {
            status: parts.status.as_u16(),
            content_type,
            body: bytes.to_vec(),
        };
        // Kept before the client sees the answer when the store is there: a retry that
        // arrives at once then finds it.
        if let Err(e) = state
            .store
            .answer_idempotency_key(member, &key, &answer)
            .await
        {
            tracing::warn!(error = %e, "idempotent answer not kept yet; retrying");
            tokio::spawn(persist(store, member, key, Some(answer)));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Keeps `answer` (or releases the key when `None`), retrying while the store is away: at
/// most ten minutes, after which the key stays claimed until it expires.
async fn persist(
    store: std::sync::Arc<dyn Store>,
    member: MemberId,
    key: String,
    answer: Option<IdempotentAnswer>,
) {
    let mut wait = Duration::from_millis(100);
    let give_up = tokio::time::Instant::now() + Duration::from_secs(600);
    loop {
        let done = match &answer {
            Some(answer) => store.answer_idempotency_key(member, &key, answer).await,
            None => store.release_idempotency_key(member, &key).await,
        };
        match done {
            Ok(()) => return,
            Err(e) if tokio::time::Instant::now() >= give_up => {
                tracing::error!(error = %e, "idempotency key left claimed");
                return;
            }
            Err(_) => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
        }
    }
}

fn replay(answer: IdempotentAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let content_type = HeaderValue::from_str(&answer.content_type)
        .unwrap_or(HeaderValue::from_static("application/json"));
    (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                axum::http::HeaderName::from_static("idempotent-replayed"),
                HeaderValue::from_static("true"),
            ),
        ],
        Bytes::from(answer.body),
    )
        .into_response()
}
