//! The cache keeps up with this instance's commits and starts warm: a committed vote, a
//! changed one, a retraction and a restart are all served from memory at once, with the new
//! figures.
//!
//! "From memory" is checked by closing the app's database under it: a read that still answers
//! 200 cannot have asked the database. Metrics are process-wide and tests run in parallel, so
//! "the miss counter did not move" cannot be asserted reliably; the hit counter having moved
//! by at least this test's reads can, and is checked too.

use crate::helpers::{TestApp, metric_value, new_voter, test_settings};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    a_committed_vote_is_read_from_memory,
    a_changed_vote_is_read_at_once,
    concurrent_commits_leave_the_newest_figures,
    a_warm_started_instance_serves_recent_articles_from_memory
);

const HITS: &str = r#"plaudit_rating_cache_lookups_total{result="hit"}"#;

async fn cache_hits(app: &TestApp) -> f64 {
    let page = app.get("/metrics").await.text().await.unwrap();
    // Absent until the first lookup of the process.
    if page.contains(HITS) {
        metric_value(&page, HITS)
    } else {
        0.0
    }
}

/// The batch endpoint's figures for one article.
async fn batch_rating(app: &TestApp, article: &str) -> Value {
    let response = app.get(&format!("/v1/ratings?article_id={article}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["ratings"][0].clone()
}

async fn a_committed_vote_is_read_from_memory(app: TestApp) {
    let article = "written-through";
    let vote = app.vote(article, &new_voter(), 4).await;
    assert_eq!(vote.status(), StatusCode::CREATED);
    let hits = cache_hits(&app).await;

    // Only memory can answer now.
    app.store.close().await;
    let rating = app.rating(article).await;
    assert_eq!(
        (rating["count"].as_i64(), rating["average"].as_f64()),
        (Some(1), Some(4.0))
    );
    assert_eq!(batch_rating(&app, article).await["count"], 1);
    assert!(cache_hits(&app).await >= hits + 2.0);
}

async fn a_changed_vote_is_read_at_once(app: TestApp) {
    let (article, voter) = ("changing", new_voter());
    assert_eq!(
        app.vote(article, &voter, 5).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.rating(article).await["average"], 5.0);
    assert_eq!(batch_rating(&app, article).await["average"], 5.0);

    assert_eq!(app.vote(article, &voter, 1).await.status(), StatusCode::OK);
    let rating = app.rating(article).await;
    assert_eq!(
        (rating["count"].as_i64(), rating["average"].as_f64()),
        (Some(1), Some(1.0))
    );
    assert_eq!(batch_rating(&app, article).await["average"], 1.0);

    let other = new_voter();
    assert_eq!(
        app.vote(article, &other, 3).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.rating(article).await["count"], 2);
    assert!(app.retract(article, &other).await.status().is_success());
    assert_eq!(app.rating(article).await["count"], 1);
    assert_eq!(batch_rating(&app, article).await["count"], 1);
}

/// On PostgreSQL several writers commit side by side and reach the cache in any order; the
/// figures left must be those of the last commit.
async fn concurrent_commits_leave_the_newest_figures(app: TestApp) {
    let article = "crowded";
    let votes = (0..60).map(|i| {
        let app = &app;
        async move { app.vote(article, &new_voter(), 1 + i % 5).await.status() }
    });
    for status in futures::future::join_all(votes).await {
        assert_eq!(status, StatusCode::CREATED);
    }
    app.store.close().await;
    let rating = app.rating(article).await;
    assert_eq!(
        (rating["count"].as_i64(), rating["average"].as_f64()),
        (Some(60), Some(3.0))
    );
}

async fn a_warm_started_instance_serves_recent_articles_from_memory(app: TestApp) {
    let article = "voted-before-the-restart";
    let vote = app.vote(article, &new_voter(), 2).await;
    assert_eq!(vote.status(), StatusCode::CREATED);
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    let mut settings = test_settings(&database);
    // Long enough that the warm entry cannot expire before the read.
    settings.rating_cache_ms = 60_000;
    let restarted = TestApp::spawn_with(database, &settings).await;

    restarted.store.close().await;
    let rating = restarted.rating(article).await;
    assert_eq!(
        (rating["count"].as_i64(), rating["average"].as_f64()),
        (Some(1), Some(2.0))
    );
}
