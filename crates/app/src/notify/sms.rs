//! SMS through a provider's HTTP webhook. Vivienda posts
//! `{"to": "+525512345678", "body": "…", "reference": "outbox-42"}` as JSON with a bearer
//! token; any 2xx means the provider took the message. A 4xx other than 408 and 429 means it
//! never will (a bad number, a refused text); anything else is tried again later. The
//! reference lets a provider drop a message it already took when a retry repeats it.

use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;

use super::NotifyError;

#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, to: &str, body: &str, reference: &str) -> Result<(), NotifyError>;
}

#[derive(Clone, Debug)]
pub struct WebhookSmsConfig {
    /// `https://…` (or `http://` to a relay on the same host).
    pub url: String,
    pub token: Option<String>,
}

pub struct WebhookSms {
    client: reqwest::Client,
    config: WebhookSmsConfig,
}

#[derive(Serialize)]
struct Payload<'a> {
    to: &'a str,
    body: &'a str,
    reference: &'a str,
}

impl WebhookSms {
    pub fn new(config: WebhookSmsConfig) -> Result<WebhookSms, NotifyError> {
        if !(config.url.starts_with("https://") || config.url.starts_with("http://")) {
            return Err(NotifyError::Address(config.url));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| NotifyError::Message(e.to_string()))?;
        Ok(WebhookSms { client, config })
    }
}

/// The number in international form: accounts keep Mexican mobiles as ten digits.
fn e164(to: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match to.strip_prefix('+') {
        Some(rest) if digits(rest) && (8..=15).contains(&rest.len()) => Some(to.to_owned()),
        None if digits(to) && to.len() == 10 => Some(format!("+52{to}")),
        _ => None,
    }
}

#[async_trait]
impl SmsSender for WebhookSms {
    async fn send(&self, to: &str, body: &str, reference: &str) -> Result<(), NotifyError> {
        let to = e164(to).ok_or_else(|| NotifyError::Address(to.to_owned()))?;
        let mut request = self.client.post(&self.config.url).json(&Payload {
            to: &to,
            body,
            reference,
        });
        if let Some(token) = &self.config.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| NotifyError::Delivery(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let what = format!("the SMS provider answered {status}");
        if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
            Err(NotifyError::Refused(what))
        } else {
            Err(NotifyError::Delivery(what))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::e164;

    #[test]
    fn numbers_go_out_in_international_form() {
        assert_eq!(e164("5512345678").as_deref(), Some("+525512345678"));
        assert_eq!(e164("+525512345678").as_deref(), Some("+525512345678"));
        assert_eq!(e164("55 1234 5678"), None);
        assert_eq!(e164("+52"), None);
        assert_eq!(e164("12345"), None);
    }
}
