//! When the database is away, every request that needs it is answered at once and clearly: 503
//! with a Spanish page for members, the stable error body `database_unavailable` under `/api/`,
//! and `Retry-After`. Handlers report a store error however they like (most answer a bare 503);
//! the session look-up that runs before them notes an unavailable store here, so a member whose
//! session could not be checked is told the service is down rather than sent to sign in.

use std::cell::Cell;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use store::StoreError;

use crate::AppState;
use crate::accounts::api_error;
use crate::message::message_page;

tokio::task_local! {
    static STORE_UNAVAILABLE: Cell<bool>;
}

/// Seconds a client is asked to wait: the pool reconnects on the next request after the
/// database returns, so a short wait is enough.
const RETRY_AFTER: &str = "5";

/// Notes that the store could not be reached while answering this request.
pub(crate) fn note(e: &StoreError) {
    if matches!(e, StoreError::Unavailable(_)) {
        let _ = STORE_UNAVAILABLE.try_with(|flag| flag.set(true));
    }
}

/// Whether the database fails to answer a ping within a short wait.
async fn store_away(state: &AppState) -> bool {
    let ping = tokio::time::timeout(std::time::Duration::from_millis(300), state.store.ping());
    !matches!(ping.await, Ok(Ok(())))
}

pub(crate) async fn answer_clearly(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    // The page below needs only the cookies (its CSRF token): keep those, not every header.
    let mut headers = axum::http::HeaderMap::new();
    for cookie in req.headers().get_all(header::COOKIE) {
        headers.append(header::COOKIE, cookie.clone());
    }
    let (response, unavailable) = STORE_UNAVAILABLE
        .scope(Cell::new(false), async {
            let response = next.run(req).await;
            (response, STORE_UNAVAILABLE.with(Cell::get))
        })
        .await;
    // A 503 that says nothing (most handlers answer a store error so) gets a page or the error
    // body; one with its own page or error body (an e-signature service not configured, say)
    // keeps it.
    let bare_503 = response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    // Under /api/ a 503 of a handler's own (`service_unavailable`) says which: the database.
    let api_503 = api && response.status() == StatusCode::SERVICE_UNAVAILABLE;
    if !unavailable && !bare_503 && !api_503 {
        return response;
    }
    let unavailable = unavailable || store_away(&state).await;
    if !unavailable && !bare_503 {
        return response;
    }
    let mut replaced = if api {
        let code = if unavailable {
            "database_unavailable"
        } else {
            "service_unavailable"
        };
        api_error(&state, StatusCode::SERVICE_UNAVAILABLE, code)
    } else {
        message_page(
            &state,
            &headers,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable-title",
            if unavailable {
                "unavailable-text"
            } else {
                "service-unavailable"
            },
            ("/", "unavailable-back"),
        )
    };
    replaced
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
    replaced
}
