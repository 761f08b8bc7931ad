//! The ranking: every article with votes in the window, by any figure, paged or as CSV. The
//! database sorts and cuts (see `store/report_sql.rs`); CSV streams as rows arrive.

use super::ranking::{after, cut};
use super::{article_row, limit, min_votes, window};
use crate::error::ApiError;
use crate::routes::editors::{ReadKey, csv_stream_response, wants_csv};
use crate::state::AppState;
use crate::store::{Order, RankingQuery, SortKey, Store, StoreError};
use crate::views::{ArticleRow, Prior};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::{Stream, StreamExt};
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
    let limit = limit(query.limit)?;
    let min_votes = min_votes(query.min_votes, 1)?;
    let (sort, order) = (
        query.sort.unwrap_or(SortKey::BayesianAverage),
        query.order.unwrap_or(Order::Desc),
    );
    let after = after(query.cursor.as_deref(), sort, order)?;
    let mut ranking = RankingQuery {
        window: asked.window.clone(),
        min_votes,
        sort,
        order,
        prior: (0.0, 0.0),
        after,
        limit: limit as i64 + 1,
    };
    if wants_csv(&req) {
        // The whole ranking, whatever page the cursor named; the header goes out before
        // the database has even added up the prior.
        ranking.after = None;
        ranking.limit = i64::MAX;
        let rows = csv_rows(state.store.clone(), ranking, state.bayes_prior_weight);
        return Ok(csv_stream_response(
            "articles.csv",
            &ARTICLE_CSV_HEADER,
            rows,
        ));
    }
    // The prior first: every article's Bayesian average leans toward the window's mean.
    let (count, star_sum) = state.store.window_totals(&asked.window).await?;
    let prior = Prior::of(star_sum, count, state.bayes_prior_weight);
    ranking.prior = prior.for_sorting();
    let mut rows = state.store.ranking(&ranking).await?;
    let next_cursor = cut(&mut rows, limit, sort, order);
    let rows: Vec<ArticleRow> = rows
        .iter()
        .map(|row| article_row(&row.figures, prior))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "window": asked.json(),
        "prior": prior,
        "articles": rows,
        "next_cursor": next_cursor,
    })))
}

/// The ranking's CSV rows as the database yields them, after its prior.
fn csv_rows(
    store: Store,
    mut ranking: RankingQuery,
    weight: f64,
) -> impl Stream<Item = Result<Vec<String>, StoreError>> {
    futures_util::stream::once(async move {
        match store.window_totals(&ranking.window).await {
            Ok((count, star_sum)) => {
                let prior = Prior::of(star_sum, count, weight);
                ranking.prior = prior.for_sorting();
                store
                    .ranking_stream(ranking)
                    .map(move |row| {
                        row.map(|row| article_csv_row(&article_row(&row.figures, prior)))
                    })
                    .boxed()
            }
            Err(error) => futures_util::stream::once(async move { Err(error) }).boxed(),
        }
    })
    .flatten()
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
