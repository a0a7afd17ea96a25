//! Recovery pages: resend the activation code, reset a forgotten password by code, freeze the
//! account from "Mi cuenta" and unfreeze it with password and code. The attempt a code is bound
//! to travels in a short-lived secure cookie, never in a URL.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::audit::Channel;
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{
    FieldView, Peer, activate_page, forbidden, pending_sign_up, redirect_with, render,
};
use crate::auth::{self, SESSION_COOKIE};
use crate::page::{ErrorLine, Page};

pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/activar/reenviar", post(resend_activation_post))
        .route("/cuenta/congelar", post(freeze_post));
    for flow in [&RESET, &UNFREEZE] {
        router = router
            .route(
                flow.start.action,
                get(move |s, h| flow_get(s, h, flow, false))
                    .post(move |s, p, h, f| start_post(s, p, h, f, flow)),
            )
            .route(
                flow.finish.action,
                get(move |s, h| flow_get(s, h, flow, true))
                    .post(move |s, p, h, f| finish_post(s, p, h, f, flow)),
            );
    }
    router
}

const RESET_COOKIE: &str = "__Host-recuperar";
const UNFREEZE_COOKIE: &str = "__Host-descongelar";

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    page: Page,
    errors: Vec<ErrorLine>,
    notice: String,
    intro: String,
    action: &'static str,
    fields: Vec<FieldView>,
    submit: String,
}

fn field(
    page: &Page,
    name: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: &str,
    error: Option<String>,
) -> FieldView {
    FieldView {
        name,
        kind,
        autocomplete,
        label: page.t(&format!("field-{name}")),
        hint: String::new(),
        value: value.to_owned(),
        error,
    }
}

/// The identifier and attempt kept between the two steps of a recovery.
fn pending(headers: &HeaderMap, cookie: &str) -> Option<(String, String)> {
    let (identifier, attempt) = auth::cookie(headers, cookie)?.split_once('.')?;
    let bytes = hex::decode(identifier).ok()?;
    Some((String::from_utf8(bytes).ok()?, attempt.to_owned()))
}

fn keep(cookie: &str, identifier: &str, attempt: &str) -> axum::http::HeaderValue {
    auth::set_cookie(
        cookie,
        &format!("{}.{attempt}", hex::encode(identifier.trim())),
    )
}

#[derive(Deserialize)]
pub(crate) struct Fields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
}

struct Step {
    title: &'static str,
    intro: &'static str,
    action: &'static str,
    submit: &'static str,
    fields: &'static [(&'static str, &'static str, &'static str)],
}

const RESET_START: Step = Step {
    title: "reset-title",
    intro: "reset-intro",
    action: "/recuperar",
    submit: "send-code",
    fields: &[("identifier", "text", "username")],
};
const RESET_FINISH: Step = Step {
    title: "reset-code-title",
    intro: "code-sent-if-exists",
    action: "/recuperar/codigo",
    submit: "reset-button",
    fields: &[
        ("code", "text", "one-time-code"),
        ("new_password", "password", "new-password"),
    ],
};
const UNFREEZE_START: Step = Step {
    title: "unfreeze-title",
    intro: "unfreeze-intro",
    action: "/descongelar",
    submit: "send-code",
    fields: &[
        ("identifier", "text", "username"),
        ("password", "password", "current-password"),
    ],
};
const UNFREEZE_FINISH: Step = Step {
    title: "unfreeze-code-title",
    intro: "activate-sent",
    action: "/descongelar/codigo",
    submit: "unfreeze-button",
    fields: &[("code", "text", "one-time-code")],
};

fn step_page(
    state: &AppState,
    csrf: &str,
    step: &Step,
    identifier: &str,
    error: Option<(&'static str, String)>,
) -> FormPage {
    step_page_with(state, csrf, step, identifier, &[], error)
}

/// A step's page with some fields filled in already (from a draft kept across a time-out).
fn step_page_with(
    state: &AppState,
    csrf: &str,
    step: &Step,
    identifier: &str,
    values: &[(String, String)],
    error: Option<(&'static str, String)>,
) -> FormPage {
    let mut page = Page::new(&state.messages, step.title, csrf);
    page.has_errors = error.is_some();
    let fields = step
        .fields
        .iter()
        .map(|(name, kind, ac)| {
            let kept = values
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str());
            let value = match (*name, kept) {
                (_, Some(kept)) => kept,
                ("identifier", None) => identifier,
                _ => "",
            };
            let err = error
                .as_ref()
                .filter(|(f, _)| f == name)
                .map(|(_, m)| m.clone());
            field(&page, name, kind, ac, value, err)
        })
        .collect();
    FormPage {
        errors: error
            .into_iter()
            .map(|(f, m)| ErrorLine {
                field: f.into(),
                message: m,
            })
            .collect(),
        notice: String::new(),
        intro: page.t(step.intro),
        action: step.action,
        fields,
        submit: page.t(step.submit),
        page,
    }
}

async fn show(state: AppState, headers: HeaderMap, step: &Step) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    render(
        step_page(&state, &csrf, step, "", None),
        set.into_iter().collect(),
    )
}

/// A two-step recovery done signed out: something that proves who you are, then a code.
struct Flow {
    cookie: &'static str,
    start: Step,
    finish: Step,
    done: &'static str,
    reset: bool,
}

const RESET: Flow = Flow {
    cookie: RESET_COOKIE,
    start: RESET_START,
    finish: RESET_FINISH,
    done: "/entrar?restablecida=1",
    reset: true,
};

const UNFREEZE: Flow = Flow {
    cookie: UNFREEZE_COOKIE,
    start: UNFREEZE_START,
    finish: UNFREEZE_FINISH,
    done: "/entrar?descongelada=1",
    reset: false,
};

async fn flow_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    flow: &Flow,
    finishing: bool,
) -> Response {
    if !finishing {
        return show(state, headers, &flow.start).await;
    }
    if pending(&headers, flow.cookie).is_none() {
        return Redirect::to(flow.start.action).into_response();
    }
    show(state, headers, &flow.finish).await
}

async fn start_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<Fields>,
    flow: &Flow,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    let started = if flow.reset {
        state
            .accounts
            .start_password_reset(&f.identifier, &caller)
            .await
    } else {
        state
            .accounts
            .start_unfreeze(&f.identifier, &f.password, &caller)
            .await
    };
    match started {
        Ok(attempt) => redirect_with(
            flow.finish.action,
            vec![keep(flow.cookie, &f.identifier, &attempt)],
        ),
        Err(e) => {
            let message = state.messages.text(crate::page::lang(), e.code());
            render(
                step_page(
                    &state,
                    &f.csrf,
                    &flow.start,
                    &f.identifier,
                    Some(("identifier", message)),
                ),
                Vec::new(),
            )
        }
    }
}

async fn finish_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<Fields>,
    flow: &Flow,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let Some((identifier, attempt)) = pending(&headers, flow.cookie) else {
        return Redirect::to(flow.start.action).into_response();
    };
    let caller = auth::caller(&headers, peer, Channel::Web);
    let finished = if flow.reset {
        state
            .accounts
            .finish_password_reset(&identifier, &attempt, &f.code, &f.new_password, &caller)
            .await
    } else {
        state
            .accounts
            .finish_unfreeze(&identifier, &attempt, &f.code, &caller)
            .await
    };
    match finished {
        // A new password ends every session, this browser's included.
        Ok(()) => redirect_with(
            flow.done,
            vec![
                auth::clear_cookie(flow.cookie),
                auth::clear_cookie(SESSION_COOKIE),
            ],
        ),
        Err(e) => {
            let field = if matches!(e, app::accounts::RecoveryError::Password(_)) {
                "new_password"
            } else {
                "code"
            };
            let message = state.messages.text(crate::page::lang(), e.code());
            render(
                step_page(&state, &f.csrf, &flow.finish, "", Some((field, message))),
                Vec::new(),
            )
        }
    }
}

pub(crate) async fn freeze_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    if let Err(e) = state.accounts.freeze(&ctx, &caller).await {
        tracing::error!(error = %e, "freezing failed");
        return Redirect::to("/cuenta").into_response();
    }
    redirect_with(
        "/entrar?congelada=1",
        vec![auth::clear_cookie(SESSION_COOKIE)],
    )
}

pub(crate) async fn resend_activation_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let Some((member, attempt)) = pending_sign_up(&headers) else {
        return Redirect::to("/registro").into_response();
    };
    let caller = auth::caller(&headers, peer, Channel::Web);
    let mut page = match state
        .accounts
        .resend_activation(member, &attempt, &caller)
        .await
    {
        Ok(()) => {
            let mut p = activate_page(&state, &f.csrf, member, &attempt, Vec::new());
            p.notice = p.page.t("code-resent");
            p
        }
        Err(e) => {
            let message = match &e {
                app::accounts::ResendError::Wait(wait) => {
                    format!(
                        "{} ({} s)",
                        state.messages.text(crate::page::lang(), "code_resend_wait"),
                        crate::auth::seconds_to_wait(*wait)
                    )
                }
                app::accounts::ResendError::Limit => state
                    .messages
                    .text(crate::page::lang(), "code_resend_limit"),
                app::accounts::ResendError::Store(_) => state
                    .messages
                    .text(crate::page::lang(), "service_unavailable"),
            };
            activate_page(
                &state,
                &f.csrf,
                member,
                &attempt,
                vec![ErrorLine {
                    field: "code".into(),
                    message,
                }],
            )
        }
    };
    page.page.has_errors = !page.errors.is_empty();
    render(page, Vec::new())
}

// ----- changes while signed in ------------------------------------------------------------

const EMAIL_CHANGE_COOKIE: &str = "__Host-cambio-correo";

const PASSWORD_CHANGE: Step = Step {
    title: "change-password-title",
    intro: "change-password-intro",
    action: "/cuenta/contrasena",
    submit: "change-password-button",
    fields: &[
        ("password", "password", "current-password"),
        ("new_password", "password", "new-password"),
    ],
};
const EMAIL_CHANGE: Step = Step {
    title: "change-email-title",
    intro: "change-email-intro",
    action: "/cuenta/correo",
    submit: "send-code",
    fields: &[
        ("password", "password", "current-password"),
        ("email", "email", "email"),
    ],
};
const EMAIL_CONFIRM: Step = Step {
    title: "change-email-code-title",
    intro: "change-email-code-intro",
    action: "/cuenta/correo/codigo",
    submit: "change-email-button",
    fields: &[("code", "text", "one-time-code")],
};

pub(crate) fn change_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cuenta/contrasena",
            get(view_change_password_get).post(view_change_password_post),
        )
        .merge(contact_routes())
}

async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
) -> Option<(app::accounts::SessionContext, app::accounts::Caller)> {
    let caller = auth::caller(headers, peer, Channel::Web);
    auth::member(state, headers, &caller)
        .await
        .map(|(ctx, _)| (ctx, caller))
}

fn step_error(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    step: &Step,
    e: &app::accounts::RecoveryError,
) -> Response {
    let field = match e {
        app::accounts::RecoveryError::Password("current_password_wrong") => "password",
        app::accounts::RecoveryError::Password(c) if c.starts_with("email") => "email",
        app::accounts::RecoveryError::Password(c) if c.starts_with("mobile") => "mobile",
        app::accounts::RecoveryError::Password(_) => "new_password",
        _ => step.fields.first().map_or("code", |f| f.0),
    };
    let message = state.messages.text(crate::page::lang(), e.code());
    let mut page = step_page(state, csrf, step, "", Some((field, message)));
    page.page.signed_in_as(ctx);
    render(page, Vec::new())
}

async fn show_signed_in(state: AppState, peer: Peer, headers: HeaderMap, step: &Step) -> Response {
    let Some((ctx, _)) = signed_in(&state, &headers, peer).await else {
        return Redirect::to("/entrar").into_response();
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut cookies: Vec<_> = set.into_iter().collect();
    let mut page = match crate::drafts::restored(&state, &headers, &ctx, step.action).await {
        Some(values) => {
            cookies.push(crate::drafts::clear());
            let mut page = step_page_with(&state, &csrf, step, "", &values, None);
            page.notice = page.page.t("draft-restored");
            page
        }
        None => step_page(&state, &csrf, step, "", None),
    };
    page.page.signed_in_as(&ctx);
    render(page, cookies)
}

pub(crate) async fn view_change_password_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    show_signed_in(state, peer, headers, &PASSWORD_CHANGE).await
}

pub(crate) async fn view_change_password_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let Some((ctx, caller)) = signed_in(&state, &headers, peer).await else {
        return Redirect::to("/entrar").into_response();
    };
    match state
        .accounts
        .change_password(&ctx, &f.password, &f.new_password, &caller)
        .await
    {
        Ok(()) => Redirect::to("/cuenta?cambio=contrasena").into_response(),
        Err(e) => step_error(&state, &ctx, &f.csrf, &PASSWORD_CHANGE, &e),
    }
}

/// An e-mail or a mobile number: changed in two steps, a code to the new one in between.
struct ContactKind {
    cookie: &'static str,
    change: Step,
    confirm: Step,
    code_path: &'static str,
    done: &'static str,
    sms: bool,
}

const EMAIL: ContactKind = ContactKind {
    cookie: EMAIL_CHANGE_COOKIE,
    change: EMAIL_CHANGE,
    confirm: EMAIL_CONFIRM,
    code_path: "/cuenta/correo/codigo",
    done: "/cuenta?cambio=correo",
    sms: false,
};

const MOBILE: ContactKind = ContactKind {
    cookie: "__Host-cambio-celular",
    change: Step {
        title: "change-mobile-title",
        intro: "change-mobile-intro",
        action: "/cuenta/celular",
        submit: "send-code",
        fields: &[
            ("password", "password", "current-password"),
            ("mobile", "tel", "tel"),
        ],
    },
    confirm: Step {
        title: "change-mobile-code-title",
        intro: "change-mobile-code-intro",
        action: "/cuenta/celular/codigo",
        submit: "change-mobile-button",
        fields: &[("code", "text", "one-time-code")],
    },
    code_path: "/cuenta/celular/codigo",
    done: "/cuenta?cambio=celular",
    sms: true,
};

pub(crate) fn contact_routes() -> Router<AppState> {
    let mut router = Router::new();
    for kind in [&EMAIL, &MOBILE] {
        router = router
            .route(
                kind.change.action,
                get(move |s, p, h| change_get(s, p, h, kind))
                    .post(move |s, p, h, f| change_post(s, p, h, f, kind)),
            )
            .route(
                kind.code_path,
                get(move |s, p, h| code_get(s, p, h, kind))
                    .post(move |s, p, h, f| code_post(s, p, h, f, kind)),
            );
    }
    router
}

async fn change_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    kind: &ContactKind,
) -> Response {
    show_signed_in(state, peer, headers, &kind.change).await
}

#[derive(Deserialize)]
pub(crate) struct ContactFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
}

async fn change_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<ContactFields>,
    kind: &ContactKind,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let Some((ctx, caller)) = signed_in(&state, &headers, peer).await else {
        return Redirect::to("/entrar").into_response();
    };
    let started = if kind.sms {
        state
            .accounts
            .start_mobile_change(&ctx, &f.password, &f.mobile, &caller)
            .await
    } else {
        state
            .accounts
            .start_email_change(&ctx, &f.password, &f.email, &caller)
            .await
    };
    match started {
        Ok(attempt) => redirect_with(
            kind.code_path,
            vec![auth::set_cookie(kind.cookie, &hex::encode(attempt))],
        ),
        Err(e) => step_error(&state, &ctx, &f.csrf, &kind.change, &e),
    }
}

fn contact_attempt(headers: &HeaderMap, kind: &ContactKind) -> Option<String> {
    String::from_utf8(hex::decode(auth::cookie(headers, kind.cookie)?).ok()?).ok()
}

async fn code_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    kind: &ContactKind,
) -> Response {
    if contact_attempt(&headers, kind).is_none() {
        return Redirect::to(kind.change.action).into_response();
    }
    show_signed_in(state, peer, headers, &kind.confirm).await
}

async fn code_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(f): Form<Fields>,
    kind: &ContactKind,
) -> Response {
    if !auth::csrf_ok(&headers, &f.csrf) {
        return forbidden(&state);
    }
    let (Some((ctx, caller)), Some(attempt)) = (
        signed_in(&state, &headers, peer).await,
        contact_attempt(&headers, kind),
    ) else {
        return Redirect::to("/cuenta").into_response();
    };
    let finished = if kind.sms {
        state
            .accounts
            .finish_mobile_change(&ctx, &attempt, &f.code, &caller)
            .await
    } else {
        state
            .accounts
            .finish_email_change(&ctx, &attempt, &f.code, &caller)
            .await
    };
    match finished {
        Ok(()) => redirect_with(kind.done, vec![auth::clear_cookie(kind.cookie)]),
        Err(e) => step_error(&state, &ctx, &f.csrf, &kind.confirm, &e),
    }
}
