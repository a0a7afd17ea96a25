//! The authorization sweep of the API: Juan's bearer token against every `/api/v1/me/…`
//! route that takes an identifier, with identifiers that belong to María (her credit) and
//! Antonio (his refund folio and his appointment). Every call is refused exactly like an
//! identifier that does not exist, nothing of theirs changes, and the refusals the code audits
//! (a request folio, an appointment folio) are in the audit log. The list of routes comes from
//! the OpenAPI document, so a new route with an identifier fails here until it is swept.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::refund::{ANTONIO_NSS, EFIRMA_PASSWORD, key, multipart, valid_cer};
use crate::savings::{juan_token, signed_in_maria};
use crate::{Engine, TestApp, spawn_app_on};

const MARIA_CREDIT: &str = "1901234567";
const JUAN_CREDIT: &str = "0712345670";
/// Well formed, and nobody's.
const NOBODYS_CREDIT: &str = "0999999999";

async fn token_of(app: &TestApp, identifier: &str) -> String {
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&json!({ "identifier": identifier, "password": crate::accounts::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .request(
            method.to_uppercase().parse().unwrap(),
            format!("{}{path}", app.address),
        )
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let r = request.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

async fn access_denied(app: &TestApp) -> Vec<Value> {
    app.store
        .recent_audit_all(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.action == "access_denied")
        .map(|e| serde_json::from_str(&e.entry.details).unwrap())
        .collect()
}

/// Antonio files his refund and books an appointment through the API: their folios.
async fn antonios_folios(app: &TestApp, token: &str) -> (String, String) {
    let (status, _) = call(
        app,
        token,
        "put",
        "/api/v1/me/refund/account",
        Some(&json!({ "clabe": "002010077777777771", "holder_declared": true })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (content_type, body) = multipart(&[
        ("option", None, b"afore_pays_scv"),
        ("cer", Some("a.cer"), &valid_cer()),
        ("key", Some("a.key"), &key()),
        ("password", None, EFIRMA_PASSWORD.as_bytes()),
    ]);
    let r = app
        .client
        .post(format!("{}/api/v1/me/refund", app.address))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let refund = r.json::<Value>().await.unwrap()["folio"]
        .as_str()
        .unwrap()
        .to_owned();
    let slots: Value = app
        .client
        .get(format!(
            "{}/api/v1/cesi/offices/JAL01/slots?procedure=payment_agreement",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &slots["slots"][0];
    let (status, booked) = call(
        app,
        token,
        "post",
        "/api/v1/me/appointments",
        Some(&json!({
            "procedure": "payment_agreement", "office": "JAL01",
            "day": first["day"], "time": first["time"],
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    (refund, booked["folio"].as_str().unwrap().to_owned())
}

async fn another_members_identifiers_are_refused_on_every_api_route(engine: Engine) {
    let app = spawn_app_on(engine).await;
    crate::credit::import_credits(&app).await;
    crate::refund::load(&app).await;
    let juan = juan_token(&app).await;
    let _maria_browser = signed_in_maria(&app).await;
    let maria = token_of(&app, crate::accounts::NSS).await;
    let _antonio_browser = crate::refund::signed_in_antonio(&app).await;
    let antonio = token_of(&app, ANTONIO_NSS).await;
    let (refund_folio, appointment_folio) = antonios_folios(&app, &antonio).await;
    let denied_before = access_denied(&app).await.len();

    // Every documented /api/v1/me route with an identifier in its path, with someone else's.
    let doc: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let relief = json!({ "family": "prorroga", "situation": "job_lost", "since": "2025-01-01" });
    let mut swept = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.starts_with("/api/v1/me/") || !template.contains('{') {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let fill = |credit: &str| {
                template
                    .replace("{credit}", credit)
                    .replace("{year}", "2024")
                    .replace(
                        "{folio}",
                        if template.contains("/refund/") {
                            &refund_folio
                        } else {
                            &appointment_folio
                        },
                    )
            };
            assert!(
                !fill(MARIA_CREDIT).contains('{'),
                "{method} {template}: an identifier this sweep does not know; add it"
            );
            let body = (method == "post" && template.ends_with("/relief")).then_some(&relief);
            let (status, refused) = call(&app, &juan, method, &fill(MARIA_CREDIT), body).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{method} {template}: {refused}"
            );
            assert!(
                refused["error"].as_str().unwrap().ends_with("not_found"),
                "{method} {template}: {refused}"
            );
            // Exactly what an identifier that does not exist gets, so nothing leaks.
            if template.contains("{credit}") {
                let (status, nobody) = call(&app, &juan, method, &fill(NOBODYS_CREDIT), body).await;
                assert_eq!(
                    (status, &nobody),
                    (StatusCode::NOT_FOUND, &refused),
                    "{method} {template}"
                );
            }
            swept += 1;
        }
    }
    // Credit movements, interest, relief (2), conversion (2), refund status, appointment.
    assert_eq!(swept, 8);

    // The owners still see theirs, untouched; the routes work for Juan's own credit.
    let (status, _) = call(
        &app,
        &maria,
        "get",
        &format!("/api/v1/me/credits/{MARIA_CREDIT}/movements"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, relief_now) = call(
        &app,
        &maria,
        "get",
        &format!("/api/v1/me/credits/{MARIA_CREDIT}/relief"),
        None,
    )
    .await;
    assert_eq!(relief_now["grants"], json!([]));
    let (status, _) = call(
        &app,
        &juan,
        "get",
        &format!("/api/v1/me/credits/{JUAN_CREDIT}/movements"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, refund) = call(
        &app,
        &antonio,
        "get",
        &format!("/api/v1/me/refund/{refund_folio}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refund["stage"], "submitted");
    let (_, mine) = call(&app, &antonio, "get", "/api/v1/me/appointments", None).await;
    assert_eq!(mine["appointments"][0]["folio"], appointment_folio.as_str());
    assert_eq!(mine["appointments"][0]["status"], "booked");

    // The code audits a refused folio (requests and appointments); a credit number of
    // someone else's is answered from the member's own credits and is not audited.
    let denied = access_denied(&app).await;
    assert_eq!(denied.len() - denied_before, 2, "{denied:?}");
    let whats: Vec<&str> = denied.iter().filter_map(|d| d["folio"].as_str()).collect();
    assert!(whats.contains(&refund_folio.as_str()), "{denied:?}");
    assert!(whats.contains(&appointment_folio.as_str()), "{denied:?}");
}

crate::on_both_engines!(another_members_identifiers_are_refused_on_every_api_route);
