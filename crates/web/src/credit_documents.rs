//! The credit's PDF downloads: statement, notices, interest certificate and cancellation
//! letter. Each is issued with a verification code and recorded (see `app::issue`); the
//! member is the signed-in one and a path naming someone else's credit finds nothing.

use app::credit_documents::CreditDocumentError;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::audit::Channel;
use domain::credit::NoticeKind;
use domain::registry::Nrp;
use domain::requests::Folio;

use crate::AppState;
use crate::accounts::Peer;
use crate::auth;
use crate::credit::{not_found, parse_credit};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/mi-credito/{credit}/estado-de-cuenta.pdf",
            get(statement_pdf_get),
        )
        .route(
            "/mi-credito/{credit}/avisos/{kind}/{file}",
            get(notice_pdf_get),
        )
        .route(
            "/mi-credito/cancelacion/{folio}/carta.pdf",
            get(cancellation_pdf_get),
        )
}

pub(crate) fn pdf(rendered: documents::Rendered, file_name: &str) -> Response {
    let mut response = rendered.pdf.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) fn failed(state: &AppState, headers: &HeaderMap, e: CreditDocumentError) -> Response {
    match e {
        CreditDocumentError::Credit(app::credit::CreditError::NotFound)
        | CreditDocumentError::NoLetter => not_found(state, headers),
        CreditDocumentError::Credit(app::credit::CreditError::Interest(_)) => {
            crate::message::message_page(
                state,
                headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                "interest-title",
                e.code(),
                ("/mi-credito", "my-credit-back"),
            )
        }
        e => crate::savings::unavailable(e),
    }
}

pub(crate) async fn statement_pdf_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(number): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Some(number) = parse_credit(&number) else {
        return not_found(&state, &headers);
    };
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let date = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| domain::dates::parse_iso(v).ok())
    };
    // `anio=2026&mes=10` asks for one calendar month (the month picker's form); `desde` and
    // `hasta` for any period.
    let field = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.trim().parse::<u16>().ok())
    };
    let month = match (field("anio"), field("mes")) {
        (Some(year), Some(month)) => {
            domain::dates::parse_iso(&format!("{year:04}-{month:02}-01")).ok()
        }
        _ => None,
    };
    let (from, to) = match month {
        Some(first) => (Some(first), Some(domain::dates::last_day_of_month(first))),
        None => (date("desde"), date("hasta")),
    };
    match state
        .credits
        .statement_pdf(
            state.documents.clone(),
            ctx.member_id,
            &number,
            from,
            to,
            state.accounts.now(),
            &caller,
        )
        .await
    {
        Ok(r) => pdf(r, &format!("estado-de-cuenta-{}.pdf", number.as_str())),
        Err(e) => failed(&state, &headers, e),
    }
}

pub(crate) async fn notice_pdf_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path((number, kind, file)): Path<(String, String, String)>,
) -> Response {
    let caller = auth::caller(&headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(&state, &headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let parsed = (
        parse_credit(&number),
        NoticeKind::from_code(&kind),
        file.strip_suffix(".pdf").and_then(|n| Nrp::parse(n).ok()),
    );
    let (Some(number), Some(kind), Some(nrp)) = parsed else {
        return not_found(&state, &headers);
    };
    crate::statistics::count_use(
        &state,
        app::stats::Procedure::DiscountNotices,
        domain::audit::Channel::Web,
    );
    match state
        .credits
        .notice_pdf(
            state.documents.clone(),
            ctx.member_id,
            &number,
            kind,
            &nrp,
            state.accounts.now(),
            &caller,
        )
        .await
    {
        Ok(r) => pdf(r, &format!("aviso-{}-{}.pdf", kind.code(), number.as_str())),
        Err(e) => failed(&state, &headers, e),
    }
}

/// `/mi-credito/{credit}/constancia/{year}.pdf`, reached through the page's route.
pub(crate) async fn interest_pdf(
    state: &AppState,
    peer: Peer,
    headers: &HeaderMap,
    number: &str,
    year: i32,
) -> Response {
    let caller = auth::caller(headers, peer, Channel::Web);
    let Some((ctx, _)) = auth::member(state, headers, &caller).await else {
        return Redirect::to("/entrar").into_response();
    };
    let Some(number) = parse_credit(number) else {
        return not_found(state, headers);
    };
    match state
        .credits
        .interest_pdf(
            state.documents.clone(),
            ctx.member_id,
            &number,
            year,
            state.accounts.now(),
            &caller,
        )
        .await
    {
        Ok(r) => pdf(
            r,
            &format!("constancia-intereses-{year}-{}.pdf", number.as_str()),
        ),
        Err(e) => failed(state, headers, e),
    }
}

pub(crate) async fn cancellation_pdf_get(
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
        return not_found(&state, &headers);
    };
    match state
        .credits
        .cancellation_pdf(
            state.documents.clone(),
            ctx.member_id,
            &folio,
            state.accounts.now(),
            &caller,
        )
        .await
    {
        Ok(r) => pdf(r, &format!("carta-cancelacion-{}.pdf", folio.as_str())),
        Err(CreditDocumentError::NoLetter) => {
            // Someone else's folio is audited, and answered like a letter that does not exist.
            let member = app::requests::Acting::Member(ctx.member_id);
            if let Err(e) = state
                .requests
                .refuse_foreign(ctx.member_id, &folio, member, &caller)
                .await
            {
                return crate::savings::unavailable(e);
            }
            failed(&state, &headers, CreditDocumentError::NoLetter)
        }
        Err(e) => failed(&state, &headers, e),
    }
}
