//! `vivienda serve`: the portal on the configured store, until SIGTERM or Ctrl-C.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use store::Store;

use crate::config::Config;
use crate::wiring;

pub async fn serve(
    config: &Config,
    store: Arc<dyn Store>,
    lagging: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let listener = bind(&config.listen).await?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let state = web::AppState::new(wiring::app_state(config, store.clone(), lagging)?);
    start_sender(config, store)?;
    // Batches queued from the back office run here, in any instance: the queue gives each
    // job to one worker at a time.
    wiring::start_background(config, &state)?;
    let shutdown = shutdown_signal();
    tracing::info!(%address, engine = state.store.engine(), "serving");
    println!("Vivienda escucha en http://{address}/");
    web::serve(
        listener,
        state,
        shutdown,
        Duration::from_secs(config.shutdown_grace_seconds),
    )
    .await
    .context("the server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}

/// Sends the outbox in the background when e-mail or SMS is configured, so codes leave within
/// seconds; without either, messages wait for `vivienda outbox`.
fn start_sender(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<()> {
    let mailer = config
        .smtp()?
        .map(|smtp| app::notify::SmtpMailer::new(&smtp))
        .transpose()?
        .map(|m| Arc::new(m) as Arc<dyn app::notify::Mailer>);
    let sms = config
        .sms_webhook()
        .map(app::notify::WebhookSms::new)
        .transpose()?
        .map(|s| Arc::new(s) as Arc<dyn app::notify::SmsSender>);
    if mailer.is_some() || sms.is_some() {
        tokio::spawn(app::notify::keep_delivering(
            store,
            mailer,
            sms,
            Duration::from_secs(2),
        ));
    }
    Ok(())
}

pub async fn bind(listen: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))
}

/// Resolves on SIGTERM or Ctrl-C. The SIGTERM handler is installed here, before the caller
/// announces that it listens: a SIGTERM that arrives at once still stops the server gracefully
/// instead of killing it (an `async fn` would install it only when first polled).
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutdown requested: finishing in-flight requests");
    }
}
