//! Ratings are cached in memory and revalidated by ETag; this instance's votes show at once,
//! other instances' within the cache's time to live, and sooner for ratings read often (they
//! are read again in the background once past half their life).

use crate::helpers::{TestApp, metric_value, new_voter, test_settings};
use plaudit::startup::Application;
use reqwest::StatusCode;
use std::time::Duration;

async fn rating_with_etag(app: &TestApp, path: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    request.send().await.unwrap()
}

on_both_backends!(
    an_unchanged_rating_is_a_304,
    other_instances_votes_show_within_the_cache_ttl,
    a_rating_read_past_half_its_life_is_read_again_before_it_expires
);

async fn an_unchanged_rating_is_a_304(app: TestApp) {
    for path in [
        "/v1/articles/a1/rating",
        "/v1/ratings?article_id=a1&article_id=a2",
    ] {
        let first = rating_with_etag(&app, path, None).await;
        assert_eq!(first.headers()["cache-control"], "public, no-cache");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = rating_with_etag(&app, path, Some(&etag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());

        app.vote("a1", &new_voter(), 4).await;
        let changed = rating_with_etag(&app, path, Some(&etag)).await;
        assert_eq!(changed.status(), StatusCode::OK, "{path}");
        assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    }
}

async fn other_instances_votes_show_within_the_cache_ttl(app: TestApp) {
    let ttl = Duration::from_millis(test_settings(&app.database).rating_cache_ms);
    let other = Application::build(&test_settings(&app.database))
        .await
        .unwrap();
    let other_address = format!("http://127.0.0.1:{}", other.port());
    tokio::spawn(other.run());

    assert_eq!(app.rating("a1").await["count"], 0);
    let vote = serde_json::json!({ "voter": new_voter(), "stars": 5 });
    let url = format!("{other_address}/v1/articles/a1/votes");
    assert_eq!(
        app.client
            .post(url)
            .json(&vote)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    // This instance still serves what it read (that is the cache at work) ...
    assert_eq!(app.rating("a1").await["count"], 0);
    // ... until the time to live has passed.
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    assert_eq!(app.rating("a1").await["count"], 1);
    // Its own votes show at once.
    app.vote("a1", &new_voter(), 3).await;
    assert_eq!(app.rating("a1").await["count"], 2);
    let voter = new_voter();
    app.vote("a1", &voter, 1).await;
    app.retract("a1", &voter).await;
    assert_eq!(app.rating("a1").await["count"], 2);
}

async fn a_rating_read_past_half_its_life_is_read_again_before_it_expires(app: TestApp) {
    let ttl = Duration::from_secs(4);
    let mut settings = test_settings(&app.database);
    settings.rating_cache_ms = ttl.as_millis() as u64;
    let reader = Application::build(&settings).await.unwrap();
    let reader_url = format!("http://127.0.0.1:{}/v1/articles/a1/rating", reader.port());
    tokio::spawn(reader.run());
    let count = || async {
        let rating: serde_json::Value = app
            .client
            .get(&reader_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        rating["count"].as_i64().unwrap()
    };

    // The reader's entry is read at or after `read`, so it cannot expire before `expiry`.
    let read = std::time::Instant::now();
    let expiry = read + ttl;
    assert_eq!(count().await, 0);
    app.vote("a1", &new_voter(), 5).await;
    assert_eq!(count().await, 0, "the reader serves what it read");
    tokio::time::sleep_until((read + ttl / 2 + Duration::from_millis(100)).into()).await;
    assert_eq!(
        count().await,
        0,
        "still served from memory, and now read again in the background"
    );
    // A 1 that arrives before `expiry` can only come from the entry being read again.
    loop {
        let seen = count().await;
        let answered = std::time::Instant::now();
        assert!(answered < expiry, "not read again before the entry expired");
        if seen == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let metrics = app
        .client
        .get(reader_url.replace("/v1/articles/a1/rating", "/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metric_value(&metrics, "plaudit_rating_cache_rereads_total") >= 1.0);
}
