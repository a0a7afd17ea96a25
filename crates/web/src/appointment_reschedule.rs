//! Moving an appointment: the day (a GET form), then the time (a POST). The appointment keeps
//! its time until the new one is confirmed; a slot that filled meanwhile asks again.

use std::collections::BTreeMap;

use app::accounts::{Caller, SessionContext};
use app::appointments::AppointmentError;
use app::requests::Acting;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::appointments::{Slot, SlotError};
use domain::audit::Channel;
use store::AppointmentStatus;

use crate::AppState;
use crate::accounts::Peer;
use crate::appointment_booking::{day_choices, days_with_room, sent_back, time_choices};
use crate::appointments::{day_text, failed, not_found, parse_folio, when_text};
use crate::auth;
use crate::components::SummaryRow;
use crate::page::Page;
use crate::questions::{Question, question_page};

/// The day question, or the time question once a day with room is chosen.
async fn reschedule_question(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &SessionContext,
    caller: &Caller,
    folio: &str,
    query: &BTreeMap<String, String>,
    error: Option<(&'static str, StatusCode)>,
) -> Response {
    let Some(folio) = parse_folio(folio) else {
        return not_found(state, headers);
    };
    let view = match state.appointments.get(ctx.member_id, &folio, caller).await {
        Ok(v) if v.appointment.status == AppointmentStatus::Cancelled => {
            return failed(state, headers, AppointmentError::Cancelled);
        }
        Ok(v) if !v.changeable => {
            return failed(state, headers, SlotError::TooLateToChange.into());
        }
        Ok(v) => v,
        Err(e) => return failed(state, headers, e),
    };
    let Some(office) = view.office.as_ref() else {
        return failed(state, headers, AppointmentError::OfficeNotFound);
    };
    let current = view.appointment.slot;
    let slots = match state.appointments.free_slots(office, None, None).await {
        Ok(s) => s
            .into_iter()
            .filter(|a| a.slot != current)
            .collect::<Vec<_>>(),
        Err(e) => return failed(state, headers, e),
    };
    let (csrf, set) = auth::csrf_token(headers);
    let mut page = Page::new(&state.messages, "appointment-reschedule-title", &csrf);
    page.signed_in_as(ctx);
    let day = query
        .get("dia")
        .and_then(|d| domain::dates::parse_iso(d).ok())
        .filter(|d| days_with_room(&slots).iter().any(|(day, _)| day == d));
    let base = format!("/tramites/citas/{folio}/cambiar");
    let mut chosen = vec![SummaryRow {
        key: page.t("appointment-when"),
        value: when_text(&page, current),
        change_href: None,
    }];
    let step = if day.is_some() { 2 } else { 1 };
    let mut hidden = vec![("paso", step.to_string())];
    let (field, question, choices, unanswered) = match day {
        None => (
            "dia",
            "appointment-day-question",
            day_choices(&page, &slots),
            "appointment-choose-day",
        ),
        Some(day) => {
            chosen.push(SummaryRow {
                key: page.t("appointment-step-day"),
                value: day_text(&page, day),
                change_href: Some(base.clone()),
            });
            hidden.push(("dia", domain::dates::iso(day)));
            (
                "hora",
                "appointment-time-question",
                time_choices(&page, &slots, day),
                "appointment-choose-time",
            )
        }
    };
    let error =
        error.or(sent_back(query, step).then_some((unanswered, StatusCode::UNPROCESSABLE_ENTITY)));
    let q = Question {
        step,
        step_names: vec![
            page.t("appointment-step-day"),
            page.t("appointment-step-time"),
        ],
        steps_label: page.t("appointment-reschedule-title"),
        intro: page.t("appointment-reschedule-intro"),
        chosen,
        method: if step == 2 { "post" } else { "get" },
        action: base.clone(),
        hidden,
        field,
        question: page.t(question),
        select: false,
        empty: page.t("appointment-no-days"),
        choices,
        submit: page.t(if step == 2 {
            "appointment-reschedule-confirm"
        } else {
            "continue"
        }),
        back_href: if step == 2 {
            base
        } else {
            format!("/tramites/citas/{folio}")
        },
        back_label: page.t("appointment-back"),
    };
    question_page(page, set, q, error)
}

pub(crate) async fn view_reschedule_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    reschedule_question(&state, &headers, &ctx, &caller, &folio, &query, None).await
}

pub(crate) async fn view_reschedule_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio_text): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let csrf = form.get("csrf").map(String::as_str).unwrap_or("");
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(folio) = parse_folio(&folio_text) else {
        return not_found(&state, &headers);
    };
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let ask_again =
        |error| reschedule_question(&state, &headers, &ctx, &caller, &folio_text, &form, error);
    let Some(to) = Slot::parse(get("dia"), get("hora")) else {
        return ask_again(None).await;
    };
    match state
        .appointments
        .reschedule(&folio, to, Acting::Member(ctx.member_id), &caller)
        .await
    {
        Ok(_) => Redirect::to(&format!("/tramites/citas/{folio}?cambiada=1")).into_response(),
        Err(e @ (AppointmentError::SlotFull | AppointmentError::SameSlot)) => {
            ask_again(Some((e.code(), StatusCode::CONFLICT))).await
        }
        Err(AppointmentError::Slot(
            e @ (SlotError::NotOffered | SlotError::OutsideWindow | SlotError::Past),
        )) => ask_again(Some((e.code(), StatusCode::UNPROCESSABLE_ENTITY))).await,
        Err(e) => failed(&state, &headers, e),
    }
}
