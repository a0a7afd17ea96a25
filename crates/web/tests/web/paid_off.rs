//! Deeds and the refund of overpayments over HTTP on both engines: Juan's paid-off credit of
//! 2007 with 1,250.50 paid beyond what it owed; linked from /tramites and /mi-credito; each
//! request gets a folio and a receipt; a wrong CLABE is refused; María cannot see his folios.

use reqwest::StatusCode;

use crate::accounts::{Browser, PASSWORD, location};
use crate::savings::{juan_token, pdf_text, signed_in_maria};
use crate::{Engine, TestApp, spawn_app_on};

const CREDITS: &str =
    "credit_number,nss,product,denomination,originated_on,amount,amount_vsm,rate,term_months,status
0712345670,38957812340,tradicional,vsm,2007-12-31,150000.00,110.50,0.06,240,paid_off
";
const MOVEMENTS: &str = "credit_number,reference,kind,booked_on,amount
0712345670,D,disbursement,2007-12-31,150000.00
0712345670,LIQ,direct_payment,2026-03-13,-151250.50
";

async fn import(app: &TestApp) {
    let messages = app::i18n::Messages::load().unwrap();
    let dir = std::env::temp_dir().join(format!(
        "vivienda-paid-off-web-{}-{}",
        std::process::id(),
        app.address.replace([':', '/', '.'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for (kind, name, text) in [
        (store::ImportKind::Credits, "credits.csv", CREDITS),
        (store::ImportKind::CreditMovements, "moves.csv", MOVEMENTS),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        app::import::import_file(app.store.as_ref(), kind, &path, &messages, &mut |_| {})
            .await
            .unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

async fn signed_in_juan(app: &TestApp) -> Browser<'_> {
    juan_token(app).await;
    let mut browser = Browser::new(app);
    browser.get("/entrar").await;
    let r = browser
        .post(
            "/entrar",
            &[("identifier", "38957812340"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    browser
}

async fn juan_asks_for_his_deeds_and_his_overpayment(engine: Engine) {
    let app = spawn_app_on(engine).await;
    import(&app).await;
    let mut juan = signed_in_juan(&app).await;
    let page = juan.get("/tramites").await.text().await.unwrap();
    assert!(page.contains("/tramites/escrituras"), "{page}");
    assert!(page.contains("/tramites/pagos-en-exceso"));
    let page = juan.get("/mi-credito").await.text().await.unwrap();
    assert!(page.contains("/tramites/escrituras"), "{page}");
    assert!(page.contains("/tramites/pagos-en-exceso"));

    let page = juan.get("/tramites/escrituras").await.text().await.unwrap();
    assert!(page.contains("0712345670"), "{page}");
    let r = juan
        .post(
            "/tramites/escrituras",
            &[("credit", "0712345670"), ("office", "AGU01")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let done = location(&r).to_owned();
    assert!(done.starts_with("/tramites/escrituras/ESC-"), "{done}");
    let folio = done.rsplit('/').next().unwrap().to_owned();
    let page = juan.get(&done).await.text().await.unwrap();
    assert!(page.contains(&folio), "{page}");
    let r = juan.get(&format!("{done}/acuse.pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains(&folio), "{text}");
    assert!(text.contains("CESI Aguascalientes Centro"), "{text}");

    let page = juan
        .get("/tramites/pagos-en-exceso")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("$1,250.50"), "{page}");
    let r = juan
        .post(
            "/tramites/pagos-en-exceso",
            &[("credit", "0712345670"), ("clabe", "002010077777777772")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = juan
        .post(
            "/tramites/pagos-en-exceso",
            &[("credit", "0712345670"), ("clabe", "002010077777777771")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let refund = location(&r).to_owned();
    assert!(
        refund.starts_with("/tramites/pagos-en-exceso/PEX-"),
        "{refund}"
    );
    let text = pdf_text(
        &juan
            .get(&format!("{refund}/acuse.pdf"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert!(text.contains("$1,250.50"), "{text}");

    let mut maria = signed_in_maria(&app).await;
    assert_eq!(maria.get(&done).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        maria.get(&format!("{done}/acuse.pdf")).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = maria
        .post(
            "/tramites/escrituras",
            &[("credit", "0712345670"), ("office", "AGU01")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

crate::on_both_engines!(juan_asks_for_his_deeds_and_his_overpayment);
