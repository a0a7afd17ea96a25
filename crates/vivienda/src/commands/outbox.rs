//! `vivienda outbox` lists the latest notifications: with no SMTP server configured, this is
//! where an operator (or a developer running the demo) reads the codes that were sent.
//! `vivienda outbox send` delivers pending e-mail through the configured SMTP server. There is
//! no SMS provider yet, so SMS messages stay pending.

use std::collections::HashSet;
use std::process::ExitCode;

use app::notify::{Mailer, NotifyError, SmtpMailer};
use store::{OutboxChannel, OutboxMessage, Store};
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::config::Config;
use crate::wiring;

/// Messages claimed at a time.
const BATCH: u32 = 50;
/// How long a claimed message stays this run's: far longer than a batch takes to send.
const LEASE: Duration = Duration::minutes(15);
/// A message that keeps failing is given up on at this attempt.
const MAX_ATTEMPTS: u32 = 5;
const NO_SMS_PROVIDER: &str = "no SMS provider is configured";

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
    let Some(smtp) = config.smtp()? else {
        anyhow::bail!(
            "no SMTP server is configured (set smtp_host and smtp_from, or VIVIENDA_SMTP_HOST \
             and VIVIENDA_SMTP_FROM); `vivienda outbox --body` shows the waiting messages"
        );
    };
    let mailer = SmtpMailer::new(&smtp)?;
    let store = wiring::open_store(config, "vivienda.db").await?;
    let done = deliver(store.as_ref(), &mailer).await?;
    println!("{}", done.summary());
    Ok(if done.retry + done.given_up > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What one run of `outbox send` did.
#[derive(Debug, Default)]
struct Delivery {
    sent: u64,
    /// Failed this time, pending for another run.
    retry: u64,
    /// Failed for good: a bad address, or too many attempts.
    given_up: u64,
    sms_waiting: u64,
}

impl Delivery {
    fn summary(&self) -> String {
        let mut line = format!(
            "outbox: {} e-mail sent, {} to retry, {} given up",
            self.sent, self.retry, self.given_up
        );
        if self.sms_waiting > 0 {
            line.push_str(&format!(
                "; {} SMS left pending: {NO_SMS_PROVIDER}",
                self.sms_waiting
            ));
        }
        line
    }
}

/// Claims every pending message and sends the e-mail ones. Messages to try again later (and
/// SMS) are handed back only at the end, so this run does not claim them a second time.
async fn deliver(store: &dyn Store, mailer: &dyn Mailer) -> anyhow::Result<Delivery> {
    let mut done = Delivery::default();
    let mut seen = HashSet::new();
    let mut hand_back: Vec<(i64, String)> = Vec::new();
    loop {
        let now = OffsetDateTime::now_utc();
        let claimed = store.claim_messages(BATCH, now, now + LEASE).await?;
        // A lease that ran out while this run was busy: those rows are already handled.
        let fresh: Vec<OutboxMessage> = claimed.into_iter().filter(|m| seen.insert(m.id)).collect();
        if fresh.is_empty() {
            break;
        }
        for message in fresh {
            if message.channel == OutboxChannel::Sms {
                done.sms_waiting += 1;
                hand_back.push((message.id, NO_SMS_PROVIDER.to_owned()));
                continue;
            }
            match mailer
                .send(&message.recipient, &message.subject, &message.body)
                .await
            {
                Ok(()) => {
                    store
                        .mark_sent(message.id, OffsetDateTime::now_utc())
                        .await?;
                    done.sent += 1;
                }
                Err(e) => {
                    tracing::warn!(id = message.id, attempts = message.attempts, error = %e, "e-mail not delivered");
                    let permanent = matches!(e, NotifyError::Address(_) | NotifyError::Message(_));
                    if permanent || message.attempts >= MAX_ATTEMPTS {
                        store.mark_failed(message.id, &e.to_string(), true).await?;
                        done.given_up += 1;
                    } else {
                        hand_back.push((message.id, e.to_string()));
                        done.retry += 1;
                    }
                }
            }
        }
    }
    for (id, reason) in hand_back {
        store.mark_failed(id, &reason, false).await?;
    }
    Ok(done)
}

/// An instant as operators read it in this listing: UTC, to the second.
fn utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_else(|_| at.to_string())
}
