use crate::helpers::{TestApp, assert_problem, distribution, new_voter};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    an_article_without_votes_has_a_zero_rating,
    the_rating_holds_average_count_and_distribution,
    head_answers_like_get_without_a_body,
    a_batch_answers_in_the_order_asked,
    a_batch_takes_one_to_a_hundred_valid_ids
);

async fn an_article_without_votes_has_a_zero_rating(app: TestApp) {
    let rating = app.rating("never-rated").await;
    assert_eq!(
        rating,
        json!({ "article_id": "never-rated", "average": 0.0, "count": 0, "distribution": distribution([0; 5]), "unknown_stars": 0 })
    );
}

async fn the_rating_holds_average_count_and_distribution(app: TestApp) {
    for stars in [5, 4, 4, 1] {
        app.vote("news:2026.11_a-1", &new_voter(), stars).await;
    }
    let rating = app.rating("news:2026.11_a-1").await;
    assert_eq!(rating["article_id"], "news:2026.11_a-1");
    assert_eq!(rating["count"], 4);
    assert_eq!(rating["average"], 3.5);
    assert_eq!(rating["distribution"], distribution([1, 0, 0, 2, 1]));
}

async fn head_answers_like_get_without_a_body(app: TestApp) {
    let response = app
        .client
        .head(app.url("/v1/articles/a1/rating"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.unwrap().is_empty());
}

async fn a_batch_answers_in_the_order_asked(app: TestApp) {
    app.vote("b", &new_voter(), 2).await;
    app.vote("a", &new_voter(), 5).await;
    let response = app
        .get("/v1/ratings?article_id=a&article_id=unrated&article_id=b&article_id=a")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let ratings = body["ratings"].as_array().unwrap();
    let ids: Vec<&str> = ratings
        .iter()
        .map(|r| r["article_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "unrated", "b", "a"]);
    let averages: Vec<f64> = ratings
        .iter()
        .map(|r| r["average"].as_f64().unwrap())
        .collect();
    assert_eq!(averages, [5.0, 0.0, 2.0, 5.0]);
    assert_eq!(ratings[1]["distribution"], distribution([0; 5]));
}

async fn a_batch_takes_one_to_a_hundred_valid_ids(app: TestApp) {
    let ids = |n: usize| {
        (0..n)
            .map(|i| format!("article_id=a{i}"))
            .collect::<Vec<_>>()
            .join("&")
    };
    let hundred = app.get(&format!("/v1/ratings?{}", ids(100))).await;
    assert_eq!(hundred.status(), StatusCode::OK);
    assert_eq!(
        hundred.json::<Value>().await.unwrap()["ratings"]
            .as_array()
            .unwrap()
            .len(),
        100
    );

    let too_many = assert_problem(
        app.get(&format!("/v1/ratings?{}", ids(101))).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(too_many["detail"].as_str().unwrap().contains("at most 100"));
    assert_problem(app.get("/v1/ratings").await, StatusCode::BAD_REQUEST).await;
    let bad_id = assert_problem(
        app.get("/v1/ratings?article_id=ok&article_id=a%20b").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        bad_id["detail"]
            .as_str()
            .unwrap()
            .contains("ASCII letters, digits")
    );
    let typo = assert_problem(
        app.get("/v1/ratings?articleid=a").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(typo["detail"].as_str().unwrap().contains("articleid"));
}
