//! Keeping what a member typed when their session timed out (standards: "keep what they typed
//! when they sign in again"). A form posted with a session that has just timed out is answered,
//! as always, by a redirect to sign in; this layer then asks the app to keep the typed fields
//! (never passwords, codes or the CSRF token) sealed in the database, and gives the browser
//! only a random token for them. After signing in, the member goes back to that page and finds
//! the fields filled in.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{self, SESSION_COOKIE};

pub(crate) const DRAFT_COOKIE: &str = "__Host-borrador";
/// Forms are small; anything larger is not a form of ours.
const LARGEST_FORM: usize = 64 * 1024;

/// The middleware: runs the handler, and keeps the form when it sent the member to sign in.
pub(crate) async fn keep_on_timeout(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let is_form = req.method() == Method::POST
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let token = auth::cookie(req.headers(), SESSION_COOKIE).map(str::to_owned);
    let (true, Some(token)) = (is_form, token) else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_owned();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_FORM).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let to_sign_in = response.status() == StatusCode::SEE_OTHER
        && response.headers().get(header::LOCATION) == Some(&HeaderValue::from_static("/entrar"));
    if !to_sign_in {
        return response;
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    match state.accounts.keep_draft(&token, &path, &fields).await {
        Ok(Some(draft)) => {
            let headers = response.headers_mut();
            headers.insert(
                header::LOCATION,
                HeaderValue::from_static("/entrar?caducada=1"),
            );
            headers.append(
                header::SET_COOKIE,
                auth::set_cookie(DRAFT_COOKIE, &format!("{draft}.{}", hex::encode(&path))),
            );
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "draft not kept"),
    }
    response
}

/// The draft token and the page it belongs to, from the cookie.
fn draft_cookie(headers: &HeaderMap) -> Option<(String, String)> {
    let (token, path) = auth::cookie(headers, DRAFT_COOKIE)?.split_once('.')?;
    let path = String::from_utf8(hex::decode(path).ok()?).ok()?;
    (path.starts_with('/') && !path.starts_with("//") && token.len() == 64)
        .then(|| (token.to_owned(), path))
}

/// Where a member goes after signing in: back to the page of their draft if they have one,
/// else to their account.
pub(crate) fn after_sign_in(headers: &HeaderMap, cookies: Vec<HeaderValue>) -> Response {
    let to = draft_cookie(headers).map_or_else(|| "/cuenta".to_owned(), |(_, path)| path);
    crate::accounts::redirect_with(&to, cookies)
}

/// The fields of the signed-in member's draft for the page being shown, once; the caller
/// clears the cookie with `clear()`.
pub(crate) async fn restored(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &app::accounts::SessionContext,
    path: &str,
) -> Option<Vec<(String, String)>> {
    let (token, draft_path) = draft_cookie(headers)?;
    if draft_path != path {
        return None;
    }
    match state.accounts.take_draft(ctx, &token).await {
        Ok(found) => found.map(|(_, fields)| fields),
        Err(e) => {
            tracing::error!(error = %e, "draft not restored");
            None
        }
    }
}

pub(crate) fn clear() -> HeaderValue {
    auth::clear_cookie(DRAFT_COOKIE)
}
