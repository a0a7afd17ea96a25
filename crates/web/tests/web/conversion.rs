//! Responsabilidad Compartida over HTTP on both engines: Juan compares his VSM credit with the
//! credit in pesos, checks his answers, converts once (a second try is refused), downloads the
//! welcome letter and the modification notice; the window is closed on the 8th and opens on
//! the 9th; María cannot see or convert Juan's credit.

use reqwest::StatusCode;
use time::{Duration, OffsetDateTime};

use crate::accounts::{Browser, PASSWORD, location};
use crate::savings::{juan_token, pdf_text, signed_in_maria};
use crate::{Engine, TestApp, spawn_app_on};

const JUAN_CREDIT: &str = "0812345678";
const PAGE: &str = "/mi-credito/0812345678/responsabilidad-compartida";
const API: &str = "/api/v1/me/credits/0812345678/conversion";

/// Juan's VSM credit from the documented examples (1.25 VSM a month, since 2008) with a
/// history: 350,000 lent, 120,000 added by the yearly re-indexation, 100,000 paid.
/// He owes 370,000.00.
const JUAN_MOVEMENTS: &str = "credit_number,reference,kind,booked_on,amount
0812345678,D,disbursement,2008-05-20,350000.00
0812345678,R2012,reindexation,2012-01-01,50000.00
0812345678,R2018,reindexation,2018-01-01,70000.00
0812345678,P2025,payroll_payment,2025-12-31,-100000.00
";

async fn import_credit(app: &TestApp) {
    let messages = app::i18n::Messages::load().unwrap();
    let dir = std::env::temp_dir().join(format!(
        "vivienda-conversion-web-{}-{}",
        std::process::id(),
        app.address.replace([':', '/', '.'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let moves = dir.join("juan-moves.csv");
    std::fs::write(&moves, JUAN_MOVEMENTS).unwrap();
    let credits = dir.join("credits.csv");
    std::fs::copy(examples.join("credits.csv"), &credits).unwrap();
    let discounts = dir.join("credit-discounts.csv");
    std::fs::copy(examples.join("credit-discounts.csv"), &discounts).unwrap();
    for (kind, path) in [
        (store::ImportKind::Credits, credits),
        (store::ImportKind::CreditDiscounts, discounts),
        (store::ImportKind::CreditMovements, moves),
    ] {
        app::import::import_file(app.store.as_ref(), kind, &path, &messages, &mut |_| {})
            .await
            .unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Moves the app's clock to 18:00 UTC (noon in Mexico City) of the next `day` of a month.
fn move_to_day(app: &TestApp, day: u8) -> OffsetDateTime {
    let now = app.now();
    let mut target = now.date().replace_day(1).unwrap();
    loop {
        if let Ok(d) = target.replace_day(day) {
            let at = d.with_hms(18, 0, 0).unwrap().assume_utc();
            if at > now {
                app.advance(at - now);
                return at;
            }
        }
        target = domain::dates::last_day_of_month(target) + Duration::days(1);
    }
}

async fn signed_in_juan(app: &TestApp) -> Browser<'_> {
    // Signing up through the API helper leaves Juan's account active.
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

async fn api_post(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    let r = app
        .client
        .post(format!("{}{API}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

async fn api_get(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    let r = app
        .client
        .get(format!("{}{API}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

async fn juan_compares_converts_once_and_downloads_his_letters(engine: Engine) {
    let app = spawn_app_on(engine).await;
    import_credit(&app).await;
    move_to_day(&app, 15);
    let mut juan = signed_in_juan(&app).await;

    let page = juan.get("/mi-credito").await.text().await.unwrap();
    assert!(
        page.contains(PAGE),
        "the VSM credit links to the conversion"
    );

    let r = juan.get(PAGE).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    // Today and in pesos, side by side: 370,000 less the 120,000 of re-indexation.
    assert!(page.contains("$370,000.00"), "{page}");
    assert!(page.contains("$120,000.00"));
    assert!(page.contains("$250,000.00"));
    // 1.25 VSM × 3,064.624 = 3,830.78 a month, kept fixed.
    assert!(page.contains("$3,830.78"));
    assert!(page.contains("De dónde salen estos números"));
    assert!(page.contains("/responsabilidad-compartida/confirmar"));

    let page = juan
        .get(&format!("{PAGE}/confirmar"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Confirmar: cambiar mi crédito a pesos"),
        "{page}"
    );
    // Without the CSRF token, nothing happens.
    let cookies = juan.cookie_header();
    let r = app
        .client
        .post(format!("{}{PAGE}", app.address))
        .header(reqwest::header::COOKIE, cookies)
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = juan.post(PAGE, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{PAGE}/listo"));
    let page = juan
        .get(&format!("{PAGE}/listo"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tu crédito ya está en pesos"), "{page}");
    assert!(page.contains(&format!("{PAGE}/carta.pdf")));
    let notice = format!("/mi-credito/{JUAN_CREDIT}/avisos/modification/Y0000000002.pdf");
    assert!(page.contains(&notice), "{page}");

    let r = juan.get(&format!("{PAGE}/carta.pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains("Carta de bienvenida"), "{text}");
    assert!(text.contains("$250,000.00"), "{text}");
    assert!(text.contains("$3,830.78"), "{text}");
    assert!(text.contains("Código de verificación"), "{text}");
    let r = juan.get(&notice).await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.to_lowercase().contains("modificación"), "{text}");
    assert!(text.contains("3,830.78"), "{text}");

    // Twice: refused with the reason, nothing more converted.
    let r = juan.post(PAGE, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("ya está en pesos"));
    let token = juan_token_again(&app).await;
    let (status, body) = api_post(&app, &token).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "already_converted");
    let (status, body) = api_get(&app, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["eligible"], false);
    assert_eq!(body["refusal"], "already_converted");
    assert_eq!(body["conversion"]["offer"]["new_balance"], "250000.00");
    // Exactly one audit row for it.
    let audit = app
        .store
        .recent_audit_all(200)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "credit_converted")
        .count();
    assert_eq!(audit, 1);
    // The credit now reads in pesos.
    let page = juan.get("/mi-credito").await.text().await.unwrap();
    assert!(!page.contains(PAGE));

    // María: Juan's credit is not hers.
    let mut maria = signed_in_maria(&app).await;
    assert_eq!(maria.get(PAGE).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        maria.get(&format!("{PAGE}/carta.pdf")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(maria.post(PAGE, &[]).await.status(), StatusCode::NOT_FOUND);
}

/// A second bearer token for Juan, whose account already exists.
async fn juan_token_again(app: &TestApp) -> String {
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

async fn the_window_is_closed_on_the_8th_and_opens_on_the_9th(engine: Engine) {
    let app = spawn_app_on(engine).await;
    import_credit(&app).await;
    let eighth = move_to_day(&app, 8);
    let mut juan = signed_in_juan(&app).await;
    let page = juan.get(PAGE).await.text().await.unwrap();
    assert!(page.contains("Del día 1 al 8 de cada mes"), "{page}");
    assert!(!page.contains("/responsabilidad-compartida/confirmar"));
    // The conditions are still shown, so the member can decide for the 9th.
    assert!(page.contains("$250,000.00"));
    let token = juan_token_again(&app).await;
    let (status, body) = api_get(&app, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["window"]["open"], false);
    assert_eq!(
        body["window"]["reopens_on"],
        domain::dates::iso(eighth.date() + Duration::days(1))
    );
    let (status, body) = api_post(&app, &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "conversion_window_closed");
    let r = juan.post(PAGE, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // 23:59 of the 8th in Mexico City (05:59 UTC of the 9th): still closed. (Sessions end
    // after 30 idle minutes: sign in again after moving the clock.)
    app.advance(Duration::hours(11) + Duration::minutes(59));
    let token = juan_token_again(&app).await;
    let (_, body) = api_post(&app, &token).await;
    assert_eq!(body["error"], "conversion_window_closed");
    // Midnight of the 9th in Mexico City: open.
    app.advance(Duration::minutes(1));
    let (status, body) = api_post(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["offer"]["new_balance"], "250000.00");
    let (status, body) = api_post(&app, &token).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "already_converted");
    // Another member's API call: 404.
    let mut maria = signed_in_maria(&app).await;
    let r = maria.get(API).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "credit_not_found");
}

crate::on_both_engines!(
    juan_compares_converts_once_and_downloads_his_letters,
    the_window_is_closed_on_the_8th_and_opens_on_the_9th,
);
