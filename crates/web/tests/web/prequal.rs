//! "Precalificación y puntos" over HTTP on both engines: María (born 1985, working at
//! Y0000000002 since August 2015 at $520.00 a day) under the scheme in force today.

use reqwest::StatusCode;

use crate::accounts::{Browser, NSS, PASSWORD, location, sign_up_and_activate};
use crate::{Engine, spawn_app_on};

async fn the_points_are_explained_and_the_simulator_moves_them(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let r = Browser::new(&app).get("/credito").await;
    assert_eq!(location(&r), "/entrar");
    let mut maria = Browser::new(&app);
    sign_up_and_activate(&mut maria).await;
    maria.get("/entrar").await;
    maria
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;

    let page = maria.get("/credito").await.text().await.unwrap();
    assert!(page.contains("modelo de 100 puntos"), "{page}");
    assert!(page.contains("Cómo se calculan tus puntos"));
    assert!(page.contains("Bimestres seguidos de aportación"));
    assert!(page.contains("¡Ya puedes pedir tu crédito!"), "{page}");
    assert!(page.contains("Cuánto te podrían prestar"));
    assert!(page.contains("Crédito Infonavit (tradicional)"));
    assert!(page.contains("href=\"/credito\" aria-current=\"page\""));

    // One bimester of work is not enough under T100: the page says what it would take.
    let page = maria
        .get("/credito?bimestres=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Estás viendo una simulación"), "{page}");
    assert!(
        page.contains("Necesitas 3 bimestres seguidos de aportaciones y llevas 1"),
        "{page}"
    );
    assert!(page.contains("Sigue aportando 2 bimestres más"), "{page}");

    let page = maria
        .get("/credito?salario=mucho")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>Error: "), "{page}");

    // The API answers the same, and a lower wage lends less.
    let token = {
        let r = app
            .client
            .post(format!("{}/api/v1/sessions", app.address))
            .json(&serde_json::json!({ "identifier": NSS, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        r.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let get = |query: &'static str| {
        app.client
            .get(format!("{}/api/v1/me/prequalification{query}", app.address))
            .bearer_auth(&token)
            .send()
    };
    let mine: serde_json::Value = get("").await.unwrap().json().await.unwrap();
    assert_eq!(mine["scheme"], "t100");
    assert_eq!(mine["eligible"], true);
    assert!(mine["factors"].as_array().unwrap().len() >= 3);
    let credit = |v: &serde_json::Value| {
        v["conditions"]["credit"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    let lower: serde_json::Value = get("?daily_wage=200").await.unwrap().json().await.unwrap();
    assert!(credit(&lower) < credit(&mine), "{lower} vs {mine}");
    let bad = get("?continuous_bimesters=-4").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

crate::on_both_engines!(the_points_are_explained_and_the_simulator_moves_them);
