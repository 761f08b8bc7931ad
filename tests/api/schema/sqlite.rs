//! The schema of a SQLite database, as facts.

use super::sql::{normalise, tokens};
use super::{Facts, IGNORED_TABLES, add, column, columns_list};
use sqlx::Row;
use std::collections::BTreeMap;

/// What the SQLite database at `path` holds, from its pragmas and its CREATE statements.
pub(super) async fn facts(path: &str) -> Facts {
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
        // `WITHOUT ROWID` and `STRICT` follow the column list, in either order.
        let without_rowid = table_tokens
            .windows(2)
            .any(|pair| pair[0] == "without" && pair[1] == "rowid");
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
