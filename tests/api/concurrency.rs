//! Aggregates stay exact under concurrent new votes, changes and retractions.

use crate::helpers::{TestApp, new_voter};
use plaudit::domain::ArticleId;
use reqwest::StatusCode;
use std::collections::HashMap;

const VOTERS: usize = 40;
const ROUNDS: usize = 6;

on_both_backends!(concurrent_votes_changes_and_retractions_keep_aggregates_exact);

async fn concurrent_votes_changes_and_retractions_keep_aggregates_exact(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let voters: Vec<String> = (0..VOTERS).map(|_| new_voter()).collect();
    // Each voter runs its own sequence while all the others run theirs; a voter's last
    // action decides what it should count for at the end.
    let tasks = voters.iter().enumerate().map(|(i, voter)| {
        let (app, voter) = (app.clone(), voter.clone());
        tokio::spawn(async move {
            let mut last = None;
            for round in 0..ROUNDS {
                let action = (i * 7 + round * 3) % 6;
                if action == 5 {
                    let status = app.retract("hot", &voter).await.status();
                    assert!(
                        status == StatusCode::NO_CONTENT || status == StatusCode::NOT_FOUND,
                        "{status}"
                    );
                    last = None;
                } else {
                    let stars = (action as u8) + 1;
                    let status = app.vote("hot", &voter, stars).await.status();
                    assert!(status.is_success(), "{status}");
                    last = Some(stars);
                }
            }
            last
        })
    });
    let finals: Vec<Option<u8>> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|joined| joined.expect("voter task"))
        .collect();

    let mut expected: HashMap<u8, i64> = HashMap::new();
    for stars in finals.iter().flatten() {
        *expected.entry(*stars).or_default() += 1;
    }
    let count: i64 = expected.values().sum();
    let sum: i64 = expected
        .iter()
        .map(|(stars, n)| i64::from(*stars) * n)
        .sum();

    let rating = app.rating("hot").await;
    assert_eq!(rating["count"], count);
    for stars in 1..=5u8 {
        assert_eq!(
            rating["distribution"][stars.to_string()],
            expected.get(&stars).copied().unwrap_or(0)
        );
    }
    let average = rating["average"].as_f64().unwrap();
    assert!(
        (average - sum as f64 / count as f64).abs() < 1e-9,
        "{average}"
    );

    let kept = app
        .store
        .rating(&ArticleId::parse("hot").unwrap())
        .await
        .unwrap();
    let recounted = app
        .store
        .recount(&ArticleId::parse("hot").unwrap())
        .await
        .unwrap();
    assert_eq!(kept, recounted);
    assert_eq!(kept.count, count);
    assert!(
        count > 0 && count < VOTERS as i64,
        "the sequences should leave some votes and retract some: {count}"
    );
}

on_both_backends!(a_double_click_counts_once);

async fn a_double_click_counts_once(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let voter = new_voter();
    // The same reader's first vote, sent many times at once with different stars.
    let clicks = (0..12u8).map(|i| {
        let (app, voter) = (app.clone(), voter.clone());
        tokio::spawn(async move { app.vote("clicked", &voter, i % 5 + 1).await.status() })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(clicks)
        .await
        .into_iter()
        .map(|joined| joined.expect("click task"))
        .collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");

    let rating = app.rating("clicked").await;
    assert_eq!(rating["count"], 1);
    let article = ArticleId::parse("clicked").unwrap();
    assert_eq!(
        app.store.rating(&article).await.unwrap(),
        app.store.recount(&article).await.unwrap()
    );
}
