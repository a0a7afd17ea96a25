//! "Carta de cancelación de hipoteca" pages: choose the route, give its data, get a folio and
//! the letter. Two steps (route, then its fields) so each page asks only what applies and works
//! without JavaScript.

use std::collections::BTreeMap;

use app::cancellation::{self, CancellationError};
use app::requests::Acting;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::audit::Channel;
use domain::requests::Folio;

use crate::AppState;
use crate::accounts::{Peer, forbidden, render};
use crate::auth;
use crate::components::{FieldView, SummaryRow, TimelineEvent};
use crate::credit::parse_credit;
use crate::format;
use crate::message::message_page;
use crate::page::{ErrorLine, Page};
use crate::savings::member_or_sign_in;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/mi-credito/{credit}/cancelacion",
            get(view_cancellation_get).post(view_cancellation_post),
        )
        .route(
            "/mi-credito/cancelacion/{folio}",
            get(view_cancellation_status_get),
        )
}

pub(crate) struct RouteChoice {
    pub code: &'static str,
    pub label: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "cancellation.html")]
struct CancellationPage {
    page: Page,
    number: String,
    errors: Vec<ErrorLine>,
    /// Set once the route is chosen: its code, label and fields.
    route: Option<(&'static str, String)>,
    routes: Vec<RouteChoice>,
    fields: Vec<FieldView>,
    states: Vec<(String, String)>,
    lines: [&'static str; 5],
}

fn not_paid_off(state: &AppState, headers: &HeaderMap) -> Response {
    message_page(
        state,
        headers,
        StatusCode::CONFLICT,
        "cancellation-title",
        "cancellation_not_paid_off",
        ("/mi-credito", "my-credit-back"),
    )
}

fn kind_of(field: &str) -> &'static str {
    match field {
        "originated_on" | "recorded_on" => "date",
        "notary_email" => "email",
        "notary_phone" => "tel",
        _ => "text",
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &app::accounts::SessionContext,
    number: &str,
    route: Option<&str>,
    values: &BTreeMap<String, String>,
    problems: &[(&'static str, &'static str)],
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "cancellation-title", &csrf);
    page.signed_in_as(ctx);
    page.has_errors = !problems.is_empty();
    let errors: Vec<ErrorLine> = problems
        .iter()
        .map(|(field, code)| ErrorLine {
            field: (*field).into(),
            message: page.t(code),
        })
        .collect();
    let route = route.and_then(|r| cancellation::ROUTES.into_iter().find(|c| *c == r));
    let fields = route
        .map(|r| {
            cancellation::fields_of(r)
                .into_iter()
                .map(|name| {
                    let mut f = page.field(
                        name,
                        kind_of(name),
                        "off",
                        values.get(name).map(String::as_str).unwrap_or(""),
                        &errors,
                    );
                    f.hint = page.t(&format!("field-{name}-hint"));
                    if f.hint.starts_with("field-") {
                        f.hint.clear();
                    }
                    f
                })
                .collect()
        })
        .unwrap_or_default();
    let template = CancellationPage {
        number: number.to_owned(),
        route: route.map(|r| (r, page.t(&format!("route-{r}")))),
        routes: cancellation::ROUTES
            .into_iter()
            .map(|code| RouteChoice {
                code,
                label: page.t(&format!("route-{code}")),
                hint: page.t(&format!("route-{code}-hint")),
            })
            .collect(),
        fields,
        states: state
            .savings
            .tables()
            .states
            .iter()
            .map(|s| (s.inegi.0.to_string(), s.name.clone()))
            .collect(),
        lines: cancellation::CREDIT_LINES,
        errors,
        page,
    };
    let mut response = render(template, set.into_iter().collect());
    if !problems.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub(crate) async fn view_cancellation_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let Some(credit) = parse_credit(&number) else {
        return crate::credit::not_found(&state, &headers);
    };
    match state
        .credits
        .credit(ctx.member_id, &credit, state.accounts.today())
        .await
    {
        Ok(r) if r.view.account.paid_off => {}
        Ok(_) => return not_paid_off(&state, &headers),
        Err(app::credit::CreditError::NotFound) => {
            return crate::credit::not_found(&state, &headers);
        }
        Err(e) => return crate::savings::unavailable(e),
    }
    let route = query.get("ruta").map(String::as_str);
    form_page(
        &state,
        &headers,
        &ctx,
        credit.as_str(),
        route,
        &BTreeMap::new(),
        &[],
    )
}

pub(crate) async fn view_cancellation_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    if !auth::csrf_ok(&headers, form.get("csrf").map(String::as_str).unwrap_or("")) {
        return forbidden(&state);
    }
    let Some(credit) = parse_credit(&number) else {
        return crate::credit::not_found(&state, &headers);
    };
    match cancellation::request_letter(
        &state.credits,
        &state.requests,
        ctx.member_id,
        &credit,
        &form,
        Acting::Member(ctx.member_id),
        &caller,
    )
    .await
    {
        Ok(filed) => Redirect::to(&format!("/mi-credito/cancelacion/{}", filed.folio.as_str()))
            .into_response(),
        Err(CancellationError::Invalid(problems)) => form_page(
            &state,
            &headers,
            &ctx,
            credit.as_str(),
            form.get("route").map(String::as_str),
            &form,
            &problems,
        ),
        Err(CancellationError::NotPaidOff) => not_paid_off(&state, &headers),
        Err(CancellationError::Credit(app::credit::CreditError::NotFound)) => {
            crate::credit::not_found(&state, &headers)
        }
        Err(e) => crate::savings::unavailable(e),
    }
}

#[derive(Template)]
#[template(path = "cancellation_status.html")]
struct StatusPage {
    page: Page,
    folio: String,
    rows: Vec<SummaryRow>,
    events: Vec<TimelineEvent>,
    letter_href: Option<String>,
}

pub(crate) async fn view_cancellation_status_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    let status = match state.requests.status(ctx.member_id, &folio, &caller).await {
        Ok(s) if s.kind == domain::requests::RequestKind::CancellationLetter => s,
        Ok(_) | Err(app::requests::RequestError::NotFound) => {
            return crate::credit::not_found(&state, &headers);
        }
        Err(e) => return crate::savings::unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "cancellation-status-title", &csrf);
    page.signed_in_as(&ctx);
    let lang = page.lang_id();
    let submitted = status
        .timeline
        .first()
        .map(|e| domain::dates::mexico_city_date(e.at));
    let row = |key: &str, value: String| page.row(key, value);
    let mut rows = vec![
        row("request-folio", status.folio.as_str().to_owned()),
        row(
            "request-state",
            page.t(&format!("request-stage-{}", status.state.stage().code())),
        ),
    ];
    if let Some(day) = submitted {
        rows.push(row("request-submitted-on", format::date(day, lang)));
    }
    let done = status.state == domain::requests::RequestState::Done;
    if let (true, Some(day)) = (done, submitted) {
        rows.push(row(
            "cancellation-valid-until",
            format::date(cancellation::valid_until(day), lang),
        ));
    }
    let events = page.request_timeline(&status.timeline);
    let template = StatusPage {
        letter_href: done.then(|| {
            format!(
                "/mi-credito/cancelacion/{}/carta.pdf",
                status.folio.as_str()
            )
        }),
        folio: status.folio.as_str().to_owned(),
        rows,
        events,
        page,
    };
    render(template, set.into_iter().collect())
}
