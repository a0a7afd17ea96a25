//! "Mi crédito" over HTTP on both engines. The documented example files give María a peso
//! credit whose discount was restructured in October 2025 and Juan a VSM credit; the test adds
//! a year of monthly movements to María's credit (for the interest certificate, worked by hand
//! below) and a paid-off credit to Juan.

use reqwest::StatusCode;
use rust_decimal::Decimal;

use crate::savings::{juan_token, pdf_text, signed_in_maria};
use crate::{Engine, TestApp, spawn_app_on};

const MARIA_CREDIT: &str = "1901234567";

/// An adjustment that leaves María owing 594,000.00 on 1 January 2024; the year's monthly
/// interest and payments are added by `import_credits`.
const EXTRA_MOVEMENTS: &str = "credit_number,reference,kind,booked_on,amount\n\
1901234567,X2023,adjustment,2023-12-31,-45773.33\n";

pub(crate) async fn import_credits(app: &TestApp) {
    let messages = app::i18n::Messages::load().unwrap();
    let dir = std::env::temp_dir().join(format!(
        "vivienda-credit-{}-{}",
        std::process::id(),
        app.address.replace([':', '/', '.'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let mut movements = EXTRA_MOVEMENTS.to_owned();
    for month in 1..=12u8 {
        let last = time::Month::try_from(month).unwrap().length(2024);
        movements.push_str(&format!(
            "1901234567,I2024-{month:02},interest,2024-{month:02}-{last},5000.00\n\
             1901234567,P2024-{month:02},payroll_payment,2024-{month:02}-{last},-6000.00\n"
        ));
    }
    let juan_credit = "credit_number,nss,product,denomination,originated_on,amount,amount_vsm,rate,term_months,status\n\
0712345670,38957812340,tradicional,vsm,2006-02-01,150000.00,110.50,0.06,240,paid_off\n";
    let juan_movements = "credit_number,reference,kind,booked_on,amount\n\
0712345670,D,disbursement,2006-02-01,150000.00\n\
0712345670,LIQ,direct_payment,2026-03-13,-150000.00\n";
    let files: Vec<(store::ImportKind, std::path::PathBuf)> = vec![
        (store::ImportKind::Credits, examples.join("credits.csv")),
        (
            store::ImportKind::CreditMovements,
            examples.join("credit-movements.csv"),
        ),
        (
            store::ImportKind::CreditDiscounts,
            examples.join("credit-discounts.csv"),
        ),
        (
            store::ImportKind::CreditMovements,
            write(&dir, "maria-2024.csv", &movements),
        ),
        (
            store::ImportKind::Credits,
            write(&dir, "juan-credit.csv", juan_credit),
        ),
        (
            store::ImportKind::CreditMovements,
            write(&dir, "juan-moves.csv", juan_movements),
        ),
    ];
    for (kind, path) in files {
        let copy = dir.join(format!(
            "copy-{}",
            path.file_name().unwrap().to_string_lossy()
        ));
        std::fs::copy(&path, &copy).unwrap();
        app::import::import_file(app.store.as_ref(), kind, &copy, &messages, &mut |_| {})
            .await
            .unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn api(app: &TestApp, token: &str, path: &str) -> (StatusCode, serde_json::Value) {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

async fn balances_and_notices_follow_the_rules(engine: Engine) {
    let app = spawn_app_on(engine).await;
    import_credits(&app).await;
    let mut maria = signed_in_maria(&app).await;
    let r = maria.get("/mi-credito").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    assert!(
        page.contains("href=\"/mi-credito\""),
        "the area is in the navigation"
    );
    assert!(page.contains(MARIA_CREDIT), "{page}");
    // 640,000 + 5,573.33 − 5,800 − 45,773.33 + 12 × (5,000 − 6,000) = 582,000.00.
    assert!(page.contains("$582,000.00"), "{page}");
    // The discount restructured on 9 October 2025 is the one in force.
    assert!(page.contains("$4,950.00"), "{page}");
    // She works for the employer she had when the credit was granted: retention; her
    // discount changed after it: modification; nothing is paid off: no suspension.
    assert!(page.contains("Aviso de retención de descuentos"), "{page}");
    assert!(page.contains("Aviso de modificación de descuentos"));
    assert!(!page.contains("Aviso de suspensión de descuentos"));
    assert!(page.contains("ALIMENTOS DEL BAJÍO SA DE CV"));
    assert!(page.contains(&format!("/mi-credito/{MARIA_CREDIT}/constancia/2024")));

    let token = juan_token(&app).await;
    let (status, notices) = api(&app, &token, "/api/v1/me/notices").await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<(String, String, String)> = notices["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["credit_number"].as_str().unwrap().to_owned(),
                n["kind"].as_str().unwrap().to_owned(),
                n["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("0712345670".into(), "suspension".into(), "paid_off".into()),
            ("0812345678".into(), "retention".into(), "new_credit".into()),
        ]
    );
    let (_, credits) = api(&app, &token, "/api/v1/me/credits").await;
    let list = credits["credits"].as_array().unwrap();
    let vsm = list
        .iter()
        .find(|c| c["credit_number"] == "0812345678")
        .unwrap();
    assert_eq!(vsm["denomination"], "vsm");
    assert_eq!(vsm["discount"]["kind"], "vsm_factor");
    assert_eq!(vsm["discount"]["value"], "1.2500");
    let paid = list
        .iter()
        .find(|c| c["credit_number"] == "0712345670")
        .unwrap();
    assert_eq!(paid["paid_off"], true);
    assert_eq!(paid["paid_off_on"], "2026-03-13");
    assert_eq!(paid["balance"], "0.00");

    // Nobody reads another member's credit.
    let (status, body) = api(
        &app,
        &token,
        &format!("/api/v1/me/credits/{MARIA_CREDIT}/movements"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "credit_not_found");
    let r = maria.get("/mi-credito/0812345678/movimientos").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = maria
        .get(&format!("/mi-credito/{MARIA_CREDIT}/movimientos"))
        .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("Pago por descuento de nómina"), "{page}");
    // A statement per year since the credit was granted, and the whole history.
    assert!(
        page.contains("estado-de-cuenta.pdf?desde=2019-01-01&#38;hasta=2019-12-31"),
        "{page}"
    );
    assert!(page.contains(&format!(
        "href=\"/mi-credito/{MARIA_CREDIT}/estado-de-cuenta.pdf\""
    )));
    // And a month picker: this month preselected, the years since the credit was granted.
    assert!(page.contains("name=\"mes\""), "{page}");
    assert!(page.contains("<option>2019</option>"), "{page}");
    assert!(page.contains("$6,000.00"));
    // Without a session, the API answers 401.
    let r = app
        .client
        .get(format!("{}/api/v1/me/credits", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn money(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

async fn the_interest_certificate_matches_the_formula_worked_by_hand(engine: Engine) {
    let app = spawn_app_on(engine).await;
    import_credits(&app).await;
    let mut maria = signed_in_maria(&app).await;
    // Owed 594,000.00 on 1 January 2024; each month it falls by 1,000.00: the month-end
    // balances are 593,000 … 582,000, whose average is 587,500.00.
    let balances: Vec<Decimal> = (1..=12)
        .map(|m| dec("594000") - Decimal::from(1000 * m))
        .collect();
    let average = balances.iter().sum::<Decimal>() / Decimal::from(12);
    assert_eq!(average, dec("587500"));
    // INPC December 2023 and December 2024 (data/inflation.csv).
    let factor = dec("137.949") / dec("132.373") - Decimal::ONE;
    let adjustment = money(average * factor);
    let real = money(dec("60000") - adjustment.parse::<Decimal>().unwrap());
    let (status, body) = {
        let r = maria
            .get(&format!("/api/v1/me/credits/{MARIA_CREDIT}/interest/2024"))
            .await;
        (r.status(), r.json::<serde_json::Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["average_balance"], "587500.00");
    assert_eq!(body["nominal_interest"], "60000.00");
    assert_eq!(body["inflation_adjustment"], adjustment.as_str());
    assert_eq!(body["real_interest"], real.as_str());
    assert_eq!(body["inpc_start"]["value"], "132.373");
    assert_eq!(body["months"].as_array().unwrap().len(), 12);
    let page = maria
        .get(&format!("/mi-credito/{MARIA_CREDIT}/constancia/2024"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("$587,500.00"), "{page}");
    assert!(page.contains("diciembre de 2023"));
    assert!(page.contains("750,000 UDIS"));
    // A year not over yet, and one before the credit, are explained.
    let r = maria
        .get(&format!("/api/v1/me/credits/{MARIA_CREDIT}/interest/2030"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = maria
        .get(&format!("/mi-credito/{MARIA_CREDIT}/constancia/2010"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("no tenía saldo"));
}

async fn documents_verify_by_code_and_by_bytes(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let pdf = maria
        .get("/ahorro/estado-de-cuenta.pdf?desde=2015-01-01&hasta=2015-12-31")
        .await
        .bytes()
        .await
        .unwrap();
    let text = pdf_text(&pdf);
    let code = text
        .split_whitespace()
        .find(|w| w.len() == 19 && w.matches('-').count() == 3)
        .unwrap()
        .to_owned();
    // Anyone, without signing in, follows the QR's address.
    let r = app
        .client
        .get(format!("{}/verificar/{code}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("El documento es auténtico"), "{page}");
    assert!(
        page.contains("M**** G***** H*******"),
        "a masked name: {page}"
    );
    assert!(
        !page.contains("01908567892"),
        "nothing more than the masked name"
    );
    let verdict =
        |body: reqwest::Response| async move { body.json::<serde_json::Value>().await.unwrap() };
    let post = |bytes: Vec<u8>, code: String| {
        app.client
            .post(format!("{}/api/v1/documents/{code}", app.address))
            .header("content-type", "application/pdf")
            .body(bytes)
            .send()
    };
    let v = verdict(post(pdf.to_vec(), code.clone()).await.unwrap()).await;
    assert_eq!(v["verdict"], "genuine", "{v}");
    assert_eq!(v["kind"], "savings_statement");
    let mut altered = pdf.to_vec();
    let at = altered.len() / 2;
    altered[at] ^= 0x01;
    let v = verdict(post(altered, code.clone()).await.unwrap()).await;
    assert_eq!(v["verdict"], "altered", "{v}");
    let v = verdict(
        post(pdf.to_vec(), "7KQ2-M9XA-PR4T-0C8D".into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["verdict"], "unknown");
    let r = app
        .client
        .get(format!("{}/verificar/NOT-A-CODE", app.address))
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("No emitimos ningún documento")
    );
}

/// Juan's cancellation of his paid-off credit through Nuevo León's public registry.
pub(crate) const CANCELLATION_FORM: [(&str, &str); 10] = [
    ("route", "public_registry"),
    (
        "property_address",
        "Calle Roble 14, Col. Centro, Monterrey, Nuevo León",
    ),
    ("credit_line", "II"),
    ("originated_on", "2006-02-01"),
    ("folio_real", "889123"),
    ("recorded_on", "2006-03-15"),
    ("registry_state", "19"),
    ("deed_number", "4512"),
    ("originating_notary_name", "Lic. Ana Ruiz Soto"),
    ("originating_notary_number", "62"),
];

async fn a_paid_off_borrower_gets_the_cancellation_letter_with_a_folio(engine: Engine) {
    use crate::accounts::{Browser, PASSWORD, location};
    let app = spawn_app_on(engine).await;
    import_credits(&app).await;
    juan_token(&app).await;
    let mut juan = Browser::new(&app);
    juan.get("/entrar").await;
    let r = juan
        .post(
            "/entrar",
            &[("identifier", "38957812340"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    let page = juan.get("/mi-credito").await.text().await.unwrap();
    assert!(
        page.contains("/mi-credito/0712345670/cancelacion"),
        "{page}"
    );
    // Not for the credit still running.
    let r = juan.get("/mi-credito/0812345678/cancelacion").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Step 1: the route; step 2: its fields only.
    let page = juan
        .get("/mi-credito/0712345670/cancelacion")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"ruta\""), "{page}");
    let page = juan
        .get("/mi-credito/0712345670/cancelacion?ruta=public_registry")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"folio_real\""), "{page}");
    assert!(!page.contains("name=\"notary_email\""));
    // Jalisco's registry does not cancel: the form must go to a notary there.
    let mut form = CANCELLATION_FORM.to_vec();
    form.retain(|(k, _)| *k != "registry_state");
    form.push(("registry_state", "14"));
    let r = juan.post("/mi-credito/0712345670/cancelacion", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("solo se cancela ante notaría"), "{page}");
    assert!(page.contains("Calle Roble 14"), "what was typed is kept");
    form.retain(|(k, _)| *k != "registry_state");
    form.push(("registry_state", "19"));
    let r = juan.post("/mi-credito/0712345670/cancelacion", &form).await;
    let to = location(&r).to_owned();
    assert!(to.starts_with("/mi-credito/cancelacion/CAN-"), "{to}");
    let page = juan.get(&to).await.text().await.unwrap();
    assert!(page.contains("Concluida"), "{page}");
    assert!(page.contains("Válida hasta"));
    assert!(page.contains("Proceso automático"));
    let folio = to.trim_start_matches("/mi-credito/cancelacion/").to_owned();
    let letter = juan.get(&format!("{to}/carta.pdf")).await;
    assert_eq!(letter.status(), StatusCode::OK);
    let text = pdf_text(&letter.bytes().await.unwrap());
    for expected in [
        folio.as_str(),
        "0712345670",
        "889123",
        "Nuevo León",
        "Calle Roble 14",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // Another member cannot read it.
    let mut maria = signed_in_maria(&app).await;
    let r = maria.get(&to).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = maria.get(&format!("{to}/carta.pdf")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// The URL in the first page's QR code, read by zbarimg from a pdftoppm image.
pub(crate) fn qr_of(pdf: &[u8]) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "vivienda-qr-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(dir.join("page"))
        .status()
        .expect("pdftoppm (poppler-utils) is needed");
    assert!(status.success());
    let image = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&image)
        .output()
        .expect("zbarimg (zbar-tools; .ci/run installs it) is needed");
    let _ = std::fs::remove_dir_all(&dir);
    // Every page carries the code: take the first one read.
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

async fn credit_pdfs_say_what_they_must_and_verify_through_their_qr(engine: Engine) {
    let app = spawn_app_on(engine).await;
    import_credits(&app).await;
    let mut maria = signed_in_maria(&app).await;
    let r = maria
        .get(&format!(
            "/mi-credito/{MARIA_CREDIT}/avisos/retention/Y0000000002.pdf"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    for expected in [
        "retención",
        "ALIMENTOS DEL BAJÍO SA DE CV",
        "Y0000000002",
        MARIA_CREDIT,
        "01908567892",
        "$4,950.00",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The QR leads to the public verification page, which says the notice is genuine.
    let url = qr_of(&pdf);
    let path = url
        .strip_prefix("https://vivienda.example")
        .unwrap_or_else(|| panic!("QR {url}"));
    assert!(path.starts_with("/verificar/"), "{url}");
    let page = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("El documento es auténtico"), "{url}: {page}");
    assert!(page.contains("Aviso de retención de descuentos"), "{page}");
    // A notice whose rule does not apply is not issued; nor is anyone else's.
    let r = maria
        .get(&format!(
            "/mi-credito/{MARIA_CREDIT}/avisos/suspension/Y0000000002.pdf"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = maria
        .get("/mi-credito/0812345678/avisos/retention/Y0000000002.pdf")
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let text = pdf_text(
        &maria
            .get(&format!("/mi-credito/{MARIA_CREDIT}/constancia/2024.pdf"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    for expected in [
        "$587,500.00",
        "$60,000.00",
        "132.373",
        "137.949",
        "750,000 UDIS",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let text = pdf_text(
        &maria
            .get(&format!(
                "/mi-credito/{MARIA_CREDIT}/estado-de-cuenta.pdf?desde=2024-01-01&hasta=2024-12-31"
            ))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    for expected in ["$594,000.00", "$582,000.00", "$6,000.00"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The month picker's form asks for one calendar month, every movement listed.
    let month = pdf_text(
        &maria
            .get(&format!(
                "/mi-credito/{MARIA_CREDIT}/estado-de-cuenta.pdf?mes=2&anio=2024"
            ))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert!(
        month.contains("Del 1 de febrero de 2024 al 29 de febrero de 2024"),
        "{month}"
    );
    assert!(month.contains("Movimientos del periodo"), "{month}");
    // The whole history is summarised by year.
    let history = pdf_text(
        &maria
            .get(&format!("/mi-credito/{MARIA_CREDIT}/estado-de-cuenta.pdf"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert!(history.contains("Resumen por año"), "{history}");
    assert!(history.contains("2024 "), "{history}");
}

crate::on_both_engines!(
    balances_and_notices_follow_the_rules,
    the_interest_certificate_matches_the_formula_worked_by_hand,
    documents_verify_by_code_and_by_bytes,
    a_paid_off_borrower_gets_the_cancellation_letter_with_a_folio,
    credit_pdfs_say_what_they_must_and_verify_through_their_qr,
);
