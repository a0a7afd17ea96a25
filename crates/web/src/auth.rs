//! Cookies, CSRF and the signed-in member.
//!
//! The session cookie holds a random token; only its hash is stored. CSRF protection is a
//! double submit: a random `__Host-csrf` cookie that every form (and every cookie-authenticated
//! API call, as `X-CSRF-Token`) must repeat. Bearer-authenticated API calls carry no cookie and
//! are exempt.

use std::net::SocketAddr;

use app::accounts::{Caller, SessionContext};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, header};
use domain::audit::Channel;

pub(crate) const SESSION_COOKIE: &str = "__Host-sesion";
pub(crate) const CSRF_COOKIE: &str = "__Host-csrf";
pub(crate) const SIGN_UP_COOKIE: &str = "__Host-alta";

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: secure, HTTP-only, whole site, first-party only.
pub(crate) fn set_cookie(name: &str, value: &str) -> HeaderValue {
    let text = format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax");
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("invalid=1"))
}

pub(crate) fn clear_cookie(name: &str) -> HeaderValue {
    let text = format!("{name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("invalid=1"))
}

/// The CSRF token for this browser, and the cookie to set when it had none.
pub(crate) fn csrf_token(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE).filter(|v| v.len() == 64) {
        Some(existing) => (existing.to_owned(), None),
        None => {
            let fresh = app::accounts::random_token();
            let set = set_cookie(CSRF_COOKIE, &fresh);
            (fresh, Some(set))
        }
    }
}

/// Whether a state-changing request repeats its CSRF cookie.
pub(crate) fn csrf_ok(headers: &HeaderMap, submitted: &str) -> bool {
    let Some(expected) = cookie(headers, CSRF_COOKIE) else {
        return false;
    };
    expected.len() == 64
        && submitted.len() == expected.len()
        && expected
            .bytes()
            .zip(submitted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Who is calling, for the audit log: channel, address and a short device description.
pub(crate) fn caller(
    headers: &HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    channel: Channel,
) -> Caller {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Caller {
        channel,
        origin: peer.0.ip().to_string(),
        device: device_summary(agent),
    }
}

/// "Chrome en Android", "Firefox en Windows", …: enough to recognise one's devices.
fn device_summary(agent: &str) -> String {
    let browser = ["Edg", "Firefox", "Chrome", "Safari"]
        .into_iter()
        .find(|b| agent.contains(b))
        .map_or("Navegador", |b| if b == "Edg" { "Edge" } else { b });
    let system = ["Android", "iPhone", "Windows", "Mac OS", "Linux"]
        .into_iter()
        .find(|s| agent.contains(s))
        .unwrap_or("otro sistema");
    if agent.is_empty() {
        "Desconocido".to_owned()
    } else {
        format!("{browser} en {system}")
    }
}

/// The signed-in member behind a request, from the session cookie or a bearer token.
pub(crate) async fn member(
    state: &crate::AppState,
    headers: &HeaderMap,
    caller: &Caller,
) -> Option<(SessionContext, bool)> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let (token, by_bearer) = match bearer {
        Some(t) => (t, true),
        None => (cookie(headers, SESSION_COOKIE)?, false),
    };
    match state.accounts.session(token, caller).await {
        Ok(found) => found.map(|ctx| (ctx, by_bearer)),
        Err(e) => {
            tracing::error!(error = %e, "session look-up failed");
            crate::unavailable::note(&e);
            None
        }
    }
}

/// Whole seconds to wait, rounded up (never 0): a member told "1 s" who tries after 1 s must
/// not be refused again.
pub(crate) fn seconds_to_wait(wait: time::Duration) -> i64 {
    let millis = wait.whole_milliseconds().max(1);
    i64::try_from((millis + 999) / 1000).unwrap_or(i64::MAX)
}

/// The signed-in member behind a form post: the CSRF token is checked first (403), then the
/// session (a redirect to sign in, which keeps a draft if the session had just timed out).
pub(crate) async fn member_post(
    state: &crate::AppState,
    headers: &HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    csrf: &str,
) -> Result<(SessionContext, Caller), axum::response::Response> {
    use axum::response::IntoResponse;
    if !csrf_ok(headers, csrf) {
        return Err(crate::accounts::forbidden(state));
    }
    let caller = caller(headers, peer, Channel::Web);
    match member(state, headers, &caller).await {
        Some((ctx, _)) => Ok((ctx, caller)),
        None => Err(axum::response::Redirect::to("/entrar").into_response()),
    }
}
