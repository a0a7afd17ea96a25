//! The language switch: a small form in every page's header posts here with the CSRF token; the
//! choice is kept in a cookie for a year and the member comes back to the page they were on.

use app::i18n::Lang;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{forbidden, redirect_with};
use crate::auth;
use crate::page::LANG_COOKIE;

#[derive(Deserialize)]
pub(crate) struct LanguagePost {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    volver: String,
}

pub(crate) async fn language_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(post): Form<LanguagePost>,
) -> Response {
    if !auth::csrf_ok(&headers, &post.csrf) {
        return forbidden(&state);
    }
    let Some(lang) = Lang::from_tag(&post.lang) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=31536000",
        lang.tag()
    );
    let cookie = HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("invalid=1"));
    redirect_with(return_path(&post.volver), vec![cookie])
}

/// Where to go back to: a path on this site, never another site (`//evil`, `/\evil`).
fn return_path(wanted: &str) -> &str {
    let local = wanted.starts_with('/')
        && !wanted.starts_with("//")
        && !wanted.contains('\\')
        && !wanted.chars().any(char::is_control);
    if local { wanted } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::return_path;

    #[test]
    fn only_paths_on_this_site_are_returned_to() {
        assert_eq!(return_path("/cuenta"), "/cuenta");
        assert_eq!(return_path("/entrar?activada=1"), "/entrar?activada=1");
        for bad in [
            "",
            "cuenta",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(return_path(bad), "/", "{bad:?}");
        }
    }
}
