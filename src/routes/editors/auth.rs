//! `Authorization: Bearer <key>` for editor endpoints: 401 without a valid key, 403 with a
//! key that lacks the scope. Keys are never logged. Without the header, the dashboard's
//! session cookie stands for the key it was opened with (see `session/`), and a request that
//! changes something must then come from the service's own origin. Behind a single-sign-on
//! proxy, its identity header does the same (`session/single_sign_on.rs`).

use super::session::{check_origin, is_unsafe, session_token, single_sign_on};
use crate::domain::{ApiKey, Scope, SessionToken};
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
    /// The key's own scope, which may be more than `S` needs.
    pub held: Scope,
    /// When the session expires (Unix milliseconds); `None` for a key sent in the header.
    pub session_expires_at: Option<i64>,
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
            let found = authenticate(req, S::SCOPE).await?;
            Ok(Self {
                key_id: found.key_id,
                held: found.held,
                session_expires_at: found.session_expires_at,
                scope: PhantomData,
            })
        })
    }
}

/// Who a request acts as.
pub(super) struct Authenticated {
    pub(super) key_id: String,
    pub(super) held: Scope,
    session_expires_at: Option<i64>,
}

async fn authenticate(req: HttpRequest, needed: Scope) -> Result<Authenticated, ApiError> {
    // Registered by `Application::build`; an app without it is a fault of ours, not a panic.
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))?;
    let header = req.headers().get(header::AUTHORIZATION);
    let found = match (header, session_token(&req, state.sessions)) {
        (None, Some(token)) => from_session(&req, state, &token).await?,
        (None, None) => match single_sign_on::editor(&req, state) {
            Some((key_id, held)) => {
                // The proxy's own cookie rides along with every request, as a session's does.
                if is_unsafe(&req) {
                    check_origin(&req, true)?;
                }
                Authenticated {
                    key_id,
                    held,
                    session_expires_at: None,
                }
            }
            None => from_header(&req, state).await?,
        },
        _ => from_header(&req, state).await?,
    };
    if !found.held.allows(needed) {
        return Err(ApiError::Forbidden(format!(
            "this key has {} scope; this needs {}",
            found.held.as_str(),
            needed.as_str()
        )));
    }
    Ok(found)
}

async fn from_header(req: &HttpRequest, state: &AppState) -> Result<Authenticated, ApiError> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthorized("send an editor key as Authorization: Bearer <key>".into())
        })?;
    verify_key(state, presented).await
}

/// The key's id and scope, if `presented` is a valid, unrevoked key.
pub(super) async fn verify_key(
    state: &AppState,
    presented: &str,
) -> Result<Authenticated, ApiError> {
    let invalid = || {
        ApiError::Unauthorized("the editor key is not valid (unknown, revoked or mistyped)".into())
    };
    let id = ApiKey::id_of(presented).ok_or_else(invalid)?;
    let record = state.store.find_key(id).await?.ok_or_else(invalid)?;
    if record.revoked_at.is_some() || !ApiKey::matches(presented, &record.key_hash) {
        return Err(invalid());
    }
    Ok(Authenticated {
        held: scope_of(&record.scope)?,
        key_id: record.id,
        session_expires_at: None,
    })
}

async fn from_session(
    req: &HttpRequest,
    state: &AppState,
    token: &SessionToken,
) -> Result<Authenticated, ApiError> {
    if is_unsafe(req) {
        check_origin(req, true)?;
    }
    let session = state.store.find_session(token).await?;
    let Some(session) = session.filter(|s| s.revoked_at.is_none()) else {
        return Err(ApiError::Unauthorized(
            "the session has ended (signed out, expired, or its key revoked); sign in again".into(),
        ));
    };
    Ok(Authenticated {
        held: scope_of(&session.scope)?,
        key_id: session.key_id,
        session_expires_at: Some(session.expires_at),
    })
}

fn scope_of(stored: &str) -> Result<Scope, ApiError> {
    Scope::parse(stored).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))
}
