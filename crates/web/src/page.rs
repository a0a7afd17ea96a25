//! What every page template gets: the language, the title, the CSRF token, whether someone is
//! signed in, and the translations.

use std::sync::Arc;

use app::i18n::{Lang, Messages};

pub(crate) struct Page {
    pub lang: &'static str,
    pub title: String,
    pub has_errors: bool,
    pub signed_in: bool,
    pub csrf: String,
    lang_id: Lang,
    messages: Arc<Messages>,
}

impl Page {
    pub(crate) fn new(messages: &Arc<Messages>, title_id: &str, csrf: &str) -> Page {
        let lang_id = Lang::Es;
        Page {
            lang: lang_id.tag(),
            title: messages.text(lang_id, title_id),
            has_errors: false,
            signed_in: false,
            csrf: csrf.to_owned(),
            lang_id,
            messages: messages.clone(),
        }
    }

    pub(crate) fn t(&self, id: &str) -> String {
        self.messages.text(self.lang_id, id)
    }
}

/// One line of the error summary, linked to its field.
pub(crate) struct ErrorLine {
    pub field: String,
    pub message: String,
}
