//! "Mis relaciones laborales": every employment relation with its employer, dates and wages,
//! the current job marked, the gaps between jobs, and the bimesters an employer has not paid.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::accounts::{Peer, api_error, render};
use crate::auth;
use crate::format;
use crate::page::Page;
use crate::savings::{api_member, member_or_sign_in, unavailable};

pub(crate) struct EmploymentView {
    pub employer: String,
    pub nrp: String,
    pub state: String,
    pub start: String,
    pub end: String,
    pub current: bool,
    pub wages: Vec<(String, String)>,
    pub paid: u32,
    pub owed: Vec<String>,
}

#[derive(Template)]
#[template(path = "employment.html")]
struct EmploymentPage {
    page: Page,
    employments: Vec<EmploymentView>,
    gaps: Vec<(String, String)>,
}

fn today(state: &AppState) -> time::Date {
    state.accounts.today()
}

pub(crate) async fn view_employment_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let ctx = match member_or_sign_in(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let history = match state.savings.history(ctx.member_id, today(&state)).await {
        Ok(h) => h,
        Err(e) => return unavailable(e),
    };
    let (csrf, set) = auth::csrf_token(&headers);
    let mut page = Page::new(&state.messages, "employment-title", &csrf);
    page.signed_in_as(&ctx);
    let lang = page.lang_id();
    let tables = state.savings.tables();
    let employments = history
        .employments
        .iter()
        .map(|e| EmploymentView {
            employer: e
                .employer
                .as_ref()
                .map_or_else(|| page.t("employer-unknown"), |em| em.name.clone()),
            nrp: e.nrp.as_str().to_owned(),
            state: e
                .employer
                .as_ref()
                .and_then(|em| tables.state_by_inegi(em.state))
                .map_or_else(String::new, |s| s.name.clone()),
            start: format::date(e.start, lang),
            end: e
                .end
                .map_or_else(|| page.t("employment-ongoing"), |d| format::date(d, lang)),
            current: e.current,
            wages: e
                .wages
                .iter()
                .map(|(from, wage)| (format::date(*from, lang), format::money(*wage)))
                .collect(),
            paid: e.bimesters_paid,
            owed: e
                .bimesters_owed
                .iter()
                .map(|b| format!("{}-{}", b.year(), b.number()))
                .collect(),
        })
        .collect();
    let gaps = history
        .gaps
        .iter()
        .map(|g| (format::date(g.from, lang), format::date(g.to, lang)))
        .collect();
    render(
        EmploymentPage {
            page,
            employments,
            gaps,
        },
        set.into_iter().collect(),
    )
}

pub(crate) async fn api_employment_get(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
) -> Response {
    let ctx = match api_member(&state, &headers, peer).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    match state.savings.history(ctx.member_id, today(&state)).await {
        Ok(history) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "employments": history.employments.iter().map(|e| json!({
                    "nrp": e.nrp.as_str(),
                    "employer": e.employer.as_ref().map(|em| em.name.clone()),
                    "start": domain::dates::iso(e.start),
                    "end": e.end.map(domain::dates::iso),
                    "current": e.current,
                    "wages": e.wages.iter().map(|(from, wage)| json!({
                        "from": domain::dates::iso(*from),
                        "daily_wage": wage.to_string(),
                    })).collect::<Vec<_>>(),
                    "bimesters_paid": e.bimesters_paid,
                    "bimesters_owed": e.bimesters_owed.iter().map(|b| b.key()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "gaps": history.gaps.iter().map(|g| json!({
                    "from": domain::dates::iso(g.from),
                    "to": domain::dates::iso(g.to),
                })).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "employment read failed");
            api_error(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
            )
        }
    }
}
