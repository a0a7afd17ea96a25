//! Usage statistics: the operators' dashboard at `/operacion/estadisticas` (with CSV and JSON
//! downloads) and the public page `/estadisticas`, where no cell that counts fewer than
//! `app::stats::PRIVACY_THRESHOLD` people or events is shown. Both read the report "as of" a
//! date from the summary tables; each chart is an SVG drawn here with a table beside it that
//! carries the same numbers (the table is the chart's text alternative).

use std::sync::Arc;

use app::stats::{PRIVACY_THRESHOLD, Report, ReportFormat, duration, grouped, procedure_label};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::audit::Channel;
use serde::Deserialize;
use time::Date;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::backoffice::{OpFrame, caller, failed, frame, operator};
use crate::components::{SummaryRow, TableView};
use crate::page::{ErrorLine, Page};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/estadisticas", get(view_public_statistics_get))
        .route("/operacion/estadisticas", get(view_op_statistics_get))
}

#[derive(Deserialize, Default)]
pub(crate) struct StatsQuery {
    #[serde(default)]
    fecha: Option<String>,
    #[serde(default)]
    formato: Option<String>,
}

/// One chart and the table that says the same.
pub(crate) struct ChartView {
    pub id: String,
    pub heading: String,
    pub svg: String,
    pub table: TableView,
}

pub(crate) struct StatsView {
    pub as_of: String,
    pub window: String,
    pub headline: Vec<SummaryRow>,
    pub charts: Vec<ChartView>,
    pub tables: Vec<(String, TableView)>,
    pub public: bool,
    pub suppressed_note: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct PublicPage {
    page: Page,
    view: StatsView,
    fecha: String,
    errors: Vec<ErrorLine>,
}

#[derive(Template)]
#[template(path = "op_statistics.html")]
struct OpPage {
    page: Page,
    op: OpFrame,
    view: StatsView,
    fecha: String,
    errors: Vec<ErrorLine>,
    refreshed: String,
    may_refresh: bool,
}

/// How cells are written: in public, a count under the threshold (or a figure drawn from
/// fewer) reads "fewer than N".
struct Cells {
    public: bool,
    hidden: String,
}

impl Cells {
    fn shown(&self, base: i64) -> bool {
        !self.public || base >= PRIVACY_THRESHOLD
    }

    fn count(&self, n: i64) -> String {
        if self.shown(n) {
            grouped(n)
        } else {
            self.hidden.clone()
        }
    }

    /// `text` derives from `base` people or events.
    fn derived(&self, text: String, base: i64) -> String {
        if self.shown(base) {
            text
        } else {
            self.hidden.clone()
        }
    }

    /// A bar's length: nothing for a hidden cell.
    fn bar(&self, n: i64) -> i64 {
        if self.shown(n) { n } else { 0 }
    }
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2} %"))
}

fn days(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars, one per row: the label at the left, the bar, its value at the end.
fn bars(id: &str, title: &str, rows: &[(String, i64, String)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let (width, label_w, row_h) = (640.0, 230.0, 22.0);
    let height = row_h * rows.len().max(1) as f64 + 8.0;
    let mut body = String::new();
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = (*value as f64 / max) * (width - label_w - 90.0);
        body.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" class=\"bar\"></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            escape(label),
            y + 3.0,
            row_h - 6.0,
            label_w + w + 6.0,
            y + 15.0,
            escape(text),
        ));
    }
    format!(
        "<svg viewBox=\"0 0 {width} {height:.0}\" role=\"img\" aria-labelledby=\"{id}-titulo\" class=\"chart\"><title id=\"{id}-titulo\">{}</title>{body}</svg>",
        escape(title)
    )
}

fn table(
    caption: String,
    head: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
) -> TableView {
    TableView {
        caption,
        head,
        numeric,
        rows,
    }
}

fn chart(
    page: &Page,
    id: &str,
    heading_id: &str,
    head: [&str; 2],
    rows: Vec<(String, i64, String)>,
) -> ChartView {
    let heading = page.t(heading_id);
    ChartView {
        id: id.to_owned(),
        svg: bars(id, &heading, &rows),
        table: table(
            heading.clone(),
            vec![page.t(head[0]), page.t(head[1])],
            vec![false, true],
            rows.into_iter()
                .map(|(label, _, text)| vec![label, text])
                .collect(),
        ),
        heading,
    }
}

fn month_label(page: &Page, month: &str) -> String {
    domain::dates::parse_iso(month).map_or_else(
        |_| month.to_owned(),
        |d| crate::format::month_year(d.month(), d.year(), page.lang_id()),
    )
}

fn day_label(page: &Page, day: &str) -> String {
    domain::dates::parse_iso(day).map_or_else(
        |_| day.to_owned(),
        |d| crate::format::date(d, page.lang_id()),
    )
}

fn view(page: &Page, state: &AppState, report: &Report, public: bool) -> StatsView {
    let mut hidden_args = fluent_bundle::FluentArgs::new();
    hidden_args.set("threshold", PRIVACY_THRESHOLD);
    let lang = page.lang_id();
    let cells = Cells {
        public,
        hidden: state
            .messages
            .format(lang, "stats-suppressed", Some(&hidden_args)),
    };
    let a = &report.accounts;
    let act = &report.activity;
    let row = |key: &str, value: String| SummaryRow {
        key: page.t(key),
        value,
        change_href: None,
    };
    let dur =
        |s: Option<f64>| s.map_or_else(|| "—".to_owned(), |s| duration(&state.messages, lang, s));
    let mut headline = vec![
        row("stats-registered", cells.count(a.registered)),
        row("stats-previous-year-end", cells.count(a.previous_year_end)),
        row("stats-new-ytd", cells.count(a.new_year_to_date)),
        row(
            "stats-growth",
            cells.derived(
                pct(a.growth_percent),
                a.new_year_to_date.min(a.previous_year_end),
            ),
        ),
        row(
            "stats-mean-new-month",
            a.mean_new_per_month
                .map_or_else(|| "—".to_owned(), |v| cells.count(v.round() as i64)),
        ),
        row(
            "stats-daily-users",
            cells.count(act.mean_daily_users.round() as i64),
        ),
        row("stats-sessions", cells.count(act.sessions)),
        row(
            "stats-session-mean",
            cells.derived(dur(act.mean_session_seconds), act.sessions),
        ),
        row(
            "stats-session-median",
            cells.derived(dur(act.median_session_seconds), act.sessions),
        ),
    ];
    headline.push(row(
        "stats-monthly-actives",
        act.monthly_actives.as_ref().map_or_else(
            || "—".to_owned(),
            |m| format!("{} ({})", cells.count(m.count), month_label(page, &m.month)),
        ),
    ));
    if !public {
        headline.push(row("stats-signups-ytd", grouped(a.signups_year_to_date)));
    }

    let mut charts = Vec::new();
    charts.push(chart(
        page,
        "grafica-meses",
        "stats-by-month",
        ["stats-month", "stats-new"],
        a.by_month
            .iter()
            .map(|m| {
                (
                    month_label(page, &m.month),
                    cells.bar(m.count),
                    cells.count(m.count),
                )
            })
            .collect(),
    ));
    charts.push(chart(
        page,
        "grafica-estados",
        "stats-states",
        ["stats-state", "stats-users"],
        report
            .states
            .iter()
            .map(|s| {
                let name = if s.name.is_empty() {
                    page.t("stats-state-unknown")
                } else {
                    s.name.clone()
                };
                (name, cells.bar(s.users), cells.count(s.users))
            })
            .collect(),
    ));
    charts.push(chart(
        page,
        "grafica-dias",
        "stats-daily-users-chart",
        ["stats-day", "stats-users"],
        act.daily_users
            .iter()
            .map(|(d, n)| (day_label(page, d), cells.bar(*n), cells.count(*n)))
            .collect(),
    ));
    charts.push(chart(
        page,
        "grafica-activos",
        "stats-monthly-chart",
        ["stats-month", "stats-users"],
        act.monthly_series
            .iter()
            .map(|m| {
                (
                    month_label(page, &m.month),
                    cells.bar(m.count),
                    cells.count(m.count),
                )
            })
            .collect(),
    ));
    charts.push(chart(
        page,
        "grafica-tramites",
        "stats-procedures",
        ["stats-procedure", "stats-uses"],
        report
            .procedures
            .iter()
            .map(|p| {
                (
                    procedure_label(&state.messages, lang, &p.code),
                    cells.bar(p.uses),
                    cells.count(p.uses),
                )
            })
            .collect(),
    ));

    let quarters = table(
        page.t("stats-by-quarter"),
        vec![
            page.t("stats-quarter"),
            page.t("stats-new"),
            page.t("stats-share"),
        ],
        vec![false, true, true],
        a.by_quarter
            .iter()
            .map(|q| {
                vec![
                    page.t_with("stats-quarter-n", &[("n", i64::from(q.quarter))]),
                    cells.count(q.new),
                    cells.derived(pct(q.share_percent), q.new),
                ]
            })
            .collect(),
    );
    let channels = table(
        page.t("stats-by-channel"),
        vec![page.t("stats-channel"), page.t("stats-sessions")],
        vec![false, true],
        act.sessions_by_channel
            .iter()
            .map(|(c, n)| {
                let label = Channel::from_code(c).map_or_else(
                    || c.clone(),
                    |c| page.t(&format!("stats-channel-{}", c.code())),
                );
                vec![label, cells.count(*n)]
            })
            .collect(),
    );
    let service = table(
        page.t("stats-service"),
        [
            "stats-kind",
            "stats-started",
            "stats-completed",
            "stats-on-time",
            "stats-promised-days",
            "stats-actual-days",
        ]
        .iter()
        .map(|h| page.t(h))
        .collect(),
        vec![false, true, true, true, true, true],
        report
            .service_levels
            .iter()
            .map(|s| {
                vec![
                    page.t(&format!("request-kind-{}", s.kind)),
                    cells.count(s.started),
                    cells.count(s.completed),
                    cells.derived(pct(s.on_time_percent), s.completed),
                    cells.derived(days(s.promised_mean_days), s.completed),
                    cells.derived(days(s.actual_mean_days), s.completed),
                ]
            })
            .collect(),
    );
    let window = page.t_text(
        "stats-window",
        &[
            ("days", report.window_days.to_string()),
            ("from", day_label(page, &report.window_from)),
            ("to", day_label(page, &report.as_of)),
        ],
    );
    StatsView {
        as_of: page.t_text("stats-as-of", &[("date", day_label(page, &report.as_of))]),
        window,
        headline,
        charts,
        tables: vec![
            ("tabla-trimestres".to_owned(), quarters),
            ("tabla-canales".to_owned(), channels),
            ("tabla-servicio".to_owned(), service),
        ],
        public,
        suppressed_note: page.t_with("stats-suppressed-note", &[("threshold", PRIVACY_THRESHOLD)]),
    }
}

/// Counts one use of a consultation: through the portal's pages (`Channel::Web`) or the API
/// (`Channel::App`). In memory; [`flush_uses`] writes the counts every few seconds.
pub(crate) fn count_use(state: &AppState, procedure: app::stats::Procedure, channel: Channel) {
    state.uses.count(procedure, channel, state.accounts.today());
}

/// How often the counted uses are written to the store.
const USE_FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Writes the counted uses every few seconds until `stop` resolves, and once more after. A
/// failure is logged and the counts wait for the next flush: statistics never stop a page.
pub(crate) async fn flush_uses(
    store: Arc<dyn store::Store>,
    uses: Arc<app::stats::UseTally>,
    stop: impl std::future::Future<Output = ()>,
) {
    let flush = || async {
        if let Err(e) = uses.flush(store.as_ref()).await {
            tracing::warn!(error = %e, "procedure uses not written yet");
        }
    };
    tokio::pin!(stop);
    let mut every = tokio::time::interval(USE_FLUSH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = every.tick() => flush().await,
        }
    }
    flush().await;
}

/// Builds the report both pages show by default (as of yesterday) now and again before the
/// kept one grows old, so a visit without a date never waits for it.
pub(crate) async fn keep_report_warm(state: AppState) {
    let every = app::stats::ReportCache::MAX_AGE.mul_f32(0.8);
    loop {
        let yesterday = state.accounts.today() - time::Duration::days(1);
        state
            .reports
            .forget(yesterday, app::stats::DEFAULT_WINDOW_DAYS);
        if let Err(e) = public_report(&state, yesterday).await {
            tracing::warn!(error = %e, "the statistics report was not built ahead");
        }
        tokio::time::sleep(every).await;
    }
}

/// The report as of `date` over the default window, kept between refreshes.
async fn public_report(state: &AppState, date: Date) -> Result<Arc<Report>, store::StoreError> {
    let (report, _) = state
        .reports
        .report(
            state.lagging.as_ref(),
            state.savings.tables(),
            date,
            app::stats::DEFAULT_WINDOW_DAYS,
        )
        .await?;
    Ok(report)
}

/// The date asked for, or yesterday (the last whole day) when none; an error when it is not
/// a date.
fn as_of(state: &AppState, q: &StatsQuery) -> Result<Date, ()> {
    match q.fecha.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => domain::dates::parse_iso(text).map_err(|_| ()),
        None => Ok(state.accounts.today() - time::Duration::days(1)),
    }
}

async fn view_public_statistics_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Response {
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "stats-public-title", &csrf);
    let (date, errors) = match as_of(&state, &q) {
        Ok(d) => (d, Vec::new()),
        Err(()) => (
            state.accounts.today() - time::Duration::days(1),
            vec![ErrorLine {
                field: "fecha".into(),
                message: page.t("stats-bad-date"),
            }],
        ),
    };
    page.has_errors = !errors.is_empty();
    let report = match public_report(&state, date).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "statistics unavailable");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let view = view(&page, &state, &report, true);
    render(
        PublicPage {
            page,
            view,
            fecha: domain::dates::iso(date),
            errors,
        },
        set.into_iter().collect(),
    )
}

async fn view_op_statistics_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "stats-title", &csrf);
    let (date, errors) = match as_of(&state, &q) {
        Ok(d) => (d, Vec::new()),
        Err(()) => (
            state.accounts.today() - time::Duration::days(1),
            vec![ErrorLine {
                field: "fecha".into(),
                message: page.t("stats-bad-date"),
            }],
        ),
    };
    page.has_errors = !errors.is_empty();
    let (report, until) = match state
        .backoffice
        .statistics(
            &ctx,
            &state.reports,
            state.savings.tables(),
            date,
            app::stats::DEFAULT_WINDOW_DAYS,
            &caller(&headers, peer),
        )
        .await
    {
        Ok(found) => found,
        Err(e) => return failed(&state, Some(&ctx), e),
    };
    let download = match q.formato.as_deref() {
        Some("csv") => Some((ReportFormat::Csv, "text/csv; charset=utf-8", "csv")),
        Some("json") => Some((ReportFormat::Json, "application/json", "json")),
        _ => None,
    };
    if let Some((format, mime, ext)) = download {
        let body = app::stats::render(&report, format, &state.messages, page.lang_id());
        let name = format!(
            "attachment; filename=\"estadisticas-{}.{ext}\"",
            report.as_of
        );
        let mut response = body.into_response();
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(v) = HeaderValue::from_str(&name) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        return response;
    }
    let op = frame(&page, &ctx);
    let refreshed = until.map_or_else(String::new, |d| {
        page.t_text(
            "stats-refreshed-until",
            &[("date", day_label(&page, &domain::dates::iso(d)))],
        )
    });
    let view = view(&page, &state, &report, false);
    render(
        OpPage {
            may_refresh: ctx.role.may(domain::operators::Permission::RunBatches),
            page,
            op,
            view,
            fecha: domain::dates::iso(date),
            errors,
            refreshed,
        },
        set.into_iter().collect(),
    )
}
