//! The back office over real HTTP: operators sign in with password and authenticator code,
//! each role sees only its own work, decisions move requests and notify the member, and every
//! look at a member's data is in the audit log.

use std::sync::Arc;

use app::backoffice::{BackOffice, NewOperatorForm, OperatorCreated};
use domain::operators::Role;
use reqwest::StatusCode;

use crate::accounts::{Browser, NSS, location};
use crate::{Engine, TestApp, spawn_app_on};

fn backoffice(app: &TestApp) -> BackOffice {
    let clock: Arc<dyn app::clock::Clock> = app.clock.clone().unwrap();
    BackOffice::new(
        app.store.clone(),
        app::accounts::Passwords::new(app::accounts::HashCost::cheapest(), 2).unwrap(),
        b"test key",
        clock.clone(),
        requests(app),
    )
}

fn requests(app: &TestApp) -> app::requests::Requests {
    let clock: Arc<dyn app::clock::Clock> = app.clock.clone().unwrap();
    app::requests::Requests::new(
        app.store.clone(),
        clock,
        Arc::new(domain::requests::ServiceStandards::embedded().unwrap()),
        domain::requests::Holidays::federal(),
        Arc::new(app::i18n::Messages::load().unwrap()),
    )
}

fn cli() -> app::accounts::Caller {
    app::accounts::Caller {
        channel: domain::audit::Channel::System,
        origin: "cli".into(),
        device: "test".into(),
    }
}

pub(crate) async fn create(app: &TestApp, username: &str, role: Role) -> OperatorCreated {
    backoffice(app)
        .create_operator(
            &NewOperatorForm {
                username: username.into(),
                display_name: format!("Persona {username}"),
                role,
            },
            None,
            &cli(),
        )
        .await
        .unwrap()
}

/// The code an authenticator app shows now for this secret.
pub(crate) fn code_now(app: &TestApp, created: &OperatorCreated) -> String {
    let secret = domain::auth::totp::decode_base32(&created.totp_secret).unwrap();
    let step = domain::auth::totp::step_of(app.now().unix_timestamp());
    format!("{:06}", domain::auth::totp::code_at_step(&secret, step))
}

pub(crate) async fn sign_in<'a>(app: &'a TestApp, created: &OperatorCreated) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let page = browser.get("/operacion/entrar").await.text().await.unwrap();
    assert!(page.contains("autocomplete=\"one-time-code\""), "{page}");
    let code = code_now(app, created);
    let r = browser
        .post(
            "/operacion/entrar",
            &[
                ("username", &created.operator.username),
                ("password", &created.password),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(location(&r), "/operacion");
    assert!(browser.cookies.contains_key("__Host-operacion"));
    browser
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, Option<i64>, String)> {
    app.store
        .recent_audit_all(500)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.entry.actor,
                e.entry.action,
                e.entry.member_id,
                e.entry.details,
            )
        })
        .collect()
}

async fn operators_sign_in_with_a_code_and_each_role_sees_only_its_work(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let admin = create(&app, "admin.uno", Role::Admin).await;
    let agent = create(&app, "agente.uno", Role::Agent).await;
    let auditor = create(&app, "auditora", Role::Auditor).await;
    assert_eq!(admin.password.len(), 24);
    assert!(admin.otpauth_uri.starts_with("otpauth://totp/"));

    // Without a session the back office asks to sign in; a member's session is not one.
    let mut stranger = Browser::new(&app);
    let r = stranger.get("/operacion/solicitudes").await;
    assert_eq!(location(&r), "/operacion/entrar");

    // A wrong code, a wrong password and an unknown user get the same answer.
    let mut browser = Browser::new(&app);
    browser.get("/operacion/entrar").await;
    let right = code_now(&app, &agent);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    for (user, password, code) in [
        ("agente.uno", agent.password.as_str(), wrong.as_str()),
        ("agente.uno", "not the password", right.as_str()),
        ("nadie", agent.password.as_str(), right.as_str()),
    ] {
        let r = browser
            .post(
                "/operacion/entrar",
                &[("username", user), ("password", password), ("code", code)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("El usuario, la contraseña o el código no son correctos"),
            "{page}"
        );
    }
    assert!(!browser.cookies.contains_key("__Host-operacion"));
    // Failures slow the next attempt down: the failures above are counted for the address.
    app.advance(time::Duration::minutes(10));

    let mut agent_browser = sign_in(&app, &agent).await;
    // The same code does not work twice.
    let mut replay = Browser::new(&app);
    replay.get("/operacion/entrar").await;
    let r = replay
        .post(
            "/operacion/entrar",
            &[
                ("username", "agente.uno"),
                ("password", &agent.password),
                ("code", &code_now(&app, &agent)),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = agent_browser.get("/operacion").await;
    assert_eq!(location(&r), "/operacion/solicitudes");
    let page = agent_browser
        .get("/operacion/solicitudes")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Solicitudes por atender"), "{page}");
    assert!(!page.contains("href=\"/operacion/operadores\""), "{page}");
    // An agent cannot do an admin's or an auditor's work, and the attempt is audited.
    for path in ["/operacion/operadores", "/operacion/auditoria"] {
        let r = agent_browser.get(path).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let r = agent_browser
        .post(
            "/operacion/operadores",
            &[
                ("username", "intrusa"),
                ("name", "Intrusa"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let denied: Vec<_> = audit_actions(&app)
        .await
        .into_iter()
        .filter(|(actor, action, _, _)| {
            action == "operator_access_denied"
                && *actor == format!("operator:{}", agent.operator.operator_id)
        })
        .collect();
    assert_eq!(denied.len(), 3, "{denied:?}");
    assert!(denied.iter().any(|d| d.3.contains("create_operator")));

    // The auditor reads the log, and only the log.
    app.advance(time::Duration::seconds(30));
    let mut auditor_browser = sign_in(&app, &auditor).await;
    let r = auditor_browser.get("/operacion/solicitudes").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let log = auditor_browser
        .get("/operacion/auditoria")
        .await
        .text()
        .await
        .unwrap();
    assert!(log.contains("operator_access_denied"), "{log}");
    assert!(log.contains("operator_signed_in"), "{log}");

    // The admin adds an operator (the secrets shown once), changes a role, and disables the
    // agent, whose session ends at once.
    app.advance(time::Duration::seconds(30));
    let mut admin_browser = sign_in(&app, &admin).await;
    let r = admin_browser
        .post(
            "/operacion/operadores",
            &[
                ("username", "Nueva.Agente"),
                ("name", "Nueva Agente"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    assert!(page.contains("nueva.agente"), "{page}");
    assert!(page.contains("otpauth://totp/"), "{page}");
    let stored = app
        .store
        .operator_by_username("nueva.agente")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    let r = admin_browser
        .post(
            "/operacion/operadores",
            &[
                ("username", "nueva.agente"),
                ("name", "Otra"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Ya existe una persona operadora con ese usuario")
    );
    let agent_id = agent.operator.operator_id.to_string();
    let r = admin_browser
        .post(
            &format!("/operacion/operadores/{agent_id}"),
            &[("role", "agent")],
        )
        .await;
    assert_eq!(location(&r), "/operacion/operadores");
    let r = agent_browser.get("/operacion/solicitudes").await;
    assert_eq!(location(&r), "/operacion/entrar", "disabled: signed out");
    // An admin cannot disable themselves.
    let r = admin_browser
        .post(
            &format!("/operacion/operadores/{}", admin.operator.operator_id),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let updated: Vec<_> = audit_actions(&app)
        .await
        .into_iter()
        .filter(|(_, action, _, _)| action == "operator_updated")
        .collect();
    assert_eq!(updated.len(), 1);
    assert!(
        updated[0]
            .3
            .contains("\"active\":{\"from\":true,\"to\":false}")
    );

    // Signing out ends the session.
    let r = admin_browser.post("/operacion/salir", &[]).await;
    assert_eq!(location(&r), "/operacion/entrar");
    let r = admin_browser.get("/operacion/operadores").await;
    assert_eq!(location(&r), "/operacion/entrar");
}

async fn agents_work_the_queue_and_unmasking_a_member_is_audited(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let agent = create(&app, "agente", Role::Agent).await;
    let supervisor = create(&app, "supervisora", Role::Supervisor).await;
    let other = create(&app, "agente.dos", Role::Agent).await;
    let nss = domain::ids::Nss::parse(NSS).unwrap();
    let maria = app.store.member_by_nss(&nss).await.unwrap().unwrap();
    let filed = requests(&app)
        .submit(
            maria.member_id,
            domain::requests::RequestKind::DataCorrection,
            &serde_json::json!({ "field": "rfc", "wrong": "GAHM850312K40", "right": "GAHM850312K41" }),
            app::requests::Acting::Member(maria.member_id),
            &app::accounts::Caller {
                channel: domain::audit::Channel::Web,
                origin: "127.0.0.1".into(),
                device: "test".into(),
            },
        )
        .await
        .unwrap();
    let folio = filed.folio.as_str().to_owned();

    let mut browser = sign_in(&app, &agent).await;
    let queue = browser
        .get("/operacion/solicitudes?tipo=data_correction")
        .await
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&folio), "{queue}");
    assert!(queue.contains("Corrección de datos"), "{queue}");
    let other_kind = browser
        .get("/operacion/solicitudes?tipo=deeds")
        .await
        .text()
        .await
        .unwrap();
    assert!(!other_kind.contains(&folio));
    let case_path = format!("/operacion/solicitudes/{folio}");
    let page = browser.get(&case_path).await.text().await.unwrap();
    assert!(
        page.contains("GAHM850312K41"),
        "the answers are shown: {page}"
    );
    assert!(page.contains("Empezar revisión"), "{page}");

    // Take it, start the review, then ask for a correction — a reason is required.
    let r = browser
        .post(&format!("{case_path}/asignacion"), &[("to", "yo")])
        .await;
    assert_eq!(location(&r), case_path);
    let mine = browser
        .get("/operacion/solicitudes?mias=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains(&folio), "{mine}");
    let r = browser
        .post(
            &format!("{case_path}/decision"),
            &[("action", "start_review")],
        )
        .await;
    assert_eq!(location(&r), case_path);
    let r = browser
        .post(
            &format!("{case_path}/decision"),
            &[("action", "ask_for_correction"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Elige el motivo"));
    let r = browser
        .post(
            &format!("{case_path}/decision"),
            &[
                ("action", "ask_for_correction"),
                ("reason", "data_mismatch"),
            ],
        )
        .await;
    assert_eq!(location(&r), case_path);
    let page = browser.get(&case_path).await.text().await.unwrap();
    assert!(page.contains("Necesita una corrección"), "{page}");
    assert!(page.contains("no coinciden"), "{page}");
    let stored = app
        .store
        .request_by_folio(maria.member_id, &filed.folio)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.state.stage(),
        domain::requests::RequestStage::NeedsCorrection
    );
    let events = app
        .store
        .request_events(maria.member_id, &filed.folio)
        .await
        .unwrap();
    assert_eq!(
        events.last().unwrap().actor,
        format!("operator:{}", agent.operator.operator_id)
    );
    // An approval now is refused by the state machine, not half-applied.
    let r = browser
        .post(&format!("{case_path}/decision"), &[("action", "approve")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Only a supervisor reassigns.
    let to_other = other.operator.operator_id.to_string();
    let r = browser
        .post(&format!("{case_path}/asignacion"), &[("to", &to_other)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    app.advance(time::Duration::seconds(30));
    let mut boss = sign_in(&app, &supervisor).await;
    let r = boss
        .post(&format!("{case_path}/asignacion"), &[("to", &to_other)])
        .await;
    assert_eq!(location(&r), case_path);
    assert_eq!(
        app.store
            .request_assignee(maria.member_id, &filed.folio)
            .await
            .unwrap(),
        Some(other.operator.operator_id)
    );

    // Look-up: masked until a reason is stated, and the unmasking is in the member's log.
    // A search is a POST: the NSS never sits in a URL.
    let results = browser
        .post("/operacion/miembros", &[("q", NSS)])
        .await
        .text()
        .await
        .unwrap();
    let card_path = format!("/operacion/miembros/{}", maria.member_id.0);
    assert!(results.contains(&card_path), "{results}");
    // The NSS is masked in the results; it is only in the search box, as typed.
    assert_eq!(results.matches(NSS).count(), 1, "{results}");
    assert!(results.contains("•••••••7892"), "{results}");
    let by_name = browser
        .post(
            "/operacion/miembros",
            &[("q", maria.person.first_surname.as_str())],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(by_name.contains(&card_path), "{by_name}");
    let masked = browser.get(&card_path).await.text().await.unwrap();
    assert!(!masked.contains(maria.person.curp.as_str()), "{masked}");
    assert!(!masked.contains(&maria.person.given_names), "{masked}");
    assert!(masked.contains(&folio), "their requests are listed");
    let r = browser.post(&card_path, &[("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = browser.post(&card_path, &[("reason", "phone_call")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let full = r.text().await.unwrap();
    assert!(full.contains(maria.person.curp.as_str()), "{full}");
    assert!(full.contains(NSS), "{full}");
    let log = app.store.recent_audit(maria.member_id, 50).await.unwrap();
    let unmasked: Vec<_> = log
        .iter()
        .filter(|e| e.entry.action == "operator_unmasked_member")
        .collect();
    assert_eq!(unmasked.len(), 1);
    assert_eq!(
        unmasked[0].entry.actor,
        format!("operator:{}", agent.operator.operator_id)
    );
    assert!(unmasked[0].entry.details.contains("phone_call"));
    assert!(
        log.iter()
            .any(|e| e.entry.action == "operator_viewed_member")
    );
    assert!(
        log.iter()
            .any(|e| e.entry.action == "operator_viewed_request")
    );
    assert!(log.iter().any(|e| e.entry.action == "request_assigned"));
    // Reading the queue is an action too.
    assert!(
        audit_actions(&app)
            .await
            .iter()
            .any(|(actor, action, _, _)| action == "operator_read_queue"
                && *actor == format!("operator:{}", agent.operator.operator_id))
    );
    // The member was told, by e-mail, what to correct (the account is not needed for the
    // audit; María has none here, so no message is queued for her).
    assert!(matches!(
        app.store.verify_audit().await.unwrap(),
        store::AuditVerdict::Intact(_)
    ));
}

#[tokio::test]
async fn the_demo_operators_sign_in_with_the_code_the_demo_shows() {
    let app = spawn_app_on(Engine::Sqlite).await;
    let office = backoffice(&app);
    assert!(office.ensure_demo_operators(&cli()).await.unwrap());
    assert!(!office.ensure_demo_operators(&cli()).await.unwrap(), "once");
    let mut browser = Browser::new(&app);
    let page = browser.get("/demo/mensajes").await.text().await.unwrap();
    let at = page.find("demo.supervisora</a>: <strong>").unwrap()
        + "demo.supervisora</a>: <strong>".len();
    let code = page[at..at + 6].to_owned();
    browser.get("/operacion/entrar").await;
    let r = browser
        .post(
            "/operacion/entrar",
            &[
                ("username", "demo.supervisora"),
                ("password", app::accounts::DEMO_PASSWORD),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(location(&r), "/operacion");
    let r = browser.get("/operacion").await;
    assert_eq!(location(&r), "/operacion/solicitudes");
}

/// The value of the first `<input name=…>` or `<option>` after `marker`.
fn first_value_after(page: &str, marker: &str) -> String {
    let at = page.find(marker).unwrap() + marker.len();
    let rest = &page[at..];
    let start = rest.find("value=\"").unwrap() + "value=\"".len();
    rest[start..start + rest[start..].find('"').unwrap()].to_owned()
}

async fn a_clerk_books_an_appointment_for_a_member_at_the_desk(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let agent = create(&app, "ventanilla", Role::Agent).await;
    let nss = domain::ids::Nss::parse(NSS).unwrap();
    let maria = app.store.member_by_nss(&nss).await.unwrap().unwrap();
    let mut clerk = sign_in(&app, &agent).await;
    let page = clerk.get("/operacion/citas").await.text().await.unwrap();
    let office = first_value_after(&page, "<option value=\"\">");
    let card = format!("/operacion/miembros/{}", maria.member_id.0);
    let full = clerk
        .post(&card, &[("reason", "cesi_visit")])
        .await
        .text()
        .await
        .unwrap();
    assert!(full.contains(&format!("{card}/cita")), "{full}");
    // The first day with free times, within the booking window.
    let mut found = None;
    for ahead in 1..15 {
        let day = domain::dates::iso(app.now().date() + time::Duration::days(ahead));
        let page = clerk
            .get(&format!(
                "{card}/cita?tramite=credit_formalization&oficina={office}&dia={day}"
            ))
            .await
            .text()
            .await
            .unwrap();
        if page.contains("name=\"minuto\"") {
            found = Some((day, first_value_after(&page, "<legend>")));
            break;
        }
    }
    let (day, minute) = found.expect("a day with free times");
    let r = clerk
        .post(
            &format!("{card}/cita"),
            &[
                ("oficina", &office),
                ("tramite", "credit_formalization"),
                ("dia", &day),
                ("minuto", &minute),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the channel is required"
    );
    let r = clerk
        .post(
            &format!("{card}/cita"),
            &[
                ("channel", "cesi"),
                ("oficina", &office),
                ("tramite", "credit_formalization"),
                ("dia", &day),
                ("minuto", &minute),
            ],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/operacion/citas?oficina={office}&dia={day}")
    );
    let list = clerk.get(location(&r)).await.text().await.unwrap();
    let mine = app
        .store
        .appointments_of_member(maria.member_id)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].channel, domain::audit::Channel::Cesi);
    assert_eq!(
        mine[0].created_by,
        format!("operator:{}", agent.operator.operator_id)
    );
    assert!(list.contains(mine[0].folio.as_str()), "{list}");
    assert!(list.contains(&format!("#{}", maria.member_id.0)), "{list}");
    // An auditor does not see the office's day.
    app.advance(time::Duration::seconds(30));
    let auditor = create(&app, "auditor.citas", Role::Auditor).await;
    let mut auditor_browser = sign_in(&app, &auditor).await;
    let r = auditor_browser.get("/operacion/citas").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

crate::on_both_engines!(
    a_clerk_books_an_appointment_for_a_member_at_the_desk,
    operators_sign_in_with_a_code_and_each_role_sees_only_its_work,
    agents_work_the_queue_and_unmasking_a_member_is_audited,
);
