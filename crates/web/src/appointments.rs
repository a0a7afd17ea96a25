//! "Citas en un CESI" pages: the member's appointments, one appointment (the confirmation after
//! booking or moving it), its receipt, and cancelling it. Booking and moving are in
//! `appointment_booking`; the JSON API in `appointments_api`. The member is always the signed-in
//! one: a folio of someone else's answers like one that does not exist.

use std::collections::BTreeMap;

use app::appointments::{AppointmentError, AppointmentView};
use app::requests::Acting;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::appointments::{AppointmentFolio, Office, Procedure, Slot};
use domain::audit::Channel;
use store::AppointmentStatus;
use time::Date;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::components::SummaryRow;
use crate::format;
use crate::message::message_page;
use crate::page::Page;
use crate::savings::member_or_sign_in;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/tramites/citas",
            get(view_appointments_get).post(crate::appointment_booking::view_book_post),
        )
        .route(
            "/tramites/citas/nueva",
            get(crate::appointment_booking::view_new_appointment_get),
        )
        .route(
            "/tramites/citas/revisar",
            get(crate::appointment_booking::view_check_get),
        )
        .route("/tramites/citas/{folio}", get(view_appointment_get))
        .route(
            "/tramites/citas/{folio}/comprobante.pdf",
            get(receipt_pdf_get),
        )
        .route(
            "/tramites/citas/{folio}/cambiar",
            get(crate::appointment_reschedule::view_reschedule_get)
                .post(crate::appointment_reschedule::view_reschedule_post),
        )
        .route(
            "/tramites/citas/{folio}/cancelar",
            get(view_cancel_get).post(view_cancel_post),
        )
}

// ----- labels shared by the pages --------------------------------------------------------

pub(crate) fn procedure_label(page: &Page, procedure: Procedure) -> String {
    page.t(&format!("appointment-procedure-{}", procedure.code()))
}

/// "jueves 3 de diciembre de 2026" / "Thursday 3 December 2026".
pub(crate) fn day_text(page: &Page, day: Date) -> String {
    format!(
        "{} {}",
        page.t(&format!("weekday-{}", day.weekday().number_from_monday())),
        format::date(day, page.lang_id())
    )
}

/// "jueves 3 de diciembre de 2026, 10:30 h, hora local de la oficina".
pub(crate) fn when_text(page: &Page, slot: Slot) -> String {
    format!(
        "{}, {}",
        day_text(page, slot.day),
        page.t_text("appointment-time-local", &[("time", slot.time_text())])
    )
}

/// "lunes–viernes 08:30–14:30 · sábado 08:30–14:30": consecutive days with the same hours
/// grouped.
pub(crate) fn hours_text(page: &Page, office: &Office) -> String {
    let mut groups: Vec<(u8, u8, String)> = Vec::new();
    for (n, (_, _)) in domain::appointments::offices::WEEKDAYS.iter().enumerate() {
        let Some(hours) = office.hours.get(n).copied().flatten() else {
            continue;
        };
        let (opens, closes) = hours.minutes();
        let text = format!(
            "{:02}:{:02}–{:02}:{:02}",
            opens / 60,
            opens % 60,
            closes / 60,
            closes % 60
        );
        let day = u8::try_from(n + 1).unwrap_or(1);
        match groups.last_mut() {
            Some((_, last, hours)) if *hours == text && *last + 1 == day => *last = day,
            _ => groups.push((day, day, text)),
        }
    }
    groups
        .into_iter()
        .map(|(first, last, hours)| {
            let name = |d: u8| page.t(&format!("weekday-{d}"));
            if first == last {
                format!("{} {hours}", name(first))
            } else {
                format!("{}–{} {hours}", name(first), name(last))
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(crate) fn status_label(page: &Page, view: &AppointmentView) -> String {
    let code = match view.appointment.status {
        AppointmentStatus::Cancelled => "cancelled",
        AppointmentStatus::Booked if view.upcoming => "booked",
        AppointmentStatus::Booked => "past",
    };
    page.t(&format!("appointment-status-{code}"))
}

pub(crate) fn bring_list(page: &Page, procedure: Procedure) -> Vec<String> {
    procedure
        .bring()
        .iter()
        .map(|d| page.t(&format!("appointment-bring-{d}")))
        .collect()
}

fn row(key: String, value: String) -> SummaryRow {
    SummaryRow {
        key,
        value,
        change_href: None,
    }
}

/// The summary of an appointment: folio, procedure, status, office, address, time, channel.
pub(crate) fn summary(page: &Page, view: &AppointmentView) -> Vec<SummaryRow> {
    let a = &view.appointment;
    let mut rows = vec![
        row(page.t("appointment-folio"), a.folio.as_str().to_owned()),
        row(
            page.t("appointment-procedure"),
            procedure_label(page, a.procedure),
        ),
        row(page.t("appointment-status"), status_label(page, view)),
    ];
    match &view.office {
        Some(office) => {
            rows.push(row(page.t("appointment-office"), office.name.clone()));
            rows.push(row(page.t("appointment-address"), office.address.clone()));
        }
        None => rows.push(row(page.t("appointment-office"), a.office.to_string())),
    }
    rows.push(row(page.t("appointment-when"), when_text(page, a.slot)));
    rows.push(row(
        page.t("appointment-channel"),
        page.t(&format!("appointment-channel-{}", a.channel.code())),
    ));
    rows
}

pub(crate) fn not_found(state: &AppState, headers: &HeaderMap) -> Response {
    message_page(
        state,
        headers,
        StatusCode::NOT_FOUND,
        "appointment-title",
        "appointment_not_found",
        ("/tramites/citas", "appointments-back"),
    )
}

/// An error a member can do something about, on a page of its own; the rest is a 503.
pub(crate) fn failed(state: &AppState, headers: &HeaderMap, e: AppointmentError) -> Response {
    let status = match &e {
        AppointmentError::NotFound => return not_found(state, headers),
        AppointmentError::Store(_) | AppointmentError::Issue(_) => {
            return crate::savings::unavailable(e);
        }
        AppointmentError::OfficeNotFound | AppointmentError::NoMember => StatusCode::NOT_FOUND,
        AppointmentError::NotPermitted => StatusCode::FORBIDDEN,
        AppointmentError::Slot(_) | AppointmentError::UnknownProcedure => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::CONFLICT,
    };
    message_page(
        state,
        headers,
        status,
        "appointment-title",
        e.code(),
        ("/tramites/citas", "appointments-back"),
    )
}

pub(crate) fn parse_folio(text: &str) -> Option<AppointmentFolio> {
    AppointmentFolio::parse(text).ok()
}

// ----- Mis citas ---------------------------------------------------------------------------

pub(crate) struct AppointmentCard {
    pub href: String,
    pub heading: String,
    pub rows: Vec<SummaryRow>,
}

#[derive(Template)]
#[template(path = "appointments.html")]
struct AppointmentsPage {
    page: Page,
    notice: String,
    upcoming: Vec<AppointmentCard>,
    past: Vec<AppointmentCard>,
}

pub(crate) async fn view_appointments_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let mine = match state.appointments.mine(ctx.member_id).await {
        Ok(mine) => mine,
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "appointments-title", &csrf);
    page.signed_in_as(&ctx);
    // Only a folio of the member's own, cancelled, is named back.
    let notice = query
        .get("cancelada")
        .and_then(|f| parse_folio(f))
        .filter(|f| {
            mine.iter().any(|v| {
                v.appointment.folio == *f && v.appointment.status == AppointmentStatus::Cancelled
            })
        })
        .map(|f| page.t_text("appointments-cancelled-notice", &[("folio", f.to_string())]))
        .unwrap_or_default();
    let card = |v: &AppointmentView| AppointmentCard {
        href: format!("/tramites/citas/{}", v.appointment.folio),
        heading: format!(
            "{} · {}",
            procedure_label(&page, v.appointment.procedure),
            day_text(&page, v.appointment.slot.day)
        ),
        rows: summary(&page, v),
    };
    let (upcoming, past): (Vec<_>, Vec<_>) = mine.iter().partition(|v| v.upcoming);
    let template = AppointmentsPage {
        notice,
        upcoming: upcoming.into_iter().map(card).collect(),
        past: past.into_iter().map(card).collect(),
        page,
    };
    render(template, set.into_iter().collect())
}

// ----- one appointment ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "appointment.html")]
struct AppointmentPage {
    page: Page,
    /// The confirmation panel's title after booking or moving; empty otherwise.
    panel: String,
    folio: String,
    rows: Vec<SummaryRow>,
    bring: Vec<String>,
    /// Booked and to come: the receipt is offered.
    upcoming: bool,
    changeable: bool,
    reschedule_href: String,
    cancel_href: String,
}

pub(crate) async fn view_appointment_get(
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
    let Some(folio) = parse_folio(&folio) else {
        return not_found(&state, &headers);
    };
    let view = match state.appointments.get(ctx.member_id, &folio, &caller).await {
        Ok(view) => view,
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "appointment-title", &csrf);
    page.signed_in_as(&ctx);
    let booked = view.appointment.status == AppointmentStatus::Booked;
    let panel = if booked && query.contains_key("agendada") {
        page.t("appointment-booked-title")
    } else if booked && query.contains_key("cambiada") {
        page.t("appointment-rescheduled-title")
    } else {
        String::new()
    };
    if !panel.is_empty() {
        page.title = panel.clone();
    }
    let template = AppointmentPage {
        panel,
        folio: folio.to_string(),
        rows: summary(&page, &view),
        bring: bring_list(&page, view.appointment.procedure),
        upcoming: view.upcoming,
        changeable: view.changeable,
        reschedule_href: format!("/tramites/citas/{folio}/cambiar"),
        cancel_href: format!("/tramites/citas/{folio}/cancelar"),
        page,
    };
    render(template, set.into_iter().collect())
}

pub(crate) async fn receipt_pdf_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Some(folio) = parse_folio(&folio) else {
        return not_found(&state, &headers);
    };
    match state
        .appointments
        .receipt(state.documents.clone(), ctx.member_id, &folio, &caller)
        .await
    {
        Ok(rendered) => crate::credit_documents::pdf(rendered, &format!("cita-{folio}.pdf")),
        Err(e) => failed(&state, &headers, e),
    }
}

// ----- cancelling ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "appointment_cancel.html")]
struct CancelPage {
    page: Page,
    folio: String,
    rows: Vec<SummaryRow>,
}

pub(crate) async fn view_cancel_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Some(folio) = parse_folio(&folio) else {
        return not_found(&state, &headers);
    };
    let view = match state.appointments.get(ctx.member_id, &folio, &caller).await {
        Ok(view) if view.appointment.status == AppointmentStatus::Cancelled => {
            return failed(&state, &headers, AppointmentError::Cancelled);
        }
        Ok(view) if !view.changeable => {
            return failed(
                &state,
                &headers,
                domain::appointments::SlotError::TooLateToChange.into(),
            );
        }
        Ok(view) => view,
        Err(e) => return failed(&state, &headers, e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "appointment-cancel-title", &csrf);
    page.signed_in_as(&ctx);
    let template = CancelPage {
        folio: folio.to_string(),
        rows: summary(&page, &view),
        page,
    };
    render(template, set.into_iter().collect())
}

#[derive(serde::Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn view_cancel_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (ctx, caller) = match auth::member_post(&state, &headers, peer, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let Some(folio) = parse_folio(&folio) else {
        return not_found(&state, &headers);
    };
    match state
        .appointments
        .cancel(&folio, Acting::Member(ctx.member_id), &caller)
        .await
    {
        Ok(_) => Redirect::to(&format!("/tramites/citas?cancelada={folio}")).into_response(),
        Err(e) => failed(&state, &headers, e),
    }
}
