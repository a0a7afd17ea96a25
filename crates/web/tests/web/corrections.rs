//! Data correction over real HTTP: the check before filing names the field and the reason, the
//! evidence travels with the request, and an operator's completion rewrites the record.

use reqwest::StatusCode;

use crate::accounts::{Browser, NSS, location};
use crate::backoffice::{create, sign_in};
use crate::savings::signed_in_maria;
use crate::{Engine, TestApp, spawn_app_on};

const PDF: &[u8] = b"%PDF-1.4\n% acta de nacimiento de prueba\n%%EOF\n";

/// A `multipart/form-data` body by hand: text fields, then files under `evidencia`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "vivienda-prueba-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"evidencia\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn send(
    browser: &Browser<'_>,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    send_to(browser, "/tramites/correccion/enviar", fields, files).await
}

/// María, signed in, asks for her second surname to read "Herrera", with her birth
/// certificate; the folio of the correction filed.
pub(crate) async fn file_surname_correction(app: &TestApp, maria: &mut Browser<'_>) -> String {
    maria.get("/tramites/correccion").await;
    let r = send(
        maria,
        &[
            ("given_names", "MARÍA"),
            ("first_surname", "GARCÍA"),
            ("second_surname", "Herrera"),
            ("curp", "GAHM850312MDFRRR09"),
            ("rfc", "GAHM850312K40"),
            ("explicacion", "Mi acta dice Herrera."),
        ],
        &[("acta.pdf", crate::credit_application::PDF)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let member = app.member_id(crate::accounts::NSS).await;
    app.store.requests_of_member(member).await.unwrap()[0]
        .folio
        .as_str()
        .to_owned()
}

async fn send_to(
    browser: &Browser<'_>,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let csrf = browser.cookies["__Host-csrf"].clone();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    browser.send_multipart(path, multipart(&all, files)).await
}

async fn a_member_corrects_a_surname_and_an_operator_applies_it(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let account = maria.get("/cuenta").await.text().await.unwrap();
    assert!(
        account.contains("href=\"/tramites/correccion\""),
        "{account}"
    );
    let form = maria
        .get("/tramites/correccion")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("value=\"GAHM850312MDFRRR09\""), "{form}");
    assert!(form.contains("value=\"HERNÁNDEZ\""), "{form}");

    // "MARÍA GUADALUPE" would change the CURP's letters (RENAPO skips MARÍA in a compound
    // name): the check says so before anything is filed.
    let mut fields = vec![
        ("given_names", "María Guadalupe"),
        ("first_surname", "GARCÍA"),
        ("second_surname", "HERNÁNDEZ"),
        ("curp", "GAHM850312MDFRRR09"),
        ("rfc", "GAHM850312K40"),
    ];
    let r = maria.post("/tramites/correccion", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Hay un problema"), "{page}");
    assert!(page.contains("La CURP no corresponde al nombre"), "{page}");
    assert!(page.contains("href=\"#curp\""), "{page}");
    assert!(
        page.contains("value=\"María Guadalupe\""),
        "what was typed is kept"
    );
    // Nothing to correct.
    fields[0] = ("given_names", "MARÍA");
    let r = maria.post("/tramites/correccion", &fields).await;
    assert!(r.text().await.unwrap().contains("no hay nada que corregir"));

    // HERRERA keeps the CURP's and RFC's letters: it passes, and the member checks it.
    fields[2] = ("second_surname", "Herrera");
    let r = maria.post("/tramites/correccion", &fields).await;
    assert_eq!(r.status(), StatusCode::OK);
    let check = r.text().await.unwrap();
    assert!(
        check.contains("Dice «HERNÁNDEZ»; debe decir «HERRERA»"),
        "{check}"
    );
    assert!(check.contains("enctype=\"multipart/form-data\""), "{check}");

    // Without evidence, or with a file that is not a document, nothing is filed.
    let r = send(&maria, &fields, &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Adjunta al menos un documento")
    );
    let r = send(&maria, &fields, &[("virus.pdf", b"MZ\x90\x00")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let nss = domain::ids::Nss::parse(NSS).unwrap();
    let member = app.store.member_by_nss(&nss).await.unwrap().unwrap();
    assert!(
        app.store
            .requests_of_member(member.member_id)
            .await
            .unwrap()
            .is_empty()
    );

    let r = send(
        &maria,
        &[
            fields[0],
            fields[1],
            fields[2],
            fields[3],
            fields[4],
            ("explicacion", "Mi acta dice Herrera."),
        ],
        &[("acta.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done = r.text().await.unwrap();
    assert!(done.contains("Recibimos tu corrección"), "{done}");
    let filed = app
        .store
        .requests_of_member(member.member_id)
        .await
        .unwrap()
        .remove(0);
    let folio = filed.folio.as_str().to_owned();
    assert!(folio.starts_with("COR-"));
    assert!(done.contains(&folio));
    let status = maria
        .get(&format!("/tramites/correccion/{folio}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(status.contains("acta.pdf"), "{status}");
    assert!(status.contains("Recibida"), "{status}");
    // The receipt: the folio, each change and the documents, verifiable through its QR.
    let receipt = maria
        .get(&format!("/tramites/correccion/{folio}/acuse.pdf"))
        .await;
    assert_eq!(receipt.headers()["content-type"], "application/pdf");
    let pdf = receipt.bytes().await.unwrap();
    let text = crate::savings::pdf_text(&pdf);
    for expected in [
        folio.as_str(),
        "HERRERA",
        "HERNÁNDEZ",
        "acta.pdf",
        "Corrección de datos",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(crate::credit::qr_of(&pdf).contains("/verificar/"));
    // Someone who is not signed in is sent to sign in.
    let r = Browser::new(&app)
        .get(&format!("/tramites/correccion/{folio}"))
        .await;
    assert_eq!(location(&r), "/entrar");

    // An operator compares the evidence with the record and completes: the record changes.
    let agent = create(&app, "agente.datos", domain::operators::Role::Agent).await;
    let mut operator = sign_in(&app, &agent).await;
    let case_path = format!("/operacion/solicitudes/{folio}");
    let case = operator.get(&case_path).await.text().await.unwrap();
    assert!(
        case.contains("Dice «HERNÁNDEZ»; debe decir «HERRERA»"),
        "{case}"
    );
    assert!(case.contains("Mi acta dice Herrera."), "{case}");
    let file = operator.get(&format!("{case_path}/archivos/1")).await;
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
    for action in ["start_review", "approve", "complete"] {
        let r = operator
            .post(&format!("{case_path}/decision"), &[("action", action)])
            .await;
        assert_eq!(location(&r), case_path, "{action}");
    }
    let corrected = app.store.member(member.member_id).await.unwrap().unwrap();
    assert_eq!(corrected.person.second_surname, "HERRERA");
    assert_eq!(corrected.person.given_names, "MARÍA");
    assert_eq!(corrected.person.nss, member.person.nss);
    let log = app.store.recent_audit(member.member_id, 50).await.unwrap();
    let applied = log
        .iter()
        .find(|e| e.entry.action == "member_data_corrected")
        .unwrap();
    assert!(applied.entry.details.contains("HERRERA"));
    assert!(log.iter().any(|e| e.entry.action == "operator_opened_file"));
    // Everything of hers follows the record: she still signs in with her NSS and sees it.
    let status = maria
        .get(&format!("/tramites/correccion/{folio}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(status.contains("Concluida"), "{status}");
}

async fn an_agent_files_a_correction_for_a_member_on_the_phone(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let nss = domain::ids::Nss::parse(NSS).unwrap();
    let member = app.store.member_by_nss(&nss).await.unwrap().unwrap();
    let agent = create(&app, "agente.tel", domain::operators::Role::Agent).await;
    let auditor = create(&app, "auditor.tel", domain::operators::Role::Auditor).await;
    let mut operator = sign_in(&app, &agent).await;
    let card = format!("/operacion/miembros/{}", member.member_id.0);
    let masked = operator.get(&card).await.text().await.unwrap();
    assert!(
        !masked.contains("/correccion\""),
        "only once unmasked: {masked}"
    );
    let full = operator
        .post(&card, &[("reason", "phone_call")])
        .await
        .text()
        .await
        .unwrap();
    assert!(full.contains(&format!("{card}/correccion")), "{full}");
    assert!(full.contains("value=\"HERNÁNDEZ\""), "{full}");
    let path = format!("{card}/correccion");
    let fields = [
        ("given_names", "MARÍA"),
        ("first_surname", "GARCÍA"),
        ("second_surname", "HERRERA"),
        ("curp", "GAHM850312MDFRRR09"),
        ("rfc", "GAHM850312K40"),
    ];
    // The channel is required.
    let r = send_to(&operator, &path, &fields, &[("acta.pdf", PDF)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut with_channel = vec![("channel", "phone")];
    with_channel.extend_from_slice(&fields);
    let r = send_to(&operator, &path, &with_channel, &[("acta.pdf", PDF)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/operacion/solicitudes/COR-"));
    let filed = app
        .store
        .requests_of_member(member.member_id)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(filed.channel, domain::audit::Channel::Phone);
    assert_eq!(
        filed.created_by,
        format!("operator:{}", agent.operator.operator_id)
    );
    let events = app
        .store
        .request_events(member.member_id, &filed.folio)
        .await
        .unwrap();
    assert!(events[0].details.contains("for_member"), "{events:?}");
    // An auditor cannot act for members.
    app.advance(time::Duration::seconds(30));
    let auditor_browser = sign_in(&app, &auditor).await;
    let r = send_to(&auditor_browser, &path, &with_channel, &[("acta.pdf", PDF)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .requests_of_member(member.member_id)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// The check page's form sent twice (a double click, a retry after a lost answer) files one
/// correction: the second post is sent to the first one's status page. A sending that filed
/// nothing (no evidence) can be sent again.
async fn a_correction_form_sent_twice_files_one_correction(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let mut maria = signed_in_maria(&app).await;
    let fields = [
        ("given_names", "MARÍA"),
        ("first_surname", "GARCÍA"),
        ("second_surname", "Herrera"),
        ("curp", "GAHM850312MDFRRR09"),
        ("rfc", "GAHM850312K40"),
    ];
    let check = maria.post("/tramites/correccion", &fields).await;
    assert_eq!(check.status(), StatusCode::OK);
    let check = check.text().await.unwrap();
    let mark = check
        .split("name=\"envio\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the form carries its sending mark: {check}"))
        .to_owned();
    let mut sent = fields.to_vec();
    sent.push(("envio", mark.as_str()));

    let r = send(&maria, &sent, &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no evidence");
    let first = send(&maria, &sent, &[("acta.pdf", PDF)]).await;
    assert_eq!(first.status(), StatusCode::OK);
    let again = send(&maria, &sent, &[("acta.pdf", PDF)]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);

    let nss = domain::ids::Nss::parse(NSS).unwrap();
    let member = app.store.member_by_nss(&nss).await.unwrap().unwrap();
    let filed = app
        .store
        .requests_of_member(member.member_id)
        .await
        .unwrap();
    assert_eq!(filed.len(), 1, "one correction for one form");
    assert_eq!(
        location(&again),
        format!("/tramites/correccion/{}", filed[0].folio.as_str())
    );
    // A new check page is a new sending.
    let check = maria.post("/tramites/correccion", &fields).await;
    assert!(!check.text().await.unwrap().contains(&mark));
}

crate::on_both_engines!(
    a_member_corrects_a_surname_and_an_operator_applies_it,
    an_agent_files_a_correction_for_a_member_on_the_phone,
    a_correction_form_sent_twice_files_one_correction,
);
