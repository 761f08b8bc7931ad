//! Reader feedback: what the widget sends after a low rating.

use crate::domain::{FeedbackText, VoterId};
use crate::error::ApiError;
use crate::extract::{ApiJson, JsonBody};
use crate::routes::article_id;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    voter: VoterId,
    text: FeedbackText,
}

/// 2,000 characters of text at up to 12 bytes each (24,000), a voter, and the JSON around them.
impl JsonBody for FeedbackRequest {
    const MAX_BYTES: usize = 32 * 1024;
}

/// 201; 409 if the voter has no vote on the article (feedback explains a rating).
#[tracing::instrument(skip_all, fields(article_id = %path))]
pub async fn submit(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<FeedbackRequest>,
) -> Result<HttpResponse, ApiError> {
    let article = article_id(&path)?;
    let FeedbackRequest { voter, text } = body.0;
    let saved = state
        .store
        .add_feedback(&article, &state.voter_key.hash(voter), &text)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(format!(
                "this voter has no vote on article \"{article}\"; vote first"
            ))
        })?;
    tracing::info!("feedback recorded");
    Ok(HttpResponse::Created().json(json!({
        "id": saved.id,
        "article_id": saved.article_id,
        "voter": voter.uuid(),
        "stars": saved.stars,
        "revision": saved.revision,
        "text": saved.text,
        "created_at": crate::time::format(saved.created_at),
    })))
}
