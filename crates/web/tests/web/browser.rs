//! Journeys in a real browser: Debian's Chromium, headless, driven through the chromedriver the
//! test starts on a free port, by fantoccini. Every page visited is checked with axe-core
//! (WCAG 2.0, 2.1 and 2.2, levels A and AA) and must show no violation; screenshots of the main
//! pages at 360 and 1280 px wide go to `target/screenshots/`.
//!
//! Without chromedriver or axe-core (`./scripts/test` installs axe-core) the tests print why and
//! pass as skipped, unless `VIVIENDA_REQUIRE_BROWSER=1`, as in CI, where they fail instead.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::accounts::{NSS, PASSWORD, code_from_outbox};
use crate::{Options, TestApp, spawn_app, spawn_app_with};

const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// One browser at a time: this machine has two cores and each Chromium wants both.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

fn axe_script() -> Option<String> {
    let path = std::env::var_os("VIVIENDA_AXE_JS").map_or_else(
        || workspace().join("target/test-tools/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    std::fs::read_to_string(path).ok()
}

/// chromedriver and the Chromium it drives. A test ends the session with [`Browser::quit`];
/// when a test fails half-way, dropping this ends chromedriver's whole process group, Chromium
/// included, so no browser outlives its test.
struct Browser {
    client: Client,
    driver: Child,
    axe: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A headless Chromium, or `None` (after saying why) when this machine has none.
async fn open_browser() -> Option<Browser> {
    let required = std::env::var("VIVIENDA_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let missing = |what: &str| {
        assert!(
            !required,
            "VIVIENDA_REQUIRE_BROWSER=1 but {what} (.ci/run installs chromium and chromium-driver, ./scripts/test installs axe-core)"
        );
        eprintln!(
            "note: browser test skipped: {what} (apt-get install chromium chromium-driver; ./scripts/test installs axe-core)"
        );
        None
    };
    let Some(chromedriver) = on_path("chromedriver") else {
        return missing("chromedriver is not installed");
    };
    let Some(axe) = axe_script() else {
        return missing("axe-core is not installed under target/test-tools");
    };
    let port = free_port();
    let driver = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut options = json!({
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--window-size=1280,900",
        ]
    });
    if let Some(chromium) = on_path("chromium") {
        options["binary"] = json!(chromium);
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = String::new();
    for _ in 0..100 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    axe,
                });
            }
            Err(e) => last_error = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start: {last_error}");
}

impl Browser {
    /// Ends the WebDriver session, which closes Chromium.
    async fn quit(self) {
        self.client.clone().close().await.unwrap();
    }

    async fn goto(&self, app: &TestApp, path: &str) {
        self.client
            .goto(&format!("{}{path}", app.address))
            .await
            .unwrap();
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// What a link gives the browser, fetched with its cookies, as bytes.
    async fn download(&self, href: Value) -> Vec<u8> {
        let bytes = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0]).then(r => r.arrayBuffer())
                   .then(b => done(Array.from(new Uint8Array(b))));",
                vec![href],
            )
            .await
            .unwrap();
        bytes
            .as_array()
            .unwrap()
            .iter()
            .map(|b| u8::try_from(b.as_u64().unwrap()).unwrap())
            .collect()
    }

    async fn run(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap()
    }

    /// Runs axe-core on the page as it is now and fails listing every violation.
    async fn check_accessibility(&self) {
        let loaded = self
            .client
            .execute(&format!("{};\nreturn typeof axe;", self.axe), Vec::new())
            .await
            .unwrap();
        assert_eq!(loaded, "object", "axe-core did not load");
        let script = r#"
            const [tags, done] = arguments;
            axe.run(document, { runOnly: { type: "tag", values: tags } })
              .then(r => done({
                passes: r.passes.length,
                violations: r.violations.map(v =>
                  `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)
              }))
              .catch(e => done({ passes: 0, violations: [`axe failed: ${e}`] }));
        "#;
        let result = self
            .client
            .execute_async(script, vec![json!(AXE_TAGS)])
            .await
            .unwrap();
        let path = self.path().await;
        assert!(
            result["passes"].as_u64().unwrap_or(0) > 10,
            "axe-core checked nothing on {path}"
        );
        let list: Vec<String> = serde_json::from_value(result["violations"].clone()).unwrap();
        assert!(
            list.is_empty(),
            "axe-core found {} violation(s) on {path}:\n{}",
            list.len(),
            list.join("\n")
        );
    }

    /// The whole page at 360 and 1280 px wide, as `target/screenshots/<name>-<width>.png`.
    async fn screenshots(&self, name: &str) {
        let dir = workspace().join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        for width in [360, 1280] {
            self.client.set_window_size(width, 900).await.unwrap();
            let height = self
                .run("return document.documentElement.scrollHeight")
                .await
                .as_u64()
                .unwrap_or(900)
                .clamp(600, 4000);
            self.client
                .set_window_size(width, u32::try_from(height).unwrap())
                .await
                .unwrap();
            if width == 360 {
                let overflow = self
                    .run("return document.documentElement.scrollWidth > window.innerWidth")
                    .await;
                let wide = self
                    .run("return [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40)).join(' | ')")
                    .await;
                assert_eq!(
                    overflow, false,
                    "{name} scrolls sideways at {width} px: {wide}"
                );
            }
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}-{width}.png")), png).unwrap();
        }
        self.client.set_window_size(1280, 900).await.unwrap();
    }

    /// Checks the page with axe-core and keeps its screenshots.
    async fn check_page(&self, name: &str) {
        self.check_accessibility().await;
        self.screenshots(name).await;
    }

    async fn fill(&self, id: &str, value: &str) {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn wait_for_path(&self, wanted: &str) {
        for _ in 0..100 {
            if self.path().await == wanted {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {wanted}; at {}", self.path().await);
    }

    async fn wait_until(&self, script: &str, seconds: u64) {
        for _ in 0..seconds * 10 {
            if self.run(script).await == true {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for: {script}");
    }

    async fn press(&self, key: Key) {
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(actions).await.unwrap();
    }

    /// The id (or name) of the focused element.
    async fn focused(&self) -> String {
        let v = self
            .run("const e = document.activeElement; return e.id || e.name || e.textContent.trim();")
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Presses Tab until the element `id` (or the control named `id`) has focus, checking on the
    /// way that every element that takes focus shows it.
    async fn tab_to(&self, id: &str) {
        for _ in 0..40 {
            self.press(Key::Tab).await;
            let visible = self
                .run(
                    r#"const s = getComputedStyle(document.activeElement);
                       const yellow = "255, 221, 0";
                       return [s.outlineColor, s.backgroundColor, s.boxShadow]
                         .some(v => v.includes(yellow));"#,
                )
                .await;
            let now = self.focused().await;
            assert_eq!(visible, true, "focus on {now:?} is not visible");
            if now == id {
                return;
            }
        }
        panic!("Tab never reached {id}");
    }

    /// Types into the focused element, as a keyboard does.
    async fn type_text(&self, text: &str) {
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
}

async fn sign_up_in_the_browser(browser: &Browser, app: &TestApp, check: bool) {
    browser.goto(app, "/registro").await;
    if check {
        browser.check_page("registro").await;
    }
    for (id, value) in [
        ("nss", NSS),
        ("curp", "GAHM850312MDFRRR09"),
        ("rfc", "GAHM850312K40"),
        ("email", "maria@example.mx"),
        ("mobile", "5512345678"),
        ("password", PASSWORD),
    ] {
        browser.fill(id, value).await;
    }
    browser.click("#accept_terms").await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_path("/activar").await;
    if check {
        browser.check_page("activar").await;
    }
    browser.fill("code", &code_from_outbox(app).await).await;
    browser.click("main form[action='/activar'] button").await;
    browser.wait_for_path("/entrar?activada=1").await;
}

async fn sign_in_in_the_browser(browser: &Browser) {
    browser.fill("identifier", NSS).await;
    browser.fill("password", PASSWORD).await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_path("/cuenta").await;
}

#[tokio::test]
async fn a_new_member_signs_up_activates_signs_in_sees_the_profile_and_signs_out() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app().await;
    browser.goto(&app, "/").await;
    browser.check_page("inicio").await;
    browser.goto(&app, "/ayuda").await;
    browser.check_page("ayuda").await;
    browser.goto(&app, "/demo/componentes").await;
    browser.check_page("componentes").await;
    // With script the tabs become real tabs; axe checks that state too.
    browser
        .wait_until(
            "return document.querySelector('.tabs-enhanced [role=tab]') !== null",
            5,
        )
        .await;

    sign_up_in_the_browser(&browser, &app, true).await;
    browser.check_page("entrar").await;
    sign_in_in_the_browser(&browser).await;
    browser.check_page("cuenta").await;
    let nav = browser
        .client
        .find(Locator::Css("nav.areas a[aria-current=page]"))
        .await
        .unwrap();
    assert_eq!(nav.text().await.unwrap(), "Mi perfil");
    browser.goto(&app, "/cuenta/contrasena").await;
    browser.check_accessibility().await;
    browser.goto(&app, "/cuenta/verificacion").await;
    browser.check_page("verificacion").await;

    // Mi ahorro: the balance, the movements, the employment history, the calculator.
    browser.goto(&app, "/ahorro").await;
    browser.check_page("ahorro").await;
    let body = browser.run("return document.body.innerText").await;
    assert!(body.as_str().unwrap_or("").contains("$3,476.62"), "{body}");
    browser.goto(&app, "/ahorro/movimientos").await;
    browser.check_page("movimientos").await;
    // The statement the movements page offers is a PDF.
    let href = browser
        .run("return document.querySelector('a[href*=\"estado-de-cuenta.pdf\"]').getAttribute('href')")
        .await;
    let statement = browser.download(href).await;
    assert!(statement.starts_with(b"%PDF-"), "the statement is a PDF");
    browser
        .goto(&app, "/ahorro/movimientos?desde=2015-13-01")
        .await;
    browser.check_accessibility().await;
    browser.goto(&app, "/ahorro/relaciones").await;
    browser.check_page("relaciones").await;
    browser.goto(&app, "/ahorro/calculadora").await;
    browser.click("main form button").await;
    browser
        .wait_until("return document.querySelector('svg.chart') !== null", 10)
        .await;
    browser.check_page("calculadora").await;
    browser.goto(&app, "/credito").await;
    browser.check_page("credito").await;
    browser.goto(&app, "/credito?bimestres=1").await;
    browser.check_accessibility().await;
    browser.goto(&app, "/demo/mensajes").await;
    browser.check_page("mensajes").await;

    browser.goto(&app, "/cuenta").await;
    browser.click("header form[action='/salir'] button").await;
    browser.wait_for_path("/entrar").await;
    browser.goto(&app, "/cuenta").await;
    browser.wait_for_path("/entrar").await;

    // English, from the header's switch.
    browser.click("header form[action='/idioma'] button").await;
    browser
        .wait_until("return document.documentElement.lang === 'en'", 10)
        .await;
    assert_eq!(browser.path().await, "/entrar");
    browser.check_accessibility().await;
    browser.quit().await;
}

#[tokio::test]
async fn a_bad_curp_moves_focus_to_the_error_summary() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app().await;
    browser.goto(&app, "/registro").await;
    browser.fill("nss", NSS).await;
    browser.fill("curp", "GAHM850312MDFRRR08").await;
    browser.click("main button[type=submit]").await;
    browser
        .wait_until("return document.title.startsWith('Error: ')", 10)
        .await;
    assert_eq!(browser.focused().await, "resumen-errores");
    let summary = browser
        .client
        .find(Locator::Id("resumen-errores"))
        .await
        .unwrap();
    assert!(summary.text().await.unwrap().contains("Hay un problema"));
    browser.check_page("registro-error").await;
    // The summary's link takes focus to the field.
    browser.click("#resumen-errores a[href='#curp']").await;
    assert_eq!(browser.focused().await, "curp");
    browser.quit().await;
}

#[tokio::test]
async fn the_time_out_warning_appears_extends_the_session_and_then_says_it_ended() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app_with(Options {
        policy: app::accounts::SessionPolicy {
            idle: time::Duration::seconds(8),
            absolute: time::Duration::hours(12),
        },
        ..Options::default()
    })
    .await;
    sign_up_in_the_browser(&browser, &app, false).await;
    sign_in_in_the_browser(&browser).await;
    assert_eq!(
        browser
            .run("return document.body.dataset.sessionWarn")
            .await,
        "4"
    );
    let open = "return document.getElementById('aviso-sesion').open";
    browser.wait_until(open, 8).await;
    assert_eq!(browser.focused().await, "aviso-sesion-titulo");
    browser.check_accessibility().await;
    browser.screenshots("aviso-sesion").await;
    browser
        .click("#aviso-sesion form[data-action=extend] button")
        .await;
    browser
        .wait_until("return !document.getElementById('aviso-sesion').open", 5)
        .await;

    // Left alone, the warning comes back, then the session ends and the page says so.
    browser
        .wait_until("return document.body.dataset.sessionEnded === 'true'", 12)
        .await;
    assert_eq!(browser.run(open).await, true);
    assert_eq!(browser.focused().await, "aviso-sesion-fin");
    browser.check_accessibility().await;
    browser.click("#aviso-sesion a[href='/entrar']").await;
    browser.wait_for_path("/entrar").await;
    browser.goto(&app, "/cuenta").await;
    browser.wait_for_path("/entrar").await;
    browser.quit().await;
}

#[tokio::test]
async fn sign_up_and_sign_in_with_the_keyboard_only() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app().await;
    browser.goto(&app, "/registro").await;
    // The skip link comes first and lands on the content.
    browser.press(Key::Tab).await;
    assert_eq!(browser.focused().await, "Saltar al contenido");
    browser.press(Key::Enter).await;
    for (id, value) in [
        ("nss", NSS),
        ("curp", "GAHM850312MDFRRR09"),
        ("rfc", "GAHM850312K40"),
        ("email", "maria@example.mx"),
        ("mobile", "5512345678"),
        ("password", PASSWORD),
    ] {
        browser.tab_to(id).await;
        browser.type_text(value).await;
    }
    browser.tab_to("accept_terms").await;
    browser.press(Key::Space).await;
    browser.tab_to("Crear mi cuenta").await;
    browser.press(Key::Enter).await;
    browser.wait_for_path("/activar").await;

    browser.tab_to("code").await;
    browser.type_text(&code_from_outbox(&app).await).await;
    browser.press(Key::Enter).await;
    browser.wait_for_path("/entrar?activada=1").await;

    browser.tab_to("identifier").await;
    browser.type_text(NSS).await;
    browser.tab_to("password").await;
    browser.type_text(PASSWORD).await;
    browser.press(Key::Enter).await;
    browser.wait_for_path("/cuenta").await;
    browser.tab_to("Salir").await;
    browser.press(Key::Enter).await;
    browser.wait_for_path("/entrar").await;
    browser.quit().await;
}

#[tokio::test]
async fn a_borrower_reads_the_credit_its_notices_and_certificate_and_verifies_a_code() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app().await;
    crate::credit::import_credits(&app).await;
    sign_up_in_the_browser(&browser, &app, false).await;
    sign_in_in_the_browser(&browser).await;
    browser.click("nav a[href='/mi-credito']").await;
    browser.wait_for_path("/mi-credito").await;
    browser.check_page("mi-credito").await;
    let notices = browser
        .run("return document.querySelectorAll('a[href$=\".pdf\"][href*=\"/avisos/\"]').length")
        .await;
    assert_eq!(notices, 2, "retention and modification notices");
    // The retention notice as the browser downloads it (with the member's session), its QR
    // read off the first page, and the page it leads to says the notice is genuine.
    let href = browser
        .run(
            "return document.querySelector('a[href*=\"/avisos/retention/\"]').getAttribute('href')",
        )
        .await;
    let pdf = browser.download(href).await;
    assert!(pdf.starts_with(b"%PDF-"));
    let url = crate::credit::qr_of(&pdf);
    let path = &url[url.find("/verificar/").unwrap()..];
    browser.goto(&app, path).await;
    browser
        .wait_until("return document.querySelector('#veredicto') !== null", 10)
        .await;
    let verdict = browser
        .run("return document.querySelector('#veredicto').textContent")
        .await;
    assert_eq!(verdict, "El documento es auténtico");
    browser.check_page("verificar-qr").await;
    browser.goto(&app, "/mi-credito").await;
    browser
        .click("a[href='/mi-credito/1901234567/constancia/2024']")
        .await;
    browser
        .wait_for_path("/mi-credito/1901234567/constancia/2024")
        .await;
    browser.check_page("constancia").await;
    browser
        .goto(&app, "/mi-credito/1901234567/movimientos")
        .await;
    browser.check_page("movimientos-credito").await;
    // Anyone can check a code; a made-up one is not genuine.
    browser.goto(&app, "/verificar").await;
    browser.check_page("verificar").await;
    browser.fill("codigo", "7KQ2-M9XA-PR4T-0C8D").await;
    browser.click("main button[type=submit]").await;
    browser
        .wait_until("return document.querySelector('#veredicto') !== null", 10)
        .await;
    let verdict = browser
        .run("return document.querySelector('#veredicto').textContent")
        .await;
    assert_eq!(verdict, "No emitimos ningún documento con este código");
    browser.check_page("verificar-resultado").await;
    browser.quit().await;
}

#[tokio::test]
async fn a_member_books_an_appointment_one_question_at_a_time() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app().await;
    sign_up_in_the_browser(&browser, &app, false).await;
    sign_in_in_the_browser(&browser).await;
    browser.click("nav a[href='/tramites']").await;
    browser.wait_for_path("/tramites").await;
    browser.check_page("tramites").await;
    browser.click("main a[href='/tramites/citas']").await;
    browser.wait_for_path("/tramites/citas").await;
    browser.check_page("citas").await;
    browser.click("main a[href='/tramites/citas/nueva']").await;
    browser.wait_for_path("/tramites/citas/nueva").await;
    // Sent on without an answer: the error summary says what to do and takes focus.
    let submit = "main form button[type=submit]";
    browser.click(submit).await;
    browser
        .wait_until(
            "return document.querySelector('.error-summary') !== null",
            10,
        )
        .await;
    assert_eq!(browser.focused().await, "resumen-errores");
    browser.check_page("cita-sin-respuesta").await;
    let next = |wanted: &'static str| {
        let browser = &browser;
        async move {
            browser.click(submit).await;
            browser
                .wait_until(
                    &format!("return document.querySelector(\"{wanted}\") !== null"),
                    10,
                )
                .await;
        }
    };
    browser
        .click("input[name=tramite][value=identity_validation]")
        .await;
    next("select#estado").await;
    browser.check_page("cita-estado").await;
    browser
        .run("document.getElementById('estado').value = '9'; return true;")
        .await;
    next("input[name=oficina]").await;
    browser.check_page("cita-oficina").await;
    browser.click("input[name=oficina][value=CMX01]").await;
    next("input[name=dia]").await;
    browser.check_page("cita-dia").await;
    browser.click("input[name=dia]").await;
    next("input[name=hora]").await;
    browser.check_page("cita-hora").await;
    browser.click("input[name=hora]").await;
    next("#confirmar").await;
    browser.check_page("cita-revisar").await;
    browser.click("#confirmar button[type=submit]").await;
    browser
        .wait_until("return document.querySelector('.panel') !== null", 10)
        .await;
    let folio = browser
        .run("return document.querySelector('.panel strong').textContent")
        .await;
    assert!(folio.as_str().unwrap().starts_with("CIT-"), "{folio}");
    browser.check_page("cita-agendada").await;
    browser.quit().await;
}

#[tokio::test]
async fn an_operator_signs_in_and_works_the_back_office_pages() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app_with(Options {
        clock_by_hand: true,
        ..Options::default()
    })
    .await;
    // A supervisor: everything an agent sees, and the identity forms and the batches too.
    let agent =
        crate::backoffice::create(&app, "agente.web", domain::operators::Role::Supervisor).await;
    browser.goto(&app, "/operacion/entrar").await;
    browser.check_page("operacion-entrar").await;
    browser.fill("username", "agente.web").await;
    browser.fill("password", &agent.password).await;
    browser
        .fill("code", &crate::backoffice::code_now(&app, &agent))
        .await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_path("/operacion/solicitudes").await;
    browser.check_page("operacion-solicitudes").await;
    browser.goto(&app, "/operacion/miembros").await;
    browser.fill("q", NSS).await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_until("return document.querySelector('main ul a') !== null", 10)
        .await;
    browser.check_page("operacion-miembros").await;
    browser.click("main ul a").await;
    browser
        .wait_until(
            "return document.querySelector('input[name=reason]') !== null",
            10,
        )
        .await;
    browser.check_page("operacion-miembro").await;
    browser.click("input[name=reason][value=phone_call]").await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_until("return document.querySelector('#serve-curp') !== null", 10)
        .await;
    browser.check_page("operacion-miembro-completo").await;
    // Unifying another NSS of the member: the two records side by side, before anything is done.
    browser.fill("unify-otro", "38957812340").await;
    browser.fill("unify-nota", "Oficio IMSS de prueba").await;
    browser
        .click("form[action$='/unificar'] button[type=submit]")
        .await;
    browser
        .wait_until(
            "return document.querySelector('input[name=confirmar]') !== null",
            10,
        )
        .await;
    browser.check_page("operacion-unificar").await;
    browser.goto(&app, "/operacion/citas").await;
    browser.check_page("operacion-citas").await;
    browser.goto(&app, "/operacion/lotes").await;
    browser.check_page("operacion-lotes").await;
    browser.click("header form button[type=submit]").await;
    browser.wait_for_path("/operacion/entrar").await;
    browser.quit().await;
}

#[tokio::test]
async fn a_pensioner_asks_for_the_refund_and_signs_with_the_efirma_in_the_browser() {
    let _one = ONE_BROWSER.lock().await;
    let Some(browser) = open_browser().await else {
        return;
    };
    let app = spawn_app().await;
    crate::refund::load(&app).await;
    drop(crate::refund::signed_in_antonio(&app).await);
    browser.goto(&app, "/entrar").await;
    browser.fill("identifier", crate::refund::ANTONIO_NSS).await;
    browser.fill("password", PASSWORD).await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_path("/cuenta").await;
    browser.goto(&app, "/tramites/devolucion").await;
    browser.check_page("devolucion").await;
    browser.click("#opcion-a").await;
    browser
        .click("main form[action='/tramites/devolucion'] button")
        .await;
    browser.wait_for_path("/tramites/devolucion?opcion=a").await;
    browser
        .click("a[href='/tramites/devolucion/cuenta?opcion=a']")
        .await;
    browser
        .wait_for_path("/tramites/devolucion/cuenta?opcion=a")
        .await;
    browser.check_page("devolucion-cuenta").await;
    // A mistyped CLABE: the error summary takes focus and names the field.
    browser.fill("clabe", "002010077777777779").await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_until("return document.activeElement.id === 'resumen-errores'", 10)
        .await;
    browser.check_page("devolucion-cuenta-error").await;
    browser.fill("clabe", "002010077777777771").await;
    browser.click("#holder").await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_for_path("/tramites/devolucion/revisar?opcion=a")
        .await;
    browser.check_page("devolucion-revisar").await;
    browser
        .click("a[href='/tramites/devolucion/firmar?opcion=a']")
        .await;
    browser
        .wait_for_path("/tramites/devolucion/firmar?opcion=a")
        .await;
    browser.check_page("devolucion-firmar").await;
    // The files are chosen from disk, as a member would.
    let dir = std::env::temp_dir().join(format!("vivienda-efirma-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cer, key) = (dir.join("antonio.cer"), dir.join("antonio.key"));
    std::fs::write(&cer, crate::refund::valid_cer()).unwrap();
    std::fs::write(&key, crate::refund::key()).unwrap();
    for (id, path) in [("cer", &cer), ("key", &key)] {
        let input = browser.client.find(Locator::Id(id)).await.unwrap();
        input.send_keys(&path.to_string_lossy()).await.unwrap();
    }
    browser.fill("efirma_password", "no es esta").await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_until("return document.activeElement.id === 'resumen-errores'", 10)
        .await;
    browser.check_page("devolucion-firmar-error").await;
    for (id, path) in [("cer", &cer), ("key", &key)] {
        let input = browser.client.find(Locator::Id(id)).await.unwrap();
        input.send_keys(&path.to_string_lossy()).await.unwrap();
    }
    browser
        .fill("efirma_password", crate::refund::EFIRMA_PASSWORD)
        .await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_until(
            "return location.pathname.startsWith('/tramites/devolucion/enviada/')",
            10,
        )
        .await;
    browser.check_page("devolucion-enviada").await;
    browser
        .click("main a[href^='/tramites/devolucion/DEV-']:not([download])")
        .await;
    browser
        .wait_until(
            "return /^\\/tramites\\/devolucion\\/DEV-[^/]+$/.test(location.pathname)",
            10,
        )
        .await;
    browser.check_page("devolucion-estado").await;
    let _ = std::fs::remove_dir_all(&dir);
    browser.quit().await;
}
