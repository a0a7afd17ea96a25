//! "Mi ahorro" over HTTP on both engines, with the documented example files: María (NSS
//! 01908567892) has three contributions, Juan (38957812340) one.

use reqwest::StatusCode;

use crate::accounts::{Browser, NSS, PASSWORD, location, sign_up_and_activate};
use crate::{Engine, TestApp, spawn_app_on};

pub(crate) async fn signed_in_maria(app: &TestApp) -> Browser<'_> {
    let mut browser = Browser::new(app);
    sign_up_and_activate(&mut browser).await;
    browser.get("/entrar").await;
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta");
    browser
}

/// Juan's account, through the API: his bearer token.
pub(crate) async fn juan_token(app: &TestApp) -> String {
    let mut browser = Browser::new(app);
    browser.get("/registro").await;
    browser
        .post(
            "/registro",
            &[
                ("nss", "38957812340"),
                ("curp", "LOPJ780704HNLPRN07"),
                ("rfc", "LOPJ780704TT2"),
                ("email", "juan@example.mx"),
                ("mobile", "8112345678"),
                ("password", PASSWORD),
                ("accept_terms", "true"),
            ],
        )
        .await;
    let code = crate::accounts::code_from_outbox(app).await;
    browser.post("/activar", &[("code", &code)]).await;
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": "38957812340", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn the_balance_is_exact_and_each_member_sees_only_their_own(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let r = maria.get("/ahorro").await;
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    // 937.50 + 953.12 + 1,586.00, all after July 1997: Subcuenta de Vivienda 1997.
    assert!(page.contains("$3,476.62"), "{page}");
    assert!(page.contains("Subcuenta de Vivienda 1997"));
    assert!(page.contains("Fondo de Ahorro 1972-1992"));
    assert!(
        page.contains("17 de noviembre de 2015"),
        "last contribution: {page}"
    );
    assert!(
        page.contains("href=\"/ahorro\""),
        "the area is in the navigation"
    );

    let token = juan_token(&app).await;
    let juan = app.get_json("/api/v1/me/savings", Some(&token)).await;
    assert_eq!(juan["total"], "878.40");
    assert_eq!(juan["buckets"][2]["bucket"], "scv_97");
    assert_eq!(juan["buckets"][2]["balance"], "878.40");
    assert_eq!(juan["buckets"][0]["use"], "retirement_only");
    let movements: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/me/movements", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        movements["total"], 1,
        "Juan sees his one movement, none of María's"
    );

    let anonymous = app
        .client
        .get(format!("{}/api/v1/me/savings", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let r = Browser::new(&app).get("/ahorro").await;
    assert_eq!(location(&r), "/entrar");
}

async fn movements_filter_download_and_explain_bad_filters(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let page = maria.get("/ahorro/movimientos").await.text().await.unwrap();
    assert!(page.contains("3 movimientos"), "{page}");
    // Newest first, each with the balance after it.
    let newest = page.find("$1,586.00").unwrap();
    let oldest = page.find("$937.50").unwrap();
    assert!(newest < oldest);
    assert!(
        page.contains("$1,890.62"),
        "running balance after the second: {page}"
    );

    let page = maria
        .get("/ahorro/movimientos?desde=2015-04-01&hasta=2015-12-31&tipo=contribution")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("2 movimientos"), "{page}");
    assert!(!page.contains("$937.50"));
    let page = maria
        .get("/ahorro/movimientos?desde=2015-13-01")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>Error: "), "{page}");
    assert!(page.contains("año-mes-día"), "{page}");
    let page = maria
        .get("/ahorro/movimientos?desde=2016-01-01&hasta=2015-01-01")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("posterior"), "{page}");

    let csv = maria.get("/ahorro/movimientos.csv?subcuenta=scv_97").await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert_eq!(
        text,
        "fecha,tipo,subcuenta,periodo,importe,saldo\n\
         2015-03-17,contribution,scv_97,2015-1,937.50,937.50\n\
         2015-05-18,contribution,scv_97,2015-2,953.12,1890.62\n\
         2015-11-17,contribution,scv_97,2015-5,1586.00,3476.62\n"
    );
    let empty = maria
        .get("/ahorro/movimientos.csv?subcuenta=fondo_72_92")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(empty.lines().count(), 1, "only the header");
}

async fn the_employment_history_shows_jobs_gaps_and_unpaid_bimesters(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let page = maria.get("/ahorro/relaciones").await.text().await.unwrap();
    let newest = page.find("ALIMENTOS DEL BAJÍO").unwrap();
    let oldest = page.find("CONSTRUCTORA DEL NORTE").unwrap();
    assert!(newest < oldest, "newest job first");
    assert!(page.contains("Trabajo actual"));
    assert!(
        page.contains("$312.50") && page.contains("$402.10"),
        "wage history"
    );
    assert!(
        page.contains("1 de julio de 2015 – 31 de julio de 2015"),
        "the gap: {page}"
    );
    assert!(page.contains("no ha pagado la aportación"), "{page}");
}

async fn the_calculator_works_for_visitors_and_explains_its_errors(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let visitor = Browser::new(&app)
        .get("/ahorro/calculadora?salario=500&anios=2&crecimiento=&saldo=")
        .await
        .text()
        .await
        .unwrap();
    assert!(visitor.contains("Podrías tener"), "{visitor}");
    assert!(visitor.contains("<svg"), "the chart");
    assert!(
        visitor.contains("Cálculo bimestre por bimestre"),
        "the table"
    );
    let bad = Browser::new(&app)
        .get("/ahorro/calculadora?salario=abc&anios=99")
        .await
        .text()
        .await
        .unwrap();
    assert!(bad.contains("<title>Error: "), "{bad}");
    assert!(bad.contains("entre 1 y 40"));
    let api: serde_json::Value = app
        .client
        .get(format!(
            "{}/api/v1/savings/projection?daily_wage=500&years=1",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["bimesters"].as_array().unwrap().len(), 6);
    // With no opening balance the first bimester is only its contribution: 5% × 500 × days.
    let first = &api["bimesters"][0];
    let days = first["contribution"]
        .as_str()
        .unwrap()
        .parse::<f64>()
        .unwrap()
        / 25.0;
    assert!((59.0..=62.0).contains(&days), "{first}");

    // A member starts from their own balance and wage.
    let mut maria = signed_in_maria(&app).await;
    let page = maria.get("/ahorro/calculadora").await.text().await.unwrap();
    assert!(page.contains("value=\"3476.62\""), "{page}");
    assert!(page.contains("value=\"520.00\""), "{page}");
}

crate::on_both_engines!(
    the_balance_is_exact_and_each_member_sees_only_their_own,
    movements_filter_download_and_explain_bad_filters,
    the_employment_history_shows_jobs_gaps_and_unpaid_bimesters,
    the_calculator_works_for_visitors_and_explains_its_errors,
    the_statement_pdf_has_the_right_totals_and_is_recorded,
);

/// The text of a PDF, by poppler's `pdftotext` (installed by `.ci/run`).
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("vivienda-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.pdf", rand_name()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext is needed (poppler-utils; .ci/run installs it)");
    String::from_utf8(out.stdout).unwrap()
}

fn rand_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("statement-{}", N.fetch_add(1, Ordering::Relaxed))
}

async fn the_statement_pdf_has_the_right_totals_and_is_recorded(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let page = maria.get("/ahorro/movimientos").await.text().await.unwrap();
    assert!(page.contains("/ahorro/estado-de-cuenta.pdf?"), "{page}");
    let r = maria
        .get("/ahorro/estado-de-cuenta.pdf?desde=2015-01-01&hasta=2015-12-31")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    assert!(text.contains("GARCÍA"), "{text}");
    assert!(text.contains("01908567892"), "{text}");
    for amount in ["$937.50", "$953.12", "$1,586.00", "$3,476.62"] {
        assert!(text.contains(amount), "{amount} in {text}");
    }
    // The verification code printed on it is the one recorded as issued to María.
    let code = text
        .split_whitespace()
        .find(|w| w.len() == 19 && w.matches('-').count() == 3)
        .unwrap_or_else(|| panic!("no verification code in {text}"));
    let issued = app
        .store
        .document_by_code(&code.replace('-', ""))
        .await
        .unwrap()
        .expect("the document is recorded");
    assert_eq!(issued.kind, "savings_statement");
    use sha2::Digest;
    let digest: [u8; 32] = sha2::Sha256::digest(&pdf).into();
    assert_eq!(issued.sha256, digest);
    let audit = app.store.recent_audit_all(5).await.unwrap();
    assert!(audit.iter().any(|e| e.entry.action == "document_issued"));
    // A period before anything was paid: zero balances, still a valid statement.
    let r = maria
        .get("/ahorro/estado-de-cuenta.pdf?desde=2000-01-01&hasta=2000-12-31")
        .await;
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains("$0.00"), "{text}");
}
