//! Webhooks end to end: subscriptions made over the API, events caused by real votes, feedback
//! and resets, delivered to a real receiver that checks each signature with the secret the
//! API returned.

use crate::editors::{editor, key};
use crate::helpers::{TestApp, assert_problem, metric_value, new_voter, test_settings};
use crate::webhook_receiver::{Receiver, unused_port};
use plaudit::config::Settings;
use plaudit::domain::Scope;
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

on_both_backends!(
    each_event_arrives_signed_with_the_documented_body,
    a_failing_endpoint_gets_the_event_once_more_after_it_recovers,
    an_event_is_given_up_after_its_last_attempt,
    an_event_outlives_a_receiver_outage_and_a_restart,
    a_rating_alert_fires_once_per_crossing,
    subscriptions_pause_resume_end_on_410_and_delete,
    an_endpoint_failing_too_long_is_paused_with_a_reason,
    unsafe_urls_and_bad_subscriptions_are_refused,
    only_admin_keys_manage_webhooks,
    a_secret_is_sealed_at_rest_under_plaudit_secret,
    two_instances_deliver_each_event_once,
);

async fn each_event_arrives_signed_with_the_documented_body(app: TestApp) {
    let app = with_webhooks(app).await;
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    let slack = Receiver::start().await;
    let standard = subscribe(
        &app,
        &admin,
        json!({
            "url": receiver.url(),
            "events": ["feedback.created", "article.rating_alert", "article.reset"],
            "description": "the newsroom's ticket system",
            "alert": {"min_votes": 2, "below_average": 3.0},
        }),
    )
    .await;
    let secret = standard["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{standard}");
    let slack_subscription = subscribe(
        &app,
        &admin,
        json!({"url": slack.url(), "events": ["feedback.created"], "format": "slack"}),
    )
    .await;

    let voter = new_voter();
    assert_eq!(
        app.vote("w1", &voter, 1).await.status(),
        StatusCode::CREATED
    );
    votes(&app, "w1", 2, 1).await;
    feedback(&app, "w1", &voter, "The map is wrong").await;
    let reset = editor(&app, Method::DELETE, "/v1/articles/w1/votes", &admin, None).await;
    assert_eq!(reset.status(), StatusCode::OK);
    let test = editor(
        &app,
        Method::POST,
        &format!("/v1/webhooks/{}/test", standard["id"].as_str().unwrap()),
        &admin,
        None,
    )
    .await;
    assert_eq!(test.status(), StatusCode::ACCEPTED);

    let received = receiver.wait_for(4, WAIT).await;
    let mut by_type: HashMap<String, Value> = HashMap::new();
    for request in &received {
        assert!(request.signed_by(secret), "bad signature: {request:?}");
        assert!(request.id().starts_with("msg_"));
        assert_eq!(request.headers["content-type"], "application/json");
        let body = request.json();
        assert!(body["timestamp"].as_str().unwrap().ends_with('Z'), "{body}");
        by_type.insert(body["type"].as_str().unwrap().to_owned(), body);
    }
    let alert = &by_type["article.rating_alert"]["data"];
    assert_eq!(alert["article_id"], "w1");
    assert_eq!(alert["vote_count"], 2);
    assert_eq!(alert["average"], 1.5);
    assert_eq!(alert["breached"], "below_average");
    assert_eq!(alert["links"]["report"], "/v1/reports/articles/w1");
    let created = &by_type["feedback.created"]["data"];
    assert_eq!(created["text"], "The map is wrong");
    assert_eq!(created["stars"], 1);
    assert_eq!(created["article_id"], "w1");
    let reset = &by_type["article.reset"]["data"];
    assert_eq!(reset["votes_deleted"], 2);
    assert_eq!(reset["feedback_deleted"], 1);
    assert_eq!(
        by_type["webhook.test"]["data"]["subscription_id"],
        standard["id"]
    );

    let to_slack = slack.wait_for(1, WAIT).await;
    let body = to_slack[0].json();
    assert!(
        body["text"].as_str().unwrap().contains("The map is wrong"),
        "{body}"
    );
    assert_eq!(body["blocks"][0]["type"], "section");
    assert!(to_slack[0].signed_by(slack_subscription["secret"].as_str().unwrap()));

    let page = app.get("/metrics").await.text().await.unwrap();
    let series = format!(
        "plaudit_webhook_deliveries_total{{event=\"feedback.created\",result=\"delivered\",subscription=\"{}\"}}",
        standard["id"].as_str().unwrap()
    );
    assert_eq!(metric_value(&page, &series), 1.0);
    assert!(page.contains("plaudit_webhook_outbox_depth"), "{page}");
    assert!(page.contains("plaudit_webhook_oldest_undelivered_seconds"));
}

async fn a_failing_endpoint_gets_the_event_once_more_after_it_recovers(app: TestApp) {
    let app = with_webhooks(app).await;
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    receiver.answer(&[500, 500, 500]);
    let subscription = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url(), "events": ["feedback.created"]}),
    )
    .await;
    let voter = new_voter();
    app.vote("r1", &voter, 4).await;
    feedback(&app, "r1", &voter, "Retry me").await;

    let received = receiver.wait_for(4, WAIT).await;
    // Long enough for a fifth attempt to show, were one made (retries are 50 ms apart here).
    tokio::time::sleep(Duration::from_millis(700)).await;
    let received_later = receiver.received();
    assert_eq!(received_later.len(), 4, "{received_later:?}");
    assert!(received.iter().all(|r| r.id() == received[0].id()));
    let path = format!(
        "/v1/webhooks/{}/deliveries",
        subscription["id"].as_str().unwrap()
    );
    let deliveries: Value = editor(&app, Method::GET, &path, &admin, None)
        .await
        .json()
        .await
        .unwrap();
    let attempts = deliveries["deliveries"].as_array().unwrap();
    let shown: Vec<(Value, Value)> = attempts
        .iter()
        .map(|a| (a["result"].clone(), a["status_code"].clone()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (json!("delivered"), json!(200)),
            (json!("retrying"), json!(500)),
            (json!("retrying"), json!(500)),
            (json!("retrying"), json!(500)),
        ]
    );
    assert!(attempts[1]["next_attempt_at"].is_string());
    assert_eq!(attempts[0]["attempt"], 4);
}

async fn an_event_is_given_up_after_its_last_attempt(app: TestApp) {
    let mut settings = webhook_settings(&app);
    settings.webhooks.webhook_max_attempts = 3;
    let app = restarted(app, &settings).await;
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    receiver.answer(&[500; 10]);
    let created = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url(), "events": ["article.reset"]}),
    )
    .await;
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    editor(&app, Method::POST, &format!("{path}/test"), &admin, None).await;
    receiver.wait_for(3, WAIT).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 3, "no attempt after the last");
    let deliveries: Value = editor(
        &app,
        Method::GET,
        &format!("{path}/deliveries"),
        &admin,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let last = &deliveries["deliveries"][0];
    assert_eq!(last["result"], "failed", "{deliveries}");
    assert_eq!(last["attempt"], 3);
    assert!(last["next_attempt_at"].is_null());
    let page = app.get("/metrics").await.text().await.unwrap();
    let series = format!(
        "plaudit_webhook_deliveries_total{{event=\"webhook.test\",result=\"failed\",subscription=\"{}\"}}",
        created["id"].as_str().unwrap()
    );
    assert_eq!(metric_value(&page, &series), 1.0);
}

async fn an_event_outlives_a_receiver_outage_and_a_restart(app: TestApp) {
    let app = with_webhooks(app).await;
    let admin = key(&app, Scope::Admin).await;
    let port = unused_port();
    let subscription = subscribe(
        &app,
        &admin,
        json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["feedback.created"]}),
    )
    .await;
    let voter = new_voter();
    app.vote("down1", &voter, 2).await;
    feedback(&app, "down1", &voter, "Sent while the receiver was down").await;
    // Tried while nothing listened: the attempt failed, and the event waits.
    let path = format!(
        "/v1/webhooks/{}/deliveries",
        subscription["id"].as_str().unwrap()
    );
    let started = std::time::Instant::now();
    loop {
        let deliveries: Value = editor(&app, Method::GET, &path, &admin, None)
            .await
            .json()
            .await
            .unwrap();
        if let Some(first) = deliveries["deliveries"].as_array().unwrap().last() {
            assert_eq!(first["result"], "retrying");
            assert!(first["error"].is_string(), "{first}");
            break;
        }
        assert!(started.elapsed() < WAIT, "no attempt was made");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let settings = webhook_settings(&app);
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    let receiver = Receiver::start_on(port).await;
    let app = TestApp::spawn_with(database, &settings).await;

    let received = receiver.wait_for(1, WAIT).await;
    let body = received[0].json();
    assert_eq!(body["type"], "feedback.created");
    assert_eq!(body["data"]["text"], "Sent while the receiver was down");
    assert!(received[0].signed_by(subscription["secret"].as_str().unwrap()));
    drop(app);
}

async fn a_rating_alert_fires_once_per_crossing(app: TestApp) {
    let app = with_webhooks(app).await;
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    subscribe(
        &app,
        &admin,
        json!({
            "url": receiver.url(),
            "events": ["article.rating_alert"],
            "alert": {"min_votes": 5, "below_average": 3.0},
        }),
    )
    .await;
    let alerts = || {
        receiver
            .received()
            .iter()
            .filter(|r| r.json()["data"]["article_id"] == "falls")
            .count()
    };
    votes(&app, "falls", 5, 5).await;
    // 20 one-star votes, sent at once so that batches form: the average falls below 3 once.
    votes(&app, "falls", 1, 20).await;
    receiver.wait_for(1, WAIT).await;
    votes(&app, "falls", 1, 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alerts(), 1, "still below: no second alert");

    // Recovers: (25 + 30 + 200) / 75 = 3.4.
    votes(&app, "falls", 5, 40).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alerts(), 1, "recovering sends nothing");
    // Falls again: (255 + 40) / 115 = 2.57.
    votes(&app, "falls", 1, 40).await;
    receiver.wait_for(2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alerts(), 2);
    let last = receiver.received().last().unwrap().json();
    assert!(last["data"]["average"].as_f64().unwrap() < 3.0, "{last}");
}

async fn subscriptions_pause_resume_end_on_410_and_delete(app: TestApp) {
    let app = with_webhooks(app).await;
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    let created = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url(), "events": ["article.reset"]}),
    )
    .await;
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    let listed: Value = editor(&app, Method::GET, "/v1/webhooks", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["webhooks"][0]["id"], created["id"]);
    assert!(listed["webhooks"][0].get("secret").is_none(), "{listed}");

    let paused = editor(
        &app,
        Method::PATCH,
        &path,
        &admin,
        Some(json!({"status": "paused"})),
    )
    .await;
    assert_eq!(paused.status(), StatusCode::OK);
    assert_eq!(paused.json::<Value>().await.unwrap()["status"], "paused");
    let test = format!("{path}/test");
    editor(&app, Method::POST, &test, &admin, None).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        receiver.received().is_empty(),
        "a paused subscription got an event"
    );
    let resumed = editor(
        &app,
        Method::PATCH,
        &path,
        &admin,
        Some(json!({"status": "active", "events": ["article.reset", "feedback.created"]})),
    )
    .await;
    let resumed: Value = resumed.json().await.unwrap();
    assert_eq!(resumed["status"], "active");
    assert_eq!(
        resumed["events"],
        json!(["article.reset", "feedback.created"])
    );
    receiver.wait_for(1, WAIT).await;

    receiver.answer(&[410]);
    editor(&app, Method::POST, &test, &admin, None).await;
    receiver.wait_for(2, WAIT).await;
    let started = std::time::Instant::now();
    loop {
        let shown: Value = editor(&app, Method::GET, &path, &admin, None)
            .await
            .json()
            .await
            .unwrap();
        if shown["status"] == "ended" {
            assert!(
                shown["status_reason"].as_str().unwrap().contains("410"),
                "{shown}"
            );
            break;
        }
        assert!(started.elapsed() < WAIT, "{shown}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let deleted = editor(&app, Method::DELETE, &path, &admin, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(
        editor(&app, Method::GET, &path, &admin, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn an_endpoint_failing_too_long_is_paused_with_a_reason(app: TestApp) {
    let mut settings = webhook_settings(&app);
    // Zero hours: the first failure is already "too long".
    settings.webhooks.webhook_pause_after_hours = 0;
    let app = restarted(app, &settings).await;
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    receiver.answer(&[503]);
    let created = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url(), "events": ["article.reset"]}),
    )
    .await;
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    editor(&app, Method::POST, &format!("{path}/test"), &admin, None).await;
    receiver.wait_for(1, WAIT).await;
    let started = std::time::Instant::now();
    loop {
        let shown: Value = editor(&app, Method::GET, &path, &admin, None)
            .await
            .json()
            .await
            .unwrap();
        if shown["status"] == "paused" {
            let reason = shown["status_reason"].as_str().unwrap();
            assert!(reason.contains("503"), "{shown}");
            assert!(shown["failing_since"].is_string(), "{shown}");
            break;
        }
        assert!(started.elapsed() < WAIT, "{shown}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.received().len(),
        1,
        "a paused subscription is not retried"
    );
}

async fn unsafe_urls_and_bad_subscriptions_are_refused(app: TestApp) {
    // The default settings: https:// to public addresses only.
    let admin = key(&app, Scope::Admin).await;
    for url in [
        "http://93.184.216.34/hook",
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "ftp://example.com/hook",
        "https://user:pw@93.184.216.34/hook",
        "not a url",
    ] {
        let response = editor(
            &app,
            Method::POST,
            "/v1/webhooks",
            &admin,
            Some(json!({"url": url, "events": ["feedback.created"]})),
        )
        .await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            problem["detail"].as_str().unwrap().starts_with("url:"),
            "{url}: {problem}"
        );
    }
    let url = "https://93.184.216.34/hook";
    for (body, field) in [
        (json!({"url": url, "events": []}), "events"),
        (json!({"url": url, "events": ["vote.cast"]}), "events"),
        (
            json!({"url": url, "events": ["article.rating_alert"]}),
            "alert",
        ),
        (
            json!({"url": url, "events": ["article.rating_alert"], "alert": {"min_votes": 0, "below_average": 3}}),
            "alert.min_votes",
        ),
        (
            json!({"url": url, "events": ["feedback.created"], "format": "teams"}),
            "format",
        ),
        (
            json!({"url": url, "events": ["feedback.created"], "secret": "mine"}),
            "unknown field",
        ),
    ] {
        let response = editor(&app, Method::POST, "/v1/webhooks", &admin, Some(body)).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "{field}: {problem}"
        );
    }
    // A public https:// address is taken (nothing is sent until an event happens).
    let created = editor(
        &app,
        Method::POST,
        "/v1/webhooks",
        &admin,
        Some(json!({"url": url, "events": ["feedback.created"]})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
}

async fn only_admin_keys_manage_webhooks(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let body = json!({"url": "https://93.184.216.34/hook", "events": ["feedback.created"]});
    for (method, path, body) in [
        (Method::GET, "/v1/webhooks", None),
        (Method::POST, "/v1/webhooks", Some(body)),
        (Method::GET, "/v1/webhooks/some-id", None),
        (
            Method::PATCH,
            "/v1/webhooks/some-id",
            Some(json!({"status": "paused"})),
        ),
        (Method::DELETE, "/v1/webhooks/some-id", None),
        (Method::POST, "/v1/webhooks/some-id/test", None),
        (Method::GET, "/v1/webhooks/some-id/deliveries", None),
    ] {
        let response = editor(&app, method.clone(), path, &read, body).await;
        assert_problem(response, StatusCode::FORBIDDEN).await;
        let anonymous = app
            .client
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    }
}

async fn a_secret_is_sealed_at_rest_under_plaudit_secret(app: TestApp) {
    let mut settings = webhook_settings(&app);
    settings.secret = Some("a service secret for this test".parse().unwrap());
    let app = restarted(app, &settings).await;
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    let created = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url(), "events": ["article.reset"]}),
    )
    .await;
    let secret = created["secret"].as_str().unwrap();
    let id = created["id"].as_str().unwrap();
    let stored = app.store.subscription(id).await.unwrap().unwrap().secret;
    assert!(stored.starts_with("sealed1:"), "{stored}");
    assert!(!stored.contains(&secret["whsec_".len()..]));
    editor(
        &app,
        Method::POST,
        &format!("/v1/webhooks/{id}/test"),
        &admin,
        None,
    )
    .await;
    let received = receiver.wait_for(1, WAIT).await;
    assert!(received[0].signed_by(secret));
}

async fn two_instances_deliver_each_event_once(app: TestApp) {
    let app = with_webhooks(app).await;
    let settings = webhook_settings(&app);
    let second = plaudit::startup::Application::build(&settings)
        .await
        .unwrap();
    tokio::spawn(second.run());
    let admin = key(&app, Scope::Admin).await;
    let receiver = Receiver::start().await;
    let created = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url(), "events": ["article.reset"]}),
    )
    .await;
    let test = format!("/v1/webhooks/{}/test", created["id"].as_str().unwrap());
    const EVENTS: usize = 40;
    for _ in 0..EVENTS {
        let sent = editor(&app, Method::POST, &test, &admin, None).await;
        assert_eq!(sent.status(), StatusCode::ACCEPTED);
    }
    receiver.wait_for(EVENTS, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    let mut ids: Vec<&str> = received.iter().map(|r| r.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((ids.len(), received.len()), (EVENTS, EVENTS));
}
