//! Two-step verification, drafts kept across a time-out, and the account protections, over
//! real HTTP on both engines.

use domain::auth::totp;
use reqwest::StatusCode;
use time::Duration;

use crate::accounts::{Browser, NSS, PASSWORD, code_from_outbox, location, sign_up_and_activate};
use crate::{Engine, TestApp, spawn_app_on};

/// The value of the first `<tag …name="name" value="…">` or the text between `start` and `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {html}"))
        + start.len();
    &html[at..at + html[at..].find(end).unwrap()]
}

fn base32_decode(text: &str) -> Vec<u8> {
    totp::decode_base32(text).unwrap()
}

fn app_code(app: &TestApp, secret: &[u8]) -> String {
    let step = totp::step_of(app.now().unix_timestamp());
    format!("{:06}", totp::code_at_step(secret, step))
}

async fn signed_in(browser: &mut Browser<'_>) {
    sign_up_and_activate(browser).await;
    browser.get("/entrar").await;
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta");
}

async fn two_step_verification_through_the_pages_and_the_api(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    signed_in(&mut browser).await;
    let page = browser.get("/cuenta").await.text().await.unwrap();
    assert!(page.contains("/cuenta/verificacion"), "{page}");
    let page = browser
        .get("/cuenta/verificacion")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Activar la verificación en dos pasos"),
        "{page}"
    );

    let r = browser
        .post(
            "/cuenta/verificacion/activar",
            &[("password", "no es mi contraseña")],
        )
        .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("<title>Error: "), "{page}");

    let page = browser
        .post("/cuenta/verificacion/activar", &[("password", PASSWORD)])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg"), "the QR code is inline SVG");
    let secret = base32_decode(between(&page, "<code class=\"secret\">", "</code>"));
    assert_eq!(secret.len(), 20);
    let token = between(&page, "name=\"token\" value=\"", "\"").to_owned();

    // A mistyped code shows the same QR again; the right one turns it on.
    let page = browser
        .post(
            "/cuenta/verificacion/confirmar",
            &[("token", token.as_str()), ("code", "000000")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("El código no es correcto"), "{page}");
    assert!(page.contains(&token));
    let page = browser
        .post(
            "/cuenta/verificacion/confirmar",
            &[
                ("token", token.as_str()),
                ("code", &app_code(&app, &secret)),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    let codes: Vec<String> = page
        .split("<li><code>")
        .skip(1)
        .map(|c| c[..c.find("</code>").unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{page}");

    // Signing in now takes a second step; its ticket is in a cookie, never in the URL.
    browser.post("/salir", &[]).await;
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/entrar/codigo");
    assert!(!browser.cookies.contains_key("__Host-sesion"));
    assert!(browser.cookies.contains_key("__Host-segundo-paso"));
    let page = browser.get("/entrar/codigo").await.text().await.unwrap();
    assert!(page.contains("autocomplete=\"one-time-code\""), "{page}");
    let page = browser
        .post("/entrar/codigo", &[("second_factor", "123456")])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>Error: "), "{page}");
    // The code used to turn the app on cannot be used again: the next one can.
    app.advance(Duration::seconds(30));
    let r = browser
        .post(
            "/entrar/codigo",
            &[("second_factor", &app_code(&app, &secret))],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    assert!(browser.cookies.contains_key("__Host-sesion"));
    assert!(!browser.cookies.contains_key("__Host-segundo-paso"));

    // A recovery code works once.
    browser.post("/salir", &[]).await;
    browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    let r = browser
        .post("/entrar/codigo", &[("second_factor", &codes[0])])
        .await;
    assert_eq!(location(&r), "/cuenta");
    let page = browser
        .get("/cuenta/verificacion")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Te quedan 9 códigos"), "{page}");

    // The app channel: a ticket in the answer, then the code.
    let api = |path: &str| format!("{}{path}", app.address);
    let r = app
        .client
        .post(api("/api/v1/sessions"))
        .json(&serde_json::json!({ "identifier": NSS, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "second_factor_required");
    let ticket = body["ticket"].as_str().unwrap().to_owned();
    let r = app
        .client
        .post(api("/api/v1/sessions/second-factor"))
        .json(&serde_json::json!({ "ticket": ticket, "code": codes[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a used recovery code");
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"],
        "second_factor_wrong"
    );
    app.advance(Duration::seconds(30));
    let r = app
        .client
        .post(api("/api/v1/sessions/second-factor"))
        .json(&serde_json::json!({ "ticket": ticket, "code": app_code(&app, &secret) }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    // Turning it off needs the password; then the password alone is enough again.
    let r = browser
        .post("/cuenta/verificacion/desactivar", &[("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta?cambio=verificacion");
    browser.post("/salir", &[]).await;
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta");
}

async fn what_was_typed_comes_back_after_a_time_out(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    signed_in(&mut browser).await;
    browser.get("/cuenta/correo").await;
    app.advance(Duration::minutes(31));
    let r = browser
        .post(
            "/cuenta/correo",
            &[("password", PASSWORD), ("email", "maria.nueva@example.mx")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/entrar?caducada=1");
    let page = browser
        .get("/entrar?caducada=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("recuperaremos lo que escribiste"), "{page}");
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta/correo", "back to the form");
    let page = browser.get("/cuenta/correo").await.text().await.unwrap();
    assert!(page.contains("value=\"maria.nueva@example.mx\""), "{page}");
    assert!(page.contains("Recuperamos lo que escribiste"), "{page}");
    assert!(!page.contains(PASSWORD), "the password is never kept");
    assert!(!browser.cookies.contains_key("__Host-borrador"));
    let page = browser.get("/cuenta/correo").await.text().await.unwrap();
    assert!(!page.contains("maria.nueva@example.mx"), "given back once");

    // Signing out on purpose keeps nothing: the form just goes to the sign-in page.
    browser.post("/salir", &[]).await;
    let r = browser
        .post("/cuenta/correo", &[("email", "otra@example.mx")])
        .await;
    assert_eq!(location(&r), "/entrar");
}

async fn sessions_end_when_idle_or_too_old(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    signed_in(&mut browser).await;
    app.advance(Duration::minutes(29));
    assert_eq!(browser.get("/cuenta").await.status(), StatusCode::OK);
    app.advance(Duration::minutes(31));
    assert_eq!(location(&browser.get("/cuenta").await), "/entrar", "idle");

    browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    // Busy all day: every 25 minutes, until twelve hours have passed.
    for _ in 0..40 {
        app.advance(Duration::minutes(25));
        let r = browser.get("/cuenta").await;
        if r.status() != StatusCode::OK {
            assert_eq!(location(&r), "/entrar");
            let rows = app
                .store
                .recent_audit_all(5)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.entry.details)
                .collect::<Vec<_>>();
            assert!(
                rows.iter().any(|d| d.contains("absolute_timeout")),
                "{rows:?}"
            );
            return;
        }
    }
    panic!("a session outlived twelve hours");
}

async fn wrong_expired_used_and_other_purpose_codes_are_refused(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    crate::accounts::sign_up(&mut browser).await;
    let code = code_from_outbox(&app).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let page = browser
        .post("/activar", &[("code", wrong)])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("El código no es correcto"), "{page}");
    app.advance(Duration::minutes(11));
    let page = browser
        .post("/activar", &[("code", &code)])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("El código venció"), "{page}");
    let page = browser
        .post("/activar/reenviar", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Te enviamos un código nuevo"), "{page}");
    let fresh = code_from_outbox(&app).await;
    for _ in 0..5 {
        browser.post("/activar", &[("code", wrong)]).await;
    }
    let page = browser
        .post("/activar", &[("code", &fresh)])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("demasiadas veces"), "{page}");
    app.advance(Duration::minutes(2));
    browser.post("/activar/reenviar", &[]).await;
    let last = code_from_outbox(&app).await;
    let r = browser.post("/activar", &[("code", &last)]).await;
    assert_eq!(location(&r), "/entrar?activada=1");

    // A password-reset code works once, and only for the reset it was sent for.
    browser.get("/recuperar").await;
    browser.post("/recuperar", &[("identifier", NSS)]).await;
    let reset = code_from_outbox(&app).await;
    browser.get("/descongelar").await;
    let new_password = "otra casa con patio y un limonero";
    let r = browser
        .post(
            "/recuperar/codigo",
            &[("code", &reset), ("new_password", new_password)],
        )
        .await;
    assert_eq!(location(&r), "/entrar?restablecida=1");
    browser.post("/recuperar", &[("identifier", NSS)]).await;
    let page = browser
        .post(
            "/recuperar/codigo",
            &[("code", &reset), ("new_password", PASSWORD)],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>Error: "), "a used code: {page}");
}

async fn sign_in_failures_slow_down_then_reset(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;
    let attempt = |password: &'static str| {
        app.client
            .post(format!("{}/api/v1/sessions", app.address))
            .json(&serde_json::json!({ "identifier": NSS, "password": password }))
            .send()
    };
    for _ in 0..4 {
        assert_eq!(
            attempt("no es la contraseña").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let mut waits = Vec::new();
    for _ in 0..3 {
        let r = attempt("no es la contraseña").await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: i64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        waits.push(wait);
        app.advance(Duration::seconds(wait));
        assert_eq!(
            attempt("no es la contraseña").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(waits, [1, 2, 4], "each failure doubles the wait");
    let r = attempt(PASSWORD).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right one waits"
    );
    app.advance(Duration::seconds(8));
    assert_eq!(
        attempt(PASSWORD).await.unwrap().status(),
        StatusCode::CREATED
    );
    // A success starts the count again.
    for _ in 0..4 {
        assert_eq!(
            attempt("no es la contraseña").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

crate::on_both_engines!(
    two_step_verification_through_the_pages_and_the_api,
    what_was_typed_comes_back_after_a_time_out,
    sessions_end_when_idle_or_too_old,
    wrong_expired_used_and_other_purpose_codes_are_refused,
    sign_in_failures_slow_down_then_reset,
);
