//! Readers' feedback, newest first, by article, section and window; paged or as CSV.

use super::{id_cursor, limit, page_by_id, window};
use crate::domain::{FeedbackStatus, Stars};
use crate::error::ApiError;
use crate::routes::article_id;
use crate::routes::editors::{ReadKey, csv_response, wants_csv};
use crate::state::AppState;
use crate::store::{FeedbackFilter, FeedbackRecord};
use crate::time;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackQuery {
    article_id: Option<String>,
    section: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
    status: Option<FeedbackStatus>,
    stars: Option<Stars>,
}

pub(super) fn feedback_json(entry: &FeedbackRecord) -> Value {
    json!({
        "id": entry.id,
        "article_id": entry.article_id,
        "stars": entry.stars,
        "revision": entry.revision,
        "text": entry.text,
        "created_at": time::format(entry.created_at),
        "status": entry.status,
    })
}

pub async fn feedback(
    _key: ReadKey,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let asked = window(query.from.as_deref(), query.to.as_deref(), query.section)?;
    let window = asked.window;
    if let Some(id) = &query.article_id {
        article_id(id)?;
    }
    let csv = wants_csv(&req);
    let limit = if csv {
        i64::MAX
    } else {
        limit(query.limit)? as i64
    };
    let filter = FeedbackFilter {
        article_id: query.article_id,
        section: window.section,
        from: window.from,
        to: window.to,
        before_id: id_cursor(query.cursor.as_deref())?,
        limit: limit.saturating_add(1),
        status: query.status.map(|status| status.as_str().to_owned()),
        stars: query.stars.map(|stars| i64::from(stars.get())),
    };
    let mut entries = state.store.feedback(&filter).await?;
    if csv {
        let rows = entries.into_iter().map(|e| {
            vec![
                e.id.to_string(),
                e.article_id,
                e.stars.to_string(),
                e.revision.unwrap_or_default(),
                e.text,
                time::format(e.created_at),
            ]
        });
        return Ok(csv_response(
            "feedback.csv",
            &[
                "id",
                "article_id",
                "stars",
                "revision",
                "text",
                "created_at",
            ],
            rows,
        ));
    }
    let next_cursor = page_by_id(&mut entries, limit, |e| e.id);
    Ok(HttpResponse::Ok().json(json!({
        "feedback": entries.iter().map(feedback_json).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}
