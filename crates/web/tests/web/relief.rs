//! "Apoyos" for a credit over HTTP on both engines, with the app clock in May 2020: María
//! (employed, credit 1901234567 owing 639,773.33 at 10.45 %) asks for the Covid-19 deferral,
//! sees it month by month and in her movements, sends it twice and gets it once, is refused
//! the unemployment insurance while IMSS still shows her job, and Juan cannot reach her
//! credit.

use reqwest::StatusCode;

use crate::accounts::location;
use crate::credit::import_credits;
use crate::savings::{juan_token, signed_in_maria};
use crate::{Engine, TestApp, on_both_engines, spawn_app_on};

const CREDIT: &str = "1901234567";

/// 10 May 2020, noon in Mexico City.
fn may_2020(app: &TestApp) {
    let target = time::macros::datetime!(2020-05-10 18:00 UTC);
    app.advance(target - app.now());
}

async fn the_covid_deferral_is_granted_once_and_shows_in_the_movements(engine: Engine) {
    let app = spawn_app_on(engine).await;
    may_2020(&app);
    import_credits(&app).await;
    let mut maria = signed_in_maria(&app).await;
    let page = maria.get("/mi-credito").await.text().await.unwrap();
    let relief = format!("/mi-credito/{CREDIT}/apoyos");
    assert!(page.contains(&format!("href=\"{relief}\"")), "{page}");

    let r = maria.get(&relief).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Medidas de protección Covid-19 (2020)"),
        "{page}"
    );
    assert!(
        page.contains(&format!("{relief}/solicitar/covid2020")),
        "{page}"
    );

    let form = format!("{relief}/solicitar/covid2020");
    let page = maria.get(&form).await.text().await.unwrap();
    assert!(page.contains("¿Qué te pasó?"), "{page}");
    // A question left unanswered: the error summary, the page kept.
    let r = maria.post(&form, &[("since", "2020-04-01")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Hay un problema"), "{page}");
    assert!(page.contains("Elige qué te pasó."), "{page}");
    assert!(page.contains("<title>Error: "), "{page}");

    let answers = [("situation", "income_reduced"), ("since", "2020-04-01")];
    let r = maria.post(&form, &answers).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let granted = format!("{relief}/otorgado/2020-05-01");
    assert_eq!(location(&r), granted);
    let page = maria.get(&granted).await.text().await.unwrap();
    assert!(page.contains("Diferimiento de pagos (Covid-19)"), "{page}");
    // 639,773.33 × 10.45 % / 12 = 5,571.36 of interest not charged each month, balance frozen.
    assert!(page.contains("$5,571.36"), "{page}");
    assert!(page.contains("$639,773.33"), "{page}");
    assert!(page.contains("julio de 2020"), "{page}");
    assert!(page.contains("aviso de suspensión"), "{page}");

    let page = maria
        .get(&format!("/mi-credito/{CREDIT}/movimientos"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Intereses que no se cobran por un apoyo"),
        "{page}"
    );

    // Sent again: the same grant, applied once.
    let r = maria.post(&form, &answers).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{granted}?repetida=1"));
    let page = maria.get(location(&r)).await.text().await.unwrap();
    assert!(page.contains("no se aplicó dos veces"), "{page}");
    let moves = app
        .store
        .credit_movements(
            app.member_id("01908567892").await,
            &domain::registry::CreditNumber::parse(CREDIT).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        moves
            .iter()
            .filter(|m| m.kind == domain::registry::CreditMovementKind::InterestWaiver)
            .count(),
        3
    );
    // The suspension notice for her employer is on offer while it lasts.
    let page = maria.get("/mi-credito").await.text().await.unwrap();
    assert!(page.contains("Aviso de suspensión de descuentos"), "{page}");
}

async fn a_refusal_says_why_and_when_to_retry(engine: Engine) {
    let app = spawn_app_on(engine).await;
    may_2020(&app);
    import_credits(&app).await;
    let mut maria = signed_in_maria(&app).await;
    let form = format!("/mi-credito/{CREDIT}/apoyos/solicitar/covid2020");
    maria.get(&form).await;
    let r = maria
        .post(&form, &[("situation", "job_lost"), ("since", "2020-05-01")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Por ahora no podemos otorgarte el apoyo"),
        "{page}"
    );
    assert!(
        page.contains("El IMSS todavía reporta que tienes empleo"),
        "{page}"
    );
    assert!(page.contains("1 de junio de 2020"), "{page}");
}

async fn the_api_applies_once_and_another_member_finds_nothing(engine: Engine) {
    let app = spawn_app_on(engine).await;
    may_2020(&app);
    import_credits(&app).await;
    let mut maria = signed_in_maria(&app).await;
    // Juan's credit from María's session: not found.
    let r = maria.get("/mi-credito/0812345678/apoyos").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let token = juan_token(&app).await;
    let url = format!("{}/api/v1/me/credits/{CREDIT}/relief", app.address);
    let r = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "credit_not_found");
    let apply = serde_json::json!({
        "family": "covid2020", "situation": "employer_stopped", "since": "2020-04-20"
    });
    let r = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .json(&apply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Juan's own VSM credit: the stoppage applies (his employer is still his), then once.
    let own = format!("{}/api/v1/me/credits/0812345678/relief", app.address);
    let r = app
        .client
        .get(&own)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["programmes"][0]["family"], "covid2020");
    assert_eq!(body["programmes"][0]["available"], true);
    let r = app
        .client
        .post(&own)
        .bearer_auth(&token)
        .json(&apply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["decision"], "granted");
    assert_eq!(body["programme"], "covid_stoppage");
    assert_eq!(body["schedule"].as_array().unwrap().len(), 3);
    let r = app
        .client
        .post(&own)
        .bearer_auth(&token)
        .json(&apply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["already"], true);
    // Stable codes for bad input.
    let r = app
        .client
        .post(&own)
        .bearer_auth(&token)
        .json(&serde_json::json!({ "family": "lottery", "situation": "job_lost" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "relief_family_unknown");
    let r = app
        .client
        .post(&own)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "relief_body_invalid");
    let r = app
        .client
        .get(&own)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["grants"].as_array().unwrap().len(), 1);
}

on_both_engines!(
    the_covid_deferral_is_granted_once_and_shows_in_the_movements,
    a_refusal_says_why_and_when_to_retry,
    the_api_applies_once_and_another_member_finds_nothing,
);
