//! Managing subscriptions: the lifecycle, what is refused, who may, and secrets at rest.

use super::*;

on_both_backends!(
    subscriptions_pause_resume_end_on_410_and_delete,
    unsafe_urls_and_bad_subscriptions_are_refused,
    only_admin_keys_manage_webhooks,
    a_secret_is_sealed_at_rest_under_plaudit_secret,
);

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
