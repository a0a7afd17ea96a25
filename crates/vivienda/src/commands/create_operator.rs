//! `vivienda create-operator` adds a back-office operator and prints, once, the first password
//! and the authenticator key (also as an otpauth:// URI). Neither is stored in the clear.

use std::process::ExitCode;

use anyhow::Context;
use app::backoffice::{BackOfficeError, NewOperatorForm};
use domain::operators::Role;

use crate::config::Config;
use crate::wiring;

pub async fn run(
    config: &Config,
    username: &str,
    name: &str,
    role: Role,
) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let messages = wiring::messages()?;
    let (standards, _) = app::reference::load_service_standards(&config.data_dir)
        .context("cannot load the service standards")?;
    let requests = app::requests::Requests::new(
        store.clone(),
        std::sync::Arc::new(app::clock::SystemClock),
        std::sync::Arc::new(standards),
        domain::requests::Holidays::federal(),
        messages,
    );
    let backoffice = wiring::backoffice(config, store, requests)?;
    let caller = app::accounts::Caller {
        channel: domain::audit::Channel::System,
        origin: "cli".into(),
        device: "vivienda create-operator".into(),
    };
    let form = NewOperatorForm {
        username: username.to_owned(),
        display_name: name.to_owned(),
        role,
    };
    match backoffice.create_operator(&form, None, &caller).await {
        Ok(created) => {
            println!(
                "operator #{} {} ({}) created",
                created.operator.operator_id,
                created.operator.username,
                role.code()
            );
            println!("password:      {}", created.password);
            println!("authenticator: {}", created.totp_secret);
            println!("               {}", created.otpauth_uri);
            println!("Hand these over privately; they are not shown again.");
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e @ (BackOfficeError::UsernameInvalid
            | BackOfficeError::UsernameTaken
            | BackOfficeError::NameRequired),
        ) => {
            eprintln!("{}", e.code());
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
