//! The back office at `/operacion`: operators sign in with password and authenticator code into
//! a session of their own (its own cookie, `SameSite=Strict`), and see only what their role
//! allows: agents and supervisors the queues, requests and members; auditors the audit log;
//! admins the operators. Every page works without JavaScript; every action is audited by
//! `app::backoffice`.

use app::accounts::Caller;
use app::backoffice::{
    BackOfficeError, MemberCard, MemberLookup, NewOperatorForm, OperatorContext, QueueFilter, Shown,
};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::audit::Channel;
use domain::operators::{Permission, Role, UnmaskReason};
use domain::registry::MemberId;
use domain::requests::{ActionName, Folio, RequestKind};
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{Peer, forbidden, redirect_with, render};
use crate::auth::{self, cookie, csrf_ok};
use crate::components::{SummaryRow, TableView, TimelineEvent};
use crate::format;
use crate::page::Page;

pub(crate) const OPERATOR_COOKIE: &str = "__Host-operacion";

/// Reason codes an operator can give when asking for a correction or rejecting; each has a
/// text for the member in requests.ftl.
const REASONS: [&str; 9] = [
    "documents_missing",
    "document_illegible",
    "deed_scan_illegible",
    "data_mismatch",
    "balance_not_zero",
    "active_credit",
    "not_eligible",
    "clabe_not_in_member_name",
    "other",
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operacion", get(home_get))
        .route("/operacion/entrar", get(sign_in_get).post(sign_in_post))
        .route("/operacion/salir", post(sign_out_post))
        .route("/operacion/solicitudes", get(queue_get))
        .route("/operacion/solicitudes/{folio}", get(request_get))
        .route("/operacion/solicitudes/{folio}/decision", post(decide_post))
        .route(
            "/operacion/solicitudes/{folio}/asignacion",
            post(assign_post),
        )
        .route(
            "/operacion/solicitudes/{folio}/archivos/{seq}",
            get(file_get),
        )
        .route("/operacion/miembros", get(members_get).post(members_post))
        .route(
            "/operacion/miembros/{id}",
            get(member_get).post(member_unmask_post),
        )
        .route(
            "/operacion/miembros/{id}/correccion",
            post(correction_for_post).layer(axum::extract::DefaultBodyLimit::max(
                app::corrections::MAX_FILES * app::corrections::MAX_FILE_BYTES + 256 * 1024,
            )),
        )
        .route("/operacion/auditoria", get(audit_get))
        .route(
            "/operacion/operadores",
            get(operators_get).post(operator_create_post),
        )
        .route("/operacion/operadores/{id}", post(operator_update_post))
}

/// A `Set-Cookie` for the operator session: first-party only, never sent cross-site.
fn operator_cookie(value: &str, clear: bool) -> HeaderValue {
    let text = if clear {
        format!("{OPERATOR_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
    } else {
        format!("{OPERATOR_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict")
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("invalid=1"))
}

pub(crate) fn caller(headers: &HeaderMap, peer: Peer) -> Caller {
    auth::caller(headers, peer, Channel::Web)
}

/// The signed-in operator, or a redirect to the back office's sign-in.
pub(crate) async fn operator(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, OperatorContext), Response> {
    let Some(token) = cookie(headers, OPERATOR_COOKIE) else {
        return Err(Redirect::to("/operacion/entrar").into_response());
    };
    match state.backoffice.session(token).await {
        Ok(Some(ctx)) => Ok((token.to_owned(), ctx)),
        Ok(None) => Err(redirect_with(
            "/operacion/entrar",
            vec![operator_cookie("", true)],
        )),
        Err(e) => Err(crate::savings::unavailable(e)),
    }
}

/// The operator behind a form post: CSRF first (403), then the session.
pub(crate) async fn operator_post(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(String, OperatorContext), Response> {
    if !csrf_ok(headers, csrf) {
        return Err(forbidden(state));
    }
    operator(state, headers).await
}

/// A link in the back office's navigation.
pub(crate) struct OpLink {
    pub label: String,
    pub href: &'static str,
    pub current: bool,
}

/// What every back-office page shows around its content.
pub(crate) struct OpFrame {
    pub operator: String,
    pub role: String,
    pub links: Vec<OpLink>,
}

pub(crate) fn frame(page: &Page, ctx: &OperatorContext) -> OpFrame {
    let all = [
        (
            "op-nav-requests",
            "/operacion/solicitudes",
            Permission::ReadRequests,
        ),
        (
            "op-nav-members",
            "/operacion/miembros",
            Permission::LookUpMembers,
        ),
        (
            "op-nav-appointments",
            "/operacion/citas",
            Permission::ActForMember,
        ),
        ("op-nav-batches", "/operacion/lotes", Permission::RunBatches),
        (
            "op-nav-audit",
            "/operacion/auditoria",
            Permission::ReadAudit,
        ),
        (
            "op-nav-operators",
            "/operacion/operadores",
            Permission::ManageOperators,
        ),
        (
            "stats-nav",
            "/operacion/estadisticas",
            Permission::ReadStatistics,
        ),
    ];
    OpFrame {
        operator: ctx.display_name.clone(),
        role: page.t(&format!("op-role-{}", ctx.role.code())),
        links: all
            .into_iter()
            .filter(|(_, _, p)| ctx.role.may(*p))
            .map(|(label, href, _)| OpLink {
                label: page.t(label),
                href,
                current: page.path.starts_with(href),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "op_message.html")]
pub(crate) struct OpMessagePage {
    pub page: Page,
    pub op: Option<OpFrame>,
    pub text: String,
}

/// An error page in the back office, with the status that fits the error.
pub(crate) fn failed(
    state: &AppState,
    ctx: Option<&OperatorContext>,
    e: BackOfficeError,
) -> Response {
    let status = match &e {
        BackOfficeError::Forbidden => StatusCode::FORBIDDEN,
        BackOfficeError::MemberNotFound
        | BackOfficeError::OperatorNotFound
        | BackOfficeError::BatchNotFound
        | BackOfficeError::Request(app::requests::RequestError::NotFound) => StatusCode::NOT_FOUND,
        BackOfficeError::Store(_) | BackOfficeError::Hash(_) => StatusCode::SERVICE_UNAVAILABLE,
        BackOfficeError::Request(app::requests::RequestError::Changed) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!(error = %e, "back office failed");
    }
    let mut page = Page::new(&state.messages, "op-error-title", "");
    page.has_errors = true;
    let text = state.messages.text(page.lang_id(), e.code());
    let op = ctx.map(|c| frame(&page, c));
    let mut response = render(OpMessagePage { page, op, text }, Vec::new());
    *response.status_mut() = status;
    response
}

/// A folio that does not parse, or an action that does not exist: answered like a folio that
/// is not there.
fn no_such_request(state: &AppState, ctx: &OperatorContext) -> Response {
    failed(
        state,
        Some(ctx),
        BackOfficeError::Request(app::requests::RequestError::NotFound),
    )
}

// ----- sign-in ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "op_sign_in.html")]
struct SignInPage {
    page: Page,
    error: Option<String>,
    username: String,
}

async fn sign_in_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-sign-in-title", &csrf);
    render(
        SignInPage {
            page,
            error: None,
            username: String::new(),
        },
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
struct SignInForm {
    csrf: String,
    username: String,
    password: String,
    code: String,
}

async fn sign_in_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    if !csrf_ok(&headers, &form.csrf) {
        return forbidden(&state);
    }
    let caller = caller(&headers, peer);
    match state
        .backoffice
        .sign_in(&form.username, &form.password, &form.code, &caller)
        .await
    {
        Ok((token, _)) => redirect_with("/operacion", vec![operator_cookie(&token, false)]),
        Err(e @ (BackOfficeError::SignInFailed | BackOfficeError::Wait(_))) => {
            let (csrf, set) = auth::csrf_token(&headers);
            let mut page = Page::new(&state.messages, "op-sign-in-title", &csrf);
            page.has_errors = true;
            let error = match e {
                BackOfficeError::Wait(wait) => page.t_with(
                    "op-sign-in-wait",
                    &[("seconds", auth::seconds_to_wait(wait))],
                ),
                _ => page.t(e.code()),
            };
            let mut response = render(
                SignInPage {
                    page,
                    error: Some(error),
                    username: form.username.trim().to_owned(),
                },
                set.into_iter().collect(),
            );
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        }
        Err(e) => failed(&state, None, e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn sign_out_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (token, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    if let Err(e) = state
        .backoffice
        .sign_out(&token, &ctx, &caller(&headers, peer))
        .await
    {
        return failed(&state, Some(&ctx), e);
    }
    redirect_with("/operacion/entrar", vec![operator_cookie("", true)])
}

/// Each role starts where its work is.
async fn home_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let to = match ctx.role {
        Role::Agent | Role::Supervisor => "/operacion/solicitudes",
        Role::Auditor => "/operacion/auditoria",
        Role::Admin => "/operacion/operadores",
    };
    // Depends on who is signed in: never kept by a cache.
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Redirect::to(to),
    )
        .into_response()
}

// ----- queues and requests ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "op_queue.html")]
struct QueuePage {
    page: Page,
    op: OpFrame,
    kinds: Vec<(String, String, bool)>,
    mine: bool,
    table: TableView,
    links: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    tipo: Option<String>,
    mias: Option<String>,
}

async fn queue_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let kind = q.tipo.as_deref().and_then(RequestKind::from_code);
    let mine = q.mias.is_some();
    let filter = QueueFilter {
        kind,
        assigned_to: mine.then_some(ctx.operator_id),
        ..QueueFilter::default()
    };
    let lines = match state
        .backoffice
        .queue(&ctx, &filter, &caller(&headers, peer))
        .await
    {
        Ok(lines) => lines,
        Err(e) => return failed(&state, Some(&ctx), e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-queue-title", &csrf);
    let op = frame(&page, &ctx);
    let rows = lines
        .iter()
        .map(|l| {
            let days = l.clock.as_ref().map_or_else(String::new, |c| {
                if c.overdue {
                    page.t_with(
                        "op-overdue-days",
                        &[("days", i64::from(c.business_days_elapsed))],
                    )
                } else {
                    page.t_with("op-days-left", &[("days", i64::from(c.business_days_left))])
                }
            });
            vec![
                l.folio.as_str().to_owned(),
                page.t(&format!("request-kind-{}", l.kind.code())),
                page.t(&format!("request-stage-{}", l.state.stage().code())),
                l.promised_on
                    .map_or_else(String::new, |d| format::date(d, page.lang_id())),
                days,
                l.assigned_to
                    .map_or_else(|| page.t("op-unassigned"), |id| format!("#{id}")),
            ]
        })
        .collect();
    let links = lines
        .iter()
        .map(|l| {
            (
                l.folio.as_str().to_owned(),
                format!("/operacion/solicitudes/{}", l.folio.as_str()),
            )
        })
        .collect();
    let table = TableView {
        caption: page.t("op-queue-caption"),
        head: [
            "op-folio",
            "op-kind",
            "op-stage",
            "op-promised",
            "op-clock",
            "op-assigned",
        ]
        .iter()
        .map(|id| page.t(id))
        .collect(),
        numeric: vec![false; 6],
        rows,
    };
    let kinds = RequestKind::ALL
        .iter()
        .map(|k| {
            (
                k.code().to_owned(),
                page.t(&format!("request-kind-{}", k.code())),
                Some(*k) == kind,
            )
        })
        .collect();
    render(
        QueuePage {
            page,
            op,
            kinds,
            mine,
            table,
            links,
        },
        set.into_iter().collect(),
    )
}

#[derive(Template)]
#[template(path = "op_request.html")]
struct RequestPage {
    page: Page,
    op: OpFrame,
    folio: String,
    summary: Vec<SummaryRow>,
    answers: Vec<SummaryRow>,
    timeline: Vec<TimelineEvent>,
    /// Actions without a reason, and those that need one.
    plain_actions: Vec<(String, String)>,
    reason_actions: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    can_take: bool,
    can_reassign: bool,
    member_href: String,
    /// Each file: its link and its description.
    files: Vec<(String, String)>,
}

async fn request_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return no_such_request(&state, &ctx);
    };
    let case = match state
        .backoffice
        .request_case(&ctx, &folio, &caller(&headers, peer))
        .await
    {
        Ok(case) => case,
        Err(e) => return failed(&state, Some(&ctx), e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-request-title", &csrf);
    let op = frame(&page, &ctx);
    let lang = page.lang_id();
    let row = |key: &str, value: String| page.row(key, value);
    let mut summary = vec![
        row("op-folio", case.folio.as_str().to_owned()),
        row(
            "op-kind",
            page.t(&format!("request-kind-{}", case.kind.code())),
        ),
        row(
            "op-stage",
            page.t(&format!("request-stage-{}", case.state.stage().code())),
        ),
        row(
            "op-channel",
            page.t(&format!("op-channel-{}", case.channel.code())),
        ),
        row("op-filed-by", case.created_by.clone()),
        row(
            "op-assigned",
            case.assigned_to
                .map_or_else(|| page.t("op-unassigned"), |id| format!("#{id}")),
        ),
    ];
    if let Some(reason) = case.state.reason() {
        summary.push(row(
            "op-reason",
            page.t(&format!("request-reason-{}", reason.as_str())),
        ));
    }
    if let Some(promised) = case.promised_on {
        summary.push(row("op-promised", format::date(promised, lang)));
    }
    if let Some(clock) = &case.clock {
        summary.push(row(
            "op-clock",
            if clock.overdue {
                page.t_with(
                    "op-overdue-days",
                    &[("days", i64::from(clock.business_days_elapsed))],
                )
            } else {
                page.t_with(
                    "op-days-left",
                    &[("days", i64::from(clock.business_days_left))],
                )
            },
        ));
    }
    let mut answers = Vec::new();
    if let serde_json::Value::Object(map) = &case.answers {
        for (key, value) in map {
            if key == "changes" || key == "files" {
                continue;
            }
            answer_rows(key, value, &mut answers);
        }
    }
    // A correction's changes, one row per field: what the record says and what it should.
    if let Some(changes) = case.answers.get("changes").and_then(|c| c.as_array()) {
        for c in changes.iter().rev() {
            let text = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            answers.insert(
                0,
                SummaryRow {
                    key: page.t(&format!("field-{}", text("field"))),
                    value: page.t_text(
                        "correction-from-to",
                        &[("from", text("from")), ("to", text("to"))],
                    ),
                    change_href: None,
                },
            );
        }
    }
    let files = case
        .attachments
        .iter()
        .map(|a| {
            (
                format!(
                    "/operacion/solicitudes/{}/archivos/{}",
                    case.folio.as_str(),
                    a.seq
                ),
                format!(
                    "{} · {} · {} KB",
                    a.file_name,
                    a.content_type,
                    a.size.div_ceil(1024)
                ),
            )
        })
        .collect();
    let timeline = case
        .timeline
        .iter()
        .rev()
        .map(|e| TimelineEvent {
            title: page.t(&format!("request-event-{}", e.event)),
            date: format::date_time(lang, e.at),
            text: format!(
                "{} · {}",
                e.actor,
                page.t(&format!("op-channel-{}", e.channel.code()))
            ),
        })
        .collect();
    let label = |a: &ActionName| page.t(&format!("request-action-{}", a.code()));
    let plain_actions = case
        .actions
        .iter()
        .filter(|a| !matches!(a, ActionName::AskForCorrection | ActionName::Reject))
        .map(|a| (a.code().to_owned(), label(a)))
        .collect();
    let reason_actions = case
        .actions
        .iter()
        .filter(|a| matches!(a, ActionName::AskForCorrection | ActionName::Reject))
        .map(|a| (a.code().to_owned(), label(a)))
        .collect();
    let reasons = REASONS
        .iter()
        .map(|r| (r.to_string(), page.t(&format!("request-reason-{r}"))))
        .collect();
    let can_decide = ctx.role.may(Permission::DecideRequests);
    render(
        RequestPage {
            folio: case.folio.as_str().to_owned(),
            member_href: format!("/operacion/miembros/{}", case.member_id.0),
            can_take: can_decide && case.assigned_to.is_none(),
            can_reassign: ctx.role.may(Permission::Reassign),
            files,
            summary,
            answers,
            timeline,
            plain_actions,
            reason_actions,
            reasons,
            op,
            page,
        },
        set.into_iter().collect(),
    )
}

/// A file of a request, sent as a download (never shown inline: it is the member's upload).
async fn file_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((folio, seq)): Path<(String, u32)>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return no_such_request(&state, &ctx);
    };
    match state
        .backoffice
        .request_file(&ctx, &folio, seq, &caller(&headers, peer))
        .await
    {
        Ok((file, bytes)) => {
            let extension = match file.content_type.as_str() {
                "application/pdf" => "pdf",
                "image/png" => "png",
                _ => "jpg",
            };
            let disposition = format!(
                "attachment; filename=\"{}-{seq}.{extension}\"",
                folio.as_str()
            );
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            h.insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_str(&file.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            h.insert(
                axum::http::header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            );
            h.insert(
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

/// A request's answers as rows: nested objects one level deep as "key · sub-key", and long
/// values (a certificate in hex, a signature) cut to their start with their length, so the page
/// stays readable.
fn answer_rows(key: &str, value: &serde_json::Value, rows: &mut Vec<SummaryRow>) {
    const LONGEST: usize = 80;
    match value {
        serde_json::Value::Object(map) if !key.contains(" · ") => {
            for (sub, inner) in map {
                answer_rows(&format!("{key} · {sub}"), inner, rows);
            }
        }
        other => {
            let text = match other {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            let count = text.chars().count();
            let value = if count > LONGEST {
                let start: String = text.chars().take(24).collect();
                format!("{start}… ({count})")
            } else {
                text
            };
            rows.push(SummaryRow {
                key: key.to_owned(),
                value,
                change_href: None,
            });
        }
    }
}

#[derive(Deserialize)]
struct DecideForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
}

async fn decide_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
    Form(form): Form<DecideForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (Ok(folio), Some(action)) = (Folio::parse(&folio), ActionName::from_code(&form.action))
    else {
        return no_such_request(&state, &ctx);
    };
    match state
        .backoffice
        .decide(
            &ctx,
            &folio,
            action,
            Some(form.reason.as_str()),
            &caller(&headers, peer),
        )
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/operacion/solicitudes/{}", folio.as_str())).into_response()
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

#[derive(Deserialize)]
struct AssignForm {
    csrf: String,
    /// An operator id, "yo" for oneself, or empty for nobody.
    #[serde(default)]
    to: String,
}

async fn assign_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
    Form(form): Form<AssignForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return no_such_request(&state, &ctx);
    };
    let to = match form.to.trim() {
        "" => None,
        "yo" => Some(ctx.operator_id),
        id => match id.trim_start_matches('#').parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return failed(&state, Some(&ctx), BackOfficeError::OperatorNotFound),
        },
    };
    match state
        .backoffice
        .assign(&ctx, &folio, to, &caller(&headers, peer))
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/operacion/solicitudes/{}", folio.as_str())).into_response()
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

// ----- members ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "op_members.html")]
struct MembersPage {
    page: Page,
    op: OpFrame,
    query: String,
    searched: bool,
    results: Vec<(String, String, String)>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct MembersForm {
    csrf: String,
    #[serde(default)]
    q: String,
}

/// The look-up form. A search is a POST: what is searched for (an NSS, a CURP, a name) never
/// sits in a URL, a browser's history or a proxy's log. A `?q=` is ignored.
async fn members_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    members_page(&state, peer, &headers, ctx, String::new()).await
}

async fn members_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<MembersForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    members_page(&state, peer, &headers, ctx, form.q).await
}

async fn members_page(
    state: &AppState,
    peer: Peer,
    headers: &HeaderMap,
    ctx: OperatorContext,
    query: String,
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "op-members-title", &csrf);
    let mut error = None;
    let mut results = Vec::new();
    let searched = !query.trim().is_empty();
    if searched {
        match MemberLookup::parse(&query) {
            None => {
                page.has_errors = true;
                error = Some(page.t("op-lookup-invalid"));
            }
            Some(lookup) => match state
                .backoffice
                .look_up(&ctx, &lookup, &caller(headers, peer))
                .await
            {
                Ok(cards) => {
                    results = cards
                        .into_iter()
                        .map(|c| {
                            (
                                format!("/operacion/miembros/{}", c.member_id.0),
                                c.name,
                                c.nss,
                            )
                        })
                        .collect();
                }
                Err(e) => return failed(state, Some(&ctx), e),
            },
        }
    } else if let Err(e) = state
        .backoffice
        .require(
            &ctx,
            Permission::LookUpMembers,
            "look_up_member",
            &caller(headers, peer),
        )
        .await
    {
        return failed(state, Some(&ctx), e);
    }
    let op = frame(&page, &ctx);
    render(
        MembersPage {
            page,
            op,
            query,
            searched,
            results,
            error,
        },
        set.into_iter().collect(),
    )
}

#[derive(Template)]
#[template(path = "op_member.html")]
struct MemberPage {
    page: Page,
    op: OpFrame,
    member_id: i64,
    unmasked: bool,
    rows: Vec<SummaryRow>,
    reasons: Vec<(String, String)>,
    requests: Vec<(String, String, String)>,
    audit_href: Option<String>,
    /// Shown once the data is unmasked to an operator who serves members: the correction form,
    /// filled with the record as it is.
    serve: Option<Vec<(&'static str, String, String)>>,
    /// Shown once the data is unmasked to a supervisor: the NSS on record, for the forms that
    /// change it or unify another record into this one.
    identity: Option<String>,
}

fn member_page(
    state: &AppState,
    ctx: &OperatorContext,
    card: MemberCard,
    csrf: &str,
) -> MemberPage {
    let page = Page::new(&state.messages, "op-member-title", csrf);
    let op = frame(&page, ctx);
    let row = |key: &str, value: String| page.row(key, value);
    let mut rows = vec![
        row("op-name", card.name.clone()),
        row("op-nss", card.nss.clone()),
        row("op-curp", card.curp.clone()),
        row("op-rfc", card.rfc.clone()),
        row("op-birth-date", card.birth_date.clone()),
        row(
            "op-state",
            state
                .savings
                .tables()
                .state_by_inegi(card.state)
                .map_or_else(|| card.state.0.to_string(), |s| s.name.clone()),
        ),
    ];
    if let (Some(email), Some(mobile)) = (&card.email, &card.mobile) {
        rows.push(row("op-email", email.clone()));
        rows.push(row("op-mobile", mobile.clone()));
    } else {
        rows.push(row("op-account", page.t("op-no-account")));
    }
    if let Shown::Unmasked(reason) = card.shown {
        rows.push(row(
            "op-unmask-reason",
            page.t(&format!("op-unmask-{}", reason.code())),
        ));
    }
    let reasons = UnmaskReason::ALL
        .iter()
        .map(|r| {
            (
                r.code().to_owned(),
                page.t(&format!("op-unmask-{}", r.code())),
            )
        })
        .collect();
    let requests = card
        .requests
        .iter()
        .map(|r| {
            (
                format!("/operacion/solicitudes/{}", r.folio.as_str()),
                r.folio.as_str().to_owned(),
                format!(
                    "{} · {}",
                    page.t(&format!("request-kind-{}", r.kind.code())),
                    page.t(&format!("request-stage-{}", r.state.stage().code()))
                ),
            )
        })
        .collect();
    let serve = (matches!(card.shown, Shown::Unmasked(_))
        && ctx.role.may(Permission::ActForMember))
    .then(|| {
        [
            ("given_names", card.given_names.clone()),
            ("first_surname", card.first_surname.clone()),
            ("second_surname", card.second_surname.clone()),
            ("curp", card.curp.clone()),
            ("rfc", card.rfc.clone()),
        ]
        .into_iter()
        .map(|(name, value)| (name, page.t(&format!("field-{name}")), value))
        .collect()
    });
    let identity = (matches!(card.shown, Shown::Unmasked(_))
        && ctx.role.may(Permission::ChangeIdentity))
    .then(|| card.nss.clone());
    MemberPage {
        serve,
        identity,
        member_id: card.member_id.0,
        unmasked: matches!(card.shown, Shown::Unmasked(_)),
        audit_href: ctx
            .role
            .may(Permission::ReadAudit)
            .then(|| format!("/operacion/auditoria?miembro={}", card.member_id.0)),
        rows,
        reasons,
        requests,
        op,
        page,
    }
}

async fn member_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match state
        .backoffice
        .member_card(&ctx, MemberId(id), None, &caller(&headers, peer))
        .await
    {
        Ok(card) => {
            let (csrf, set) = auth::csrf_token(&headers);
            render(
                member_page(&state, &ctx, card, &csrf),
                set.into_iter().collect(),
            )
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

#[derive(Deserialize)]
struct UnmaskForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// Shows the member's data in full for the reason stated; the answer is this page itself (not
/// a redirect), so the full data never sits in a URL or in the browser's history.
async fn member_unmask_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<UnmaskForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(reason) = UnmaskReason::from_code(&form.reason) else {
        return failed(&state, Some(&ctx), BackOfficeError::UnmaskReasonRequired);
    };
    match state
        .backoffice
        .member_card(&ctx, MemberId(id), Some(reason), &caller(&headers, peer))
        .await
    {
        Ok(card) => {
            let (csrf, set) = auth::csrf_token(&headers);
            render(
                member_page(&state, &ctx, card, &csrf),
                set.into_iter().collect(),
            )
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

/// A data correction filed for a member on the phone or at a CESI desk (multipart: the
/// evidence the clerk scanned).
async fn correction_for_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Response {
    let Some((fields, uploads)) = crate::corrections::read_with_files(&mut form, "evidencia").await
    else {
        return failed(
            &state,
            None,
            BackOfficeError::Correction(app::corrections::CorrectionError::FileTooLarge),
        );
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let (_, ctx) = match operator_post(&state, &headers, &get("csrf")).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(channel) = app::backoffice::serving_channel(&get("channel")) else {
        return failed(&state, Some(&ctx), BackOfficeError::ChannelRequired);
    };
    let proposal = domain::corrections::Proposal {
        given_names: get("given_names"),
        first_surname: get("first_surname"),
        second_surname: get("second_surname"),
        curp: get("curp"),
        rfc: get("rfc"),
    };
    match state
        .backoffice
        .file_correction_for(
            &ctx,
            MemberId(id),
            channel,
            &proposal,
            &get("explicacion"),
            &uploads,
            &caller(&headers, peer),
        )
        .await
    {
        Ok(filed) => Redirect::to(&format!("/operacion/solicitudes/{}", filed.folio.as_str()))
            .into_response(),
        Err(BackOfficeError::Correction(app::corrections::CorrectionError::Problems(problems))) => {
            let page = Page::new(&state.messages, "op-error-title", "");
            let text = problems
                .iter()
                .map(|(field, problem)| {
                    page.t_text(
                        problem.code(),
                        &[("field", page.t(&format!("field-{}", field.code())))],
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            let op = Some(frame(&page, &ctx));
            let mut response = render(OpMessagePage { page, op, text }, Vec::new());
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

// ----- audit ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "op_audit.html")]
struct AuditPage {
    page: Page,
    op: OpFrame,
    member: String,
    table: TableView,
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    miembro: Option<String>,
}

async fn audit_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let member = q
        .miembro
        .as_deref()
        .and_then(|m| m.trim().parse::<i64>().ok())
        .map(MemberId);
    let entries = match state
        .backoffice
        .audit_log(&ctx, member, 200, &caller(&headers, peer))
        .await
    {
        Ok(entries) => entries,
        Err(e) => return failed(&state, Some(&ctx), e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-audit-title", &csrf);
    let op = frame(&page, &ctx);
    let table = TableView {
        caption: page.t("op-audit-caption"),
        head: [
            "op-audit-at",
            "op-audit-actor",
            "op-audit-action",
            "op-audit-member",
            "op-channel",
            "op-audit-details",
        ]
        .iter()
        .map(|id| page.t(id))
        .collect(),
        numeric: vec![false; 6],
        rows: entries
            .into_iter()
            .map(|e| {
                vec![
                    format::date_time(page.lang_id(), e.entry.at),
                    e.entry.actor,
                    e.entry.action,
                    e.entry
                        .member_id
                        .map_or_else(String::new, |m| m.to_string()),
                    e.entry.channel.code().to_owned(),
                    e.entry.details,
                ]
            })
            .collect(),
    };
    render(
        AuditPage {
            member: member.map_or_else(String::new, |m| m.0.to_string()),
            page,
            op,
            table,
        },
        set.into_iter().collect(),
    )
}

// ----- operators --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "op_operators.html")]
struct OperatorsPage {
    page: Page,
    op: OpFrame,
    roles: Vec<(String, String)>,
    operators: Vec<OperatorRow>,
    created: Option<CreatedView>,
    error: Option<String>,
}

struct OperatorRow {
    id: i64,
    username: String,
    name: String,
    role: String,
    active: bool,
    is_self: bool,
}

struct CreatedView {
    username: String,
    password: String,
    totp_secret: String,
    otpauth_uri: String,
}

async fn operators_page(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
    ctx: &OperatorContext,
    created: Option<CreatedView>,
    error: Option<String>,
) -> Response {
    let list = match state
        .backoffice
        .operators(ctx, &caller(headers, peer))
        .await
    {
        Ok(list) => list,
        Err(e) => return failed(state, Some(ctx), e),
    };
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "op-operators-title", &csrf);
    page.has_errors = error.is_some();
    let op = frame(&page, ctx);
    let roles = Role::ALL
        .iter()
        .map(|r| {
            (
                r.code().to_owned(),
                page.t(&format!("op-role-{}", r.code())),
            )
        })
        .collect();
    let operators = list
        .into_iter()
        .map(|o| OperatorRow {
            id: o.operator_id,
            is_self: o.operator_id == ctx.operator_id,
            username: o.username,
            name: o.display_name,
            role: o.role.code().to_owned(),
            active: o.active,
        })
        .collect();
    let mut response = render(
        OperatorsPage {
            page,
            op,
            roles,
            operators,
            created,
            error,
        },
        set.into_iter().collect(),
    );
    if response.status() == StatusCode::OK {
        // The one-time secrets must not be kept by any cache.
        response
            .headers_mut()
            .insert("pragma", HeaderValue::from_static("no-cache"));
    }
    response
}

async fn operators_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    operators_page(&state, &headers, peer, &ctx, None, None).await
}

#[derive(Deserialize)]
struct CreateForm {
    csrf: String,
    username: String,
    name: String,
    role: String,
}

async fn operator_create_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(role) = Role::from_code(&form.role) else {
        return failed(&state, Some(&ctx), BackOfficeError::OperatorNotFound);
    };
    let new = NewOperatorForm {
        username: form.username,
        display_name: form.name,
        role,
    };
    match state
        .backoffice
        .create_operator(&new, Some(&ctx), &caller(&headers, peer))
        .await
    {
        Ok(created) => {
            let view = CreatedView {
                username: created.operator.username,
                password: created.password,
                totp_secret: created.totp_secret,
                otpauth_uri: created.otpauth_uri,
            };
            operators_page(&state, &headers, peer, &ctx, Some(view), None).await
        }
        Err(
            e @ (BackOfficeError::UsernameInvalid
            | BackOfficeError::UsernameTaken
            | BackOfficeError::NameRequired),
        ) => {
            let text = state.messages.text(crate::page::lang(), e.code());
            let mut response = operators_page(&state, &headers, peer, &ctx, None, Some(text)).await;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            response
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}

#[derive(Deserialize)]
struct UpdateForm {
    csrf: String,
    role: String,
    #[serde(default)]
    active: Option<String>,
}

async fn operator_update_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<UpdateForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(role) = Role::from_code(&form.role) else {
        return failed(&state, Some(&ctx), BackOfficeError::OperatorNotFound);
    };
    match state
        .backoffice
        .update_operator(
            &ctx,
            id,
            role,
            form.active.is_some(),
            &caller(&headers, peer),
        )
        .await
    {
        Ok(_) => Redirect::to("/operacion/operadores").into_response(),
        Err(e) => failed(&state, Some(&ctx), e),
    }
}
