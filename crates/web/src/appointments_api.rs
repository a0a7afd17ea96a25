//! The appointments API. The offices and their free slots are public (no personal data); the
//! member's appointments need a session or a bearer token, and a change made with a session
//! cookie must repeat the CSRF token in `X-CSRF-Token`, like every cookie-authenticated change.
//! Errors are `{"error": code, "message": text}`: 404 for what is not found (someone else's
//! appointment included), 409 when the slot, the member's other appointments or the
//! appointment's own state stand in the way (`slot_full`, `appointment_already_booked`, …),
//! 422 for a day, time, procedure or state that cannot be booked.

use std::collections::BTreeMap;

use app::appointments::{AppointmentError, AppointmentView, Booking};
use app::requests::Acting;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use domain::appointments::{Office, Procedure, Slot};
use domain::audit::Channel;
use domain::registry::StateCode;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::accounts::{Peer, api_error};
use crate::appointments::parse_folio;
use crate::auth;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cesi/offices", get(api_offices_get))
        .route("/api/v1/cesi/offices/{code}/slots", get(api_slots_get))
        .route(
            "/api/v1/me/appointments",
            get(api_my_appointments_get).post(api_my_appointments_post),
        )
        .route(
            "/api/v1/me/appointments/{folio}",
            delete(api_my_appointment_delete),
        )
}

/// The HTTP status of each code a member can meet.
pub(crate) fn status_of(code: &str) -> StatusCode {
    match code {
        "appointment_not_found" | "office_not_found" | "member_not_found" => StatusCode::NOT_FOUND,
        "procedure_unknown"
        | "appointment_in_the_past"
        | "appointment_outside_window"
        | "slot_not_offered"
        | "state_invalid"
        | "date_format" => StatusCode::UNPROCESSABLE_ENTITY,
        "appointment_not_permitted" => StatusCode::FORBIDDEN,
        "service_unavailable"
        | "document_template"
        | "document_pdf"
        | "document_qr"
        | "document_fonts"
        | "document_input" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::CONFLICT,
    }
}

fn failed(state: &AppState, e: AppointmentError) -> Response {
    if matches!(e, AppointmentError::Store(_) | AppointmentError::Issue(_)) {
        tracing::error!(error = %e, "appointment call failed");
        return api_error(
            state,
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
        );
    }
    api_error(state, status_of(e.code()), e.code())
}

fn no_store(status: StatusCode, value: serde_json::Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(value)).into_response()
}

fn office_json(state: &AppState, office: &Office) -> serde_json::Value {
    let hours: serde_json::Map<String, serde_json::Value> = domain::appointments::offices::WEEKDAYS
        .iter()
        .enumerate()
        .map(|(i, (_, day))| {
            let text = office.hours.get(i).copied().flatten().map(|h| {
                let (opens, closes) = h.minutes();
                format!(
                    "{:02}:{:02}-{:02}:{:02}",
                    opens / 60,
                    opens % 60,
                    closes / 60,
                    closes % 60
                )
            });
            ((*day).to_owned(), json!(text))
        })
        .collect();
    let state_name = state
        .savings
        .tables()
        .state_by_inegi(office.state)
        .map(|s| s.name.clone());
    json!({
        "code": office.code.as_str(),
        "name": office.name,
        "state": office.state.0,
        "state_name": state_name,
        "city": office.city,
        "address": office.address,
        "desks": office.desks,
        "hours": hours,
    })
}

fn appointment_json(view: &AppointmentView) -> serde_json::Value {
    let a = &view.appointment;
    json!({
        "folio": a.folio.as_str(),
        "procedure": a.procedure.code(),
        "office": a.office.as_str(),
        "office_name": view.office.as_ref().map(|o| o.name.clone()),
        "office_address": view.office.as_ref().map(|o| o.address.clone()),
        "day": domain::dates::iso(a.slot.day),
        "time": a.slot.time_text(),
        "status": a.status.code(),
        "upcoming": view.upcoming,
        "changeable": view.changeable,
        "channel": a.channel.code(),
        "receipt": view.upcoming.then(|| format!("/tramites/citas/{}/comprobante.pdf", a.folio)),
    })
}

/// `GET /api/v1/cesi/offices?state=19`: every office, or those of one state (INEGI number).
pub(crate) async fn api_offices_get(
    State(state): State<AppState>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let offices = state.appointments.offices();
    let list: Vec<&Office> = match query.get("state").map(|s| s.trim()) {
        None | Some("") => offices.all().iter().collect(),
        Some(text) => match text.parse::<u8>().ok().and_then(StateCode::new) {
            Some(code) => offices.in_state(code),
            None => {
                return api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, "state_invalid");
            }
        },
    };
    let body: Vec<_> = list.iter().map(|o| office_json(&state, o)).collect();
    (StatusCode::OK, Json(json!({ "offices": body }))).into_response()
}

/// `GET /api/v1/cesi/offices/{code}/slots?from=&to=&procedure=`: the office's slots within the
/// booking window (from tomorrow, 30 days), each with its places left (0 when full).
pub(crate) async fn api_slots_get(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let Ok(office) = state.appointments.office(&code) else {
        return api_error(&state, StatusCode::NOT_FOUND, "office_not_found");
    };
    let procedure = match query.get("procedure").map(|p| p.trim()) {
        None | Some("") => None,
        Some(p) => match Procedure::from_code(p) {
            Some(p) => Some(p),
            None => {
                return api_error(
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "procedure_unknown",
                );
            }
        },
    };
    let mut dates = [None, None];
    for (slot, key) in dates.iter_mut().zip(["from", "to"]) {
        if let Some(text) = query.get(key).filter(|t| !t.trim().is_empty()) {
            match domain::dates::parse_iso(text) {
                Ok(day) => *slot = Some(day),
                Err(_) => {
                    return api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, "date_format");
                }
            }
        }
    }
    let [from, to] = dates;
    match state.appointments.free_slots(office, from, to).await {
        Ok(slots) => {
            let list: Vec<_> = slots
                .iter()
                .map(|a| {
                    json!({
                        "day": domain::dates::iso(a.slot.day),
                        "time": a.slot.time_text(),
                        "capacity": a.capacity,
                        "free": a.free,
                    })
                })
                .collect();
            let (first, last) = domain::appointments::window(
                state.appointments.today(),
                &state.appointments.rules(),
            );
            no_store(
                StatusCode::OK,
                json!({
                    "office": office.code.as_str(),
                    "procedure": procedure.map(Procedure::code),
                    "window": {"from": domain::dates::iso(first), "to": domain::dates::iso(last)},
                    "slot_minutes": state.appointments.rules().minutes,
                    "slots": list,
                }),
            )
        }
        Err(e) => failed(&state, e),
    }
}

pub(crate) async fn api_my_appointments_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::App);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return api_error(&state, StatusCode::UNAUTHORIZED, "not_signed_in");
    };
    match state.appointments.mine(ctx.member_id).await {
        Ok(mine) => {
            let list: Vec<_> = mine.iter().map(appointment_json).collect();
            no_store(StatusCode::OK, json!({ "appointments": list }))
        }
        Err(e) => failed(&state, e),
    }
}

/// A change made with a session cookie must repeat the CSRF token; a bearer token needs none.
fn csrf_refused(state: &AppState, headers: &HeaderMap, by_bearer: bool) -> Option<Response> {
    if by_bearer {
        return None;
    }
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (!auth::csrf_ok(headers, sent)).then(|| api_error(state, StatusCode::FORBIDDEN, "csrf_failed"))
}

#[derive(Deserialize)]
pub(crate) struct NewAppointmentBody {
    procedure: String,
    office: String,
    /// YYYY-MM-DD.
    day: String,
    /// HH:MM, the office's local time.
    time: String,
}

/// `POST /api/v1/me/appointments` with `{"procedure", "office", "day", "time"}`: 201 and the
/// appointment, or `slot_full` (409) when the last place went to someone else.
pub(crate) async fn api_my_appointments_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(body): Json<NewAppointmentBody>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::App);
    let Some((ctx, by_bearer)) = auth::member(&state, &headers, &caller).await else {
        return api_error(&state, StatusCode::UNAUTHORIZED, "not_signed_in");
    };
    if let Some(refused) = csrf_refused(&state, &headers, by_bearer) {
        return refused;
    }
    let Some(procedure) = Procedure::from_code(&body.procedure) else {
        return api_error(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "procedure_unknown",
        );
    };
    let Ok(day) = domain::dates::parse_iso(&body.day) else {
        return api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, "date_format");
    };
    let Some(slot) = Slot::parse_time(&body.time).and_then(|m| Slot::new(day, m)) else {
        return api_error(&state, StatusCode::UNPROCESSABLE_ENTITY, "slot_not_offered");
    };
    let booking = Booking {
        procedure,
        office: body.office,
        slot,
    };
    let booked = match state
        .appointments
        .book(
            ctx.member_id,
            &booking,
            Acting::Member(ctx.member_id),
            &caller,
        )
        .await
    {
        Ok(booked) => booked,
        Err(e) => return failed(&state, e),
    };
    match state
        .appointments
        .get(ctx.member_id, &booked.folio, &caller)
        .await
    {
        Ok(view) => {
            let mut response = no_store(StatusCode::CREATED, appointment_json(&view));
            let location = format!("/api/v1/me/appointments/{}", booked.folio);
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            response
        }
        Err(e) => failed(&state, e),
    }
}

/// `DELETE /api/v1/me/appointments/{folio}`: cancels it (until the day before) and answers
/// with the cancelled appointment.
pub(crate) async fn api_my_appointment_delete(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::App);
    let Some((ctx, by_bearer)) = auth::member(&state, &headers, &caller).await else {
        return api_error(&state, StatusCode::UNAUTHORIZED, "not_signed_in");
    };
    if let Some(refused) = csrf_refused(&state, &headers, by_bearer) {
        return refused;
    }
    let Some(folio) = parse_folio(&folio) else {
        return api_error(&state, StatusCode::NOT_FOUND, "appointment_not_found");
    };
    let cancelled = state
        .appointments
        .cancel(&folio, Acting::Member(ctx.member_id), &caller)
        .await;
    match cancelled {
        Ok(_) => match state.appointments.get(ctx.member_id, &folio, &caller).await {
            Ok(view) => no_store(StatusCode::OK, appointment_json(&view)),
            Err(e) => failed(&state, e),
        },
        Err(e) => failed(&state, e),
    }
}
