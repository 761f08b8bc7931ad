//! Editors: API keys, article metadata, feedback, resets and the audit log.

use crate::helpers::{TestApp, assert_problem, new_voter};
use plaudit::domain::Scope;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub async fn key(app: &TestApp, scope: Scope) -> String {
    let (key, _) = app.store.create_key("test", scope).await.unwrap();
    key.expose().to_owned()
}

pub async fn editor(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

on_both_backends!(
    editor_endpoints_need_a_valid_key_with_the_scope,
    metadata_is_set_by_admins_and_read_with_the_rating,
    feedback_needs_a_vote_and_is_kept_as_written,
    a_reset_clears_the_article_and_is_audited,
    the_cli_prints_a_new_key_alone_on_stdout
);

async fn editor_endpoints_need_a_valid_key_with_the_scope(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let admin = key(&app, Scope::Admin).await;
    app.vote("a1", &new_voter(), 4).await;

    let anonymous = app.get("/v1/reports/articles").await;
    assert!(
        anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    for bad in [
        "nonsense",
        "plaudit_000000000000_0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        assert_problem(
            editor(&app, Method::GET, "/v1/reports/articles", bad, None).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    let tampered = format!("{}0", &read[..read.len() - 1]);
    let tampered = if tampered == read {
        format!("{}1", &read[..read.len() - 1])
    } else {
        tampered
    };
    assert_problem(
        editor(&app, Method::GET, "/v1/reports/articles", &tampered, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    assert_eq!(
        editor(&app, Method::GET, "/v1/reports/articles", &read, None)
            .await
            .status(),
        StatusCode::OK
    );
    let put = json!({ "title": "How to vote" });
    assert_problem(
        editor(
            &app,
            Method::PUT,
            "/v1/articles/a1",
            &read,
            Some(put.clone()),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        editor(&app, Method::DELETE, "/v1/articles/a1/votes", &read, None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        editor(&app, Method::PUT, "/v1/articles/a1", &admin, Some(put))
            .await
            .status(),
        StatusCode::OK
    );

    let id = plaudit::domain::ApiKey::id_of(&read).unwrap().to_owned();
    assert!(app.store.revoke_key(&id).await.unwrap());
    assert_problem(
        editor(&app, Method::GET, "/v1/reports/articles", &read, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn metadata_is_set_by_admins_and_read_with_the_rating(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    app.vote("a1", &new_voter(), 2).await;
    // Seen through a vote: it exists, without metadata.
    let bare: Value = editor(&app, Method::GET, "/v1/articles/a1", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bare["title"], Value::Null);
    assert_eq!(bare["rating"]["count"], 1);

    let meta = json!({
        "title": "Rates rise", "url": "https://news.example/rates", "section": "economy",
        "authors": ["A. Writer", "B. Editor"], "published_at": "2026-11-20T08:00:00Z"
    });
    let put = editor(
        &app,
        Method::PUT,
        "/v1/articles/a1",
        &admin,
        Some(meta.clone()),
    )
    .await;
    assert_eq!(put.status(), StatusCode::OK);
    let shown: Value = editor(&app, Method::GET, "/v1/articles/a1", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    for field in ["title", "url", "section", "authors", "published_at"] {
        assert_eq!(shown[field], meta[field], "{field}");
    }
    assert_eq!(shown["rating"]["average"], 2.0);

    // An article known only to the CMS so far.
    assert_eq!(
        editor(
            &app,
            Method::PUT,
            "/v1/articles/new-one",
            &admin,
            Some(json!({ "section": "sport" }))
        )
        .await
        .status(),
        StatusCode::OK
    );
    let fresh: Value = editor(&app, Method::GET, "/v1/articles/new-one", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fresh["rating"]["count"], 0);

    assert_problem(
        editor(&app, Method::GET, "/v1/articles/unknown", &admin, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let typo = editor(
        &app,
        Method::PUT,
        "/v1/articles/a1",
        &admin,
        Some(json!({ "titel": "x" })),
    )
    .await;
    assert_problem(typo, StatusCode::BAD_REQUEST).await;
    let bad_date = editor(
        &app,
        Method::PUT,
        "/v1/articles/a1",
        &admin,
        Some(json!({ "published_at": "last week" })),
    )
    .await;
    assert_problem(bad_date, StatusCode::BAD_REQUEST).await;
}

async fn feedback_needs_a_vote_and_is_kept_as_written(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let voter = new_voter();
    let path = "/v1/articles/a1/feedback";
    let text = "<script>alert('x')</script> Too long & too vague";
    let early = app
        .post_json(path, &json!({ "voter": voter, "text": text }))
        .await;
    assert_problem(early, StatusCode::CONFLICT).await;

    app.post_json(
        "/v1/articles/a1/votes",
        &json!({ "voter": voter, "stars": 2, "revision": "r1" }),
    )
    .await;
    let saved = app
        .post_json(path, &json!({ "voter": voter, "text": text }))
        .await;
    assert_eq!(saved.status(), StatusCode::CREATED);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["text"], text);
    assert_eq!(saved["stars"], 2);

    for bad in [
        json!({ "voter": voter, "text": "" }),
        json!({ "voter": voter, "text": "x".repeat(2001) }),
        json!({ "voter": voter }),
    ] {
        let response = app.post_json(path, &bad).await;
        assert!(response.status().is_client_error());
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }

    let listed: Value = editor(
        &app,
        Method::GET,
        "/v1/reports/feedback?article_id=a1",
        &read,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let entries = listed["feedback"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["text"], text);
    assert_eq!(entries[0]["stars"], 2);
    assert_eq!(entries[0]["revision"], "r1");
    let other: Value = editor(
        &app,
        Method::GET,
        "/v1/reports/feedback?article_id=a2",
        &read,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(other["feedback"].as_array().unwrap().len(), 0);
}

async fn a_reset_clears_the_article_and_is_audited(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    let voters: Vec<String> = (0..3).map(|_| new_voter()).collect();
    for (voter, stars) in voters.iter().zip([1, 2, 5]) {
        app.vote("a1", voter, stars).await;
    }
    app.post_json(
        "/v1/articles/a1/feedback",
        &json!({ "voter": voters[0], "text": "unclear" }),
    )
    .await;
    app.vote("a2", &voters[0], 3).await;

    let reset = editor(&app, Method::DELETE, "/v1/articles/a1/votes", &admin, None).await;
    assert_eq!(reset.status(), StatusCode::OK);
    let reset: Value = reset.json().await.unwrap();
    assert_eq!(reset["votes_deleted"], 3);
    assert_eq!(reset["feedback_deleted"], 1);

    assert_eq!(app.rating("a1").await["count"], 0);
    assert_eq!(app.rating("a2").await["count"], 1);
    assert_eq!(
        app.get(&format!("/v1/articles/a1/votes/{}", voters[0]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let article = plaudit::domain::ArticleId::parse("a1").unwrap();
    assert_eq!(
        app.store.rating(&article).await.unwrap(),
        app.store.recount(&article).await.unwrap()
    );
    // Readers can vote afresh.
    assert_eq!(
        app.vote("a1", &voters[0], 4).await.status(),
        StatusCode::CREATED
    );

    let audit: Value = editor(&app, Method::GET, "/v1/reports/audit", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    let entry = &audit["entries"][0];
    assert_eq!(entry["action"], "reset");
    assert_eq!(entry["article_id"], "a1");
    assert_eq!(
        entry["key_id"],
        plaudit::domain::ApiKey::id_of(&admin).unwrap()
    );
    assert_eq!(entry["details"]["before"]["count"], 3);
    // The figures before, in the shape the reset's own answer gave them (a Rating).
    assert_eq!(
        entry["details"]["before"]["distribution"],
        crate::helpers::distribution([1, 1, 0, 0, 1])
    );

    assert_problem(
        editor(
            &app,
            Method::DELETE,
            "/v1/articles/nowhere/votes",
            &admin,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn the_cli_prints_a_new_key_alone_on_stdout(app: TestApp) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plaudit"))
        .args(["keys", "create", "--name", "newsroom", "--scope", "read"])
        .env("DATABASE_URL", app.database.url())
        .env("PLAUDIT_LOG", "off")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("shown only now"));
    let response = editor(&app, Method::GET, "/v1/reports/summary", lines[0], None).await;
    assert_eq!(response.status(), StatusCode::OK);

    let listed = std::process::Command::new(env!("CARGO_BIN_EXE_plaudit"))
        .args(["keys", "list"])
        .env("DATABASE_URL", app.database.url())
        .env("PLAUDIT_LOG", "off")
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains("newsroom") && listed.contains("active"),
        "{listed}"
    );
    assert!(!listed.contains(lines[0]), "keys list must not show keys");
}
