//! The public verification page `/verificar/{code}` (where every document's QR code leads)
//! and its API: whether the fund issued a document, its kind and date and a masked name —
//! nothing more. Uploading the PDF also checks its bytes, so an altered copy fails.

use app::verify::{Issued, Verdict};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::AppState;
use crate::accounts::{api_error, forbidden, render};
use crate::auth;
use crate::components::SummaryRow;
use crate::format;
use crate::page::Page;

/// The largest PDF accepted for checking.
const MAX_PDF: usize = 8 * 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/verificar", get(view_verify_get).post(view_verify_post))
        .route("/verificar/{code}", get(view_verify_code_get))
        .route(
            "/api/v1/documents/{code}",
            get(api_verify_get).post(api_verify_post),
        )
        .layer(DefaultBodyLimit::max(MAX_PDF + 64 * 1024))
}

pub(crate) struct VerdictView {
    pub genuine: bool,
    pub title: String,
    pub text: String,
    pub rows: Vec<SummaryRow>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    page: Page,
    code: String,
    result: Option<VerdictView>,
}

fn verdict_view(page: &Page, verdict: &Verdict, with_file: bool) -> VerdictView {
    let rows = |i: &Issued| {
        let row = |key: &str, value: String| page.row(key, value);
        vec![
            row("verify-kind", page.t(&format!("document-{}", i.kind))),
            row(
                "verify-issued",
                format::date_time(page.lang_id(), i.issued_at),
            ),
            row("verify-holder", i.holder.clone()),
            row("verify-code", i.code.clone()),
        ]
    };
    match verdict {
        Verdict::Genuine(i) => VerdictView {
            genuine: true,
            title: page.t("verify-genuine"),
            text: page.t(if with_file {
                "verify-genuine-file"
            } else {
                "verify-genuine-code"
            }),
            rows: rows(i),
        },
        Verdict::Altered(i) => VerdictView {
            genuine: false,
            title: page.t("verify-altered"),
            text: page.t("verify-altered-text"),
            rows: rows(i),
        },
        Verdict::Unknown => VerdictView {
            genuine: false,
            title: page.t("verify-unknown"),
            text: page.t("verify-unknown-text"),
            rows: Vec::new(),
        },
    }
}

fn verify_page(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    result: Option<(Verdict, bool)>,
) -> Response {
    let (csrf, set) = auth::csrf_token(headers);
    let page = Page::new(&state.messages, "verify-title", &csrf);
    let template = VerifyPage {
        result: result.map(|(v, f)| verdict_view(&page, &v, f)),
        code,
        page,
    };
    let mut response = render(template, set.into_iter().collect());
    // A verdict is about one document: no search engine should keep it.
    response
        .headers_mut()
        .insert("x-robots-tag", header::HeaderValue::from_static("noindex"));
    response
}

pub(crate) async fn view_verify_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    verify_page(&state, &headers, String::new(), None)
}

pub(crate) async fn view_verify_code_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    match app::verify::verify(state.store.as_ref(), &code, None).await {
        Ok(v) => verify_page(&state, &headers, code, Some((v, false))),
        Err(e) => crate::savings::unavailable(e),
    }
}

pub(crate) async fn view_verify_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut code = String::new();
    let mut file: Option<Bytes> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return verify_page(&state, &headers, code, Some((Verdict::Unknown, false))),
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("codigo") => {
                code = field
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(64)
                    .collect()
            }
            Some("archivo") => match field.bytes().await {
                Ok(bytes) if !bytes.is_empty() => file = Some(bytes),
                Ok(_) => {}
                Err(_) => {
                    return verify_page(&state, &headers, code, Some((Verdict::Unknown, false)));
                }
            },
            _ => {}
        }
    }
    if !auth::csrf_ok(&headers, &csrf) {
        return forbidden(&state);
    }
    match app::verify::verify(state.store.as_ref(), &code, file.as_deref()).await {
        Ok(v) => verify_page(&state, &headers, code, Some((v, file.is_some()))),
        Err(e) => crate::savings::unavailable(e),
    }
}

fn verdict_json(state: &AppState, result: Result<Verdict, store::StoreError>) -> Response {
    match result {
        Ok(v) => ([(header::CACHE_CONTROL, "no-store")], Json(v)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "verification failed");
            api_error(
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            )
        }
    }
}

pub(crate) async fn api_verify_get(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Response {
    verdict_json(
        &state,
        app::verify::verify(state.store.as_ref(), &code, None).await,
    )
}

/// The PDF itself as the request body (`Content-Type: application/pdf`).
pub(crate) async fn api_verify_post(
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    if body.is_empty() {
        return api_error(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "document_file_missing",
        );
    }
    verdict_json(
        &state,
        app::verify::verify(state.store.as_ref(), &code, Some(&body)).await,
    )
}
