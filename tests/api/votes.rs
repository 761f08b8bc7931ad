use crate::abuse::with_settings;
use crate::helpers::{TestApp, assert_problem, distribution, new_voter};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    first_vote_is_created_and_later_ones_change_it,
    a_voter_reads_back_only_their_own_vote,
    a_retracted_vote_leaves_the_rating,
    votes_on_one_article_leave_others_alone,
    an_article_row_gone_under_a_running_instance_comes_back_with_its_next_vote,
    one_batch_of_first_votes_and_changes_counts_each_vote_once
);

async fn first_vote_is_created_and_later_ones_change_it(app: TestApp) {
    let voter = new_voter();

    let first = app.vote("a1", &voter, 4).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/v1/articles/a1/votes/{voter}"));
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["stars"], 4);
    assert_eq!(body["voter"], voter.as_str());
    assert_eq!(body["rating"]["count"], 1);
    assert_eq!(body["rating"]["average"], 4.0);

    let changed = app.vote("a1", &voter, 2).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["stars"], 2);
    assert_eq!(body["rating"]["count"], 1);
    assert_eq!(
        body["rating"]["distribution"],
        distribution([0, 1, 0, 0, 0])
    );

    let repeated = app.vote("a1", &voter, 2).await;
    assert_eq!(repeated.status(), StatusCode::OK);
    let rating = app.rating("a1").await;
    assert_eq!(rating["count"], 1);
    assert_eq!(rating["average"], 2.0);
}

async fn a_voter_reads_back_only_their_own_vote(app: TestApp) {
    let reader = new_voter();
    let other = new_voter();
    let path = |voter: &str| format!("/v1/articles/a1/votes/{voter}");

    assert_problem(app.get(&path(&reader)).await, StatusCode::NOT_FOUND).await;
    app.vote("a1", &reader, 5).await;
    app.vote("a1", &reader, 3).await;

    let shown = app.get(&path(&reader)).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let body: Value = shown.json().await.unwrap();
    assert_eq!(body["stars"], 3);
    assert_eq!(body["article_id"], "a1");
    assert!(body["created_at"].as_str().unwrap() <= body["updated_at"].as_str().unwrap());
    assert_problem(app.get(&path(&other)).await, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get(&format!("/v1/articles/a2/votes/{reader}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn a_retracted_vote_leaves_the_rating(app: TestApp) {
    let (stays, leaves) = (new_voter(), new_voter());
    app.vote("a1", &stays, 5).await;
    app.vote("a1", &leaves, 1).await;

    let retracted = app.retract("a1", &leaves).await;
    assert_eq!(retracted.status(), StatusCode::NO_CONTENT);
    let rating = app.rating("a1").await;
    assert_eq!(rating["count"], 1);
    assert_eq!(rating["distribution"], distribution([0, 0, 0, 0, 1]));

    assert_problem(app.retract("a1", &leaves).await, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get(&format!("/v1/articles/a1/votes/{leaves}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Voting again after a retraction is a first vote once more.
    assert_eq!(
        app.vote("a1", &leaves, 2).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.rating("a1").await["count"], 2);
}

async fn votes_on_one_article_leave_others_alone(app: TestApp) {
    let voter = new_voter();
    app.vote("a1", &voter, 5).await;
    app.vote("a2", &voter, 1).await;
    assert_eq!(app.rating("a1").await["average"], 5.0);
    assert_eq!(app.rating("a2").await["average"], 1.0);
    app.retract("a2", &voter).await;
    assert_eq!(app.rating("a1").await["count"], 1);
    assert_eq!(app.rating("a2").await["count"], 0);
}

/// The writer remembers which article rows exist so as not to make them again on every batch;
/// a database restored to a time before the article (here: its rows deleted behind the
/// service's back) must not cost the next vote on it.
async fn an_article_row_gone_under_a_running_instance_comes_back_with_its_next_vote(app: TestApp) {
    assert_eq!(
        app.vote("a1", &new_voter(), 5).await.status(),
        StatusCode::CREATED
    );
    app.database
        .execute("DELETE FROM article_days WHERE article_id = 'a1'")
        .await;
    app.database
        .execute("DELETE FROM votes WHERE article_id = 'a1'")
        .await;
    app.database
        .execute("DELETE FROM articles WHERE article_id = 'a1'")
        .await;

    let voted = app.vote("a1", &new_voter(), 2).await;
    assert_eq!(voted.status(), StatusCode::CREATED);
    let body: Value = voted.json().await.unwrap();
    assert_eq!(body["rating"]["count"], 1);
    assert_eq!(body["rating"]["average"], 2.0);
}

/// First votes, a change and one voter's two votes arriving together share a batch (the
/// window holds it open), whose first votes go in one statement: each counts once, and the
/// voter who voted twice keeps one vote, the one the figures count.
async fn one_batch_of_first_votes_and_changes_counts_each_vote_once(app: TestApp) {
    let app = with_settings(app, |s| s.group_commit.batch_window_ms = 300).await;
    let earlier = new_voter();
    assert_eq!(
        app.vote("b1", &earlier, 5).await.status(),
        StatusCode::CREATED
    );
    let newcomers: Vec<(String, &str, u8)> = (0..6u8)
        .map(|i| (new_voter(), ["b1", "b2"][usize::from(i % 2)], i % 5 + 1))
        .collect();
    let twice = new_voter();
    let (changed, first_votes, (one, two)) = futures::join!(
        app.vote("b1", &earlier, 1),
        join_all(newcomers.iter().map(|(v, a, s)| app.vote(a, v, *s))),
        async { futures::join!(app.vote("b2", &twice, 2), app.vote("b2", &twice, 3)) },
    );
    assert_eq!(changed.status(), StatusCode::OK);
    for response in &first_votes {
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let mut statuses = [one.status(), two.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED]);

    // b1: the change (5 -> 1) and the stars 1, 3, 5; b2: 2, 4, 1 and the twice voter's one vote.
    let b1 = app.rating("b1").await;
    assert_eq!(b1["count"], 4);
    assert_eq!(b1["distribution"], distribution([2, 0, 1, 0, 1]));
    let kept: Value = app
        .get(&format!("/v1/articles/b2/votes/{twice}"))
        .await
        .json()
        .await
        .unwrap();
    let kept = kept["stars"].as_u64().unwrap();
    let mut counts = [1, 1, 0, 1, 0];
    counts[usize::try_from(kept).unwrap() - 1] += 1;
    let b2 = app.rating("b2").await;
    assert_eq!(b2["count"], 4);
    assert_eq!(b2["distribution"], distribution(counts));
}
