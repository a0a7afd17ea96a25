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

use domain::operators::Role;
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
/// Fails naming every secret found in `text`, in any of its spellings, with its line.
fn assert_no_leaks<W: std::fmt::Display, S: AsRef<str>>(text: &str, secrets: &[(W, S)]) {
    let mut leaks = Vec::new();
    for (what, value) in secrets {
        for spelling in spellings(value.as_ref()) {
            if occurs(text, &spelling) {
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
}

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

/// Follows every same-site link under `within` from `start` as the signed-in browser, checking
/// each answer: `no-store`, and no personal data in its redirect or in any URL it contains.
async fn crawl_signed_in(
    browser: &mut Browser<'_>,
    start: &[&str],
    within: &str,
) -> BTreeSet<String> {
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
                && link.starts_with(within)
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
    let pages = crawl_signed_in(&mut browser, &["/cuenta", "/"], "/").await;
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
    assert_no_leaks(&text, &secrets);
    println!(
        "{engine:?}: {} pages crawled signed in, {} secrets looked for in {} log lines: {pages:?}",
        pages.len(),
        secrets.len(),
        text.lines().count()
    );
}

/// Whether an answer says `Cache-Control: no-store`.
fn no_store(r: &reqwest::Response) -> bool {
    r.headers()
        .get(CACHE_CONTROL)
        .is_some_and(|v| v.to_str().unwrap().contains("no-store"))
}

/// The back office: an operator of each role signs in with password and authenticator code and
/// follows every link under `/operacion`; an agent looks María up by her NSS and unmasks her
/// record, opens her correction request and its evidence. Every page is `no-store`, no URL
/// carries her NSS, CURP, RFC or e-mail, and the log holds none of them, nor the operators'
/// passwords, codes, session cookies or CSRF tokens.
async fn the_back_office_keeps_secrets_out_of_logs_caches_and_urls(engine: Engine) {
    let log = captured();
    let app = spawn_app_on(engine).await;
    let mut secrets: Vec<(String, String)> = vec![
        ("NSS".into(), NSS.into()),
        ("CURP".into(), CURP.into()),
        ("RFC".into(), RFC.into()),
        ("e-mail".into(), EMAIL.into()),
        ("mobile".into(), MOBILE.into()),
    ];
    // María's correction, with evidence, waits in the queue.
    let mut maria = crate::savings::signed_in_maria(&app).await;
    let folio = crate::corrections::file_surname_correction(&app, &mut maria).await;
    let member = app.member_id(NSS).await;

    let mut crawled = Vec::new();
    for role in Role::ALL {
        let created = crate::backoffice::create(&app, &format!("op.{}", role.code()), role).await;
        secrets.push((
            format!("{} password", role.code()),
            created.password.clone(),
        ));
        secrets.push((
            format!("{} code", role.code()),
            crate::backoffice::code_now(&app, &created),
        ));
        let mut browser = crate::backoffice::sign_in(&app, &created).await;
        secrets.push((
            format!("{} session cookie", role.code()),
            browser.cookies["__Host-operacion"].clone(),
        ));
        secrets.push((
            format!("{} CSRF token", role.code()),
            browser.cookies["__Host-csrf"].clone(),
        ));
        let start = [
            "/operacion".to_owned(),
            format!("/operacion/solicitudes/{folio}"),
            format!("/operacion/miembros/{}", member.0),
        ];
        let start: Vec<&str> = start.iter().map(String::as_str).collect();
        let pages = crawl_signed_in(&mut browser, &start, "/operacion").await;
        if role == Role::Agent {
            // A search by NSS is a POST, answered with the page itself; the unmasked record too.
            let mut problems = Vec::new();
            for (path, form) in [
                ("/operacion/miembros".to_owned(), [("q", NSS)]),
                ("/operacion/miembros".to_owned(), [("q", CURP)]),
                (
                    format!("/operacion/miembros/{}", member.0),
                    [("reason", "phone_call")],
                ),
            ] {
                let r = browser.post(&path, &form).await;
                assert_eq!(r.status(), 200, "{path}");
                if !no_store(&r) {
                    problems.push(format!("POST {path} is not no-store"));
                }
                let html = r.text().await.unwrap();
                for url in urls_in(&html, &["href=\"", "action=\"", "src=\"", "formaction=\""]) {
                    if let Some(value) = personal_in_url(&url) {
                        problems.push(format!(
                            "POST {path} points to {url}, which carries {value}"
                        ));
                    }
                }
                if form[0].0 == "reason" {
                    assert!(html.contains(CURP), "unmasked: {html}");
                }
            }
            assert!(problems.is_empty(), "{}", problems.join("\n"));
            // The evidence, as the agent deciding the request opens it.
            let r = browser
                .get(&format!("/operacion/solicitudes/{folio}/archivos/1"))
                .await;
            assert_eq!(r.status(), 200);
            assert!(no_store(&r), "the evidence is not no-store");
        }
        crawled.push((role.code(), pages));
    }
    // Each role reached the pages of its work.
    for (role, expected) in [
        ("agent", "/operacion/solicitudes"),
        ("supervisor", "/operacion/lotes"),
        ("auditor", "/operacion/auditoria"),
        ("admin", "/operacion/operadores"),
    ] {
        let pages = &crawled.iter().find(|(r, _)| *r == role).unwrap().1;
        assert!(pages.contains(expected), "{role}: {pages:?}");
    }

    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        text.contains("path=/operacion/miembros") && text.contains("path=/operacion/entrar"),
        "the journey was not captured"
    );
    assert_no_leaks(&text, &secrets);
    let total: usize = crawled.iter().map(|(_, p)| p.len()).sum();
    println!(
        "{engine:?}: back office, {total} pages crawled by 4 roles ({:?}), {} secrets looked for",
        crawled
            .iter()
            .map(|(r, p)| (*r, p.len()))
            .collect::<Vec<_>>(),
        secrets.len()
    );
}

crate::on_both_engines!(
    secrets_stay_out_of_logs_caches_and_urls,
    the_back_office_keeps_secrets_out_of_logs_caches_and_urls,
);

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
