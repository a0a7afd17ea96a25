//! "Mi crédito" pages and API: each credit's balance (pesos and VSM), payment, arrears or
//! "Liquidado", its movements, the payroll-discount notices that apply, and the interest
//! certificate of each closed fiscal year. The member is always the signed-in one; a credit
//! number in a path is looked up among that member's credits only.

use app::credit::{CreditError, CreditView, Notice};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::credit::{DiscountKind, InterestCertificate, NoticeKind, Regime};
use domain::registry::{CreditMovement, CreditNumber, Denomination};
use rust_decimal::Decimal;
use serde_json::json;

use crate::AppState;
use crate::accounts::{Peer, api_error, render};
use crate::auth;
use crate::components::{SummaryRow, TableView};
use crate::format;
use crate::page::Page;
use crate::savings::{api_member, member_or_sign_in, unavailable};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/mi-credito", get(view_my_credit_get))
        .route(
            "/mi-credito/{credit}/movimientos",
            get(view_credit_movements_get),
        )
        .route(
            "/mi-credito/{credit}/constancia/{year}",
            get(view_interest_get),
        )
        .route("/api/v1/me/credits", get(api_credits_get))
        .route(
            "/api/v1/me/credits/{credit}/movements",
            get(api_credit_movements_get),
        )
        .route("/api/v1/me/notices", get(api_notices_get))
        .merge(crate::credit_documents::routes())
        .route(
            "/api/v1/me/credits/{credit}/interest/{year}",
            get(api_interest_get),
        )
}

fn credit_error(state: &AppState, headers: &HeaderMap, e: CreditError, api: bool) -> Response {
    let status = match &e {
        CreditError::NotFound => StatusCode::NOT_FOUND,
        CreditError::Interest(domain::credit::InterestError::InpcMissing { .. })
        | CreditError::Interest(domain::credit::InterestError::NothingOwed(_))
        | CreditError::Interest(domain::credit::InterestError::YearNotClosed(_)) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => {
            tracing::error!(error = %e, "credit read failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    if api {
        api_error(state, status, e.code())
    } else if status == StatusCode::SERVICE_UNAVAILABLE {
        unavailable(e)
    } else {
        crate::message::message_page(
            state,
            headers,
            status,
            "my-credit-title",
            e.code(),
            ("/mi-credito", "my-credit-back"),
        )
    }
}

pub(crate) fn not_found(state: &AppState, headers: &HeaderMap) -> Response {
    crate::message::message_page(
        state,
        headers,
        StatusCode::NOT_FOUND,
        "my-credit-title",
        "credit_not_found",
        ("/mi-credito", "my-credit-back"),
    )
}

pub(crate) fn parse_credit(text: &str) -> Option<CreditNumber> {
    CreditNumber::parse(text).ok()
}

pub(crate) fn notice_kind_label(page: &Page, kind: NoticeKind) -> String {
    page.t(&format!("notice-{}", kind.code()))
}

fn units(value: Decimal) -> String {
    format!("{:.4}", value)
}

/// The discount as the notice prints it: "20.00 % del salario", "$4,950.00 al mes", "1.2500 VSM".
pub(crate) fn discount_text(page: &Page, kind: DiscountKind, value: Decimal) -> String {
    match kind {
        DiscountKind::Percentage => {
            format!("{} {}", format::percent(value), page.t("discount-of-wage"))
        }
        DiscountKind::FixedPesos => format!(
            "{} {}",
            domain::money::Money::from_decimal(value)
                .map(format::money)
                .unwrap_or_default(),
            page.t("discount-per-month")
        ),
        DiscountKind::VsmFactor => format!("{} VSM", units(value)),
    }
}

// ----- The credits and their notices ------------------------------------------------------

pub(crate) struct CreditCard {
    pub number: String,
    pub heading: String,
    pub rows: Vec<SummaryRow>,
    pub paid_off: bool,
    pub movements_href: String,
    pub statement_href: String,
    pub cancellation_href: Option<String>,
    /// Responsabilidad Compartida, for a VSM credit that may convert.
    pub conversion_href: Option<String>,
    /// Deeds (1972–2007) and refund of overpayments, for a paid-off credit that qualifies.
    pub deeds_href: Option<&'static str>,
    pub overpayment_href: Option<&'static str>,
    /// Relief programmes (Covid-19 2020, prórroga, FPP) for a credit still being paid.
    pub relief_href: Option<String>,
    pub interest: Vec<(String, String)>,
}

pub(crate) struct NoticeRow {
    pub kind: String,
    pub credit: String,
    pub reason: String,
    pub employer: String,
    pub effective: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "my_credit.html")]
struct MyCreditPage {
    page: Page,
    cards: Vec<CreditCard>,
    notices: Vec<NoticeRow>,
}

/// The statement of the last twelve months: what most members want, and quick to render.
fn last_twelve_months_statement(number: &str, today: time::Date) -> String {
    let from = domain::credit::account::months_before(today, 12) + time::Duration::days(1);
    format!(
        "/mi-credito/{number}/estado-de-cuenta.pdf?desde={}&hasta={}",
        domain::dates::iso(from),
        domain::dates::iso(today)
    )
}

fn card(page: &Page, v: &CreditView, today: time::Date) -> CreditCard {
    let lang = page.lang_id();
    let a = &v.account;
    let c = &v.credit;
    let row = |key: &str, value: String| page.row(key, value);
    let mut rows = vec![
        row(
            "credit-product",
            page.t(&format!("product-{}", c.product.code())),
        ),
        row("credit-originated", format::date(c.originated_on, lang)),
        row(
            "credit-denomination",
            page.t(match c.denomination {
                Denomination::Pesos => "denomination-pesos",
                Denomination::Vsm => "denomination-vsm",
            }),
        ),
    ];
    let balance = match (a.balance_units, a.unit) {
        (Some(u), Some(unit)) => format!(
            "{} ({} VSM × {})",
            format::money(a.balance),
            units(u),
            domain::money::Money::from_decimal(unit)
                .map(format::money)
                .unwrap_or_default()
        ),
        _ => format::money(a.balance),
    };
    rows.push(row("credit-balance", balance));
    if a.overpaid.centavos() > 0 {
        rows.push(row("credit-overpaid", format::money(a.overpaid)));
    }
    if !a.paid_off {
        let payment = match a.monthly_payment_units {
            Some(u) => format!("{} ({} VSM)", format::money(a.monthly_payment), units(u)),
            None => format::money(a.monthly_payment),
        };
        rows.push(row("credit-monthly-payment", payment));
        rows.push(row("credit-rate", format::percent(c.rate)));
        rows.push(row(
            "credit-regime",
            page.t(match a.regime {
                Regime::Ordinary => "regime-roa",
                Regime::Special => "regime-rea",
            }),
        ));
        rows.push(row(
            "credit-discount",
            discount_text(page, v.discount.kind, v.discount.value),
        ));
    }
    rows.push(row(
        "credit-arrears",
        if a.paid_off {
            page.t("credit-paid-off")
        } else {
            page.t_with(
                "credit-arrears-months",
                &[("count", i64::from(a.arrears_months))],
            )
        },
    ));
    if let Some(on) = v.account.paid_off_on {
        rows.push(row("credit-paid-off-on", format::date(on, lang)));
    }
    rows.push(row(
        "credit-last-payment",
        a.last_payment_on
            .map_or_else(|| page.t("never"), |d| format::date(d, lang)),
    ));
    let last = &a.last_twelve_months;
    rows.push(row(
        "credit-paid-12",
        format::money(last.paid_by_borrower()),
    ));
    rows.push(row(
        "credit-employer-12",
        format::money(last.employer_contributions),
    ));
    rows.push(row("credit-interest-12", format::money(last.interest)));
    rows.push(row("credit-insurance-12", format::money(last.insurance)));
    let number = c.credit_number.as_str().to_owned();
    CreditCard {
        heading: format!("{} {}", page.t("credit-number"), number),
        rows,
        paid_off: a.paid_off,
        movements_href: format!("/mi-credito/{number}/movimientos"),
        statement_href: last_twelve_months_statement(&number, today),
        cancellation_href: a
            .paid_off
            .then(|| format!("/mi-credito/{number}/cancelacion")),
        conversion_href: domain::credit::conversion::eligibility(&v.credit, a, false)
            .is_ok()
            .then(|| format!("/mi-credito/{number}/responsabilidad-compartida")),
        deeds_href: domain::credit::deeds::deeds_eligibility(&v.credit, a)
            .is_ok()
            .then_some("/tramites/escrituras"),
        overpayment_href: domain::credit::deeds::overpayment_eligibility(a)
            .is_ok()
            .then_some("/tramites/pagos-en-exceso"),
        relief_href: (!a.paid_off && c.status == domain::registry::CreditStatus::Active)
            .then(|| format!("/mi-credito/{number}/apoyos")),
        interest: v
            .interest_years
            .iter()
            .map(|y| {
                (
                    y.to_string(),
                    format!("/mi-credito/{number}/constancia/{y}"),
                )
            })
            .collect(),
        number,
    }
}

fn notice_row(page: &Page, n: &Notice) -> NoticeRow {
    let o = &n.offer;
    NoticeRow {
        kind: notice_kind_label(page, o.kind),
        credit: n.credit_number.as_str().to_owned(),
        reason: page.t(&format!("notice-reason-{}", o.reason.code())),
        employer: match &n.employer {
            Some(e) => format!("{} ({})", e.name, o.employer.as_str()),
            None => o.employer.as_str().to_owned(),
        },
        effective: format::date(o.effective_on, page.lang_id()),
        href: format!(
            "/mi-credito/{}/avisos/{}/{}.pdf",
            n.credit_number.as_str(),
            o.kind.code(),
            o.employer.as_str()
        ),
    }
}

pub(crate) async fn view_my_credit_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::BalancesMovements,
        domain::audit::Channel::Web,
    );
    let today = state.accounts.today();
    let (credits, notices) = match (
        state.credits.credits(ctx.member_id, today).await,
        state.credits.notices(ctx.member_id, today).await,
    ) {
        (Ok(c), Ok(n)) => (c, n),
        (Err(e), _) | (_, Err(e)) => return credit_error(&state, &headers, e, false),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "my-credit-title", &csrf);
    page.signed_in_as(&ctx);
    let template = MyCreditPage {
        cards: credits.iter().map(|v| card(&page, v, today)).collect(),
        notices: notices.iter().map(|n| notice_row(&page, n)).collect(),
        page,
    };
    render(template, set.into_iter().collect())
}

fn view_json(v: &CreditView) -> serde_json::Value {
    let a = &v.account;
    json!({
        "credit_number": v.credit.credit_number.as_str(),
        "product": v.credit.product.code(),
        "denomination": v.credit.denomination.code(),
        "originated_on": domain::dates::iso(v.credit.originated_on),
        "rate": v.credit.rate.to_string(),
        "status": v.credit.status.code(),
        "balance": a.balance.to_string(),
        "balance_vsm": a.balance_units.map(|u| u.to_string()),
        "vsm_unit": a.unit.map(|u| u.round_dp(2).to_string()),
        "overpaid": a.overpaid.to_string(),
        "monthly_payment": a.monthly_payment.to_string(),
        "monthly_payment_vsm": a.monthly_payment_units.map(|u| u.to_string()),
        "regime": a.regime.code(),
        "paid_off": a.paid_off,
        "paid_off_on": v.account.paid_off_on.map(domain::dates::iso),
        "arrears_months": a.arrears_months,
        "last_payment_on": a.last_payment_on.map(domain::dates::iso),
        "discount": {"kind": v.discount.kind.code(), "value": v.discount.value.to_string()},
        "last_twelve_months": {
            "paid": a.last_twelve_months.paid_by_borrower().to_string(),
            "employer_contributions": a.last_twelve_months.employer_contributions.to_string(),
            "interest": a.last_twelve_months.interest.to_string(),
            "insurance": a.last_twelve_months.insurance.to_string(),
        },
        "interest_certificate_years": v.interest_years,
    })
}

fn no_store(value: serde_json::Value) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Json(value)).into_response()
}

pub(crate) async fn api_credits_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let ctx = match api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::BalancesMovements,
        domain::audit::Channel::App,
    );
    match state
        .credits
        .credits(ctx.member_id, state.accounts.today())
        .await
    {
        Ok(list) => no_store(json!({ "credits": list.iter().map(view_json).collect::<Vec<_>>() })),
        Err(e) => credit_error(&state, &headers, e, true),
    }
}

pub(crate) async fn api_notices_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let ctx = match api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::DiscountNotices,
        domain::audit::Channel::App,
    );
    match state
        .credits
        .notices(ctx.member_id, state.accounts.today())
        .await
    {
        Ok(list) => no_store(json!({ "notices": list.iter().map(|n| json!({
            "credit_number": n.credit_number.as_str(),
            "kind": n.offer.kind.code(),
            "reason": n.offer.reason.code(),
            "employer_nrp": n.offer.employer.as_str(),
            "employer_name": n.employer.as_ref().map(|e| e.name.clone()),
            "effective_on": domain::dates::iso(n.offer.effective_on),
            "discount": {"kind": n.offer.discount.kind.code(), "value": n.offer.discount.value.to_string()},
            "pdf": format!("/mi-credito/{}/avisos/{}/{}.pdf", n.credit_number.as_str(), n.offer.kind.code(), n.offer.employer.as_str()),
        })).collect::<Vec<_>>() })),
        Err(e) => credit_error(&state, &headers, e, true),
    }
}

// ----- Movements ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "credit_movements.html")]
struct CreditMovementsPage {
    page: Page,
    number: String,
    table: TableView,
    statement_href: String,
    /// One statement per calendar year, newest first, and the whole history.
    years: Vec<(String, String)>,
    history_href: String,
    /// The month picker: the statement's address, the years to choose from (newest first) and
    /// the months with their names, this month preselected.
    month_picker: MonthPicker,
}

struct MonthPicker {
    action: String,
    years: Vec<i32>,
    months: Vec<(u8, String)>,
    this_month: u8,
}

pub(crate) fn movement_label(page: &Page, m: &CreditMovement) -> String {
    page.t(&format!("credit-movement-{}", m.kind.code()))
}

pub(crate) async fn view_credit_movements_get(
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
        return credit_error(&state, &headers, CreditError::NotFound, false);
    };
    let record = match state
        .credits
        .credit(ctx.member_id, &number, state.accounts.today())
        .await
    {
        Ok(r) => r,
        Err(e) => return credit_error(&state, &headers, e, false),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "credit-movements-title", &csrf);
    page.signed_in_as(&ctx);
    let mut balance = domain::money::Money::ZERO;
    let mut rows: Vec<Vec<String>> = record
        .movements
        .iter()
        .map(|m| {
            balance += m.amount;
            let (charge, payment) = if m.amount.is_negative() {
                (
                    String::new(),
                    format::money(domain::money::Money::from_centavos(-m.amount.centavos())),
                )
            } else {
                (format::money(m.amount), String::new())
            };
            vec![
                format::date(m.booked_on, page.lang_id()),
                movement_label(&page, m),
                charge,
                payment,
                format::money(balance),
            ]
        })
        .collect();
    rows.reverse();
    let table = TableView {
        caption: page.t("credit-movements-caption"),
        head: [
            "movement-date",
            "movement-kind",
            "credit-charge",
            "credit-payment",
            "movement-balance",
        ]
        .iter()
        .map(|id| page.t(id))
        .collect(),
        numeric: vec![false, false, true, true, true],
        rows,
    };
    let today = state.accounts.today();
    let base = format!("/mi-credito/{}/estado-de-cuenta.pdf", number.as_str());
    let template = CreditMovementsPage {
        statement_href: last_twelve_months_statement(number.as_str(), today),
        years: (record.view.credit.originated_on.year()..=today.year())
            .rev()
            .map(|y| {
                (
                    y.to_string(),
                    format!("{base}?desde={y}-01-01&hasta={y}-12-31"),
                )
            })
            .collect(),
        month_picker: MonthPicker {
            action: base.clone(),
            years: (record.view.credit.originated_on.year()..=today.year())
                .rev()
                .collect(),
            months: (1..=12u8)
                .filter_map(|n| time::Month::try_from(n).ok())
                .map(|m| {
                    (
                        u8::from(m),
                        format::month_name(m, page.lang_id()).to_owned(),
                    )
                })
                .collect(),
            this_month: u8::from(today.month()),
        },
        history_href: base,
        number: number.as_str().to_owned(),
        table,
        page,
    };
    render(template, set.into_iter().collect())
}

pub(crate) async fn api_credit_movements_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    let ctx = match api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let Some(number) = parse_credit(&number) else {
        return credit_error(&state, &headers, CreditError::NotFound, true);
    };
    match state
        .credits
        .credit(ctx.member_id, &number, state.accounts.today())
        .await
    {
        Ok(record) => {
            let mut balance = domain::money::Money::ZERO;
            no_store(json!({
                "credit": view_json(&record.view),
                "movements": record.movements.iter().map(|m| {
                    balance += m.amount;
                    json!({
                        "reference": m.reference,
                        "kind": m.kind.code(),
                        "booked_on": domain::dates::iso(m.booked_on),
                        "amount": m.amount.to_string(),
                        "balance": balance.to_string(),
                    })
                }).collect::<Vec<_>>(),
            }))
        }
        Err(e) => credit_error(&state, &headers, e, true),
    }
}

// ----- Interest certificate ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "interest.html")]
struct InterestPage {
    page: Page,
    year: i32,
    number: String,
    rows: Vec<SummaryRow>,
    months: TableView,
    pdf_href: String,
}

pub(crate) fn month_label(page: &Page, year: i32, month: time::Month) -> String {
    format::month_year(month, year, page.lang_id())
}

pub(crate) async fn view_interest_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((number, year)): Path<(String, String)>,
) -> Response {
    let (year, pdf) = match year.strip_suffix(".pdf") {
        Some(y) => (y, true),
        None => (year.as_str(), false),
    };
    let Ok(year) = year.parse::<i32>() else {
        return not_found(&state, &headers);
    };
    if pdf {
        return crate::credit_documents::interest_pdf(&state, peer, &headers, &number, year).await;
    }
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::InterestCertificate,
        domain::audit::Channel::Web,
    );
    let Some(number) = parse_credit(&number) else {
        return credit_error(&state, &headers, CreditError::NotFound, false);
    };
    let (_, c) = match state
        .credits
        .interest(ctx.member_id, &number, year, state.accounts.today())
        .await
    {
        Ok(r) => r,
        Err(e) => return credit_error(&state, &headers, e, false),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "interest-title", &csrf);
    page.signed_in_as(&ctx);
    let rows = interest_rows(&page, &c);
    let months = TableView {
        caption: page.t("interest-months-caption"),
        head: vec![page.t("interest-month"), page.t("interest-month-balance")],
        numeric: vec![false, true],
        rows: c
            .months
            .iter()
            .map(|m| {
                vec![
                    month_label(&page, m.month_end.year(), m.month_end.month()),
                    format::money(m.balance),
                ]
            })
            .collect(),
    };
    let template = InterestPage {
        year,
        pdf_href: format!("/mi-credito/{}/constancia/{year}.pdf", number.as_str()),
        number: number.as_str().to_owned(),
        rows,
        months,
        page,
    };
    render(template, set.into_iter().collect())
}

fn interest_rows(page: &Page, c: &InterestCertificate) -> Vec<SummaryRow> {
    let row = |key: &str, value: String| page.row(key, value);
    vec![
        row("interest-nominal", format::money(c.nominal_interest)),
        row("interest-average-balance", format::money(c.average_balance)),
        row(
            "interest-inpc-start",
            format!(
                "{} ({})",
                c.inpc_start.value,
                month_label(page, c.inpc_start.year, c.inpc_start.month)
            ),
        ),
        row(
            "interest-inpc-end",
            format!(
                "{} ({})",
                c.inpc_end.value,
                month_label(page, c.inpc_end.year, c.inpc_end.month)
            ),
        ),
        row("interest-factor", format!("{:.6}", c.adjustment_factor)),
        row("interest-adjustment", format::money(c.inflation_adjustment)),
        row("interest-real", format::money(c.real_interest)),
    ]
}

pub(crate) async fn api_interest_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((number, year)): Path<(String, i32)>,
) -> Response {
    let ctx = match api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::InterestCertificate,
        domain::audit::Channel::App,
    );
    let Some(number) = parse_credit(&number) else {
        return credit_error(&state, &headers, CreditError::NotFound, true);
    };
    match state
        .credits
        .interest(ctx.member_id, &number, year, state.accounts.today())
        .await
    {
        Ok((_, c)) => no_store(json!({
            "credit_number": number.as_str(),
            "fiscal_year": c.fiscal_year,
            "months": c.months.iter().map(|m| json!({
                "month_end": domain::dates::iso(m.month_end),
                "balance": m.balance.to_string(),
            })).collect::<Vec<_>>(),
            "average_balance": c.average_balance.to_string(),
            "inpc_start": {"year": c.inpc_start.year, "month": u8::from(c.inpc_start.month), "value": c.inpc_start.value.to_string()},
            "inpc_end": {"year": c.inpc_end.year, "month": u8::from(c.inpc_end.month), "value": c.inpc_end.value.to_string()},
            "adjustment_factor": c.adjustment_factor.round_dp(6).to_string(),
            "inflation_adjustment": c.inflation_adjustment.to_string(),
            "nominal_interest": c.nominal_interest.to_string(),
            "real_interest": c.real_interest.to_string(),
        })),
        Err(e) => credit_error(&state, &headers, e, true),
    }
}
