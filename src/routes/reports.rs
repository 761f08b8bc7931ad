//! Editors' usefulness reports: JSON by default, CSV with `Accept: text/csv`.

use super::article_id;
use super::ratings::Rating;
use crate::domain::ArticleId;
use crate::editors::reports::{
    ArticleRow, Figures, Order, Prior, SortKey, format_day, format_time, page, parse_time,
};
use crate::editors::{ReadKey, csv_response, wants_csv};
use crate::error::ApiError;
use crate::extract::storable_text;
use crate::startup::AppState;
use crate::store::{ArticleFigures, FeedbackFilter, RatingCounts, ReportWindow};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const DEFAULT_LIMIT: usize = 100;
/// The longest section an article's metadata may hold.
const MAX_SECTION_CHARS: usize = 1000;
const MAX_LIMIT: usize = 500;
/// Articles with fewer votes are too uncertain to single out as needing attention.
const DEFAULT_ATTENTION_MIN_VOTES: i64 = 10;
const ATTENTION_LIST: usize = 10;

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

/// The window a report covers, as asked: a bound the editor gave is echoed even when it is
/// 1970-01-01, a bound left open is `null`.
struct AskedWindow {
    window: ReportWindow,
    from: Option<i64>,
    to: Option<i64>,
}

impl AskedWindow {
    fn json(&self) -> Value {
        json!({
            "from": self.from.map(format_time),
            "to": self.to.map(format_time),
            "section": self.window.section,
        })
    }
}

fn window(
    from: Option<&str>,
    to: Option<&str>,
    section: Option<String>,
) -> Result<AskedWindow, ApiError> {
    if let Some(section) = &section {
        storable_text("section", section)?;
        // No article's section is longer, so a longer filter can only be a mistake.
        if section.chars().count() > MAX_SECTION_CHARS {
            return Err(ApiError::InvalidInput(format!(
                "section: at most {MAX_SECTION_CHARS} characters"
            )));
        }
    }
    let from = from.map(|raw| parse_time("from", raw)).transpose()?;
    let to = to.map(|raw| parse_time("to", raw)).transpose()?;
    // Only two given bounds can contradict each other; `to` alone may well end an empty window.
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(ApiError::InvalidInput("from must be before to".into()));
    }
    let open = ReportWindow::default();
    Ok(AskedWindow {
        window: ReportWindow {
            from: from.unwrap_or(open.from),
            to: to.unwrap_or(open.to),
            section,
        },
        from,
        to,
    })
}

fn min_votes(requested: Option<i64>, default: i64) -> Result<i64, ApiError> {
    match requested.unwrap_or(default) {
        n if n < 0 => Err(ApiError::InvalidInput(format!(
            "min_votes is 0 or more; got {n}"
        ))),
        n => Ok(n),
    }
}

fn limit(requested: Option<usize>) -> Result<usize, ApiError> {
    match requested.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n),
        n => Err(ApiError::InvalidInput(format!(
            "limit is 1 to {MAX_LIMIT}; got {n}"
        ))),
    }
}

fn article_row(figures: &ArticleFigures, prior: Prior) -> ArticleRow {
    ArticleRow {
        article_id: figures.article_id.clone(),
        title: figures.title.clone(),
        section: figures.section.clone(),
        figures: Figures::of(&figures.counts, prior),
    }
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
            rows.iter().map(article_csv_row).collect(),
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
    let prior = Prior {
        mean: crate::stats::mean(star_sum, count),
        weight: state.bayes_prior_weight,
    };
    let counts = state.store.one_article_figures(&article, window).await?;
    let daily: Vec<Value> = state
        .store
        .daily_figures(&article, window)
        .await?
        .into_iter()
        .map(|day| {
            json!({
                "date": format_day(day.day),
                "votes": day.vote_count,
                "average": crate::stats::mean(day.star_sum, day.vote_count),
            })
        })
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
        add(counts, &figures.counts);
        add(&mut total, &figures.counts);
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

fn add(into: &mut RatingCounts, more: &RatingCounts) {
    into.count += more.count;
    into.star_sum += more.star_sum;
    for (bucket, n) in into.distribution.iter_mut().zip(more.distribution) {
        *bucket += n;
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackQuery {
    article_id: Option<String>,
    section: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

/// Cuts `entries` (fetched with one extra row) to `limit`, and gives the cursor of the next page
/// if that extra row was there.
fn page_by_id<T>(entries: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Option<String> {
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    entries.last().filter(|_| more).map(|e| id(e).to_string())
}

/// The cursor of id-ordered lists: the last id shown; the next page holds older entries.
fn id_cursor(raw: Option<&str>) -> Result<i64, ApiError> {
    raw.map_or(Ok(i64::MAX), |raw| {
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| ApiError::InvalidInput("cursor is not one this service gave out".into()))
    })
}

fn feedback_json(entry: &crate::store::FeedbackRecord) -> Value {
    json!({
        "id": entry.id,
        "article_id": entry.article_id,
        "stars": entry.stars,
        "revision": entry.revision,
        "text": entry.text,
        "created_at": format_time(entry.created_at),
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
    };
    let mut entries = state.store.feedback(&filter).await?;
    if csv {
        let rows = entries
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.article_id.clone(),
                    e.stars.to_string(),
                    e.revision.clone().unwrap_or_default(),
                    e.text.clone(),
                    format_time(e.created_at),
                ]
            })
            .collect();
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
        let rows = entries
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    format_time(e.at),
                    e.key_id.clone(),
                    e.action.clone(),
                    e.article_id.clone(),
                    audit_details(e).to_string(),
                ]
            })
            .collect();
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
                "at": format_time(e.at),
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
fn audit_details(entry: &crate::store::AuditRecord) -> Value {
    let mut details = serde_json::from_str::<Value>(&entry.details).unwrap_or(Value::Null);
    let before = details
        .get("before")
        .and_then(|before| serde_json::from_value::<StoredTallies>(before.clone()).ok());
    let article = ArticleId::parse(&entry.article_id).ok();
    if let (Some(before), Some(article)) = (before, article) {
        let counts = RatingCounts {
            count: before.count,
            star_sum: before.star_sum,
            distribution: before.distribution,
        };
        details["before"] = json!(Rating::new(&article, counts));
    }
    details
}

/// A reset's `before` as the audit log stores it.
#[derive(Deserialize)]
struct StoredTallies {
    count: i64,
    star_sum: i64,
    distribution: [i64; 5],
}
