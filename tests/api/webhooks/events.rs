//! Each event type, signed, with the documented body; rating alerts once per crossing.

use super::*;

on_both_backends!(
    each_event_arrives_signed_with_the_documented_body,
    a_rating_alert_fires_once_per_crossing,
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
