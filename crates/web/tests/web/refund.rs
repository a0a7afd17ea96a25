//! The pensioner refund over real HTTP on both engines: Antonio (Ley 73, pensioned in 2021)
//! sees why and how much, gives his CLABE, checks his answers, signs with an e.firma made here
//! by a SAT-like authority, gets a folio and a receipt, and follows the request; bad e.firmas
//! are refused with their reasons; nothing secret reaches the database; nobody else sees his
//! request; the API does the same for the mobile app.

use std::sync::OnceLock;

use domain::operators::Role;
use efirma::testing::{Authority, Holder, TestKey};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use time::{Duration, OffsetDateTime};

use crate::accounts::{Browser, PASSWORD, code_from_outbox, location};
use crate::savings::{juan_token, pdf_text, signed_in_maria};
use crate::{Engine, TestApp, spawn_app_on};

pub(crate) const ANTONIO_NSS: &str = "12016543212";
const ANTONIO_RFC: &str = "MASA600115QP2";
const ANTONIO_CURP: &str = "MASA600115HJCRNN08";
pub(crate) const EFIRMA_PASSWORD: &str = "Contraseña de mi e.firma 2026";
const CLABE: &str = "002010077777777771";

/// Antonio's employer, his relation from 1990 to 2020, his savings (23,710.00) and the
/// example pension resolutions (his from February 2021).
const FILES: &[(store::ImportKind, &str, &str)] = &[
    (
        store::ImportKind::Employers,
        "employers.csv",
        "nrp,name,state,sector\nY0000000009,TEXTILES DE JALISCO SA DE CV,14,manufactura\n",
    ),
    (
        store::ImportKind::Relations,
        "relations.csv",
        "nss,nrp,start_date,end_date,wage_from,daily_wage\n12016543212,Y0000000009,1990-01-01,2020-12-31,1990-01-01,150.00\n",
    ),
    (
        store::ImportKind::Contributions,
        "contributions.csv",
        "nss,nrp,bimester,amount,booked_on\n\
12016543212,Y0000000009,1991-3,842.37,1991-07-17\n\
12016543212,Y0000000009,1995-2,1590.08,1995-05-17\n\
12016543212,Y0000000009,2010-4,21277.55,2010-09-17\n",
    ),
];

/// The keys the tests sign with, made once per test binary; the app trusts `sat`.
pub(crate) struct Pki {
    pub sat: Authority,
    antonio: TestKey,
    stranger: TestKey,
}

pub(crate) fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let mut keys = TestKey::generate_many(3);
        let stranger = keys.pop().unwrap();
        let antonio = keys.pop().unwrap();
        let sat = keys.pop().unwrap();
        Pki {
            sat: Authority::sat(&sat),
            antonio,
            stranger,
        }
    })
}

/// Antonio's e.firma certificate for `rfc`, valid from `from` to `to`.
fn cer(rfc: &str, from: OffsetDateTime, to: OffsetDateTime) -> Vec<u8> {
    Holder::new("ANTONIO MARTINEZ SANCHEZ", rfc, ANTONIO_CURP, from, to)
        .issue(&pki().antonio, &pki().sat)
}

pub(crate) fn valid_cer() -> Vec<u8> {
    let now = OffsetDateTime::now_utc();
    cer(
        ANTONIO_RFC,
        now - Duration::days(365),
        now + Duration::days(3 * 365),
    )
}

pub(crate) fn key() -> Vec<u8> {
    pki().antonio.sat_key(EFIRMA_PASSWORD)
}

pub(crate) async fn load(app: &TestApp) {
    let messages = app::i18n::Messages::load().unwrap();
    let dir = std::env::temp_dir().join(format!(
        "vivienda-refund-web-{}-{}",
        std::process::id(),
        app.address.replace([':', '/', '.'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let pensions =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/pensions.csv");
    let mut files: Vec<(store::ImportKind, std::path::PathBuf)> = FILES
        .iter()
        .map(|(kind, name, text)| {
            let path = dir.join(format!("antonio-{name}"));
            std::fs::write(&path, text).unwrap();
            (*kind, path)
        })
        .collect();
    let copy = dir.join("pensions.csv");
    std::fs::copy(pensions, &copy).unwrap();
    files.push((store::ImportKind::Pensions, copy));
    for (kind, path) in files {
        app::import::import_file(app.store.as_ref(), kind, &path, &messages, &mut |_| {})
            .await
            .unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

pub(crate) async fn signed_in_antonio(app: &TestApp) -> Browser<'_> {
    let mut browser = Browser::new(app);
    browser.get("/registro").await;
    let r = browser
        .post(
            "/registro",
            &[
                ("nss", ANTONIO_NSS),
                ("curp", ANTONIO_CURP),
                ("rfc", ANTONIO_RFC),
                ("email", "antonio@example.mx"),
                ("mobile", "3312345678"),
                ("password", PASSWORD),
                ("accept_terms", "true"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/activar");
    let code = code_from_outbox(app).await;
    browser.post("/activar", &[("code", &code)]).await;
    browser.get("/entrar").await;
    let r = browser
        .post(
            "/entrar",
            &[("identifier", ANTONIO_NSS), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    browser
}

/// A `multipart/form-data` body: text fields and files, as a browser sends them.
pub(crate) fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----viviendaRefundBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts the signing form with these files and password, as the browser would.
async fn sign(
    browser: &Browser<'_>,
    option: &str,
    cer: &[u8],
    key: &[u8],
    password: &str,
) -> reqwest::Response {
    let csrf = browser
        .cookies
        .get("__Host-csrf")
        .cloned()
        .unwrap_or_default();
    let form = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("opcion", None, option.as_bytes()),
        ("cer", Some("antonio.cer"), cer),
        ("key", Some("antonio.key"), key),
        ("efirma_password", None, password.as_bytes()),
    ]);
    browser
        .send_multipart("/tramites/devolucion/firmar", form)
        .await
}

/// Every byte the database holds where a secret could hide: the SQLite file and its WAL, or
/// every row of every table of the PostgreSQL schema as text.
async fn database_bytes(app: &TestApp) -> Vec<u8> {
    if let Some(path) = &app.sqlite_path {
        let mut bytes = std::fs::read(path).unwrap();
        for suffix in ["-wal", "-shm"] {
            let extra = path.with_file_name(format!(
                "{}{suffix}",
                path.file_name().unwrap().to_string_lossy()
            ));
            if let Ok(more) = std::fs::read(extra) {
                bytes.extend(more);
            }
        }
        return bytes;
    }
    let (url, schema) = app.pg_schema.clone().unwrap();
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let tables = client
        .query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
            &[&schema],
        )
        .await
        .unwrap();
    let mut bytes = Vec::new();
    for table in tables {
        let name: String = table.get(0);
        let rows = client
            .query(
                &format!("SELECT t::text FROM \"{schema}\".\"{name}\" t"),
                &[],
            )
            .await
            .unwrap();
        for row in rows {
            bytes.extend(row.get::<_, String>(0).into_bytes());
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn a_pensioner_signs_with_the_efirma_and_follows_the_request(engine: Engine) {
    let app = spawn_app_on(engine).await;
    load(&app).await;
    let mut antonio = signed_in_antonio(&app).await;

    // Why, and how much: Ley 73, option B by default, 23,710.00 from the fund.
    let r = antonio.get("/tramites/devolucion").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Puedes pedir tu devolución en línea"),
        "{page}"
    );
    assert!(page.contains("cesantía en edad avanzada"), "{page}");
    assert!(page.contains("Ley 73"), "{page}");
    assert!(page.contains("$23,710.00"), "{page}");
    assert!(page.contains("name=\"opcion\" value=\"a\""), "{page}");
    assert!(page.contains("gratuitos y personales"));
    let page = antonio
        .get("/tramites/devolucion?opcion=a")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("$842.37"), "{page}");
    assert!(page.contains("$22,867.63"), "{page}");
    assert!(page.contains("Tu Afore (pídelo en tu Afore)"), "{page}");
    assert!(
        page.contains("href=\"/tramites/devolucion/cuenta?opcion=a\""),
        "{page}"
    );

    // No account yet: checking the answers sends him to the account step.
    let r = antonio.get("/tramites/devolucion/revisar?opcion=a").await;
    assert_eq!(location(&r), "/tramites/devolucion/cuenta?opcion=a");
    let page = antonio
        .get("/tramites/devolucion/cuenta?opcion=a")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("inputmode=\"numeric\""), "{page}");
    assert!(page.contains("Paso 2 de 4"), "{page}");
    let r = antonio
        .post(
            "/tramites/devolucion/cuenta",
            &[
                ("clabe", "002010077777777779"),
                ("holder", "true"),
                ("opcion", "a"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("<title>Error: "), "{page}");
    assert!(
        page.contains("El último dígito de la CLABE no corresponde"),
        "{page}"
    );
    let r = antonio
        .post(
            "/tramites/devolucion/cuenta",
            &[("clabe", CLABE), ("opcion", "a")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Marca la casilla"));
    let r = antonio
        .post(
            "/tramites/devolucion/cuenta",
            &[("clabe", CLABE), ("holder", "true"), ("opcion", "a")],
        )
        .await;
    assert_eq!(location(&r), "/tramites/devolucion/revisar?opcion=a");

    // Check your answers, each with where to change it.
    let page = antonio
        .get("/tramites/devolucion/revisar?opcion=a")
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "Banamex",
        CLABE,
        "Opción A",
        "Cambiar",
        "href=\"/tramites/devolucion/firmar?opcion=a\"",
        "$842.37",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    let page = antonio
        .get("/tramites/devolucion/firmar?opcion=a")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
    assert!(page.contains("type=\"file\""), "{page}");
    assert!(page.contains("type=\"password\""), "{page}");
    assert!(page.contains("autocomplete=\"off\""), "{page}");
    assert!(page.contains("terminación 7771"), "{page}");

    // Bad e.firmas: each refused with what to do, nothing filed.
    let now = OffsetDateTime::now_utc();
    let expired = cer(
        ANTONIO_RFC,
        now - Duration::days(5 * 365),
        now - Duration::days(1),
    );
    let other_rfc = cer(
        "GODE561231GR8",
        now - Duration::days(30),
        now + Duration::days(700),
    );
    let stranger_key = pki().stranger.sat_key(EFIRMA_PASSWORD);
    let cases: [(&[u8], &[u8], &str, &str); 4] = [
        (&expired, &key(), EFIRMA_PASSWORD, "Tu e.firma ya venció"),
        (
            &other_rfc,
            &key(),
            EFIRMA_PASSWORD,
            "El certificado es de otro RFC",
        ),
        (
            &valid_cer(),
            &key(),
            "no es esta",
            "La contraseña no abre tu archivo .key",
        ),
        (
            &valid_cer(),
            &stranger_key,
            EFIRMA_PASSWORD,
            "no corresponde al archivo .cer",
        ),
    ];
    for (cer, key, password, message) in cases {
        let r = sign(&antonio, "a", cer, key, password).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let page = r.text().await.unwrap();
        assert!(page.contains(message), "{message} in {page}");
        assert!(page.contains("Hay un problema"));
    }
    // A file no e.firma could be is refused without reading the rest.
    let r = sign(
        &antonio,
        "a",
        &vec![0x30; 70 * 1024],
        &key(),
        EFIRMA_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("El archivo es demasiado grande")
    );
    let r = sign(&antonio, "a", &valid_cer(), b"", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Elige tu archivo .cer"));
    // Without the CSRF token nothing is read.
    let r = antonio
        .send_multipart(
            "/tramites/devolucion/firmar",
            multipart(&[("cer", Some("a.cer"), &valid_cer())]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Signed: a folio, the confirmation and the receipt.
    let r = sign(&antonio, "a", &valid_cer(), &key(), EFIRMA_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let confirmation = location(&r).to_owned();
    let folio = confirmation
        .strip_prefix("/tramites/devolucion/enviada/")
        .unwrap()
        .to_owned();
    assert!(folio.starts_with("DEV-"), "{folio}");
    let page = antonio.get(&confirmation).await.text().await.unwrap();
    for expected in [
        "Solicitud de devolución enviada",
        folio.as_str(),
        "$842.37",
        "terminación 7771",
        "Se envió la solicitud",
        "Firmada con tu e.firma (certificado número 30001000000500012345)",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    let receipt = format!("/tramites/devolucion/{folio}/acuse.pdf");
    assert!(page.contains(&receipt), "{page}");
    let r = antonio.get(&receipt).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let text = pdf_text(&r.bytes().await.unwrap());
    for expected in [
        "Acuse de solicitud",
        folio.as_str(),
        "Devolución del ahorro para personas pensionadas",
        "Banamex, terminación 7771",
        "$842.37",
        "$1,590.08",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(
        !text.contains(CLABE),
        "the receipt shows only the last digits"
    );
    let page = antonio
        .get(&format!("/tramites/devolucion/{folio}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Recibida"), "{page}");
    // Filing again is refused: one refund at a time.
    let page = antonio
        .get("/tramites/devolucion")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Ya tienes una solicitud de devolución en trámite"),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/tramites/devolucion/{folio}\"")),
        "{page}"
    );

    // The key and the passwords never reach the database; the certificate does.
    let stored = database_bytes(&app).await;
    let key = key();
    assert!(!contains(&stored, EFIRMA_PASSWORD.as_bytes()));
    assert!(!contains(&stored, "no es esta".as_bytes()));
    assert!(!contains(&stored, &key[40..80]));
    assert!(!contains(&stored, hex_of(&key[40..80]).as_bytes()));
    assert!(contains(&stored, hex_of(&valid_cer()[..64]).as_bytes()));

    // Nobody else sees it.
    let mut maria = signed_in_maria(&app).await;
    for path in [
        format!("/tramites/devolucion/{folio}"),
        format!("/tramites/devolucion/enviada/{folio}"),
        receipt.clone(),
    ] {
        assert_eq!(
            maria.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let token = juan_token(&app).await;
    let r = app
        .client
        .get(format!("{}/api/v1/me/refund/{folio}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Signed out, the pages ask to sign in.
    let r = app
        .client
        .get(format!("{}/tramites/devolucion", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/entrar");
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn a_clabe_change_holds_the_filing_and_refusals_are_explained(engine: Engine) {
    let app = spawn_app_on(engine).await;
    load(&app).await;
    let mut antonio = signed_in_antonio(&app).await;
    let r = antonio
        .post(
            "/tramites/devolucion/cuenta",
            &[("clabe", CLABE), ("holder", "true")],
        )
        .await;
    assert_eq!(location(&r), "/tramites/devolucion/revisar");
    // Another CLABE asks for the password, then holds money for 72 hours.
    let other = "014027000005555558";
    let page = antonio
        .get("/tramites/devolucion/cuenta")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Cuenta registrada: Banamex, terminación 7771"),
        "{page}"
    );
    let r = antonio
        .post(
            "/tramites/devolucion/cuenta",
            &[("clabe", other), ("holder", "true")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("escribe tu contraseña del portal")
    );
    let r = antonio
        .post(
            "/tramites/devolucion/cuenta",
            &[
                ("clabe", other),
                ("holder", "true"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&r), "/tramites/devolucion/revisar");
    let r = antonio.get("/tramites/devolucion/revisar").await;
    assert_eq!(location(&r), "/tramites/devolucion", "not eligible yet");
    let page = antonio
        .get("/tramites/devolucion")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Por ahora no puedes pedir la devolución en línea"),
        "{page}"
    );
    assert!(
        page.contains("los trámites con dinero esperan 72 horas"),
        "{page}"
    );
    assert!(
        page.contains("Podrás enviar tu solicitud a partir del"),
        "{page}"
    );
    let r = sign(&antonio, "", &valid_cer(), &key(), EFIRMA_PASSWORD).await;
    assert_eq!(location(&r), "/tramites/devolucion");
    let sms = app.store.recent_messages(5).await.unwrap();
    assert!(
        sms.iter()
            .any(|m| m.recipient == "3312345678" && m.body.contains("5558")),
        "the member is told by SMS"
    );
    app.advance(Duration::hours(72));
    let mut antonio = signed_in_again(&app).await;
    let page = antonio
        .get("/tramites/devolucion")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Puedes pedir tu devolución en línea"),
        "{page}"
    );
    antonio.get("/tramites/devolucion/firmar").await;
    let r = sign(&antonio, "", &valid_cer(), &key(), EFIRMA_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Juan: no pension, an active credit: refused with each reason and what to do.
    crate::credit::import_credits(&app).await;
    let token = juan_token(&app).await;
    let r = app
        .client
        .get(format!("{}/api/v1/me/refund", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["eligible"], false);
    let codes: Vec<&str> = body["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "refund_no_pension",
            "refund_active_credit",
            "refund_paid_by_afore"
        ]
    );
    assert!(
        body["refusals"][1]["what_to_do"]
            .as_str()
            .unwrap()
            .contains("Mi crédito")
    );
}

/// Antonio signs in again (the earlier session timed out while the clock moved).
async fn signed_in_again(app: &TestApp) -> Browser<'_> {
    let mut browser = Browser::new(app);
    browser.get("/entrar").await;
    let r = browser
        .post(
            "/entrar",
            &[("identifier", ANTONIO_NSS), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    browser
}

async fn the_api_files_a_signed_refund_for_the_app(engine: Engine) {
    let app = spawn_app_on(engine).await;
    load(&app).await;
    let mut antonio = signed_in_antonio(&app).await;
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": ANTONIO_NSS, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = |path: &str| format!("{}/api/v1/me/refund{path}", app.address);

    let body = app
        .get_json("/api/v1/me/refund?option=afore_pays_scv", Some(&token))
        .await;
    assert_eq!(body["eligible"], true);
    assert_eq!(body["amounts"]["regime"], "ley_73");
    assert_eq!(body["amounts"]["from_infonavit"], "842.37");
    assert_eq!(body["amounts"]["lines"][1]["payer"], "afore_refund");
    assert_eq!(body["bank_account"], serde_json::Value::Null);

    // With the cookie, a change needs the CSRF header; with the token it does not.
    let r = app
        .client
        .put(api("/account"))
        .header(COOKIE, antonio.cookie_header())
        .json(&serde_json::json!({ "clabe": CLABE, "holder_declared": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .client
        .put(api("/account"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "clabe": "000000000000000000", "holder_declared": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "clabe_bank_unknown");
    assert_eq!(body["field"], "clabe");
    let r = app
        .client
        .put(api("/account"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "clabe": CLABE, "holder_declared": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["bank_account"]["bank_name"], "Banamex");

    let post = |cer: Vec<u8>, password: &'static str| {
        let (content_type, body) = multipart(&[
            ("option", None, b"afore_pays_scv"),
            ("cer", Some("a.cer"), &cer),
            ("key", Some("a.key"), &key()),
            ("password", None, password.as_bytes()),
        ]);
        app.client
            .post(api(""))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let r = post(valid_cer(), "equivocada").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "key_password_wrong");
    assert_eq!(body["field"], "efirma_password");
    assert!(body["message"].as_str().unwrap().contains("contraseña"));
    let r = post(valid_cer(), EFIRMA_PASSWORD).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let filed: serde_json::Value = r.json().await.unwrap();
    let folio = filed["folio"].as_str().unwrap().to_owned();
    let r = post(valid_cer(), EFIRMA_PASSWORD).await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["refusals"][0]["code"], "refund_in_process");

    let status: serde_json::Value = app
        .client
        .get(api(&format!("/{folio}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["stage"], "submitted");
    assert_eq!(status["signature"]["valid"], true);
    assert_eq!(status["bank_account"]["clabe_ending"], "7771");
    assert_eq!(status["timeline"][0]["channel"], "app");
    assert_eq!(status["promised_on"], filed["promised_on"]);
    // The service clock's dates are ISO dates like every other date in the API (they were
    // `[year, day of the year]` pairs).
    assert_eq!(status["clock"]["submitted_on"], filed["submitted_on"]);
    assert_eq!(status["clock"]["promised_on"], filed["promised_on"]);
    assert_eq!(status["clock"]["overdue"], false);
    // The browser session sees the same request on its status page.
    let page = antonio
        .get(&format!("/tramites/devolucion/{folio}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&folio), "{page}");
    let r = app.client.get(api("")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// Every withdrawal the member's ledger holds.
async fn withdrawals(app: &TestApp) -> Vec<domain::registry::Movement> {
    let nss = domain::ids::Nss::parse(ANTONIO_NSS).unwrap();
    let antonio = app.store.member_by_nss(&nss).await.unwrap().unwrap();
    app.store
        .movements(
            antonio.member_id,
            &store::MovementFilter {
                kinds: vec![domain::registry::MovementKind::Withdrawal],
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

async fn the_back_office_approves_and_pays_a_refund_once(engine: Engine) {
    let app = spawn_app_on(engine).await;
    load(&app).await;
    let mut antonio = signed_in_antonio(&app).await;
    antonio
        .post(
            "/tramites/devolucion/cuenta",
            &[("clabe", CLABE), ("holder", "true")],
        )
        .await;
    antonio.get("/tramites/devolucion/firmar").await;
    let r = sign(&antonio, "", &valid_cer(), &key(), EFIRMA_PASSWORD).await;
    let folio = location(&r)
        .strip_prefix("/tramites/devolucion/enviada/")
        .unwrap()
        .to_owned();

    let agent = crate::backoffice::create(&app, "agente.devoluciones", Role::Agent).await;
    let mut office = crate::backoffice::sign_in(&app, &agent).await;
    let queue = office
        .get("/operacion/solicitudes?tipo=pensioner_refund")
        .await
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&folio), "{queue}");
    let case = format!("/operacion/solicitudes/{folio}");
    // The answers are readable: nested parts one level deep, the certificate cut short.
    let page = office.get(&case).await.text().await.unwrap();
    assert!(page.contains("002010077777777771"), "the CLABE: {page}");
    assert!(page.contains("… ("), "a long value is cut: {page}");
    assert!(
        page.len() < 60_000,
        "no certificate in full: {} bytes",
        page.len()
    );
    for action in ["start_review", "approve", "complete"] {
        let r = office
            .post(&format!("{case}/decision"), &[("action", action)])
            .await;
        assert_eq!(location(&r), case, "{action}");
    }
    // Option B: the three buckets with money left the ledger, once.
    assert_eq!(withdrawals(&app).await.len(), 3);
    let total: i64 = withdrawals(&app)
        .await
        .iter()
        .map(|m| m.amount.centavos())
        .sum();
    assert_eq!(total, -2_371_000);
    let r = office
        .post(&format!("{case}/decision"), &[("action", "complete")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(withdrawals(&app).await.len(), 3, "paid once");
    let page = antonio
        .get(&format!("/tramites/devolucion/{folio}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Concluida"), "{page}");
    assert!(page.contains("Concluyó el trámite"), "{page}");
}

crate::on_both_engines!(
    a_pensioner_signs_with_the_efirma_and_follows_the_request,
    a_clabe_change_holds_the_filing_and_refusals_are_explained,
    the_api_files_a_signed_refund_for_the_app,
    the_back_office_approves_and_pays_a_refund_once,
);
