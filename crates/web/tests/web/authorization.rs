//! The authorization sweep.
//!
//! - The API: Juan's bearer token against every `/api/v1/me/…` route that takes an
//!   identifier, with identifiers that belong to María (her credit) and Antonio (his refund
//!   folio and his appointment). The list of routes comes from the OpenAPI document.
//! - The member pages: Julia, signed in with a browser, against every page and form with a
//!   path parameter, with María's, Juan's and Antonio's credit numbers and folios. The list of
//!   routes is read from the router's source (`openapi::every_route_in_source`).
//! - The back office: an operator of each role against every back-office route its role may
//!   not use, GET and POST, with valid forms.
//!
//! Every call is refused exactly like an identifier that does not exist (members) or with 403
//! (operators), nothing of anyone's changes, and the refusals the code audits are in the audit
//! log. A new route fails its sweep until the sweep knows it.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use domain::operators::{Permission, Role};

use crate::accounts::{Browser, PASSWORD, location};

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

/// The `access_denied` entries of the audit log, newest first.
async fn access_denied(app: &TestApp) -> Vec<Value> {
    app.store
        .recent_audit_all(100_000)
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
    let (day, time) = app.free_slot("payment_agreement", 0).await;
    let (status, booked) = call(
        app,
        token,
        "post",
        "/api/v1/me/appointments",
        Some(&json!({
            "procedure": "payment_agreement", "office": "JAL01",
            "day": day, "time": time,
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
    let doc = app.get_json("/api/openapi.json", None).await;
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

// ----- The member pages ------------------------------------------------------------------

const JULIA_NSS: &str = "14997511119";
const JUAN_NSS: &str = "38957812340";
/// Juan's credit in VSM, which he may convert to pesos.
const JUAN_VSM_CREDIT: &str = "0812345678";

/// Whose identifier a member route gets in the sweep, or why it is not swept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fill {
    MariaCredit,
    JuanVsmCredit,
    JuanPaidOffCredit,
    /// Juan's cancellation letter (CAN-).
    Cancellation,
    /// Juan's deeds request (ESC-).
    Deeds,
    /// Juan's refund of overpayments (PEX-).
    Overpayment,
    /// María's data correction (COR-).
    Correction,
    /// María's credit application (CRE-), with one document.
    Application,
    /// Antonio's pensioner refund (DEV-).
    Refund,
    /// Antonio's appointment (CIT-).
    Appointment,
    /// Not anyone's: the same for every visitor.
    Public(&'static str),
}

/// Every member route with a path parameter, by method. The test below fails when the
/// router has one this list does not name, or this list names one it does not have.
const MEMBER_ROUTES: &[(&str, &str, Fill)] = {
    use Fill::*;
    &[
        ("get", "/mi-credito/{credit}/movimientos", MariaCredit),
        ("get", "/mi-credito/{credit}/constancia/{year}", MariaCredit),
        (
            "get",
            "/mi-credito/{credit}/estado-de-cuenta.pdf",
            MariaCredit,
        ),
        (
            "get",
            "/mi-credito/{credit}/avisos/{kind}/{file}",
            JuanVsmCredit,
        ),
        ("get", "/mi-credito/{credit}/apoyos", MariaCredit),
        (
            "get",
            "/mi-credito/{credit}/apoyos/solicitar/{family}",
            MariaCredit,
        ),
        (
            "post",
            "/mi-credito/{credit}/apoyos/solicitar/{family}",
            MariaCredit,
        ),
        (
            "get",
            "/mi-credito/{credit}/apoyos/otorgado/{start}",
            MariaCredit,
        ),
        (
            "get",
            "/mi-credito/{credit}/responsabilidad-compartida",
            JuanVsmCredit,
        ),
        (
            "post",
            "/mi-credito/{credit}/responsabilidad-compartida",
            JuanVsmCredit,
        ),
        (
            "get",
            "/mi-credito/{credit}/responsabilidad-compartida/confirmar",
            JuanVsmCredit,
        ),
        (
            "get",
            "/mi-credito/{credit}/responsabilidad-compartida/listo",
            JuanVsmCredit,
        ),
        (
            "get",
            "/mi-credito/{credit}/responsabilidad-compartida/carta.pdf",
            JuanVsmCredit,
        ),
        ("get", "/mi-credito/{credit}/cancelacion", JuanPaidOffCredit),
        (
            "post",
            "/mi-credito/{credit}/cancelacion",
            JuanPaidOffCredit,
        ),
        ("get", "/mi-credito/cancelacion/{folio}", Cancellation),
        (
            "get",
            "/mi-credito/cancelacion/{folio}/carta.pdf",
            Cancellation,
        ),
        ("get", "/tramites/escrituras/{folio}", Deeds),
        ("get", "/tramites/escrituras/{folio}/acuse.pdf", Deeds),
        ("get", "/tramites/pagos-en-exceso/{folio}", Overpayment),
        (
            "get",
            "/tramites/pagos-en-exceso/{folio}/acuse.pdf",
            Overpayment,
        ),
        ("get", "/tramites/correccion/{folio}", Correction),
        ("get", "/tramites/correccion/{folio}/acuse.pdf", Correction),
        ("get", "/credito/solicitud/{folio}", Application),
        ("get", "/credito/solicitud/{folio}/revisar", Application),
        ("post", "/credito/solicitud/{folio}/enviar", Application),
        (
            "post",
            "/credito/solicitud/{folio}/documentos/{item}",
            Application,
        ),
        (
            "get",
            "/credito/solicitud/{folio}/archivos/{seq}",
            Application,
        ),
        (
            "post",
            "/credito/solicitud/{folio}/archivos/{seq}/eliminar",
            Application,
        ),
        ("get", "/tramites/devolucion/{folio}", Refund),
        ("get", "/tramites/devolucion/enviada/{folio}", Refund),
        ("get", "/tramites/devolucion/{folio}/acuse.pdf", Refund),
        ("get", "/tramites/citas/{folio}", Appointment),
        (
            "get",
            "/tramites/citas/{folio}/comprobante.pdf",
            Appointment,
        ),
        ("get", "/tramites/citas/{folio}/cambiar", Appointment),
        ("post", "/tramites/citas/{folio}/cambiar", Appointment),
        ("get", "/tramites/citas/{folio}/cancelar", Appointment),
        ("post", "/tramites/citas/{folio}/cancelar", Appointment),
        (
            "get",
            "/verificar/{code}",
            Public("anyone holding a document checks it; it shows what the document shows"),
        ),
        (
            "get",
            "/credito/curso/{slug}",
            Public("the course's pages, the same for everyone"),
        ),
        (
            "get",
            "/static/{file}",
            Public("stylesheets, scripts and fonts"),
        ),
    ]
};

/// Julia, of the example files, signed in with a browser: she owns nothing the sweep uses.
async fn signed_in_julia(app: &TestApp) -> Browser<'_> {
    sign_up_and_sign_in(
        app,
        &[
            ("nss", JULIA_NSS),
            ("curp", "TOVJ750505MMCRZL06"),
            ("rfc", "TOVJ750505Q10"),
            ("email", "julia@example.mx"),
            ("mobile", "5587654321"),
        ],
    )
    .await
}

async fn sign_up_and_sign_in<'a>(app: &'a TestApp, fields: &[(&str, &str)]) -> Browser<'a> {
    let mut browser = Browser::new(app);
    browser.get("/registro").await;
    let mut form = fields.to_vec();
    form.extend([("password", PASSWORD), ("accept_terms", "true")]);
    let r = browser.post("/registro", &form).await;
    if location(&r) != "/activar" {
        panic!("{fields:?}: {}", r.text().await.unwrap());
    }
    let code = crate::accounts::code_from_outbox(app).await;
    browser.post("/activar", &[("code", &code)]).await;
    signed_in(app, fields[0].1).await
}

async fn signed_in<'a>(app: &'a TestApp, nss: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    browser.get("/entrar").await;
    let r = browser
        .post("/entrar", &[("identifier", nss), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta");
    browser
}

/// A multipart form from a signed-in browser, with its CSRF token.
async fn post_multipart(
    browser: &Browser<'_>,
    path: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> reqwest::Response {
    let csrf = browser.cookies["__Host-csrf"].clone();
    let mut all: Vec<(&str, Option<&str>, &[u8])> = vec![("csrf", None, csrf.as_bytes())];
    all.extend_from_slice(parts);
    browser.send_multipart(path, multipart(&all)).await
}

/// A well-formed folio of the same kind and year that nobody has: eight zeros check to `0`.
fn nobodys_folio(folio: &str) -> String {
    format!("{}000000000", &folio[..9])
}

fn write_file(app: &TestApp, name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "vivienda-authz-{}-{}",
        std::process::id(),
        app.address.replace([':', '/', '.'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// What a member route's refusal looks like: its status, type and body with the identifier
/// taken out (a page may repeat what was asked for).
async fn answer(r: reqwest::Response, id: &str) -> (StatusCode, String, String) {
    let status = r.status();
    let content_type = r
        .headers()
        .get(CONTENT_TYPE)
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    let body = String::from_utf8_lossy(&r.bytes().await.unwrap()).replace(id, "{id}");
    (status, content_type, body)
}

async fn another_members_identifiers_are_refused_on_every_member_page(engine: Engine) {
    // The list is the router's.
    let in_source: BTreeSet<(String, String)> = crate::openapi::every_route_in_source()
        .into_iter()
        .filter(|(route, _)| {
            route.contains('{') && !route.starts_with("/api/") && !route.starts_with("/operacion")
        })
        .collect();
    let listed: BTreeSet<(String, String)> = MEMBER_ROUTES
        .iter()
        .map(|(m, r, _)| ((*r).to_owned(), (*m).to_owned()))
        .collect();
    assert_eq!(listed.len(), MEMBER_ROUTES.len(), "a route listed twice");
    let unswept: Vec<_> = in_source.difference(&listed).collect();
    assert!(
        unswept.is_empty(),
        "member routes the sweep does not cover: {unswept:?}"
    );
    let gone: Vec<_> = listed.difference(&in_source).collect();
    assert!(
        gone.is_empty(),
        "swept routes the router does not have: {gone:?}"
    );

    let app = spawn_app_on(engine).await;
    crate::credit::import_credits(&app).await;
    crate::refund::load(&app).await;
    // Juan's paid-off credit was overpaid by 1,250.50.
    let messages = app::i18n::Messages::load().unwrap();
    let extra = write_file(
        &app,
        "juan-overpaid.csv",
        "credit_number,reference,kind,booked_on,amount\n0712345670,EXC,direct_payment,2026-03-14,-1250.50\n",
    );
    app::import::import_file(
        app.store.as_ref(),
        store::ImportKind::CreditMovements,
        &extra,
        &messages,
        &mut |_| {},
    )
    .await
    .unwrap();

    // The owners and what they own.
    let mut maria = signed_in_maria(&app).await;
    juan_token(&app).await;
    let mut juan = signed_in(&app, JUAN_NSS).await;
    let mut antonio = crate::refund::signed_in_antonio(&app).await;
    let antonio_token = token_of(&app, ANTONIO_NSS).await;
    let (refund, appointment) = antonios_folios(&app, &antonio_token).await;

    let r = juan
        .post(
            "/mi-credito/0712345670/cancelacion",
            &crate::credit::CANCELLATION_FORM,
        )
        .await;
    let cancellation = location(&r).rsplit('/').next().unwrap().to_owned();
    assert!(cancellation.starts_with("CAN-"), "{cancellation}");
    let r = juan
        .post(
            "/tramites/escrituras",
            &[("credit", "0712345670"), ("office", "AGU01")],
        )
        .await;
    let deeds = location(&r).rsplit('/').next().unwrap().to_owned();
    assert!(deeds.starts_with("ESC-"), "{deeds}");
    let r = juan
        .post(
            "/tramites/pagos-en-exceso",
            &[("credit", "0712345670"), ("clabe", "002010077777777771")],
        )
        .await;
    let overpayment = location(&r).rsplit('/').next().unwrap().to_owned();
    assert!(overpayment.starts_with("PEX-"), "{overpayment}");

    let correction = crate::corrections::file_surname_correction(&app, &mut maria).await;
    let maria_id = app.member_id(crate::accounts::NSS).await;
    let r = maria
        .post("/credito/solicitud", &[("eleccion", "tradicional:buy")])
        .await;
    let application = location(&r).rsplit('/').next().unwrap().to_owned();
    assert!(application.starts_with("CRE-"), "{application}");
    let r = crate::credit_application::upload(
        &maria,
        &application,
        "official_id",
        "ine.pdf",
        crate::credit_application::PDF,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let folio_of_application = domain::requests::Folio::parse(&application).unwrap();
    let seq = app
        .store
        .attachments(maria_id, &folio_of_application)
        .await
        .unwrap()[0]
        .seq
        .to_string();

    // A free slot to move Antonio's appointment to.
    let (day, hour) = app.free_slot("payment_agreement", 1).await;

    let id_of = |fill: Fill| -> Option<&str> {
        Some(match fill {
            Fill::MariaCredit => MARIA_CREDIT,
            Fill::JuanVsmCredit => JUAN_VSM_CREDIT,
            Fill::JuanPaidOffCredit => "0712345670",
            Fill::Cancellation => &cancellation,
            Fill::Deeds => &deeds,
            Fill::Overpayment => &overpayment,
            Fill::Correction => &correction,
            Fill::Application => &application,
            Fill::Refund => &refund,
            Fill::Appointment => &appointment,
            Fill::Public(_) => return None,
        })
    };
    let path_of = |template: &str, id: &str| {
        let path = template
            .replace("{credit}", id)
            .replace("{folio}", id)
            .replace("{year}", "2024")
            .replace("{kind}", "modification")
            .replace("{file}", "Y0000000002.pdf")
            .replace("{family}", "prorroga")
            .replace("{start}", "2020-05-01")
            .replace("{item}", "official_id")
            .replace("{seq}", &seq);
        assert!(
            !path.contains('{'),
            "{template}: a parameter the sweep cannot fill"
        );
        path
    };

    // What each owner sees of their own, before.
    // A PDF is issued anew each time (its own verification code): its status is compared.
    async fn snapshot(
        owners: &mut [(&mut Browser<'_>, Vec<String>)],
    ) -> Vec<(String, StatusCode, Vec<u8>)> {
        let mut seen = Vec::new();
        for (browser, paths) in owners.iter_mut() {
            for path in paths.iter() {
                let r = browser.get(path).await;
                let status = r.status();
                let body = r.bytes().await.unwrap().to_vec();
                let body = if path.ends_with(".pdf") {
                    Vec::new()
                } else {
                    body
                };
                seen.push((path.clone(), status, body));
            }
        }
        seen
    }
    let owned_pages = |owner: &[Fill]| -> Vec<String> {
        MEMBER_ROUTES
            .iter()
            .filter(|(m, _, f)| *m == "get" && owner.contains(f))
            .map(|(_, t, f)| path_of(t, id_of(*f).unwrap()))
            .collect()
    };
    let maria_owns = [Fill::MariaCredit, Fill::Correction, Fill::Application];
    let juan_owns = [
        Fill::JuanVsmCredit,
        Fill::JuanPaidOffCredit,
        Fill::Cancellation,
        Fill::Deeds,
        Fill::Overpayment,
    ];
    let antonio_owns = [Fill::Refund, Fill::Appointment];
    let mut owners = [
        (&mut maria, owned_pages(&maria_owns)),
        (&mut juan, owned_pages(&juan_owns)),
        (&mut antonio, owned_pages(&antonio_owns)),
    ];
    let before = snapshot(&mut owners).await;
    let requests_before = app.store.requests_of_member(maria_id).await.unwrap().len();

    // Julia walks every one of them with the others' identifiers.
    let mut julia = signed_in_julia(&app).await;
    let relief_form = [("situation", "job_lost"), ("since", "2025-01-01")];
    let cancellation_form = crate::credit::CANCELLATION_FORM;
    let reschedule_form = [("dia", day.as_str()), ("hora", hour.as_str())];
    let (mut swept, mut audited, mut problems) = (0, 0, Vec::new());
    for (method, template, fill) in MEMBER_ROUTES {
        let Some(id) = id_of(*fill) else {
            if let Fill::Public(why) = fill {
                println!("not swept: {method} {template}: {why}");
            }
            continue;
        };
        let nobody = if template.contains("{credit}") {
            NOBODYS_CREDIT.to_owned()
        } else {
            nobodys_folio(id)
        };
        let mut answers = Vec::new();
        let mut denied = Vec::new();
        for target in [id, nobody.as_str()] {
            let path = path_of(template, target);
            let before_denied = access_denied(&app).await.len();
            let r = match *method {
                "get" => julia.get(&path).await,
                _ if template.ends_with("/documentos/{item}") => {
                    post_multipart(
                        &julia,
                        &path,
                        &[("documento", Some("ine.pdf"), crate::credit_application::PDF)],
                    )
                    .await
                }
                _ if template.contains("/apoyos/") => julia.post(&path, &relief_form).await,
                _ if template.ends_with("/cancelacion") => {
                    julia.post(&path, &cancellation_form).await
                }
                _ if template.ends_with("/cambiar") => julia.post(&path, &reschedule_form).await,
                _ => julia.post(&path, &[]).await,
            };
            answers.push(answer(r, target).await);
            let now = access_denied(&app).await;
            denied.push(now[..now.len() - before_denied].to_vec());
        }
        let (mine, nobodys) = (&answers[0], &answers[1]);
        if !mine.0.is_client_error() {
            problems.push(format!(
                "{method} {template} with someone else's {id}: {} {}",
                mine.0, mine.2
            ));
        } else if mine != nobodys {
            problems.push(format!(
                "{method} {template}: someone else's identifier answered {} {}, one that does not exist {} {}",
                mine.0, mine.1, nobodys.0, nobodys.1
            ));
        }
        // A folio of someone else's is audited (requests, appointments, attachments); a
        // credit number is looked up among the member's own credits only.
        if !denied[1].is_empty() {
            problems.push(format!(
                "{method} {template}: nobody's audited {:?}",
                denied[1]
            ));
        }
        if template.contains("{folio}") {
            if denied[0].len() == 1 && denied[0][0]["folio"] == id {
                audited += 1;
            } else {
                problems.push(format!("{method} {template}: audited {:?}", denied[0]));
            }
        } else if !denied[0].is_empty() {
            problems.push(format!("{method} {template}: audited {:?}", denied[0]));
        }
        swept += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(swept, 38);
    assert_eq!(audited, 23);

    // A session of someone else's, named in a form: ended only for its owner.
    let maria_account = app
        .store
        .account_by_member(maria_id)
        .await
        .unwrap()
        .unwrap()
        .account_id;
    let sessions = app.store.sessions(maria_account, 10).await.unwrap();
    let live = sessions
        .iter()
        .find(|s| s.ended_at.is_none())
        .unwrap()
        .session_id;
    let before_denied = access_denied(&app).await.len();
    let theirs = julia
        .post(
            "/cuenta/sesiones/terminar",
            &[("session", &live.to_string())],
        )
        .await;
    let theirs = answer(theirs, &live.to_string()).await;
    let nobodys = julia
        .post("/cuenta/sesiones/terminar", &[("session", "999999999")])
        .await;
    let nobodys = answer(nobodys, "999999999").await;
    assert_eq!(theirs.0, StatusCode::NOT_FOUND);
    assert_eq!(theirs, nobodys);
    assert_eq!(access_denied(&app).await.len() - before_denied, 2);

    // Nothing of theirs changed: every page of theirs reads as before, byte for byte.
    let after = snapshot(&mut owners).await;
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert!(
            b == a,
            "an owner's page changed after the sweep: {} {} then {}",
            b.0,
            b.1,
            a.1
        );
    } // The owners reach theirs (a notice, a letter or a grant not made yet is a 404 to them too).
    let reached = before.iter().filter(|(_, s, _)| s.is_success()).count();
    assert!(reached >= 20, "{reached} of {}", before.len());
    println!(
        "{swept} member routes swept with others' identifiers ({audited} folio refusals audited); \
         the owners' {} pages ({reached} theirs to see) unchanged",
        before.len()
    );
    assert_eq!(
        app.store.requests_of_member(maria_id).await.unwrap().len(),
        requests_before
    );
    assert_eq!(maria.get("/cuenta").await.status(), StatusCode::OK);
}

// ----- The back office, role by role -----------------------------------------------------

/// Every back-office route by method, with the permission it needs (`None`: any operator,
/// or no session at all). The test fails when the router has one this list does not name.
const BACK_OFFICE_ROUTES: &[(&str, &str, Option<Permission>)] = {
    use Permission::*;
    &[
        ("get", "/operacion", None),
        ("get", "/operacion/entrar", None),
        ("post", "/operacion/entrar", None),
        ("post", "/operacion/salir", None),
        ("get", "/operacion/solicitudes", Some(ReadRequests)),
        ("get", "/operacion/solicitudes/{folio}", Some(ReadRequests)),
        (
            "post",
            "/operacion/solicitudes/{folio}/decision",
            Some(DecideRequests),
        ),
        // To another operator: taking it oneself needs only ReadRequests.
        (
            "post",
            "/operacion/solicitudes/{folio}/asignacion",
            Some(Reassign),
        ),
        (
            "get",
            "/operacion/solicitudes/{folio}/archivos/{seq}",
            Some(ReadRequests),
        ),
        ("get", "/operacion/miembros", Some(LookUpMembers)),
        ("post", "/operacion/miembros", Some(LookUpMembers)),
        ("get", "/operacion/miembros/{id}", Some(LookUpMembers)),
        ("post", "/operacion/miembros/{id}", Some(LookUpMembers)),
        (
            "post",
            "/operacion/miembros/{id}/correccion",
            Some(ActForMember),
        ),
        ("get", "/operacion/miembros/{id}/cita", Some(ActForMember)),
        ("post", "/operacion/miembros/{id}/cita", Some(ActForMember)),
        ("post", "/operacion/miembros/{id}/nss", Some(ChangeIdentity)),
        (
            "post",
            "/operacion/miembros/{id}/unificar",
            Some(ChangeIdentity),
        ),
        ("get", "/operacion/citas", Some(ActForMember)),
        ("get", "/operacion/auditoria", Some(ReadAudit)),
        ("get", "/operacion/operadores", Some(ManageOperators)),
        ("post", "/operacion/operadores", Some(ManageOperators)),
        ("post", "/operacion/operadores/{id}", Some(ManageOperators)),
        ("get", "/operacion/lotes", Some(RunBatches)),
        ("post", "/operacion/lotes", Some(RunBatches)),
        ("post", "/operacion/lotes/aportaciones", Some(RunBatches)),
        ("get", "/operacion/lotes/{id}", Some(RunBatches)),
        (
            "get",
            "/operacion/lotes/{id}/archivos/{name}",
            Some(RunBatches),
        ),
        ("get", "/operacion/estadisticas", Some(ReadStatistics)),
    ]
};

async fn operator_denied(app: &TestApp) -> Vec<Value> {
    app.store
        .recent_audit_all(100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.action == "operator_access_denied")
        .map(|e| serde_json::from_str(&e.entry.details).unwrap())
        .collect()
}

async fn every_role_is_refused_what_it_may_not_do(engine: Engine) {
    let in_source: BTreeSet<(String, String)> = crate::openapi::every_route_in_source()
        .into_iter()
        .filter(|(route, _)| route.starts_with("/operacion"))
        .collect();
    let listed: BTreeSet<(String, String)> = BACK_OFFICE_ROUTES
        .iter()
        .map(|(m, r, _)| ((*r).to_owned(), (*m).to_owned()))
        .collect();
    assert_eq!(
        listed.len(),
        BACK_OFFICE_ROUTES.len(),
        "a route listed twice"
    );
    let unswept: Vec<_> = in_source.difference(&listed).collect();
    assert!(
        unswept.is_empty(),
        "back-office routes the sweep does not cover: {unswept:?}"
    );
    let gone: Vec<_> = listed.difference(&in_source).collect();
    assert!(
        gone.is_empty(),
        "swept routes the router does not have: {gone:?}"
    );

    let app = spawn_app_on(engine).await;
    crate::refund::load(&app).await;
    let _antonio = crate::refund::signed_in_antonio(&app).await;
    let antonio = token_of(&app, ANTONIO_NSS).await;
    let (refund, _) = antonios_folios(&app, &antonio).await;
    let maria_id = app.member_id(crate::accounts::NSS).await.0;
    // A batch to look at, queued by a supervisor.
    let boss = crate::backoffice::create(&app, "supervisora", Role::Supervisor).await;
    let mut boss_browser = crate::backoffice::sign_in(&app, &boss).await;
    let r = boss_browser
        .post("/operacion/lotes", &[("tipo", "yield"), ("anio", "2025")])
        .await;
    let batch = location(&r).rsplit('/').next().unwrap().to_owned();
    assert!(batch.parse::<i64>().is_ok(), "{batch}");

    let mut operators = Vec::new();
    for role in Role::ALL {
        let created = crate::backoffice::create(&app, &format!("op.{}", role.code()), role).await;
        operators.push((role, created));
    }
    let mut browsers = Vec::new();
    for (role, created) in &operators {
        browsers.push((
            *role,
            created.operator.operator_id,
            crate::backoffice::sign_in(&app, created).await,
        ));
    }
    let target_operator = boss.operator.operator_id.to_string();
    let member = maria_id.to_string();
    let fill = |template: &str| {
        template
            .replace("{folio}", &refund)
            .replace("{seq}", "1")
            .replace(
                "{id}",
                if template.starts_with("/operacion/operadores/") {
                    &target_operator
                } else if template.starts_with("/operacion/lotes/") {
                    &batch
                } else {
                    &member
                },
            )
            .replace("{name}", "rechazos.csv")
    };
    let form_of = |template: &str| -> Vec<(&str, String)> {
        let pairs: &[(&str, &str)] = match template {
            "/operacion/solicitudes/{folio}/decision" => {
                &[("action", "start_review"), ("reason", "")]
            }
            "/operacion/solicitudes/{folio}/asignacion" => &[("to", "")],
            "/operacion/miembros" => &[("q", crate::accounts::NSS)],
            "/operacion/miembros/{id}" => &[("reason", "phone_call")],
            "/operacion/miembros/{id}/cita" => &[
                ("channel", "phone"),
                ("oficina", "JAL01"),
                ("tramite", "payment_agreement"),
                ("dia", "2030-01-07"),
                ("minuto", "600"),
            ],
            "/operacion/miembros/{id}/nss" => &[
                ("actual", crate::accounts::NSS),
                ("nuevo", "02969011119"),
                ("nota", "Oficio 123 del IMSS"),
            ],
            "/operacion/miembros/{id}/unificar" => &[
                ("otro", "02969011119"),
                ("nota", "Oficio 123 del IMSS"),
                ("confirmar", "1"),
            ],
            "/operacion/operadores" => &[
                ("username", "nuevo.operador"),
                ("name", "Nuevo Operador"),
                ("role", "admin"),
            ],
            "/operacion/operadores/{id}" => &[("role", "admin"), ("active", "1")],
            "/operacion/lotes" => &[("tipo", "yield"), ("anio", "2024")],
            _ => &[],
        };
        let mut form: Vec<(&str, String)> =
            pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        if template.ends_with("/asignacion") {
            form[0].1 = target_operator.clone();
        }
        form
    };

    let antonio_id = app.member_id(ANTONIO_NSS).await;
    let stage_before = app.store.requests_of_member(antonio_id).await.unwrap()[0]
        .state
        .stage();
    let audit_before = app.store.recent_audit_all(100_000).await.unwrap().len();
    let (mut refused, mut per_role) = (0, Vec::new());
    for (role, _, browser) in &mut browsers {
        let mut count = 0;
        for (method, template, permission) in BACK_OFFICE_ROUTES {
            let Some(permission) = permission else {
                continue;
            };
            if role.may(*permission) {
                continue;
            }
            let path = fill(template);
            let denied_before = operator_denied(&app).await.len();
            let r = match *method {
                "get" => browser.get(&path).await,
                _ if template.ends_with("/correccion") || template.ends_with("/aportaciones") => {
                    let file_field = if template.ends_with("/correccion") {
                        "evidencia"
                    } else {
                        "archivo"
                    };
                    post_multipart(
                        browser,
                        &path,
                        &[
                            ("channel", None, b"phone"),
                            ("given_names", None, "MARÍA".as_bytes()),
                            ("first_surname", None, "GARCÍA".as_bytes()),
                            ("second_surname", None, b"HERRERA"),
                            ("curp", None, b"GAHM850312MDFRRR09"),
                            ("rfc", None, b"GAHM850312K40"),
                            ("explicacion", None, b"Acta"),
                            (file_field, Some("acta.pdf"), crate::credit_application::PDF),
                        ],
                    )
                    .await
                }
                _ => {
                    let form = form_of(template);
                    let form: Vec<(&str, &str)> =
                        form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    browser.post(&path, &form).await
                }
            };
            let status = r.status();
            let body = r.text().await.unwrap();
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{} {method} {path}: {body}",
                role.code()
            );
            let denied = operator_denied(&app).await;
            assert_eq!(
                denied.len() - denied_before,
                1,
                "{} {method} {path}: not audited",
                role.code()
            );
            assert_eq!(denied[0]["role"], role.code(), "{method} {path}");
            count += 1;
        }
        per_role.push((role.code(), count));
        refused += count;
    }
    // Of the 25 routes that need a permission: the agent may not reassign, change identities,
    // read the audit log, manage operators, run batches or read statistics (13); the
    // supervisor may not read the audit log or manage operators (4); the auditor may only read
    // the audit log and statistics (23 refused); the admin only manage operators and read
    // statistics (21 refused).
    assert_eq!(
        per_role,
        vec![
            ("agent", 13),
            ("supervisor", 4),
            ("auditor", 23),
            ("admin", 21)
        ]
    );
    assert_eq!(refused, 61);

    // Nothing happened but the refusals: every audit entry since is one, the request is
    // where it was, no NSS moved, no operator was made or changed, no batch queued.
    let since = app.store.recent_audit_all(100_000).await.unwrap();
    let new = &since[..since.len() - audit_before];
    assert_eq!(new.len(), refused);
    assert!(
        new.iter()
            .all(|e| e.entry.action == "operator_access_denied"),
        "{new:?}"
    );
    assert_eq!(
        app.store.requests_of_member(antonio_id).await.unwrap()[0]
            .state
            .stage(),
        stage_before
    );
    assert!(
        app.store
            .member_by_nss(&domain::ids::Nss::parse(crate::accounts::NSS).unwrap())
            .await
            .unwrap()
            .is_some()
    );
}

crate::on_both_engines!(
    another_members_identifiers_are_refused_on_every_api_route,
    every_role_is_refused_what_it_may_not_do,
    another_members_identifiers_are_refused_on_every_member_page,
);
