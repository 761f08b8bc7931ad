//! One article's report: its figures, day by day, by revision, and its latest feedback.

use super::feedback::feedback_json;
use super::{DEFAULT_LIMIT, window};
use crate::error::ApiError;
use crate::routes::article_id;
use crate::routes::editors::ReadKey;
use crate::state::AppState;
use crate::store::FeedbackFilter;
use crate::views::{Figures, Prior};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn article(
    _key: ReadKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<WindowQuery>,
) -> Result<HttpResponse, ApiError> {
    let article = article_id(&path)?;
    let asked = window(query.from.as_deref(), query.to.as_deref(), None)?;
    let window = &asked.window;
    let (meta, _) = state.store.find_article(&article).await?.ok_or_else(|| {
        ApiError::NotFound(format!("no article \"{article}\" has votes or metadata"))
    })?;
    let (count, star_sum) = state.store.window_totals(window).await?;
    let prior = Prior::of(star_sum, count, state.bayes_prior_weight);
    let counts = state.store.one_article_figures(&article, window).await?;
    let daily: Vec<crate::views::Day> = state
        .store
        .daily_figures(&article, window)
        .await?
        .iter()
        .map(crate::views::Day::of)
        .collect();
    let revisions: Vec<Value> = state
        .store
        .revision_figures(&article, window)
        .await?
        .into_iter()
        .map(|rev| json!({ "revision": rev.revision, "figures": Figures::of(&rev.counts, prior) }))
        .collect();
    let filter = FeedbackFilter {
        article_id: Some(article.to_string()),
        from: window.from,
        to: window.to,
        before_id: i64::MAX,
        limit: DEFAULT_LIMIT as i64,
        ..FeedbackFilter::default()
    };
    let feedback: Vec<Value> = state
        .store
        .feedback(&filter)
        .await?
        .iter()
        .map(feedback_json)
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "article_id": article,
        "title": meta.title,
        "section": meta.section,
        "window": asked.json(),
        "prior": prior,
        "figures": Figures::of(&counts, prior),
        "daily": daily,
        "revisions": revisions,
        "feedback": feedback,
    })))
}
