//! Webhook subscriptions, for admin keys: make, list, show, change (pause, resume, other
//! events), delete, send a test event, and see the latest delivery attempts.

use super::AdminKey;
use super::webhook_input::{self as input, ChangeWebhook, CreateWebhook};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::webhooks::{DeliveryAttempt, NewSubscription, Subscription};
use crate::webhooks::new_secret;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

/// Attempts listed when no limit is asked for, and the most that may be.
const DEFAULT_ATTEMPTS: i64 = 100;
const MAX_ATTEMPTS: i64 = 500;

pub async fn create(
    key: AdminKey,
    state: web::Data<AppState>,
    body: ApiJson<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let events = input::events(body.events)?;
    let secret = new_secret().map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
    let new = NewSubscription {
        secret: state
            .webhook_secrets
            .seal(&secret)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?,
        url: input::url(&body.url, state.webhooks_allow_private).await?,
        alert: input::alert(&events, body.alert)?,
        events,
        description: input::description(body.description)?,
        format: input::format(body.format)?,
    };
    let subscription = state.store.create_subscription(new).await?;
    tracing::info!(subscription_id = %subscription.id, key_id = %key.key_id, "webhook subscribed");
    let mut shown = view(&subscription);
    // The only time the secret is shown.
    shown["secret"] = json!(secret);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/webhooks/{}", subscription.id)))
        .json(shown))
}

pub async fn list(_key: AdminKey, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let subscriptions = state.store.subscriptions().await?;
    let shown: Vec<Value> = subscriptions.iter().map(view).collect();
    Ok(HttpResponse::Ok().json(json!({ "webhooks": shown })))
}

pub async fn show(
    _key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let subscription = find(&state, &path).await?;
    Ok(HttpResponse::Ok().json(view(&subscription)))
}

pub async fn change(
    key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ChangeWebhook>,
) -> Result<HttpResponse, ApiError> {
    let mut subscription = find(&state, &path).await?;
    let body = body.0;
    if let Some(url) = body.url {
        subscription.url = input::url(&url, state.webhooks_allow_private).await?;
    }
    if let Some(events) = body.events {
        subscription.events = input::events(events)?;
    }
    if let Some(description) = body.description {
        subscription.description = input::description(description)?;
    }
    if let Some(format) = body.format {
        subscription.format = input::format(format)?;
    }
    subscription.alert = input::alert(&subscription.events, body.alert.or(subscription.alert))?;
    match body.status.as_deref() {
        None => {}
        Some("active") => {
            subscription.status = "active".into();
            subscription.status_reason = None;
            subscription.failing_since = None;
        }
        Some("paused") => {
            subscription.status = "paused".into();
            subscription.status_reason = Some(format!("paused with key {}", key.key_id));
        }
        Some(other) => {
            return Err(ApiError::InvalidInput(format!(
                "status: {other:?} is not \"active\" or \"paused\""
            )));
        }
    }
    subscription.updated_at = crate::store::now_millis();
    if !state.store.save_subscription(&subscription).await? {
        return Err(not_found(&path));
    }
    Ok(HttpResponse::Ok().json(view(&subscription)))
}

pub async fn delete(
    key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !state.store.delete_subscription(&path).await? {
        return Err(not_found(&path));
    }
    tracing::info!(subscription_id = %path, key_id = %key.key_id, "webhook deleted");
    Ok(HttpResponse::NoContent().finish())
}

/// Queues a `webhook.test` event; it is sent like any other (and shows in the deliveries).
pub async fn test(
    _key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let subscription = find(&state, &path).await?;
    let event_id = state.store.queue_test_event(&subscription.id).await?;
    Ok(HttpResponse::Accepted().json(json!({
        "event_id": event_id,
        "type": "webhook.test",
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    limit: Option<i64>,
}

pub async fn deliveries(
    _key: AdminKey,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_ATTEMPTS);
    if !(1..=MAX_ATTEMPTS).contains(&limit) {
        return Err(ApiError::InvalidInput(format!(
            "limit: from 1 to {MAX_ATTEMPTS}"
        )));
    }
    let subscription = find(&state, &path).await?;
    let attempts = state
        .store
        .delivery_attempts(&subscription.id, limit)
        .await?;
    let shown: Vec<Value> = attempts.iter().map(attempt_view).collect();
    Ok(HttpResponse::Ok().json(json!({ "deliveries": shown })))
}

async fn find(state: &AppState, id: &str) -> Result<Subscription, ApiError> {
    state
        .store
        .subscription(id)
        .await?
        .ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
    let shown: String = id.chars().take(64).collect();
    ApiError::NotFound(format!("no webhook subscription {shown:?}"))
}

/// A subscription as the API shows it: everything but the secret.
fn view(subscription: &Subscription) -> Value {
    json!({
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "description": subscription.description,
        "format": subscription.format,
        "alert": subscription.alert,
        "status": subscription.status,
        "status_reason": subscription.status_reason,
        "failing_since": subscription.failing_since.map(crate::time::format),
        "created_at": crate::time::format(subscription.created_at),
        "updated_at": crate::time::format(subscription.updated_at),
    })
}

fn attempt_view(attempt: &DeliveryAttempt) -> Value {
    json!({
        "event_id": attempt.event_id,
        "event_type": attempt.event_type,
        "attempt": attempt.attempt,
        "at": crate::time::format(attempt.at),
        "result": attempt.result,
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "error": attempt.error,
        "next_attempt_at": attempt.next_attempt_at.map(crate::time::format),
    })
}
