//! A reader's vote on an article: cast or change it, read it back, retract it.

use crate::abuse::ClientKey;
use crate::domain::{Revision, Stars, VoterId};
use crate::error::ApiError;
use crate::extract::{ApiJson, JsonBody};
use crate::routes::article_id;
use crate::state::AppState;
use crate::store::{NetworkCap, VoteChange, VoteOutcome, now_millis};
use crate::time;
use crate::views::Rating;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    voter: VoterId,
    stars: Stars,
    /// The article's version as the widget saw it; reports break figures down by it.
    #[serde(default)]
    revision: Option<Revision>,
}

/// A vote is a UUID, a digit and a revision of at most 64 characters (768 bytes escaped):
/// 4 KiB is ample.
impl JsonBody for VoteRequest {
    const MAX_BYTES: usize = 4 * 1024;
}

#[derive(Serialize)]
struct VoteRecorded {
    article_id: String,
    voter: Uuid,
    stars: Stars,
    /// `null` when none, as in feedback and reports: one way to say "no revision".
    revision: Option<Revision>,
    rating: Rating,
}

/// 201 for a voter's first vote on the article, 200 for a change or a repeat.
#[tracing::instrument(skip_all, fields(article_id = %path))]
pub async fn record(
    state: web::Data<AppState>,
    path: web::Path<String>,
    client: ClientKey,
    body: ApiJson<VoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let article = article_id(&path)?;
    let VoteRequest {
        voter,
        stars,
        revision,
    } = body.0;
    let cap = network_cap(&state, client).await?;
    let outcome = state
        .store
        .record_vote(
            &article,
            &state.voter_key.hash(voter),
            stars,
            revision.as_ref(),
            cap.as_ref(),
        )
        .await?;
    let recorded = match outcome {
        VoteOutcome::Recorded(recorded) => recorded,
        VoteOutcome::NetworkCapped => {
            tracing::warn!("new voter refused: network cap reached");
            metrics::counter!("plaudit_votes_refused_total", "reason" => "network_cap")
                .increment(1);
            return Err(ApiError::TooManyRequests {
                detail: format!(
                    "{} readers from your network have already rated this article today, the most \
                     we accept from one network; readers who have voted can still change their vote",
                    state.voters_per_network
                ),
                retry_after_secs: seconds_to_next_utc_day(),
            });
        }
    };
    tracing::info!(change = ?recorded.change, stars = stars.get(), "vote recorded");
    let change = match recorded.change {
        VoteChange::New => "new",
        VoteChange::Changed { .. } => "changed",
        VoteChange::Repeated => "repeated",
    };
    metrics::counter!("plaudit_votes_total", "change" => change).increment(1);
    let mut response = match recorded.change {
        VoteChange::New => HttpResponse::Created(),
        VoteChange::Changed { .. } | VoteChange::Repeated => HttpResponse::Ok(),
    };
    Ok(response
        .insert_header((
            header::LOCATION,
            format!("/v1/articles/{article}/votes/{}", voter.uuid()),
        ))
        .json(VoteRecorded {
            rating: Rating::new(&article, recorded.rating),
            article_id: article.to_string(),
            voter: voter.uuid(),
            stars,
            revision,
        }))
}

/// The ballot-stuffing cap for this client's network, unless the cap is off.
async fn network_cap(state: &AppState, client: ClientKey) -> Result<Option<NetworkCap>, ApiError> {
    if state.voters_per_network == 0 {
        return Ok(None);
    }
    let tag = state
        .network_keys
        .tag(&state.store, client, now_millis())
        .await?;
    Ok(Some(NetworkCap {
        day: tag.day,
        network: tag.hash,
        max_voters: state.voters_per_network,
    }))
}

fn seconds_to_next_utc_day() -> u64 {
    const DAY: i64 = 86_400_000;
    let now = now_millis();
    ((DAY - now.rem_euclid(DAY)) as u64).div_ceil(1000)
}

#[derive(Serialize)]
struct VoteShown {
    article_id: String,
    voter: Uuid,
    stars: Stars,
    /// `null` when none, as in feedback and reports: one way to say "no revision".
    revision: Option<String>,
    created_at: String,
    updated_at: String,
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (article, voter) = parse_vote_path(&path)?;
    let vote = state
        .store
        .find_vote(&article, &state.voter_key.hash(voter))
        .await?
        .ok_or_else(|| no_vote(&article))?;
    Ok(HttpResponse::Ok().json(VoteShown {
        article_id: article.to_string(),
        voter: voter.uuid(),
        stars: vote.stars,
        revision: vote.revision,
        created_at: time::format(vote.created_at),
        updated_at: time::format(vote.updated_at),
    }))
}

#[tracing::instrument(skip_all, fields(article_id = %path.0))]
pub async fn retract(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (article, voter) = parse_vote_path(&path)?;
    state
        .store
        .retract_vote(&article, &state.voter_key.hash(voter))
        .await?
        .ok_or_else(|| no_vote(&article))?;
    tracing::info!("vote retracted");
    metrics::counter!("plaudit_votes_total", "change" => "retracted").increment(1);
    Ok(HttpResponse::NoContent().finish())
}

fn parse_vote_path(
    (article, voter): &(String, String),
) -> Result<(crate::domain::ArticleId, VoterId), ApiError> {
    Ok((
        article_id(article)?,
        VoterId::parse(voter).map_err(ApiError::InvalidInput)?,
    ))
}

fn no_vote(article: &crate::domain::ArticleId) -> ApiError {
    ApiError::NotFound(format!("this voter has no vote on article \"{article}\""))
}
