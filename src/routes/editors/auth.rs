//! `Authorization: Bearer <key>` for editor endpoints: 401 without a valid key, 403 with a
//! key that lacks the scope. Keys are never logged.

use crate::domain::{ApiKey, Scope};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use std::marker::PhantomData;

/// A request made with a valid key whose scope allows what `S` names.
#[derive(Debug, Clone)]
pub struct EditorKey<S> {
    pub key_id: String,
    scope: PhantomData<S>,
}

/// Reading reports and feedback.
#[derive(Debug, Clone)]
pub enum Read {}
/// Changing metadata and resetting articles, as well as reading.
#[derive(Debug, Clone)]
pub enum Admin {}

/// The scope a kind of [`EditorKey`] needs.
pub trait Needs {
    const SCOPE: Scope;
}

impl Needs for Read {
    const SCOPE: Scope = Scope::Read;
}

impl Needs for Admin {
    const SCOPE: Scope = Scope::Admin;
}

pub type ReadKey = EditorKey<Read>;
pub type AdminKey = EditorKey<Admin>;

impl<S: Needs + 'static> FromRequest for EditorKey<S> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let key_id = authenticate(req, S::SCOPE).await?;
            Ok(Self {
                key_id,
                scope: PhantomData,
            })
        })
    }
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
    // Registered by `Application::build`; an app without it is a fault of ours, not a panic.
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))?;
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
