//! Rate limits, trusted proxies, the ballot-stuffing cap, CORS and overload shedding.

use crate::helpers::{TestApp, TestDatabase, assert_problem, new_voter, test_settings};
use plaudit::config::Settings;
use reqwest::{Response, StatusCode};
use serde_json::json;

/// Restarts `app` on its database with settings changed by `adjust`.
pub(crate) async fn with_settings(app: TestApp, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    let mut settings = test_settings(&database);
    adjust(&mut settings);
    TestApp::spawn_with(database, &settings).await
}

fn limited(writes_burst: u32) -> impl FnOnce(&mut Settings) {
    move |settings| {
        settings.abuse.rate_limit_enabled = true;
        settings.abuse.writes_per_minute = 1;
        settings.abuse.writes_burst = writes_burst;
    }
}

pub(crate) fn behind_local_proxy(settings: &mut Settings) {
    settings.abuse.trusted_proxies =
        vec!["127.0.0.1/32".parse().unwrap(), "::1/128".parse().unwrap()];
}

pub(crate) async fn vote_from(
    app: &TestApp,
    forwarded_for: &str,
    article: &str,
    voter: &str,
) -> Response {
    app.client
        .post(app.url(&format!("/v1/articles/{article}/votes")))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "voter": voter, "stars": 4 }))
        .send()
        .await
        .unwrap()
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn database_holds(database: &TestDatabase, needle: &[u8]) -> bool {
    database.sqlite_files().iter().any(|file| {
        std::fs::read(file)
            .unwrap()
            .windows(needle.len())
            .any(|window| window == needle)
    })
}

on_both_backends!(
    exactly_the_burst_gets_through_then_429,
    readers_behind_a_trusted_proxy_are_limited_one_by_one,
    a_forged_header_from_outside_moves_nothing,
    ipv6_readers_are_limited_per_64,
    limits_can_be_switched_off,
    one_network_may_add_only_so_many_voters_a_day,
    preflight_and_cors_headers_let_the_widget_in,
    only_configured_origins_are_allowed,
    responses_carry_security_headers_and_no_version,
    past_the_concurrency_cap_requests_get_503
);

async fn exactly_the_burst_gets_through_then_429(app: TestApp) {
    let app = with_settings(app, limited(3)).await;
    for remaining in [2, 1, 0] {
        let response = app.vote("a1", &new_voter(), 4).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(header(&response, "ratelimit-policy"), "\"votes\";q=3;w=180");
        let state = header(&response, "ratelimit");
        assert!(
            state.starts_with(&format!("\"votes\";r={remaining};t=")),
            "{state}"
        );
    }
    let refused = app.vote("a1", &new_voter(), 4).await;
    let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&refused, "ratelimit-policy"), "\"votes\";q=3;w=180");
    assert!(header(&refused, "ratelimit").starts_with("\"votes\";r=0;t="));
    let problem = assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("too many requests")
    );
    // The refused vote changed nothing, and reads have a quota of their own.
    let rating = app.get("/v1/articles/a1/rating").await;
    assert_eq!(header(&rating, "ratelimit-policy"), "\"reads\";q=120;w=12");
    assert_eq!(
        rating.json::<serde_json::Value>().await.unwrap()["count"],
        3
    );
}

async fn readers_behind_a_trusted_proxy_are_limited_one_by_one(app: TestApp) {
    let app = with_settings(app, |s| {
        limited(2)(s);
        behind_local_proxy(s)
    })
    .await;
    for _ in 0..2 {
        assert!(
            vote_from(&app, "198.51.100.1", "a1", &new_voter())
                .await
                .status()
                .is_success()
        );
    }
    assert_eq!(
        vote_from(&app, "198.51.100.1", "a1", &new_voter())
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another reader behind the same proxy has a quota of their own, whatever they prepend.
    assert!(
        vote_from(&app, "198.51.100.2", "a1", &new_voter())
            .await
            .status()
            .is_success()
    );
    assert!(
        vote_from(&app, "198.51.100.1, 198.51.100.3", "a1", &new_voter())
            .await
            .status()
            .is_success()
    );
}

async fn a_forged_header_from_outside_moves_nothing(app: TestApp) {
    let app = with_settings(app, limited(2)).await;
    assert!(
        vote_from(&app, "198.51.100.1", "a1", &new_voter())
            .await
            .status()
            .is_success()
    );
    assert!(
        vote_from(&app, "198.51.100.2", "a1", &new_voter())
            .await
            .status()
            .is_success()
    );
    let forged = vote_from(&app, "198.51.100.3", "a1", &new_voter()).await;
    assert_eq!(forged.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn ipv6_readers_are_limited_per_64(app: TestApp) {
    let app = with_settings(app, |s| {
        limited(1)(s);
        behind_local_proxy(s)
    })
    .await;
    assert!(
        vote_from(&app, "2001:db8::1", "a1", &new_voter())
            .await
            .status()
            .is_success()
    );
    assert_eq!(
        vote_from(&app, "2001:db8::2", "a1", &new_voter())
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert!(
        vote_from(&app, "2001:db8:0:1::1", "a1", &new_voter())
            .await
            .status()
            .is_success()
    );
}

async fn limits_can_be_switched_off(app: TestApp) {
    for _ in 0..30 {
        let response = app.vote("a1", &new_voter(), 3).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert!(response.headers().get("ratelimit").is_none());
    }
}

async fn one_network_may_add_only_so_many_voters_a_day(app: TestApp) {
    let app = with_settings(app, |s| {
        behind_local_proxy(s);
        s.abuse.voters_per_network_per_day = 3;
    })
    .await;
    let office = "203.0.113.77";
    let voters: Vec<String> = (0..3).map(|_| new_voter()).collect();
    for voter in &voters {
        assert_eq!(
            vote_from(&app, office, "a1", voter).await.status(),
            StatusCode::CREATED
        );
    }
    let stuffer = new_voter();
    let stuffed = vote_from(&app, office, "a1", &stuffer).await;
    assert!(header(&stuffed, "retry-after").parse::<u64>().unwrap() <= 86_400);
    let problem = assert_problem(stuffed, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("from your network"),
        "{problem}"
    );
    assert_eq!(app.rating("a1").await["count"], 3);
    // The refused vote left nothing behind.
    let refused = app.get(&format!("/v1/articles/a1/votes/{stuffer}")).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    // Readers who voted keep full use of their vote.
    assert_eq!(
        vote_from(&app, office, "a1", &voters[0]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.retract("a1", &voters[1]).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        vote_from(&app, office, "a1", &voters[1]).await.status(),
        StatusCode::CREATED
    );
    // The cap is per article and per network.
    assert_eq!(
        vote_from(&app, office, "a2", &new_voter()).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        vote_from(&app, "203.0.113.78", "a1", &new_voter())
            .await
            .status(),
        StatusCode::CREATED
    );

    // Nothing that leads back to the address is stored.
    let app = with_settings(app, |_| {}).await;
    if !app.database.sqlite_files().is_empty() {
        assert!(
            database_holds(&app.database, b"a2"),
            "the scan must see stored data"
        );
        assert!(!database_holds(&app.database, office.as_bytes()));
        assert!(!database_holds(&app.database, &[203, 0, 113, 77]));
    }
}

async fn preflight_and_cors_headers_let_the_widget_in(app: TestApp) {
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/articles/a1/votes"))
        .header("origin", "https://news.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(header(&preflight, "access-control-allow-origin"), "*");
    assert!(header(&preflight, "access-control-allow-methods").contains("POST"));
    assert!(
        header(&preflight, "access-control-allow-headers")
            .to_lowercase()
            .contains("content-type")
    );

    let app = with_settings(app, limited(5)).await;
    let vote = app
        .client
        .post(app.url("/v1/articles/a1/votes"))
        .header("origin", "https://news.example")
        .json(&json!({ "voter": new_voter(), "stars": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(vote.status(), StatusCode::CREATED);
    assert_eq!(header(&vote, "access-control-allow-origin"), "*");
    let exposed = header(&vote, "access-control-expose-headers").to_lowercase();
    for name in ["ratelimit", "ratelimit-policy", "retry-after"] {
        assert!(exposed.contains(name), "{exposed}");
    }
    // Operational endpoints are not CORS-open.
    let health = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://news.example")
        .send()
        .await
        .unwrap();
    assert!(
        health
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

async fn only_configured_origins_are_allowed(app: TestApp) {
    let app = with_settings(app, |s| {
        s.abuse.cors_origins = vec!["https://news.example".into()]
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/ratings"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let allowed = preflight("https://news.example").await.unwrap();
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        "https://news.example"
    );
    let refused = preflight("https://elsewhere.example").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert!(refused.status().is_client_error());
    assert_eq!(header(&refused, "content-type"), "application/problem+json");
}

async fn responses_carry_security_headers_and_no_version(app: TestApp) {
    for path in ["/v1/articles/a1/rating", "/healthz", "/nowhere"] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            "no-referrer",
            "{path}"
        );
        assert!(
            header(&response, "content-security-policy").contains("default-src 'none'"),
            "{path}"
        );
        assert!(response.headers().get("server").is_none(), "{path}");
    }
}

async fn past_the_concurrency_cap_requests_get_503(app: TestApp) {
    let app = with_settings(app, |s| s.abuse.max_concurrent_requests = 1).await;
    // A vote whose body never finishes holds the only slot: headers sent, body withheld.
    // If a probe reaches the server first, the vote is the one refused; then try again.
    let head = "POST /v1/articles/a1/votes HTTP/1.1\r\nHost: test\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    let (mut refused, mut slow) = (None, None);
    for _ in 0..10 {
        let mut held = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
            .await
            .unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut held, head.as_bytes())
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let probe = app.get("/v1/articles/a1/rating").await;
        if probe.status() == StatusCode::SERVICE_UNAVAILABLE {
            (refused, slow) = (Some(probe), Some(held));
            break;
        }
    }
    let refused = refused.expect("a request past the cap is refused");
    assert_eq!(header(&refused, "retry-after"), "1");
    assert_problem(refused, StatusCode::SERVICE_UNAVAILABLE).await;
    // Once the slow client is gone, its slot frees up (as soon as the server sees it close).
    drop(slow);
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..250 {
        status = app.get("/v1/articles/a1/rating").await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, StatusCode::OK);
}
