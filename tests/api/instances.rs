//! Several service instances on one database stay exact: votes from both, on one hot article
//! and a few others, all at once, then every aggregate is checked against a recount.

use crate::helpers::{TestApp, new_voter, test_settings};
use plaudit::startup::Application;
use reqwest::StatusCode;
use std::collections::HashMap;
use std::sync::Arc;

const VOTERS_PER_INSTANCE: usize = 30;
const ROUNDS: usize = 5;
const ARTICLES: [&str; 3] = ["hot", "warm", "cool"];

/// Another instance on `app`'s database, as a second server process would be.
async fn second_instance(app: &TestApp) -> String {
    let application = Application::build(&test_settings(&app.database))
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run());
    address
}

on_both_backends!(two_instances_under_concurrent_load_stay_exact);

async fn two_instances_under_concurrent_load_stay_exact(app: TestApp) {
    let second = second_instance(&app).await;
    let app = Arc::new(app);
    let addresses = [app.address.clone(), second];
    let client = reqwest::Client::new();
    let tasks = (0..2 * VOTERS_PER_INSTANCE).map(|i| {
        let (client, address, voter) = (client.clone(), addresses[i % 2].clone(), new_voter());
        tokio::spawn(async move {
            // Each voter's last vote (or retraction) per article is what must count.
            let mut last: HashMap<&str, Option<u8>> = HashMap::new();
            for round in 0..ROUNDS {
                // Every other round on the hot article, the others spread out.
                let article = if round % 2 == 0 {
                    "hot"
                } else {
                    ARTICLES[(i + round) % 3]
                };
                if (i + round) % 7 == 6 {
                    let url = format!("{address}/v1/articles/{article}/votes/{voter}");
                    let status = client.delete(url).send().await.unwrap().status();
                    assert!(
                        status == StatusCode::NO_CONTENT || status == StatusCode::NOT_FOUND,
                        "{status}"
                    );
                    last.insert(article, None);
                } else {
                    let stars = ((i * 3 + round) % 5 + 1) as u8;
                    let url = format!("{address}/v1/articles/{article}/votes");
                    let body = serde_json::json!({ "voter": voter, "stars": stars });
                    let status = client.post(url).json(&body).send().await.unwrap().status();
                    assert!(status.is_success(), "{status}");
                    last.insert(article, Some(stars));
                }
            }
            last
        })
    });
    let mut expected: HashMap<&str, (i64, i64)> = HashMap::new();
    for finals in futures::future::join_all(tasks).await {
        for (article, stars) in finals.unwrap() {
            let entry = expected.entry(article).or_default();
            if let Some(stars) = stars {
                entry.0 += 1;
                entry.1 += i64::from(stars);
            }
        }
    }
    // The last votes may have gone through the other instance: this one's cached ratings
    // catch up within the cache's time to live.
    tokio::time::sleep(std::time::Duration::from_millis(
        test_settings(&app.database).rating_cache_ms + 100,
    ))
    .await;
    for article in ARTICLES {
        let rating = app.rating(article).await;
        let (count, sum) = expected.get(article).copied().unwrap_or_default();
        assert_eq!(rating["count"], count, "{article}");
        if count > 0 {
            let average = rating["average"].as_f64().unwrap();
            assert!(
                (average - sum as f64 / count as f64).abs() < 1e-9,
                "{article}: {average}"
            );
        }
    }
    assert!(
        expected["hot"].0 > 10,
        "the hot article must take most votes: {expected:?}"
    );
    assert_eq!(app.store.verify().await.unwrap(), Vec::new());
}
