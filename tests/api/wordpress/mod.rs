//! `plaudit import wordpress` against a real MariaDB: each test makes its own WordPress
//! database (tables shaped as WordPress and the plugins make them, see `site.rs`), imports it
//! through the library function the command calls, and reads the result back through the
//! public API of a running Plaudit, on SQLite and on PostgreSQL.
//!
//! MariaDB: `PLAUDIT_TEST_WORDPRESS_URL` (default `mysql://root@127.0.0.1:3306`); a test
//! without it says so and passes, unless `PLAUDIT_TEST_REQUIRE_MARIADB=1`.

mod dump;
mod plugins;
mod rate_my_post;
mod site;

use crate::helpers::{Backend, TestApp, TestDatabase, test_settings};
use plaudit::import::{ArticleIdFrom, Plugin, Progress, Summary, WordPressArgs, import_wordpress};
use serde_json::Value;

/// A Plaudit without a rating cache, so that every read shows what the import just wrote.
async fn plaudit(backend: Backend) -> Option<TestApp> {
    let database = TestDatabase::create(backend)?;
    let mut settings = test_settings(&database);
    settings.rating_cache_ms = 0;
    Some(TestApp::spawn_with(database, &settings).await)
}

async fn import(app: &TestApp, site: &site::Site, plugin: Plugin, dry_run: bool) -> Summary {
    let args = WordPressArgs {
        from: site.url.clone(),
        plugin,
        table_prefix: "wp_".into(),
        article_id: ArticleIdFrom::Id,
        dry_run,
    };
    import_wordpress(&app.store, &args, &Progress::hidden())
        .await
        .expect("the import runs")
}

/// Count, average (to 1e-9) and unknown-star votes of an article, through the public API.
async fn assert_rating(app: &TestApp, article: &str, count: i64, average: f64, unknown: i64) {
    let rating: Value = app.rating(article).await;
    assert_eq!(rating["count"], count, "{article}: {rating}");
    let shown = rating["average"].as_f64().unwrap();
    assert!(
        (shown - average).abs() < 1e-9,
        "{article}: average {shown}, expected {average}"
    );
    assert_eq!(rating["unknown_stars"], unknown, "{article}: {rating}");
}

/// Runs a scenario on both backends, each with a WordPress database of its own.
macro_rules! on_both_backends_with_wordpress {
    ($($name:ident),+ $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::super::run(crate::helpers::Backend::Sqlite, super::$name).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::super::run(crate::helpers::Backend::Postgres, super::$name).await
            }
        })+
    };
}
use on_both_backends_with_wordpress;

async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(TestApp, site::Site) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(site) = site::Site::create().await else {
        return;
    };
    let Some(app) = plaudit(backend).await else {
        eprintln!("skipped: PLAUDIT_TEST_DATABASE_URL is not set");
        site.drop_database().await;
        return;
    };
    let name = site.name.clone();
    scenario(app, site).await;
    site::drop_database_named(&name).await;
}
