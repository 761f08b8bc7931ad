//! Signing in to the dashboard: the session cookie (attributes, lifetime, scope), signing out,
//! revocation, the Origin check against cross-site request forgery, and plain HTTP only on
//! loopback.

use crate::dashboard::{feedback_on, json_of, session_cookie, sign_in, with_cookie};
use crate::editors::{editor, key};
use crate::helpers::{TestApp, assert_problem, test_settings};
use plaudit::domain::Scope;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_backends!(
    a_session_stands_for_its_key_until_sign_out,
    a_session_changes_things_only_from_the_services_own_origin,
    revoking_a_key_ends_its_sessions
);

async fn a_session_stands_for_its_key_until_sign_out(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let response = app
        .client
        .post(app.url("/v1/session"))
        .json(&json!({ "key": read }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (cookie, line) = session_cookie(&response);
    // Secure by default, with the __Host- prefix; 12 hours unless set otherwise.
    assert!(cookie.starts_with("__Host-plaudit_session="), "{line}");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(line.contains(attribute), "{attribute} in {line}");
    }
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["scope"], "read");

    let who =
        json_of(with_cookie(&app, Method::GET, "/v1/session", &cookie, None, None).await).await;
    assert_eq!(who["key_id"], body["key_id"]);
    assert_eq!(who["expires_at"], body["expires_at"]);
    json_of(
        with_cookie(
            &app,
            Method::GET,
            "/v1/reports/summary",
            &cookie,
            None,
            None,
        )
        .await,
    )
    .await;
    // The session has the key's scope, no more.
    assert_problem(
        with_cookie(
            &app,
            Method::PUT,
            "/v1/articles/a1",
            &cookie,
            Some(&app.address),
            Some(json!({})),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let out = with_cookie(
        &app,
        Method::DELETE,
        "/v1/session",
        &cookie,
        Some(&app.address),
        None,
    )
    .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_problem(
        with_cookie(
            &app,
            Method::GET,
            "/v1/reports/summary",
            &cookie,
            None,
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    for bad in [
        json!({ "key": "nonsense" }),
        json!({ "key": format!("plaudit_000000000000_{}", "0".repeat(64)) }),
    ] {
        assert_problem(
            app.post_json("/v1/session", &bad).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    assert_problem(
        app.post_json("/v1/session", &json!({ "key": read, "remember": true }))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(app.get("/v1/session").await, StatusCode::UNAUTHORIZED).await;
}

async fn a_session_changes_things_only_from_the_services_own_origin(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let cookie = sign_in(&app, &read).await;
    let id = feedback_on(&app, "a1", 2, "Unclear").await;
    let path = format!("/v1/feedback/{id}");
    let body = || Some(json!({ "status": "read" }));
    // Another port of the same host is the same site, so SameSite alone would let it through.
    for origin in [
        None,
        Some("http://127.0.0.1:1"),
        Some("https://evil.example"),
        Some("null"),
    ] {
        assert_problem(
            with_cookie(&app, Method::PATCH, &path, &cookie, origin, body()).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    json_of(
        with_cookie(
            &app,
            Method::PATCH,
            &path,
            &cookie,
            Some(&app.address),
            body(),
        )
        .await,
    )
    .await;
    // Another site may not sign its visitors in, nor out.
    let elsewhere = app
        .client
        .post(app.url("/v1/session"))
        .header("origin", "https://evil.example")
        .json(&json!({ "key": read }))
        .send()
        .await
        .unwrap();
    assert_problem(elsewhere, StatusCode::FORBIDDEN).await;
    assert_problem(
        with_cookie(
            &app,
            Method::DELETE,
            "/v1/session",
            &cookie,
            Some("https://evil.example"),
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(with_cookie(&app, Method::GET, "/v1/session", &cookie, None, None).await).await;
    // The Bearer API is as it was: no Origin needed, the header wins over a cookie.
    let bearer = editor(&app, Method::PATCH, &path, &read, body()).await;
    assert_eq!(bearer.status(), StatusCode::OK);
}

async fn revoking_a_key_ends_its_sessions(app: TestApp) {
    let (admin, record) = app.store.create_key("leaver", Scope::Admin).await.unwrap();
    let cookie = sign_in(&app, admin.expose()).await;
    json_of(with_cookie(&app, Method::GET, "/v1/session", &cookie, None, None).await).await;
    assert!(app.store.revoke_key(&record.id).await.unwrap());
    assert_problem(
        with_cookie(&app, Method::GET, "/v1/session", &cookie, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_cookies_are_for_loopback_only() {
    let database = crate::helpers::TestDatabase::create(crate::helpers::Backend::Sqlite).unwrap();
    let mut settings = test_settings(&database);
    settings.dashboard.session_plain_http = true;
    settings.dashboard.session_hours = 1;
    let app = TestApp::spawn_with(database, &settings).await;
    let read = key(&app, Scope::Read).await;
    let response = app.post_json("/v1/session", &json!({ "key": read })).await;
    let (cookie, line) = session_cookie(&response);
    assert!(cookie.starts_with("plaudit_session="), "{line}");
    assert!(
        !line.contains("Secure") && line.contains("Max-Age=3600"),
        "{line}"
    );

    let database = crate::helpers::TestDatabase::create(crate::helpers::Backend::Sqlite).unwrap();
    let mut settings = test_settings(&database);
    settings.dashboard.session_plain_http = true;
    settings.bind = "0.0.0.0:0".parse().unwrap();
    let refused = plaudit::startup::Application::build(&settings).await;
    assert!(
        refused.is_err(),
        "plain HTTP on a public address must not start"
    );
}
