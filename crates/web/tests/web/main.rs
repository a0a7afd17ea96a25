//! The HTTP tier started for real on port 0 over a fresh SQLite store, driven like a client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

struct TestApp {
    address: String,
    client: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn spawn_app() -> TestApp {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-web-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = store_sqlite::SqliteStore::open(&dir.join("test.db")).unwrap();
    let state = web::AppState {
        store: Arc::new(store),
        messages: Arc::new(app::i18n::Messages::load().unwrap()),
        metrics: Arc::new(web::Metrics::default()),
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
    TestApp {
        address,
        client: reqwest::Client::new(),
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
