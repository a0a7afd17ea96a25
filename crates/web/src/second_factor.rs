//! "Verificación en dos pasos": turning the authenticator app on and off, recovery codes, and
//! the second step of sign-in, as pages and as API. The sign-in ticket travels in a
//! short-lived secure cookie (the API returns it in the body), never in a URL.

use app::accounts::{Enrolment, RecoveryError, SignInError};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::audit::Channel;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::accounts::{FieldView, Peer, api_error, forbidden, redirect_with, render};
use crate::auth::{self, SESSION_COOKIE};
use crate::page::{ErrorLine, Page};

pub(crate) const TICKET_COOKIE: &str = "__Host-segundo-paso";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cuenta/verificacion", get(view_second_factor_get))
        .route("/cuenta/verificacion/activar", post(enrol_post))
        .route("/cuenta/verificacion/confirmar", post(confirm_post))
        .route("/cuenta/verificacion/codigos", post(new_codes_post))
        .route("/cuenta/verificacion/desactivar", post(disable_post))
        .route(
            "/entrar/codigo",
            get(view_second_step_get).post(view_second_step_post),
        )
        .route(
            "/api/v1/sessions/second-factor",
            post(api_second_factor_post),
        )
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct StatusPage {
    page: Page,
    errors: Vec<ErrorLine>,
    enabled: bool,
    codes_left: u64,
    password: FieldView,
}

#[derive(Template)]
#[template(path = "second_factor_enrol.html")]
struct EnrolPage {
    page: Page,
    errors: Vec<ErrorLine>,
    qr: String,
    secret: String,
    token: String,
    code: FieldView,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct CodesPage {
    page: Page,
    codes: Vec<String>,
}

#[derive(Template)]
#[template(path = "second_step.html")]
struct SecondStepPage {
    page: Page,
    errors: Vec<ErrorLine>,
    code: FieldView,
}

#[derive(Deserialize)]
pub(crate) struct PasswordPost {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub(crate) struct ConfirmPost {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    code: String,
}

fn error_line(page: &Page, field: &str, code: &str) -> Vec<ErrorLine> {
    vec![ErrorLine {
        field: field.into(),
        message: page.t(code),
    }]
}

/// The QR code an authenticator app scans, as inline SVG (no script, no request).
fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build();
            svg.find("<svg")
                .map_or(svg.clone(), |at| svg[at..].to_owned())
        }
        Err(e) => {
            tracing::error!(error = %e, "QR code failed");
            String::new()
        }
    }
}

/// The secret in groups of four, easier to type into an app by hand.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn status_page(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    errors: Vec<ErrorLine>,
) -> Response {
    let status = match state.accounts.second_factor_status(ctx).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "second-factor status failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut page = Page::new(&state.messages, "second-factor-title", csrf);
    page.signed_in_as(ctx);
    page.has_errors = !errors.is_empty();
    let password = page.field("password", "password", "current-password", "", &errors);
    render(
        StatusPage {
            page,
            errors,
            enabled: status.enabled,
            codes_left: status.recovery_codes_left,
            password,
        },
        Vec::new(),
    )
}

/// The status page again, with the refusal beside the password field.
async fn password_refused(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    e: &RecoveryError,
) -> Response {
    let page = Page::new(&state.messages, "second-factor-title", csrf);
    let errors = error_line(&page, "password", e.code());
    status_page(state, ctx, csrf, errors).await
}

pub(crate) async fn view_second_factor_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut response = status_page(&state, &ctx, &csrf, Vec::new()).await;
    if let Some(cookie) = set {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

fn enrol_page(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    enrolment: &Enrolment,
    errors: Vec<ErrorLine>,
) -> Response {
    let mut page = Page::new(&state.messages, "second-factor-enrol-title", csrf);
    page.signed_in_as(ctx);
    page.has_errors = !errors.is_empty();
    let mut code = page.field("code", "text", "one-time-code", "", &errors);
    code.hint = page.t("second-factor-enrol-code-hint");
    render(
        EnrolPage {
            page,
            errors,
            qr: qr_svg(&enrolment.uri),
            secret: grouped(&enrolment.secret),
            token: enrolment.token.clone(),
            code,
        },
        Vec::new(),
    )
}

pub(crate) async fn enrol_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<PasswordPost>,
) -> Response {
    let (ctx, _) = match auth::member_post(&state, &headers, peer, &f.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    match state.accounts.start_totp_enrolment(&ctx, &f.password).await {
        Ok(enrolment) => enrol_page(&state, &ctx, &f.csrf, &enrolment, Vec::new()),
        Err(e) => password_refused(&state, &ctx, &f.csrf, &e).await,
    }
}

fn codes_page(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    codes: Vec<String>,
) -> Response {
    let mut page = Page::new(&state.messages, "recovery-codes-title", csrf);
    page.signed_in_as(ctx);
    render(CodesPage { page, codes }, Vec::new())
}

pub(crate) async fn confirm_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<ConfirmPost>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &f.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    match state
        .accounts
        .finish_totp_enrolment(&ctx, &f.token, &f.code, &caller)
        .await
    {
        Ok(codes) => codes_page(&state, &ctx, &f.csrf, codes),
        Err(RecoveryError::Code("second_factor_wrong")) => {
            // Show the same secret again: the member may have mistyped the code.
            let page = Page::new(&state.messages, "second-factor-enrol-title", &f.csrf);
            let errors = error_line(&page, "code", "second_factor_wrong");
            let again = state.accounts.reopen_totp_enrolment(&ctx, &f.token).await;
            match again {
                Some(enrolment) => enrol_page(&state, &ctx, &f.csrf, &enrolment, errors),
                None => status_page(&state, &ctx, &f.csrf, errors).await,
            }
        }
        Err(e) => password_refused(&state, &ctx, &f.csrf, &e).await,
    }
}

pub(crate) async fn new_codes_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<PasswordPost>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &f.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    match state
        .accounts
        .new_recovery_codes(&ctx, &f.password, &caller)
        .await
    {
        Ok(codes) => codes_page(&state, &ctx, &f.csrf, codes),
        Err(e) => password_refused(&state, &ctx, &f.csrf, &e).await,
    }
}

pub(crate) async fn disable_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<PasswordPost>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &f.csrf).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    match state
        .accounts
        .disable_totp(&ctx, &f.password, &caller)
        .await
    {
        Ok(()) => Redirect::to("/cuenta?cambio=verificacion").into_response(),
        Err(e) => password_refused(&state, &ctx, &f.csrf, &e).await,
    }
}

// ----- the second step of sign-in ---------------------------------------------------------

fn second_step_page(state: &AppState, csrf: &str, errors: Vec<ErrorLine>) -> SecondStepPage {
    let mut page = Page::new(&state.messages, "second-step-title", csrf);
    page.has_errors = !errors.is_empty();
    let mut code = page.field("second_factor", "text", "one-time-code", "", &errors);
    code.hint = page.t("second-step-hint");
    SecondStepPage { page, errors, code }
}

pub(crate) async fn view_second_step_get(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    if auth::cookie(&headers, TICKET_COOKIE).is_none() {
        return Redirect::to("/entrar").into_response();
    }
    let (csrf, set) = auth::csrf_token(&headers);
    render(
        second_step_page(&state, &csrf, Vec::new()),
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
pub(crate) struct CodePost {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    second_factor: String,
}

pub(crate) async fn view_second_step_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<CodePost>,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let Some(ticket) = auth::cookie(&headers, TICKET_COOKIE) else {
        return Redirect::to("/entrar").into_response();
    };
    let caller = auth::caller(&headers, peer, Channel::Web);
    match state
        .accounts
        .sign_in_second_factor(ticket, &f.second_factor, &caller)
        .await
    {
        Ok(signed_in) => crate::drafts::after_sign_in(
            &headers,
            vec![
                auth::set_cookie(SESSION_COOKIE, &signed_in.token),
                auth::clear_cookie(TICKET_COOKIE),
            ],
        ),
        Err(SignInError::SecondFactorExpired) => redirect_with(
            "/entrar?caducado=1",
            vec![auth::clear_cookie(TICKET_COOKIE)],
        ),
        Err(e) => {
            let page = Page::new(&state.messages, "second-step-title", &f.csrf);
            let message = match &e {
                SignInError::Wait(wait) => {
                    format!(
                        "{} ({} s)",
                        page.t(e.code()),
                        crate::auth::seconds_to_wait(*wait)
                    )
                }
                other => page.t(other.code()),
            };
            let errors = vec![ErrorLine {
                field: "second_factor".into(),
                message,
            }];
            render(second_step_page(&state, &f.csrf, errors), Vec::new())
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct ApiSecondFactor {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    code: String,
}

/// `POST /api/v1/sessions/second-factor`: the ticket from `POST /api/v1/sessions` and a code.
pub(crate) async fn api_second_factor_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(body): Json<ApiSecondFactor>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::App);
    match state
        .accounts
        .sign_in_second_factor(&body.ticket, &body.code, &caller)
        .await
    {
        Ok(signed_in) => (
            StatusCode::CREATED,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Json(json!({ "token": signed_in.token, "session_id": signed_in.session_id })),
        )
            .into_response(),
        Err(SignInError::Store(e)) => {
            tracing::error!(error = %e, "second factor failed");
            api_error(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            )
        }
        Err(SignInError::Wait(_)) => {
            api_error(&state, StatusCode::TOO_MANY_REQUESTS, "sign_in_wait")
        }
        Err(e) => api_error(&state, StatusCode::UNAUTHORIZED, e.code()),
    }
}
