//! The network cap when many voters of one network arrive together: a batch settles them in
//! one go (`store/database/network_cap.rs`), and must admit exactly as one-by-one would.

use crate::abuse::{behind_local_proxy, vote_from, with_settings};
use crate::helpers::{TestApp, new_voter};
use futures::future::join_all;
use reqwest::StatusCode;

on_both_backends!(one_batch_of_a_network_s_voters_admits_only_up_to_its_cap);

async fn one_batch_of_a_network_s_voters_admits_only_up_to_its_cap(app: TestApp) {
    let app = with_settings(app, |s| {
        behind_local_proxy(s);
        s.abuse.voters_per_network_per_day = 3;
        // Long enough for every vote sent below to share one batch.
        s.group_commit.batch_window_ms = 300;
    })
    .await;
    let office = "203.0.113.77";
    let regular = new_voter();
    let first = vote_from(&app, office, "a1", &regular).await;
    assert_eq!(first.status(), StatusCode::CREATED);

    let newcomers: Vec<String> = (0..5).map(|_| new_voter()).collect();
    let elsewhere: Vec<String> = (0..2).map(|_| new_voter()).collect();
    let (again, from_office, from_elsewhere) = futures::join!(
        vote_from(&app, office, "a1", &regular),
        join_all(newcomers.iter().map(|v| vote_from(&app, office, "a1", v))),
        join_all(
            elsewhere
                .iter()
                .map(|v| vote_from(&app, "198.51.100.9", "a1", v))
        ),
    );

    // The voter the network already counts keeps their vote; two more of its voters fit.
    assert_eq!(again.status(), StatusCode::OK);
    let statuses: Vec<StatusCode> = from_office.iter().map(|r| r.status()).collect();
    let admitted = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((admitted, refused), (2, 3), "{statuses:?}");
    for response in &from_elsewhere {
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    assert_eq!(app.rating("a1").await["count"], 5);

    // The refused left no vote behind, and a later voter from the office is refused too.
    for (voter, status) in newcomers.iter().zip(&statuses) {
        let stored = app.get(&format!("/v1/articles/a1/votes/{voter}")).await;
        let expected = if *status == StatusCode::CREATED {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(stored.status(), expected);
    }
    let late = vote_from(&app, office, "a1", &new_voter()).await;
    assert_eq!(late.status(), StatusCode::TOO_MANY_REQUESTS);

    // One refused voter twice in one batch: the second vote must not find the first, which
    // the cap is about to undo, and count as a change of it.
    let twice = new_voter();
    let (one, two) = futures::join!(
        vote_from(&app, office, "a1", &twice),
        vote_from(&app, office, "a1", &twice)
    );
    assert_eq!(one.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(two.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.rating("a1").await["count"], 5);
}
