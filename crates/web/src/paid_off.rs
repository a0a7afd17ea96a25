//! "Trámites" for a paid-off credit: the deeds of a credit of 1972–2007 (delivered at the CESI
//! the member picks) and the refund of overpayments (to a checked CLABE). Each files a request
//! with a folio through `app::paid_off`; the confirmation gives the folio, the promised date and
//! the receipt. The member is always the signed-in one.

use app::paid_off::{PaidOffError, receipt_pdf, request_deeds, request_overpayment_refund};
use app::requests::Acting;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::audit::Channel;
use domain::credit::deeds::{deeds_eligibility, overpayment_eligibility};
use domain::requests::{Folio, RequestKind};
use serde::Deserialize;

use crate::AppState;
use crate::accounts::{Peer, forbidden, render};
use crate::auth;
use crate::credit::parse_credit;
use crate::credit_documents::pdf;
use crate::format;
use crate::message::message_page;
use crate::page::Page;
use crate::savings::member_or_sign_in;

const DEEDS: &str = "/tramites/escrituras";
const OVERPAYMENT: &str = "/tramites/pagos-en-exceso";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(DEEDS, get(deeds_get).post(deeds_post))
        .route(OVERPAYMENT, get(overpayment_get).post(overpayment_post))
        .route("/tramites/escrituras/{folio}", get(done_get))
        .route("/tramites/pagos-en-exceso/{folio}", get(done_get))
        .route("/tramites/escrituras/{folio}/acuse.pdf", get(receipt_get))
        .route(
            "/tramites/pagos-en-exceso/{folio}/acuse.pdf",
            get(receipt_get),
        )
}

fn base(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Deeds => DEEDS,
        _ => OVERPAYMENT,
    }
}

#[derive(Template)]
#[template(path = "paid_off.html")]
struct FormPage {
    page: Page,
    deeds: bool,
    action: &'static str,
    /// Each credit that qualifies: its number and what it is owed back (overpayments).
    credits: Vec<(String, String)>,
    offices: Vec<(String, String)>,
}

async fn form_page(state: &AppState, headers: &HeaderMap, peer: Peer, deeds: bool) -> Response {
    let ctx = match member_or_sign_in(state, headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let views = match state
        .credits
        .credits(ctx.member_id, state.accounts.today())
        .await
    {
        Ok(v) => v,
        Err(e) => return crate::savings::unavailable(e),
    };
    let credits = views
        .iter()
        .filter_map(|v| {
            let number = v.credit.credit_number.as_str().to_owned();
            if deeds {
                deeds_eligibility(&v.credit, &v.account)
                    .ok()
                    .map(|()| (number, String::new()))
            } else {
                overpayment_eligibility(&v.account)
                    .ok()
                    .map(|amount| (number, format::money(amount)))
            }
        })
        .collect();
    let offices = match domain::appointments::Offices::embedded(&state.credits.tables().states) {
        Ok(o) => o
            .all()
            .iter()
            .map(|o| (o.code.to_string(), o.name.clone()))
            .collect(),
        Err(e) => return crate::savings::unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(headers);
    let title = if deeds {
        "paid-off-deeds-title"
    } else {
        "paid-off-overpayment-title"
    };
    let mut page = Page::new(&state.messages, title, &csrf);
    page.signed_in_as(&ctx);
    render(
        FormPage {
            page,
            deeds,
            action: if deeds { DEEDS } else { OVERPAYMENT },
            credits,
            offices,
        },
        set.into_iter().collect(),
    )
}

pub(crate) async fn deeds_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    form_page(&state, &headers, peer, true).await
}

pub(crate) async fn overpayment_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    form_page(&state, &headers, peer, false).await
}

#[derive(Deserialize)]
pub(crate) struct PaidOffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    clabe: String,
}

fn refused(state: &AppState, headers: &HeaderMap, e: PaidOffError, back: &'static str) -> Response {
    let status = match &e {
        PaidOffError::Credit(app::credit::CreditError::NotFound) => StatusCode::NOT_FOUND,
        PaidOffError::Refused(_) | PaidOffError::Field(..) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => {
            tracing::error!(error = %e, "paid-off request failed");
            return crate::savings::unavailable(e);
        }
    };
    message_page(
        state,
        headers,
        status,
        "procedures-title",
        e.code(),
        (back, "my-credit-back"),
    )
}

async fn file(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
    form: PaidOffForm,
    deeds: bool,
) -> Response {
    let caller = auth::caller(headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(state, headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    if !auth::csrf_ok(headers, &form.csrf) {
        return forbidden(state);
    }
    let back = if deeds { DEEDS } else { OVERPAYMENT };
    let Some(number) = parse_credit(&form.credit) else {
        return crate::credit::not_found(state, headers);
    };
    let acting = Acting::Member(ctx.member_id);
    let filed = if deeds {
        request_deeds(
            &state.credits,
            &state.requests,
            ctx.member_id,
            &number,
            &form.office,
            acting,
            &caller,
        )
        .await
    } else {
        request_overpayment_refund(
            &state.credits,
            &state.requests,
            &state.refunds,
            ctx.member_id,
            &number,
            &form.clabe,
            acting,
            &caller,
        )
        .await
    };
    match filed {
        Ok(filed) => Redirect::to(&format!("{back}/{}", filed.folio.as_str())).into_response(),
        Err(e) => refused(state, headers, e, back),
    }
}

pub(crate) async fn deeds_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<PaidOffForm>,
) -> Response {
    file(&state, &headers, peer, form, true).await
}

pub(crate) async fn overpayment_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<PaidOffForm>,
) -> Response {
    file(&state, &headers, peer, form, false).await
}

#[derive(Template)]
#[template(path = "paid_off_done.html")]
struct DonePage {
    page: Page,
    folio: String,
    promised: String,
    receipt_href: String,
}

pub(crate) async fn done_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    let request = match state.store.request_by_folio(ctx.member_id, &folio).await {
        Ok(Some(r)) if matches!(r.kind, RequestKind::Deeds | RequestKind::OverpaymentRefund) => r,
        Ok(Some(_)) => return crate::credit::not_found(&state, &headers),
        // Someone else's folio is audited, and answered like one that does not exist.
        Ok(None) => {
            let member = Acting::Member(ctx.member_id);
            return match state
                .requests
                .refuse_foreign(ctx.member_id, &folio, member, &caller)
                .await
            {
                Ok(()) => crate::credit::not_found(&state, &headers),
                Err(e) => crate::savings::unavailable(e),
            };
        }
        Err(e) => return crate::savings::unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "paid-off-done-title", &csrf);
    page.signed_in_as(&ctx);
    let promised = request
        .promised_on
        .map(|d| format::date(d, crate::page::lang()))
        .unwrap_or_default();
    render(
        DonePage {
            page,
            folio: folio.as_str().to_owned(),
            promised,
            receipt_href: format!("{}/{}/acuse.pdf", base(request.kind), folio.as_str()),
        },
        set.into_iter().collect(),
    )
}

pub(crate) async fn receipt_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(folio): Path<String>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Ok(folio) = Folio::parse(&folio) else {
        return crate::credit::not_found(&state, &headers);
    };
    match receipt_pdf(
        &state.credits,
        &state.requests,
        state.documents.clone(),
        ctx.member_id,
        &folio,
        state.accounts.now(),
        &caller,
    )
    .await
    {
        Ok(rendered) => pdf(rendered, &format!("acuse-{}.pdf", folio.as_str())),
        Err(PaidOffError::Request(app::requests::RequestError::NotFound)) => {
            crate::credit::not_found(&state, &headers)
        }
        Err(e) => crate::savings::unavailable(e),
    }
}
