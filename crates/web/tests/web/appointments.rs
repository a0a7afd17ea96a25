//! CESI appointments over HTTP on both engines: María books one page at a time without
//! JavaScript, reads her receipt and follows its QR code, moves and cancels it; Juan can neither
//! see nor cancel it; the API lists offices and slots and books and cancels; and 50 clients race
//! for the last place of a slot: exactly one gets it, the others are told `slot_full`.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::COOKIE;

use crate::accounts::{Browser, PASSWORD, code_from_outbox, location};
use crate::credit::qr_of;
use crate::savings::{juan_token, pdf_text, signed_in_maria};
use crate::{Engine, TestApp, spawn_app_on};

/// Every `value` of the inputs named `name`, in page order.
fn values(page: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    page.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &page[at + marker.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The first free day and time at `office`, read from the pages.
async fn first_free(
    browser: &mut Browser<'_>,
    procedure: &str,
    state: &str,
    office: &str,
) -> (String, String) {
    let base = [
        ("tramite", procedure),
        ("estado", state),
        ("oficina", office),
    ];
    let page = browser
        .get(&format!("/tramites/citas/nueva?{}", query(&base)))
        .await
        .text()
        .await
        .unwrap();
    let day = values(&page, "dia").into_iter().next().unwrap();
    let mut with_day = base.to_vec();
    with_day.push(("dia", &day));
    let page = browser
        .get(&format!("/tramites/citas/nueva?{}", query(&with_day)))
        .await
        .text()
        .await
        .unwrap();
    let time = values(&page, "hora").into_iter().next().unwrap();
    (day, time)
}

async fn juan_browser(app: &TestApp) -> (Browser<'_>, String) {
    let token = juan_token(app).await;
    let mut juan = Browser::new(app);
    juan.get("/entrar").await;
    let r = juan
        .post(
            "/entrar",
            &[("identifier", "38957812340"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    (juan, token)
}

async fn a_member_books_moves_and_cancels_an_appointment_page_by_page(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let r = maria.get("/tramites").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<a href=\"/tramites\" aria-current=\"page\">Trámites</a>"),
        "the area is in the navigation: {page}"
    );
    assert!(page.contains("href=\"/tramites/citas\""));
    // Every procedure of the area is linked now.
    for href in ["/tramites/devolucion", "/tramites/correccion"] {
        assert!(page.contains(&format!("href=\"{href}\"")), "{page}");
    }
    assert!(!page.contains("Próximamente"), "{page}");
    let page = maria.get("/tramites/citas").await.text().await.unwrap();
    assert!(page.contains("No tienes citas próximas"), "{page}");
    assert!(page.contains("href=\"/tramites/citas/nueva\""));

    // One question per page; a question sent back unanswered says what to do.
    let page = maria
        .get("/tramites/citas/nueva")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Paso 1 de 5"), "{page}");
    assert!(page.contains("name=\"tramite\" value=\"insurance_release\""));
    let r = maria.get("/tramites/citas/nueva?paso=1").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("<title>Error: "), "{page}");
    assert!(page.contains("Elige el trámite que vas a hacer."));
    let page = maria
        .get("/tramites/citas/nueva?tramite=insurance_release")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<select class=\"input\" id=\"estado\""),
        "{page}"
    );
    assert!(page.contains(">Nuevo León</option>"));
    let page = maria
        .get("/tramites/citas/nueva?tramite=insurance_release&estado=19")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("CESI Monterrey Centro"), "{page}");
    assert!(
        page.contains("sábado 08:30–14:30"),
        "Monterrey's Saturdays: {page}"
    );
    assert_eq!(values(&page, "oficina").len(), 8);
    let (day, time) = first_free(&mut maria, "insurance_release", "19", "NLE01").await;
    let answers = [
        ("tramite", "insurance_release"),
        ("estado", "19"),
        ("oficina", "NLE01"),
        ("dia", day.as_str()),
        ("hora", time.as_str()),
    ];
    let r = maria
        .get(&format!("/tramites/citas/revisar?{}", query(&answers)))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Revisa tu cita antes de confirmarla"),
        "{page}"
    );
    assert!(page.contains("Cambiar<span class=\"visually-hidden\"> Oficina"));
    assert!(page.contains("Identificación oficial vigente"));
    assert!(page.contains("action=\"/tramites/citas\""));

    let form: Vec<(&str, &str)> = answers
        .iter()
        .filter(|(k, _)| *k != "estado")
        .copied()
        .collect();
    let r = maria.post("/tramites/citas", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r).to_owned();
    assert!(to.starts_with("/tramites/citas/CIT-"), "{to}");
    assert!(to.ends_with("?agendada=1"));
    let folio = to
        .trim_start_matches("/tramites/citas/")
        .trim_end_matches("?agendada=1")
        .to_owned();
    let page = maria.get(&to).await.text().await.unwrap();
    assert!(page.contains("Cita agendada"), "{page}");
    assert!(page.contains(&folio));
    assert!(
        page.contains(&format!("{time} h, hora local de la oficina")),
        "{page}"
    );
    assert!(page.contains(&format!("/tramites/citas/{folio}/comprobante.pdf")));
    // The same procedure again: refused, on the check page, with the reason.
    let r = maria.post("/tramites/citas", &form).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Ya tienes una cita pendiente para este trámite")
    );

    // The receipt: what, where and when, and a QR code that verifies it.
    let r = maria
        .get(&format!("/tramites/citas/{folio}/comprobante.pdf"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    for expected in [
        "Comprobante de cita",
        folio.as_str(),
        "CESI Monterrey Centro",
        "Liberación de adeudo por seguro",
        "HORA LOCAL DE LA OFICINA",
        time.as_str(),
        "01908567892",
        "Identificación oficial vigente",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let url = qr_of(&pdf);
    let path = url
        .strip_prefix("https://vivienda.example")
        .unwrap_or_else(|| panic!("QR {url}"));
    let page = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("El documento es auténtico"), "{page}");
    assert!(page.contains("Comprobante de cita"), "{page}");

    // Juan reaches nothing of it, by page, PDF, form or API.
    let (mut juan, token) = juan_browser(&app).await;
    for path in [
        format!("/tramites/citas/{folio}"),
        format!("/tramites/citas/{folio}/comprobante.pdf"),
        format!("/tramites/citas/{folio}/cancelar"),
        format!("/tramites/citas/{folio}/cambiar"),
    ] {
        assert_eq!(
            juan.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = juan
        .post(&format!("/tramites/citas/{folio}/cancelar"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .client
        .delete(format!("{}/api/v1/me/appointments/{folio}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"],
        "appointment_not_found"
    );
    let page = juan.get("/tramites/citas").await.text().await.unwrap();
    assert!(!page.contains(&folio));

    // Moved to another day: the day, then the time, then a POST.
    let page = maria
        .get(&format!("/tramites/citas/{folio}/cambiar"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Paso 1 de 2"), "{page}");
    let days = values(&page, "dia");
    let new_day = days.iter().find(|d| **d != day).unwrap().clone();
    let page = maria
        .get(&format!("/tramites/citas/{folio}/cambiar?dia={new_day}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("method=\"post\""), "{page}");
    let new_time = values(&page, "hora").into_iter().last().unwrap();
    let r = maria
        .post(
            &format!("/tramites/citas/{folio}/cambiar"),
            &[("dia", &new_day), ("hora", &new_time)],
        )
        .await;
    assert_eq!(location(&r), format!("/tramites/citas/{folio}?cambiada=1"));
    let page = maria
        .get(&format!("/tramites/citas/{folio}?cambiada=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Cambiaste tu cita"), "{page}");
    assert!(page.contains(&format!("{new_time} h")), "{page}");

    // Cancelled: a question first, then the place is given back.
    let r = maria
        .get(&format!("/tramites/citas/{folio}/cancelar"))
        .await;
    assert!(r.text().await.unwrap().contains("¿Cancelar tu cita?"));
    let no_token = app
        .client
        .post(format!("{}/tramites/citas/{folio}/cancelar", app.address))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let r = maria
        .post(&format!("/tramites/citas/{folio}/cancelar"), &[])
        .await;
    assert_eq!(location(&r), format!("/tramites/citas?cancelada={folio}"));
    let page = maria
        .get(&format!("/tramites/citas?cancelada={folio}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("Cancelaste la cita {folio}")),
        "{page}"
    );
    assert!(page.contains("No tienes citas próximas"));
    assert!(page.contains("Cancelada"));
    let r = maria
        .get(&format!("/tramites/citas/{folio}/comprobante.pdf"))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "no receipt once cancelled"
    );
    // Now the procedure can be booked again.
    let r = maria.post("/tramites/citas", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn api(app: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

async fn book(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    body: &serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let r = client
        .post(format!("{address}/api/v1/me/appointments"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

async fn the_api_lists_offices_and_slots_and_books_and_cancels(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let (status, body) = api(&app, "/api/v1/cesi/offices?state=19").await;
    assert_eq!(status, StatusCode::OK);
    let offices = body["offices"].as_array().unwrap();
    assert_eq!(offices.len(), 8);
    assert!(offices.iter().all(|o| o["state"] == 19));
    let monterrey = offices.iter().find(|o| o["code"] == "NLE01").unwrap();
    assert_eq!(monterrey["hours"]["fri"], "08:30-18:00");
    assert_eq!(monterrey["hours"]["sat"], "08:30-14:30");
    assert_eq!(monterrey["state_name"], "Nuevo León");
    let (_, all) = api(&app, "/api/v1/cesi/offices").await;
    assert_eq!(all["offices"].as_array().unwrap().len(), 103);
    let (status, body) = api(&app, "/api/v1/cesi/offices?state=40").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("state_invalid"))
    );
    let (status, body) = api(&app, "/api/v1/cesi/offices/XXX99/slots").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("office_not_found"))
    );
    let (status, body) = api(&app, "/api/v1/cesi/offices/NLE01/slots?procedure=nope").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("procedure_unknown"))
    );
    let (status, body) = api(&app, "/api/v1/cesi/offices/NLE01/slots?from=mañana").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("date_format"))
    );
    let (status, slots) = api(
        &app,
        "/api/v1/cesi/offices/JAL01/slots?procedure=payment_agreement",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let list = slots["slots"].as_array().unwrap();
    assert!(list.len() > 100, "a month of half hours");
    assert!(
        list.iter()
            .all(|s| s["free"] == s["capacity"] && s["capacity"] == 8)
    );
    let first = &list[0];
    let day = first["day"].as_str().unwrap().to_owned();
    assert_eq!(first["time"], "08:30");

    let token = juan_token(&app).await;
    let body = serde_json::json!({
        "procedure": "payment_agreement", "office": "JAL01", "day": day, "time": "08:30"
    });
    let (status, booked) = book(&app.client, &app.address, &token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["office_name"], "CESI Guadalajara Centro");
    assert_eq!(booked["channel"], "app");
    let folio = booked["folio"].as_str().unwrap().to_owned();
    let (_, after) = api(
        &app,
        &format!("/api/v1/cesi/offices/JAL01/slots?from={day}&to={day}"),
    )
    .await;
    assert_eq!(after["slots"][0]["free"], 7);
    let (status, body2) = book(&app.client, &app.address, &token, &body).await;
    assert_eq!(
        (status, body2["error"].as_str()),
        (StatusCode::CONFLICT, Some("appointment_already_booked"))
    );
    let outside = serde_json::json!({
        "procedure": "restructuring", "office": "JAL01", "day": "2099-01-05", "time": "08:30"
    });
    let (status, body3) = book(&app.client, &app.address, &token, &outside).await;
    assert_eq!(
        (status, body3["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("appointment_outside_window")
        )
    );
    assert!(body3["message"].as_str().unwrap().contains("30 días"));

    let mine = app
        .client
        .get(format!("{}/api/v1/me/appointments", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["cache-control"], "no-store");
    let mine: serde_json::Value = mine.json().await.unwrap();
    assert_eq!(mine["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(mine["appointments"][0]["folio"], folio.as_str());

    // With a session cookie, a change must carry the CSRF token.
    let maria = signed_in_maria(&app).await;
    let cookies = maria.cookie_header();
    let mut for_maria = body.clone();
    for_maria["procedure"] = "restructuring".into();
    let r = app
        .client
        .post(format!("{}/api/v1/me/appointments", app.address))
        .header(COOKIE, &cookies)
        .json(&for_maria)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .client
        .post(format!("{}/api/v1/me/appointments", app.address))
        .header(COOKIE, &cookies)
        .header("x-csrf-token", maria.cookies["__Host-csrf"].clone())
        .json(&for_maria)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    let cancel = |token: String| {
        let (client, address, folio) = (app.client.clone(), app.address.clone(), folio.clone());
        async move {
            client
                .delete(format!("{address}/api/v1/me/appointments/{folio}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let r = cancel(token.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "cancelled"
    );
    let r = cancel(token.clone()).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"],
        "appointment_cancelled"
    );
    let r = app
        .client
        .get(format!("{}/api/v1/me/appointments", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// `n` members of the registry, born in Baja California, none with an account yet.
async fn import_members(app: &TestApp, n: u16) -> Vec<(String, String, String)> {
    use domain::ids::generate::{self, NameParts};
    use domain::registry::Sex;
    let given = [
        "ANA", "LUIS", "MARTA", "JORGE", "SOFIA", "PEDRO", "ROSA", "RAUL",
    ];
    let surnames = [
        "RUIZ", "SOTO", "VEGA", "LUNA", "MORA", "RIOS", "PAZ", "CANO",
    ];
    let mut csv = String::from(
        "nss,curp,rfc,first_surname,second_surname,given_names,birth_date,sex,state\n",
    );
    let mut people = Vec::new();
    for i in 0..n {
        let name = NameParts {
            first_surname: surnames[usize::from(i) % 8],
            second_surname: surnames[usize::from(i / 8) % 8],
            given_names: given[usize::from(i * 3) % 8],
        };
        let birth = time::macros::date!(1975 - 01 - 01) + time::Duration::days(i64::from(i) * 41);
        let sex = if i % 2 == 0 { Sex::Female } else { Sex::Male };
        let nss = generate::nss(2, 1998, birth.year(), 4000 + i);
        let curp = generate::curp(&name, birth, sex, "BC", 0);
        let rfc = generate::rfc_person(&name, birth);
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},2\n",
            nss.as_str(),
            curp.as_str(),
            rfc.as_str(),
            name.first_surname,
            name.second_surname,
            name.given_names,
            domain::dates::iso(birth),
            if sex == Sex::Female { "M" } else { "H" },
        ));
        people.push((
            nss.as_str().to_owned(),
            curp.as_str().to_owned(),
            rfc.as_str().to_owned(),
        ));
    }
    let dir = std::env::temp_dir().join(format!(
        "vivienda-race-{}-{}",
        std::process::id(),
        app.address.replace([':', '/', '.'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("members.csv");
    std::fs::write(&file, csv).unwrap();
    let messages = app::i18n::Messages::load().unwrap();
    let report = app::import::import_file(
        app.store.as_ref(),
        store::ImportKind::Members,
        &file,
        &messages,
        &mut |_| {},
    )
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(report.totals.rejected, 0, "{report:?}");
    people
}

/// Signs the member up and in through the portal; their bearer token.
async fn account_for(
    app: &TestApp,
    n: usize,
    (nss, curp, rfc): &(String, String, String),
) -> String {
    let mut browser = Browser::new(app);
    browser.get("/registro").await;
    let email = format!("socio{n}@example.mx");
    let mobile = format!("66{:08}", 12_340_000 + n);
    let r = browser
        .post(
            "/registro",
            &[
                ("nss", nss),
                ("curp", curp),
                ("rfc", rfc),
                ("email", &email),
                ("mobile", &mobile),
                ("password", PASSWORD),
                ("accept_terms", "true"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/activar", "{nss}");
    let code = code_from_outbox(app).await;
    browser.post("/activar", &[("code", &code)]).await;
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "identifier": nss, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn fifty_clients_race_for_the_last_place_and_exactly_one_gets_it(engine: Engine) {
    const CLIENTS: usize = 50;
    let app = spawn_app_on(engine).await;
    // Ensenada has two desks: one place goes first, then 50 clients want the other.
    let (_, slots) = api(&app, "/api/v1/cesi/offices/BCN04/slots").await;
    let slot = &slots["slots"][0];
    assert_eq!(slot["capacity"], 2);
    let (day, time) = (
        slot["day"].as_str().unwrap(),
        slot["time"].as_str().unwrap(),
    );
    let people = import_members(&app, CLIENTS as u16 + 1).await;
    let mut tokens = Vec::new();
    for (n, person) in people.iter().enumerate() {
        tokens.push(account_for(&app, n, person).await);
    }
    let body = serde_json::json!({
        "procedure": "identity_validation", "office": "BCN04", "day": day, "time": time
    });
    let (status, _) = book(&app.client, &app.address, &tokens[0], &body).await;
    assert_eq!(status, StatusCode::CREATED);

    let start = Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let mut racers = tokio::task::JoinSet::new();
    for token in tokens.into_iter().skip(1) {
        let (client, address, body, start) = (
            app.client.clone(),
            app.address.clone(),
            body.clone(),
            start.clone(),
        );
        racers.spawn(async move {
            start.wait().await;
            book(&client, &address, &token, &body).await
        });
    }
    let mut won = 0;
    let mut full = 0;
    while let Some(result) = racers.join_next().await {
        let (status, answer) = result.unwrap();
        match status {
            StatusCode::CREATED => won += 1,
            StatusCode::CONFLICT => {
                assert_eq!(answer["error"], "slot_full", "{answer}");
                assert_eq!(answer["message"], "Ese horario ya se llenó. Elige otro.");
                full += 1;
            }
            other => panic!("{other}: {answer}"),
        }
    }
    assert_eq!((won, full), (1, CLIENTS - 1));
    let (_, after) = api(
        &app,
        &format!("/api/v1/cesi/offices/BCN04/slots?from={day}&to={day}"),
    )
    .await;
    let taken = after["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["time"] == time)
        .unwrap();
    assert_eq!(taken["free"], 0);
    let office = domain::appointments::OfficeCode::parse("BCN04").unwrap();
    let day = domain::dates::parse_iso(day).unwrap();
    let booked = app.store.office_appointments(&office, day).await.unwrap();
    assert_eq!(booked.len(), 2, "no slot holds more than its desks");
}

crate::on_both_engines!(
    a_member_books_moves_and_cancels_an_appointment_page_by_page,
    the_api_lists_offices_and_slots_and_books_and_cancels,
    fifty_clients_race_for_the_last_place_and_exactly_one_gets_it,
);
