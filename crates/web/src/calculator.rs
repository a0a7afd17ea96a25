//! "Calculadora del ahorro": a projection bimester by bimester, as a table, as a chart drawn
//! on the server (an SVG with the same numbers as text), for anyone; a signed-in member finds
//! their balance and wage filled in.

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::audit::Channel;
use domain::bimester::Bimester;
use domain::money::Money;
use domain::savings::{Projection, ProjectionInput};
use rust_decimal::Decimal;
use serde_json::json;

use crate::AppState;
use crate::accounts::{Peer, api_error, render};
use crate::auth;
use crate::components::{FieldView, TableView};
use crate::format;
use crate::page::{ErrorLine, Page};

/// The calculator's inputs as typed.
#[derive(Default)]
struct CalculatorForm {
    balance: String,
    wage: String,
    years: String,
    growth: String,
    gap: String,
}

impl CalculatorForm {
    fn parse(query: Option<&str>) -> CalculatorForm {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        let mut form = CalculatorForm::default();
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            match key.as_str() {
                "saldo" | "balance" => form.balance = value,
                "salario" | "daily_wage" => form.wage = value,
                "anios" | "years" => form.years = value,
                "crecimiento" | "growth" => form.growth = value,
                "sin_trabajo" | "gap" => form.gap = value,
                _ => {}
            }
        }
        form
    }

    fn submitted(&self) -> bool {
        !self.wage.is_empty() || !self.years.is_empty()
    }

    /// The projection input, or each field's problem.
    fn input(&self, start: Bimester) -> Result<ProjectionInput, Vec<(&'static str, &'static str)>> {
        let mut errors = Vec::new();
        let money = |text: &str, field: &'static str, errors: &mut Vec<_>| {
            let text = text.replace([',', '$', ' '], "");
            match Money::parse(if text.is_empty() { "0" } else { &text }) {
                Ok(m) if !m.is_negative() => m,
                _ => {
                    errors.push((field, "calculator_money_invalid"));
                    Money::ZERO
                }
            }
        };
        let balance = money(&self.balance, "saldo", &mut errors);
        let wage = money(&self.wage, "salario", &mut errors);
        if wage.is_zero() && !errors.iter().any(|(f, _)| *f == "salario") {
            errors.push(("salario", "calculator_wage_required"));
        }
        let years: u32 = match self.years.parse() {
            Ok(y) if (1..=40).contains(&y) => y,
            _ => {
                errors.push(("anios", "calculator_years_invalid"));
                1
            }
        };
        let growth = if self.growth.is_empty() {
            Decimal::ZERO
        } else {
            match self.growth.replace('%', "").parse::<Decimal>() {
                Ok(g) if g >= Decimal::ZERO && g <= Decimal::from(20) => g / Decimal::from(100),
                _ => {
                    errors.push(("crecimiento", "calculator_growth_invalid"));
                    Decimal::ZERO
                }
            }
        };
        let gap: u32 = if self.gap.is_empty() {
            0
        } else {
            match self.gap.parse() {
                Ok(g) if g <= years * 6 => g,
                _ => {
                    errors.push(("sin_trabajo", "calculator_gap_invalid"));
                    0
                }
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ProjectionInput {
            start,
            opening_balance: balance,
            daily_wage: wage,
            bimesters: years * 6,
            wage_growth: growth,
            gap_bimesters: gap,
        })
    }
}

#[derive(Template)]
#[template(path = "calculator.html")]
struct CalculatorPage {
    page: Page,
    errors: Vec<ErrorLine>,
    fields: Vec<FieldView>,
    result: Option<ResultView>,
    assumption: String,
}

struct ResultView {
    closing: String,
    contributions: String,
    yields: String,
    summary: String,
    chart: String,
    table: TableView,
}

/// The balance at the end of each year, drawn as bars: an SVG with a title and description,
/// its numbers repeated in the table below it.
fn chart(page: &Page, projection: &Projection) -> String {
    let years: Vec<(i32, Money)> = projection
        .rows
        .iter()
        .filter(|r| r.bimester.number() == 6)
        .map(|r| (r.bimester.year(), r.balance))
        .collect();
    let max = years
        .iter()
        .map(|(_, m)| m.centavos())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (width, height, left, bottom) = (640.0, 260.0, 10.0, 30.0);
    let slot = (width - left) / years.len().max(1) as f64;
    let mut bars = String::new();
    for (i, (year, balance)) in years.iter().enumerate() {
        let h = (balance.centavos() as f64 / max) * (height - bottom - 10.0);
        let x = left + i as f64 * slot;
        bars.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"bar\"><title>{year}: {}</title></rect>",
            x + slot * 0.15,
            height - bottom - h,
            slot * 0.7,
            h,
            format::money(*balance)
        ));
        if years.len() <= 12 || i % 5 == 0 {
            bars.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\">{year}</text>",
                x + slot * 0.5,
                height - 10.0
            ));
        }
    }
    let title = page.t("calculator-chart-title");
    format!(
        "<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"grafica-titulo\" class=\"chart\"><title id=\"grafica-titulo\">{title}</title>{bars}</svg>"
    )
}

fn fields(page: &Page, form: &CalculatorForm, errors: &[ErrorLine]) -> Vec<FieldView> {
    let mut list = vec![
        page.field("saldo", "text", "off", &form.balance, errors),
        page.field("salario", "text", "off", &form.wage, errors),
        page.field("anios", "text", "off", &form.years, errors),
        page.field("crecimiento", "text", "off", &form.growth, errors),
        page.field("sin_trabajo", "text", "off", &form.gap, errors),
    ];
    for f in &mut list {
        f.hint = page.t(&format!("calculator-hint-{}", f.name));
    }
    list
}

pub(crate) async fn view_calculator_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let member = auth::member(&state, &headers, &caller)
        .await
        .map(|(c, _)| c);
    let mut form = CalculatorForm::parse(query.as_deref());
    let today = state.accounts.today();
    // A signed-in member starts from their own balance and wage.
    if let Some(ctx) = &member
        && !form.submitted()
    {
        if let Ok(summary) = state.savings.summary(ctx.member_id).await {
            form.balance = summary.usable_for_credit.to_string();
        }
        if let Ok(Some(wage)) = state.savings.current_wage(ctx.member_id, today).await {
            form.wage = wage.to_string();
        }
        form.years = "5".into();
    }
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "calculator-title", &csrf);
    if let Some(ctx) = &member {
        page.signed_in_as(ctx);
    }
    let start = Bimester::containing(today).next();
    let outcome = form.submitted().then(|| form.input(start));
    let (errors, result) = match outcome {
        None => (Vec::new(), None),
        Some(Err(problems)) => (
            problems
                .iter()
                .map(|(field, code)| ErrorLine {
                    field: (*field).into(),
                    message: page.t(code),
                })
                .collect(),
            None,
        ),
        Some(Ok(input)) => match state.savings.project(&input) {
            Ok(p) => (Vec::new(), Some(result_view(&page, &input, &p))),
            Err(e) => (
                vec![ErrorLine {
                    field: "anios".into(),
                    message: page.t(e.code()),
                }],
                None,
            ),
        },
    };
    page.has_errors = !errors.is_empty();
    let assumption =
        state
            .savings
            .assumed_future_yield()
            .map_or_else(String::new, |(year, rate)| {
                page.t_text(
                    "calculator-assumption",
                    &[("year", year.to_string()), ("rate", format::percent(rate))],
                )
            });
    let template = CalculatorPage {
        fields: fields(&page, &form, &errors),
        errors,
        result,
        assumption,
        page,
    };
    render(template, set.into_iter().collect())
}

fn result_view(page: &Page, input: &ProjectionInput, p: &Projection) -> ResultView {
    let years = i64::from(input.bimesters / 6);
    ResultView {
        closing: format::money(p.closing_balance),
        contributions: format::money(p.contributions),
        yields: format::money(p.yields),
        summary: page.t_text(
            "calculator-summary",
            &[
                ("years", years.to_string()),
                ("closing", format::money(p.closing_balance)),
            ],
        ),
        chart: chart(page, p),
        table: TableView {
            caption: page.t("calculator-table-caption"),
            head: [
                "calculator-bimester",
                "calculator-wage",
                "calculator-contribution",
                "calculator-yield",
                "calculator-balance",
            ]
            .iter()
            .map(|id| page.t(id))
            .collect(),
            numeric: vec![false, true, true, true, true],
            rows: p
                .rows
                .iter()
                .map(|r| {
                    vec![
                        format!(
                            "{}-{}{}",
                            r.bimester.year(),
                            r.bimester.number(),
                            if r.rate_assumed { " *" } else { "" }
                        ),
                        format::money(r.daily_wage),
                        format::money(r.contribution),
                        format::money(r.yield_amount),
                        format::money(r.balance),
                    ]
                })
                .collect(),
        },
    }
}

/// `GET /api/v1/savings/projection?balance=&daily_wage=&years=&growth=&gap=`: public.
pub(crate) async fn api_projection_get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let form = CalculatorForm::parse(query.as_deref());
    let start = Bimester::containing(state.accounts.today()).next();
    let input = match form.input(start) {
        Ok(i) => i,
        Err(problems) => {
            let code = problems.first().map_or("calculator_wage_required", |p| p.1);
            return api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, code);
        }
    };
    match state.savings.project(&input) {
        Ok(p) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "closing_balance": p.closing_balance.to_string(),
                "contributions": p.contributions.to_string(),
                "yields": p.yields.to_string(),
                "bimesters": p.rows.iter().map(|r| json!({
                    "bimester": r.bimester.key(),
                    "daily_wage": r.daily_wage.to_string(),
                    "contribution": r.contribution.to_string(),
                    "yield": r.yield_amount.to_string(),
                    "balance": r.balance.to_string(),
                    "rate": r.rate.to_string(),
                    "rate_assumed": r.rate_assumed,
                })).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Err(e) => api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, e.code()),
    }
}
