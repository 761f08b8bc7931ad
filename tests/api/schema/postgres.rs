//! The schema of a PostgreSQL database, as facts.

use super::sql::{normalise, tokens};
use super::{Facts, IGNORED_TABLES, add, column, columns_list};
use sqlx::Row;

/// What the current schema of the PostgreSQL database at `url` holds, from its catalogs.
pub(super) async fn facts(url: &str) -> Facts {
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
