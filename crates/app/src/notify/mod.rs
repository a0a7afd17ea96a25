//! Notifications. Messages are first written to the outbox in the same transaction as the
//! change that causes them; `deliver` then sends them: e-mail over SMTP (`SmtpMailer`), SMS
//! through a provider's HTTP webhook (`WebhookSms`). Without a configured channel its messages
//! wait in the outbox, where `vivienda outbox` (and the demo page) shows them.

mod deliver;
mod mail;
mod sms;

pub use deliver::{Delivery, RetryDelay, deliver, growing_delay, keep_delivering};
pub use mail::{Mailer, SmtpConfig, SmtpMailer};
pub use sms::{SmsSender, WebhookSms, WebhookSmsConfig};

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("invalid address {0}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Message(String),
    /// The provider refused the message for good (it will not take it on another try).
    #[error("refused: {0}")]
    Refused(String),
    /// Worth another try later: the network, a time-out, the provider busy or down.
    #[error("delivery failed: {0}")]
    Delivery(String),
}

impl NotifyError {
    /// Whether trying again can help.
    pub fn permanent(&self) -> bool {
        !matches!(self, NotifyError::Delivery(_))
    }
}
