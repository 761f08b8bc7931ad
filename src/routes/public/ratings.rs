//! Reading ratings: one article's, or many at once for front pages.

use crate::error::ApiError;
use crate::extract::repeated_query_param;
use crate::routes::article_id;
use crate::routes::conditional::{client_has, entity_tag};
use crate::state::AppState;
use crate::views::Rating;
use actix_web::http::header::{CacheControl, CacheDirective, ETag};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

/// Enough for every teaser on a front page, few enough to keep one query cheap.
pub const MAX_BATCH: usize = 100;

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let article = article_id(&path)?;
    let counts = state.store.rating(&article).await?;
    Ok(revalidatable_json(
        &req,
        state.rating_max_age_secs,
        &Rating::new(&article, counts),
    ))
}

/// A JSON body with an ETag of its content, answered with 304 when the client's copy is
/// current, and a `Cache-Control` that lets browsers and CDNs keep it (`max_age` seconds, or
/// revalidating every time when 0).
fn revalidatable_json(req: &HttpRequest, max_age: u32, body: &impl Serialize) -> HttpResponse {
    let bytes = serde_json::to_vec(body).expect("ratings serialise");
    let tag = entity_tag(&bytes);
    let current = client_has(req, &tag);
    let freshness = if max_age == 0 {
        CacheDirective::NoCache
    } else {
        CacheDirective::MaxAge(max_age)
    };
    let mut response = if current {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(ETag(tag))
        .insert_header(CacheControl(vec![CacheDirective::Public, freshness]));
    if current {
        response.finish()
    } else {
        response.content_type("application/json").body(bytes)
    }
}

#[derive(Serialize)]
struct Ratings {
    ratings: Vec<Rating>,
}

pub async fn batch(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let raw = repeated_query_param(&req, "article_id")?;
    if raw.is_empty() {
        return Err(ApiError::InvalidInput(
            "give at least one article_id".into(),
        ));
    }
    if raw.len() > MAX_BATCH {
        return Err(ApiError::InvalidInput(format!(
            "at most {MAX_BATCH} article_id values per request; got {}",
            raw.len()
        )));
    }
    let articles = raw
        .iter()
        .map(|id| article_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let found = state.store.ratings(&articles).await?;
    let ratings = articles
        .iter()
        .map(|article| {
            Rating::new(
                article,
                found.get(article.as_str()).copied().unwrap_or_default(),
            )
        })
        .collect();
    Ok(revalidatable_json(
        &req,
        state.rating_max_age_secs,
        &Ratings { ratings },
    ))
}
