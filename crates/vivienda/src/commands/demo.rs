//! `vivienda demo`: a synthetic population in DATA_DIR/demo.db, then the portal on it.

use std::process::ExitCode;

use anyhow::Context;

use crate::config::Config;
use crate::wiring;

pub async fn run(
    config: &Config,
    members: u32,
    seed: u64,
    no_serve: bool,
) -> anyhow::Result<ExitCode> {
    let listener = if no_serve {
        None
    } else {
        Some(super::serve::bind(&config.listen).await?)
    };
    let (store, lagging) = wiring::open_stores(config, "demo.db").await?;
    let tables = wiring::reference_tables(&config.data_dir)?;
    let today = time::OffsetDateTime::now_utc().date();
    let population = synth::Config {
        members,
        seed,
        until: today,
    };
    println!("Generando {members} derechohabientes sintéticos (semilla {seed})…");
    let bar = wiring::progress_bar(u64::from(members), "derechohabientes");
    let report = app::population::load(store.as_ref(), &population, &tables, &mut |n| {
        bar.set_position(n)
    })
    .await
    .context("cannot load the demo population")?;
    bar.finish_and_clear();
    if report.loaded {
        println!(
            "Listo en {:.1} s: {} derechohabientes, {} movimientos, {} créditos.",
            report.elapsed.as_secs_f64(),
            report.members,
            report.movements,
            report.credits
        );
    } else {
        println!("La población de demostración ya estaba cargada.");
    }
    let state = web::AppState::new(web::Services {
        demo: true,
        ..wiring::app_state(config, store.clone(), lagging)?
    });
    let system = app::accounts::Caller {
        channel: domain::audit::Channel::System,
        origin: "demo".into(),
        device: "vivienda demo".into(),
    };
    println!(
        "\nCuentas de ejemplo (entra con el NSS y la contraseña «{}»):",
        app::accounts::DEMO_PASSWORD
    );
    for (i, s) in report.samples.iter().enumerate() {
        let nss = domain::ids::Nss::parse(&s.nss).context("a sample NSS is invalid")?;
        if let Some(member) = store.member_by_nss(&nss).await? {
            state
                .accounts
                .ensure_demo_account(member.member_id, i + 1, &system)
                .await?;
        }
        println!("  {:<15} NSS {}  {}", s.profile, s.nss, s.name);
    }
    println!("Los códigos enviados por correo se leen con «vivienda outbox --body».");
    state.backoffice.ensure_demo_operators(&system).await?;
    println!(
        "\nOperación en /operacion (contraseña «{}»; el código de cada cuenta está en /demo/mensajes):",
        app::accounts::DEMO_PASSWORD
    );
    for (username, _, role) in app::backoffice::DEMO_OPERATORS {
        println!("  {username:<18} {}", role.code());
    }
    let Some(listener) = listener else {
        return Ok(ExitCode::SUCCESS);
    };
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let shutdown = super::serve::shutdown_signal();
    println!("\nVivienda escucha en http://{address}/");
    crate::wiring::start_background(config, &state)?;
    web::serve(
        listener,
        state,
        shutdown,
        std::time::Duration::from_secs(config.shutdown_grace_seconds),
    )
    .await
    .context("the server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}
