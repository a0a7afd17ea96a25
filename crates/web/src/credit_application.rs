//! "Tramitar mi crédito": choose the product and purpose, upload the documents of the
//! checklist (replace or delete them while it is a draft), check the answers, send, and follow
//! the application's timeline. Documents stream from the multipart body to the blob store; the
//! server never holds a whole file.

use app::credit_application::{ApplicationError, ApplicationView, Choice};
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::application::{DocumentItem, purposes};
use domain::audit::Channel;
use domain::points::Product;
use domain::requests::{Folio, RequestState};
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{Peer, forbidden, render};
use crate::auth;
use crate::components::{SummaryRow, TimelineEvent};
use crate::format;
use crate::page::{ErrorLine, Page};
use crate::savings::member_or_sign_in;

const BASE: &str = "/credito/solicitud";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(start_get).post(choose_post))
        .route("/credito/solicitud/{folio}", get(application_get))
        .route("/credito/solicitud/{folio}/revisar", get(check_get))
        .route("/credito/solicitud/{folio}/enviar", post(submit_post))
        .route(
            "/credito/solicitud/{folio}/documentos/{item}",
            post(upload_post).layer(DefaultBodyLimit::max(
                usize::try_from(app::credit_application::MAX_FILE_BYTES).unwrap_or(usize::MAX)
                    + 64 * 1024,
            )),
        )
        .route("/credito/solicitud/{folio}/archivos/{seq}", get(file_get))
        .route(
            "/credito/solicitud/{folio}/archivos/{seq}/eliminar",
            post(delete_post),
        )
}

fn href(folio: &Folio) -> String {
    format!("{BASE}/{}", folio.as_str())
}

/// One option of the product-and-purpose question.
pub(crate) struct ChoiceOption {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "application_choose.html")]
struct ChoosePage {
    page: Page,
    errors: Vec<ErrorLine>,
    options: Vec<ChoiceOption>,
    course_passed: bool,
}

fn choose_page(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    chosen: Option<Choice>,
    error: bool,
    course_passed: bool,
) -> ChoosePage {
    let mut page = Page::new(&state.messages, "application-choose-title", csrf);
    page.signed_in_as(ctx);
    page.has_errors = error;
    let errors = if error {
        vec![ErrorLine {
            field: "eleccion".into(),
            message: page.t("application-error-application_choice"),
        }]
    } else {
        Vec::new()
    };
    let options = [Product::Tradicional, Product::Cofinavit, Product::Mejoravit]
        .into_iter()
        .flat_map(|product| purposes(product).iter().map(move |p| (product, *p)))
        .map(|(product, purpose)| ChoiceOption {
            value: format!("{}:{}", product.code(), purpose.code()),
            label: page.t_text(
                "application-choice",
                &[
                    (
                        "product",
                        page.t(&format!("application-product-{}", product.code())),
                    ),
                    (
                        "purpose",
                        page.t(&format!("application-purpose-{}", purpose.code())),
                    ),
                ],
            ),
            checked: chosen == Some(Choice { product, purpose }),
        })
        .collect();
    ChoosePage {
        page,
        errors,
        options,
        course_passed,
    }
}

/// The start: the member's application in process, or the product-and-purpose question.
async fn start_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let current = match state.applications.current(ctx.member_id).await {
        Ok(c) => c,
        Err(e) => return failed(&state, &headers, e),
    };
    let chosen = match current {
        Some(r) if r.state != RequestState::Draft => {
            return Redirect::to(&href(&r.folio)).into_response();
        }
        // "Cambiar" on a draft comes back here with its choice marked.
        Some(r) => state
            .applications
            .view(ctx.member_id, &r.folio, &caller)
            .await
            .ok()
            .map(|v| v.choice),
        None => None,
    };
    let course_passed = state
        .applications
        .course_passed(ctx.member_id)
        .await
        .unwrap_or(false);
    let (csrf, set) = auth::csrf_token(&headers);
    render(
        choose_page(&state, &ctx, &csrf, chosen, false, course_passed),
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
struct ChooseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    eleccion: String,
}

async fn choose_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<ChooseForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (product, purpose) = form.eleccion.split_once(':').unwrap_or(("", ""));
    let choice = match Choice::parse(product, purpose) {
        Ok(c) if c.product != Product::UnamosCreditos => c,
        _ => {
            let (csrf, set) = auth::csrf_token(&headers);
            let passed = state
                .applications
                .course_passed(ctx.member_id)
                .await
                .unwrap_or(false);
            let mut r = render(
                choose_page(&state, &ctx, &csrf, None, true, passed),
                set.into_iter().collect(),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let acting = app::requests::Acting::Member(ctx.member_id);
    match state
        .applications
        .choose(ctx.member_id, choice, acting, &caller)
        .await
    {
        Ok(folio) => Redirect::to(&href(&folio)).into_response(),
        Err(e) => failed(&state, &headers, e),
    }
}

/// A document of the checklist as the draft page shows it.
pub(crate) struct DocumentLine {
    pub item: &'static str,
    pub label: String,
    pub hint: String,
    /// "acta.pdf (120 KB)" when a file is kept.
    pub file: Option<String>,
    pub file_href: String,
    pub delete_href: String,
    pub upload_href: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "application_draft.html")]
struct DraftPage {
    page: Page,
    errors: Vec<ErrorLine>,
    folio: String,
    rows: Vec<SummaryRow>,
    documents: Vec<DocumentLine>,
    course_passed: bool,
    check_href: String,
    max_mb: u64,
}

fn draft_page(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    view: &ApplicationView,
    error: Option<(DocumentItem, String)>,
) -> DraftPage {
    let mut page = Page::new(&state.messages, "application-draft-title", csrf);
    page.signed_in_as(ctx);
    page.has_errors = error.is_some();
    let folio = &view.request.folio;
    let errors: Vec<ErrorLine> = error
        .iter()
        .map(|(item, message)| ErrorLine {
            field: format!("documento-{}", item.code()),
            message: message.clone(),
        })
        .collect();
    let documents = view
        .documents
        .iter()
        .map(|(item, file)| DocumentLine {
            item: item.code(),
            label: page.t(&format!("application-doc-{}", item.code())),
            hint: page.t(&format!("application-doc-{}-hint", item.code())),
            file: file
                .as_ref()
                .map(|f| format!("{} ({} KB)", f.file_name, f.size.div_ceil(1024))),
            file_href: file
                .as_ref()
                .map(|f| format!("{}/archivos/{}", href(folio), f.seq))
                .unwrap_or_default(),
            delete_href: file
                .as_ref()
                .map(|f| format!("{}/archivos/{}/eliminar", href(folio), f.seq))
                .unwrap_or_default(),
            upload_href: format!("{}/documentos/{}", href(folio), item.code()),
            error: error
                .as_ref()
                .filter(|(i, _)| i == item)
                .map(|(_, m)| m.clone()),
        })
        .collect();
    let rows = choice_rows(&page, view.choice, true);
    DraftPage {
        folio: folio.as_str().to_owned(),
        check_href: format!("{}/revisar", href(folio)),
        max_mb: app::credit_application::MAX_FILE_BYTES / (1024 * 1024),
        course_passed: view.course_passed,
        rows,
        documents,
        errors,
        page,
    }
}

fn choice_rows(page: &Page, choice: Choice, changeable: bool) -> Vec<SummaryRow> {
    let change = changeable.then(|| BASE.to_owned());
    vec![
        SummaryRow {
            key: page.t("application-product"),
            value: page.t(&format!("application-product-{}", choice.product.code())),
            change_href: change.clone(),
        },
        SummaryRow {
            key: page.t("application-purpose"),
            value: page.t(&format!("application-purpose-{}", choice.purpose.code())),
            change_href: change,
        },
    ]
}

#[derive(Template)]
#[template(path = "application_status.html")]
struct StatusPage {
    page: Page,
    folio: String,
    just_sent: bool,
    rows: Vec<SummaryRow>,
    files: Vec<(String, String)>,
    events: Vec<TimelineEvent>,
}

/// The application: the draft being built, or where the sent application stands.
async fn application_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    show(state, peer, headers, folio, false).await
}

async fn show(
    state: AppState,
    peer: Peer,
    headers: HeaderMap,
    folio: String,
    just_sent: bool,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    let view = match state
        .applications
        .view(ctx.member_id, &folio, &caller)
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    if view.request.state == RequestState::Draft {
        return render(
            draft_page(&state, &ctx, &csrf, &view, None),
            set.into_iter().collect(),
        );
    }
    let status = match state.requests.status(ctx.member_id, &folio, &caller).await {
        Ok(s) => s,
        Err(e) => return crate::savings::unavailable(e),
    };
    let mut page = Page::new(&state.messages, "application-status-title", &csrf);
    page.signed_in_as(&ctx);
    let lang = page.lang_id();
    let mut rows = vec![
        page.row("request-folio", folio.as_str().to_owned()),
        page.row(
            "request-state",
            page.t(&format!("request-stage-{}", status.state.stage().code())),
        ),
        page.row(
            "application-next",
            page.t(&format!("request-owner-{}", status.next_owner.code())),
        ),
    ];
    if let Some(reason) = status.state.reason() {
        rows.push(page.row(
            "application-reason",
            page.t(&format!("request-reason-{}", reason.as_str())),
        ));
    }
    if let Some(clock) = &status.clock {
        rows.push(page.row(
            "application-promised",
            format::date(clock.promised_on, lang),
        ));
        rows.push(page.row(
            "application-elapsed",
            page.t_with(
                "request-days-elapsed",
                &[("elapsed", i64::from(clock.business_days_elapsed))],
            ),
        ));
    }
    rows.extend(choice_rows(&page, view.choice, false));
    let files = view
        .documents
        .iter()
        .filter_map(|(item, file)| {
            file.as_ref().map(|f| {
                (
                    page.t(&format!("application-doc-{}", item.code())),
                    format!("{}/archivos/{}", href(&folio), f.seq),
                )
            })
        })
        .collect();
    let events = page.request_timeline(&status.timeline);
    render(
        StatusPage {
            folio: folio.as_str().to_owned(),
            just_sent,
            rows,
            files,
            events,
            page,
        },
        set.into_iter().collect(),
    )
}

/// Receives one document. The CSRF token and the session are checked from the fields before
/// the file; then the file streams to the blob store.
async fn upload_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((folio, item)): Path<(String, String)>,
    mut form: Multipart,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    let mut csrf_checked = false;
    let mut outcome: Option<Result<(), ApplicationError>> = None;
    let mut member = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                outcome.get_or_insert(Err(ApplicationError::Interrupted));
                break;
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "csrf" => {
                let token = field.text().await.unwrap_or_default();
                if !auth::csrf_ok(&headers, &token) {
                    return forbidden(&state);
                }
                csrf_checked = true;
            }
            "documento" if outcome.is_none() => {
                if !csrf_checked {
                    return forbidden(&state);
                }
                let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
                    return Redirect::to("/entrar").into_response();
                };
                let acting = app::requests::Acting::Member(ctx.member_id);
                let chunks = futures_util::stream::unfold(&mut field, |f| async move {
                    match f.chunk().await {
                        Ok(Some(bytes)) => Some((Ok(bytes), f)),
                        Ok(None) => None,
                        Err(e) => Some((Err(e), f)),
                    }
                });
                let result = state
                    .applications
                    .upload(ctx.member_id, &folio, &item, chunks, acting, &caller)
                    .await
                    .map(|_| ());
                // Whatever was not read of a refused file is read and dropped, so the browser
                // gets the answer instead of a broken connection.
                while let Ok(Some(_)) = field.chunk().await {}
                member = Some(ctx);
                outcome = Some(result);
            }
            _ => while let Ok(Some(_)) = field.chunk().await {},
        }
    }
    let Some(ctx) = member else {
        if !csrf_checked {
            return forbidden(&state);
        }
        let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
            return Redirect::to("/entrar").into_response();
        };
        return refused(
            &state,
            &headers,
            &ctx,
            &caller,
            &folio,
            &item,
            ApplicationError::File(domain::application::FileProblem::Empty),
        )
        .await;
    };
    match outcome {
        Some(Ok(())) | None => Redirect::to(&href(&folio)).into_response(),
        Some(Err(e)) => refused(&state, &headers, &ctx, &caller, &folio, &item, e).await,
    }
}

/// The draft again, with the refused document's message beside it and in the summary.
async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &app::accounts::SessionContext,
    caller: &app::accounts::Caller,
    folio: &Folio,
    item: &str,
    e: ApplicationError,
) -> Response {
    let Some(item) = DocumentItem::from_code(item) else {
        return failed(state, headers, e);
    };
    if e.is_internal() || matches!(e, ApplicationError::NotDraft | ApplicationError::Request(_)) {
        return failed(state, headers, e);
    }
    let view = match state.applications.view(ctx.member_id, folio, caller).await {
        Ok(v) => v,
        Err(e) => return failed(state, headers, e),
    };
    let (csrf, set) = auth::csrf_token(headers);
    let message = state.messages.text(
        crate::page::lang(),
        &format!("application-error-{}", e.code()),
    );
    let mut r = render(
        draft_page(state, ctx, &csrf, &view, Some((item, message))),
        set.into_iter().collect(),
    );
    // A full disk is ours to fix, not the member's: told beside the field all the same.
    *r.status_mut() = if matches!(e, ApplicationError::StorageFull) {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    r
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn delete_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((folio, seq)): Path<(String, u32)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    let acting = app::requests::Acting::Member(ctx.member_id);
    match state
        .applications
        .delete_file(ctx.member_id, &folio, seq, acting, &caller)
        .await
    {
        Ok(()) => Redirect::to(&href(&folio)).into_response(),
        Err(e) => failed(&state, &headers, e),
    }
}

/// A document of the member's own application, streamed from the blob store.
async fn file_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((folio, seq)): Path<(String, u32)>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    match state
        .applications
        .file(ctx.member_id, &folio, seq, &caller)
        .await
    {
        Ok((file, bytes)) => {
            let mut response = Body::from_stream(bytes).into_response();
            let h = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&file.content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => failed(&state, &headers, e),
    }
}

#[derive(Template)]
#[template(path = "application_check.html")]
struct CheckPage {
    page: Page,
    rows: Vec<SummaryRow>,
    documents: Vec<SummaryRow>,
    missing: Vec<String>,
    course_passed: bool,
    submit_href: String,
    back_href: String,
}

/// Check your answers: the choice and every document, before sending.
async fn check_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    let view = match state
        .applications
        .view(ctx.member_id, &folio, &caller)
        .await
    {
        Ok(v) if v.request.state == RequestState::Draft => v,
        Ok(_) => return Redirect::to(&href(&folio)).into_response(),
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "application-check-title", &csrf);
    page.signed_in_as(&ctx);
    let documents = view
        .documents
        .iter()
        .map(|(item, file)| SummaryRow {
            key: page.t(&format!("application-doc-{}", item.code())),
            value: file.as_ref().map_or_else(
                || page.t("application-doc-missing"),
                |f| f.file_name.clone(),
            ),
            change_href: Some(href(&folio)),
        })
        .collect();
    let missing = view
        .missing()
        .into_iter()
        .map(|item| page.t(&format!("application-doc-{}", item.code())))
        .collect();
    render(
        CheckPage {
            rows: choice_rows(&page, view.choice, true),
            documents,
            missing,
            course_passed: view.course_passed,
            submit_href: format!("{}/enviar", href(&folio)),
            back_href: href(&folio),
            page,
        },
        set.into_iter().collect(),
    )
}

async fn submit_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Ok(parsed) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    let acting = app::requests::Acting::Member(ctx.member_id);
    match state
        .applications
        .submit(ctx.member_id, &parsed, acting, &caller)
        .await
    {
        Ok(_) => show(state, peer, headers, folio, true).await,
        Err(e) => failed(&state, &headers, e),
    }
}

fn failed(state: &AppState, headers: &HeaderMap, e: ApplicationError) -> Response {
    if e.is_internal() {
        return crate::savings::unavailable(e);
    }
    if matches!(
        e,
        ApplicationError::Request(app::requests::RequestError::NotFound)
    ) {
        return crate::credit::not_found(state, headers);
    }
    let back = match e {
        ApplicationError::CourseRequired => ("/credito/curso", "application-go-to-course"),
        _ => (BASE, "application-back"),
    };
    crate::message::message_page(
        state,
        headers,
        StatusCode::UNPROCESSABLE_ENTITY,
        "application-title",
        &format!("application-error-{}", e.code()),
        back,
    )
}
