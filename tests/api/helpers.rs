//! Spawns the real application on a free port with a database of its own.

use plaudit::config::Settings;
use plaudit::startup::Application;
use plaudit::store::Store;
use reqwest::{Response, StatusCode};
use serde_json::Value;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running app. Its database goes away with it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The app's own store (same pools), for recounts and for closing it under the app.
    pub store: Store,
    pub database: TestDatabase,
}

/// Runs each named test once per backend: `name::sqlite` always, `name::postgres` when
/// `PLAUDIT_TEST_DATABASE_URL` is set (else it prints why it skipped, or fails when
/// `PLAUDIT_TEST_REQUIRE_POSTGRES=1`, as in CI). Each name is an `async fn name(app: TestApp)`
/// in the calling module; its body stays outside the macro so that rustfmt and clippy see it.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                super::$name(app.unwrap()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                    Some(app) => super::$name(app).await,
                    None => eprintln!("skipped {}: PLAUDIT_TEST_DATABASE_URL is not set", module_path!()),
                }
            }
        })+
    };
}

/// A database made for one test.
pub enum TestDatabase {
    Sqlite {
        dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDatabase {
    pub fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = dir.path().join("plaudit.db").to_string_lossy().into_owned();
                Some(Self::Sqlite { dir, url })
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var("PLAUDIT_TEST_DATABASE_URL") else {
                    if std::env::var("PLAUDIT_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                        panic!(
                            "PLAUDIT_TEST_REQUIRE_POSTGRES=1 but PLAUDIT_TEST_DATABASE_URL is not set"
                        );
                    }
                    return None;
                };
                let name = format!("plaudit_test_{}", uuid::Uuid::new_v4().simple());
                run_admin_sql(&admin_url, format!("CREATE DATABASE {name}"));
                let (server, _) = admin_url
                    .rsplit_once('/')
                    .expect("a URL ending in /database");
                let url = format!("{server}/{name}");
                Some(Self::Postgres {
                    admin_url,
                    name,
                    url,
                })
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    /// Runs SQL on the database directly, behind the app's back.
    pub async fn execute(&self, statement: &'static str) {
        match self {
            Self::Sqlite { url, .. } => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(url);
                let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
                sqlx::query(statement).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Self::Postgres { url, .. } => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                sqlx::query(statement).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }

    /// The SQLite file and its write-ahead log, or nothing on PostgreSQL.
    pub fn sqlite_files(&self) -> Vec<std::path::PathBuf> {
        match self {
            Self::Sqlite { dir, .. } => std::fs::read_dir(dir.path())
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .collect(),
            Self::Postgres { .. } => Vec::new(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            run_admin_sql(
                admin_url,
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// Runs one statement on the PostgreSQL server, on a thread of its own so that it works from
/// `Drop` inside a test's runtime as well.
fn run_admin_sql(admin_url: &str, statement: String) {
    use sqlx::Connection;
    let admin_url = admin_url.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&mut conn)
                .await
                .expect("admin statement");
        });
    })
    .join()
    .expect("admin SQL thread");
}

pub fn test_settings(database: &TestDatabase) -> Settings {
    let mut settings = Settings::defaults();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.database_url = database.url().to_owned();
    settings.secret = None;
    settings.workers = 2;
    settings.db_timeout_secs = 2;
    // Tests of other behaviour send many requests from one address; the abuse tests set
    // limits of their own. The network cap stays on, high, so its code runs on every vote.
    settings.abuse.rate_limit_enabled = false;
    settings.abuse.voters_per_network_per_day = 10_000;
    // Short, so that tests of cross-instance staleness wait little.
    settings.rating_cache_ms = 1000;
    settings
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let database = TestDatabase::create(backend)?;
        let settings = test_settings(&database);
        Some(Self::spawn_with(database, &settings).await)
    }

    pub async fn spawn_with(database: TestDatabase, settings: &Settings) -> Self {
        // The tests' subscriber lives as long as the process, and so does its writer.
        std::mem::forget(plaudit::telemetry::init(
            &std::env::var("PLAUDIT_TEST_LOG").unwrap_or_else(|_| "off".into()),
            "text",
        ));
        let app = Application::build(settings).await.expect("the app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let store = app.store();
        tokio::spawn(app.run());
        Self {
            address,
            client: reqwest::Client::new(),
            store,
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("DELETE")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn vote(&self, article: &str, voter: &str, stars: u8) -> Response {
        self.post_json(
            &format!("/v1/articles/{article}/votes"),
            &serde_json::json!({ "voter": voter, "stars": stars }),
        )
        .await
    }

    pub async fn retract(&self, article: &str, voter: &str) -> Response {
        self.delete(&format!("/v1/articles/{article}/votes/{voter}"))
            .await
    }

    /// The article's rating as the API shows it; fails the test on anything but 200.
    pub async fn rating(&self, article: &str) -> Value {
        let response = self.get(&format!("/v1/articles/{article}/rating")).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

/// The value of one series (name and labels, as rendered) in a Prometheus text page.
/// Metrics are process-wide, shared by every test's app: assert on at least, not exactly.
pub fn metric_value(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in:\n{page}"))
}

pub fn new_voter() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Checks that the response is a problem+json with this status, and returns its body.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "status of {}", response.url());
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, PROBLEM_JSON);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["type"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    body
}

/// `{"1": a, "2": b, ...}` as the API writes a distribution.
pub fn distribution(counts: [i64; 5]) -> Value {
    serde_json::json!({ "1": counts[0], "2": counts[1], "3": counts[2], "4": counts[3], "5": counts[4] })
}
