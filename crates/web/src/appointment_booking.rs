//! Booking an appointment, one question per page and no JavaScript: procedure → state → office
//! → day → time, each a plain GET form that carries the answers so far in its query; then
//! "check your answers" and one POST that books. A slot taken by someone else meanwhile sends
//! the member back to the times, with the reason.

use std::collections::BTreeMap;

use app::accounts::SessionContext;
use app::appointments::{AppointmentError, Booking};
use app::requests::Acting;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::appointments::{Availability, Office, Procedure, Slot};
use domain::registry::StateCode;
use time::Date;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::appointments::{bring_list, day_text, failed, hours_text, procedure_label};
use crate::auth;
use crate::components::SummaryRow;
use crate::page::{ErrorLine, Page};
use crate::questions::{Choice, Question, question_page};
use crate::savings::member_or_sign_in;

/// The days of a list of slots that still have room, with the places left in each.
pub(crate) fn days_with_room(slots: &[Availability]) -> Vec<(Date, u32)> {
    let mut days: Vec<(Date, u32)> = Vec::new();
    for a in slots.iter().filter(|a| a.free > 0) {
        match days.last_mut() {
            Some((day, free)) if *day == a.slot.day => *free += a.free,
            _ => days.push((a.slot.day, a.free)),
        }
    }
    days
}

/// The days with room, as choices.
pub(crate) fn day_choices(page: &Page, slots: &[Availability]) -> Vec<Choice> {
    days_with_room(slots)
        .into_iter()
        .map(|(day, free)| Choice {
            value: domain::dates::iso(day),
            label: day_text(page, day),
            hint: places_left(page, free),
        })
        .collect()
}

/// The times of `day` with room, as choices.
pub(crate) fn time_choices(page: &Page, slots: &[Availability], day: Date) -> Vec<Choice> {
    slots
        .iter()
        .filter(|a| a.slot.day == day && a.free > 0)
        .map(|a| Choice {
            value: a.slot.time_text(),
            label: a.slot.time_text(),
            hint: places_left(page, a.free),
        })
        .collect()
}

fn places_left(page: &Page, free: u32) -> String {
    page.t_with("appointment-places-left", &[("free", i64::from(free))])
}

/// A question sent back unanswered, or with something not on the list: which step it was.
pub(crate) fn sent_back(query: &BTreeMap<String, String>, step: usize) -> bool {
    query.get("paso").is_some_and(|p| *p == step.to_string())
}

/// The signed-in member's page, with the CSRF cookie to set if the browser had none.
fn member_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &SessionContext,
    title: &str,
) -> (Page, Option<axum::http::HeaderValue>) {
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, title, &csrf);
    page.signed_in_as(ctx);
    (page, set)
}

/// The five questions: the query parameter each answers, its question, and the error shown when
/// it is sent back unanswered.
const STEPS: [(&str, &str, &str, &str); 5] = [
    (
        "tramite",
        "appointment-step-procedure",
        "appointment-procedure-question",
        "appointment-choose-procedure",
    ),
    (
        "estado",
        "appointment-step-state",
        "appointment-state-question",
        "appointment-choose-state",
    ),
    (
        "oficina",
        "appointment-step-office",
        "appointment-office-question",
        "appointment-choose-office",
    ),
    (
        "dia",
        "appointment-step-day",
        "appointment-day-question",
        "appointment-choose-day",
    ),
    (
        "hora",
        "appointment-step-time",
        "appointment-time-question",
        "appointment-choose-time",
    ),
];

/// The answers read from a query or a form; each is kept only if it fits the ones before it
/// (an office of the state, a day and a time with room at that office).
struct Answers<'a> {
    procedure: Option<Procedure>,
    state: Option<StateCode>,
    office: Option<&'a Office>,
    day: Option<Date>,
    time: Option<Slot>,
    /// The office's slots in the booking window, once an office is chosen.
    slots: Vec<Availability>,
}

impl<'a> Answers<'a> {
    async fn read(
        state: &'a AppState,
        query: &BTreeMap<String, String>,
    ) -> Result<Answers<'a>, AppointmentError> {
        let offices = state.appointments.offices();
        let get = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let procedure = get("tramite").and_then(Procedure::from_code);
        let office = get("oficina").and_then(|c| offices.by_code(c));
        // The booking form carries no state: the office's is taken.
        let state_code = get("estado")
            .and_then(|s| s.parse::<u8>().ok())
            .and_then(StateCode::new)
            .or(office.map(|o| o.state))
            .filter(|s| offices.states().contains(s))
            .filter(|_| procedure.is_some());
        let mut answers = Answers {
            procedure,
            state: state_code,
            office: None,
            day: None,
            time: None,
            slots: Vec::new(),
        };
        let Some(office) = office.filter(|o| Some(o.state) == state_code) else {
            return Ok(answers);
        };
        answers.office = Some(office);
        answers.slots = state.appointments.free_slots(office, None, None).await?;
        answers.day = get("dia")
            .and_then(|d| domain::dates::parse_iso(d).ok())
            .filter(|d| {
                days_with_room(&answers.slots)
                    .iter()
                    .any(|(day, _)| day == d)
            });
        answers.time = answers.day.and_then(|day| {
            let minute = get("hora").and_then(Slot::parse_time)?;
            answers
                .slots
                .iter()
                .find(|a| a.slot.day == day && a.slot.minute == minute && a.free > 0)
                .map(|a| a.slot)
        });
        Ok(answers)
    }

    /// The first question not answered yet (1 to 5); 6 when all are.
    fn step(&self) -> usize {
        [
            self.procedure.is_some(),
            self.state.is_some(),
            self.office.is_some(),
            self.day.is_some(),
            self.time.is_some(),
        ]
        .iter()
        .position(|done| !done)
        .map_or(6, |i| i + 1)
    }

    /// The answers to the questions before `step`, as (parameter, value).
    fn before(&self, step: usize) -> Vec<(&'static str, String)> {
        let values = [
            self.procedure.map(|p| p.code().to_owned()),
            self.state.map(|s| s.0.to_string()),
            self.office.map(|o| o.code.to_string()),
            self.day.map(domain::dates::iso),
            self.time.map(|s| s.time_text()),
        ];
        STEPS
            .iter()
            .zip(values)
            .take(step.saturating_sub(1))
            .filter_map(|((param, ..), value)| value.map(|v| (*param, v)))
            .collect()
    }

    /// Where the question of `step` is asked again, keeping the answers before it.
    fn href(&self, step: usize) -> String {
        let query = serde_urlencoded::to_string(self.before(step)).unwrap_or_default();
        format!("/tramites/citas/nueva?{query}")
    }

    /// The answers before `step`, each with a link to change it.
    fn chosen(&self, state: &AppState, page: &Page, step: usize) -> Vec<SummaryRow> {
        let state_name = |s: StateCode| {
            let tables = state.savings.tables();
            tables.state_by_inegi(s).map(|s| s.name.clone())
        };
        let values = [
            self.procedure.map(|p| procedure_label(page, p)),
            self.state.and_then(state_name),
            self.office.map(|o| format!("{} — {}", o.name, o.address)),
            self.day.map(|d| day_text(page, d)),
            self.time
                .map(|s| page.t_text("appointment-time-local", &[("time", s.time_text())])),
        ];
        STEPS
            .iter()
            .zip(values)
            .enumerate()
            .take(step.saturating_sub(1))
            .filter_map(|(i, ((_, name, ..), value))| {
                Some(SummaryRow {
                    key: page.t(name),
                    value: value?,
                    change_href: Some(self.href(i + 1)),
                })
            })
            .collect()
    }
}

/// The first unanswered question, with `error` on it when given.
fn booking_question(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &SessionContext,
    answers: &Answers<'_>,
    error: Option<(&'static str, StatusCode)>,
) -> Response {
    let step = answers.step().min(5);
    let (page, set) = member_page(state, headers, ctx, "appointment-new-title");
    let offices = state.appointments.offices();
    let choices: Vec<Choice> = match step {
        1 => Procedure::ALL
            .iter()
            .map(|p| Choice {
                value: p.code().to_owned(),
                label: procedure_label(&page, *p),
                hint: page.t(&format!("appointment-procedure-{}-hint", p.code())),
            })
            .collect(),
        2 => offices
            .states()
            .into_iter()
            .filter_map(|code| state.savings.tables().state_by_inegi(code))
            .map(|s| Choice {
                value: s.inegi.0.to_string(),
                label: s.name.clone(),
                hint: String::new(),
            })
            .collect(),
        3 => answers
            .state
            .map(|s| offices.in_state(s))
            .unwrap_or_default()
            .into_iter()
            .map(|o| Choice {
                value: o.code.to_string(),
                label: o.name.clone(),
                hint: format!("{} · {}", o.address, hours_text(&page, o)),
            })
            .collect(),
        4 => day_choices(&page, &answers.slots),
        _ => answers
            .day
            .map(|day| time_choices(&page, &answers.slots, day))
            .unwrap_or_default(),
    };
    let (field, _, question, _) = STEPS[step - 1];
    let mut hidden = answers.before(step);
    hidden.push(("paso", step.to_string()));
    let (back_href, back_label) = if step == 1 {
        ("/tramites/citas".to_owned(), page.t("appointments-back"))
    } else {
        (answers.href(step - 1), page.t("appointment-back"))
    };
    let q = Question {
        step,
        step_names: STEPS.iter().map(|(_, name, ..)| page.t(name)).collect(),
        steps_label: page.t("appointment-steps-label"),
        intro: String::new(),
        chosen: answers.chosen(state, &page, step),
        method: "get",
        action: if step == 5 {
            "/tramites/citas/revisar".into()
        } else {
            "/tramites/citas/nueva".into()
        },
        hidden,
        field,
        question: page.t(question),
        select: step == 2,
        empty: page.t("appointment-no-days"),
        choices,
        submit: page.t("continue"),
        back_href,
        back_label,
    };
    question_page(page, set, q, error)
}

/// The error of a question sent back unanswered.
fn unanswered(query: &BTreeMap<String, String>, step: usize) -> Option<(&'static str, StatusCode)> {
    let (.., error) = STEPS.get(step.checked_sub(1)?)?;
    sent_back(query, step).then_some((*error, StatusCode::UNPROCESSABLE_ENTITY))
}

pub(crate) async fn view_new_appointment_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let answers = match Answers::read(&state, &query).await {
        Ok(a) => a,
        Err(e) => return failed(&state, &headers, e),
    };
    let step = answers.step();
    if step > 5 {
        let query = serde_urlencoded::to_string(answers.before(6)).unwrap_or_default();
        return Redirect::to(&format!("/tramites/citas/revisar?{query}")).into_response();
    }
    booking_question(&state, &headers, &ctx, &answers, unanswered(&query, step))
}

// ----- check your answers, then book --------------------------------------------------------

#[derive(Template)]
#[template(path = "appointment_check.html")]
struct CheckPage {
    page: Page,
    errors: Vec<ErrorLine>,
    rows: Vec<SummaryRow>,
    bring: Vec<String>,
    hidden: Vec<(&'static str, String)>,
}

/// Every answer with a "Cambiar" link, what to bring, and the button that books; `error` is a
/// refusal of the booking to show above them.
fn check_page(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &SessionContext,
    answers: &Answers<'_>,
    error: Option<&'static str>,
) -> Response {
    let (mut page, set) = member_page(state, headers, ctx, "appointment-check-title");
    page.has_errors = error.is_some();
    let errors: Vec<ErrorLine> = error
        .map(|code| ErrorLine {
            field: "confirmar".into(),
            message: page.t(code),
        })
        .into_iter()
        .collect();
    let template = CheckPage {
        errors,
        rows: answers.chosen(state, &page, 6),
        bring: answers
            .procedure
            .map(|p| bring_list(&page, p))
            .unwrap_or_default(),
        hidden: answers.before(6),
        page,
    };
    let mut response = render(template, set.into_iter().collect());
    if error.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    response
}

pub(crate) async fn view_check_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let answers = match Answers::read(&state, &query).await {
        Ok(a) => a,
        Err(e) => return failed(&state, &headers, e),
    };
    match answers.step() {
        6 => check_page(&state, &headers, &ctx, &answers, None),
        step => booking_question(&state, &headers, &ctx, &answers, unanswered(&query, step)),
    }
}

pub(crate) async fn view_book_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let csrf = form.get("csrf").map(String::as_str).unwrap_or("");
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let booking = Procedure::from_code(get("tramite"))
        .zip(Slot::parse(get("dia"), get("hora")))
        .map(|(procedure, slot)| Booking {
            procedure,
            office: get("oficina").to_owned(),
            slot,
        });
    let refusal = match booking {
        Some(booking) => {
            let acting = Acting::Member(ctx.member_id);
            match state
                .appointments
                .book(ctx.member_id, &booking, acting, &caller)
                .await
            {
                Ok(booked) => {
                    let to = format!("/tramites/citas/{}?agendada=1", booked.folio);
                    return Redirect::to(&to).into_response();
                }
                Err(e) => Some(e),
            }
        }
        None => None,
    };
    // Read again: a slot that filled meanwhile is no longer an answer, so the member is asked
    // for another time (or day).
    let answers = match Answers::read(&state, &form).await {
        Ok(a) => a,
        Err(e) => return failed(&state, &headers, e),
    };
    let question = |error| booking_question(&state, &headers, &ctx, &answers, error);
    match refusal {
        None | Some(AppointmentError::OfficeNotFound | AppointmentError::UnknownProcedure) => {
            question(None)
        }
        Some(AppointmentError::SlotFull) => question(Some(("slot_full", StatusCode::CONFLICT))),
        Some(AppointmentError::Slot(e)) => {
            question(Some((e.code(), StatusCode::UNPROCESSABLE_ENTITY)))
        }
        Some(e @ (AppointmentError::AlreadyBooked | AppointmentError::TimeTaken)) => {
            check_page(&state, &headers, &ctx, &answers, Some(e.code()))
        }
        Some(other) => failed(&state, &headers, other),
    }
}
