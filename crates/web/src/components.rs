//! The data the design-system components in `templates/components.html` take. Each component
//! is an askama macro; these types are what a handler fills in for them.

use crate::page::{ErrorLine, Page};

/// A text input with its label, hint, error and the value typed so far.
pub(crate) struct FieldView {
    pub name: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: Option<String>,
}

impl FieldView {
    /// The keyboard phones should offer: digits for codes and the NSS.
    pub(crate) fn inputmode(&self) -> &'static str {
        match (self.name, self.kind, self.autocomplete) {
            ("second_factor", _, _) => "text",
            (_, _, "one-time-code") | ("nss" | "clabe", _, _) => "numeric",
            (_, "tel", _) => "tel",
            (_, "email", _) => "email",
            _ => "text",
        }
    }

    /// Codes and identifiers are not words: no spelling marks, no capital letter fixes.
    pub(crate) fn is_identifier(&self) -> bool {
        matches!(
            self.name,
            "nss" | "curp" | "rfc" | "code" | "identifier" | "clabe"
        )
    }

    pub(crate) fn is_code(&self) -> bool {
        self.autocomplete == "one-time-code"
    }

    /// Six digits exactly: one-time codes (a second-factor field also takes recovery codes).
    pub(crate) fn is_six_digits(&self) -> bool {
        self.is_code() && self.name != "second_factor"
    }

    /// The ids of the hint and the error, for `aria-describedby`.
    pub(crate) fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-pista", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

impl Page {
    /// A summary-list row labelled by the translation `key`, without a "Cambiar" link.
    pub(crate) fn row(&self, key: &str, value: String) -> SummaryRow {
        SummaryRow {
            key: self.t(key),
            value,
            change_href: None,
        }
    }

    /// A request's timeline as the timeline component shows it to the member: what happened,
    /// when, and by whom (by role, never an operator's identity).
    pub(crate) fn request_timeline(
        &self,
        timeline: &[app::requests::TimelineEntry],
    ) -> Vec<TimelineEvent> {
        timeline
            .iter()
            .map(|e| TimelineEvent {
                date: crate::format::date_time(self.lang_id(), e.at),
                title: self.t(&format!("request-event-{}", e.event)),
                text: self.t(&format!("request-by-{}", e.by)),
            })
            .collect()
    }
    /// A field labelled by the `field-<name>` translation, with the error for it if any.
    pub(crate) fn field(
        &self,
        name: &'static str,
        kind: &'static str,
        autocomplete: &'static str,
        value: &str,
        errors: &[ErrorLine],
    ) -> FieldView {
        FieldView {
            name,
            kind,
            autocomplete,
            label: self.t(&format!("field-{name}")),
            hint: String::new(),
            value: value.to_owned(),
            error: errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.clone()),
        }
    }
}

/// One row of a summary list ("check your answers"), with where to change it.
pub(crate) struct SummaryRow {
    pub key: String,
    pub value: String,
    pub change_href: Option<String>,
}

/// A data table: a caption, column headings and rows; numeric columns align right.
pub(crate) struct TableView {
    pub caption: String,
    pub head: Vec<String>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

impl TableView {
    pub(crate) fn is_numeric(&self, column: &usize) -> bool {
        self.numeric.get(*column).copied().unwrap_or(false)
    }
}

/// One tab: its id (the panel's anchor), its label and its text.
pub(crate) struct Tab {
    pub id: String,
    pub label: String,
    pub text: String,
}

/// One event of a request's timeline, newest first.
pub(crate) struct TimelineEvent {
    pub title: String,
    pub date: String,
    pub text: String,
}

/// The steps of a procedure and which one the member is on (from 1).
pub(crate) struct Steps {
    pub label: String,
    /// "Paso 2 de 4".
    pub caption: String,
    pub names: Vec<String>,
    pub current: usize,
}

impl Steps {
    pub(crate) fn position(&self, index: &usize) -> usize {
        index + 1
    }
}
