//! Sending what waits in the outbox, by whichever channels are configured. Safe to run from
//! several places at once: each message is leased to one sender while it is being sent.

use std::collections::HashSet;

use store::{OutboxChannel, OutboxMessage, Store, StoreError};
use time::{Duration, OffsetDateTime};

use super::{Mailer, SmsSender};

/// Messages claimed at a time.
const BATCH: u32 = 50;
/// How long a claimed message stays this run's: far longer than a batch takes to send.
const LEASE: Duration = Duration::minutes(15);
/// A message that keeps failing is given up on at this attempt.
const MAX_ATTEMPTS: u32 = 5;

/// What one delivery run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub email_sent: u64,
    pub sms_sent: u64,
    /// Failed this time, pending for another run.
    pub retry: u64,
    /// Failed for good: a bad address, a refusal, or too many attempts.
    pub given_up: u64,
    /// Channels left alone because they are not configured.
    pub not_configured: Vec<&'static str>,
}

impl Delivery {
    pub fn summary(&self) -> String {
        let mut line = format!(
            "outbox: {} e-mail sent, {} SMS sent, {} to retry, {} given up",
            self.email_sent, self.sms_sent, self.retry, self.given_up
        );
        for why in &self.not_configured {
            line.push_str("; ");
            line.push_str(why);
        }
        line
    }
}

/// When a message that failed `attempts` times may be tried again.
pub type RetryDelay = fn(attempts: u32) -> Duration;

/// For a sender that runs all the time: 30 s, 1 min, 2 min, … at most an hour.
pub fn growing_delay(attempts: u32) -> Duration {
    (Duration::seconds(30) * 2i32.pow(attempts.saturating_sub(1).min(7))).min(Duration::hours(1))
}

/// Claims every pending message of the configured channels and sends it. Messages to try
/// again are handed back only at the end, so this run does not claim them a second time; they
/// are free again after `retry_delay`. Channels that are not configured are not touched.
pub async fn deliver(
    store: &dyn Store,
    mailer: Option<&dyn Mailer>,
    sms: Option<&dyn SmsSender>,
    retry_delay: RetryDelay,
) -> Result<Delivery, StoreError> {
    let mut done = Delivery::default();
    if mailer.is_none() {
        done.not_configured
            .push("e-mail not sent: no SMTP server is configured");
    }
    if sms.is_none() {
        done.not_configured
            .push("SMS not sent: no SMS provider is configured");
    }
    let mut hand_back: Vec<(i64, String, u32)> = Vec::new();
    for channel in [OutboxChannel::Email, OutboxChannel::Sms] {
        if (channel == OutboxChannel::Email && mailer.is_none())
            || (channel == OutboxChannel::Sms && sms.is_none())
        {
            continue;
        }
        let mut seen = HashSet::new();
        loop {
            let now = OffsetDateTime::now_utc();
            let claimed = store
                .claim_messages(BATCH, channel, now, now + LEASE)
                .await?;
            // A lease that ran out while this run was busy: those rows are already handled.
            let fresh: Vec<OutboxMessage> =
                claimed.into_iter().filter(|m| seen.insert(m.id)).collect();
            if fresh.is_empty() {
                break;
            }
            for message in fresh {
                let sent = match (mailer, sms) {
                    (Some(mailer), _) if channel == OutboxChannel::Email => {
                        mailer
                            .send(&message.recipient, &message.subject, &message.body)
                            .await
                    }
                    (_, Some(sms)) => {
                        let reference = format!("outbox-{}", message.id);
                        sms.send(&message.recipient, &message.body, &reference)
                            .await
                    }
                    _ => continue,
                };
                match sent {
                    Ok(()) => {
                        store
                            .mark_sent(message.id, OffsetDateTime::now_utc())
                            .await?;
                        match channel {
                            OutboxChannel::Email => done.email_sent += 1,
                            OutboxChannel::Sms => done.sms_sent += 1,
                        }
                    }
                    Err(e) => {
                        tracing::warn!(id = message.id, channel = channel.code(), attempts = message.attempts, error = %e, "message not delivered");
                        if e.permanent() || message.attempts >= MAX_ATTEMPTS {
                            store
                                .mark_failed(message.id, &e.to_string(), true, now)
                                .await?;
                            done.given_up += 1;
                        } else {
                            hand_back.push((message.id, e.to_string(), message.attempts));
                            done.retry += 1;
                        }
                    }
                }
            }
        }
    }
    let now = OffsetDateTime::now_utc();
    for (id, reason, attempts) in hand_back {
        store
            .mark_failed(id, &reason, false, now + retry_delay(attempts))
            .await?;
    }
    Ok(done)
}

/// Keeps delivering, every `every`, until the process ends: what `serve` runs when a channel
/// is configured. Several instances can run it at once; leases keep them apart.
pub async fn keep_delivering(
    store: std::sync::Arc<dyn Store>,
    mailer: Option<std::sync::Arc<dyn Mailer>>,
    sms: Option<std::sync::Arc<dyn SmsSender>>,
    every: std::time::Duration,
) {
    loop {
        match deliver(
            store.as_ref(),
            mailer.as_deref(),
            sms.as_deref(),
            growing_delay,
        )
        .await
        {
            Ok(done) if done.email_sent + done.sms_sent + done.retry + done.given_up > 0 => {
                tracing::info!(summary = %done.summary(), "outbox delivered");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox delivery failed"),
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(growing_delay(1), Duration::seconds(30));
        assert_eq!(growing_delay(2), Duration::minutes(1));
        assert_eq!(growing_delay(4), Duration::minutes(4));
        assert_eq!(growing_delay(9), Duration::hours(1));
        assert_eq!(growing_delay(u32::MAX), Duration::hours(1));
    }
}
