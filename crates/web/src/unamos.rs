//! Unamos Créditos at `/credito/unamos`: make a code to give a partner, enter the code a partner
//! gave, see the pooled credit (of the partner, only whether they pre-qualify), or part.

use app::unamos::UnamosError;
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::components::SummaryRow;
use crate::format;
use crate::page::{ErrorLine, Page};
use crate::savings::member_or_sign_in;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/credito/unamos", get(unamos_get).post(join_post))
        .route("/credito/unamos/codigo", post(code_post))
        .route("/credito/unamos/salir", post(leave_post))
}

#[derive(Template)]
#[template(path = "unamos.html")]
struct UnamosPage {
    page: Page,
    errors: Vec<ErrorLine>,
    paired: bool,
    rows: Vec<SummaryRow>,
    code: Option<String>,
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &app::accounts::SessionContext,
    code: Option<String>,
    error: Option<&UnamosError>,
) -> Response {
    let pooled = match state.unamos.pooled(ctx.member_id).await {
        Ok(p) => p,
        Err(e) => return crate::savings::unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "unamos-title", &csrf);
    page.signed_in_as(ctx);
    page.has_errors = error.is_some();
    let errors = error
        .map(|e| ErrorLine {
            field: "codigo".into(),
            message: page.t(&format!("unamos-error-{}", e.code())),
        })
        .into_iter()
        .collect();
    let yes_no = |b: bool| page.t(if b { "unamos-yes" } else { "unamos-no" });
    let rows = pooled
        .as_ref()
        .map(|p| {
            vec![
                page.row("unamos-you-qualify", yes_no(p.you_qualify)),
                page.row("unamos-partner-qualifies", yes_no(p.partner_qualifies)),
                page.row(
                    "unamos-pooled",
                    if p.available {
                        format::money(p.credit)
                    } else {
                        page.t("unamos-not-available")
                    },
                ),
                page.row("unamos-cap", format::money(p.cap)),
                page.row("unamos-your-credit", format::money(p.your_credit)),
                page.row("unamos-your-payment", format::money(p.your_payment)),
            ]
        })
        .unwrap_or_default();
    let mut r = render(
        UnamosPage {
            paired: pooled.is_some(),
            rows,
            code,
            errors,
            page,
        },
        set.into_iter().collect(),
    );
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

async fn unamos_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    page(&state, &headers, &ctx, None, None).await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    codigo: String,
}

async fn code_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match state.unamos.make_code(ctx.member_id, &caller).await {
        Ok(code) => page(&state, &headers, &ctx, Some(code), None).await,
        Err(e) => crate::savings::unavailable(e),
    }
}

async fn join_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match state
        .unamos
        .join(ctx.member_id, &form.codigo, &caller)
        .await
    {
        Ok(()) => Redirect::to("/credito/unamos").into_response(),
        Err(e @ UnamosError::Store(_)) => crate::savings::unavailable(e),
        Err(e) => page(&state, &headers, &ctx, None, Some(&e)).await,
    }
}

async fn leave_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match state.unamos.leave(ctx.member_id, &caller).await {
        Ok(()) => Redirect::to("/credito/unamos").into_response(),
        Err(e) => crate::savings::unavailable(e),
    }
}
