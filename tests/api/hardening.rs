//! What an outside probe found: slow bodies, bodies in other scripts, the RateLimit headers on a
//! 429, unreachable article ids, and the places where the contract and the service disagreed.

use crate::editors::{editor, key};
use crate::helpers::{TestApp, assert_problem, new_voter, test_settings};
use plaudit::domain::Scope;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Restarts `app` on its database with `adjust`ed settings.
async fn restarted(app: TestApp, adjust: impl FnOnce(&mut plaudit::config::Settings)) -> TestApp {
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    let mut settings = test_settings(&database);
    adjust(&mut settings);
    TestApp::spawn_with(database, &settings).await
}

/// Sends a vote's headers and the first byte of a 200-byte body, then nothing more.
async fn start_slow_body(app: &TestApp, n: usize) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let mut socket = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /v1/articles/slow{n}/votes HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket
}

/// Everything the server sends until it closes the connection (or `within` passes).
async fn read_until_closed(socket: &mut TcpStream, within: Duration) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(within, socket.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// `t` of `"votes";r=0;t=180`.
fn reset_secs(ratelimit: &str) -> u64 {
    ratelimit
        .rsplit_once(";t=")
        .and_then(|(_, t)| t.parse().ok())
        .unwrap_or_else(|| panic!("no t in {ratelimit:?}"))
}

async fn slow_bodies_cannot_take_the_service_hostage(app: TestApp) {
    const CAP: usize = 4;
    let app = restarted(app, |s| {
        s.abuse.max_concurrent_requests = CAP;
        s.abuse.body_timeout_secs = 1;
    })
    .await;
    let mut slow = Vec::new();
    for n in 0..CAP + 2 {
        slow.push(start_slow_body(&app, n).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Every slot is held: the service is overloaded, and says so ...
    assert_problem(
        app.get("/v1/articles/x/rating").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    // ... but an orchestrator still sees it alive and ready.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);

    let started = Instant::now();
    let mut timed_out = 0;
    for socket in &mut slow {
        let answer = read_until_closed(socket, Duration::from_secs(10)).await;
        if answer.starts_with("HTTP/1.1 408") {
            assert!(answer.contains("application/problem+json"), "{answer}");
            assert!(answer.contains("request-timeout"), "{answer}");
            timed_out += 1;
        } else {
            // Refused at once for overload (the cap was full when it arrived).
            assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
        }
    }
    assert!(timed_out >= CAP, "{timed_out} of {} timed out", slow.len());
    assert!(started.elapsed() < Duration::from_secs(5));
    // The slots are back, and nothing was stored for the unfinished votes.
    assert_eq!(
        app.get("/v1/articles/x/rating").await.status(),
        StatusCode::OK
    );
    assert_eq!(app.rating("slow0").await["count"], 0);
}

async fn feedback_at_its_limit_in_any_script_is_taken(app: TestApp) {
    for (n, letter) in ["é", "€", "語", "😀"].into_iter().enumerate() {
        let voter = new_voter();
        let article = format!("a{n}");
        app.vote(&article, &voter, 2).await;
        let text = letter.repeat(2000);
        let response = app
            .post_json(
                &format!("/v1/articles/{article}/feedback"),
                &json!({ "voter": voter, "text": text }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{letter}");
        let saved: Value = response.json().await.unwrap();
        assert_eq!(saved["text"], text);
    }
    // One character more is refused by the schema's rule, not by the body's size.
    let voter = new_voter();
    app.vote("b", &voter, 2).await;
    let over = json!({ "voter": voter, "text": "😀".repeat(2001) });
    let problem = assert_problem(
        app.post_json("/v1/articles/b/feedback", &over).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("text"),
        "{problem}"
    );
}

async fn metadata_at_its_limits_in_any_script_is_taken(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    for letter in ["語", "😀"] {
        let long = letter.repeat(1000);
        let metadata = json!({
            "title": long,
            "url": format!("https://example.com/{}", letter.repeat(980)),
            "section": long,
            "authors": vec![letter.repeat(200); 50],
        });
        let put = editor(
            &app,
            Method::PUT,
            "/v1/articles/a1",
            &admin,
            Some(metadata.clone()),
        )
        .await;
        assert_eq!(put.status(), StatusCode::OK, "{letter}");
        let shown: Value = editor(&app, Method::GET, "/v1/articles/a1", &admin, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(shown["title"], metadata["title"]);
        assert_eq!(shown["authors"], metadata["authors"]);
    }
    // Past the cap, 413 all the same.
    let huge = json!({ "title": "x".repeat(200_000) });
    let response = editor(&app, Method::PUT, "/v1/articles/a1", &admin, Some(huge)).await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
}

/// `value` as JSON with every non-ASCII character written as `\\uXXXX` (a surrogate pair
/// outside the BMP), as PHP's `json_encode` and Python's `json.dumps` send it by default.
fn escaped_json(value: &Value) -> String {
    value
        .to_string()
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                let mut units = [0u16; 2];
                c.encode_utf16(&mut units)
                    .iter()
                    .map(|unit| format!("\\u{unit:04x}"))
                    .collect()
            }
        })
        .collect()
}

async fn maxima_sent_as_json_escapes_are_taken(app: TestApp) {
    let voter = new_voter();
    app.vote("a1", &voter, 1).await;
    let text = "😀".repeat(2000);
    let body = escaped_json(&json!({ "voter": voter, "text": text }));
    assert!(body.len() > 24_000, "{} bytes", body.len());
    let response = app
        .post_raw("/v1/articles/a1/feedback", "application/json", body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["text"], text);

    let admin = key(&app, Scope::Admin).await;
    let long = "😀".repeat(1000);
    let metadata = json!({
        "title": long,
        "url": long,
        "section": long,
        "authors": vec!["😀".repeat(200); 50],
        "published_at": "2026-11-26T07:08:29Z",
    });
    let body = escaped_json(&metadata);
    assert!(body.len() > 150_000, "{} bytes", body.len());
    let put = app
        .client
        .put(app.url("/v1/articles/a1"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let shown: Value = editor(&app, Method::GET, "/v1/articles/a1", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["authors"], metadata["authors"]);
}

async fn ratelimit_t_is_the_time_to_a_full_quota_on_a_429_too(app: TestApp) {
    let app = restarted(app, |s| {
        s.abuse.rate_limit_enabled = true;
        s.abuse.writes_per_minute = 1;
        s.abuse.writes_burst = 3;
    })
    .await;
    // The policy says the whole quota (3) refills in 180 s.
    let mut last = None;
    for _ in 0..3 {
        last = Some(app.vote("a1", &new_voter(), 4).await);
    }
    let emptied = last.unwrap();
    assert_eq!(emptied.status(), StatusCode::CREATED);
    let t_emptied = reset_secs(&header(&emptied, "ratelimit"));
    assert!((175..=180).contains(&t_emptied), "{t_emptied}");

    let refused = app.vote("a1", &new_voter(), 4).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let t_refused = reset_secs(&header(&refused, "ratelimit"));
    let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
    // Retry-After: the next single request; t: the whole quota, as on the 201 before it.
    assert!((55..=60).contains(&retry_after), "{retry_after}");
    assert!((175..=180).contains(&t_refused), "{t_refused}");
    assert!(t_refused <= t_emptied);
}

async fn ids_made_of_dots_are_refused(app: TestApp) {
    // `.` and `..` cannot be sent in a path (clients remove them), so a query carries them.
    for dots in [".", "..", "..."] {
        let response = app.get(&format!("/v1/ratings?article_id={dots}")).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("dots"),
            "{problem}"
        );
    }
    assert_problem(
        app.vote("...", &new_voter(), 4).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(app.rating(".a.").await["count"], 0);
}

async fn only_hyphenated_uuids_are_voters(app: TestApp) {
    let voter = new_voter();
    let simple = voter.replace('-', "");
    for other_form in [format!("{{{voter}}}"), format!("urn:uuid:{voter}"), simple] {
        let body = json!({ "voter": other_form, "stars": 4 });
        let response = app.post_json("/v1/articles/a1/votes", &body).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
        // Reading or retracting the vote by that id is refused, not looked up.
        for method in [Method::GET, Method::DELETE] {
            let path = format!("/v1/articles/a1/votes/{other_form}");
            let response = app
                .client
                .request(method, app.url(&path))
                .send()
                .await
                .unwrap();
            let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains("hyphenated"), "{detail}");
        }
    }
    assert_eq!(app.rating("a1").await["count"], 0);
    // Upper case is the same UUID.
    assert_eq!(
        app.vote("a1", &voter.to_uppercase(), 4).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.vote("a1", &voter, 5).await.status(), StatusCode::OK);
}

async fn no_revision_is_null_in_every_answer(app: TestApp) {
    let voter = new_voter();
    let recorded: Value = app.vote("a1", &voter, 2).await.json().await.unwrap();
    assert_eq!(recorded.get("revision"), Some(&Value::Null), "{recorded}");
    let shown: Value = app
        .get(&format!("/v1/articles/a1/votes/{voter}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown.get("revision"), Some(&Value::Null), "{shown}");
    let feedback: Value = app
        .post_json(
            "/v1/articles/a1/feedback",
            &json!({ "voter": voter, "text": "Too short" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(feedback.get("revision"), Some(&Value::Null), "{feedback}");
}

async fn report_windows_echo_what_was_asked(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let summary = |query: &'static str| {
        let (app, read) = (&app, &read);
        async move {
            let path = format!("/v1/reports/summary?{query}");
            let response = editor(app, Method::GET, &path, read, None).await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            response.json::<Value>().await.unwrap()["window"].clone()
        }
    };
    let until_epoch = summary("to=1970-01-01").await;
    assert_eq!(until_epoch["from"], Value::Null);
    assert_eq!(until_epoch["to"], "1970-01-01T00:00:00.000Z");
    let since_epoch = summary("from=1970-01-01").await;
    assert_eq!(since_epoch["from"], "1970-01-01T00:00:00.000Z");
    assert_eq!(since_epoch["to"], Value::Null);
    let open = summary("").await;
    assert_eq!(
        (open["from"].clone(), open["to"].clone()),
        (Value::Null, Value::Null)
    );
    // Two bounds still have to be in order.
    let backwards = "/v1/reports/summary?from=2026-01-02&to=2026-01-01";
    assert_problem(
        editor(&app, Method::GET, backwards, &read, None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

async fn string_parameters_have_limits(app: TestApp) {
    let read = key(&app, Scope::Read).await;
    let long_section = "s".repeat(1001);
    // A well-formed cursor (hex of the JSON the service writes) for an id longer than any
    // article's: it decodes, so only the length bound refuses it.
    let cursor_json = json!({
        "sort": "bayesian_average",
        "order": "desc",
        "value": 1.0,
        "article_id": "a".repeat(600),
    });
    let long_cursor: String = cursor_json
        .to_string()
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    let long_time = format!("2026-01-01T00:00:00.{}Z", "0".repeat(50));
    for path in [
        format!("/v1/reports/articles?section={long_section}"),
        format!("/v1/reports/feedback?section={long_section}"),
        format!("/v1/reports/articles?cursor={long_cursor}"),
        format!("/v1/reports/summary?from={long_time}"),
    ] {
        let response = editor(&app, Method::GET, &path, &read, None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    // At the limit, a section is a filter like any other.
    let at_limit = format!("/v1/reports/articles?section={}", "s".repeat(1000));
    assert_eq!(
        editor(&app, Method::GET, &at_limit, &read, None)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn the_audit_log_shows_the_figures_before_as_the_reset_did(app: TestApp) {
    let admin = key(&app, Scope::Admin).await;
    for stars in [1, 4, 4] {
        app.vote("a1", &new_voter(), stars).await;
    }
    let reset: Value = editor(&app, Method::DELETE, "/v1/articles/a1/votes", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    let audit: Value = editor(&app, Method::GET, "/v1/reports/audit", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    let logged = &audit["entries"][0]["details"]["before"];
    assert_eq!(logged, &reset["before"]);
    assert_eq!(logged["distribution"]["4"], 2);
    assert_eq!(logged["average"], 3.0);
}

on_both_backends!(
    slow_bodies_cannot_take_the_service_hostage,
    feedback_at_its_limit_in_any_script_is_taken,
    metadata_at_its_limits_in_any_script_is_taken,
    maxima_sent_as_json_escapes_are_taken,
    ratelimit_t_is_the_time_to_a_full_quota_on_a_429_too,
    ids_made_of_dots_are_refused,
    only_hyphenated_uuids_are_voters,
    no_revision_is_null_in_every_answer,
    report_windows_echo_what_was_asked,
    string_parameters_have_limits,
    the_audit_log_shows_the_figures_before_as_the_reset_did,
);
