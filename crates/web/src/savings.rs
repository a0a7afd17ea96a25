//! "Mi ahorro" pages and API: the balance by bucket, the movements with filters, paging and
//! CSV, and the employment history. The member is always the signed-in one; no identifier
//! ever travels in a URL.

use app::accounts::SessionContext;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::audit::Channel;
use domain::registry::{Bucket, MovementKind};
use domain::savings::{Line, Summary, Use};
use serde_json::json;
use store::MovementFilter;

use crate::AppState;
use crate::accounts::{Peer, api_error, render};
use crate::auth;
use crate::components::TableView;
use crate::format;
use crate::page::{ErrorLine, Page};

/// Movements on one page.
pub(crate) const PAGE_SIZE: usize = 50;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ahorro", get(view_savings_get))
        .route("/ahorro/movimientos", get(view_movements_get))
        .route("/ahorro/movimientos.csv", get(movements_csv_get))
        .route("/ahorro/estado-de-cuenta.pdf", get(statement_pdf_get))
        .route(
            "/ahorro/relaciones",
            get(crate::employment::view_employment_get),
        )
        .route(
            "/ahorro/calculadora",
            get(crate::calculator::view_calculator_get),
        )
        .route(
            "/api/v1/savings/projection",
            get(crate::calculator::api_projection_get),
        )
        .route("/api/v1/me/savings", get(api_savings_get))
        .route("/api/v1/me/movements", get(api_movements_get))
        .route(
            "/api/v1/me/employment",
            get(crate::employment::api_employment_get),
        )
}

/// The signed-in member of a page request, or where to send them.
pub(crate) async fn member_or_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
) -> Result<SessionContext, Response> {
    let caller = auth::caller(headers, peer, Channel::Web);
    match auth::member(state, headers, &caller).await {
        Some((ctx, _)) => Ok(ctx),
        None => Err(Redirect::to("/entrar").into_response()),
    }
}

/// The signed-in member of an API call, or the 401 answer.
pub(crate) async fn api_member(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
) -> Result<SessionContext, Response> {
    let caller = auth::caller(headers, peer, Channel::App);
    match auth::member(state, headers, &caller).await {
        Some((ctx, _)) => Ok(ctx),
        None => Err(api_error(state, StatusCode::UNAUTHORIZED, "not_signed_in")),
    }
}

pub(crate) fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "savings read failed");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

pub(crate) fn bucket_label(page: &Page, bucket: Bucket) -> String {
    page.t(&format!("bucket-{}", bucket.code()))
}

pub(crate) fn kind_label(page: &Page, kind: MovementKind) -> String {
    page.t(&format!("movement-{}", kind.code()))
}

// ----- "Cuánto ahorro tengo" --------------------------------------------------------------

pub(crate) struct BucketRow {
    pub label: String,
    pub balance: String,
    pub use_text: String,
    pub yield_text: String,
}

#[derive(Template)]
#[template(path = "savings.html")]
struct SavingsPage {
    page: Page,
    buckets: Vec<BucketRow>,
    total: String,
    usable: String,
    last_contribution: String,
    last_yield: String,
}

pub(crate) async fn view_savings_get(
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
        app::stats::Procedure::SavingsBalance,
        domain::audit::Channel::Web,
    );
    let summary = match state.savings.summary(ctx.member_id).await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "savings-title", &csrf);
    page.signed_in_as(&ctx);
    let when = |d: Option<time::Date>| {
        d.map_or_else(|| page.t("never"), |d| format::date(d, page.lang_id()))
    };
    let buckets = summary
        .buckets
        .iter()
        .map(|b| BucketRow {
            label: bucket_label(&page, b.bucket),
            balance: format::money(b.balance),
            use_text: page.t(match b.use_ {
                Use::CreditOrRetirement => "use-credit-or-retirement",
                Use::RetirementOnly => "use-retirement-only",
            }),
            yield_text: page.t(if b.earns_yield {
                "earns-yield"
            } else {
                "earns-no-yield"
            }),
        })
        .collect();
    let template = SavingsPage {
        buckets,
        total: format::money(summary.total),
        usable: format::money(summary.usable_for_credit),
        last_contribution: when(summary.last_contribution),
        last_yield: when(summary.last_yield),
        page,
    };
    render(template, set.into_iter().collect())
}

fn summary_json(summary: &Summary) -> serde_json::Value {
    json!({
        "buckets": summary.buckets.iter().map(|b| json!({
            "bucket": b.bucket.code(),
            "balance": b.balance.to_string(),
            "use": b.use_.code(),
            "earns_yield": b.earns_yield,
        })).collect::<Vec<_>>(),
        "total": summary.total.to_string(),
        "usable_for_credit": summary.usable_for_credit.to_string(),
        "last_contribution": summary.last_contribution.map(domain::dates::iso),
        "last_yield": summary.last_yield.map(domain::dates::iso),
    })
}

pub(crate) async fn api_savings_get(
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
        app::stats::Procedure::SavingsBalance,
        domain::audit::Channel::App,
    );
    match state.savings.summary(ctx.member_id).await {
        Ok(summary) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(summary_json(&summary)),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "savings read failed");
            api_error(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            )
        }
    }
}

// ----- "Resumen de movimientos" ----------------------------------------------------------

/// The filter as the member set it, and what was wrong with it.
#[derive(Default)]
pub(crate) struct FilterForm {
    pub kinds: Vec<MovementKind>,
    pub buckets: Vec<Bucket>,
    pub from: String,
    pub to: String,
    pub page: usize,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl FilterForm {
    /// Reads `tipo`, `subcuenta`, `desde`, `hasta` and `pagina` (the API's English names too).
    pub(crate) fn parse(query: Option<&str>) -> FilterForm {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        let mut form = FilterForm {
            page: 1,
            ..FilterForm::default()
        };
        for (key, value) in pairs {
            match key.as_str() {
                "tipo" | "kind" => match MovementKind::from_code(&value) {
                    Some(k) if !form.kinds.contains(&k) => form.kinds.push(k),
                    Some(_) => {}
                    None => form.errors.push(("tipo", "filter_kind_unknown")),
                },
                "subcuenta" | "bucket" => match Bucket::from_code(&value) {
                    Some(b) if !form.buckets.contains(&b) => form.buckets.push(b),
                    Some(_) => {}
                    None => form.errors.push(("subcuenta", "filter_bucket_unknown")),
                },
                "desde" | "from" => form.from = value.trim().to_owned(),
                "hasta" | "to" => form.to = value.trim().to_owned(),
                "pagina" | "page" => match value.trim().parse::<usize>() {
                    Ok(n) if n >= 1 => form.page = n,
                    _ => form.errors.push(("pagina", "filter_page_invalid")),
                },
                _ => {}
            }
        }
        form
    }

    /// The store filter, or the fields that could not be read.
    pub(crate) fn filter(&mut self) -> MovementFilter {
        let mut date = |text: &str, field: &'static str| -> Option<time::Date> {
            if text.is_empty() {
                return None;
            }
            match domain::dates::parse_iso(text) {
                Ok(d) => Some(d),
                Err(_) => {
                    self.errors.push((field, "filter_date_invalid"));
                    None
                }
            }
        };
        let from = date(&self.from.clone(), "desde");
        let to = date(&self.to.clone(), "hasta");
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            self.errors.push(("hasta", "filter_dates_reversed"));
        }
        MovementFilter {
            kinds: self.kinds.clone(),
            buckets: self.buckets.clone(),
            from,
            to,
        }
    }

    /// The query string of this filter at another page (for the paging and download links).
    pub(crate) fn query(&self, page: Option<usize>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        pairs.extend(self.kinds.iter().map(|k| ("tipo", k.code().to_owned())));
        pairs.extend(
            self.buckets
                .iter()
                .map(|b| ("subcuenta", b.code().to_owned())),
        );
        if !self.from.is_empty() {
            pairs.push(("desde", self.from.clone()));
        }
        if !self.to.is_empty() {
            pairs.push(("hasta", self.to.clone()));
        }
        if let Some(p) = page {
            pairs.push(("pagina", p.to_string()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

pub(crate) struct Choice {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "movements.html")]
struct MovementsPage {
    page: Page,
    errors: Vec<ErrorLine>,
    kinds: Vec<Choice>,
    buckets: Vec<Choice>,
    from: String,
    to: String,
    table: TableView,
    count: usize,
    page_number: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
    pdf: String,
}

pub(crate) async fn view_movements_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let mut form = FilterForm::parse(query.as_deref());
    let filter = form.filter();
    let lines = if form.errors.is_empty() {
        match state.savings.movements(ctx.member_id, &filter).await {
            Ok(lines) => lines,
            Err(e) => return unavailable(e),
        }
    } else {
        Vec::new()
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "movements-title", &csrf);
    page.signed_in_as(&ctx);
    page.has_errors = !form.errors.is_empty();
    let errors: Vec<ErrorLine> = form
        .errors
        .iter()
        .map(|(field, code)| ErrorLine {
            field: (*field).into(),
            message: page.t(code),
        })
        .collect();
    let count = lines.len();
    let pages = count.div_ceil(PAGE_SIZE).max(1);
    let page_number = form.page.min(pages);
    // Newest first on screen; the running balance was computed oldest first.
    let shown: Vec<&Line> = lines
        .iter()
        .rev()
        .skip((page_number - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let table = TableView {
        caption: page.t("movements-caption"),
        head: [
            "movement-date",
            "movement-kind",
            "movement-bucket",
            "movement-period",
            "movement-amount",
            "movement-balance",
        ]
        .iter()
        .map(|id| page.t(id))
        .collect(),
        numeric: vec![false, false, false, false, true, true],
        rows: shown
            .iter()
            .map(|l| {
                let m = &l.movement;
                vec![
                    format::date(m.booked_on, page.lang_id()),
                    kind_label(&page, m.kind),
                    bucket_label(&page, m.bucket),
                    period_text(m),
                    format::money(m.amount),
                    format::money(l.balance_after),
                ]
            })
            .collect(),
    };
    let link = |p: usize| format!("/ahorro/movimientos?{}", form.query(Some(p)));
    let template = MovementsPage {
        errors,
        kinds: MovementKind::ALL
            .iter()
            .map(|k| Choice {
                code: k.code(),
                label: kind_label(&page, *k),
                checked: form.kinds.contains(k),
            })
            .collect(),
        buckets: Bucket::ALL
            .iter()
            .map(|b| Choice {
                code: b.code(),
                label: bucket_label(&page, *b),
                checked: form.buckets.contains(b),
            })
            .collect(),
        from: form.from.clone(),
        to: form.to.clone(),
        table,
        count,
        page_number,
        pages,
        previous: (page_number > 1).then(|| link(page_number - 1)),
        next: (page_number < pages).then(|| link(page_number + 1)),
        csv: format!("/ahorro/movimientos.csv?{}", form.query(None)),
        pdf: format!("/ahorro/estado-de-cuenta.pdf?{}", form.query(None)),
        page,
    };
    render(template, set.into_iter().collect())
}

/// The bimester of a contribution ("2026-5"), the year of a yield, nothing otherwise.
pub(crate) fn period_text(m: &domain::registry::Movement) -> String {
    match m.kind {
        MovementKind::Contribution => domain::bimester::Bimester::from_key(m.period)
            .map(|b| format!("{}-{}", b.year(), b.number()))
            .unwrap_or_default(),
        MovementKind::Yield => m.period.to_string(),
        _ => String::new(),
    }
}

pub(crate) async fn movements_csv_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let mut form = FilterForm::parse(query.as_deref());
    let filter = form.filter();
    if !form.errors.is_empty() {
        let to = format!("/ahorro/movimientos?{}", query.unwrap_or_default());
        return Redirect::to(&to).into_response();
    }
    let lines = match state.savings.movements(ctx.member_id, &filter).await {
        Ok(lines) => lines,
        Err(e) => return unavailable(e),
    };
    let mut csv = String::from("fecha,tipo,subcuenta,periodo,importe,saldo\n");
    for l in &lines {
        let m = &l.movement;
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            domain::dates::iso(m.booked_on),
            m.kind.code(),
            m.bucket.code(),
            period_text(m),
            m.amount,
            l.balance_after
        ));
    }
    let mut response = csv.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"movimientos.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The statement of the filter's period as a PDF (the whole history when no dates are given).
pub(crate) async fn statement_pdf_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let mut form = FilterForm::parse(query.as_deref());
    let filter = form.filter();
    if !form.errors.is_empty() {
        let to = format!("/ahorro/movimientos?{}", query.unwrap_or_default());
        return Redirect::to(&to).into_response();
    }
    let today = state.accounts.today();
    let from = filter
        .from
        .unwrap_or(time::Date::from_calendar_date(1972, time::Month::January, 1).unwrap_or(today));
    let to = filter.to.unwrap_or(today).min(today);
    match state
        .savings
        .statement(
            state.documents.clone(),
            ctx.member_id,
            from,
            to,
            state.accounts.now(),
            &caller,
        )
        .await
    {
        Ok(rendered) => {
            let mut response = rendered.pdf.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"estado-de-cuenta.pdf\""),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => unavailable(e),
    }
}

pub(crate) async fn api_movements_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let ctx = match api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let mut form = FilterForm::parse(query.as_deref());
    let filter = form.filter();
    if let Some((_, code)) = form.errors.first() {
        return api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let lines = match state.savings.movements(ctx.member_id, &filter).await {
        Ok(lines) => lines,
        Err(e) => {
            tracing::error!(error = %e, "movements read failed");
            return api_error(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            );
        }
    };
    let total = lines.len();
    let items: Vec<serde_json::Value> = lines
        .iter()
        .rev()
        .skip((form.page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|l| {
            let m = &l.movement;
            json!({
                "booked_on": domain::dates::iso(m.booked_on),
                "kind": m.kind.code(),
                "bucket": m.bucket.code(),
                "period": m.period,
                "amount": m.amount.to_string(),
                "balance_after": l.balance_after.to_string(),
            })
        })
        .collect();
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "movements": items,
            "page": form.page,
            "per_page": PAGE_SIZE,
            "total": total,
        })),
    )
        .into_response()
}
