//! `Authorization: Bearer <key>` for editor endpoints: 401 without a valid key, 403 with a
//! key that lacks the scope. Keys are never logged.

use crate::domain::{ApiKey, Scope};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

/// A request made with a valid key of at least read scope.
#[derive(Debug, Clone)]
pub struct ReadKey {
    pub key_id: String,
}

/// A request made with a valid admin key.
#[derive(Debug, Clone)]
pub struct AdminKey {
    pub key_id: String,
}

async fn authenticate(req: HttpRequest, needed: Scope) -> Result<String, ApiError> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthorized("send an editor key as Authorization: Bearer <key>".into())
        })?;
    let invalid = || {
        ApiError::Unauthorized("the editor key is not valid (unknown, revoked or mistyped)".into())
    };
    let id = ApiKey::id_of(presented).ok_or_else(invalid)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("app state is configured");
    let record = state.store.find_key(id).await?.ok_or_else(invalid)?;
    if record.revoked_at.is_some() || !ApiKey::matches(presented, &record.key_hash) {
        return Err(invalid());
    }
    let scope = Scope::parse(&record.scope).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
    if !scope.allows(needed) {
        return Err(ApiError::Forbidden(format!(
            "this key has {} scope; this needs {}",
            scope.as_str(),
            needed.as_str()
        )));
    }
    Ok(record.id)
}

impl FromRequest for ReadKey {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req, Scope::Read)
                .await
                .map(|key_id| Self { key_id })
        })
    }
}

impl FromRequest for AdminKey {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req, Scope::Admin)
                .await
                .map(|key_id| Self { key_id })
        })
    }
}
