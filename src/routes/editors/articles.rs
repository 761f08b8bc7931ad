//! An article as editors see it: metadata from the CMS, its rating, and resetting it.

use super::{AdminKey, ReadKey};
use crate::error::ApiError;
use crate::extract::{ApiJson, JsonBody, storable_text};
use crate::routes::{article_id, time_param};
use crate::state::AppState;
use crate::store::ArticleMetadata;
use crate::views::Rating;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The longest title, URL or section an article may have (the section filter is held to it).
pub(super) const MAX_FIELD_CHARS: usize = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataRequest {
    title: Option<String>,
    url: Option<String>,
    section: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    published_at: Option<String>,
}

/// Three fields of 1,000 characters, a time and 50 authors of 200, at up to 12 bytes a
/// character: about 157,000 bytes with the JSON around them.
impl JsonBody for MetadataRequest {
    const MAX_BYTES: usize = 192 * 1024;
}

impl MetadataRequest {
    fn validate(self) -> Result<ArticleMetadata, ApiError> {
        let fields = [
            ("title", &self.title),
            ("url", &self.url),
            ("section", &self.section),
            ("published_at", &self.published_at),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                storable_text(name, value)?;
            }
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS)
            {
                return Err(ApiError::InvalidInput(format!(
                    "{name}: at most {MAX_FIELD_CHARS} characters"
                )));
            }
        }
        for author in &self.authors {
            storable_text("authors", author)?;
        }
        if self.authors.len() > 50 || self.authors.iter().any(|a| a.chars().count() > 200) {
            return Err(ApiError::InvalidInput(
                "authors: at most 50 names of 200 characters".into(),
            ));
        }
        if let Some(published) = &self.published_at {
            time_param("published_at", published)?;
        }
        Ok(ArticleMetadata {
            title: self.title,
            url: self.url,
            section: self.section,
            authors: self.authors,
            published_at: self.published_at,
        })
    }
}

#[derive(Serialize)]
struct Article {
    article_id: String,
    title: Option<String>,
    url: Option<String>,
    section: Option<String>,
    authors: Vec<String>,
    published_at: Option<String>,
    rating: Rating,
}

pub async fn put(
    _key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<MetadataRequest>,
) -> Result<HttpResponse, ApiError> {
    let article = article_id(&path)?;
    let meta = body.0.validate()?;
    state.store.put_metadata(&article, &meta).await?;
    show_article(&state, &path).await
}

pub async fn get(
    _key: ReadKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    show_article(&state, &path).await
}

async fn show_article(state: &AppState, raw_id: &str) -> Result<HttpResponse, ApiError> {
    let article = article_id(raw_id)?;
    let (meta, counts) = state.store.find_article(&article).await?.ok_or_else(|| {
        ApiError::NotFound(format!("no article \"{article}\" has votes or metadata"))
    })?;
    Ok(HttpResponse::Ok().json(Article {
        rating: Rating::new(&article, counts),
        article_id: article.to_string(),
        title: meta.title,
        url: meta.url,
        section: meta.section,
        authors: meta.authors,
        published_at: meta.published_at,
    }))
}

/// Clears an article's votes and feedback after it was rewritten; the audit log keeps who did
/// it, when, and the figures before.
pub async fn reset(
    key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let article = article_id(&path)?;
    let (before, feedback_deleted) = state
        .store
        .reset_article(&article, &key.key_id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("no article \"{article}\" has votes or metadata"))
        })?;
    tracing::warn!(article_id = %article, key_id = %key.key_id, votes = before.count, "article reset");
    Ok(HttpResponse::Ok().json(json!({
        "article_id": article,
        "votes_deleted": before.count,
        "feedback_deleted": feedback_deleted,
        "before": Rating::new(&article, before),
    })))
}
