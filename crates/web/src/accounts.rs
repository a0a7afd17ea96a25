//! Account pages and API: sign-up, activation, sign-in, "Mi cuenta" with "Mis sesiones",
//! sign-out. Handlers only translate between HTTP and `app::accounts`.

use std::net::SocketAddr;

use app::accounts::{ActivationError, SignInError, SignUpError, SignUpForm};
use askama::Template;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use domain::audit::Channel;
use domain::registry::MemberId;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::auth::{self, SESSION_COOKIE, SIGN_UP_COOKIE};
pub(crate) use crate::components::FieldView;
use crate::page::{ErrorLine, Page};

/// The account pages and API.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/registro", get(view_sign_up_get).post(view_sign_up_post))
        .route("/activar", get(view_activate_get).post(view_activate_post))
        .route("/entrar", get(view_sign_in_get).post(view_sign_in_post))
        .route("/salir", post(sign_out_post))
        .route("/cuenta", get(view_account_get))
        .route("/cuenta/sesiones/terminar", post(end_session_post))
        .route("/cuenta/sesiones/terminar-otras", post(end_session_post))
        .route("/api/v1/sessions", post(api_sessions_post))
        .route(
            "/api/v1/sessions/current",
            delete(api_current_session_delete),
        )
        .route("/api/v1/me/sessions", get(api_my_sessions_get))
}

pub(crate) type Peer = ConnectInfo<SocketAddr>;

pub(crate) fn render(template: impl Template, set: Vec<HeaderValue>) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            for cookie in set {
                headers.append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub(crate) fn forbidden(state: &AppState) -> Response {
    let text = state.messages.text(crate::page::lang(), "csrf_failed");
    (
        StatusCode::FORBIDDEN,
        [(header::CACHE_CONTROL, "no-store")],
        text,
    )
        .into_response()
}

pub(crate) fn redirect_with(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = Redirect::to(to).into_response();
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

// ----- sign-up ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    page: Page,
    errors: Vec<ErrorLine>,
    fields: Vec<FieldView>,
    accept_terms: bool,
    terms_error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct SignUpPost {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    nss: String,
    #[serde(default)]
    curp: String,
    #[serde(default)]
    rfc: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    password: String,
    accept_terms: Option<String>,
}

const SIGN_UP_FIELDS: [(&str, &str, &str); 6] = [
    ("nss", "text", "off"),
    ("curp", "text", "off"),
    ("rfc", "text", "off"),
    ("email", "email", "email"),
    ("mobile", "tel", "tel"),
    ("password", "password", "new-password"),
];

fn sign_up_page(
    state: &AppState,
    csrf: &str,
    form: &SignUpPost,
    errors: &[(String, String)],
) -> SignUpPage {
    let mut page = Page::new(&state.messages, "sign-up-title", csrf);
    page.has_errors = !errors.is_empty();
    let values = [&form.nss, &form.curp, &form.rfc, &form.email, &form.mobile];
    let fields = SIGN_UP_FIELDS
        .iter()
        .enumerate()
        .map(|(i, (name, kind, autocomplete))| FieldView {
            name,
            kind,
            autocomplete,
            label: page.t(&format!("field-{name}")),
            hint: page.t(&format!("field-{name}-hint")),
            // A password is never sent back to the browser.
            value: values.get(i).map_or(String::new(), |v| v.to_string()),
            error: errors
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, m)| m.clone()),
        })
        .collect();
    SignUpPage {
        errors: errors
            .iter()
            .map(|(f, m)| ErrorLine {
                field: f.clone(),
                message: m.clone(),
            })
            .collect(),
        fields,
        accept_terms: form.accept_terms.is_some(),
        terms_error: errors
            .iter()
            .find(|(f, _)| f == "accept_terms")
            .map(|(_, m)| m.clone()),
        page,
    }
}

pub(crate) async fn view_sign_up_get(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    render(
        sign_up_page(&state, &csrf, &SignUpPost::default(), &[]),
        set.into_iter().collect(),
    )
}

pub(crate) async fn view_sign_up_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(post): Form<SignUpPost>,
) -> Response {
    if !auth::csrf_ok(&headers, &post.csrf) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    let form = SignUpForm {
        nss: post.nss.clone(),
        curp: post.curp.clone(),
        rfc: post.rfc.clone(),
        email: post.email.clone(),
        mobile: post.mobile.clone(),
        password: post.password.clone(),
        accept_terms: post.accept_terms.is_some(),
    };
    let errors: Vec<(String, String)> = match state.accounts.sign_up(&form, &caller).await {
        Ok(started) => {
            let pending = format!("{}.{}", started.member_id.0, started.attempt);
            return redirect_with("/activar", vec![auth::set_cookie(SIGN_UP_COOKIE, &pending)]);
        }
        Err(SignUpError::Invalid(fields)) => fields
            .into_iter()
            .map(|f| {
                (
                    f.field.to_owned(),
                    state.messages.text(crate::page::lang(), f.code),
                )
            })
            .collect(),
        Err(SignUpError::AccountExists) => vec![(
            "nss".into(),
            state.messages.text(crate::page::lang(), "account_exists"),
        )],
        Err(e) => {
            tracing::error!(error = %e, "sign-up failed");
            vec![(
                "nss".into(),
                state
                    .messages
                    .text(crate::page::lang(), "service_unavailable"),
            )]
        }
    };
    render(sign_up_page(&state, &post.csrf, &post, &errors), Vec::new())
}

// ----- activation ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "activate.html")]
pub(crate) struct ActivatePage {
    pub page: Page,
    pub errors: Vec<ErrorLine>,
    pub notice: String,
    pub sent_to: String,
    pub attempt: String,
    pub member: i64,
}

pub(crate) fn pending_sign_up(headers: &HeaderMap) -> Option<(MemberId, String)> {
    let (member, attempt) = auth::cookie(headers, SIGN_UP_COOKIE)?.split_once('.')?;
    Some((MemberId(member.parse().ok()?), attempt.to_owned()))
}

pub(crate) fn activate_page(
    state: &AppState,
    csrf: &str,
    member: MemberId,
    attempt: &str,
    errors: Vec<ErrorLine>,
) -> ActivatePage {
    let mut page = Page::new(&state.messages, "activate-title", csrf);
    page.has_errors = !errors.is_empty();
    ActivatePage {
        sent_to: page.t("activate-sent"),
        page,
        errors,
        notice: String::new(),
        attempt: attempt.to_owned(),
        member: member.0,
    }
}

pub(crate) async fn view_activate_get(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let Some((member, attempt)) = pending_sign_up(&headers) else {
        return Redirect::to("/registro").into_response();
    };
    let (csrf, set) = auth::csrf_token(&headers);
    render(
        activate_page(&state, &csrf, member, &attempt, Vec::new()),
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
pub(crate) struct ActivatePost {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

pub(crate) async fn view_activate_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(post): Form<ActivatePost>,
) -> Response {
    if !auth::csrf_ok(&headers, &post.csrf) {
        return forbidden(&state);
    }
    let Some((member, attempt)) = pending_sign_up(&headers) else {
        return Redirect::to("/registro").into_response();
    };
    let caller = auth::caller(&headers, peer, Channel::Web);
    match state
        .accounts
        .activate(member, &attempt, &post.code, &caller)
        .await
    {
        Ok(()) | Err(ActivationError::Used) => {
            // Going back after activating lands here again: the account is active either way.
            redirect_with(
                "/entrar?activada=1",
                vec![auth::clear_cookie(SIGN_UP_COOKIE)],
            )
        }
        Err(e) => {
            let line = ErrorLine {
                field: "code".into(),
                message: state.messages.text(crate::page::lang(), e.code()),
            };
            render(
                activate_page(&state, &post.csrf, member, &attempt, vec![line]),
                Vec::new(),
            )
        }
    }
}

// ----- sign-in ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    page: Page,
    errors: Vec<ErrorLine>,
    notice: String,
    identifier: String,
    /// Set when the password alone is not enough and a code was sent.
    attempt: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct SignInQuery {
    activada: Option<String>,
    restablecida: Option<String>,
    congelada: Option<String>,
    descongelada: Option<String>,
    caducada: Option<String>,
    caducado: Option<String>,
}

pub(crate) async fn view_sign_in_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<SignInQuery>,
) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "sign-in-title", &csrf);
    let notice = [
        (query.activada.is_some(), "account-activated"),
        (query.restablecida.is_some(), "password-was-reset"),
        (query.congelada.is_some(), "account-was-frozen"),
        (query.descongelada.is_some(), "account-was-unfrozen"),
        (query.caducada.is_some(), "session-timed-out-draft-kept"),
        (query.caducado.is_some(), "second_factor_expired"),
    ]
    .into_iter()
    .find(|(on, _)| *on)
    .map_or(String::new(), |(_, id)| page.t(id));
    render(
        SignInPage {
            page,
            errors: Vec::new(),
            notice,
            identifier: String::new(),
            attempt: String::new(),
        },
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
pub(crate) struct SignInPost {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    attempt: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
}

pub(crate) async fn view_sign_in_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(post): Form<SignInPost>,
) -> Response {
    if !auth::csrf_ok(&headers, &post.csrf) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    let result = if post.attempt.is_empty() {
        state
            .accounts
            .sign_in(&post.identifier, &post.password, &caller)
            .await
    } else {
        state
            .accounts
            .sign_in_with_code(
                &post.identifier,
                &post.password,
                &post.attempt,
                &post.code,
                &caller,
            )
            .await
    };
    match result {
        Ok(signed_in) => crate::drafts::after_sign_in(
            &headers,
            vec![auth::set_cookie(SESSION_COOKIE, &signed_in.token)],
        ),
        Err(SignInError::SecondFactorRequired { ticket }) => redirect_with(
            "/entrar/codigo",
            vec![auth::set_cookie(
                crate::second_factor::TICKET_COOKIE,
                &ticket,
            )],
        ),
        Err(e) => {
            let mut page = Page::new(&state.messages, "sign-in-title", &post.csrf);
            page.has_errors = true;
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
                field: "identifier".into(),
                message,
            }];
            let attempt = match e {
                SignInError::CodeRequired { attempt } => attempt,
                _ => String::new(),
            };
            render(
                SignInPage {
                    page,
                    errors,
                    notice: String::new(),
                    identifier: post.identifier,
                    attempt,
                },
                Vec::new(),
            )
        }
    }
}

// ----- my account ------------------------------------------------------------------------

pub(crate) struct SessionRow {
    id: i64,
    device: String,
    channel: &'static str,
    started: String,
    last_use: String,
    live: bool,
    current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    sessions: Vec<SessionRow>,
}

pub(crate) async fn view_account_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let sessions = match state.accounts.my_sessions(&ctx).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "sessions look-up failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut page = Page::new(&state.messages, "account-title", &csrf);
    page.signed_in_as(&ctx);
    let rows = sessions
        .into_iter()
        .map(|s| SessionRow {
            id: s.session_id,
            device: s.device.clone(),
            channel: s.channel.code(),
            started: crate::format::date_time(crate::page::lang(), s.created_at),
            last_use: crate::format::date_time(crate::page::lang(), s.last_seen_at),
            live: s.ended_at.is_none(),
            current: s.session_id == ctx.session.session_id,
        })
        .collect();
    render(
        AccountPage {
            page,
            sessions: rows,
        },
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

pub(crate) async fn sign_out_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(post): Form<CsrfOnly>,
) -> Response {
    if !auth::csrf_ok(&headers, &post.csrf) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    if let Some((ctx, _)) = auth::member(&state, &headers, &caller).await
        && let Err(e) = state.accounts.sign_out(&ctx, &caller).await
    {
        tracing::error!(error = %e, "sign-out failed");
    }
    redirect_with("/entrar", vec![auth::clear_cookie(SESSION_COOKIE)])
}

#[derive(Deserialize)]
pub(crate) struct EndSessionPost {
    #[serde(default)]
    csrf: String,
    session: Option<i64>,
}

pub(crate) async fn end_session_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(post): Form<EndSessionPost>,
) -> Response {
    if !auth::csrf_ok(&headers, &post.csrf) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let result = match post.session {
        Some(id) => state.accounts.end_my_session(&ctx, id, &caller).await,
        None => state
            .accounts
            .end_other_sessions(&ctx, &caller)
            .await
            .map(|_| true),
    };
    match result {
        Ok(true) => Redirect::to("/cuenta").into_response(),
        // Someone else's session looks exactly like one that does not exist.
        Ok(false) => (
            StatusCode::NOT_FOUND,
            state.messages.text(crate::page::lang(), "not-found"),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "ending a session failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

// ----- API -------------------------------------------------------------------------------

pub(crate) fn api_error(state: &AppState, status: StatusCode, code: &str) -> Response {
    let body = json!({ "error": code, "message": state.messages.text(crate::page::lang(), code) });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct ApiSignIn {
    identifier: String,
    password: String,
    /// After `sign_in_code_required`: the attempt it returned and the code sent by e-mail.
    #[serde(default)]
    attempt: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// Signs in for the mobile app: the answer carries a bearer token for later calls.
pub(crate) async fn api_sessions_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(body): Json<ApiSignIn>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::App);
    let result = match (&body.attempt, &body.code) {
        (Some(attempt), Some(code)) => {
            state
                .accounts
                .sign_in_with_code(&body.identifier, &body.password, attempt, code, &caller)
                .await
        }
        _ => {
            state
                .accounts
                .sign_in(&body.identifier, &body.password, &caller)
                .await
        }
    };
    match result {
        Ok(s) => (
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "token": s.token, "session_id": s.session_id })),
        )
            .into_response(),
        Err(SignInError::Wait(wait)) => {
            let mut r = api_error(&state, StatusCode::TOO_MANY_REQUESTS, "sign_in_wait");
            if let Ok(v) = HeaderValue::from_str(&crate::auth::seconds_to_wait(wait).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Err(SignInError::Store(_)) => api_error(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
        ),
        Err(SignInError::CodeRequired { attempt }) => {
            let message = state
                .messages
                .text(crate::page::lang(), "sign_in_code_required");
            (
                StatusCode::UNAUTHORIZED,
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({
                    "error": "sign_in_code_required",
                    "message": message,
                    "attempt": attempt,
                })),
            )
                .into_response()
        }
        Err(SignInError::SecondFactorRequired { ticket }) => {
            let message = state
                .messages
                .text(crate::page::lang(), "second_factor_required");
            (
                StatusCode::UNAUTHORIZED,
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({
                    "error": "second_factor_required",
                    "message": message,
                    "ticket": ticket,
                })),
            )
                .into_response()
        }
        Err(e) => api_error(&state, StatusCode::UNAUTHORIZED, e.code()),
    }
}

/// The caller's sessions. Cookie-authenticated calls must repeat the CSRF cookie only for
/// changes; reading needs none.
pub(crate) async fn api_my_sessions_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::App);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return api_error(&state, StatusCode::UNAUTHORIZED, "not_signed_in");
    };
    match state.accounts.my_sessions(&ctx).await {
        Ok(sessions) => {
            let list: Vec<_> = sessions
                .iter()
                .map(|s| {
                    json!({
                        "id": s.session_id,
                        "channel": s.channel.code(),
                        "device": s.device,
                        "started_at": s.created_at.unix_timestamp(),
                        "last_seen_at": s.last_seen_at.unix_timestamp(),
                        "ended": s.ended_at.is_some(),
                        "current": s.session_id == ctx.session.session_id,
                    })
                })
                .collect();
            (
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({ "sessions": list })),
            )
                .into_response()
        }
        Err(_) => api_error(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
        ),
    }
}

/// Signs out the calling session. With a cookie (not a bearer token) the call must carry the
/// CSRF token in `X-CSRF-Token`.
pub(crate) async fn api_current_session_delete(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::App);
    let Some((ctx, by_bearer)) = auth::member(&state, &headers, &caller).await else {
        return api_error(&state, StatusCode::UNAUTHORIZED, "not_signed_in");
    };
    if !by_bearer {
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !auth::csrf_ok(&headers, sent) {
            return api_error(&state, StatusCode::FORBIDDEN, "csrf_failed");
        }
    }
    match state.accounts.sign_out(&ctx, &caller).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => api_error(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
        ),
    }
}
