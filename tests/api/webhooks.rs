//! Webhooks end to end: subscriptions made over the API, events caused by real votes, feedback
//! and resets, delivered to a real receiver that checks each signature with the secret the
//! API returned.

use crate::editors::{editor, key};
use crate::helpers::{TestApp, assert_problem, metric_value, new_voter, test_settings};
use crate::webhook_receiver::{Receiver, unused_port};
use plaudit::config::Settings;
use plaudit::domain::Scope;
use plaudit::retention::Retention;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// Settings that let webhooks reach the test's receiver and retry within milliseconds.
fn webhook_settings(app: &TestApp) -> Settings {
    let mut settings = test_settings(&app.database);
    settings.webhooks.webhooks_allow_private = true;
    settings.webhooks.webhook_retry_base_ms = 50;
    settings.webhooks.webhook_poll_ms = 20;
    settings.webhooks.webhook_timeout_secs = 2;
    settings.webhooks.webhook_max_attempts = 50;
    settings
}

/// `app` restarted on its database with `settings`.
async fn restarted(app: TestApp, settings: &Settings) -> TestApp {
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    TestApp::spawn_with(database, settings).await
}

async fn with_webhooks(app: TestApp) -> TestApp {
    let settings = webhook_settings(&app);
    restarted(app, &settings).await
}

/// Subscribes `url`; the subscription as answered (with its secret).
async fn subscribe(app: &TestApp, admin: &str, body: Value) -> Value {
    let response = editor(app, Method::POST, "/v1/webhooks", admin, Some(body)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// A receiver subscribed to `feedback.created`, and the subscription as answered.
async fn feedback_receiver(app: &TestApp, admin: &str) -> (Receiver, Value) {
    let receiver = Receiver::start().await;
    let body = json!({"url": receiver.url(), "events": ["feedback.created"]});
    let subscription = subscribe(app, admin, body).await;
    (receiver, subscription)
}

/// The subscription's delivery attempts as listed, newest first.
async fn deliveries(app: &TestApp, admin: &str, subscription: &Value) -> Vec<Value> {
    let id = subscription["id"].as_str().unwrap();
    let path = format!("/v1/webhooks/{id}/deliveries");
    let listed: Value = editor(app, Method::GET, &path, admin, None)
        .await
        .json()
        .await
        .unwrap();
    listed["deliveries"].as_array().unwrap().clone()
}

async fn feedback(app: &TestApp, article: &str, voter: &str, text: &str) {
    let response = app
        .post_json(
            &format!("/v1/articles/{article}/feedback"),
            &json!({ "voter": voter, "text": text }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn votes(app: &TestApp, article: &str, stars: u8, n: usize) {
    let voters: Vec<String> = (0..n).map(|_| new_voter()).collect();
    let sent = voters.iter().map(|voter| app.vote(article, voter, stars));
    for response in futures::future::join_all(sent).await {
        assert_eq!(response.status(), StatusCode::CREATED);
    }
}

mod delivery;
mod events;
mod subscriptions;
