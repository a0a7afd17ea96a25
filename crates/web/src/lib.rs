//! The HTTP tier. Handlers are thin: they call the app crate and translate its answer. The
//! tier keeps no state of its own beyond counters, so any number of instances can run behind a
//! load balancer.

mod accounts;
mod api;
mod appointment_booking;
mod appointment_reschedule;
mod appointments;
mod appointments_api;
mod assets;
mod auth;
mod backoffice;
mod backoffice_appointments;
mod backoffice_batches;
mod backoffice_identity;
mod calculator;
mod cancellation;
mod client_address;
mod components;
mod conversion;
mod corrections;
mod course;
mod credit;
mod credit_application;
mod credit_documents;
mod demo_messages;
mod drafts;
mod employment;
mod format;
mod gallery;
mod health;
mod home;
mod idempotency;
mod language;
mod message;
mod metrics;
mod page;
mod paid_off;
mod prequal;
mod procedures;
mod questions;
mod recovery;
mod refund;
mod refund_api;
mod relief;
mod savings;
mod second_factor;
mod server;
mod session_timeout;
mod statistics;
mod unamos;
mod unavailable;
mod verify;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use store::Store;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use metrics::Metrics;
pub use server::Limits;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler can reach: the services behind one pointer. axum clones the state for
/// every request, once for each middleware and once for the handler; cloning this is one
/// reference count, where cloning the services was more than a hundred, which two cores
/// serving many connections fought over.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl From<Services> for AppState {
    fn from(services: Services) -> AppState {
        AppState::new(services)
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services of the web tier, built once at start-up.
pub struct Services {
    pub store: Arc<dyn Store>,
    /// The same store for the reads that may lag a little (statistics; the statements read
    /// through `savings`): a PostgreSQL replica when one is configured, else `store`.
    pub lagging: Arc<dyn Store>,
    pub messages: Arc<app::i18n::Messages>,
    pub metrics: Arc<Metrics>,
    pub accounts: app::accounts::Accounts,
    pub savings: app::savings::Savings,
    pub prequal: app::prequal::Prequal,
    pub credits: app::credit::Credits,
    /// Payment relief on a credit: the 2020 Covid-19 measures, the prórroga, the FPP.
    pub relief: app::relief::Relief,
    /// Requests with a folio: the cancellation letter, refunds, corrections.
    pub requests: app::requests::Requests,
    /// The back office at /operacion.
    pub backoffice: app::backoffice::BackOffice,
    /// Credit applications: the draft, its documents in the blob store, sending it.
    pub applications: app::credit_application::CreditApplications,
    /// Unamos Créditos: pairing two members and their pooled credit.
    pub unamos: app::unamos::Unamos,
    /// The course "Saber más para decidir mejor" and its certificate.
    pub course: app::course::Course,
    /// Data corrections with their evidence.
    pub corrections: app::corrections::Corrections,
    /// Appointments at the service centres (CESI).
    pub appointments: app::appointments::Appointments,
    /// The pensioner refund: eligibility, bank account, e.firma, decisions.
    pub refunds: app::refund::PensionerRefunds,
    /// PDF documents: fonts and templates loaded once.
    pub documents: Arc<documents::Renderer>,
    /// Served to browsers over HTTPS (directly or behind a TLS proxy): adds HSTS.
    pub behind_tls: bool,
    /// The demo server: adds the component gallery at `/demo/componentes`.
    pub demo: bool,
    /// Load balancers and proxies whose `X-Forwarded-For` is believed: behind them the
    /// member's own address is what throttling counts and the audit log records.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Consultations counted as they happen, written to the store every few seconds.
    pub uses: Arc<app::stats::UseTally>,
    /// Statistics reports kept between refreshes of the summaries.
    pub reports: Arc<app::stats::ReportCache>,
}

pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
    });
    // Fonts are compressed already; everything else text-like is sent gzip or brotli.
    let compress = CompressionLayer::new()
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("font/")));
    let mut pages = Router::new()
        .route("/", get(home::view_home_get))
        .route("/ayuda", get(home::view_help_get))
        .route("/idioma", post(language::language_post))
        .route("/sesion/extender", post(session_timeout::extend_post))
        .route("/static/{file}", get(assets::static_get))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics_get))
        .route("/api/openapi.json", get(api::openapi_get))
        .merge(accounts::routes())
        .merge(recovery::routes())
        .merge(recovery::change_routes())
        .merge(second_factor::routes())
        .merge(savings::routes())
        .merge(prequal::routes())
        .merge(credit::routes())
        .merge(cancellation::routes())
        .merge(procedures::routes())
        .merge(appointments::routes())
        .merge(appointments_api::routes())
        .merge(refund::routes())
        .merge(verify::routes())
        .merge(backoffice::routes())
        .merge(backoffice_appointments::routes())
        .merge(backoffice_batches::routes())
        .merge(backoffice_identity::routes())
        .merge(corrections::routes())
        .merge(conversion::routes())
        .merge(paid_off::routes())
        .merge(credit_application::routes())
        .merge(course::routes())
        .merge(unamos::routes())
        .merge(relief::routes())
        .merge(statistics::routes());
    if state.demo {
        pages = pages
            .route("/demo/componentes", get(gallery::view_gallery_get))
            .route("/demo/mensajes", get(demo_messages::view_demo_messages_get));
    }
    pages
        .layer(middleware::from_fn_with_state(
            state.clone(),
            api::json_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::keys,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            unavailable::answer_clearly,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            drafts::keep_on_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page::request_context,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_address::behind_proxies,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(compress)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    state
        .metrics
        .observe(&route, response.status().as_u16(), started.elapsed());
    response
}

/// Headers every response carries; personal pages add `Cache-Control: no-store` themselves.
async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    if state.behind_tls {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish (at most `grace`), with
/// the default limits on what one client may take.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    serve_with_limits(listener, state, Limits::default(), shutdown, grace).await
}

/// As [`serve`], with limits of one's own.
pub async fn serve_with_limits(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let flusher = tokio::spawn(statistics::flush_uses(
        state.store.clone(),
        state.uses.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    let warmer = tokio::spawn(statistics::keep_report_warm(state.clone()));
    let served = server::run(listener, router(state), limits, shutdown, grace).await;
    warmer.abort();
    let _ = stop.send(());
    if let Err(e) = flusher.await {
        tracing::warn!(error = %e, "the procedure-use flusher ended badly");
    }
    served
}
