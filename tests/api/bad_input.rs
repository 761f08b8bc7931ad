//! Every malformed request gets a 4xx problem+json that says what was wrong, and changes nothing.

use crate::helpers::{TestApp, assert_problem, new_voter};
use reqwest::StatusCode;
use serde_json::{Value, json};

const VOTES: &str = "/v1/articles/a1/votes";

/// Nothing a rejected request sent may have reached the database.
async fn assert_nothing_recorded(app: &TestApp) {
    assert_eq!(app.rating("a1").await["count"], 0);
}

async fn detail(response: reqwest::Response, status: StatusCode) -> String {
    assert_problem(response, status).await["detail"]
        .as_str()
        .unwrap()
        .to_owned()
}

on_both_backends!(
    stars_outside_one_to_five_are_refused,
    a_voter_must_be_a_uuid,
    malformed_and_unexpected_bodies_are_refused,
    a_body_over_the_limit_is_413,
    a_body_must_be_sent_as_json,
    bad_article_ids_are_refused_with_the_rule,
    a_wrong_method_is_405_with_allow
);

async fn stars_outside_one_to_five_are_refused(app: TestApp) {
    let voter = new_voter();
    for stars in [
        json!(0),
        json!(6),
        json!(-1),
        json!(4.5),
        json!("5"),
        json!(null),
        json!(true),
        json!([5]),
    ] {
        let body = json!({ "voter": voter, "stars": stars });
        let message = detail(app.post_json(VOTES, &body).await, StatusCode::BAD_REQUEST).await;
        assert!(
            message.contains("stars") && message.contains("an integer from 1 to 5"),
            "{stars}: {message}"
        );
    }
    assert_nothing_recorded(&app).await;
}

async fn a_voter_must_be_a_uuid(app: TestApp) {
    for voter in [
        json!("reader-1"),
        json!(""),
        json!(42),
        json!(null),
        json!("0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a5"),
    ] {
        let body = json!({ "voter": voter, "stars": 3 });
        let message = detail(app.post_json(VOTES, &body).await, StatusCode::BAD_REQUEST).await;
        assert!(message.starts_with("voter"), "{voter}: {message}");
    }
    let missing = detail(
        app.post_json(VOTES, &json!({ "stars": 3 })).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(missing.contains("missing field `voter`"), "{missing}");
    let in_path = detail(
        app.get("/v1/articles/a1/votes/not-a-uuid").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(in_path.contains("UUID"), "{in_path}");
    assert_problem(
        app.delete("/v1/articles/a1/votes/not-a-uuid").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_nothing_recorded(&app).await;
}

async fn malformed_and_unexpected_bodies_are_refused(app: TestApp) {
    let voter = new_voter();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{\"voter\": ".to_vec(), "not valid JSON"),
        (b"not json".to_vec(), "not valid JSON"),
        (b"".to_vec(), "empty"),
        (b"[]".to_vec(), "expected struct"),
        (
            format!("{{\"voter\":\"{voter}\",\"stars\":3,\"extra\":1}}").into_bytes(),
            "unknown field `extra`",
        ),
        (
            format!("{{\"voter\":\"{voter}\",\"stars\":3}} trailing").into_bytes(),
            "after the JSON value",
        ),
        (vec![0xff, 0xfe, b'{', b'}'], "not valid JSON"),
    ];
    for (body, expected) in cases {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let message = detail(
            app.post_raw(VOTES, "application/json", body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(message.contains(expected), "{shown:?}: {message}");
    }
    assert_nothing_recorded(&app).await;
}

async fn a_body_over_the_limit_is_413(app: TestApp) {
    let padding = "x".repeat(8 * 1024);
    let body = json!({ "voter": new_voter(), "stars": 3, "padding": padding });
    assert_problem(
        app.post_json(VOTES, &body).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    // The same without a Content-Length: streamed in chunks.
    let chunks = futures::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>("x".repeat(1024))));
    let streamed = app
        .client
        .post(app.url(VOTES))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_problem(streamed, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_nothing_recorded(&app).await;
}

async fn a_body_must_be_sent_as_json(app: TestApp) {
    let body = format!("{{\"voter\":\"{}\",\"stars\":3}}", new_voter());
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        let response = app.post_raw(VOTES, content_type, body.clone()).await;
        assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    }
    let no_type = app
        .client
        .post(app.url(VOTES))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_problem(no_type, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_nothing_recorded(&app).await;
    // Parameters and the +json family are JSON too.
    let accepted = app
        .post_raw(VOTES, "application/json; charset=utf-8", body)
        .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
}

async fn bad_article_ids_are_refused_with_the_rule(app: TestApp) {
    let too_long = "a".repeat(129);
    for id in [
        too_long.as_str(),
        "a%2Fb",
        "a%20b",
        "caf%C3%A9",
        "",
        "a%3Fb",
        "%00",
    ] {
        for response in [
            app.vote(id, &new_voter(), 3).await,
            app.get(&format!("/v1/articles/{id}/rating")).await,
            app.get(&format!("/v1/articles/{id}/votes/{}", new_voter()))
                .await,
            app.retract(id, &new_voter()).await,
        ] {
            let message = detail(response, StatusCode::BAD_REQUEST).await;
            assert!(
                message.contains("1 to 128 characters of ASCII letters, digits and . _ : -"),
                "{id}: {message}"
            );
        }
    }
    let longest = "a".repeat(128);
    assert_eq!(
        app.vote(&longest, &new_voter(), 3).await.status(),
        StatusCode::CREATED
    );
    assert_nothing_recorded(&app).await;
}

async fn a_wrong_method_is_405_with_allow(app: TestApp) {
    let voter = new_voter();
    let cases = [
        (reqwest::Method::GET, VOTES.to_owned(), "POST, DELETE"),
        (
            reqwest::Method::PUT,
            format!("{VOTES}/{voter}"),
            "GET, HEAD, DELETE",
        ),
        (
            reqwest::Method::POST,
            "/v1/articles/a1/rating".to_owned(),
            "GET, HEAD",
        ),
        (
            reqwest::Method::DELETE,
            "/v1/ratings".to_owned(),
            "GET, HEAD",
        ),
        (reqwest::Method::PATCH, "/healthz".to_owned(), "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let body: Value = assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
        assert!(body["detail"].as_str().unwrap().contains(method.as_str()));
    }
    assert_nothing_recorded(&app).await;
}

on_both_backends!(nul_characters_are_refused_on_both_databases);

// PostgreSQL cannot store U+0000: both backends refuse it alike, as bad input.
async fn nul_characters_are_refused_on_both_databases(app: TestApp) {
    let admin = crate::editors::key(&app, plaudit::domain::Scope::Admin).await;
    let voter = new_voter();
    app.vote("a1", &voter, 2).await;
    let feedback = app
        .post_json(
            "/v1/articles/a1/feedback",
            &json!({ "voter": voter, "text": "a\u{0}b" }),
        )
        .await;
    assert_problem(feedback, StatusCode::BAD_REQUEST).await;
    for meta in [
        json!({ "title": "a\u{0}b" }),
        json!({ "authors": ["a\u{0}b"] }),
    ] {
        let put = crate::editors::editor(
            &app,
            reqwest::Method::PUT,
            "/v1/articles/a1",
            &admin,
            Some(meta),
        )
        .await;
        assert_problem(put, StatusCode::BAD_REQUEST).await;
    }
    for path in [
        "/v1/reports/articles?section=a%00b",
        "/v1/reports/feedback?section=a%00b",
        "/v1/reports/summary?min_votes=-1",
        "/v1/reports/articles?min_votes=-1",
    ] {
        let response = crate::editors::editor(&app, reqwest::Method::GET, path, &admin, None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    // A whole number written as a float is that number.
    let whole = app
        .post_json(VOTES, &json!({ "voter": new_voter(), "stars": 5.0 }))
        .await;
    assert_eq!(whole.status(), StatusCode::CREATED);
}
