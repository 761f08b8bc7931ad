//! Editors' reports from a second database (`PLAUDIT_REPORTS_DATABASE_URL`): report reads go
//! there, votes and reads of one's own writes stay on the primary; the primary itself is
//! refused; an absent reports database costs reports a 503, never a vote.
//!
//! A real streaming replica is the cluster rig's (tests/cluster); here the second database is
//! another database on the same server, which shows where each query goes. On SQLite, where
//! there is no replica, the setting is refused at start, which is what these tests check there.

use crate::editors::{editor, key};
use crate::helpers::{
    TestApp, TestDatabase, assert_problem, metric_value, new_voter, test_settings,
};
use plaudit::config::Settings;
use plaudit::domain::Scope;
use plaudit::startup::{Application, open_store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Restarts `app` on its database with `reports_url` as the reports database, or returns the
/// start's error.
async fn with_reports_database(app: TestApp, reports_url: &str) -> Result<TestApp, String> {
    let TestApp {
        database, store, ..
    } = app;
    store.close().await;
    let mut settings = test_settings(&database);
    settings.scale_out.reports_database_url = Some(reports_url.to_owned());
    match Application::build(&settings).await {
        Ok(built) => {
            drop(built);
            Ok(TestApp::spawn_with(database, &settings).await)
        }
        Err(error) => Err(format!("{error:#}")),
    }
}

fn is_sqlite(app: &TestApp) -> bool {
    app.store.backend_name() == "sqlite"
}

/// SQLite has no replica: the setting is refused with a message that says so.
async fn refused_on_sqlite(app: TestApp) {
    let error = with_reports_database(app, "postgres://postgres@127.0.0.1:1/none")
        .await
        .err()
        .expect("refused");
    assert!(error.contains("needs PostgreSQL"), "{error}");
}

async fn report(app: &TestApp, admin: &str, path: &str) -> (StatusCode, Value) {
    let response = editor(app, Method::GET, path, admin, None).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

on_both_backends!(
    reports_read_the_reports_database_and_votes_the_primary,
    the_primary_named_as_reports_database_is_refused,
    reports_get_503_while_the_reports_database_is_away
);

async fn reports_read_the_reports_database_and_votes_the_primary(app: TestApp) {
    if is_sqlite(&app) {
        return refused_on_sqlite(app).await;
    }
    // A second, migrated database, standing in for the replica: it has no votes.
    let reports = TestDatabase::create(crate::helpers::Backend::Postgres).unwrap();
    open_store(&Settings {
        database_url: reports.url().to_owned(),
        ..test_settings(&reports)
    })
    .await
    .unwrap()
    .close()
    .await;
    let app = with_reports_database(app, reports.url()).await.unwrap();
    let admin = key(&app, Scope::Admin).await;

    let voter = new_voter();
    assert_eq!(
        app.vote("a1", &voter, 5).await.status(),
        StatusCode::CREATED
    );
    let feedback = app
        .post_json(
            "/v1/articles/a1/feedback",
            &json!({ "voter": voter, "text": "clear" }),
        )
        .await;
    assert_eq!(feedback.status(), StatusCode::CREATED);
    // Read-your-writes stays on the primary: the vote's rating and the metadata just set.
    assert_eq!(app.rating("a1").await["count"], 1);
    let meta = json!({ "title": "A1", "section": "news" });
    let put = editor(&app, Method::PUT, "/v1/articles/a1", &admin, Some(meta)).await;
    assert!(put.status().is_success(), "{}", put.status());
    let (status, article) = report(&app, &admin, "/v1/articles/a1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(article["title"], "A1");

    // Reports, the summary and the feedback list read the reports database, which has none.
    let (status, list) = report(&app, &admin, "/v1/reports/articles").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["articles"], json!([]), "{list}");
    let (status, summary) = report(&app, &admin, "/v1/reports/summary").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["articles"], 0, "{summary}");
    let (status, entries) = report(&app, &admin, "/v1/reports/feedback").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(entries["feedback"], json!([]), "{entries}");

    let page = app.get("/metrics").await.text().await.unwrap();
    assert!(metric_value(&page, "plaudit_report_queries_total{database=\"replica\"}") >= 3.0);
    assert!(
        page.contains("plaudit_db_connections{pool=\"reports\""),
        "{page}"
    );
}

async fn the_primary_named_as_reports_database_is_refused(app: TestApp) {
    if is_sqlite(&app) {
        return refused_on_sqlite(app).await;
    }
    let primary = app.database.url().to_owned();
    let error = with_reports_database(app, &primary)
        .await
        .err()
        .expect("refused");
    assert!(
        error.contains("names the primary database itself"),
        "{error}"
    );
}

async fn reports_get_503_while_the_reports_database_is_away(app: TestApp) {
    if is_sqlite(&app) {
        return refused_on_sqlite(app).await;
    }
    // Nothing listens on port 1: the instance starts and takes votes; reports wait out the
    // pool's timeout (2 s in tests) and get 503 with Retry-After.
    let app = with_reports_database(app, "postgres://postgres@127.0.0.1:1/none")
        .await
        .unwrap();
    let admin = key(&app, Scope::Admin).await;
    assert_eq!(
        app.vote("a1", &new_voter(), 4).await.status(),
        StatusCode::CREATED
    );
    let response = editor(&app, Method::GET, "/v1/reports/articles", &admin, None).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(app.rating("a1").await["count"], 1);
}
