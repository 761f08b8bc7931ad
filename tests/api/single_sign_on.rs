//! Editors signed in by a single-sign-on proxy's identity header: believed only from the
//! trusted proxies, admins by setting, the rest read; audited by name; writes need the
//! service's own Origin, as a session's do.

use crate::helpers::{TestApp, assert_problem, new_voter, test_settings};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

const HEADER: &str = "x-forwarded-email";

/// Restarts `app` on its database behind a proxy on loopback, or with no proxy trusted.
async fn behind_proxy(app: TestApp, trusted: bool) -> TestApp {
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    let mut settings = test_settings(&database);
    settings.dashboard.sso_header = Some("X-Forwarded-Email".into());
    settings.dashboard.sso_admins = vec!["Boss@News.example".into()];
    settings.abuse.trusted_proxies = if trusted {
        vec!["127.0.0.0/8".parse().unwrap()]
    } else {
        Vec::new()
    };
    TestApp::spawn_with(database, &settings).await
}

async fn as_editor(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &str,
    origin: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header(HEADER, who);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

on_both_backends!(
    the_proxys_header_signs_editors_in_with_the_scope_set_for_them,
    the_header_is_ignored_from_untrusted_peers
);

async fn the_proxys_header_signs_editors_in_with_the_scope_set_for_them(app: TestApp) {
    let app = behind_proxy(app, true).await;
    let voter = new_voter();
    app.vote("a1", &voter, 1).await;
    let saved: Value = app
        .post_json(
            "/v1/articles/a1/feedback",
            &json!({ "voter": voter, "text": "Wrong" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/v1/feedback/{}", saved["id"]);

    let writer = as_editor(
        &app,
        Method::GET,
        "/v1/session",
        "writer@news.example",
        None,
        None,
    )
    .await;
    assert_eq!(writer.status(), StatusCode::OK);
    let writer: Value = writer.json().await.unwrap();
    assert_eq!(
        writer,
        json!({ "key_id": "sso:writer@news.example", "scope": "read", "expires_at": null })
    );
    let boss: Value = as_editor(
        &app,
        Method::GET,
        "/v1/session",
        "boss@news.example",
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(boss["scope"], "admin");

    let status = Some(json!({ "status": "read" }));
    assert_problem(
        as_editor(
            &app,
            Method::PATCH,
            &path,
            "writer@news.example",
            None,
            status.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let triaged = as_editor(
        &app,
        Method::PATCH,
        &path,
        "writer@news.example",
        Some(&app.address),
        status,
    )
    .await;
    assert_eq!(triaged.status(), StatusCode::OK);
    assert_problem(
        as_editor(
            &app,
            Method::DELETE,
            &path,
            "writer@news.example",
            Some(&app.address),
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let deleted = as_editor(
        &app,
        Method::DELETE,
        &path,
        "boss@news.example",
        Some(&app.address),
        None,
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let audit: Value = as_editor(
        &app,
        Method::GET,
        "/v1/reports/audit",
        "writer@news.example",
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let who: Vec<&Value> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["key_id"])
        .collect();
    assert_eq!(
        who,
        [
            &json!("sso:boss@news.example"),
            &json!("sso:writer@news.example")
        ]
    );
    assert_problem(app.get("/v1/session").await, StatusCode::UNAUTHORIZED).await;
}

async fn the_header_is_ignored_from_untrusted_peers(app: TestApp) {
    let app = behind_proxy(app, false).await;
    assert_problem(
        as_editor(
            &app,
            Method::GET,
            "/v1/session",
            "boss@news.example",
            None,
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
