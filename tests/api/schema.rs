//! The two migration folders build the same schema: `migrations/sqlite` and
//! `migrations/postgres` are written side by side by hand, and this test is what keeps them in
//! step. It migrates a fresh database of each kind through the service's own path, reads back
//! what each database really holds (tables, columns, keys, indexes, foreign keys, checks), and
//! fails with one line per difference, naming the table, the item and the side.
//!
//! Each schema is flattened into facts, `table votes, column stars` → `integer not null`, so
//! that a difference is simply a key on one side only or a value that differs. Dialects are
//! compared through families (BIGINT, SMALLINT and INTEGER are all `integer`; BYTEA and BLOB
//! are `blob`) and through normalised SQL (PostgreSQL rewrites `x BETWEEN 1 AND 5` and
//! `x IN ('a', 'b')` in its catalog; casts and parentheses are dropped), so only a difference
//! a user of the database could notice is reported. What that still cannot reconcile goes in
//! `ALLOWED_DIFFERENCES`, with the reason.

mod postgres;
mod sql;
mod sqlite;

use crate::helpers::{Backend, TestDatabase, test_settings};
use std::collections::BTreeMap;

/// Facts that may differ between the backends, each with why. A stale entry (one that no
/// longer differs) fails the test too, so that this list stays the truth.
///
/// Empty today: every difference between the two folders is one of dialect that the
/// normalisation above absorbs (integer widths, BYTEA/BLOB, identity/AUTOINCREMENT, SQLite's
/// WITHOUT ROWID, PostgreSQL's rewriting of CHECK expressions).
const ALLOWED_DIFFERENCES: &[(&str, &str)] = &[
    // ("table t, column c", "why the two backends differ here on purpose"),
];

/// Tables that are not the application's schema.
const IGNORED_TABLES: &[&str] = &["_sqlx_migrations"];

/// Fact → description, for one backend.
type Facts = BTreeMap<String, String>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migrations_build_the_same_schema_on_sqlite_and_postgres() {
    let Some(postgres) = TestDatabase::create(Backend::Postgres) else {
        eprintln!("skipped: PLAUDIT_TEST_DATABASE_URL is not set");
        return;
    };
    let sqlite = TestDatabase::create(Backend::Sqlite).expect("SQLite needs no set-up");
    migrate(&sqlite).await;
    migrate(&postgres).await;

    let sqlite_facts = sqlite::facts(sqlite.url()).await;
    let postgres_facts = postgres::facts(postgres.url()).await;
    // A reader that found nothing would make any two schemas equal.
    for (backend, facts) in [("sqlite", &sqlite_facts), ("postgres", &postgres_facts)] {
        for table in ["articles", "votes"] {
            assert!(
                facts.contains_key(&format!("table {table}, column article_id")),
                "no articles/votes columns read from {backend}: {facts:#?}"
            );
        }
    }

    let differences = differences(&sqlite_facts, &postgres_facts);
    let mut unexpected = Vec::new();
    for (fact, difference) in &differences {
        if !ALLOWED_DIFFERENCES
            .iter()
            .any(|(allowed, _)| allowed == fact)
        {
            unexpected.push(difference.as_str());
        }
    }
    let stale: Vec<&str> = ALLOWED_DIFFERENCES
        .iter()
        .map(|(fact, _)| *fact)
        .filter(|fact| !differences.contains_key(*fact))
        .collect();
    assert!(
        unexpected.is_empty(),
        "migrations/sqlite and migrations/postgres build different schemas:\n  {}\n\
         Make the two folders agree, or add the fact to ALLOWED_DIFFERENCES with the reason.",
        unexpected.join("\n  "),
    );
    assert!(
        stale.is_empty(),
        "these ALLOWED_DIFFERENCES no longer differ; remove them: {stale:?}"
    );
}

/// Migrates through the service's own start-up path, as `plaudit migrate` does.
async fn migrate(database: &TestDatabase) {
    let store = plaudit::startup::open_store(&test_settings(database))
        .await
        .expect("the migrations apply");
    store.close().await;
}

/// Fact → "what differs", for every fact not the same on both sides.
fn differences(sqlite: &Facts, postgres: &Facts) -> BTreeMap<String, String> {
    let mut differences = BTreeMap::new();
    for fact in sqlite.keys().chain(postgres.keys()) {
        let difference = match (sqlite.get(fact), postgres.get(fact)) {
            (Some(s), Some(p)) if s == p => continue,
            (Some(s), Some(p)) => format!("{fact}: sqlite has `{s}`, postgres has `{p}`"),
            (Some(s), None) => format!("{fact}: only on sqlite (`{s}`)"),
            (None, Some(p)) => format!("{fact}: only on postgres (`{p}`)"),
            (None, None) => unreachable!("a key of one of the two maps"),
        };
        differences.insert(fact.clone(), difference);
    }
    differences
}

/// One column as both backends can describe it.
fn column(family: &str, not_null: bool, default: Option<&str>, generated: bool) -> String {
    let mut description = family.to_owned();
    if not_null {
        description.push_str(" not null");
    }
    if let Some(default) = default {
        description.push_str(&format!(" default {}", sql::normalise_sql(default)));
    }
    if generated {
        // SQLite's INTEGER PRIMARY KEY AUTOINCREMENT, PostgreSQL's identity or serial.
        description.push_str(" generated");
    }
    description
}

/// Several entries under one fact (two indexes on the same columns, two equal checks) are
/// listed together, so that neither hides the other.
fn add(facts: &mut Facts, fact: String, value: String) {
    facts
        .entry(fact)
        .and_modify(|existing| {
            let mut all: Vec<&str> = existing.split("; ").collect();
            all.push(&value);
            all.sort_unstable();
            *existing = all.join("; ");
        })
        .or_insert(value);
}

fn columns_list(columns: &[String]) -> String {
    format!("({})", columns.join(", "))
}
