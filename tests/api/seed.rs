//! `plaudit seed`, through the library function the command calls: what it says it wrote is
//! in the database, every aggregate equals a recount, the public API and the reports add
//! up, and a database with votes is refused unless the seed appends.

use crate::editors::{editor, key};
use crate::helpers::TestApp;
use plaudit::domain::Scope;
use plaudit::seed::{Progress, SeedError, SeedPlan, SeedSummary, seed};
use plaudit::store::SeedState;
use reqwest::{Method, StatusCode};
use serde_json::Value;

on_both_backends!(
    a_seeded_database_adds_up,
    a_database_with_votes_is_refused_unless_appending
);

fn plan(articles: u64, votes: u64, append: bool) -> SeedPlan {
    SeedPlan {
        articles,
        votes,
        days: 60,
        sections: vec!["news".into(), "sport".into(), "culture".into()],
        feedback: votes / 100,
        append,
        seed: 42,
        now: plaudit::store::now_millis(),
    }
}

async fn run(app: &TestApp, plan: &SeedPlan) -> Result<SeedSummary, SeedError> {
    seed(&app.store, plan, &Progress::hidden()).await
}

/// Every rating of articles `a1` to `a{articles}` through `GET /v1/ratings`, 100 at a time.
async fn public_ratings(app: &TestApp, articles: u64) -> Vec<Value> {
    let mut ratings = Vec::new();
    let numbers: Vec<u64> = (1..=articles).collect();
    for page in numbers.chunks(100) {
        let query: Vec<String> = page.iter().map(|n| format!("article_id=a{n}")).collect();
        let response = app.get(&format!("/v1/ratings?{}", query.join("&"))).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        ratings.extend(body["ratings"].as_array().unwrap().iter().cloned());
    }
    ratings
}

async fn a_seeded_database_adds_up(app: TestApp) {
    let summary = run(&app, &plan(200, 2_000, false)).await.unwrap();
    let written = summary.written;
    assert_eq!(
        (written.articles, written.votes, written.feedback),
        (200, 2_000, 20)
    );
    let state = app.store.seed_state().await.unwrap();
    assert_eq!(
        state,
        SeedState {
            articles: 200,
            votes: 2_000
        }
    );
    assert_eq!(app.store.verify().await.unwrap(), vec![]);

    // Through the public API, the ratings add up to the votes, each distribution to its count.
    let ratings = public_ratings(&app, 200).await;
    assert_eq!(ratings.len(), 200);
    let mut total = 0;
    for rating in &ratings {
        let count = rating["count"].as_i64().unwrap();
        let spread: i64 = (1..=5)
            .map(|stars| rating["distribution"][stars.to_string()].as_i64().unwrap())
            .sum();
        assert_eq!(spread, count, "{rating}");
        total += count;
    }
    assert_eq!(total, 2_000);
    // A long tail: the most voted article has several times the mean of 10.
    let (top, top_votes) = summary.most_voted.unwrap();
    assert!(top_votes > 30, "the most voted has {top_votes}");
    assert_eq!(app.rating(&top).await["count"], top_votes);

    // The reports see the same: every vote, in the sections asked for, and the feedback.
    let reader = key(&app, Scope::Read).await;
    let response = editor(&app, Method::GET, "/v1/reports/summary", &reader, None).await;
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["figures"]["count"], 2_000, "{summary}");
    let sections: Vec<&str> = summary["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["section"].as_str().unwrap())
        .collect();
    assert!(
        sections
            .iter()
            .all(|s| ["news", "sport", "culture"].contains(s))
    );
    let path = "/v1/reports/feedback?limit=500";
    let feedback: Value = editor(&app, Method::GET, path, &reader, None)
        .await
        .json()
        .await
        .unwrap();
    let entries = feedback["feedback"].as_array().unwrap();
    assert_eq!(entries.len(), 20);
    assert!(entries.iter().all(|e| e["stars"].as_i64().unwrap() <= 2));
}

async fn a_database_with_votes_is_refused_unless_appending(app: TestApp) {
    run(&app, &plan(50, 500, false)).await.unwrap();
    let before = app.store.seed_state().await.unwrap();

    let refused = run(&app, &plan(50, 500, false)).await;
    assert!(
        matches!(refused, Err(SeedError::HoldsVotes(500))),
        "{refused:?}"
    );
    assert_eq!(app.store.seed_state().await.unwrap(), before);

    let appended = run(&app, &plan(30, 300, true)).await.unwrap();
    assert_eq!(appended.written.votes, 300);
    let after = app.store.seed_state().await.unwrap();
    assert_eq!(
        after,
        SeedState {
            articles: 80,
            votes: 800
        }
    );
    assert_eq!(app.store.verify().await.unwrap(), vec![]);
    // The new articles come after the old ones, and the API counts both.
    let total: i64 = public_ratings(&app, 80)
        .await
        .iter()
        .map(|r| r["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 800);
}
