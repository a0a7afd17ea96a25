//! Batches from the back office over real HTTP: a supervisor queues a year's yield and a
//! contributions file, the job queue's worker runs them, and the pages show the report and
//! the files. Queued twice, a yield posts once; an agent may not start batches.

use std::sync::Arc;

use domain::operators::Role;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE};

use crate::accounts::{Browser, location};
use crate::backoffice::{create, sign_in};
use crate::{Engine, TestApp, spawn_app_on};

fn runner(app: &TestApp) -> app::jobs::JobRunner {
    let clock: Arc<dyn app::clock::Clock> = Arc::new(app::clock::TestClock::at(app.now()));
    app::jobs::JobRunner::new(
        app.store.clone(),
        Arc::new(domain::reference::ReferenceTables::embedded().unwrap()),
        None,
        clock,
    )
}

async fn upload(app: &TestApp, browser: &Browser<'_>, csv: &[u8]) -> reqwest::Response {
    let boundary = "vivienda-lote-3uTz8Qw";
    let csrf = browser.cookies["__Host-csrf"].clone();
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"pagos.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies = browser.cookie_header();
    app.client
        .post(format!("{}/operacion/lotes/aportaciones", app.address))
        .header(COOKIE, cookies)
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn a_supervisor_runs_batches_through_the_job_queue(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let agent = create(&app, "agente", Role::Agent).await;
    let supervisor = create(&app, "supervisora", Role::Supervisor).await;

    let mut desk = sign_in(&app, &agent).await;
    assert_eq!(
        desk.get("/operacion/lotes").await.status(),
        StatusCode::FORBIDDEN
    );
    let r = desk
        .post("/operacion/lotes", &[("tipo", "yield"), ("anio", "2025")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    app.advance(time::Duration::seconds(30));
    let mut boss = sign_in(&app, &supervisor).await;
    let page = boss.get("/operacion/lotes").await.text().await.unwrap();
    assert!(page.contains("Rendimientos del año"), "{page}");
    assert!(
        page.contains("href=\"/operacion/lotes\""),
        "in the navigation: {page}"
    );
    let r = boss
        .post("/operacion/lotes", &[("tipo", "yield"), ("anio", "3000")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("entre 1992"));

    let r = boss
        .post("/operacion/lotes", &[("tipo", "yield"), ("anio", "2025")])
        .await;
    let job_path = location(&r).to_owned();
    assert!(job_path.starts_with("/operacion/lotes/"), "{job_path}");
    let page = boss.get(&job_path).await.text().await.unwrap();
    assert!(page.contains("En la cola"), "{page}");
    // Not twice while it waits.
    let r = boss
        .post("/operacion/lotes", &[("tipo", "yield"), ("anio", "2025")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("ya está en la cola"));

    let worker = runner(&app);
    let done = worker.run_next().await.unwrap().unwrap();
    assert_eq!(done.state, store::JobState::Done, "{:?}", done.error);
    assert!(worker.run_next().await.unwrap().is_none());
    let report: serde_json::Value = serde_json::from_str(done.summary.as_deref().unwrap()).unwrap();
    let postings = report["postings"].as_u64().unwrap();
    assert!(postings > 0, "{report}");
    let page = boss.get(&job_path).await.text().await.unwrap();
    assert!(page.contains("Terminado"), "{page}");
    assert!(page.contains("Movimientos registrados"), "{page}");
    assert!(page.contains(&postings.to_string()), "{page}");

    // Again, once it has run: the batch says it was applied and posts nothing more.
    let r = boss
        .post("/operacion/lotes", &[("tipo", "yield"), ("anio", "2025")])
        .await;
    let second_path = location(&r).to_owned();
    let second = worker.run_next().await.unwrap().unwrap();
    assert_eq!(second.state, store::JobState::Done);
    let report: serde_json::Value =
        serde_json::from_str(second.summary.as_deref().unwrap()).unwrap();
    assert_eq!(report["postings"], 0);
    assert!(report["previous_batch"].as_i64().is_some(), "{report}");
    let page = boss.get(&second_path).await.text().await.unwrap();
    assert!(page.contains("Ya se había aplicado"), "{page}");
    let check = app.store.check_ledger().await.unwrap();
    assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);

    // A contributions file: its bad rows come back as a file to download.
    let csv = b"nss,nrp,bimester,amount\n12345678901,Y0000000001,2026-1,100.00\nnada\n";
    let r = upload(&app, &boss, csv).await;
    let upload_path = location(&r).to_owned();
    assert!(upload_path.starts_with("/operacion/lotes/"), "{r:?}");
    let job = worker.run_next().await.unwrap().unwrap();
    assert_eq!(job.state, store::JobState::Done, "{:?}", job.error);
    let page = boss.get(&upload_path).await.text().await.unwrap();
    assert!(page.contains("Renglones rechazados"), "{page}");
    assert!(page.contains("rechazos.csv"), "{page}");
    let rejects = boss
        .get(&format!("{upload_path}/archivos/rechazos.csv"))
        .await;
    assert_eq!(rejects.status(), StatusCode::OK);
    assert_eq!(rejects.headers()["cache-control"], "no-store");
    let text = rejects.text().await.unwrap();
    assert!(text.contains("unknown_nss"), "{text}");
    assert!(text.contains("invalid_bimester"), "{text}");
    assert_eq!(
        boss.get(&format!("{upload_path}/archivos/otro.csv"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let actions: Vec<String> = app
        .store
        .recent_audit_all(500)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "job_queued").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "job_finished").count(), 3);
    assert!(actions.iter().any(|a| a == "job_file_opened"));
}

crate::on_both_engines!(a_supervisor_runs_batches_through_the_job_queue);
