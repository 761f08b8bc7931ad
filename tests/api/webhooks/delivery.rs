//! Delivery that loses nothing: retries, giving up, outages, restarts, several instances, pausing a failing endpoint.

use super::*;

on_both_backends!(
    a_failing_endpoint_gets_the_event_once_more_after_it_recovers,
    an_event_is_given_up_after_its_last_attempt,
    an_event_outlives_a_receiver_outage_and_a_restart,
    an_endpoint_failing_too_long_is_paused_with_a_reason,
    two_instances_deliver_each_event_once,
    delivery_history_past_its_retention_is_swept_but_not_events_still_tried,
);

async fn a_failing_endpoint_gets_the_event_once_more_after_it_recovers(app: TestApp) {
    let app = with_webhooks(app).await;
    let admin = key(&app, Scope::Admin).await;
    let (receiver, subscription) = feedback_receiver(&app, &admin).await;
    receiver.answer(&[500, 500, 500]);
    let voter = new_voter();
    app.vote("r1", &voter, 4).await;
    feedback(&app, "r1", &voter, "Retry me").await;

    let received = receiver.wait_for(4, WAIT).await;
    // Long enough for a fifth attempt to show, were one made (retries are 50 ms apart here).
    tokio::time::sleep(Duration::from_millis(700)).await;
    let received_later = receiver.received();
    assert_eq!(received_later.len(), 4, "{received_later:?}");
    assert!(received.iter().all(|r| r.id() == received[0].id()));
    let attempts = deliveries(&app, &admin, &subscription).await;
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

async fn delivery_history_past_its_retention_is_swept_but_not_events_still_tried(app: TestApp) {
    let app = with_webhooks(app).await;
    let admin = key(&app, Scope::Admin).await;
    let (receiver, subscription) = feedback_receiver(&app, &admin).await;
    let voter = new_voter();
    app.vote("h1", &voter, 4).await;
    feedback(&app, "h1", &voter, "Delivered at once").await;
    let delivered = receiver.wait_for(1, WAIT).await[0].id().to_owned();
    // The next event fails five times first, and the subscription is paused after its second
    // failure, so that it is still being tried while the sweep runs, however slow the machine.
    receiver.answer(&[500; 5]);
    feedback(&app, "h1", &voter, "Still being tried").await;
    receiver.wait_for(3, WAIT).await;
    let path = format!("/v1/webhooks/{}", subscription["id"].as_str().unwrap());
    let pause = |status: &'static str| {
        editor(
            &app,
            Method::PATCH,
            &path,
            &admin,
            Some(json!({ "status": status })),
        )
    };
    assert_eq!(pause("paused").await.status(), StatusCode::OK);
    // More history than one delete takes (1,000 rows), and everything made long ago.
    app.database
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) \
             INSERT INTO webhook_attempts (subscription_id, event_id, event_type, attempt, at, \
             latency_ms, result) \
             SELECT (SELECT id FROM webhook_subscriptions), 'old', 'feedback.created', 1, 1, 5, \
             'delivered' FROM n",
        )
        .await;
    app.database
        .execute("UPDATE webhook_outbox SET created_at = 1000")
        .await;
    app.database
        .execute("UPDATE webhook_attempts SET at = 1000")
        .await;

    let swept = plaudit::retention::try_sweep(&app.store, Retention::default()).await;
    assert_eq!((swept.webhook_deliveries, swept.webhook_attempts), (0, 0));
    let thirty_days = Retention {
        webhook_history_ms: Some(30 * 86_400_000),
        ..Retention::default()
    };
    let swept = plaudit::retention::try_sweep(&app.store, thirty_days).await;
    // The attempts go; an event's age counts from its delivery, which was just now.
    assert_eq!(swept.webhook_deliveries, 0);
    assert!(swept.webhook_attempts >= 2_502, "{swept:?}");
    app.database
        .execute("UPDATE webhook_outbox SET delivered_at = 1000 WHERE delivered_at IS NOT NULL")
        .await;
    let swept = plaudit::retention::try_sweep(&app.store, thirty_days).await;
    // The delivered event goes; the one still being tried stays, with its future.
    assert_eq!(swept.webhook_deliveries, 1);
    assert_eq!(pause("active").await.status(), StatusCode::OK);
    let received = receiver.wait_for(7, WAIT).await;
    let tried = received[1].id().to_owned();
    assert_ne!(delivered, tried);
    assert!(received[1..].iter().all(|r| r.id() == tried));
    // The last attempt is written just after the receiver answered it.
    let started = std::time::Instant::now();
    let listed = loop {
        let listed = deliveries(&app, &admin, &subscription).await;
        if listed[0]["result"] == "delivered" || started.elapsed() > WAIT {
            break listed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(listed[0]["result"], "delivered", "{listed:?}");
    assert!(
        listed.iter().all(|a| a["event_id"] == tried.as_str()),
        "the delivered event's attempt is gone: {listed:?}"
    );
}
