//! What the dashboard adds to the editors' API: triaging feedback (any editor marks an entry
//! new, read, resolved or spam; admins delete it; both go to the audit log), and the site's
//! votes day by day for the overview's chart.

use super::reports::window;
use super::{AdminKey, ReadKey};
use crate::domain::FeedbackStatus;
use crate::error::ApiError;
use crate::extract::{ApiJson, JsonBody};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    status: FeedbackStatus,
}

impl JsonBody for StatusRequest {
    const MAX_BYTES: usize = 1024;
}

/// Path segments arrive as strings; a feedback id is a positive integer.
fn feedback_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        ApiError::InvalidInput(format!("feedback_id: a positive integer; got {raw:?}"))
    })
}

fn no_such_entry(id: i64) -> ApiError {
    ApiError::NotFound(format!("no feedback entry {id}"))
}

pub async fn set_status(
    key: ReadKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = feedback_id(&path)?;
    let status = body.0.status;
    let change = state
        .store
        .set_feedback_status(id, status, &key.key_id)
        .await?
        .ok_or_else(|| no_such_entry(id))?;
    Ok(HttpResponse::Ok().json(json!({
        "id": id,
        "article_id": change.article_id,
        "status": status.as_str(),
        "previous_status": change.previous,
    })))
}

pub async fn delete(
    key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = feedback_id(&path)?;
    let article = state
        .store
        .delete_feedback(id, &key.key_id)
        .await?
        .ok_or_else(|| no_such_entry(id))?;
    tracing::warn!(feedback_id = id, article_id = %article, key_id = %key.key_id, "feedback deleted");
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DailyQuery {
    from: Option<String>,
    to: Option<String>,
    section: Option<String>,
}

pub async fn daily(
    _key: ReadKey,
    state: web::Data<AppState>,
    query: web::Query<DailyQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let asked = window(query.from.as_deref(), query.to.as_deref(), query.section)?;
    let days: Vec<_> = state
        .store
        .daily_totals(&asked.window)
        .await?
        .iter()
        .map(crate::views::Day::of)
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "window": asked.json(), "days": days })))
}
