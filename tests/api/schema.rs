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

use crate::helpers::{Backend, TestDatabase, test_settings};
use sqlx::Row;
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

    let sqlite_facts = sqlite_schema(sqlite.url()).await;
    let postgres_facts = postgres_schema(postgres.url()).await;
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
        description.push_str(&format!(" default {}", normalise_sql(default)));
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

async fn sqlite_schema(path: &str) -> Facts {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let mut facts = Facts::new();
    let tables = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in tables {
        let name: String = table.get("name");
        if IGNORED_TABLES.contains(&name.as_str()) {
            continue;
        }
        let sql: String = table.get("sql");
        let table_tokens = tokens(&sql);
        let without_rowid = table_tokens.ends_with(&["without".into(), "rowid".into()]);
        facts.insert(format!("table {name}"), "present".into());

        let columns = sqlx::query(
            r#"SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid"#,
        )
        .bind(&name)
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut primary_key: Vec<(i64, String)> = columns
            .iter()
            .filter(|c| c.get::<i64, _>("pk") > 0)
            .map(|c| (c.get("pk"), c.get("name")))
            .collect();
        primary_key.sort();
        let primary_key: Vec<String> = primary_key.into_iter().map(|(_, c)| c).collect();
        for c in &columns {
            let column_name: String = c.get("name");
            let declared: String = c.get("type");
            let family = sqlite_family(&declared);
            let is_primary_key = primary_key.contains(&column_name);
            // A rowid alias (the one INTEGER PRIMARY KEY of a rowid table) and the key of a
            // WITHOUT ROWID table cannot be NULL, whatever `notnull` says; any other SQLite
            // key column can, unlike PostgreSQL's, and is reported so.
            let rowid_alias = is_primary_key
                && primary_key.len() == 1
                && declared.eq_ignore_ascii_case("integer")
                && !without_rowid;
            let not_null =
                c.get::<i64, _>("notnull") == 1 || rowid_alias || (is_primary_key && without_rowid);
            // SQLite allows AUTOINCREMENT only on a rowid alias, so at most one per table. A
            // rowid alias without it is still filled in when omitted, but may reuse numbers,
            // which is not what an identity column promises: only AUTOINCREMENT counts.
            let generated = rowid_alias && table_tokens.iter().any(|t| t == "autoincrement");
            let default: Option<String> = c.get("dflt_value");
            facts.insert(
                format!("table {name}, column {column_name}"),
                column(family, not_null, default.as_deref(), generated),
            );
        }
        if !primary_key.is_empty() {
            facts.insert(
                format!("table {name}, primary key"),
                columns_list(&primary_key),
            );
        }

        let indexes = sqlx::query(
            r#"SELECT l.name, l."unique", l.origin, m.sql
               FROM pragma_index_list(?1) AS l
               LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = l.name"#,
        )
        .bind(&name)
        .fetch_all(&pool)
        .await
        .unwrap();
        for index in indexes {
            let origin: String = index.get("origin");
            if origin == "pk" {
                continue;
            }
            let index_name: String = index.get("name");
            let columns: Vec<String> = sqlx::query(
                "SELECT coalesce(name, '<expression>') AS name FROM pragma_index_info(?1) \
                 ORDER BY seqno",
            )
            .bind(&index_name)
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("name"))
            .collect();
            let unique = index.get::<i64, _>("unique") == 1;
            // A constraint's index is named by SQLite (sqlite_autoindex_...) and by PostgreSQL
            // (..._key) differently: only CREATE INDEX names are the migration's own.
            let mut value = if origin == "c" {
                index_name
            } else {
                "constraint".into()
            };
            let sql: Option<String> = index.get("sql");
            let index_tokens = tokens(sql.as_deref().unwrap_or_default());
            if let Some(at) = index_tokens.iter().position(|t| t == "where") {
                let predicate = normalise(index_tokens[at + 1..].to_vec());
                value.push_str(&format!(" where {predicate}"));
            }
            let kind = if unique { "unique" } else { "index" };
            add(
                &mut facts,
                format!("table {name}, {kind} {}", columns_list(&columns)),
                value,
            );
        }

        let foreign_keys = sqlx::query(
            r#"SELECT id, "table", "from", "to", on_update, on_delete
               FROM pragma_foreign_key_list(?1) ORDER BY id, seq"#,
        )
        .bind(&name)
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut grouped: BTreeMap<i64, (Vec<String>, String, Vec<String>, String)> =
            BTreeMap::new();
        for fk in foreign_keys {
            let entry = grouped.entry(fk.get("id")).or_insert_with(|| {
                let actions = format!(
                    "on update {} on delete {}",
                    fk.get::<String, _>("on_update").to_lowercase(),
                    fk.get::<String, _>("on_delete").to_lowercase()
                );
                (Vec::new(), fk.get("table"), Vec::new(), actions)
            });
            entry.0.push(fk.get("from"));
            // `REFERENCES t` without columns means t's primary key; SQLite leaves it NULL.
            let to: Option<String> = fk.get("to");
            entry.2.push(to.unwrap_or_else(|| "<primary key>".into()));
        }
        for (_, (from, table, to, actions)) in grouped {
            add(
                &mut facts,
                format!("table {name}, foreign key {}", columns_list(&from)),
                format!("references {table} {} {actions}", columns_list(&to)),
            );
        }

        for check in sqlite_checks(&table_tokens) {
            add(
                &mut facts,
                format!("table {name}, check {check}"),
                "present".into(),
            );
        }
    }
    pool.close().await;
    facts
}

/// SQLite's type affinity rules (https://sqlite.org/datatype3.html, 3.1), with BOOLEAN, which
/// SQLite treats as numeric, named for what PostgreSQL would call it.
fn sqlite_family(declared: &str) -> &'static str {
    let declared = declared.to_uppercase();
    if declared.contains("BOOL") {
        "boolean"
    } else if declared.contains("INT") {
        "integer"
    } else if ["CHAR", "CLOB", "TEXT"]
        .iter()
        .any(|t| declared.contains(t))
    {
        "text"
    } else if declared.contains("BLOB") || declared.is_empty() {
        "blob"
    } else if ["REAL", "FLOA", "DOUB"]
        .iter()
        .any(|t| declared.contains(t))
    {
        "real"
    } else {
        "numeric"
    }
}

fn postgres_family(data_type: &str) -> String {
    match data_type {
        "smallint" | "integer" | "bigint" => "integer".into(),
        "text" | "character varying" | "character" => "text".into(),
        "bytea" => "blob".into(),
        "real" | "double precision" => "real".into(),
        "boolean" => "boolean".into(),
        "numeric" => "numeric".into(),
        // Anything else (uuid, timestamptz, jsonb) has no SQLite counterpart of that name, so
        // it is shown as it is and differs until the allow-list says why.
        other => other.into(),
    }
}

/// The CHECK expressions in a CREATE TABLE statement (column and table constraints alike).
fn sqlite_checks(tokens: &[String]) -> Vec<String> {
    let mut checks = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "check" && tokens.get(i + 1).is_some_and(|t| t == "(") {
            let start = i + 2;
            let mut depth = 1;
            let mut end = start;
            while depth > 0 {
                match tokens[end].as_str() {
                    "(" => depth += 1,
                    ")" => depth -= 1,
                    _ => {}
                }
                end += 1;
            }
            checks.push(normalise(tokens[start..end - 1].to_vec()));
            i = end;
        } else {
            i += 1;
        }
    }
    checks
}

async fn postgres_schema(url: &str) -> Facts {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let mut facts = Facts::new();
    let ignored: Vec<String> = IGNORED_TABLES.iter().map(|t| t.to_string()).collect();

    let tables = sqlx::query(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND NOT table_name::text = ANY($1)",
    )
    .bind(&ignored)
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in tables {
        let name: String = table.get(0);
        facts.insert(format!("table {name}"), "present".into());
    }

    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text,
                column_default::text, is_identity::text
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND NOT table_name::text = ANY($1)",
    )
    .bind(&ignored)
    .fetch_all(&pool)
    .await
    .unwrap();
    for c in columns {
        let table: String = c.get(0);
        let name: String = c.get(1);
        let default: Option<String> = c.get(4);
        let serial = default
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
        let generated = serial || c.get::<String, _>(5) == "YES";
        facts.insert(
            format!("table {table}, column {name}"),
            column(
                &postgres_family(&c.get::<String, _>(2)),
                c.get::<String, _>(3) == "NO",
                default.as_deref().filter(|_| !serial),
                generated,
            ),
        );
    }

    // Every index with its key columns in order (INCLUDE columns left out), whether it is the
    // primary key, unique, backs a constraint, and its predicate if partial.
    let indexes = sqlx::query(
        "SELECT t.relname::text, i.relname::text, x.indisprimary, x.indisunique,
                EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid
                        AND k.contype IN ('p', 'u', 'x')) AS backs_constraint,
                pg_get_expr(x.indpred, x.indrelid) AS predicate,
                ARRAY(SELECT coalesce(a.attname::text, '<expression>')
                      FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                      LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                      WHERE k.n <= x.indnkeyatts ORDER BY k.n) AS columns
         FROM pg_index x
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = current_schema() AND NOT t.relname::text = ANY($1)",
    )
    .bind(&ignored)
    .fetch_all(&pool)
    .await
    .unwrap();
    for index in indexes {
        let table: String = index.get(0);
        let columns: Vec<String> = index.get("columns");
        if index.get::<bool, _>(2) {
            facts.insert(
                format!("table {table}, primary key"),
                columns_list(&columns),
            );
            continue;
        }
        let mut value = if index.get::<bool, _>("backs_constraint") {
            "constraint".into()
        } else {
            index.get::<String, _>(1)
        };
        if let Some(predicate) = index.get::<Option<String>, _>("predicate") {
            value.push_str(&format!(" where {}", normalise(tokens(&predicate))));
        }
        let kind = if index.get::<bool, _>(3) {
            "unique"
        } else {
            "index"
        };
        add(
            &mut facts,
            format!("table {table}, {kind} {}", columns_list(&columns)),
            value,
        );
    }

    let foreign_keys = sqlx::query(
        "SELECT t.relname::text, r.relname::text,
                ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
                      ORDER BY u.n),
                ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
                      ORDER BY u.n),
                k.confupdtype::text, k.confdeltype::text
         FROM pg_constraint k
         JOIN pg_class t ON t.oid = k.conrelid
         JOIN pg_class r ON r.oid = k.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE k.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for fk in foreign_keys {
        let (table, references): (String, String) = (fk.get(0), fk.get(1));
        let (from, to): (Vec<String>, Vec<String>) = (fk.get(2), fk.get(3));
        let actions = format!(
            "on update {} on delete {}",
            postgres_action(&fk.get::<String, _>(4)),
            postgres_action(&fk.get::<String, _>(5))
        );
        add(
            &mut facts,
            format!("table {table}, foreign key {}", columns_list(&from)),
            format!("references {references} {} {actions}", columns_list(&to)),
        );
    }

    let checks = sqlx::query(
        "SELECT t.relname::text, pg_get_constraintdef(k.oid)
         FROM pg_constraint k
         JOIN pg_class t ON t.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE k.contype = 'c' AND n.nspname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for check in checks {
        let table: String = check.get(0);
        let definition: String = check.get(1);
        let mut tokens = tokens(&definition);
        assert_eq!(
            tokens.first().map(String::as_str),
            Some("check"),
            "{definition}"
        );
        tokens.remove(0);
        // NOT VALID and NO INHERIT are PostgreSQL-only; neither is used, and both would matter.
        add(
            &mut facts,
            format!("table {table}, check {}", normalise(tokens)),
            "present".into(),
        );
    }
    pool.close().await;
    facts
}

fn postgres_action(code: &str) -> &'static str {
    match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        other => panic!("unknown foreign key action {other:?}"),
    }
}

/// SQL split into tokens: words lowercased, string literals kept as written, comments dropped,
/// quoted identifiers unquoted.
fn tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i - 1] == '*' && chars[i] == '/') {
                i += 1;
            }
            i += 1;
        } else if c == '\'' {
            i += 1;
            // '' inside a literal is a quote, not its end.
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
            tokens.push(chars[start..i.min(chars.len())].iter().collect());
        } else if c == '"' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            tokens.push(
                chars[start + 1..i]
                    .iter()
                    .collect::<String>()
                    .to_lowercase(),
            );
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if [">=", "<=", "<>", "!=", "::", "||"].contains(&two.as_str()) {
                tokens.push(two);
                i += 2;
            } else {
                tokens.push(c.to_string());
                i += 1;
            }
        }
    }
    tokens
}

/// An expression (a CHECK, a default, an index predicate) in the form both catalogs agree on:
/// casts and parentheses dropped, `x BETWEEN a AND b` as `x >= a and x <= b`, PostgreSQL's
/// `x = ANY (ARRAY[...])` as `x in ...`, `!=` as `<>`. Dropping parentheses cannot tell
/// `a and (b or c)` from `(a and b) or c`; no check here is built like that.
fn normalise(tokens: Vec<String>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        match token {
            "(" | ")" => i += 1,
            "::" => {
                // A cast: `::text`, `::character varying`, `::double precision`, `::text[]`.
                i += 2;
                if matches!(tokens.get(i - 1).map(String::as_str), Some("character"))
                    && tokens.get(i).is_some_and(|t| t == "varying")
                    || matches!(tokens.get(i - 1).map(String::as_str), Some("double"))
                        && tokens.get(i).is_some_and(|t| t == "precision")
                {
                    i += 1;
                }
                if tokens.get(i).is_some_and(|t| t == "[")
                    && tokens.get(i + 1).is_some_and(|t| t == "]")
                {
                    i += 2;
                }
            }
            "!=" => {
                out.push("<>".into());
                i += 1;
            }
            "=" if tokens.get(i + 1).is_some_and(|t| t == "any") => {
                // `= ANY (ARRAY[a, b])` is PostgreSQL's `IN (a, b)`.
                out.push("in".into());
                i += 2;
            }
            "array" | "[" | "]" => i += 1,
            _ => {
                out.push(token.to_owned());
                i += 1;
            }
        }
    }
    // `x between a and b`, once parentheses are gone, with single-token operands.
    let mut rewritten: Vec<String> = Vec::new();
    let mut i = 0;
    while i < out.len() {
        if out[i] == "between"
            && i > 0
            && out.get(i + 2).is_some_and(|t| t == "and")
            && i + 3 < out.len()
        {
            let subject = rewritten.pop().expect("a token before between");
            rewritten.extend([
                subject.clone(),
                ">=".into(),
                out[i + 1].clone(),
                "and".into(),
                subject,
                "<=".into(),
                out[i + 3].clone(),
            ]);
            i += 4;
        } else {
            rewritten.push(out[i].clone());
            i += 1;
        }
    }
    rewritten.join(" ").replace(" , ", ", ")
}

fn normalise_sql(sql: &str) -> String {
    normalise(tokens(sql))
}

#[test]
fn both_catalogs_forms_of_a_check_normalise_alike() {
    let pairs = [
        // As written in migrations/sqlite, and as PostgreSQL's pg_get_constraintdef shows it.
        (
            "stars BETWEEN 1 AND 5",
            "CHECK (((stars >= 1) AND (stars <= 5)))",
        ),
        (
            "scope IN ('read', 'admin')",
            "CHECK ((scope = ANY (ARRAY['read'::text, 'admin'::text])))",
        ),
        (
            "\"vote_count\" >= 0 -- never negative",
            "CHECK ((vote_count >= 0))",
        ),
    ];
    for (sqlite, postgres) in pairs {
        let mut postgres = tokens(postgres);
        postgres.remove(0);
        assert_eq!(normalise(tokens(sqlite)), normalise(postgres), "{sqlite}");
    }
    assert_eq!(
        normalise_sql("scope IN ('read', 'admin')"),
        "scope in 'read', 'admin'"
    );
    assert_ne!(
        normalise_sql("stars BETWEEN 1 AND 5"),
        normalise_sql("stars BETWEEN 1 AND 4")
    );
}
