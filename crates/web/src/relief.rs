//! "Apoyos" for a credit (domain.md §10): the programmes open to it today, one short
//! questionnaire per programme, and the decision — the effect month by month in plain Spanish,
//! or why not and when to try again. Pages and the JSON API call the same `app::relief` use
//! cases; the member is always the signed-in one and another member's credit is not found.

use std::collections::BTreeMap;

use app::accounts::SessionContext;
use app::relief::{GrantView, Outcome, ReliefError, ReliefForm, ReliefOverview};
use app::requests::Acting;
use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use domain::audit::Channel;
use domain::credit::relief::{Family, Refusal, ReliefMonth, Situation};
use domain::registry::CreditNumber;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::{Peer, api_error, forbidden, render};
use crate::auth;
use crate::components::{FieldView, SummaryRow, TableView};
use crate::credit::{not_found, parse_credit};
use crate::format;
use crate::page::{ErrorLine, Page};
use crate::savings::{member_or_sign_in, unavailable};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/mi-credito/{credit}/apoyos", get(view_relief_get))
        .route(
            "/mi-credito/{credit}/apoyos/solicitar/{family}",
            get(view_relief_form_get).post(view_relief_form_post),
        )
        .route(
            "/mi-credito/{credit}/apoyos/otorgado/{start}",
            get(view_relief_grant_get),
        )
        .route(
            "/api/v1/me/credits/{credit}/relief",
            get(api_relief_get).post(api_relief_post),
        )
}

fn relief_error(state: &AppState, headers: &HeaderMap, e: ReliefError) -> Response {
    match e {
        ReliefError::NotFound | ReliefError::Credit(app::credit::CreditError::NotFound) => {
            not_found(state, headers)
        }
        e => {
            tracing::error!(error = %e, "relief failed");
            unavailable(e)
        }
    }
}

fn api_relief_error(state: &AppState, e: ReliefError) -> Response {
    let status = match &e {
        ReliefError::NotFound | ReliefError::Credit(app::credit::CreditError::NotFound) => {
            StatusCode::NOT_FOUND
        }
        ReliefError::Field(..) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => {
            tracing::error!(error = %e, "relief failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    api_error(state, status, e.code())
}

fn long_date(page: &Page, day: time::Date) -> String {
    format::date(day, page.lang_id())
}

// ----- The programmes open today -------------------------------------------------------------

pub(crate) struct OfferCard {
    pub family: &'static str,
    pub title: String,
    pub about: String,
    pub available: bool,
    pub status: String,
    pub href: String,
}

pub(crate) struct GrantLine {
    pub title: String,
    pub when: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "relief.html")]
struct ReliefPage {
    page: Page,
    number: String,
    offers: Vec<OfferCard>,
    grants: Vec<GrantLine>,
}

fn refusal_text(page: &Page, refusal: &Refusal) -> (String, String) {
    let why = page.t(&format!("relief-refusal-{}", refusal.reason.code()));
    let retry = match refusal.retry_on {
        Some(day) => page.t_text("relief-retry-on", &[("date", long_date(page, day))]),
        None => page.t("relief-no-retry"),
    };
    (why, retry)
}

fn grant_title(page: &Page, view: &GrantView) -> String {
    page.t(&format!("relief-programme-{}", view.grant.programme))
}

fn grant_when(page: &Page, view: &GrantView) -> String {
    let g = &view.grant;
    let months = page.t_with("relief-months", &[("months", i64::from(g.months))]);
    let span = page.t_text(
        "relief-from-to",
        &[
            ("start", long_date(page, g.start)),
            ("end", long_date(page, g.end())),
        ],
    );
    let renewal = if g.renewal {
        format!(" · {}", page.t("relief-renewal"))
    } else {
        String::new()
    };
    format!("{span} ({months}){renewal}")
}

fn overview_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &SessionContext,
    overview: &ReliefOverview,
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "relief-title", &csrf);
    page.signed_in_as(ctx);
    let number = overview.credit.credit.credit_number.as_str().to_owned();
    let offers = overview
        .offers
        .iter()
        .map(|offer| {
            let family = offer.family.code();
            let status = match (&offer.refusal, offer.programmes.first()) {
                (Some(refusal), _) => {
                    let (why, retry) = refusal_text(&page, refusal);
                    format!("{why} {retry}")
                }
                (None, Some(p)) => page.t_text(
                    "relief-open-from-to",
                    &[
                        ("from", long_date(&page, p.open_from)),
                        ("to", long_date(&page, p.open_to)),
                    ],
                ),
                (None, None) => page.t("relief-renewal"),
            };
            OfferCard {
                family,
                title: page.t(&format!("relief-family-{family}")),
                about: page.t(&format!("relief-family-{family}-about")),
                available: offer.refusal.is_none(),
                status,
                href: format!("/mi-credito/{number}/apoyos/solicitar/{family}"),
            }
        })
        .collect();
    let grants = overview
        .grants
        .iter()
        .map(|view| GrantLine {
            title: grant_title(&page, view),
            when: grant_when(&page, view),
            href: format!(
                "/mi-credito/{number}/apoyos/otorgado/{}",
                domain::dates::iso(view.grant.start)
            ),
        })
        .collect();
    let template = ReliefPage {
        number,
        offers,
        grants,
        page,
    };
    render(template, set.into_iter().collect())
}

pub(crate) async fn view_relief_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let Some(number) = parse_credit(&number) else {
        return not_found(&state, &headers);
    };
    match state.relief.overview(ctx.member_id, &number).await {
        Ok(overview) => overview_page(&state, &headers, &ctx, &overview),
        Err(e) => relief_error(&state, &headers, e),
    }
}

// ----- The questionnaire ---------------------------------------------------------------------

pub(crate) struct Choice {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "relief_form.html")]
struct FormPage {
    page: Page,
    number: String,
    family: &'static str,
    errors: Vec<ErrorLine>,
    situation_error: Option<String>,
    situations: Vec<Choice>,
    since: FieldView,
    also_defer: bool,
    pension: bool,
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &SessionContext,
    number: &CreditNumber,
    family: Family,
    values: &ReliefForm,
    problem: Option<(&'static str, &'static str)>,
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let family_title = state.messages.text(
        crate::page::lang(),
        &format!("relief-family-{}", family.code()),
    );
    let mut page = Page::new(&state.messages, "relief-title", &csrf);
    page.title = page.t_text("relief-question-title", &[("family", family_title)]);
    page.signed_in_as(ctx);
    page.has_errors = problem.is_some();
    let errors: Vec<ErrorLine> = problem
        .iter()
        .map(|(field, code)| ErrorLine {
            field: (*field).into(),
            message: page.t(code),
        })
        .collect();
    let mut since = page.field("since", "text", "off", &values.since, &errors);
    since.label = page.t("relief-question-since");
    since.hint = page.t("relief-question-since-hint");
    let situation_error = errors
        .iter()
        .find(|e| e.field == "situation")
        .map(|e| e.message.clone());
    let situations = Situation::ALL
        .into_iter()
        .filter(|s| family == Family::Covid2020 || *s != Situation::EmployerStopped)
        .map(|s| Choice {
            code: s.code(),
            label: page.t(&format!("relief-situation-{}", s.code())),
            checked: values.situation == s.code(),
        })
        .collect();
    let template = FormPage {
        number: number.as_str().to_owned(),
        family: family.code(),
        situation_error,
        situations,
        since,
        also_defer: values.also_defer,
        pension: values.pension_or_disability,
        errors,
        page,
    };
    let mut response = render(template, set.into_iter().collect());
    if problem.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

fn family_of(text: &str) -> Option<Family> {
    Family::from_code(text)
}

pub(crate) async fn view_relief_form_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((number, family)): Path<(String, String)>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let (Some(number), Some(family)) = (parse_credit(&number), family_of(&family)) else {
        return not_found(&state, &headers);
    };
    // The credit must be the member's before any question is asked.
    if let Err(e) = state.relief.overview(ctx.member_id, &number).await {
        return relief_error(&state, &headers, e);
    }
    form_page(
        &state,
        &headers,
        &ctx,
        &number,
        family,
        &ReliefForm::default(),
        None,
    )
}

fn form_of(fields: &BTreeMap<String, String>) -> ReliefForm {
    let on = |name: &str| fields.get(name).is_some_and(|v| v == "true" || v == "on");
    ReliefForm {
        situation: fields.get("situation").cloned().unwrap_or_default(),
        since: fields.get("since").cloned().unwrap_or_default(),
        also_defer: on("also_defer"),
        pension_or_disability: on("pension_or_disability"),
    }
}

pub(crate) async fn view_relief_form_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((number, family)): Path<(String, String)>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    if !auth::csrf_ok(
        &headers,
        fields.get("csrf").map(String::as_str).unwrap_or(""),
    ) {
        return forbidden(&state);
    }
    let (Some(number), Some(family)) = (parse_credit(&number), family_of(&family)) else {
        return not_found(&state, &headers);
    };
    let form = form_of(&fields);
    match state
        .relief
        .apply(
            ctx.member_id,
            &number,
            family,
            &form,
            &caller,
            Acting::Member(ctx.member_id),
        )
        .await
    {
        Ok(Outcome::Granted { view, already }) => {
            let mut to = format!(
                "/mi-credito/{}/apoyos/otorgado/{}",
                number.as_str(),
                domain::dates::iso(view.grant.start)
            );
            if already {
                to.push_str("?repetida=1");
            }
            Redirect::to(&to).into_response()
        }
        Ok(Outcome::Refused(refusal)) => refused_page(&state, &headers, &ctx, &number, &refusal),
        Err(ReliefError::Field(field, code)) => form_page(
            &state,
            &headers,
            &ctx,
            &number,
            family,
            &form,
            Some((field, code)),
        ),
        Err(e) => relief_error(&state, &headers, e),
    }
}

// ----- The decision --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "relief_decision.html")]
struct DecisionPage {
    page: Page,
    number: String,
    granted: bool,
    already: bool,
    summary: String,
    effect: String,
    suspends: bool,
    rows: Vec<SummaryRow>,
    table: Option<TableView>,
    why: String,
    retry: String,
}

fn refused_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &SessionContext,
    number: &CreditNumber,
    refusal: &Refusal,
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "relief-refused-title", &csrf);
    page.signed_in_as(ctx);
    let (why, retry) = refusal_text(&page, refusal);
    let template = DecisionPage {
        number: number.as_str().to_owned(),
        granted: false,
        already: false,
        summary: String::new(),
        effect: String::new(),
        suspends: false,
        rows: Vec::new(),
        table: None,
        why,
        retry,
        page,
    };
    render(template, set.into_iter().collect())
}

fn months_table(page: &Page, months: &[ReliefMonth]) -> TableView {
    let lang = page.lang_id();
    TableView {
        caption: page.t("relief-months-caption"),
        head: [
            "relief-col-month",
            "relief-col-instalment",
            "relief-col-fund",
            "relief-col-you",
            "relief-col-waived",
            "relief-col-balance",
        ]
        .iter()
        .map(|id| page.t(id))
        .collect(),
        numeric: vec![false, true, true, true, true, true],
        rows: months
            .iter()
            .map(|m| {
                vec![
                    format::month_year(m.month.month(), m.month.year(), lang),
                    format::money(m.instalment),
                    format::money(m.fund_pays),
                    format::money(m.borrower_pays),
                    format::money(m.interest_waived),
                    format::money(m.balance_after),
                ]
            })
            .collect(),
    }
}

pub(crate) async fn view_relief_grant_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((number, start)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let (Some(number), Ok(start)) = (parse_credit(&number), domain::dates::parse_iso(&start))
    else {
        return not_found(&state, &headers);
    };
    let view = match state.relief.grant(ctx.member_id, &number, start).await {
        Ok(view) => view,
        Err(e) => return relief_error(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "relief-title", &csrf);
    page.signed_in_as(&ctx);
    let title = grant_title(&page, &view);
    page.title = page.t_text("relief-granted-title", &[("programme", title)]);
    let g = &view.grant;
    let summary = page.t_text(
        "relief-granted-summary",
        &[
            (
                "months",
                page.t_with("relief-months", &[("months", i64::from(g.months))]),
            ),
            ("start", long_date(&page, g.start)),
            ("end", long_date(&page, g.end())),
        ],
    );
    let rows = vec![
        page.row("credit-number", number.as_str().to_owned()),
        SummaryRow {
            key: page.t_text(
                "relief-decided-on",
                &[("date", long_date(&page, g.decided_on))],
            ),
            value: grant_when(&page, &view),
            change_href: None,
        },
    ];
    let template = DecisionPage {
        number: number.as_str().to_owned(),
        granted: true,
        already: query.contains_key("repetida"),
        summary,
        effect: page.t(&format!("relief-effect-{}", g.effect.code())),
        suspends: g.suspends_discount,
        rows,
        table: Some(months_table(&page, &view.months)),
        why: String::new(),
        retry: String::new(),
        page,
    };
    render(template, set.into_iter().collect())
}

// ----- The API -------------------------------------------------------------------------------

fn no_store(status: StatusCode, value: Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(value)).into_response()
}

fn refusal_json(refusal: &Refusal) -> Value {
    json!({
        "decision": "refused",
        "reason": refusal.reason.code(),
        "retry_on": refusal.retry_on.map(domain::dates::iso),
    })
}

fn grant_json(view: &GrantView) -> Value {
    let g = &view.grant;
    json!({
        "programme": g.programme,
        "family": g.family.code(),
        "effect": g.effect.code(),
        "start": domain::dates::iso(g.start),
        "end": domain::dates::iso(g.end()),
        "months": g.months,
        "renewal": g.renewal,
        "suspends_discount": g.suspends_discount,
        "decided_on": domain::dates::iso(g.decided_on),
        "schedule": view.months.iter().map(|m| json!({
            "month": domain::dates::iso(m.month),
            "effect": m.effect.code(),
            "instalment": m.instalment.to_string(),
            "interest": m.interest.to_string(),
            "interest_waived": m.interest_waived.to_string(),
            "fund_pays": m.fund_pays.to_string(),
            "borrower_pays": m.borrower_pays.to_string(),
            "balance_after": m.balance_after.to_string(),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) async fn api_relief_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    let ctx = match crate::savings::api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let Some(number) = parse_credit(&number) else {
        return api_relief_error(&state, ReliefError::NotFound);
    };
    match state.relief.overview(ctx.member_id, &number).await {
        Ok(o) => no_store(
            StatusCode::OK,
            json!({
                "credit_number": number.as_str(),
                "today": domain::dates::iso(o.today),
                "programmes": o.offers.iter().map(|offer| json!({
                    "family": offer.family.code(),
                    "available": offer.refusal.is_none(),
                    "open": offer.programmes.iter().map(|p| json!({
                        "programme": p.code,
                        "effect": p.effect.code(),
                        "open_from": domain::dates::iso(p.open_from),
                        "open_to": domain::dates::iso(p.open_to),
                        "months": p.months,
                    })).collect::<Vec<_>>(),
                    "refusal": offer.refusal.as_ref().map(refusal_json),
                })).collect::<Vec<_>>(),
                "grants": o.grants.iter().map(grant_json).collect::<Vec<_>>(),
            }),
        ),
        Err(e) => api_relief_error(&state, e),
    }
}

#[derive(Deserialize)]
pub(crate) struct ReliefBody {
    family: String,
    situation: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    also_defer: bool,
    #[serde(default)]
    pension_or_disability: bool,
}

pub(crate) async fn api_relief_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
    body: Result<Json<ReliefBody>, JsonRejection>,
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
    let Ok(Json(body)) = body else {
        return api_error(&state, StatusCode::BAD_REQUEST, "relief_body_invalid");
    };
    let Some(number) = parse_credit(&number) else {
        return api_relief_error(&state, ReliefError::NotFound);
    };
    let Some(family) = family_of(&body.family) else {
        return api_error(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "relief_family_unknown",
        );
    };
    let form = ReliefForm {
        situation: body.situation,
        since: body.since,
        also_defer: body.also_defer,
        pension_or_disability: body.pension_or_disability,
    };
    match state
        .relief
        .apply(
            ctx.member_id,
            &number,
            family,
            &form,
            &caller,
            Acting::Member(ctx.member_id),
        )
        .await
    {
        Ok(Outcome::Granted { view, already }) => {
            let mut value = grant_json(&view);
            value["decision"] = json!("granted");
            value["already"] = json!(already);
            let status = if already {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            no_store(status, value)
        }
        Ok(Outcome::Refused(refusal)) => no_store(StatusCode::OK, refusal_json(&refusal)),
        Err(e) => api_relief_error(&state, e),
    }
}
