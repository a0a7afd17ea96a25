//! `/demo/mensajes`: in demo mode no e-mail or SMS leaves the machine, so the messages the
//! portal would have sent (activation codes included) are shown here, newest first. The route
//! does not exist outside demo mode.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::accounts::render;
use crate::auth;
use crate::page::Page;

/// Messages shown.
const LATEST: u32 = 30;

pub(crate) struct MessageRow {
    pub when: String,
    pub channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "demo_messages.html")]
struct MessagesPage {
    page: Page,
    messages: Vec<MessageRow>,
    /// Each demo operator's username and the code their authenticator shows now.
    operators: Vec<(&'static str, String)>,
}

pub(crate) async fn view_demo_messages_get(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let messages = match state.store.recent_messages(LATEST).await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "outbox read failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "demo-messages-title", &csrf);
    let messages = messages
        .into_iter()
        .map(|m| MessageRow {
            when: crate::format::date_time(page.lang_id(), m.created_at),
            channel: match m.channel {
                store::OutboxChannel::Email => "email",
                store::OutboxChannel::Sms => "SMS",
            },
            recipient: m.recipient,
            subject: m.subject,
            body: m.body,
        })
        .collect();
    let now = state.backoffice.now();
    let operators = app::backoffice::DEMO_OPERATORS
        .iter()
        .map(|(username, _, _)| (*username, app::backoffice::demo_code(username, now)))
        .collect();
    render(
        MessagesPage {
            page,
            messages,
            operators,
        },
        set.into_iter().collect(),
    )
}
