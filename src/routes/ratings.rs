//! Reading ratings: one article's, or many at once for front pages.

use super::article_id;
use super::conditional::{client_has, entity_tag};
use crate::domain::ArticleId;
use crate::error::ApiError;
use crate::extract::repeated_query_param;
use crate::startup::AppState;
use crate::store::RatingCounts;
use actix_web::http::header::{CacheControl, CacheDirective, ETag};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

/// Enough for every teaser on a front page, few enough to keep one query cheap.
pub const MAX_BATCH: usize = 100;

/// An article's rating as the API shows it.
#[derive(Debug, Serialize)]
pub struct Rating {
    pub article_id: String,
    pub average: f64,
    pub count: i64,
    pub distribution: Distribution,
}

#[derive(Debug, Serialize)]
pub struct Distribution {
    #[serde(rename = "1")]
    one: i64,
    #[serde(rename = "2")]
    two: i64,
    #[serde(rename = "3")]
    three: i64,
    #[serde(rename = "4")]
    four: i64,
    #[serde(rename = "5")]
    five: i64,
}

impl Distribution {
    pub fn new([one, two, three, four, five]: [i64; 5]) -> Self {
        Self {
            one,
            two,
            three,
            four,
            five,
        }
    }
}

impl Rating {
    pub fn new(article: &ArticleId, counts: RatingCounts) -> Self {
        let [one, two, three, four, five] = counts.distribution;
        Self {
            article_id: article.to_string(),
            average: counts.average(),
            count: counts.count,
            distribution: Distribution {
                one,
                two,
                three,
                four,
                five,
            },
        }
    }
}

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
