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

crate::on_both_engines!(statistics_keep_small_cells_out_of_the_public_page);
