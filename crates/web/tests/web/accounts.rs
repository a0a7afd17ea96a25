//! Account journeys over real HTTP, as a browser would make them: forms with the CSRF token,
//! cookies carried by hand (the session cookie is `Secure`, the test server plain HTTP).

use std::collections::HashMap;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::{Engine, TestApp, spawn_app_on};

pub(crate) const NSS: &str = "01908567892";
pub(crate) const PASSWORD: &str = "una casa con jardín y dos árboles";

/// A browser: keeps cookies, reads the CSRF token from forms.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    pub(crate) cookies: HashMap<String, String>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: HashMap::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            assert!(
                text.contains("Secure") && text.contains("HttpOnly") && text.contains("SameSite"),
                "{text}"
            );
            let (pair, _) = text.split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> reqwest::Response {
        let r = self
            .app
            .client
            .get(format!("{}{path}", self.app.address))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.cookies.get("__Host-csrf").cloned().unwrap_or_default();
        let mut fields: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        let r = self
            .app
            .client
            .post(format!("{}{path}", self.app.address))
            .header(COOKIE, self.cookie_header())
            .form(&fields)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    /// Posts a `multipart/form-data` body, `(content type, bytes)`, with this browser's
    /// cookies; the body carries the CSRF token if the test wants one.
    pub(crate) async fn send_multipart(
        &self,
        path: &str,
        (content_type, body): (String, Vec<u8>),
    ) -> reqwest::Response {
        self.app
            .client
            .post(format!("{}{path}", self.app.address))
            .header(COOKIE, self.cookie_header())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

pub(crate) fn location(r: &reqwest::Response) -> &str {
    r.headers()
        .get(LOCATION)
        .map_or("", |v| v.to_str().unwrap())
}

pub(crate) async fn code_from_outbox(app: &TestApp) -> String {
    let message = app.store.recent_messages(1).await.unwrap().remove(0);
    let at = message.body.find("código es ").unwrap() + "código es ".len();
    message.body[at..at + 6].to_owned()
}

/// Signs María up, leaving her account waiting for the activation code.
pub(crate) async fn sign_up(browser: &mut Browser<'_>) -> reqwest::Response {
    browser.get("/registro").await;
    browser
        .post(
            "/registro",
            &[
                ("nss", NSS),
                ("curp", "GAHM850312MDFRRR09"),
                ("rfc", "GAHM850312K40"),
                ("email", "maria@example.mx"),
                ("mobile", "5512345678"),
                ("password", PASSWORD),
                ("accept_terms", "true"),
            ],
        )
        .await
}

pub(crate) async fn sign_up_and_activate(browser: &mut Browser<'_>) {
    let r = sign_up(browser).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/activar");
    let page = browser.get("/activar").await.text().await.unwrap();
    assert!(page.contains("autocomplete=\"one-time-code\""));
    let code = code_from_outbox(browser.app).await;
    let r = browser.post("/activar", &[("code", &code)]).await;
    assert_eq!(location(&r), "/entrar?activada=1");
}

async fn sign_up_activate_sign_in_see_sessions_and_sign_out(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;
    let page = browser
        .get("/entrar?activada=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tu cuenta está activa"));

    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta");
    let first_session = browser.cookies["__Host-sesion"].clone();
    let account = browser.get("/cuenta").await;
    assert_eq!(account.headers()["cache-control"], "no-store");
    let html = account.text().await.unwrap();
    assert!(
        html.contains("Mis sesiones") && html.contains("Esta sesión"),
        "{html}"
    );

    // Signing in again gives a new session id (no fixation).
    browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_ne!(browser.cookies["__Host-sesion"], first_session);

    let r = browser.post("/salir", &[]).await;
    assert_eq!(location(&r), "/entrar");
    assert!(!browser.cookies.contains_key("__Host-sesion"));
    let r = browser.get("/cuenta").await;
    assert_eq!(location(&r), "/entrar", "signed out");
}

async fn a_bad_curp_shows_the_error_summary_and_keeps_what_was_typed(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    browser.get("/registro").await;
    let r = browser
        .post(
            "/registro",
            &[
                ("nss", NSS),
                ("curp", "GAHM850312MDFRRR08"),
                ("rfc", "GAHM850312K40"),
                ("email", "maria@example.mx"),
                ("mobile", "5512345678"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<title>Error: "),
        "the title starts with Error:"
    );
    assert!(html.contains("Hay un problema"));
    assert!(
        html.contains("href=\"#curp\""),
        "the summary links to the field"
    );
    assert!(html.contains("El dígito verificador de la CURP"), "{html}");
    assert!(
        html.contains("value=\"maria@example.mx\""),
        "valid input is kept"
    );
    assert!(!html.contains(PASSWORD), "the password is never sent back");
}

async fn forms_without_the_csrf_token_are_refused(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    browser.get("/entrar").await;
    let r = app
        .client
        .post(format!("{}/entrar", app.address))
        .header(COOKIE, browser.cookie_header())
        .form(&[
            ("csrf", "0".repeat(64).as_str()),
            ("identifier", NSS),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .client
        .post(format!("{}/entrar", app.address))
        .form(&[("identifier", NSS)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no cookie at all");
}

async fn the_api_signs_in_with_a_bearer_token_and_lists_sessions(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": NSS, "password": "otra frase cualquiera" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "sign_in_failed");
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": NSS, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let sessions = app.get_json("/api/v1/me/sessions", Some(&token)).await;
    assert_eq!(sessions["sessions"][0]["channel"], "app");
    assert_eq!(sessions["sessions"][0]["current"], true);
    let r = app
        .client
        .delete(format!("{}/api/v1/sessions/current", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .client
        .get(format!("{}/api/v1/me/sessions", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn forgot_password_freeze_and_unfreeze_through_the_pages(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;

    browser.get("/recuperar").await;
    let r = browser.post("/recuperar", &[("identifier", NSS)]).await;
    assert_eq!(location(&r), "/recuperar/codigo");
    let code = code_from_outbox(&app).await;
    let new = "mi frase nueva y larga";
    let r = browser
        .post(
            "/recuperar/codigo",
            &[("code", &code), ("new_password", new)],
        )
        .await;
    assert_eq!(location(&r), "/entrar?restablecida=1");

    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", new)])
        .await;
    assert_eq!(location(&r), "/cuenta");
    let r = browser.post("/cuenta/congelar", &[]).await;
    assert_eq!(location(&r), "/entrar?congelada=1");
    let html = browser
        .post("/entrar", &[("identifier", NSS), ("password", new)])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Tu cuenta está congelada"), "{html}");

    browser.get("/descongelar").await;
    let r = browser
        .post("/descongelar", &[("identifier", NSS), ("password", new)])
        .await;
    assert_eq!(location(&r), "/descongelar/codigo");
    let code = code_from_outbox(&app).await;
    let r = browser
        .post("/descongelar/codigo", &[("code", &code)])
        .await;
    assert_eq!(location(&r), "/entrar?descongelada=1");
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", new)])
        .await;
    assert_eq!(location(&r), "/cuenta");
}

async fn ending_another_members_session_is_a_404_and_is_audited(engine: Engine) {
    let app = spawn_app_on(engine).await;
    // Juan has an account and a session on his phone.
    let mut juan = Browser::new(&app);
    juan.get("/registro").await;
    juan.post(
        "/registro",
        &[
            ("nss", "38957812340"),
            ("curp", "LOPJ780704HNLPRN07"),
            ("rfc", "LOPJ780704TT2"),
            ("email", "juan@example.mx"),
            ("mobile", "5587654321"),
            ("password", "la tienda de la esquina abre temprano"),
            ("accept_terms", "true"),
        ],
    )
    .await;
    let code = code_from_outbox(&app).await;
    juan.post("/activar", &[("code", &code)]).await;
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": "38957812340", "password": "la tienda de la esquina abre temprano" }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    let (juans_token, juans_session) = (
        body["token"].as_str().unwrap().to_owned(),
        body["session_id"].to_string(),
    );

    // María, signed in, tries to end Juan's session by its id.
    let mut maria = Browser::new(&app);
    sign_up_and_activate(&mut maria).await;
    maria
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    let r = maria
        .post("/cuenta/sesiones/terminar", &[("session", &juans_session)])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let still = app
        .client
        .get(format!("{}/api/v1/me/sessions", app.address))
        .bearer_auth(&juans_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "Juan's session is untouched"
    );
    let denied = app
        .store
        .recent_audit_all(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.action == "access_denied")
        .count();
    assert_eq!(denied, 1);
}

async fn changing_password_and_email_from_my_account(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;
    browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    browser.get("/cuenta/contrasena").await;
    let wrong = browser
        .post(
            "/cuenta/contrasena",
            &[
                ("password", "no es la actual"),
                ("new_password", "una frase nueva y segura"),
            ],
        )
        .await;
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("La contraseña actual no es correcta")
    );
    let r = browser
        .post(
            "/cuenta/contrasena",
            &[
                ("password", PASSWORD),
                ("new_password", "una frase nueva y segura"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/cuenta?cambio=contrasena");

    let r = browser
        .post(
            "/cuenta/correo",
            &[
                ("password", "una frase nueva y segura"),
                ("email", "maria.nueva@example.mx"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/cuenta/correo/codigo");
    let code = code_from_outbox(&app).await;
    let r = browser
        .post("/cuenta/correo/codigo", &[("code", &code)])
        .await;
    assert_eq!(location(&r), "/cuenta?cambio=correo");
    let r = browser
        .post(
            "/entrar",
            &[
                ("identifier", "maria.nueva@example.mx"),
                ("password", "una frase nueva y segura"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
}

async fn changing_the_mobile_sends_the_code_by_sms(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut browser = Browser::new(&app);
    sign_up_and_activate(&mut browser).await;
    browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    let page = browser.get("/cuenta/celular").await.text().await.unwrap();
    assert!(page.contains("autocomplete=\"tel\""));
    let r = browser
        .post(
            "/cuenta/celular",
            &[("password", PASSWORD), ("mobile", "33 9876 5432")],
        )
        .await;
    assert_eq!(location(&r), "/cuenta/celular/codigo");
    let sms = app.store.recent_messages(1).await.unwrap().remove(0);
    assert_eq!(sms.recipient, "3398765432");
    let code = code_from_outbox(&app).await;
    let r = browser
        .post("/cuenta/celular/codigo", &[("code", &code)])
        .await;
    assert_eq!(location(&r), "/cuenta?cambio=celular");
}

crate::on_both_engines!(
    sign_up_activate_sign_in_see_sessions_and_sign_out,
    a_bad_curp_shows_the_error_summary_and_keeps_what_was_typed,
    forms_without_the_csrf_token_are_refused,
    the_api_signs_in_with_a_bearer_token_and_lists_sessions,
    forgot_password_freeze_and_unfreeze_through_the_pages,
    ending_another_members_session_is_a_404_and_is_audited,
    changing_password_and_email_from_my_account,
    changing_the_mobile_sends_the_code_by_sms,
);
