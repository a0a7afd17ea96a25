//! The HTTP tier started for real on port 0 over a fresh SQLite store, driven like a client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

mod accounts;
mod browser;
mod design;

pub struct TestApp {
    address: String,
    client: reqwest::Client,
    store: Arc<dyn store::Store>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// How a test wants the app: the session time-outs and whether it is the demo server.
pub struct Options {
    pub policy: app::accounts::SessionPolicy,
    pub demo: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            policy: app::accounts::SessionPolicy::default(),
            demo: true,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-web-test-{}-{:?}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn store::Store> =
        Arc::new(store_sqlite::SqliteStore::open(&dir.join("test.db")).unwrap());
    let messages = Arc::new(app::i18n::Messages::load().unwrap());
    let members = dir.join("members.csv");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/members.csv"),
        &members,
    )
    .unwrap();
    app::import::import_file(
        store.as_ref(),
        store::ImportKind::Members,
        &members,
        &messages,
        &mut |_| {},
    )
    .await
    .unwrap();
    let accounts = app::accounts::Accounts::new(
        store.clone(),
        app::accounts::Passwords::new(app::accounts::HashCost::cheapest(), 2).unwrap(),
        b"test key",
        Arc::new(app::clock::SystemClock),
        options.policy,
    );
    let state = web::AppState {
        store: store.clone(),
        messages,
        metrics: Arc::new(web::Metrics::default()),
        accounts,
        behind_tls: true,
        demo: options.demo,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(web::serve(
        listener,
        state,
        async {
            let _ = stopped.await;
        },
        Duration::from_secs(1),
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        store,
        _stop: stop,
    }
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "sqlite");
}

#[tokio::test]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = spawn_app().await;
    let home = app.client.get(&app.address).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let h = home.headers();
    assert!(h.get("x-request-id").is_some_and(|v| v.len() >= 32));
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    let html = home.text().await.unwrap();
    assert!(html.contains("lang=\"es-MX\""));
    assert!(html.contains("Todos los trámites son gratuitos y personales"));
    // A request id sent by a proxy is kept, so logs line up across tiers.
    let mine = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
    }
    app.client
        .get(format!("{}/no-such-page", app.address))
        .send()
        .await
        .unwrap();
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("vivienda_http_requests_total{route=\"/healthz\",status=\"200\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("vivienda_http_requests_total{route=\"unmatched\",status=\"404\"} 1"),
        "{text}"
    );
    assert!(text.contains("vivienda_http_request_duration_seconds_count{route=\"/healthz\"} 3"));
}
