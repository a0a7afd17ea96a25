//! What every page template gets: the language, the title, the CSRF token, whether someone is
//! signed in (and when their session times out), the areas to navigate, the translations and the
//! URLs of the static files.
//!
//! The language and path of the request being answered are set once per request by the
//! [`request_context`] middleware and read here, so no handler has to pass them along.

use std::sync::Arc;

use app::accounts::SessionContext;
use app::i18n::{Lang, Messages};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth;

/// The cookie that keeps the language a member chose; Spanish when absent.
pub(crate) const LANG_COOKIE: &str = "__Host-idioma";

/// The longest warning before the idle time-out; shorter time-outs are warned at half-time.
const LONGEST_WARNING_SECONDS: i64 = 5 * 60;

#[derive(Clone)]
struct RequestContext {
    lang: Lang,
    path: String,
    demo: bool,
}

tokio::task_local! {
    static REQUEST: RequestContext;
}

/// Reads the language cookie and the path, for every page rendered while answering `req`.
pub(crate) async fn request_context(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let lang = auth::cookie(req.headers(), LANG_COOKIE)
        .and_then(Lang::from_tag)
        .unwrap_or_default();
    let context = RequestContext {
        lang,
        path: req.uri().path().to_owned(),
        demo: state.demo,
    };
    REQUEST.scope(context, next.run(req)).await
}

/// The language of the request being answered (Spanish outside a request).
pub(crate) fn lang() -> Lang {
    REQUEST.try_with(|r| r.lang).unwrap_or_default()
}

/// Whether the server runs in demo mode (messages are read on a page, not sent).
fn demo() -> bool {
    REQUEST.try_with(|r| r.demo).unwrap_or(false)
}

fn request_path() -> String {
    REQUEST
        .try_with(|r| r.path.clone())
        .unwrap_or_else(|_| "/".to_owned())
}

/// The areas of the portal, in menu order, each with the path of its first page. An area is
/// shown once that page exists: adding one is giving it its path here.
const AREAS: &[(&str, Option<&str>)] = &[
    ("area-savings", Some("/ahorro")),
    ("area-want-credit", Some("/credito")),
    ("area-my-credit", Some("/mi-credito")),
    ("area-procedures", Some("/tramites")),
    ("area-profile", Some("/cuenta")),
];

/// One link of the area navigation.
pub(crate) struct AreaLink {
    pub label: String,
    pub href: &'static str,
    pub current: bool,
}

pub(crate) struct Page {
    pub lang: &'static str,
    pub title: String,
    pub has_errors: bool,
    pub signed_in: bool,
    pub csrf: String,
    /// Seconds of inactivity before the session ends, and how long before that to warn.
    pub session_idle: i64,
    pub session_warn: i64,
    /// The path of this page, where the language switch comes back to.
    pub path: String,
    /// The demo server: a banner links to the messages page.
    pub demo: bool,
    lang_id: Lang,
    messages: Arc<Messages>,
}

impl Page {
    pub(crate) fn new(messages: &Arc<Messages>, title_id: &str, csrf: &str) -> Page {
        let lang_id = lang();
        Page {
            lang: lang_id.tag(),
            title: messages.text(lang_id, title_id),
            has_errors: false,
            signed_in: false,
            csrf: csrf.to_owned(),
            session_idle: 0,
            session_warn: 0,
            path: request_path(),
            demo: demo(),
            lang_id,
            messages: messages.clone(),
        }
    }

    /// Marks the page as seen by a signed-in member: the navigation, sign-out and the time-out
    /// warning appear.
    pub(crate) fn signed_in_as(&mut self, ctx: &SessionContext) {
        self.signed_in = true;
        self.session_idle = ctx.idle_left.whole_seconds().max(1);
        self.session_warn = (self.session_idle / 2).min(LONGEST_WARNING_SECONDS);
    }

    pub(crate) fn t(&self, id: &str) -> String {
        self.messages.text(self.lang_id, id)
    }

    /// A translation with numbers in it, such as "Paso { $current } de { $total }".
    pub(crate) fn t_with(&self, id: &str, args: &[(&'static str, i64)]) -> String {
        let mut fluent = fluent_bundle::FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, *value);
        }
        self.messages.format(self.lang_id, id, Some(&fluent))
    }

    /// A translation with text in it, such as "{ $closing } dentro de { $years } años".
    pub(crate) fn t_text(&self, id: &str, args: &[(&'static str, String)]) -> String {
        let mut fluent = fluent_bundle::FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.messages.format(self.lang_id, id, Some(&fluent))
    }

    pub(crate) fn lang_id(&self) -> Lang {
        self.lang_id
    }

    /// The hashed URL of a static file.
    pub(crate) fn asset(&self, name: &str) -> &'static str {
        crate::assets::url(name)
    }

    /// The areas whose pages exist, the one this page belongs to marked current.
    pub(crate) fn areas(&self) -> Vec<AreaLink> {
        AREAS
            .iter()
            .filter_map(|(label, href)| href.map(|h| (label, h)))
            .map(|(label, href)| AreaLink {
                label: self.t(label),
                href,
                current: self.path == href || self.path.starts_with(&format!("{href}/")),
            })
            .collect()
    }

    /// The other language, offered in the header: its tag and its own name for itself.
    pub(crate) fn other_lang(&self) -> (&'static str, &'static str) {
        match self.lang_id {
            Lang::Es => ("en", "English"),
            Lang::En => ("es-MX", "Español"),
        }
    }
}

/// One line of the error summary, linked to its field.
pub(crate) struct ErrorLine {
    pub field: String,
    pub message: String,
}
