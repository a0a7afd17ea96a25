//! The pages anyone can read without signing in: the home page and help (phone line,
//! appointments, frequently asked questions).

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::AppState;
use crate::accounts::render;
use crate::auth;
use crate::page::Page;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
}

pub(crate) async fn view_home_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "home-title", &csrf);
    render(HomePage { page }, set.into_iter().collect())
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    page: Page,
    questions: Vec<(String, String)>,
}

const QUESTIONS: [&str; 3] = ["faq-free", "faq-nss", "faq-code"];

pub(crate) async fn view_help_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "help-page-title", &csrf);
    let questions = QUESTIONS
        .iter()
        .map(|q| (page.t(&format!("{q}-q")), page.t(&format!("{q}-a"))))
        .collect();
    render(HelpPage { page, questions }, set.into_iter().collect())
}
