//! "Tramitar mi crédito" over real HTTP on both engines: the course (fail, pass, certificate),
//! then an application whose documents stream into the blob store. Refused files (a renamed
//! program, an oversized file, an empty one, a truncated PDF, one the virus scanner flags)
//! leave nothing in the blob directory or the table; documents are replaced and deleted while
//! it is a draft; it is sent with a folio; and another member cannot read its documents.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

use crate::accounts::{Browser, NSS, location};
use crate::backoffice::{create, sign_in};
use crate::savings::{juan_token, pdf_text, signed_in_maria};
use crate::{Engine, Options, TestApp, spawn_app_with};

pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
/// The test signature the scanner script of these tests flags, as clamd would flag EICAR.
const SIGNATURE: &str = "VIVIENDA-TEST-VIRUS-SIGNATURE";

fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&[
        0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3A, 0x7E, 0x9B, 0x55,
    ]);
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"IEND");
    b.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    b
}

/// A scanner in the shape of clamdscan: exit 1 and "FILE: NAME FOUND" when the file holds the
/// test signature, 0 otherwise.
fn scanner(dir: &std::path::Path) -> Arc<dyn app::uploads::VirusScan> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let script = dir.join("fake-clamdscan.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif grep -q '{SIGNATURE}' \"$1\"; then echo \"$1: Vivienda.Test.Signature FOUND\"; exit 1; fi\nexit 0\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    Arc::new(app::uploads::CommandScan::parse(script.to_str().unwrap()).unwrap())
}

/// A `multipart/form-data` body: the CSRF token, then one file under `documento`.
fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "vivienda-prueba-Qm9yZGVyVGVzdA";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"documento\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(
    browser: &Browser<'_>,
    folio: &str,
    item: &str,
    file_name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    browser
        .send_multipart(
            &format!("/credito/solicitud/{folio}/documentos/{item}"),
            multipart(&browser.cookies["__Host-csrf"], file_name, bytes),
        )
        .await
}

/// Every blob kept (files under the blob directory, staging included).
pub(crate) fn blobs(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.blob_dir, &mut out);
    out
}

pub(crate) async fn files_of(app: &TestApp, folio: &str) -> Vec<store::Attachment> {
    let member = app.member_id(NSS).await;
    app.store
        .attachments(member, &domain::requests::Folio::parse(folio).unwrap())
        .await
        .unwrap()
}

const RIGHT: [(&str, &str); 6] = [
    ("p1", "1"),
    ("p2", "2"),
    ("p3", "0"),
    ("p4", "1"),
    ("p5", "2"),
    ("p6", "0"),
];

async fn the_course_is_failed_then_passed_and_its_certificate_is_verifiable(engine: Engine) {
    let app = spawn_app_with(Options {
        engine,
        clock_by_hand: true,
        ..Options::default()
    })
    .await;
    let mut maria = signed_in_maria(&app).await;
    let intro = maria.get("/credito/curso").await.text().await.unwrap();
    assert!(
        intro.contains("/credito/curso/que-es-un-credito"),
        "{intro}"
    );
    let page = maria.get("/credito/curso/seguros-y-desempleo").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("protección de pagos"), "{page}");
    assert!(
        page.contains("href=\"/credito/curso/tus-derechos\""),
        "{page}"
    );
    assert_eq!(
        maria.get("/credito/curso/no-existe").await.status(),
        StatusCode::NOT_FOUND
    );
    // No certificate before passing.
    assert_eq!(
        maria.get("/credito/curso/constancia.pdf").await.status(),
        StatusCode::NOT_FOUND
    );

    // Two wrong answers: 4 of 6 is below the pass mark; each wrong one is explained.
    let mut answers = RIGHT.to_vec();
    answers[3] = ("p4", "0");
    answers[4] = ("p5", "0");
    let r = maria.post("/credito/curso/evaluacion", &answers).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let failed = r.text().await.unwrap();
    assert!(
        failed.contains("Tuviste 4 de 6 respuestas correctas"),
        "{failed}"
    );
    assert!(
        failed.contains("Avisa al Infonavit: puedes pedir la protección de pagos"),
        "{failed}"
    );
    assert!(
        failed.contains("Los trámites son gratuitos y personales. Si alguien te cobra"),
        "{failed}"
    );
    assert!(
        !failed.contains("Un crédito es un préstamo"),
        "a right answer is not explained"
    );
    assert!(
        failed.contains("value=\"0\" checked"),
        "the answers given are kept"
    );
    assert_eq!(
        maria.get("/credito/curso/constancia.pdf").await.status(),
        StatusCode::NOT_FOUND
    );

    let r = maria.post("/credito/curso/evaluacion", &RIGHT).await;
    assert_eq!(r.status(), StatusCode::OK);
    let passed = r.text().await.unwrap();
    assert!(passed.contains("Aprobaste el curso"), "{passed}");
    assert!(passed.contains("/credito/curso/constancia.pdf"), "{passed}");
    let pdf = maria.get("/credito/curso/constancia.pdf").await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()[CONTENT_TYPE], "application/pdf");
    let pdf = pdf.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("Constancia del curso"), "{text}");
    assert!(text.contains("Saber más para decidir mejor"), "{text}");
    assert!(text.contains("6 de 6"), "{text}");
    assert!(text.contains("MARÍA"), "{text}");
    // Issued like every document: recorded with its hash, so /verificar can confirm it.
    let member = app.member_id(NSS).await;
    let completion = app.store.course_completion(member).await.unwrap().unwrap();
    assert_eq!((completion.score, completion.out_of), (6, 6));
    let code = text
        .split_whitespace()
        .find(|w| w.len() == 19 && w.matches('-').count() == 3)
        .unwrap_or_else(|| panic!("no verification code in {text}"));
    let issued = app
        .store
        .document_by_code(&code.replace('-', ""))
        .await
        .unwrap()
        .expect("the certificate is recorded");
    assert_eq!(issued.kind, "course_certificate");
    assert_eq!(issued.member_id, member);
    use sha2::Digest;
    let digest: [u8; 32] = sha2::Sha256::digest(&pdf).into();
    assert_eq!(issued.sha256, digest);
}

async fn an_application_streams_its_documents_refuses_bad_files_and_is_sent(engine: Engine) {
    let dir = std::env::temp_dir().join(format!("vivienda-scan-{}", std::process::id()));
    let app = spawn_app_with(Options {
        engine,
        clock_by_hand: true,
        virus_scan: Some(scanner(&dir)),
        ..Options::default()
    })
    .await;
    let mut maria = signed_in_maria(&app).await;
    let start = maria.get("/credito/solicitud").await.text().await.unwrap();
    assert!(start.contains("value=\"tradicional:buy\""), "{start}");
    assert!(
        start.contains("href=\"/credito/curso\""),
        "the course comes first: {start}"
    );
    let r = maria
        .post("/credito/solicitud", &[("eleccion", "mejoravit:buy")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Elige un crédito y para qué lo quieres")
    );
    let r = maria
        .post("/credito/solicitud", &[("eleccion", "tradicional:buy")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let href = location(&r).to_owned();
    let folio = href.rsplit('/').next().unwrap().to_owned();
    assert!(folio.starts_with("CRE-"), "{href}");
    // Going back to the start finds the draft, with its choice marked.
    let again = maria.get("/credito/solicitud").await.text().await.unwrap();
    assert!(
        again.contains("value=\"tradicional:buy\" checked"),
        "{again}"
    );
    let draft = maria.get(&href).await.text().await.unwrap();
    assert!(draft.contains("Identificación oficial vigente"), "{draft}");
    assert!(draft.contains("Estado de cuenta de quien vende"), "{draft}");
    assert!(
        draft.contains(&format!("{href}/documentos/official_id")),
        "{draft}"
    );

    // Refused, each with its own message, and nothing is kept anywhere.
    let big = [
        b"%PDF-1.4\n".as_slice(),
        &vec![b'0'; 20 * 1024 * 1024],
        b"\n%%EOF\n",
    ]
    .concat();
    let virus = [b"%PDF-1.4\n".as_slice(), SIGNATURE.as_bytes(), b"\n%%EOF\n"].concat();
    let refusals: [(&str, &[u8], &str); 5] = [
        (
            "ine.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 This program cannot be run in DOS mode",
            "no es un PDF, JPG o PNG",
        ),
        ("ine.pdf", &big, "pesa más de 20 MB"),
        ("ine.pdf", b"", "El archivo está vacío"),
        ("ine.pdf", &PDF[..PDF.len() - 7], "está incompleto o dañado"),
        ("ine.pdf", &virus, "tiene un virus"),
    ];
    for (name, bytes, message) in refusals {
        let r = upload(&maria, &folio, "official_id", name, bytes).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let page = r.text().await.unwrap();
        assert!(page.contains(message), "{message}: {page}");
        assert!(page.contains("href=\"#documento-official_id\""), "{page}");
        assert!(blobs(&app).is_empty(), "{message}: {:?}", blobs(&app));
        assert!(files_of(&app, &folio).await.is_empty(), "{message}");
    }
    let r = upload(&maria, &folio, "passport", "a.pdf", PDF).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("no es de los que pide"));

    // A PDF is kept under its hash, with a name the server chose.
    let r = upload(&maria, &folio, "official_id", "../../mi ine.pdf", PDF).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let kept = files_of(&app, &folio).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].file_name, "official_id.pdf");
    assert_eq!(kept[0].content_type, "application/pdf");
    assert!(kept[0].in_blob_store);
    let name = hex::encode(kept[0].sha256);
    assert_eq!(
        blobs(&app),
        vec![app.blob_dir.join(&name[..2]).join(&name[2..4]).join(&name)]
    );
    assert_eq!(std::fs::read(&blobs(&app)[0]).unwrap(), PDF);
    // Replaced by a PNG: the old blob goes, the new one stays.
    let r = upload(&maria, &folio, "official_id", "foto.png", &png()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let kept = files_of(&app, &folio).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].content_type, "image/png");
    assert_eq!(blobs(&app).len(), 1);
    assert_eq!(std::fs::read(&blobs(&app)[0]).unwrap(), png());
    // Deleted while a draft.
    let r = maria
        .post(&format!("{href}/archivos/{}/eliminar", kept[0].seq), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(files_of(&app, &folio).await.is_empty());
    assert!(blobs(&app).is_empty());

    // Every document of the checklist; two share a blob.
    for item in [
        "official_id",
        "birth_certificate",
        "tax_id",
        "appraisal",
        "title_deed",
        "seller_bank_statement",
    ] {
        let bytes = [PDF, item.as_bytes()].concat();
        let bytes = if item == "tax_id" {
            PDF.to_vec()
        } else {
            bytes
        };
        let bytes = if item == "appraisal" {
            PDF.to_vec()
        } else {
            bytes
        };
        let r = upload(&maria, &folio, item, "doc.pdf", &bytes).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{item}");
    }
    let kept = files_of(&app, &folio).await;
    assert_eq!(kept.len(), 6);
    assert_eq!(blobs(&app).len(), 5, "identical files share one blob");
    let tax = kept
        .iter()
        .find(|f| f.item.as_deref() == Some("tax_id"))
        .unwrap();
    let download = maria.get(&format!("{href}/archivos/{}", tax.seq)).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);

    // Another member finds nothing there.
    let juan = juan_token(&app).await;
    let theirs = app
        .client
        .get(format!("{}{href}/archivos/{}", app.address, tax.seq))
        .header(AUTHORIZATION, format!("Bearer {juan}"))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    let theirs = app
        .client
        .get(format!("{}{href}", app.address))
        .header(AUTHORIZATION, format!("Bearer {juan}"))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);

    // Not without the course.
    let check = maria
        .get(&format!("{href}/revisar"))
        .await
        .text()
        .await
        .unwrap();
    assert!(check.contains("necesitas aprobar el curso"), "{check}");
    let r = maria.post(&format!("{href}/enviar"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = r.text().await.unwrap();
    assert!(refused.contains("necesitas aprobar el curso"), "{refused}");
    assert!(refused.contains("href=\"/credito/curso\""), "{refused}");

    maria.post("/credito/curso/evaluacion", &RIGHT).await;
    let check = maria
        .get(&format!("{href}/revisar"))
        .await
        .text()
        .await
        .unwrap();
    assert!(check.contains("Enviar solicitud"), "{check}");
    let r = maria.post(&format!("{href}/enviar"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let sent = r.text().await.unwrap();
    assert!(sent.contains("Recibimos tu solicitud de crédito"), "{sent}");
    assert!(sent.contains(&folio), "{sent}");
    assert!(sent.contains("Te respondemos a más tardar el"), "{sent}");
    assert!(
        sent.contains("Se envió la solicitud"),
        "the timeline: {sent}"
    );
    let member = app.member_id(NSS).await;
    let request = app
        .store
        .request_by_folio(member, &domain::requests::Folio::parse(&folio).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.state, domain::requests::RequestState::Submitted);
    assert!(request.promised_on.is_some());
    // Sent: the documents no longer change.
    let r = upload(&maria, &folio, "official_id", "otra.pdf", PDF).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("ya se envió"));
    assert_eq!(files_of(&app, &folio).await.len(), 6);
    // The start now leads to the application in process.
    let r = maria.get("/credito/solicitud").await;
    assert_eq!(location(&r), href);

    // The back office works it like any request: it opens a document from the blob store and
    // asks for a correction, which the member sees with its reason.
    let agent = create(&app, "agente.credito", domain::operators::Role::Agent).await;
    let mut operator = sign_in(&app, &agent).await;
    let case_path = format!("/operacion/solicitudes/{folio}");
    let case = operator.get(&case_path).await;
    assert_eq!(case.status(), StatusCode::OK);
    let case = case.text().await.unwrap();
    assert!(case.contains("Solicitud de crédito"), "{case}");
    let file = operator
        .get(&format!("{case_path}/archivos/{}", tax.seq))
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
    let r = operator
        .post(
            &format!("{case_path}/decision"),
            &[("action", "start_review")],
        )
        .await;
    assert_eq!(location(&r), case_path);
    let r = operator
        .post(
            &format!("{case_path}/decision"),
            &[
                ("action", "ask_for_correction"),
                ("reason", "document_illegible"),
            ],
        )
        .await;
    assert_eq!(location(&r), case_path);
    let status = maria.get(&href).await.text().await.unwrap();
    assert!(status.contains("Necesita una corrección"), "{status}");
    assert!(status.contains("Un documento no se puede leer"), "{status}");
    assert!(status.contains("Te pedimos una corrección"), "{status}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Juan, signed in with a browser.
async fn signed_in_juan(app: &TestApp) -> Browser<'_> {
    juan_token(app).await;
    let mut juan = Browser::new(app);
    juan.get("/entrar").await;
    let r = juan
        .post(
            "/entrar",
            &[
                ("identifier", "38957812340"),
                ("password", crate::accounts::PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&r), "/cuenta");
    juan
}

async fn two_members_join_their_credits_by_a_code_and_see_only_the_pooled_figures(engine: Engine) {
    let app = spawn_app_with(Options {
        engine,
        clock_by_hand: true,
        ..Options::default()
    })
    .await;
    let mut maria = signed_in_maria(&app).await;
    let mut juan = signed_in_juan(&app).await;
    let credito = maria.get("/credito").await.text().await.unwrap();
    assert!(credito.contains("href=\"/credito/unamos\""), "{credito}");
    let r = maria.post("/credito/unamos/codigo", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let code = page
        .split("<p class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no code in {page}"))
        .to_owned();
    assert_eq!(code.len(), 11, "{code}");
    let r = maria.post("/credito/unamos", &[("codigo", &code)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Ese código lo creaste tú"));
    let r = juan
        .post("/credito/unamos", &[("codigo", "ZZZZZ-ZZZZZ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("El código no es válido"));
    let r = juan
        .post("/credito/unamos", &[("codigo", &code.to_lowercase())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let theirs = juan.get("/credito/unamos").await.text().await.unwrap();
    assert!(
        theirs.contains("La otra persona cumple los requisitos"),
        "{theirs}"
    );
    assert!(
        theirs.contains("Crédito que pueden recibir juntos"),
        "{theirs}"
    );
    for personal in ["MARÍA", "GARCÍA", NSS, "GAHM850312"] {
        assert!(
            !theirs.contains(personal),
            "{personal} shown to the partner"
        );
    }
    let hers = maria.get("/credito/unamos").await.text().await.unwrap();
    assert!(hers.contains("Tu parte del crédito"), "{hers}");
    for personal in ["JUAN", "LÓPEZ", "38957812340", "LOPJ780704"] {
        assert!(!hers.contains(personal), "{personal} shown to the partner");
    }
    // Spent: nobody else can use it.
    let r = maria.post("/credito/unamos/salir", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let theirs = juan.get("/credito/unamos").await.text().await.unwrap();
    assert!(theirs.contains("Si te dieron un código"), "{theirs}");
    let r = juan.post("/credito/unamos", &[("codigo", &code)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

crate::on_both_engines!(
    the_course_is_failed_then_passed_and_its_certificate_is_verifiable,
    an_application_streams_its_documents_refuses_bad_files_and_is_sent,
    two_members_join_their_credits_by_a_code_and_see_only_the_pooled_figures,
);

/// VmHWM (peak resident set) and VmRSS of this process, in KiB: the server runs in it.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Peak memory of the server while `curl` (another process, reading the file from disk)
/// uploads 10 MB documents and a 100 MB one. A measurement, so it is run by hand:
/// `cargo test -p web --test web upload_memory -- --ignored --nocapture` (figures in
/// docs/performance.md). It still fails if the peak grows by the size of a file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run by hand with --ignored --nocapture"]
async fn upload_memory_stays_flat() {
    use std::io::Write;
    let app = spawn_app_with(Options {
        clock_by_hand: true,
        ..Options::default()
    })
    .await;
    let mut maria = signed_in_maria(&app).await;
    let r = maria
        .post("/credito/solicitud", &[("eleccion", "tradicional:buy")])
        .await;
    let folio = location(&r).rsplit('/').next().unwrap().to_owned();
    let dir = std::env::temp_dir().join(format!("vivienda-upload-rss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write_pdf = |mb: usize| {
        let path = dir.join(format!("{mb}mb.pdf"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        file.write_all(b"%PDF-1.4\n").unwrap();
        let block: Vec<u8> = (0..1_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        for _ in 0..mb {
            file.write_all(&block).unwrap();
        }
        file.write_all(b"\n%%EOF\n").unwrap();
        path
    };
    let (ten, hundred) = (write_pdf(10), write_pdf(100));
    let cookies = maria.cookie_header();
    let csrf = maria.cookies["__Host-csrf"].clone();
    let curl = |path: std::path::PathBuf, item: &str| {
        let url = format!(
            "{}/credito/solicitud/{folio}/documentos/{item}",
            app.address
        );
        let (cookies, csrf) = (cookies.clone(), csrf.clone());
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new("curl")
                .args([
                    "-s",
                    "-o",
                    "/dev/null",
                    "-w",
                    "HTTP %{http_code}, %{size_upload} bytes in %{time_total} s",
                ])
                .args(["-H", &format!("Cookie: {cookies}")])
                .args(["-F", &format!("csrf={csrf}")])
                .args([
                    "-F",
                    &format!("documento=@{};type=application/pdf", path.display()),
                ])
                .arg(url)
                .output()
                .expect("curl is needed");
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
    };
    // One small upload first, so the baseline includes everything an upload touches once.
    upload(&maria, &folio, "tax_id", "a.pdf", PDF).await;
    let (base_hwm, base_rss) = memory_kib();
    println!("before:             VmHWM {base_hwm} kB, VmRSS {base_rss} kB");
    for (n, (path, item)) in [
        (&ten, "official_id"),
        (&ten, "birth_certificate"),
        (&ten, "title_deed"),
    ]
    .into_iter()
    .enumerate()
    {
        let said = curl(path.clone(), item).await.unwrap();
        let (hwm, rss) = memory_kib();
        println!(
            "10 MB upload {}:     {said}; VmHWM {hwm} kB, VmRSS {rss} kB",
            n + 1
        );
    }
    let said = curl(hundred.clone(), "appraisal").await.unwrap();
    let (hwm, rss) = memory_kib();
    println!("100 MB upload:      {said}; VmHWM {hwm} kB, VmRSS {rss} kB");
    assert!(said.starts_with("HTTP 422"), "over the limit: {said}");
    assert!(
        hwm - base_hwm < 8 * 1024,
        "the peak grew by {} kB for uploads of 10 and 100 MB",
        hwm - base_hwm
    );
    assert_eq!(files_of(&app, &folio).await.len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}
