//! Usage statistics over real HTTP: the public page `/estadisticas` shows aggregates and never
//! a cell counting fewer than ten; the operators' dashboard shows everything to the roles
//! that may see it, with CSV and JSON downloads; a bad date is said so.

use domain::operators::Role;
use reqwest::StatusCode;

use crate::accounts::Browser;
use crate::backoffice::{create, sign_in};
use crate::{Engine, spawn_app_on};

/// The numbers in the cells of the page's tables.
fn numeric_cells(page: &str) -> Vec<String> {
    page.split("<td class=\"numeric\">")
        .skip(1)
        .filter_map(|rest| rest.split("</td>").next())
        .map(|cell| cell.trim().to_owned())
        .collect()
}

async fn statistics_keep_small_cells_out_of_the_public_page(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let until = domain::dates::mexico_city_date(app.now()) - time::Duration::days(1);
    let tables = domain::reference::ReferenceTables::embedded().unwrap();
    let config = app::stats::UsageConfig {
        scale: 0.000_05,
        until,
        seed: 11,
    };
    app::stats::generate(app.store.as_ref(), &tables, config, &mut |_, _| {})
        .await
        .unwrap();
    let report = app::stats::build_report(app.store.as_ref(), &tables, until, 30)
        .await
        .unwrap();
    // The data has small cells to hide: states with a handful of users.
    let small = report
        .states
        .iter()
        .find(|s| s.users > 0 && s.users < 10)
        .expect("a state with fewer than ten users");
    let fecha = domain::dates::iso(until);

    let mut visitor = Browser::new(&app);
    let r = visitor.get(&format!("/estadisticas?fecha={fecha}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Estadísticas abiertas del portal"), "{page}");
    assert!(page.contains("<svg"), "charts are drawn");
    assert!(page.contains("<table"), "beside their tables");
    assert!(page.contains("menos de 10"), "{page}");
    let cells = numeric_cells(&page);
    assert!(!cells.is_empty());
    for cell in &cells {
        if let Ok(n) = cell.replace(',', "").parse::<i64>() {
            assert!(n >= 10, "a public cell shows {n}: {cell}");
        }
    }
    let row = page
        .split(&format!("<th scope=\"row\">{}</th>", small.name))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("{} is listed: {page}", small.name));
    assert!(row.contains("menos de 10"), "{row}");
    // The registered accounts are well above the threshold and shown.
    assert!(page.contains(&app::stats::grouped(report.accounts.registered)));

    let r = visitor.get("/estadisticas?fecha=2024-13-01").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Escribe la fecha de corte como AAAA-MM-DD"),
        "{page}"
    );

    // Operators: an agent may not; an auditor sees every figure and downloads them.
    let agent = create(&app, "agente", Role::Agent).await;
    let auditor = create(&app, "auditora", Role::Auditor).await;
    let mut desk = sign_in(&app, &agent).await;
    assert_eq!(
        desk.get("/operacion/estadisticas").await.status(),
        StatusCode::FORBIDDEN
    );
    app.advance(time::Duration::seconds(30));
    let mut office = sign_in(&app, &auditor).await;
    let page = office
        .get(&format!("/operacion/estadisticas?fecha={fecha}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Estadísticas de uso"), "{page}");
    assert!(
        page.contains("href=\"/operacion/estadisticas\""),
        "in the navigation"
    );
    assert!(!page.contains("menos de 10"), "operators see every figure");
    let csv = office
        .get(&format!(
            "/operacion/estadisticas?fecha={fecha}&formato=csv"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("section,key,value\n"), "{csv}");
    assert!(
        csv.contains(&format!("users_by_state,{},{}\n", small.state, small.users)),
        "{csv}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &office
            .get(&format!(
                "/operacion/estadisticas?fecha={fecha}&formato=json"
            ))
            .await
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["accounts"]["registered"], report.accounts.registered);
}

/// Consultations through the pages and the API are counted in memory and reach the store by
/// themselves within seconds, whatever the channel.
async fn consultations_are_counted_through_pages_and_the_api(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let today = domain::dates::mexico_city_date(app.now());
    let mut maria = crate::savings::signed_in_maria(&app).await;
    assert_eq!(maria.get("/ahorro").await.status(), StatusCode::OK);
    let token = crate::savings::juan_token(&app).await;
    for _ in 0..2 {
        let r = app
            .client
            .get(format!("{}/api/v1/me/savings", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let counted = || async {
        app.store
            .procedure_uses(today, today)
            .await
            .unwrap()
            .into_iter()
            .find(|(procedure, _)| procedure == "savings_balance")
            .map_or(0, |(_, uses)| uses)
    };
    let started = std::time::Instant::now();
    while counted().await < 3 && started.elapsed() < std::time::Duration::from_secs(15) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(counted().await, 3, "one page view and two API look-ups");
}

crate::on_both_engines!(
    statistics_keep_small_cells_out_of_the_public_page,
    consultations_are_counted_through_pages_and_the_api
);
