//! Signing in to the dashboard: an editor pastes a key once and gets a session cookie for it
//! (`POST /v1/session`), the page asks who it is signed in as (`GET`), and signs out
//! (`DELETE`), which ends the session in the database, not only in the browser.

mod cookie;
mod same_origin;
pub mod single_sign_on;

pub use cookie::session_token;
pub use same_origin::{check_origin, is_unsafe};

use super::ReadKey;
use super::auth::verify_key;
use crate::error::ApiError;
use crate::extract::{ApiJson, JsonBody};
use crate::state::AppState;
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    key: String,
}

/// A key is 85 characters; the rest is room for JSON around it.
impl JsonBody for SignIn {
    const MAX_BYTES: usize = 1024;
}

pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<SignIn>,
) -> Result<HttpResponse, ApiError> {
    // A browser always sends Origin here; another site's page must not sign its visitor in
    // with a key of the attacker's choosing. Tools without Origin (curl) may.
    check_origin(&req, false)?;
    let key = verify_key(&state, body.0.key.trim()).await?;
    let (token, expires_at) = state
        .store
        .open_session(&key.key_id, state.sessions.lifetime_ms)
        .await?;
    tracing::info!(key_id = %key.key_id, "dashboard session opened");
    Ok(HttpResponse::Created()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header((
            header::SET_COOKIE,
            cookie::set_cookie(&token, state.sessions),
        ))
        .json(json!({
            "key_id": key.key_id,
            "scope": key.held.as_str(),
            "expires_at": crate::time::format(expires_at),
        })))
}

pub async fn who(key: ReadKey) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .json(json!({
            "key_id": key.key_id,
            "scope": key.held.as_str(),
            "expires_at": key.session_expires_at.map(crate::time::format),
        }))
}

pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = session_token(&req, state.sessions) {
        check_origin(&req, true)?;
        state.store.end_session(&token).await?;
    }
    // Signing out twice, or with no session, ends in the same state: no content either way.
    Ok(HttpResponse::NoContent()
        .insert_header((header::SET_COOKIE, cookie::clear_cookie(state.sessions)))
        .finish())
}
