//! The site-wide summary: totals, sections side by side, and the articles needing attention.

use super::{article_row, min_votes, window};
use crate::error::ApiError;
use crate::routes::editors::ReadKey;
use crate::state::AppState;
use crate::store::{Order, RankingQuery, RatingCounts, SortKey};
use crate::views::{ArticleRow, Figures, Prior};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

/// Articles with fewer votes are too uncertain to single out as needing attention.
const DEFAULT_ATTENTION_MIN_VOTES: i64 = 10;
const ATTENTION_LIST: i64 = 10;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    from: Option<String>,
    to: Option<String>,
    min_votes: Option<i64>,
}

pub async fn summary(
    _key: ReadKey,
    state: web::Data<AppState>,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, ApiError> {
    let asked = window(query.from.as_deref(), query.to.as_deref(), None)?;
    let window = &asked.window;
    // Sections first: together they are the site, so they give the totals and the prior.
    let sections = state.store.section_figures(window).await?;
    let mut total = RatingCounts::default();
    let mut articles = 0;
    for section in &sections {
        total += &section.counts;
        articles += section.articles;
    }
    let prior = Prior::of(total.star_sum, total.count, state.bayes_prior_weight);
    let mut sections = sections;
    // The order a map keyed by section gave before: no section first, then by name.
    sections.sort_by(|a, b| a.section.cmp(&b.section));
    let sections: Vec<Value> = sections
        .into_iter()
        .map(|s| {
            json!({
                "section": s.section,
                "articles": s.articles,
                "figures": Figures::of(&s.counts, prior),
            })
        })
        .collect();
    let min_votes = min_votes(query.min_votes, DEFAULT_ATTENTION_MIN_VOTES)?;
    let attention = state
        .store
        .ranking(&RankingQuery {
            window: window.clone(),
            min_votes,
            sort: SortKey::WilsonLowerBound,
            order: Order::Asc,
            prior: prior.for_sorting(),
            after: None,
            limit: ATTENTION_LIST,
        })
        .await?;
    let attention: Vec<ArticleRow> = attention
        .iter()
        .map(|row| article_row(&row.figures, prior))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "window": asked.json(),
        "prior": prior,
        "articles": articles,
        "figures": Figures::of(&total, prior),
        "sections": sections,
        "needs_attention": { "min_votes": min_votes, "articles": attention },
    })))
}
