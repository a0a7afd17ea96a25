//! A page that asks one question (the GOV.UK pattern): the step indicator, the answers so far
//! with "Cambiar" links, one set of radios (or a select for a long list), the error summary when
//! it was sent back unanswered, and a back link. Booking and moving an appointment are made of
//! these pages.

use askama::Template;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::accounts::render;
use crate::components::{Steps, SummaryRow};
use crate::page::{ErrorLine, Page};

/// One option of a question.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
}

/// What one question page shows.
pub(crate) struct Question {
    /// Which step this is (from 1), the names of all the steps and what they are steps of.
    pub step: usize,
    pub step_names: Vec<String>,
    pub steps_label: String,
    pub intro: String,
    /// The answers so far, each with where to change it.
    pub chosen: Vec<SummaryRow>,
    /// "get" while more questions follow; "post" (with the CSRF token) for the last one.
    pub method: &'static str,
    pub action: String,
    /// The answers so far, carried by the form.
    pub hidden: Vec<(&'static str, String)>,
    /// The name of the field this page asks for; the error summary links to it.
    pub field: &'static str,
    pub question: String,
    /// A long list (the states) is a select, not radios.
    pub select: bool,
    pub choices: Vec<Choice>,
    /// Said instead of the question when there is nothing to choose.
    pub empty: String,
    pub submit: String,
    pub back_href: String,
    pub back_label: String,
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    page: Page,
    errors: Vec<ErrorLine>,
    steps: Steps,
    q: Question,
}

/// Renders `q` on `page`; `error` is a translation id shown on the field, with the status to
/// answer with.
pub(crate) fn question_page(
    mut page: Page,
    set_cookie: Option<HeaderValue>,
    q: Question,
    error: Option<(&'static str, StatusCode)>,
) -> Response {
    page.has_errors = error.is_some();
    let errors: Vec<ErrorLine> = error
        .map(|(id, _)| ErrorLine {
            field: q.field.to_owned(),
            message: page.t(id),
        })
        .into_iter()
        .collect();
    let total = q.step_names.len();
    let steps = Steps {
        label: q.steps_label.clone(),
        caption: page.t_with(
            "step-of",
            &[
                ("current", i64::try_from(q.step).unwrap_or(1)),
                ("total", i64::try_from(total).unwrap_or(1)),
            ],
        ),
        names: q.step_names.clone(),
        current: q.step,
    };
    let template = QuestionPage {
        page,
        errors,
        steps,
        q,
    };
    let mut response = render(template, set_cookie.into_iter().collect());
    if let Some((_, status)) = error {
        *response.status_mut() = status;
    }
    response
}
