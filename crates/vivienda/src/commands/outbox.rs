//! `vivienda outbox` lists the latest notifications: with no SMTP server configured, this is
//! where an operator (or a developer running the demo) reads the codes that were sent.
//! `vivienda outbox send` delivers what is pending through the configured SMTP server and SMS
//! webhook; a channel that is not configured keeps its messages pending.

use std::process::ExitCode;

use app::notify::{Mailer, SmsSender, SmtpMailer, WebhookSms, deliver};
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::config::Config;
use crate::wiring;

pub async fn list(config: &Config, limit: u32, with_body: bool) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(config, "vivienda.db").await?;
    let messages = store.recent_messages(limit).await?;
    if messages.is_empty() {
        println!("the outbox is empty");
        return Ok(ExitCode::SUCCESS);
    }
    let width = messages
        .iter()
        .map(|m| m.recipient.chars().count())
        .max()
        .unwrap_or(0)
        .max("recipient".len());
    println!(
        "{:>6}  {:<23}  {:<7}  {:<width$}  {:<7}  subject",
        "id", "created_at", "channel", "recipient", "status"
    );
    for m in &messages {
        println!(
            "{:>6}  {:<23}  {:<7}  {:<width$}  {:<7}  {}",
            m.id,
            utc(m.created_at),
            m.channel.code(),
            m.recipient,
            m.status.code(),
            m.subject
        );
        if with_body {
            if m.status == store::OutboxStatus::Sent {
                println!("        (erased once sent)");
            }
            for line in m.body.lines() {
                println!("        {line}");
            }
            if let Some(error) = &m.last_error {
                println!("        (attempts: {}, last error: {error})", m.attempts);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn send(config: &Config) -> anyhow::Result<ExitCode> {
    let mailer = config
        .smtp()?
        .map(|smtp| SmtpMailer::new(&smtp))
        .transpose()?;
    let sms = config.sms_webhook().map(WebhookSms::new).transpose()?;
    if mailer.is_none() && sms.is_none() {
        anyhow::bail!(
            "no SMTP server and no SMS provider are configured (set smtp_host and smtp_from, \
             or sms_webhook_url); `vivienda outbox --body` shows the waiting messages"
        );
    }
    let store = wiring::open_store(config, "vivienda.db").await?;
    let done = deliver(
        store.as_ref(),
        mailer.as_ref().map(|m| m as &dyn Mailer),
        sms.as_ref().map(|s| s as &dyn SmsSender),
        // A run by hand leaves what failed ready for the next run.
        |_| time::Duration::ZERO,
    )
    .await?;
    println!("{}", done.summary());
    Ok(if done.retry + done.given_up > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// An instant as operators read it in this listing: UTC, to the second.
fn utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_else(|_| at.to_string())
}
