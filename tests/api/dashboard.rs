//! The dashboard's API besides sign-in (see `sessions.rs`): feedback triage and deletion with
//! their audit entries, the site's daily totals, the retention sweep, and the page and its
//! files. The helpers here serve both files.

use crate::editors::{editor, key};
use crate::helpers::{TestApp, assert_problem, new_voter};
use plaudit::domain::Scope;
use plaudit::retention::Retention;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// The `name=value` of the response's session cookie, and the whole `Set-Cookie` line.
pub fn session_cookie(response: &Response) -> (String, String) {
    let line = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let pair = line.split(';').next().unwrap().to_owned();
    (pair, line)
}

pub async fn sign_in(app: &TestApp, key: &str) -> String {
    let response = app
        .client
        .post(app.url("/v1/session"))
        .header("origin", &app.address)
        .json(&json!({ "key": key }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    session_cookie(&response).0
}

/// A request carrying the session cookie and, if given, an `Origin`.
pub async fn with_cookie(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    origin: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("cookie", cookie);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// A vote and feedback on `article`; the entry's id.
pub async fn feedback_on(app: &TestApp, article: &str, stars: u8, text: &str) -> i64 {
    let voter = new_voter();
    app.vote(article, &voter, stars).await;
    let saved = app
        .post_json(
            &format!("/v1/articles/{article}/feedback"),
            &json!({ "voter": voter, "text": text }),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::CREATED);
    saved.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub async fn json_of(response: Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK, "{}", response.url());
    response.json().await.unwrap()
}

on_both_backends!(
    editors_triage_feedback_and_the_audit_log_keeps_it,
    only_admins_delete_feedback,
    the_site_daily_totals_are_the_votes_per_day,
    the_retention_sweep_forgets_old_feedback_and_expired_sessions,
    the_dashboard_page_is_served_under_a_strict_policy
);

async fn editors_triage_feedback_and_the_audit_log_keeps_it(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let first = feedback_on(&app, "a1", 1, "Wrong figures").await;
    let second = feedback_on(&app, "a1", 2, "Too long").await;
    let listed =
        json_of(editor(&app, Method::GET, "/v1/reports/feedback", &read, None).await).await;
    let statuses: Vec<&Value> = listed["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["status"])
        .collect();
    assert_eq!(statuses, [&json!("new"), &json!("new")]);

    let path = format!("/v1/feedback/{first}");
    let changed = json_of(
        editor(
            &app,
            Method::PATCH,
            &path,
            &read,
            Some(json!({ "status": "resolved" })),
        )
        .await,
    )
    .await;
    assert_eq!(
        changed,
        json!({ "id": first, "article_id": "a1", "status": "resolved", "previous_status": "new" })
    );
    let ids = |body: Value| -> Vec<i64> {
        body["feedback"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect()
    };
    let resolved = editor(
        &app,
        Method::GET,
        "/v1/reports/feedback?status=resolved",
        &read,
        None,
    )
    .await;
    assert_eq!(ids(json_of(resolved).await), [first]);
    let new = editor(
        &app,
        Method::GET,
        "/v1/reports/feedback?status=new",
        &read,
        None,
    )
    .await;
    assert_eq!(ids(json_of(new).await), [second]);
    let two_stars = editor(
        &app,
        Method::GET,
        "/v1/reports/feedback?stars=2",
        &read,
        None,
    )
    .await;
    assert_eq!(ids(json_of(two_stars).await), [second]);

    for (bad_path, bad_body) in [
        (path.as_str(), json!({ "status": "archived" })),
        (path.as_str(), json!({ "status": "read", "note": "x" })),
        ("/v1/feedback/0", json!({ "status": "read" })),
        ("/v1/feedback/x", json!({ "status": "read" })),
    ] {
        assert_problem(
            editor(&app, Method::PATCH, bad_path, &read, Some(bad_body)).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    assert_problem(
        editor(
            &app,
            Method::PATCH,
            "/v1/feedback/999999",
            &read,
            Some(json!({ "status": "read" })),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        editor(
            &app,
            Method::GET,
            "/v1/reports/feedback?status=old",
            &read,
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    let audit = json_of(editor(&app, Method::GET, "/v1/reports/audit", &read, None).await).await;
    let entry = &audit["entries"][0];
    assert_eq!(entry["action"], "feedback_status");
    assert_eq!(entry["article_id"], "a1");
    assert_eq!(entry["key_id"], read[8..20]);
    assert_eq!(
        entry["details"],
        json!({ "feedback_id": first, "from": "new", "to": "resolved" })
    );
}

async fn only_admins_delete_feedback(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let admin = key(&app, Scope::Admin).await;
    let id = feedback_on(&app, "a1", 1, "Personal details here").await;
    let path = format!("/v1/feedback/{id}");
    assert_problem(
        editor(&app, Method::DELETE, &path, &read, None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let deleted = editor(&app, Method::DELETE, &path, &admin, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(
        editor(&app, Method::DELETE, &path, &admin, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let listed =
        json_of(editor(&app, Method::GET, "/v1/reports/feedback", &read, None).await).await;
    assert_eq!(listed["feedback"], json!([]));
    let audit = json_of(editor(&app, Method::GET, "/v1/reports/audit", &read, None).await).await;
    assert_eq!(audit["entries"][0]["action"], "feedback_delete");
    assert_eq!(audit["entries"][0]["details"], json!({ "feedback_id": id }));
}

async fn the_site_daily_totals_are_the_votes_per_day(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    for (article, stars) in [("a1", 5), ("a1", 4), ("a2", 1)] {
        app.vote(article, &new_voter(), stars).await;
    }
    let today = plaudit::time::format_day(plaudit::store::now_millis() / 86_400_000);
    let daily = json_of(editor(&app, Method::GET, "/v1/reports/daily", &read, None).await).await;
    assert_eq!(
        daily["days"],
        json!([{ "date": today, "votes": 3, "average": 10.0 / 3.0 }])
    );
    let later = json_of(
        editor(
            &app,
            Method::GET,
            "/v1/reports/daily?from=2999-01-01T00:00:00Z",
            &read,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(later["days"], json!([]));
    assert_problem(
        editor(
            &app,
            Method::GET,
            "/v1/reports/daily?from=2020-01-02T00:00:00Z&to=2020-01-01T00:00:00Z",
            &read,
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(app.get("/v1/reports/daily").await, StatusCode::UNAUTHORIZED).await;
}

async fn the_retention_sweep_forgets_old_feedback_and_expired_sessions(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    feedback_on(&app, "a1", 1, "Old").await;
    app.database
        .execute("UPDATE feedback SET created_at = 1000")
        .await;
    let kept = feedback_on(&app, "a1", 2, "New").await;
    let cookie = sign_in(&app, &read).await;
    // Retention off: nothing but expired sessions goes, and there are none yet.
    let swept = plaudit::retention::try_sweep(&app.store, Retention::default()).await;
    assert_eq!((swept.sessions, swept.feedback), (0, 0));
    let feedback_for_a_day = Retention {
        feedback_ms: Some(86_400_000),
        ..Retention::default()
    };
    let swept = plaudit::retention::try_sweep(&app.store, feedback_for_a_day).await;
    assert_eq!((swept.sessions, swept.feedback), (0, 1));
    let listed =
        json_of(editor(&app, Method::GET, "/v1/reports/feedback", &read, None).await).await;
    assert_eq!(listed["feedback"][0]["id"], kept);
    assert_eq!(listed["feedback"].as_array().unwrap().len(), 1);

    app.database
        .execute("UPDATE sessions SET expires_at = 1000")
        .await;
    assert_problem(
        with_cookie(&app, Method::GET, "/v1/session", &cookie, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let swept = plaudit::retention::try_sweep(&app.store, Retention::default()).await;
    assert_eq!((swept.sessions, swept.feedback), (1, 0));
}

async fn the_dashboard_page_is_served_under_a_strict_policy(app: TestApp) {
    let page = app.get("/dashboard").await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<style") && !html.contains("style="),
        "no inline style"
    );
    assert!(html.contains(r#"<script type="module" src="dashboard/app.js"></script>"#));
    for file in [
        "app.js",
        "ui.js",
        "dashboard.css",
        "uPlot.esm.js",
        "uPlot.min.css",
    ] {
        let response = app.get(&format!("/dashboard/{file}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        assert!(response.headers().contains_key("etag"));
    }
    let missing = assert_problem(
        app.get("/dashboard/secrets.txt").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The file's name as the caller sent it, not Rust's debug form of the extractor.
    assert_eq!(
        missing["detail"], "the dashboard has no file \"secrets.txt\"",
        "{missing}"
    );
    assert_problem(
        app.get("/dashboard/..%2FCargo.toml").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
