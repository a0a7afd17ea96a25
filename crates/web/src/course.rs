//! "Saber más para decidir mejor": the course pages (`/credito/curso/{page}`), the final quiz
//! with each wrong answer explained, and the certificate PDF once passed.

use app::course::CourseError;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::application::course::{self, Graded, PAGES, QUESTIONS};
use domain::audit::Channel;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::page::Page;
use crate::savings::member_or_sign_in;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/credito/curso", get(course_get))
        .route("/credito/curso/evaluacion", get(quiz_get).post(quiz_post))
        .route("/credito/curso/constancia.pdf", get(certificate_get))
        .route("/credito/curso/{slug}", get(course_page_get))
}

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    page: Page,
    /// Every page: its title and address, in order.
    contents: Vec<(String, String)>,
    /// The page being read: its paragraphs; empty on the course's first page.
    paragraphs: Vec<String>,
    next_href: String,
    next_label: String,
    passed: bool,
}

async fn course_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    show(state, peer, headers, None).await
}

async fn course_page_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    match PAGES.iter().position(|(s, _)| *s == slug) {
        Some(i) => show(state, peer, headers, Some(i)).await,
        None => crate::credit::not_found(&state, &headers),
    }
}

async fn show(state: AppState, peer: Peer, headers: HeaderMap, at: Option<usize>) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let passed = match state.course.completion(ctx.member_id).await {
        Ok(c) => c.is_some(),
        Err(e) => return crate::savings::unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let title = match at {
        Some(i) => format!("course-{}-title", PAGES[i].0),
        None => "course-title".to_owned(),
    };
    let mut page = Page::new(&state.messages, &title, &csrf);
    page.signed_in_as(&ctx);
    let contents = PAGES
        .iter()
        .map(|(slug, _)| {
            (
                page.t(&format!("course-{slug}-title")),
                format!("/credito/curso/{slug}"),
            )
        })
        .collect();
    let paragraphs = match at {
        Some(i) => (1..=PAGES[i].1)
            .map(|n| page.t(&format!("course-{}-{n}", PAGES[i].0)))
            .collect(),
        None => vec![page.t("course-intro")],
    };
    let next = at.map_or(0, |i| i + 1);
    let (next_href, next_label) = match PAGES.get(next) {
        Some((slug, _)) => (format!("/credito/curso/{slug}"), page.t("course-next")),
        None => (
            "/credito/curso/evaluacion".to_owned(),
            page.t("course-to-quiz"),
        ),
    };
    render(
        CoursePage {
            contents,
            paragraphs,
            next_href,
            next_label,
            passed,
            page,
        },
        set.into_iter().collect(),
    )
}

/// A question as the quiz shows it: its text, options, what was chosen, and, once marked
/// wrong, why the right answer is right.
pub(crate) struct QuestionView {
    pub field: String,
    pub text: String,
    pub options: Vec<(u8, String, bool)>,
    pub explanation: Option<String>,
}

#[derive(Template)]
#[template(path = "course_quiz.html")]
struct QuizPage {
    page: Page,
    questions: Vec<QuestionView>,
    /// Set once marked: "4 de 6".
    result: Option<String>,
    passed: bool,
    pass_mark: u32,
}

fn quiz_page(
    state: &AppState,
    ctx: &app::accounts::SessionContext,
    csrf: &str,
    answers: &[Option<u8>],
    graded: Option<&Graded>,
) -> QuizPage {
    let failed = graded.is_some_and(|g| !g.passed);
    let mut page = Page::new(
        &state.messages,
        if failed {
            "course-quiz-failed-title"
        } else {
            "course-quiz-title"
        },
        csrf,
    );
    page.signed_in_as(ctx);
    let questions = QUESTIONS
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let n = i + 1;
            QuestionView {
                field: format!("p{n}"),
                text: page.t(&format!("course-q{n}")),
                options: (0..q.options)
                    .map(|o| {
                        let chosen = answers.get(i).copied().flatten() == Some(o);
                        (o, page.t(&format!("course-q{n}-{o}")), chosen)
                    })
                    .collect(),
                explanation: graded
                    .filter(|g| g.wrong.contains(&i))
                    .map(|_| page.t(&format!("course-q{n}-why"))),
            }
        })
        .collect();
    QuizPage {
        result: graded.map(|g| {
            page.t_with(
                "course-score",
                &[
                    ("score", i64::from(g.score)),
                    ("out_of", i64::from(g.out_of)),
                ],
            )
        }),
        passed: graded.is_some_and(|g| g.passed),
        pass_mark: course::PASS_MARK,
        questions,
        page,
    }
}

async fn quiz_get(State(state): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let (csrf, set) = auth::csrf_token(&headers);
    render(
        quiz_page(&state, &ctx, &csrf, &[], None),
        set.into_iter().collect(),
    )
}

async fn quiz_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let answers: Vec<Option<u8>> = (1..=QUESTIONS.len())
        .map(|n| {
            form.iter()
                .find(|(k, _)| *k == format!("p{n}"))
                .and_then(|(_, v)| v.parse().ok())
        })
        .collect();
    let graded = match state.course.answer(ctx.member_id, &answers, &caller).await {
        Ok(g) => g,
        Err(e) => return crate::savings::unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut r = render(
        quiz_page(&state, &ctx, &csrf, &answers, Some(&graded)),
        set.into_iter().collect(),
    );
    if !graded.passed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

async fn certificate_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    match state
        .course
        .certificate_pdf(state.documents.clone(), ctx.member_id, &caller)
        .await
    {
        Ok(r) => crate::credit_documents::pdf(r, "constancia-curso.pdf"),
        Err(CourseError::NotPassed) => crate::message::message_page(
            &state,
            &headers,
            StatusCode::NOT_FOUND,
            "course-title",
            "course-not-passed",
            ("/credito/curso", "course-go"),
        ),
        Err(e) => crate::savings::unavailable(e),
    }
}
