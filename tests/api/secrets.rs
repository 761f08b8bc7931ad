//! Voters are kept only as keyed hashes, under a key the database keeps across restarts.

use crate::helpers::{TestApp, TestDatabase, new_voter, test_settings};
use reqwest::StatusCode;

/// A second app on the same database: what a restart or another instance sees.
async fn restart(app: TestApp, secret: Option<&str>) -> TestApp {
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    let mut settings = test_settings(&database);
    settings.secret = secret.map(|s| s.parse().unwrap());
    TestApp::spawn_with(database, &settings).await
}

fn database_files_contain(database: &TestDatabase, needle: &[u8]) -> bool {
    database.sqlite_files().iter().any(|file| {
        let bytes = std::fs::read(file).unwrap();
        bytes.windows(needle.len()).any(|window| window == needle)
    })
}

on_both_backends!(
    the_generated_key_survives_a_restart,
    a_configured_secret_replaces_the_generated_key,
    raw_voter_ids_are_never_stored
);

async fn the_generated_key_survives_a_restart(app: TestApp) {
    let voter = new_voter();
    app.vote("a1", &voter, 4).await;
    let app = restart(app, None).await;
    let vote = app.get(&format!("/v1/articles/a1/votes/{voter}")).await;
    assert_eq!(vote.status(), StatusCode::OK);
    // The same voter is still recognised: a change, not a second vote.
    assert_eq!(app.vote("a1", &voter, 2).await.status(), StatusCode::OK);
    assert_eq!(app.rating("a1").await["count"], 1);
}

async fn a_configured_secret_replaces_the_generated_key(app: TestApp) {
    let voter = new_voter();
    app.vote("a1", &voter, 4).await;
    let app = restart(app, Some("an operator-chosen secret")).await;
    let vote = app.get(&format!("/v1/articles/a1/votes/{voter}")).await;
    assert_eq!(vote.status(), StatusCode::NOT_FOUND);
}

async fn raw_voter_ids_are_never_stored(app: TestApp) {
    let voter = uuid::Uuid::new_v4();
    app.vote("a1", &voter.to_string(), 4).await;
    let app = restart(app, None).await;
    if !app.database.sqlite_files().is_empty() {
        assert!(!database_files_contain(
            &app.database,
            voter.to_string().as_bytes()
        ));
        assert!(!database_files_contain(&app.database, voter.as_bytes()));
        assert!(
            database_files_contain(&app.database, b"a1"),
            "the scan must see stored data"
        );
    } else {
        let pool = sqlx::PgPool::connect(app.database.url()).await.unwrap();
        let (holding, stored): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE position($1 in voter_hash) > 0 \
                OR position(convert_to($2, 'UTF8') in voter_hash) > 0), COUNT(*) FROM votes",
        )
        .bind(voter.as_bytes().as_slice())
        .bind(voter.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((holding, stored), (0, 1));
        pool.close().await;
    }
    // The stored vote is reachable only through the keyed hash.
    assert_eq!(
        app.get(&format!("/v1/articles/a1/votes/{voter}"))
            .await
            .status(),
        StatusCode::OK
    );
}
