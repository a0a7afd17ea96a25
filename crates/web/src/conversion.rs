//! Responsabilidad Compartida pages and API (domain.md §11): the conditions of a VSM credit next
//! to the converted one, the answers checked, the conversion applied with CSRF, and the
//! confirmation with the welcome letter and the modification notices. The member is always the
//! signed-in one: another member's credit answers 404.

use app::conversion::{Conditions, ConversionError, Conversions};
use app::requests::Acting;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use domain::audit::Channel;
use domain::credit::NoticeKind;
use domain::credit::conversion::{Offer, Window};
use domain::registry::CreditNumber;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::accounts::{Peer, api_error, forbidden, render};
use crate::auth;
use crate::components::{SummaryRow, TableView};
use crate::credit::{not_found, parse_credit};
use crate::credit_documents::pdf;
use crate::format;
use crate::page::Page;
use crate::savings::member_or_sign_in;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/mi-credito/{credit}/responsabilidad-compartida",
            get(view_conversion_get).post(view_conversion_post),
        )
        .route(
            "/mi-credito/{credit}/responsabilidad-compartida/confirmar",
            get(view_conversion_check_get),
        )
        .route(
            "/mi-credito/{credit}/responsabilidad-compartida/listo",
            get(view_conversion_done_get),
        )
        .route(
            "/mi-credito/{credit}/responsabilidad-compartida/carta.pdf",
            get(letter_pdf_get),
        )
        .route(
            "/api/v1/me/credits/{credit}/conversion",
            get(api_conversion_get).post(api_conversion_post),
        )
}

/// The use cases, over the shared credits, rate tables and texts.
pub(crate) fn conversions(state: &AppState) -> Conversions {
    Conversions::new(
        state.credits.clone(),
        state.prequal.points_tables().clone(),
        state.messages.clone(),
    )
}

fn base(number: &CreditNumber) -> String {
    format!("/mi-credito/{}/responsabilidad-compartida", number.as_str())
}

#[derive(Template)]
#[template(path = "conversion.html")]
struct ConditionsPage {
    page: Page,
    number: String,
    /// Why it cannot convert, when it cannot.
    refusal: Option<String>,
    /// Closed for the month's recalculation: the text saying until when.
    closed: Option<String>,
    comparison: Option<TableView>,
    explanations: Vec<String>,
    check_href: String,
    /// Already converted: where its documents are.
    done_href: Option<String>,
}

fn comparison(page: &Page, o: &Offer) -> TableView {
    let money = format::money;
    let ends = format::date(o.ends_on, crate::page::lang());
    TableView {
        caption: page.t("conversion-table-caption"),
        head: vec![
            page.t("conversion-col-concept"),
            page.t("conversion-col-vsm"),
            page.t("conversion-col-pesos"),
        ],
        numeric: vec![false, true, true],
        rows: vec![
            vec![
                page.t("conversion-row-balance"),
                money(o.balance),
                money(o.new_balance),
            ],
            vec![
                page.t("conversion-row-discount"),
                money(domain::money::Money::ZERO),
                money(o.discount),
            ],
            vec![
                page.t("conversion-row-rate"),
                format::percent(o.current_rate),
                format::percent(o.rate),
            ],
            vec![
                page.t("conversion-row-payment"),
                money(o.current_payment),
                money(o.monthly_payment),
            ],
            vec![
                page.t("conversion-row-grows"),
                page.t_text(
                    "conversion-grows-yes",
                    &[("growth", format::percent(o.yearly_unit_growth))],
                ),
                page.t("conversion-grows-no"),
            ],
            vec![
                page.t_text("conversion-row-at-end", &[("date", ends.clone())]),
                money(o.vsm_balance_at_end),
                money(domain::money::Money::ZERO),
            ],
            vec![
                page.t_text("conversion-row-payment-at-end", &[("date", ends)]),
                money(o.vsm_payment_at_end),
                money(o.monthly_payment),
            ],
        ],
    }
}

fn explanations(page: &Page, c: &Conditions, o: &Offer) -> Vec<String> {
    let mut out = vec![
        page.t_text(
            "conversion-explain-discount",
            &[
                ("reindexation", format::money(o.reindexation)),
                ("discount", format::money(o.discount)),
            ],
        ),
        page.t_text(
            "conversion-explain-rate",
            &[
                ("income", format::money(c.monthly_salary)),
                ("rate", format::percent(o.rate)),
            ],
        ),
        page.t_text(
            "conversion-explain-payment",
            &[
                ("payment", format::money(o.monthly_payment)),
                ("months", o.months.to_string()),
                (
                    "first",
                    format::date(o.first_payment_on, crate::page::lang()),
                ),
                ("ends", format::date(o.ends_on, crate::page::lang())),
                ("total", format::money(o.total_to_pay)),
            ],
        ),
        page.t_text(
            "conversion-explain-vsm",
            &[
                ("growth", format::percent(o.yearly_unit_growth)),
                ("date", format::date(o.ends_on, crate::page::lang())),
                ("owed", format::money(o.vsm_balance_at_end)),
            ],
        ),
    ];
    if o.payment_raised {
        out.push(page.t_text(
            "conversion-explain-raised",
            &[("current", format::money(o.current_payment))],
        ));
    }
    if c.rate_estimate {
        out.push(page.t("conversion-explain-estimate"));
    }
    out
}

fn failed(state: &AppState, headers: &HeaderMap, e: ConversionError) -> Response {
    match e {
        ConversionError::Credit(app::credit::CreditError::NotFound) => not_found(state, headers),
        ConversionError::NotEligible(_)
        | ConversionError::WindowClosed { .. }
        | ConversionError::Changed => crate::message::message_page(
            state,
            headers,
            StatusCode::CONFLICT,
            "conversion-title",
            e.code(),
            ("/mi-credito", "my-credit-back"),
        ),
        e => {
            tracing::error!(error = %e, "conversion failed");
            crate::savings::unavailable(e)
        }
    }
}

pub(crate) async fn view_conversion_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::ResponsabilidadCompartida,
        domain::audit::Channel::Web,
    );
    let Some(number) = parse_credit(&number) else {
        return not_found(&state, &headers);
    };
    let c = match conversions(&state)
        .conditions(ctx.member_id, &number, state.accounts.now())
        .await
    {
        Ok(c) => c,
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "conversion-title", &csrf);
    page.signed_in_as(&ctx);
    let refusal = c
        .eligibility
        .err()
        .map(|why| page.t(&format!("conversion-refused-{}", why.code())));
    let closed = match c.window {
        Window::Closed { reopens_on } => Some(page.t_text(
            "conversion-window-closed",
            &[("date", format::date(reopens_on, crate::page::lang()))],
        )),
        Window::Open { .. } => None,
    };
    let (table, explained) = match &c.offer {
        Some(o) => (Some(comparison(&page, o)), explanations(&page, &c, o)),
        None => (None, Vec::new()),
    };
    let done_href = c
        .conversion
        .as_ref()
        .map(|_| format!("{}/listo", base(&number)));
    render(
        ConditionsPage {
            page,
            number: number.as_str().to_owned(),
            refusal,
            closed,
            comparison: table,
            explanations: explained,
            check_href: format!("{}/confirmar", base(&number)),
            done_href,
        },
        set.into_iter().collect(),
    )
}

#[derive(Template)]
#[template(path = "conversion_check.html")]
struct CheckPage {
    page: Page,
    number: String,
    rows: Vec<SummaryRow>,
    action: String,
}

pub(crate) async fn view_conversion_check_get(
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
    let c = match conversions(&state)
        .conditions(ctx.member_id, &number, state.accounts.now())
        .await
    {
        Ok(c) => c,
        Err(e) => return failed(&state, &headers, e),
    };
    if c.conversion.is_some() {
        // Back after converting: show what was done, never offer it again.
        return Redirect::to(&format!("{}/listo", base(&number))).into_response();
    }
    let Some(o) = c.offer.filter(|_| c.window.is_open()) else {
        return Redirect::to(&base(&number)).into_response();
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "conversion-check-title", &csrf);
    page.signed_in_as(&ctx);
    let change = Some(base(&number));
    let row = |key: &str, value: String| SummaryRow {
        key: page.t(key),
        value,
        change_href: change.clone(),
    };
    let rows = vec![
        row("conversion-row-discount", format::money(o.discount)),
        row("conversion-check-new-balance", format::money(o.new_balance)),
        row("conversion-row-rate", format::percent(o.rate)),
        row("conversion-check-payment", format::money(o.monthly_payment)),
        row(
            "conversion-check-ends",
            format::date(o.ends_on, crate::page::lang()),
        ),
    ];
    render(
        CheckPage {
            page,
            number: number.as_str().to_owned(),
            rows,
            action: base(&number),
        },
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
pub(crate) struct ApplyForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn view_conversion_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(form): Form<ApplyForm>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    if !auth::csrf_ok(&headers, &form.csrf) {
        return forbidden(&state);
    }
    let Some(number) = parse_credit(&number) else {
        return not_found(&state, &headers);
    };
    match conversions(&state)
        .apply(
            ctx.member_id,
            &number,
            Acting::Member(ctx.member_id),
            &caller,
            state.accounts.now(),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("{}/listo", base(&number))).into_response(),
        Err(e) => failed(&state, &headers, e),
    }
}

#[derive(Template)]
#[template(path = "conversion_done.html")]
struct DonePage {
    page: Page,
    rows: Vec<SummaryRow>,
    letter_href: String,
    notices: Vec<(String, String)>,
}

pub(crate) async fn view_conversion_done_get(
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
    let c = match conversions(&state)
        .conditions(ctx.member_id, &number, state.accounts.now())
        .await
    {
        Ok(c) => c,
        Err(e) => return failed(&state, &headers, e),
    };
    let Some(done) = c.conversion else {
        return Redirect::to(&base(&number)).into_response();
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "conversion-done-title", &csrf);
    page.signed_in_as(&ctx);
    let o = done.offer;
    let row = |key: &str, value: String| SummaryRow {
        key: page.t(key),
        value,
        change_href: None,
    };
    let rows = vec![
        row("conversion-row-discount", format::money(o.discount)),
        row("conversion-check-new-balance", format::money(o.new_balance)),
        row("conversion-row-rate", format::percent(o.rate)),
        row("conversion-check-payment", format::money(o.monthly_payment)),
        row(
            "conversion-check-ends",
            format::date(o.ends_on, crate::page::lang()),
        ),
    ];
    let today = state.accounts.today();
    let notices = match state.credits.notices(ctx.member_id, today).await {
        Ok(n) => n,
        Err(e) => return crate::savings::unavailable(e),
    };
    let notices = notices
        .into_iter()
        .filter(|n| n.credit_number == number && n.offer.kind == NoticeKind::Modification)
        .map(|n| {
            let name = n
                .employer
                .map(|e| e.name)
                .unwrap_or_else(|| n.offer.employer.as_str().to_owned());
            (
                format!(
                    "/mi-credito/{}/avisos/{}/{}.pdf",
                    number.as_str(),
                    NoticeKind::Modification.code(),
                    n.offer.employer.as_str()
                ),
                page.t_text("conversion-done-notice", &[("employer", name)]),
            )
        })
        .collect();
    render(
        DonePage {
            page,
            rows,
            letter_href: format!("{}/carta.pdf", base(&number)),
            notices,
        },
        set.into_iter().collect(),
    )
}

pub(crate) async fn letter_pdf_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Some(number) = parse_credit(&number) else {
        return not_found(&state, &headers);
    };
    match conversions(&state)
        .letter_pdf(
            state.documents.clone(),
            ctx.member_id,
            &number,
            state.accounts.now(),
            &caller,
        )
        .await
    {
        Ok(rendered) => pdf(
            rendered,
            &format!("carta-bienvenida-{}.pdf", number.as_str()),
        ),
        Err(e) => failed(&state, &headers, e),
    }
}

// ----- API -----------------------------------------------------------------------------------

fn offer_json(o: &Offer) -> serde_json::Value {
    json!({
        "as_of": domain::dates::iso(o.as_of),
        "balance": o.balance.to_string(),
        "current_payment": o.current_payment.to_string(),
        "current_rate": o.current_rate.to_string(),
        "reindexation": o.reindexation.to_string(),
        "discount": o.discount.to_string(),
        "new_balance": o.new_balance.to_string(),
        "rate": o.rate.to_string(),
        "monthly_payment": o.monthly_payment.to_string(),
        "payment_raised": o.payment_raised,
        "months": o.months,
        "first_payment_on": domain::dates::iso(o.first_payment_on),
        "ends_on": domain::dates::iso(o.ends_on),
        "total_to_pay": o.total_to_pay.to_string(),
        "yearly_unit_growth": o.yearly_unit_growth.to_string(),
        "vsm_balance_at_end": o.vsm_balance_at_end.to_string(),
        "vsm_payment_at_end": o.vsm_payment_at_end.to_string(),
    })
}

fn api_failed(state: &AppState, e: ConversionError) -> Response {
    let status = match &e {
        ConversionError::Credit(app::credit::CreditError::NotFound) => StatusCode::NOT_FOUND,
        ConversionError::NotEligible(domain::credit::conversion::Ineligible::AlreadyConverted)
        | ConversionError::Changed => StatusCode::CONFLICT,
        ConversionError::NotEligible(_) | ConversionError::WindowClosed { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => {
            tracing::error!(error = %e, "conversion failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    api_error(state, status, e.code())
}

pub(crate) async fn api_conversion_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    let ctx = match crate::savings::api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::ResponsabilidadCompartida,
        domain::audit::Channel::App,
    );
    let Some(number) = parse_credit(&number) else {
        return api_error(&state, StatusCode::NOT_FOUND, "credit_not_found");
    };
    let c = match conversions(&state)
        .conditions(ctx.member_id, &number, state.accounts.now())
        .await
    {
        Ok(c) => c,
        Err(e) => return api_failed(&state, e),
    };
    let window = match c.window {
        Window::Open { closes_on } => {
            json!({"open": true, "closes_on": domain::dates::iso(closes_on)})
        }
        Window::Closed { reopens_on } => json!({
            "open": false,
            "reason": "recalculation",
            "reopens_on": domain::dates::iso(reopens_on),
        }),
    };
    let mut out = json!({
        "credit_number": number.as_str(),
        "eligible": c.eligibility.is_ok(),
        "refusal": c.eligibility.err().map(|r| r.code()),
        "window": window,
        "monthly_income": c.monthly_salary.to_string(),
        "rate_estimate": c.rate_estimate,
        "offer": c.offer.as_ref().map(offer_json),
        "conversion": serde_json::Value::Null,
    });
    if let Some(done) = &c.conversion {
        out["conversion"] = json!({
            "converted_at": done.converted_at.unix_timestamp(),
            "offer": offer_json(&done.offer),
        });
    }
    // The member's income and balance: never kept by a cache.
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Json(out),
    )
        .into_response()
}

pub(crate) async fn api_conversion_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
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
    let Some(number) = parse_credit(&number) else {
        return api_error(&state, StatusCode::NOT_FOUND, "credit_not_found");
    };
    match conversions(&state)
        .apply(
            ctx.member_id,
            &number,
            Acting::Member(ctx.member_id),
            &caller,
            state.accounts.now(),
        )
        .await
    {
        Ok(done) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "credit_number": number.as_str(),
                "converted": true,
                "offer": offer_json(&done.offer),
                "letter": format!("{}/carta.pdf", base(&number)),
            })),
        )
            .into_response(),
        Err(e) => api_failed(&state, e),
    }
}
