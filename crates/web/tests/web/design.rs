//! The design system over HTTP: hashed and cached static files, compression and page weight,
//! the language switch, the session extension behind the time-out dialog, the area navigation
//! and the demo-only component gallery.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};

use crate::accounts::{Browser, NSS, PASSWORD, location, sign_up_and_activate};
use crate::{Options, TestApp, spawn_app, spawn_app_with};

/// Every `/static/…` URL a page links to.
fn static_urls(html: &str) -> Vec<String> {
    html.match_indices("\"/static/")
        .map(|(at, _)| {
            let rest = &html[at + 1..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

async fn get(app: &TestApp, path: &str, encoding: &str) -> reqwest::Response {
    get_as(app, path, encoding, "").await
}

/// `get` with the cookies of a signed-in browser.
async fn get_as(app: &TestApp, path: &str, encoding: &str, cookies: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header(ACCEPT_ENCODING, encoding)
        .header(reqwest::header::COOKIE, cookies)
        .send()
        .await
        .unwrap()
}

async fn signed_in(browser: &mut Browser<'_>) {
    sign_up_and_activate(browser).await;
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&r), "/cuenta");
}

#[tokio::test]
async fn static_files_are_hashed_cached_for_a_year_and_compressed() {
    let app = spawn_app().await;
    let html = get(&app, "/", "identity").await.text().await.unwrap();
    let urls = static_urls(&html);
    assert!(urls.iter().any(|u| u.ends_with(".css")), "{urls:?}");
    assert!(urls.iter().any(|u| u.ends_with(".js")), "{urls:?}");
    assert!(urls.iter().any(|u| u.ends_with(".woff2")), "{urls:?}");
    for url in &urls {
        let r = get(&app, url, "br, gzip").await;
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(
            r.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let encoding = r
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap());
        if url.ends_with(".woff2") {
            assert_eq!(r.headers()[CONTENT_TYPE], "font/woff2");
            assert_eq!(encoding, None, "fonts are compressed already");
        } else {
            assert_eq!(encoding, Some("br"), "{url}");
        }
    }
    let css = get(
        &app,
        urls.iter().find(|u| u.ends_with(".css")).unwrap(),
        "identity",
    )
    .await
    .text()
    .await
    .unwrap();
    for font in urls.iter().filter(|u| u.ends_with(".woff2")) {
        assert!(css.contains(font.as_str()), "the stylesheet names {font}");
    }
    assert_eq!(
        get(&app, "/static/site.0000000000.css", "").await.status(),
        404
    );
    let gzip = get(&app, "/registro", "gzip").await;
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
}

/// Bytes sent for a page and every file it and its stylesheet link to, compressed as a phone
/// would ask.
async fn transferred(app: &TestApp, path: &str) -> usize {
    transferred_as(app, path, "").await
}

/// The bytes a page and everything it loads send, compressed, for a browser with `cookies`.
async fn transferred_as(app: &TestApp, path: &str, cookies: &str) -> usize {
    let page = get_as(app, path, "gzip, br", cookies).await;
    assert_eq!(page.status(), 200, "{path}");
    let html_bytes = page.bytes().await.unwrap();
    let html = get_as(app, path, "identity", cookies)
        .await
        .text()
        .await
        .unwrap();
    let mut total = html_bytes.len();
    let mut urls = static_urls(&html);
    let mut fetched = Vec::new();
    while let Some(url) = urls.pop() {
        if fetched.contains(&url) {
            continue;
        }
        total += get(app, &url, "gzip, br")
            .await
            .bytes()
            .await
            .unwrap()
            .len();
        if url.ends_with(".css") {
            // The fonts a stylesheet names.
            let css = get(app, &url, "identity").await.text().await.unwrap();
            urls.extend(static_urls(&css));
        }
        fetched.push(url);
    }
    total
}

#[tokio::test]
async fn every_page_weighs_under_100_kb_with_everything_it_loads() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/registro",
        "/entrar",
        "/recuperar",
        "/ayuda",
        "/demo/componentes",
    ] {
        let bytes = transferred(&app, path).await;
        println!("{path}: {bytes} bytes transferred");
        assert!(bytes < 100 * 1024, "{path} sends {bytes} bytes");
    }
}

/// The member's pages too, with the longest data the examples hold: María's savings and her
/// credit with its monthly history.
#[tokio::test]
async fn every_signed_in_page_weighs_under_100_kb_with_everything_it_loads() {
    let app = spawn_app().await;
    crate::credit::import_credits(&app).await;
    let mut browser = Browser::new(&app);
    signed_in(&mut browser).await;
    let cookies = browser.cookie_header();
    for path in [
        "/cuenta",
        "/ahorro",
        "/ahorro/movimientos",
        "/ahorro/relaciones",
        "/ahorro/calculadora",
        "/credito",
        "/mi-credito",
        "/mi-credito/1901234567/movimientos",
        "/mi-credito/1901234567/constancia/2024",
        "/tramites",
        "/tramites/citas",
        "/tramites/correccion",
        "/tramites/devolucion",
    ] {
        let bytes = transferred_as(&app, path, &cookies).await;
        println!("{path}: {bytes} bytes transferred");
        assert!(bytes < 100 * 1024, "{path} sends {bytes} bytes");
    }
}

#[tokio::test]
async fn the_language_switch_keeps_english_and_comes_back_to_the_page() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let spanish = browser.get("/entrar").await.text().await.unwrap();
    assert!(spanish.contains("<html lang=\"es-MX\">"));
    assert!(spanish.contains("Entra a tu cuenta"));
    assert!(spanish.contains("lang=\"en\">English</button>"));

    let r = browser
        .post("/idioma", &[("lang", "en"), ("volver", "/entrar")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/entrar");
    let english = browser.get("/entrar").await.text().await.unwrap();
    assert!(english.contains("<html lang=\"en\">"), "{english}");
    assert!(english.contains("Every procedure is free and personal"));
    assert!(english.contains("lang=\"es-MX\">Español</button>"));
    // Messages from the app layer follow the language too.
    let r = browser
        .post("/entrar", &[("identifier", NSS), ("password", "wrong")])
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("<title>Error: "), "{html}");
    assert!(html.contains("There is a problem"));

    let r = browser
        .post(
            "/idioma",
            &[("lang", "es-MX"), ("volver", "//evil.example")],
        )
        .await;
    assert_eq!(location(&r), "/");
    assert!(
        browser
            .get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("lang=\"es-MX\"")
    );

    let forged = app
        .client
        .post(format!("{}/idioma", app.address))
        .form(&[("lang", "en"), ("volver", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signed_in_pages_show_the_areas_the_time_out_and_extend_the_session() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let r = browser.post("/sesion/extender", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF cookie yet");
    browser.get("/entrar").await;
    let r = browser.post("/sesion/extender", &[]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    signed_in(&mut browser).await;
    let html = browser.get("/cuenta").await.text().await.unwrap();
    assert!(html.contains("data-session-idle=\"1800\" data-session-warn=\"300\""));
    assert!(html.contains("id=\"aviso-sesion\""));
    assert!(html.contains("<a href=\"/cuenta\" aria-current=\"page\">Mi perfil</a>"));
    assert!(html.contains("<a href=\"/ahorro\">Mi ahorro</a>"));
    assert!(html.contains("<a href=\"/credito\">Quiero un crédito</a>"));
    assert!(html.contains("<a href=\"/mi-credito\">Mi crédito</a>"));
    assert!(html.contains("<a href=\"/tramites\">Trámites</a>"));
    assert!(html.contains("action=\"/salir\""));

    let r = browser.post("/sesion/extender", &[]).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    browser.post("/salir", &[]).await;
    let r = browser.post("/sesion/extender", &[]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_component_gallery_exists_only_in_demo_mode() {
    let demo = spawn_app().await;
    let html = get(&demo, "/demo/componentes", "")
        .await
        .text()
        .await
        .unwrap();
    for part in [
        "class=\"button\"",
        "button-secondary",
        "button-warning",
        "Hay un problema",
        "aria-invalid=\"true\"",
        "autocomplete=\"one-time-code\"",
        "inputmode=\"numeric\"",
        "Cambiar<span class=\"visually-hidden\">",
        "VIV-2026-000123",
        "$12,345.67",
        "25 de noviembre de 2026",
        "data-module=\"tabs\"",
        "class=\"timeline\"",
        "aria-current=\"step\"",
        "Paso 3 de 4",
        "Seguir conectado",
    ] {
        assert!(html.contains(part), "the gallery lacks {part}");
    }
    let served = spawn_app_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    assert_eq!(get(&served, "/demo/componentes", "").await.status(), 404);
}
