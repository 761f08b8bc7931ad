//! What operators rely on: request ids, metrics, readiness, and the verify command.

use crate::helpers::{TestApp, metric_value, new_voter};
use reqwest::StatusCode;

on_both_backends!(
    request_ids_are_taken_or_made_and_echoed,
    metrics_count_requests_and_votes,
    readiness_fails_fast_while_the_database_is_away,
    verify_finds_a_rating_that_differs_from_its_votes
);

async fn request_ids_are_taken_or_made_and_echoed(app: TestApp) {
    let given = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-42");
    let made = app.get("/v1/articles/a1/rating").await;
    let id = made.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    // A header no log should carry is replaced, not echoed.
    let odd = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "a b")
        .send()
        .await
        .unwrap();
    assert_ne!(odd.headers()["x-request-id"], "a b");
    let problem = app.get("/nowhere").await;
    assert!(problem.headers().contains_key("x-request-id"));
}

async fn metrics_count_requests_and_votes(app: TestApp) {
    let voter = new_voter();
    app.vote("metered", &voter, 4).await;
    app.vote("metered", &voter, 2).await;
    app.retract("metered", &voter).await;
    app.get("/nowhere").await;
    // A miss, then a hit.
    app.rating("metered").await;
    app.rating("metered").await;
    let brew = reqwest::Method::from_bytes(b"BREW").unwrap();
    app.client
        .request(brew, app.url("/v1/ratings"))
        .send()
        .await
        .unwrap();
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for needle in [
        "plaudit_http_requests_total{route=\"/v1/articles/{article_id}/votes\",method=\"POST\",status=\"201\"}",
        "plaudit_http_request_duration_seconds_bucket{route=\"/v1/articles/{article_id}/votes\"",
        "plaudit_votes_total{change=\"new\"}",
        "plaudit_votes_total{change=\"changed\"}",
        "plaudit_votes_total{change=\"retracted\"}",
        "plaudit_db_connections{",
        // A path no route knows, and a method outside HTTP's usual set, make no new labels.
        "plaudit_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}",
        "plaudit_http_requests_total{route=\"/v1/ratings\",method=\"other\",status=\"405\"}",
    ] {
        assert!(text.contains(needle), "missing {needle} in:\n{text}");
    }
    for result in ["hit", "miss"] {
        let series = format!("plaudit_rating_cache_lookups_total{{result=\"{result}\"}}");
        assert!(metric_value(&text, &series) >= 1.0, "{series}");
    }
    // Voter ids never become labels.
    assert!(!text.contains(&voter));
}

async fn readiness_fails_fast_while_the_database_is_away(app: TestApp) {
    app.store.close().await;
    let started = std::time::Instant::now();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

async fn verify_finds_a_rating_that_differs_from_its_votes(app: TestApp) {
    app.vote("a1", &new_voter(), 5).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_plaudit"))
            .arg("verify")
            .env("DATABASE_URL", app.database.url())
            .env("PLAUDIT_LOG", "off")
            .output()
            .unwrap()
    };
    let clean = run();
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    // Corrupt the kept aggregate behind the service's back.
    app.database
        .execute("UPDATE articles SET vote_count = 7 WHERE article_id = 'a1'")
        .await;
    let broken = run();
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stdout).starts_with("a1\t"));
}

/// `--help` shows where a setting comes from, and clap would print an env var's value too:
/// the database URLs carry passwords.
#[test]
fn help_never_prints_a_database_password() {
    for args in [&["--help"][..], &["import", "wordpress", "--help"][..]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_plaudit"))
            .args(args)
            .env("DATABASE_URL", "postgres://plaudit:hunter2@db/plaudit")
            .env("PLAUDIT_IMPORT_FROM", "mysql://wp:hunter2@db/wordpress")
            .env(
                "PLAUDIT_REPORTS_DATABASE_URL",
                "postgres://r:hunter2@replica/p",
            )
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        let shown = String::from_utf8_lossy(&output.stdout);
        assert!(shown.contains("DATABASE_URL"), "{shown}");
        assert!(!shown.contains("hunter2"), "{args:?}: {shown}");
    }
}
