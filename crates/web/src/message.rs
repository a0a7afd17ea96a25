//! A page that only says something: what was not found or cannot be done, and where to go
//! back — instead of a bare status line.

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::accounts::render;
use crate::auth;
use crate::page::Page;

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: Page,
    text: String,
    back_href: &'static str,
    back_label: String,
}

/// `title` and `text` are translation ids; `back` a path and the id of its label.
pub(crate) fn message_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    title: &str,
    text: &str,
    back: (&'static str, &str),
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let page = Page::new(&state.messages, title, &csrf);
    let template = MessagePage {
        text: page.t(text),
        back_href: back.0,
        back_label: page.t(back.1),
        page,
    };
    let mut response = render(template, set.into_iter().collect());
    *response.status_mut() = status;
    response.into_response()
}
