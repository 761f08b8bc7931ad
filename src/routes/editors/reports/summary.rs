//! The site-wide summary: totals, sections side by side, and the articles needing attention.

use super::ranking::{Order, SortKey, page};
use super::{article_row, min_votes, window};
use crate::error::ApiError;
use crate::routes::editors::ReadKey;
use crate::state::AppState;
use crate::store::RatingCounts;
use crate::views::{Figures, Prior};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Articles with fewer votes are too uncertain to single out as needing attention.
const DEFAULT_ATTENTION_MIN_VOTES: i64 = 10;
const ATTENTION_LIST: usize = 10;

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
    let all = state.store.article_figures(window).await?;
    let prior = Prior::of(&all, state.bayes_prior_weight);
    let mut sections: BTreeMap<Option<String>, (i64, RatingCounts)> = BTreeMap::new();
    let mut total = RatingCounts::default();
    for figures in &all {
        let (articles, counts) = sections.entry(figures.section.clone()).or_default();
        *articles += 1;
        *counts += &figures.counts;
        total += &figures.counts;
    }
    let sections: Vec<Value> = sections
        .into_iter()
        .map(|(section, (articles, counts))| {
            json!({ "section": section, "articles": articles, "figures": Figures::of(&counts, prior) })
        })
        .collect();
    let min_votes = min_votes(query.min_votes, DEFAULT_ATTENTION_MIN_VOTES)?;
    let candidates = all
        .iter()
        .filter(|figures| figures.counts.count >= min_votes)
        .map(|figures| article_row(figures, prior))
        .collect();
    let (attention, _) = page(
        candidates,
        SortKey::WilsonLowerBound,
        Order::Asc,
        None,
        ATTENTION_LIST,
    )?;
    Ok(HttpResponse::Ok().json(json!({
        "window": asked.json(),
        "prior": prior,
        "articles": all.len(),
        "figures": Figures::of(&total, prior),
        "sections": sections,
        "needs_attention": { "min_votes": min_votes, "articles": attention },
    })))
}
