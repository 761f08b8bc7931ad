//! The ranking: every article with votes in the window, by any figure, paged or as CSV.

use super::ranking::{Order, SortKey, page};
use super::{article_row, limit, min_votes, window};
use crate::error::ApiError;
use crate::routes::editors::{ReadKey, csv_response, wants_csv};
use crate::state::AppState;
use crate::views::{ArticleRow, Prior};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticlesQuery {
    from: Option<String>,
    to: Option<String>,
    section: Option<String>,
    min_votes: Option<i64>,
    sort: Option<SortKey>,
    order: Option<Order>,
    limit: Option<usize>,
    cursor: Option<String>,
}

pub async fn articles(
    _key: ReadKey,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ArticlesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let asked = window(query.from.as_deref(), query.to.as_deref(), query.section)?;
    let window = &asked.window;
    let limit = limit(query.limit)?;
    let all = state.store.article_figures(window).await?;
    let prior = Prior::of(&all, state.bayes_prior_weight);
    let min_votes = min_votes(query.min_votes, 1)?;
    let rows: Vec<ArticleRow> = all
        .iter()
        .filter(|figures| figures.counts.count >= min_votes)
        .map(|figures| article_row(figures, prior))
        .collect();
    let (sort, order) = (
        query.sort.unwrap_or(SortKey::BayesianAverage),
        query.order.unwrap_or(Order::Desc),
    );
    if wants_csv(&req) {
        let (rows, _) = page(rows, sort, order, None, usize::MAX)?;
        return Ok(csv_response(
            "articles.csv",
            &ARTICLE_CSV_HEADER,
            rows.into_iter().map(|row| article_csv_row(&row)),
        ));
    }
    let (rows, next_cursor) = page(rows, sort, order, query.cursor.as_deref(), limit)?;
    Ok(HttpResponse::Ok().json(json!({
        "window": asked.json(),
        "prior": prior,
        "articles": rows,
        "next_cursor": next_cursor,
    })))
}

const ARTICLE_CSV_HEADER: [&str; 14] = [
    "article_id",
    "title",
    "section",
    "count",
    "average",
    "bayesian_average",
    "wilson_lower_bound",
    "useful_share",
    "low_share",
    "stars_1",
    "stars_2",
    "stars_3",
    "stars_4",
    "stars_5",
];

fn article_csv_row(row: &ArticleRow) -> Vec<String> {
    let f = &row.figures;
    let distribution = serde_json::to_value(&f.distribution).unwrap_or_default();
    let mut cells = vec![
        row.article_id.clone(),
        row.title.clone().unwrap_or_default(),
        row.section.clone().unwrap_or_default(),
        f.count.to_string(),
        format!("{:.4}", f.average),
        format!("{:.4}", f.bayesian_average),
        format!("{:.4}", f.wilson_lower_bound),
        format!("{:.4}", f.useful_share),
        format!("{:.4}", f.low_share),
    ];
    cells.extend((1..=5).map(|stars| distribution[stars.to_string()].to_string()));
    cells
}
