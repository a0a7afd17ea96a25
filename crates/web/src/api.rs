//! What every `/api/` answer shares: the OpenAPI document that describes the API
//! (`GET /api/openapi.json`, kept by hand in `openapi.json` next to this file and checked
//! against the router by the tests), and the stable error body. Handlers answer errors as
//! `{"error": code, "message": text}` themselves; what axum answers before a handler runs (a
//! body that is not JSON or not the right shape, a path parameter of the wrong type, a route
//! or method that does not exist, a body too large) is turned into the same body here, so a
//! client never has to read plain text from the API.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::accounts::api_error;

/// The OpenAPI 3.1 description of every `/api/` route.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

/// `GET /api/openapi.json`.
pub(crate) async fn openapi_get() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        OPENAPI,
    )
        .into_response()
}

/// The stable code of an error axum answered before any handler ran.
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "route_not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "request_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "content_type_unsupported",
        StatusCode::UNPROCESSABLE_ENTITY => "request_body_invalid",
        _ => "request_invalid",
    }
}

/// Under `/api/`, a client error that is not JSON already becomes the stable error body.
pub(crate) async fn json_errors(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let response = next.run(req).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() || json {
        return response;
    }
    let mut replaced = api_error(&state, status, code_of(status));
    if let Some(allow) = response.headers().get(header::ALLOW) {
        replaced.headers_mut().insert(header::ALLOW, allow.clone());
    }
    replaced
}
