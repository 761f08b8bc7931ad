//! What an editor sends to make or change a webhook subscription, and the checks it passes
//! before anything is stored.

use crate::error::ApiError;
use crate::extract::{JsonBody, storable_text};
use crate::store::webhooks::{AlertThresholds, EventType};
use crate::webhooks::target;
use serde::Deserialize;

const MAX_URL_CHARS: usize = 2000;
const MAX_DESCRIPTION_CHARS: usize = 1000;
const MAX_MIN_VOTES: i64 = 1_000_000_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default = "standard")]
    pub format: String,
    pub alert: Option<AlertThresholds>,
}

fn standard() -> String {
    "standard".into()
}

/// Every field optional: what is sent changes, what is left out stays.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeWebhook {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub format: Option<String>,
    pub alert: Option<AlertThresholds>,
    /// "active" (resume) or "paused".
    pub status: Option<String>,
}

impl JsonBody for CreateWebhook {
    const MAX_BYTES: usize = 64 * 1024;
}

impl JsonBody for ChangeWebhook {
    const MAX_BYTES: usize = 64 * 1024;
}

/// A URL a webhook may be sent to, or a 400 saying why not.
pub async fn url(raw: &str, allow_private: bool) -> Result<String, ApiError> {
    storable_text("url", raw)?;
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(ApiError::InvalidInput(format!(
            "url: at most {MAX_URL_CHARS} characters"
        )));
    }
    let url = target::check(raw, allow_private)
        .await
        .map_err(ApiError::InvalidInput)?;
    Ok(url.to_string())
}

/// Known event types, each once, at least one.
pub fn events(raw: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut events: Vec<String> = Vec::with_capacity(raw.len());
    for event in raw {
        let known = EventType::SUBSCRIBABLE
            .iter()
            .any(|kind| kind.as_str() == event);
        if !known {
            let names: Vec<&str> = EventType::SUBSCRIBABLE.iter().map(|k| k.as_str()).collect();
            return Err(ApiError::InvalidInput(format!(
                "events: {event:?} is not one of {}",
                names.join(", ")
            )));
        }
        if events.contains(&event) {
            return Err(ApiError::InvalidInput(format!(
                "events: {event:?} is listed twice"
            )));
        }
        events.push(event);
    }
    if events.is_empty() {
        return Err(ApiError::InvalidInput(
            "events: name at least one event type".into(),
        ));
    }
    Ok(events)
}

pub fn description(raw: String) -> Result<String, ApiError> {
    storable_text("description", &raw)?;
    if raw.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::InvalidInput(format!(
            "description: at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(raw)
}

pub fn format(raw: String) -> Result<String, ApiError> {
    match raw.as_str() {
        "standard" | "slack" => Ok(raw),
        _ => Err(ApiError::InvalidInput(format!(
            "format: {raw:?} is not \"standard\" or \"slack\""
        ))),
    }
}

/// Rating alerts need thresholds, and thresholds that can be met.
pub fn alert(
    events: &[String],
    alert: Option<AlertThresholds>,
) -> Result<Option<AlertThresholds>, ApiError> {
    let alerting = events.iter().any(|e| e == EventType::RatingAlert.as_str());
    let Some(thresholds) = alert else {
        if alerting {
            return Err(ApiError::InvalidInput(
                "alert: article.rating_alert needs thresholds: \
                 {\"min_votes\": n, \"below_average\": x and/or \"below_wilson\": y}"
                    .into(),
            ));
        }
        return Ok(None);
    };
    if !(1..=MAX_MIN_VOTES).contains(&thresholds.min_votes) {
        return Err(ApiError::InvalidInput(format!(
            "alert.min_votes: from 1 to {MAX_MIN_VOTES}"
        )));
    }
    if thresholds.below_average.is_none() && thresholds.below_wilson.is_none() {
        return Err(ApiError::InvalidInput(
            "alert: give below_average, below_wilson or both".into(),
        ));
    }
    if thresholds
        .below_average
        .is_some_and(|v| !(1.0..=5.0).contains(&v))
    {
        return Err(ApiError::InvalidInput(
            "alert.below_average: a number from 1 to 5".into(),
        ));
    }
    if thresholds
        .below_wilson
        .is_some_and(|v| !(0.0..=1.0).contains(&v))
    {
        return Err(ApiError::InvalidInput(
            "alert.below_wilson: a number from 0 to 1".into(),
        ));
    }
    Ok(Some(thresholds))
}
