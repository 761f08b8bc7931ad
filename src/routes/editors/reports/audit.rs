//! The audit log of resets, newest first; paged or as CSV.

use super::{id_cursor, limit, page_by_id};
use crate::error::ApiError;
use crate::routes::editors::{ReadKey, csv_response, wants_csv};
use crate::state::AppState;
use crate::store::{AuditRecord, ResetDetails};
use crate::time;
use crate::views::Rating;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

pub async fn audit(
    _key: ReadKey,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let csv = wants_csv(&req);
    let limit = if csv {
        i64::MAX - 1
    } else {
        limit(query.limit)? as i64
    };
    let mut entries = state
        .store
        .audit(id_cursor(query.cursor.as_deref())?, limit + 1)
        .await?;
    if csv {
        let rows = entries.into_iter().map(|e| {
            vec![
                e.id.to_string(),
                time::format(e.at),
                e.key_id.clone(),
                e.action.clone(),
                e.article_id.clone(),
                audit_details(&e).to_string(),
            ]
        });
        return Ok(csv_response(
            "audit.csv",
            &["id", "at", "key_id", "action", "article_id", "details"],
            rows,
        ));
    }
    let next_cursor = page_by_id(&mut entries, limit, |e| e.id);
    let entries: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "at": time::format(e.at),
                "key_id": e.key_id,
                "action": e.action,
                "article_id": e.article_id,
                "details": audit_details(e),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "entries": entries, "next_cursor": next_cursor })))
}

/// An entry's details as the API shows them. A reset's `before` is kept as the stored tallies;
/// it is shown as the reset's own answer showed it, a `Rating`: one shape for one thing.
fn audit_details(entry: &AuditRecord) -> Value {
    let mut details = serde_json::from_str::<Value>(&entry.details).unwrap_or(Value::Null);
    if let Ok(reset) = serde_json::from_value::<ResetDetails>(details.clone()) {
        details["before"] = json!(Rating::of(&entry.article_id, reset.before));
    }
    details
}
