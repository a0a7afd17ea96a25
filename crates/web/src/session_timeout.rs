//! `POST /sesion/extender`: what the time-out dialog's "Seguir conectado" calls. Looking the
//! session up already counts as activity and pushes the idle time-out back, so the answer is
//! only whether the session still lives: 204, or 401 when it has ended.

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::audit::Channel;

use crate::AppState;
use crate::accounts::{CsrfOnly, Peer, forbidden};
use crate::auth;

pub(crate) async fn extend_post(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(post): Form<CsrfOnly>,
) -> Response {
    if !auth::csrf_ok(&headers, &post.csrf) {
        return forbidden(&state);
    }
    let caller = auth::caller(&headers, peer, Channel::Web);
    let status = match auth::member(&state, &headers, &caller).await {
        Some(_) => StatusCode::NO_CONTENT,
        None => StatusCode::UNAUTHORIZED,
    };
    (status, [(header::CACHE_CONTROL, "no-store")]).into_response()
}
