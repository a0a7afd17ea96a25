//! CESI appointments in the back office: an office's day for the clerks who receive members,
//! and booking for a member on the phone or at the desk through the member's own use case
//! (`Appointments::book` as `Acting::ForMember`, the channel and the operator recorded).

use app::appointments::Booking;
use app::requests::Acting;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::appointments::{Procedure, Slot};
use domain::operators::Permission;
use domain::registry::MemberId;
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{Peer, render};
use crate::auth;
use crate::backoffice::{OpFrame, OpMessagePage, caller, failed, frame, operator, operator_post};
use crate::components::TableView;
use crate::format;
use crate::page::Page;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/operacion/citas", get(office_day_get))
        .route(
            "/operacion/miembros/{id}/cita",
            get(book_for_get).post(book_for_post),
        )
}

#[derive(Template)]
#[template(path = "op_appointments.html")]
struct OfficeDayPage {
    page: Page,
    op: OpFrame,
    offices: Vec<(String, String, bool)>,
    day: String,
    table: Option<TableView>,
}

#[derive(Deserialize, Default)]
struct DayQuery {
    oficina: Option<String>,
    dia: Option<String>,
}

fn offices(state: &AppState, selected: &str) -> Vec<(String, String, bool)> {
    state
        .appointments
        .offices()
        .all()
        .iter()
        .map(|o| {
            let code = o.code.as_str().to_owned();
            let chosen = code == selected;
            (code, format!("{} ({})", o.name, o.city), chosen)
        })
        .collect()
}

fn appointment_error(state: &AppState, e: app::appointments::AppointmentError) -> Response {
    let page = Page::new(&state.messages, "op-error-title", "");
    let text = page.t(e.code());
    let mut response = render(
        OpMessagePage {
            page,
            op: None,
            text,
        },
        Vec::new(),
    );
    *response.status_mut() = match e {
        app::appointments::AppointmentError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        app::appointments::AppointmentError::SlotFull => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    response
}

/// The appointments booked at an office on a day, by time.
async fn office_day_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(q): Query<DayQuery>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let caller = caller(&headers, peer);
    if let Err(e) = state
        .backoffice
        .require(&ctx, Permission::ActForMember, "office_day", &caller)
        .await
    {
        return failed(&state, Some(&ctx), e);
    }
    let office = q.oficina.unwrap_or_default();
    let day = q
        .dia
        .as_deref()
        .and_then(|d| domain::dates::parse_iso(d).ok())
        .unwrap_or_else(|| state.appointments.today());
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-appointments-title", &csrf);
    let table = if office.is_empty() {
        None
    } else {
        let list = match state
            .appointments
            .office_day(&office, day, Acting::Operator(ctx.operator_id), &caller)
            .await
        {
            Ok(list) => list,
            Err(e) => return appointment_error(&state, e),
        };
        Some(TableView {
            caption: page.t_text(
                "op-appointments-caption",
                &[("day", format::date(day, page.lang_id()))],
            ),
            head: [
                "op-appointment-time",
                "op-folio",
                "op-procedure",
                "op-stage",
                "op-member",
            ]
            .iter()
            .map(|id| page.t(id))
            .collect(),
            numeric: vec![false; 5],
            rows: list
                .iter()
                .map(|a| {
                    vec![
                        a.slot.time_text(),
                        a.folio.as_str().to_owned(),
                        page.t(&format!("appointment-procedure-{}", a.procedure.code())),
                        page.t(&format!("appointment-status-{}", a.status.code())),
                        format!("#{}", a.member_id.0),
                    ]
                })
                .collect(),
        })
    };
    let op = frame(&page, &ctx);
    render(
        OfficeDayPage {
            offices: offices(&state, &office),
            day: domain::dates::iso(day),
            table,
            op,
            page,
        },
        set.into_iter().collect(),
    )
}

#[derive(Template)]
#[template(path = "op_book_for.html")]
struct BookForPage {
    page: Page,
    op: OpFrame,
    member_id: i64,
    offices: Vec<(String, String, bool)>,
    procedures: Vec<(String, String, bool)>,
    day: String,
    /// The free times of the chosen office and day: minute of the day and its text.
    slots: Option<Vec<(u16, String)>>,
    office: String,
    procedure: String,
}

#[derive(Deserialize, Default)]
struct BookForQuery {
    oficina: Option<String>,
    tramite: Option<String>,
    dia: Option<String>,
}

/// Step one: the procedure, the office and the day; then the free times of that day.
async fn book_for_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<BookForQuery>,
) -> Response {
    let (_, ctx) = match operator(&state, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    if let Err(e) = state
        .backoffice
        .require(
            &ctx,
            Permission::ActForMember,
            "book_for_member",
            &caller(&headers, peer),
        )
        .await
    {
        return failed(&state, Some(&ctx), e);
    }
    let office = q.oficina.unwrap_or_default();
    let procedure = q.tramite.unwrap_or_default();
    let day = q
        .dia
        .as_deref()
        .and_then(|d| domain::dates::parse_iso(d).ok());
    let (csrf, set) = auth::csrf_token(&headers);
    let page = Page::new(&state.messages, "op-book-for-title", &csrf);
    let slots = match (state.appointments.office(&office), day) {
        (Ok(found), Some(day)) => match state
            .appointments
            .free_slots(found, Some(day), Some(day))
            .await
        {
            Ok(list) => Some(
                list.into_iter()
                    .filter(|a| a.free > 0)
                    .map(|a| (a.slot.minute, a.slot.time_text()))
                    .collect(),
            ),
            Err(e) => return appointment_error(&state, e),
        },
        _ => None,
    };
    let procedures = Procedure::ALL
        .iter()
        .map(|p| {
            (
                p.code().to_owned(),
                page.t(&format!("appointment-procedure-{}", p.code())),
                p.code() == procedure,
            )
        })
        .collect();
    let op = frame(&page, &ctx);
    render(
        BookForPage {
            member_id: id,
            offices: offices(&state, &office),
            procedures,
            day: day.map_or_else(String::new, domain::dates::iso),
            slots,
            office,
            procedure,
            op,
            page,
        },
        set.into_iter().collect(),
    )
}

#[derive(Deserialize)]
struct BookForForm {
    csrf: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    oficina: String,
    #[serde(default)]
    tramite: String,
    #[serde(default)]
    dia: String,
    #[serde(default)]
    minuto: String,
}

async fn book_for_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<BookForForm>,
) -> Response {
    let (_, ctx) = match operator_post(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let base = caller(&headers, peer);
    if let Err(e) = state
        .backoffice
        .require(&ctx, Permission::ActForMember, "book_for_member", &base)
        .await
    {
        return failed(&state, Some(&ctx), e);
    }
    let Some(channel) = app::backoffice::serving_channel(&form.channel) else {
        return failed(
            &state,
            Some(&ctx),
            app::backoffice::BackOfficeError::ChannelRequired,
        );
    };
    let slot = domain::dates::parse_iso(&form.dia)
        .ok()
        .zip(form.minuto.parse::<u16>().ok())
        .and_then(|(day, minute)| Slot::new(day, minute));
    let (Some(procedure), Some(slot)) = (Procedure::from_code(&form.tramite), slot) else {
        return appointment_error(
            &state,
            app::appointments::AppointmentError::UnknownProcedure,
        );
    };
    let member = MemberId(id);
    let booking = Booking {
        procedure,
        office: form.oficina.clone(),
        slot,
    };
    let serving = app::accounts::Caller { channel, ..base };
    match state
        .appointments
        .book(
            member,
            &booking,
            Acting::ForMember {
                member,
                operator: ctx.operator_id,
            },
            &serving,
        )
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/operacion/citas?oficina={}&dia={}",
            form.oficina,
            domain::dates::iso(slot.day)
        ))
        .into_response(),
        Err(e) => appointment_error(&state, e),
    }
}
