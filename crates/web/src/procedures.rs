//! The "Trámites" area: the procedures a member can do, each linked once its pages exist.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::page::Page;
use crate::savings::member_or_sign_in;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/tramites", get(view_procedures_get))
}

/// The procedures in the order the area lists them: the translation ids of the name and the
/// hint, and the path of the first page. A procedure is linked once it has a path: adding one
/// is giving it its path here.
const PROCEDURES: &[(&str, &str, Option<&str>)] = &[
    (
        "procedure-credit-application",
        "procedure-credit-application-hint",
        Some("/credito/solicitud"),
    ),
    (
        "procedure-appointments",
        "procedure-appointments-hint",
        Some("/tramites/citas"),
    ),
    (
        "procedure-pensioner-refund",
        "procedure-pensioner-refund-hint",
        Some("/tramites/devolucion"),
    ),
    (
        "procedure-data-correction",
        "procedure-data-correction-hint",
        Some("/tramites/correccion"),
    ),
    (
        "procedure-deeds",
        "procedure-deeds-hint",
        Some("/tramites/escrituras"),
    ),
    (
        "procedure-overpayment",
        "procedure-overpayment-hint",
        Some("/tramites/pagos-en-exceso"),
    ),
];

pub(crate) struct ProcedureLink {
    pub label: String,
    pub hint: String,
    pub href: &'static str,
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct ProceduresPage {
    page: Page,
    available: Vec<ProcedureLink>,
    coming: Vec<ProcedureLink>,
}

pub(crate) async fn view_procedures_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "procedures-title", &csrf);
    page.signed_in_as(&ctx);
    let link = |(label, hint, href): &(&str, &str, Option<&'static str>)| ProcedureLink {
        label: page.t(label),
        hint: page.t(hint),
        href: href.unwrap_or(""),
    };
    let (available, coming): (Vec<_>, Vec<_>) =
        PROCEDURES.iter().partition(|(_, _, href)| href.is_some());
    let template = ProceduresPage {
        available: available.into_iter().map(link).collect(),
        coming: coming.into_iter().map(link).collect(),
        page,
    };
    render(template, set.into_iter().collect())
}
