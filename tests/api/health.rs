use crate::helpers::{TestApp, assert_problem, new_voter};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    live_and_ready_while_the_database_answers,
    without_a_database_requests_get_503_not_500,
    the_contract_is_served,
    unknown_paths_are_problem_404s
);

async fn live_and_ready_while_the_database_answers(app: TestApp) {
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
}

async fn without_a_database_requests_get_503_not_500(app: TestApp) {
    app.store.close().await;

    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.headers()["retry-after"], "5");
    assert_problem(ready, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_problem(
        app.vote("a1", &new_voter(), 3).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_problem(
        app.get("/v1/articles/a1/rating").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
}

async fn the_contract_is_served(app: TestApp) {
    let response = app.get("/openapi.yaml").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/yaml");
    let spec = response.text().await.unwrap();
    assert!(
        spec.starts_with("openapi: 3.1"),
        "{}",
        &spec[..40.min(spec.len())]
    );
    assert_eq!(
        spec,
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap()
    );
}

async fn unknown_paths_are_problem_404s(app: TestApp) {
    assert_problem(app.get("/v2/nothing").await, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get("/v1/articles/a1/ratings").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
