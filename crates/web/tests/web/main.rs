//! The HTTP tier started for real on port 0 over a fresh store, driven like a client. The
//! account journeys run twice, on SQLite and on PostgreSQL (in a schema of their own, when
//! `VIVIENDA_TEST_POSTGRES_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

mod abuse;
mod accounts;
mod appointments;
mod authorization;
mod backoffice;
mod batches;
mod browser;
mod burst;
mod conversion;
mod corrections;
mod credit;
mod credit_application;
mod design;
mod faults;
mod identity;
mod openapi;
mod paid_off;
mod prequal;
mod refund;
mod relief;
mod savings;
mod second_factor;
mod secrets;
mod statistics;

pub struct TestApp {
    address: String,
    client: reqwest::Client,
    store: Arc<dyn store::Store>,
    /// Set when the test asked to move time by hand.
    clock: Option<Arc<app::clock::TestClock>>,
    /// The PostgreSQL schema to drop when the test ends.
    pg_schema: Option<(String, String)>,
    /// The SQLite file, for tests that look at what was written to disk.
    sqlite_path: Option<std::path::PathBuf>,
    /// The directory of the blob store (uploaded documents).
    blob_dir: std::path::PathBuf,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some((url, schema)) = self.pg_schema.take() else {
            return;
        };
        // Drop runs inside the test's runtime; a thread of its own can block on another.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok((client, connection)) =
                    tokio_postgres::connect(&url, tokio_postgres::NoTls).await
                {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// The database a test app runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub const POSTGRES_URL_VAR: &str = "VIVIENDA_TEST_POSTGRES_URL";

fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// Runs each named journey (an `async fn(Engine)`) as one test per engine. Without
/// `VIVIENDA_TEST_POSTGRES_URL` the PostgreSQL ones say they were skipped.
#[macro_export]
macro_rules! on_both_engines {
    ($($journey:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $journey() {
                    super::$journey($crate::Engine::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $journey() {
                    if $crate::skip_postgres() {
                        return;
                    }
                    super::$journey($crate::Engine::Postgres).await;
                }
            )*
        }
    };
}

pub fn skip_postgres() -> bool {
    let skip = postgres_url().is_none();
    if skip {
        println!("PostgreSQL journey skipped: {POSTGRES_URL_VAR} is not set");
    }
    skip
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// How a test wants the app: the session time-outs and whether it is the demo server.
pub struct Options {
    pub policy: app::accounts::SessionPolicy,
    pub demo: bool,
    pub engine: Engine,
    /// Time moves only when the test says (`TestApp::advance`).
    pub clock_by_hand: bool,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The virus-scan hook; none by default.
    pub virus_scan: Option<Arc<dyn app::uploads::VirusScan>>,
    /// What one client may take of the server; the production defaults when `None`.
    pub limits: Option<web::Limits>,
    /// The server reaches PostgreSQL here instead of `VIVIENDA_TEST_POSTGRES_URL` (through a
    /// proxy that can cut it, say); the schema is still dropped through the direct URL.
    pub postgres_via: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            policy: app::accounts::SessionPolicy::default(),
            demo: true,
            engine: Engine::Sqlite,
            clock_by_hand: false,
            trusted_proxies: Vec::new(),
            virus_scan: None,
            limits: None,
            postgres_via: None,
        }
    }
}

pub async fn spawn_app_on(engine: Engine) -> TestApp {
    spawn_app_with(Options {
        engine,
        clock_by_hand: true,
        ..Options::default()
    })
    .await
}

impl TestApp {
    /// GET `path` (from the server's root) as JSON, as the member with bearer `token` if given.
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> serde_json::Value {
        let mut request = self.client.get(format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// The `n`-th free slot (day, time) for `procedure` at the Guadalajara office, JAL01.
    pub async fn free_slot(&self, procedure: &str, n: usize) -> (String, String) {
        let slots = self
            .get_json(
                &format!("/api/v1/cesi/offices/JAL01/slots?procedure={procedure}"),
                None,
            )
            .await;
        let slot = &slots["slots"][n];
        (
            slot["day"].as_str().unwrap().to_owned(),
            slot["time"].as_str().unwrap().to_owned(),
        )
    }

    /// The id of the member with this NSS, who must exist.
    pub async fn member_id(&self, nss: &str) -> domain::registry::MemberId {
        self.store
            .member_by_nss(&domain::ids::Nss::parse(nss).unwrap())
            .await
            .unwrap()
            .unwrap()
            .member_id
    }

    /// Moves the app's clock forward (only for an app spawned with `clock_by_hand`).
    pub fn advance(&self, by: time::Duration) {
        self.clock
            .as_ref()
            .expect("spawned with clock_by_hand")
            .advance(by);
    }

    pub fn now(&self) -> time::OffsetDateTime {
        use app::clock::Clock;
        match &self.clock {
            Some(clock) => clock.now(),
            None => time::OffsetDateTime::now_utc(),
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
    std::fs::create_dir_all(&dir).unwrap();
    let mut pg_schema = None;
    let sqlite_path = (options.engine == Engine::Sqlite).then(|| dir.join("test.db"));
    let store: Arc<dyn store::Store> = match options.engine {
        Engine::Sqlite => Arc::new(store_sqlite::SqliteStore::open(&dir.join("test.db")).unwrap()),
        Engine::Postgres => {
            let url = postgres_url().expect("a PostgreSQL journey needs its URL");
            // Named like the store crate's test schemas, so a crashed run's are cleaned up.
            let schema = format!(
                "vivienda_test_{}_web{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            let via = options.postgres_via.as_deref().unwrap_or(&url);
            let store = store_postgres::PgStore::connect_with_schema(via, &schema)
                .await
                .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is set, but: {e}"));
            pg_schema = Some((url, schema));
            Arc::new(store)
        }
    };
    let clock = options
        .clock_by_hand
        .then(|| Arc::new(app::clock::TestClock::at(time::OffsetDateTime::now_utc())));
    let app_clock: Arc<dyn app::clock::Clock> = match &clock {
        Some(c) => c.clone(),
        None => Arc::new(app::clock::SystemClock),
    };
    let messages = Arc::new(app::i18n::Messages::load().unwrap());
    // The documented example files: María and Juan, their employers, jobs and contributions.
    for (kind, file) in [
        (store::ImportKind::Members, "members.csv"),
        (store::ImportKind::Employers, "employers.csv"),
        (store::ImportKind::Relations, "relations.csv"),
        (store::ImportKind::Contributions, "contributions.csv"),
    ] {
        let copy = dir.join(file);
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../docs/examples")
                .join(file),
            &copy,
        )
        .unwrap();
        app::import::import_file(store.as_ref(), kind, &copy, &messages, &mut |_| {})
            .await
            .unwrap();
    }
    let accounts = app::accounts::Accounts::new(
        store.clone(),
        app::accounts::Passwords::new(app::accounts::HashCost::cheapest(), 2).unwrap(),
        b"test key",
        app_clock.clone(),
        options.policy,
    );
    let tables = Arc::new(domain::reference::ReferenceTables::embedded().unwrap());
    let requests = app::requests::Requests::new(
        store.clone(),
        app_clock.clone(),
        Arc::new(domain::requests::ServiceStandards::embedded().unwrap()),
        domain::requests::Holidays::federal(),
        messages.clone(),
    );
    let offices = domain::appointments::Offices::embedded(&tables.states).unwrap();
    let refunds = app::refund::PensionerRefunds::new(
        store.clone(),
        accounts.clone(),
        requests.clone(),
        tables.clone(),
        Some(Arc::new(refund::pki().sat.trusted())),
        messages.clone(),
    );
    let prequal = app::prequal::Prequal::new(
        store.clone(),
        tables.clone(),
        Arc::new(domain::points::PointsTables::embedded().unwrap()),
    );
    let blob_dir = dir.join("blobs");
    let applications = app::credit_application::CreditApplications::new(
        store.clone(),
        requests.clone(),
        Arc::new(app::blobs::DirectoryBlobs::open(&blob_dir).unwrap()),
        options
            .virus_scan
            .clone()
            .unwrap_or_else(|| Arc::new(app::uploads::NoScan)),
    );
    let state = web::AppState::new(web::Services {
        course: app::course::Course::new(store.clone(), app_clock.clone()),
        appointments: app::appointments::Appointments::new(
            store.clone(),
            app_clock.clone(),
            Arc::new(offices),
            domain::requests::Holidays::federal(),
            domain::appointments::SlotRules::default(),
            messages.clone(),
        ),
        backoffice: app::backoffice::BackOffice::new(
            store.clone(),
            app::accounts::Passwords::new(app::accounts::HashCost::cheapest(), 2).unwrap(),
            b"test key",
            app_clock.clone(),
            requests.clone(),
        )
        .with_blobs(applications.blobs().clone()),
        applications,
        corrections: app::corrections::Corrections::new(store.clone(), requests.clone()),
        requests,
        refunds,
        documents: Arc::new(documents::Renderer::new("https://vivienda.example").unwrap()),
        savings: app::savings::Savings::new(store.clone(), tables.clone()),
        relief: app::relief::Relief::new(
            store.clone(),
            app::credit::Credits::new(store.clone(), tables.clone()),
            Arc::new(domain::credit::relief::ReliefProgrammes::embedded().unwrap()),
            app_clock.clone(),
            messages.clone(),
        ),
        credits: app::credit::Credits::new(store.clone(), tables.clone()),
        unamos: app::unamos::Unamos::new(store.clone(), prequal.clone(), app_clock.clone()),
        prequal,
        store: store.clone(),
        lagging: store.clone(),
        messages,
        metrics: Arc::new(web::Metrics::default()),
        accounts,
        behind_tls: true,
        demo: options.demo,
        trusted_proxies: options.trusted_proxies.into(),
        uses: Default::default(),
        reports: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(web::serve_with_limits(
        listener,
        state,
        options.limits.unwrap_or_default(),
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
        clock,
        pg_schema,
        sqlite_path,
        blob_dir,
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

#[tokio::test]
async fn the_demo_shows_the_messages_it_would_have_sent_and_only_the_demo() {
    let app = spawn_app().await;
    let mut browser = accounts::Browser::new(&app);
    accounts::sign_up_and_activate(&mut browser).await;
    let code = accounts::code_from_outbox(&app).await;
    let page = browser.get("/demo/mensajes").await.text().await.unwrap();
    assert!(page.contains("Mensajes enviados"), "{page}");
    assert!(page.contains("maria@example.mx"), "{page}");
    let home = browser.get("/").await.text().await.unwrap();
    assert!(
        home.contains("href=\"/demo/mensajes\""),
        "the demo banner links it"
    );
    assert!(
        page.contains(&code),
        "the activation code is readable: {page}"
    );

    let real = spawn_app_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let r = real
        .client
        .get(format!("{}/demo/mensajes", real.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let home = real
        .client
        .get(&real.address)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!home.contains("/demo/mensajes"));
}
