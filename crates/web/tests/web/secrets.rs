//! Secrets and personal data stay out of logs, caches and URLs. Real journeys (sign-up,
//! activation, a failed and a good sign-in, every page a signed-in member can reach by
//! following links, the member API with a bearer token, a password reset) run with the
//! server's tracing captured at debug level for Vivienda's crates; then the captured log is
//! searched for every NSS, CURP, RFC, e-mail, mobile, one-time code, password and token the
//! journey used, each as typed, form-encoded and percent-encoded. Every page and API answer a
//! signed-in member gets must say `Cache-Control: no-store`, and no URL the app generates
//! (redirects, links, form actions) may carry the NSS, CURP, RFC or e-mail.

use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::header::{CACHE_CONTROL, LOCATION};

use crate::accounts::{Browser, NSS, PASSWORD, code_from_outbox, location, sign_up_and_activate};
use crate::{Engine, spawn_app_on};

const CURP: &str = "GAHM850312MDFRRR09";
const RFC: &str = "GAHM850312K40";
const EMAIL: &str = "maria@example.mx";
const MOBILE: &str = "5512345678";
const WRONG_PASSWORD: &str = "otra frase cualquiera equivocada";
const NEW_PASSWORD: &str = "mi frase nueva, larga y secreta";

/// Everything written through `tracing` in this process from the first call on.
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,web=debug,app=debug,store=debug,store_sqlite=debug,store_postgres=debug,\
                 domain=debug,documents=debug,tower_http=debug",
            ))
            .with_ansi(false)
            // No timestamps: their microseconds could pass for a six-digit code.
            .without_time()
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other test sets a global subscriber");
        log
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The ways a value can reach a log line: as typed, form-encoded, percent-encoded, JSON-escaped.
fn spellings(value: &str) -> Vec<String> {
    let percent: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut all = vec![
        value.to_owned(),
        percent.replace("%20", "+"),
        percent.clone(),
        percent.to_lowercase(),
        serde_json::to_string(value)
            .unwrap()
            .trim_matches('"')
            .to_owned(),
    ];
    all.sort();
    all.dedup();
    all
}

/// Whether `value` occurs in `text` with no digit right before or after it (six-digit codes
/// would otherwise match inside longer numbers by chance).
fn occurs(text: &str, value: &str) -> bool {
    let digits_only = value.bytes().all(|b| b.is_ascii_digit());
    text.match_indices(value).any(|(at, _)| {
        if !digits_only {
            return true;
        }
        let before = text[..at].bytes().next_back();
        let after = text[at + value.len()..].bytes().next();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

/// The URLs a page generates under `attributes` (`href="`, `action="`, `src="`).
fn urls_in(html: &str, attributes: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in attributes {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    found
}

fn personal_in_url(url: &str) -> Option<&'static str> {
    let lower = url.to_lowercase();
    [NSS, CURP, RFC, EMAIL].into_iter().find(|value| {
        spellings(value)
            .iter()
            .any(|s| lower.contains(&s.to_lowercase()))
    })
}

/// Follows every same-site link from `start` as the signed-in browser, checking each answer:
/// `no-store`, and no personal data in its redirect or in any URL it contains.
async fn crawl_signed_in(browser: &mut Browser<'_>, start: &[&str]) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = start.iter().map(|s| (*s).to_owned()).collect();
    let mut problems = Vec::new();
    while let Some(path) = queue.pop_front() {
        if seen.len() >= 200 || !seen.insert(path.clone()) {
            continue;
        }
        let r = browser.get(&path).await;
        let status = r.status();
        let cache = r
            .headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        if !cache.contains("no-store") {
            problems.push(format!("{path} ({status}) has Cache-Control {cache:?}"));
        }
        // Links and redirects are followed; form targets and sources only looked at.
        let mut links = Vec::new();
        let mut targets = Vec::new();
        if let Some(to) = r.headers().get(LOCATION) {
            links.push(to.to_str().unwrap().to_owned());
        }
        let is_html = r
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        if is_html {
            let html = r.text().await.unwrap();
            links.extend(urls_in(&html, &["href=\""]));
            targets.extend(urls_in(&html, &["action=\"", "src=\"", "formaction=\""]));
        }
        for url in links.iter().chain(&targets) {
            if let Some(value) = personal_in_url(url) {
                problems.push(format!("{path} points to {url}, which carries {value}"));
            }
        }
        for link in links {
            let same_site = link.starts_with('/') && !link.starts_with("//");
            let followable = same_site
                && !link.starts_with("/static/")
                && !link.starts_with("/salir")
                && !link.starts_with("/demo/");
            if followable {
                queue.push_back(link.split('#').next().unwrap_or_default().to_owned());
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    seen
}

async fn secrets_stay_out_of_logs_caches_and_urls(engine: Engine) {
    let log = captured();
    let app = spawn_app_on(engine).await;
    let mut secrets: Vec<(&str, String)> = vec![
        ("NSS", NSS.into()),
        ("CURP", CURP.into()),
        ("RFC", RFC.into()),
        ("e-mail", EMAIL.into()),
        ("mobile", MOBILE.into()),
        ("password", PASSWORD.into()),
        ("wrong password", WRONG_PASSWORD.into()),
        ("new password", NEW_PASSWORD.into()),
    ];

    // Sign-up and activation (the activation code is the newest message then).
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;
    let activation = app.store.recent_messages(5).await.unwrap();
    for m in &activation {
        if let Some(at) = m.body.find("código es ") {
            let at = at + "código es ".len();
            secrets.push(("activation code", m.body[at..at + 6].to_owned()));
        }
    }
    let r = browser
        .post(
            "/entrar",
            &[("identifier", NSS), ("password", WRONG_PASSWORD)],
        )
        .await;
    assert_ne!(location(&r), "/cuenta");
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta");
    secrets.push(("session cookie", browser.cookies["__Host-sesion"].clone()));
    secrets.push(("CSRF token", browser.cookies["__Host-csrf"].clone()));

    // Every page a signed-in member reaches by following links.
    let pages = crawl_signed_in(&mut browser, &["/cuenta", "/"]).await;
    for expected in ["/cuenta", "/cuenta/contrasena"] {
        assert!(
            pages.contains(expected),
            "{expected} not reached: {pages:?}"
        );
    }
    assert!(
        pages.len() >= 15,
        "only {} pages reached: {pages:?}",
        pages.len()
    );

    // The member API with a bearer token.
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": NSS, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(
        r.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    secrets.push(("bearer token", token.clone()));
    let mut problems = Vec::new();
    for path in [
        "/api/v1/me/sessions",
        "/api/v1/me/savings",
        "/api/v1/me/movements",
        "/api/v1/me/employment",
        "/api/v1/me/credits",
        "/api/v1/me/notices",
        "/api/v1/me/prequalification",
        "/api/v1/me/appointments",
        "/api/v1/me/refund",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let cache = r
            .headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        if status != 401 && !cache.contains("no-store") {
            problems.push(format!("{path} ({status}) has Cache-Control {cache:?}"));
        }
        assert_ne!(status, 401, "{path} refused the bearer token");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let r = app
        .client
        .delete(format!("{}/api/v1/sessions/current", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // A forgotten password, reset with a code.
    let r = browser.post("/salir", &[]).await;
    assert_eq!(location(&r), "/entrar");
    browser.get("/recuperar").await;
    let r = browser.post("/recuperar", &[("identifier", NSS)]).await;
    assert_eq!(location(&r), "/recuperar/codigo");
    assert!(personal_in_url(location(&r)).is_none());
    let code = code_from_outbox(&app).await;
    secrets.push(("reset code", code.clone()));
    let r = browser
        .post(
            "/recuperar/codigo",
            &[("code", &code), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&r), "/entrar?restablecida=1");
    let r = browser
        .post(
            "/entrar",
            &[("identifier", EMAIL), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    secrets.push((
        "second session cookie",
        browser.cookies["__Host-sesion"].clone(),
    ));

    // The log: the journey is in it, its secrets are not.
    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        text.contains("path=/cuenta") && text.contains("path=/recuperar/codigo"),
        "the journey was not captured"
    );
    let mut leaks = Vec::new();
    for (what, value) in &secrets {
        for spelling in spellings(value) {
            if occurs(&text, &spelling) {
                let line = text
                    .lines()
                    .find(|l| occurs(l, &spelling))
                    .unwrap_or_default();
                leaks.push(format!("{what} {spelling:?} in: {line}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "secrets in the log:\n{}",
        leaks.join("\n")
    );
    println!(
        "{engine:?}: {} pages crawled signed in, {} secrets looked for in {} log lines: {pages:?}",
        pages.len(),
        secrets.len(),
        text.lines().count()
    );
}

crate::on_both_engines!(secrets_stay_out_of_logs_caches_and_urls);

#[test]
fn the_checks_themselves_see_what_they_look_for() {
    assert!(occurs("code=123456 sent", "123456"));
    assert!(!occurs("took 91234567 µs", "123456"));
    assert!(spellings("a b@c").contains(&"a+b%40c".to_owned()));
    assert_eq!(personal_in_url("/x?correo=maria%40example.mx"), Some(EMAIL));
    assert_eq!(personal_in_url("/cuenta"), None);
    assert_eq!(
        urls_in(
            "<a href=\"/a?x=1&amp;y=2\">a</a><form action=\"/b\">",
            &["href=\"", "action=\""]
        ),
        vec!["/a?x=1&y=2".to_owned(), "/b".to_owned()]
    );
}
