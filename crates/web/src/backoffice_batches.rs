//! `/operacion/lotes`: a supervisor starts a batch (a year's yield, the re-indexation of VSM
//! credits, a bimester's employer payments from a file, tomorrow's reminders) and follows it.
//! The batch runs in the job queue (`app::jobs`); the page shows its state, progress, report and
//! files, and never waits for it.

use app::backoffice::BackOfficeError;
use app::jobs::JobRequest;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use store::{Job, JobState};

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::backoffice::{OpFrame, caller, failed, frame, operator, operator_post};
use crate::components::{SummaryRow, TableView};
use crate::format;
use crate::page::Page;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operacion/lotes", get(batches_get).post(batch_post))
        .route(
            "/operacion/lotes/aportaciones",
            post(contributions_post)
                .layer(DefaultBodyLimit::max(app::jobs::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/operacion/lotes/{id}", get(batch_get))
        .route("/operacion/lotes/{id}/archivos/{name}", get(file_get))
}

#[derive(Template)]
#[template(path = "op_batches.html")]
struct BatchesPage {
    page: Page,
    op: OpFrame,
    table: TableView,
    links: Vec<(String, String)>,
    this_year: i32,
}

#[derive(Template)]
#[template(path = "op_batch.html")]
struct BatchPage {
    page: Page,
    op: OpFrame,
    rows: Vec<SummaryRow>,
    report: Vec<SummaryRow>,
    error: Option<String>,
    files: Vec<(String, String)>,
    running: bool,
}

fn state_label(page: &Page, state: JobState) -> String {
    page.t(&format!("op-job-state-{}", state.code()))
}

fn kind_label(page: &Page, kind: &str) -> String {
    page.t(&format!("op-job-kind-{kind}"))
}

async fn batches_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let jobs = match state
        .backoffice
        .batches(&ctx, &caller(&headers, peer))
        .await
    {
        Ok(jobs) => jobs,
        Err(e) => return failed(&state, Some(&ctx), e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-batches-title", &csrf);
    let op = frame(&page, &ctx);
    let table = TableView {
        caption: page.t("op-batches-caption"),
        head: [
            "op-job-number",
            "op-job-kind",
            "op-job-state",
            "op-job-created",
            "op-job-progress",
        ]
        .into_iter()
        .map(|h| page.t(h))
        .collect(),
        numeric: vec![false, false, false, false, true],
        rows: jobs
            .iter()
            .map(|j| {
                vec![
                    j.job_id.to_string(),
                    kind_label(&page, &j.kind),
                    state_label(&page, j.state),
                    format::date_time(page.lang_id(), j.created_at),
                    j.progress.to_string(),
                ]
            })
            .collect(),
    };
    let links = jobs
        .iter()
        .map(|j| {
            (
                format!("/operacion/lotes/{}", j.job_id),
                format!("{} {}", page.t("op-job-number"), j.job_id),
            )
        })
        .collect();
    let this_year = domain::dates::mexico_city_date(state.backoffice.now()).year();
    render(
        BatchesPage {
            page,
            op,
            table,
            links,
            this_year,
        },
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
struct BatchForm {
    csrf: String,
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    anio: String,
}

fn queued(
    result: Result<Job, BackOfficeError>,
    state: &AppState,
    ctx: &app::backoffice::OperatorContext,
) -> Response {
    match result {
        Ok(job) => Redirect::to(&format!("/operacion/lotes/{}", job.job_id)).into_response(),
        Err(e) => failed(state, Some(ctx), e),
    }
}

async fn batch_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<BatchForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let year = form.anio.trim().parse::<i32>().unwrap_or(0);
    let request = match form.tipo.as_str() {
        "yield" => JobRequest::Yield { year },
        "reindex" => JobRequest::Reindex { year },
        "reminders" => JobRequest::Reminders,
        "stats" => JobRequest::Stats,
        _ => return failed(&state, Some(&ctx), BackOfficeError::BatchNotFound),
    };
    let result = state
        .backoffice
        .queue_batch(&ctx, &request, &caller(&headers, peer))
        .await;
    queued(result, &state, &ctx)
}

async fn contributions_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let Some((fields, mut uploads)) =
        crate::corrections::read_with_files(&mut form, "archivo").await
    else {
        return failed(&state, None, BackOfficeError::BatchFileTooLarge);
    };
    let csrf = fields.get("csrf").cloned().unwrap_or_default();
    let (_, ctx) = match operator_post(&state, &headers, &csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(upload) = uploads.pop() else {
        return failed(&state, Some(&ctx), BackOfficeError::BatchFileEmpty);
    };
    let request = JobRequest::Contributions {
        file_name: upload.file_name,
        bytes: upload.bytes,
    };
    let result = state
        .backoffice
        .queue_batch(&ctx, &request, &caller(&headers, peer))
        .await;
    queued(result, &state, &ctx)
}

/// The batch's report as rows: each top-level field, by its label when it has one.
fn report_rows(page: &Page, summary: &str) -> Vec<SummaryRow> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(summary)
    else {
        return Vec::new();
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let id = format!("op-report-{}", k.replace('_', "-"));
            let label = page.t(&id);
            SummaryRow {
                key: if label == id { k.clone() } else { label },
                value,
                change_href: None,
            }
        })
        .collect()
}

async fn batch_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (job, files) = match state
        .backoffice
        .batch(&ctx, id, &caller(&headers, peer))
        .await
    {
        Ok(found) => found,
        Err(e) => return failed(&state, Some(&ctx), e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-batch-title", &csrf);
    let op = frame(&page, &ctx);
    let when = |at: Option<time::OffsetDateTime>| {
        at.map_or_else(
            || "—".to_owned(),
            |at| format::date_time(page.lang_id(), at),
        )
    };
    let rows = vec![
        page.row("op-job-number", job.job_id.to_string()),
        page.row("op-job-kind", kind_label(&page, &job.kind)),
        page.row("op-job-state", state_label(&page, job.state)),
        page.row(
            "op-job-created",
            format::date_time(page.lang_id(), job.created_at),
        ),
        page.row("op-job-started", when(job.started_at)),
        page.row("op-job-finished", when(job.finished_at)),
        page.row("op-job-attempts", job.attempts.to_string()),
        page.row("op-job-progress", job.progress.to_string()),
    ];
    let report = job
        .summary
        .as_deref()
        .map(|s| report_rows(&page, s))
        .unwrap_or_default();
    let files = files
        .into_iter()
        .map(|name| (format!("/operacion/lotes/{id}/archivos/{name}"), name))
        .collect();
    let running = matches!(job.state, JobState::Queued | JobState::Running);
    render(
        BatchPage {
            rows,
            report,
            error: job.error.clone(),
            files,
            running,
            op,
            page,
        },
        set.into_iter().collect(),
    )
}

async fn file_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((id, name)): Path<(i64, String)>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match state
        .backoffice
        .batch_file(&ctx, id, &name, &caller(&headers, peer))
        .await
    {
        Ok(bytes) => {
            let disposition = HeaderValue::from_str(&format!(
                "attachment; filename=\"lote-{id}-{}\"",
                name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_")
            ))
            .unwrap_or(HeaderValue::from_static("attachment"));
            (
                StatusCode::OK,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => failed(&state, Some(&ctx), e),
    }
}
