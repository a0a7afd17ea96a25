//! The OpenAPI document at `/api/openapi.json` against the router and the running server:
//! every `/api/` route the web crate registers is in the document with its methods and the
//! document names nothing else; the server answers every operation it names; and Schemathesis
//! (when installed) fuzzes every operation, signed in and not, and finds no server error, no
//! undocumented status and no answer that breaks its schema.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::{TestApp, spawn_app};

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// Every `(path, method)` registered with `.route("/api/…", …)` in the web crate's source.
fn routes_in_source() -> BTreeSet<(String, String)> {
    every_route_in_source()
        .into_iter()
        .filter(|(route, _)| route.starts_with("/api/"))
        .collect()
}

/// Every `(path, method)` registered with `.route(…)` in the web crate's source: a literal
/// path, or a `const NAME: &str = "…"` of the same file.
pub(crate) fn every_route_in_source() -> BTreeSet<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Nothing is mounted under /api by other means than `.route`.
        for other in [".nest(", ".nest_service(", ".route_service("] {
            assert!(
                !text.contains(other),
                "{}: {other} is not understood by this test",
                path.display()
            );
        }
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let start = rest.trim_start();
            let (route, args) = if let Some(literal) = start.strip_prefix('"') {
                let end = literal.find('"').unwrap();
                (literal[..end].to_owned(), &literal[end + 1..])
            } else {
                // A constant: its name, then its value from the same file.
                let end = start
                    .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                    .unwrap();
                let name = &start[..end];
                if name.is_empty() || !start[end..].trim_start().starts_with(',') {
                    // A path computed at run time (recovery.rs: one route per flow, from a
                    // struct's field). None of these may take a path parameter: the file
                    // holds no path literal with one.
                    let mut literals = text.split('"').skip(1).step_by(2);
                    assert!(
                        !literals.any(|l| l.starts_with('/') && l.contains('{')),
                        "{}: a computed route with a path parameter, which this test cannot read",
                        path.display()
                    );
                    continue;
                }
                let decl = format!("const {name}: &str = \"");
                let at = text
                    .find(&decl)
                    .unwrap_or_else(|| panic!("{}: no `{decl}` for a route", path.display()))
                    + decl.len();
                let value = &text[at..];
                (value[..value.find('"').unwrap()].to_owned(), &start[end..])
            };
            // The call's other argument, up to its closing parenthesis.
            let mut depth = 1;
            let close = args
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let args = &args[..close];
            for method in METHODS {
                let needle = format!("{method}(");
                let mut from = 0;
                while let Some(i) = args[from..].find(&needle) {
                    let pos = from + i;
                    let before = args[..pos].chars().last();
                    if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        found.insert((route.clone(), method.to_owned()));
                    }
                    from = pos + needle.len();
                }
            }
        }
    }
    found
}

fn operations_in(doc: &Value) -> BTreeSet<(String, String)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| METHODS.contains(&k.as_str()))
                .map(|m| (path.clone(), m.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn served_document(app: &TestApp) -> Value {
    let r = app
        .client
        .get(format!("{}/api/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_document_names_every_api_route_and_nothing_else() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let registered = routes_in_source();
    // The scan itself must see the API (sessions, savings, credit, refund, appointments…).
    assert!(registered.len() >= 29, "{registered:?}");
    let documented = operations_in(&doc);
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "routes missing from crates/web/src/openapi.json: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "crates/web/src/openapi.json names routes the router does not have: {extra:?}"
    );
    // Every operation has an id, its security and at least one documented success.
    for (path, method) in &documented {
        let op = &doc["paths"][path][method];
        assert!(op["operationId"].is_string(), "{method} {path}");
        assert!(op["security"].is_array(), "{method} {path}: security");
        let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert!(
            statuses.iter().any(|s| s.starts_with('2')),
            "{method} {path}: {statuses:?}"
        );
    }
}

/// The running server answers every documented operation (not the router's own 404 or 405),
/// and what axum refuses before a handler runs is the stable error body too.
#[tokio::test]
async fn the_server_answers_every_documented_operation() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    for (path, method) in operations_in(&doc) {
        let url = format!(
            "{}{}",
            app.address,
            path.replace("{year}", "2024")
                .replace("{credit}", "1901234567")
                .replace("{folio}", "X")
                .replace("{code}", "X")
        );
        let r = app
            .client
            .request(method.to_uppercase().parse().unwrap(), &url)
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert_eq!(
            r.headers()["content-type"],
            "application/json",
            "{method} {path}"
        );
        let body: Value = r.json().await.unwrap();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_ne!(body["error"], "route_not_found", "{method} {path}");
        let documented = doc["paths"][&path][&method]["responses"]
            .as_object()
            .unwrap()
            .contains_key(status.as_str());
        assert!(
            documented,
            "{method} {path} answered {status}, undocumented"
        );
    }
    // The probe can tell: a route that is not there, a method a route does not take.
    let nowhere = app
        .client
        .get(format!("{}/api/v1/no-such-thing", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    let body: Value = nowhere.json().await.unwrap();
    assert_eq!(body["error"], "route_not_found");
    assert_eq!(body["message"], "Esa dirección no existe en la API.");
    let wrong = app
        .client
        .patch(format!("{}/api/v1/me/savings", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong.headers().contains_key("allow"));
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
    // A body that is not JSON, and JSON of the wrong shape: the same error body.
    let not_json = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .body("identifier=x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = not_json.json().await.unwrap();
    assert_eq!(body["error"], "content_type_unsupported");
    let wrong_shape = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": 7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_shape.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = wrong_shape.json().await.unwrap();
    assert_eq!(body["error"], "request_body_invalid");
    // A path parameter of the wrong type.
    let token = crate::savings::juan_token(&app).await;
    let year = app
        .client
        .get(format!(
            "{}/api/v1/me/credits/1901234567/interest/dos-mil",
            app.address
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(year.status(), StatusCode::BAD_REQUEST);
    let body: Value = year.json().await.unwrap();
    assert_eq!(body["error"], "request_invalid");
    // Pages outside /api keep their own answers.
    let page = app
        .client
        .get(format!("{}/no-such-page", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.headers()
            .get("content-type")
            .is_none_or(|v| v != "application/json")
    );
}

const SCHEMATHESIS_VAR: &str = "VIVIENDA_REQUIRE_SCHEMATHESIS";

/// Schemathesis's command line, from the `python3` that ./scripts/test installs it with.
fn st() -> Command {
    let mut command = Command::new("python3");
    command.args(["-m", "schemathesis.cli"]);
    command
}

/// One bounded Schemathesis run; its output on failure.
fn schemathesis(address: &str, extra: &[&str]) -> Result<String, String> {
    let work = std::env::temp_dir().join(format!(
        "vivienda-schemathesis-{}-{}",
        std::process::id(),
        address.replace([':', '/', '.'], "")
    ));
    std::fs::create_dir_all(&work).unwrap();
    let examples = std::env::var("VIVIENDA_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "25".into());
    let mut command = st();
    command
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .arg("run")
        .arg(format!("{address}/api/openapi.json"))
        .args(["--url", address])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_headers_conformance,response_schema_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", &examples])
        .args(["--seed", "20261126"])
        .args(["--workers", "2"])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "20"])
        .arg("--no-color")
        .args(extra);
    let output = command.output().map_err(|e| format!("schemathesis: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&work);
    if output.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// Schemathesis against the real server, with Juan's bearer token and with no session: no
/// 5xx, no undocumented status, every answer as its schema says. Skipped with a note when
/// Schemathesis is not installed (./scripts/test installs it), unless VIVIENDA_REQUIRE_SCHEMATHESIS=1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failures() {
    let installed = st()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var(SCHEMATHESIS_VAR).as_deref() != Ok("1"),
            "{SCHEMATHESIS_VAR}=1 but Schemathesis is not installed: \
             python3 -m pip install schemathesis"
        );
        println!("Schemathesis skipped: it is not installed (python3 -m pip install schemathesis)");
        return;
    }
    let app = spawn_app().await;
    crate::credit::import_credits(&app).await;
    let token = crate::savings::juan_token(&app).await;
    let address = app.address.clone();
    let runs = tokio::task::spawn_blocking(move || {
        let bearer = format!("Authorization: Bearer {token}");
        // Signing out would end the token the rest of the run uses; the anonymous run
        // covers that operation.
        let signed_in = schemathesis(
            &address,
            &[
                "-H",
                &bearer,
                "--generation-with-security-parameters",
                "false",
                "--exclude-path",
                "/api/v1/sessions/current",
            ],
        );
        let anonymous = schemathesis(&address, &[]);
        (signed_in, anonymous)
    })
    .await
    .unwrap();
    for (who, run) in [("signed in", runs.0), ("no session", runs.1)] {
        match run {
            Ok(text) => println!("Schemathesis, {who}:\n{text}"),
            Err(text) => panic!("Schemathesis, {who}, found failures:\n{text}"),
        }
    }
}
