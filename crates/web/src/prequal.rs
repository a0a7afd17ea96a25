//! "Precalificación y puntos" (`/credito`): the result, the factor table with the band each
//! factor fell in, the refusals, what it would take to qualify, the credit conditions and
//! products, and a what-if simulator (salary, savings, bimesters) on the same page. Also
//! `GET /api/v1/me/prequalification`.

use app::prequal::{Outcome, WhatIf};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::money::Money;
use domain::points::{Band, Change, Refusal, Unit};
use rust_decimal::Decimal;
use serde_json::json;

use crate::AppState;
use crate::accounts::{Peer, api_error, render};
use crate::auth;
use crate::components::FieldView;
use crate::format;
use crate::page::{ErrorLine, Page};
use crate::savings::{api_member, member_or_sign_in};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/credito", get(view_prequal_get))
        .route("/api/v1/me/prequalification", get(api_prequal_get))
}

/// The simulator's fields as typed, and what could not be read.
struct SimulatorForm {
    wage: String,
    savings: String,
    bimesters: String,
    errors: Vec<(&'static str, &'static str)>,
}

impl SimulatorForm {
    fn parse(query: Option<&str>) -> SimulatorForm {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        let mut form = SimulatorForm {
            wage: String::new(),
            savings: String::new(),
            bimesters: String::new(),
            errors: Vec::new(),
        };
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            match key.as_str() {
                "salario" | "daily_wage" => form.wage = value,
                "ahorro" | "savings" => form.savings = value,
                "bimestres" | "continuous_bimesters" => form.bimesters = value,
                _ => {}
            }
        }
        form
    }

    fn what_if(&mut self) -> WhatIf {
        let money = |text: &str, field: &'static str, errors: &mut Vec<_>| {
            if text.is_empty() {
                return None;
            }
            match Money::parse(&text.replace([',', '$', ' '], "")) {
                Ok(m) if !m.is_negative() => Some(m),
                _ => {
                    errors.push((field, "calculator_money_invalid"));
                    None
                }
            }
        };
        let daily_wage = money(&self.wage, "salario", &mut self.errors);
        let savings = money(&self.savings, "ahorro", &mut self.errors);
        let continuous_bimesters = if self.bimesters.is_empty() {
            None
        } else {
            match self.bimesters.parse::<u32>() {
                Ok(n) if n <= 300 => Some(n),
                _ => {
                    self.errors
                        .push(("bimestres", "simulator_bimesters_invalid"));
                    None
                }
            }
        };
        WhatIf {
            daily_wage,
            savings,
            continuous_bimesters,
        }
    }
}

pub(crate) struct FactorRow {
    pub name: String,
    pub band: String,
    pub points: u32,
    pub max: u32,
}

#[derive(Template)]
#[template(path = "prequal.html")]
struct PrequalPage {
    page: Page,
    errors: Vec<ErrorLine>,
    eligible: bool,
    headline: String,
    scheme: String,
    factors: Vec<FactorRow>,
    total: u32,
    minimum: u32,
    refusals: Vec<String>,
    changes: Vec<String>,
    conditions: Vec<(String, String)>,
    products: Vec<(String, String, String)>,
    fields: Vec<FieldView>,
    simulated: bool,
}

fn number(value: Decimal, unit: Unit) -> String {
    match unit {
        Unit::Pesos => Money::from_decimal(value).map_or_else(|_| value.to_string(), format::money),
        _ => value.round_dp(unit.decimals()).normalize().to_string(),
    }
}

fn band_text(page: &Page, band: &Band) -> String {
    let unit = page.t(&format!("unit-{}", band.unit.code()));
    match band.unit {
        Unit::Flag => page.t(if band.value.is_zero() {
            "band-no"
        } else {
            "band-yes"
        }),
        _ => {
            let range = match band.last() {
                Some(last) => format!(
                    "{}–{}",
                    number(band.from, band.unit),
                    number(last, band.unit)
                ),
                None => format!("≥ {}", number(band.from, band.unit)),
            };
            format!("{} {unit} ({range})", number(band.value, band.unit))
        }
    }
}

fn refusal_text(page: &Page, refusal: &Refusal) -> String {
    match refusal {
        Refusal::TooShortContinuity { required, have } => page.t_with(
            "refusal-too_short_continuity",
            &[
                ("required", i64::from(*required)),
                ("have", i64::from(*have)),
            ],
        ),
        other => page.t(&format!("refusal-{}", other.code())),
    }
}

fn change_text(page: &Page, change: &Change) -> String {
    match change {
        Change::MoreBimesters {
            bimesters, total, ..
        } => page.t_with(
            "change-more-bimesters",
            &[
                ("bimesters", i64::from(*bimesters)),
                ("total", i64::from(*total)),
            ],
        ),
        Change::HigherWage { daily_wage, total } => page.t_text(
            "change-higher-wage",
            &[
                ("wage", format::money(*daily_wage)),
                ("total", total.to_string()),
            ],
        ),
        Change::MoreSavings { more, total, .. } => page.t_text(
            "change-more-savings",
            &[("more", format::money(*more)), ("total", total.to_string())],
        ),
        Change::Blocked { refusal } => refusal_text(page, refusal),
    }
}

fn prequal_page(
    page: Page,
    outcome: &Outcome,
    errors: Vec<ErrorLine>,
    form: &SimulatorForm,
) -> PrequalPage {
    let e = &outcome.evaluation;
    let headline = if e.eligible {
        page.t_with("prequal-eligible", &[("total", i64::from(e.total))])
    } else {
        page.t_with(
            "prequal-not-yet",
            &[
                ("total", i64::from(e.total)),
                ("minimum", i64::from(e.minimum)),
            ],
        )
    };
    let factors = e
        .factors
        .iter()
        .map(|f| FactorRow {
            name: page.t(&format!("factor-{}", f.factor.code())),
            band: band_text(&page, &f.band),
            points: f.points,
            max: f.max,
        })
        .collect();
    let conditions = outcome.conditions.as_ref().map_or_else(Vec::new, |c| {
        vec![
            (page.t("cond-credit"), format::money(c.credit)),
            (page.t("cond-subaccount"), format::money(c.subaccount)),
            (page.t("cond-total"), format::money(c.total)),
            (
                page.t("cond-term"),
                page.t_with("cond-years", &[("years", i64::from(c.term_years))]),
            ),
            (page.t("cond-rate"), format::percent(c.annual_rate)),
            (page.t("cond-payment"), format::money(c.monthly_payment)),
            (page.t("cond-salary"), format::money(c.monthly_salary)),
            (
                page.t("cond-fees"),
                if c.fees_waived {
                    page.t("cond-fees-waived")
                } else {
                    format::money(c.fees)
                },
            ),
        ]
    });
    let products = outcome
        .products
        .iter()
        .map(|p| {
            (
                page.t(&format!("product-{}", p.product.code())),
                if p.available() {
                    format::money(p.credit)
                } else {
                    page.t("product-unavailable")
                },
                if p.available() {
                    format::money(p.monthly_payment)
                } else {
                    String::new()
                },
            )
        })
        .collect();
    let mut fields = vec![
        page.field("salario", "text", "off", &form.wage, &errors),
        page.field("ahorro", "text", "off", &form.savings, &errors),
        page.field("bimestres", "text", "off", &form.bimesters, &errors),
    ];
    for f in &mut fields {
        f.hint = page.t(&format!("simulator-hint-{}", f.name));
    }
    PrequalPage {
        eligible: e.eligible,
        headline,
        scheme: page.t(&format!("scheme-{}", e.scheme.code())),
        factors,
        total: e.total,
        minimum: e.minimum,
        refusals: e.refusals.iter().map(|r| refusal_text(&page, r)).collect(),
        changes: outcome
            .changes
            .iter()
            .map(|c| change_text(&page, c))
            .collect(),
        conditions,
        products,
        fields,
        simulated: !form.wage.is_empty() || !form.savings.is_empty() || !form.bimesters.is_empty(),
        errors,
        page,
    }
}

pub(crate) async fn view_prequal_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::Prequalification,
        domain::audit::Channel::Web,
    );
    let mut form = SimulatorForm::parse(query.as_deref());
    let what_if = form.what_if();
    let outcome = match state
        .prequal
        .for_member(ctx.member_id, state.accounts.today(), what_if)
        .await
    {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "pre-qualification failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "prequal-title", &csrf);
    page.signed_in_as(&ctx);
    page.has_errors = !form.errors.is_empty();
    let errors = form
        .errors
        .iter()
        .map(|(field, code)| ErrorLine {
            field: (*field).into(),
            message: page.t(code),
        })
        .collect();
    render(
        prequal_page(page, &outcome, errors, &form),
        set.into_iter().collect(),
    )
}

pub(crate) async fn api_prequal_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let ctx = match api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::Prequalification,
        domain::audit::Channel::App,
    );
    let mut form = SimulatorForm::parse(query.as_deref());
    let what_if = form.what_if();
    if let Some((_, code)) = form.errors.first() {
        return api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    match state
        .prequal
        .for_member(ctx.member_id, state.accounts.today(), what_if)
        .await
    {
        Ok(o) => {
            let e = &o.evaluation;
            (
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({
                    "as_of": domain::dates::iso(e.as_of),
                    "scheme": e.scheme.code(),
                    "eligible": e.eligible,
                    "total": e.total,
                    "minimum": e.minimum,
                    "estimate": e.estimate,
                    "factors": e.factors.iter().map(|f| json!({
                        "factor": f.factor.code(),
                        "unit": f.band.unit.code(),
                        "value": f.band.value.to_string(),
                        "band_from": f.band.from.to_string(),
                        "band_to": f.band.to.map(|t| t.to_string()),
                        "points": f.points,
                        "max": f.max,
                    })).collect::<Vec<_>>(),
                    "refusals": e.refusals.iter().map(|r| r.code()).collect::<Vec<_>>(),
                    "what_would_it_take": o.changes.iter().map(|c| serde_json::to_value(c).unwrap_or_default()).collect::<Vec<_>>(),
                    "conditions": o.conditions.as_ref().map(|c| json!({
                        "credit": c.credit.to_string(),
                        "subaccount": c.subaccount.to_string(),
                        "total": c.total.to_string(),
                        "term_years": c.term_years,
                        "annual_rate": c.annual_rate.to_string(),
                        "monthly_payment": c.monthly_payment.to_string(),
                        "monthly_salary": c.monthly_salary.to_string(),
                        "fees": c.fees.to_string(),
                    })),
                    "products": o.products.iter().map(|p| json!({
                        "product": p.product.code(),
                        "available": p.available(),
                        "credit": p.credit.to_string(),
                        "monthly_payment": p.monthly_payment.to_string(),
                    })).collect::<Vec<_>>(),
                })),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "pre-qualification failed");
            api_error(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            )
        }
    }
}
