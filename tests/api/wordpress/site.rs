//! A WordPress database of one test's own, in MariaDB, with the tables of WordPress and of
//! the plugins, their column names and types as WordPress and the plugins create them.

use sqlx::{AssertSqlSafe, Connection, MySqlConnection};

const DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306";

pub struct Site {
    pub url: String,
    pub name: String,
    conn: MySqlConnection,
}

fn server_url() -> String {
    std::env::var("PLAUDIT_TEST_WORDPRESS_URL").unwrap_or_else(|_| DEFAULT_URL.into())
}

const SCHEMA: &[&str] = &[
    // WordPress's own columns default to the zero date, which a server in a strict mode
    // (MySQL 8's NO_ZERO_DATE) refuses; WordPress relaxes its session the same way.
    "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'",
    "CREATE TABLE wp_options (option_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, \
     option_name VARCHAR(191) NOT NULL UNIQUE, option_value LONGTEXT NOT NULL, \
     autoload VARCHAR(20) NOT NULL DEFAULT 'yes')",
    "CREATE TABLE wp_posts (ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, \
     post_author BIGINT UNSIGNED NOT NULL DEFAULT 0, \
     post_date DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', \
     post_date_gmt DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', \
     post_content LONGTEXT NOT NULL DEFAULT '', post_title TEXT NOT NULL, \
     post_status VARCHAR(20) NOT NULL DEFAULT 'publish', \
     post_name VARCHAR(200) NOT NULL DEFAULT '', guid VARCHAR(255) NOT NULL DEFAULT '', \
     post_type VARCHAR(20) NOT NULL DEFAULT 'post')",
    "CREATE TABLE wp_postmeta (meta_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, \
     post_id BIGINT UNSIGNED NOT NULL DEFAULT 0, meta_key VARCHAR(255) DEFAULT NULL, \
     meta_value LONGTEXT, KEY post_id (post_id), KEY meta_key (meta_key(191)))",
    "CREATE TABLE wp_rmp_analytics (id MEDIUMINT(9) NOT NULL AUTO_INCREMENT, \
     time DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', ip TINYTEXT NOT NULL, \
     country TINYTEXT NOT NULL, user SMALLINT(5) NOT NULL, post MEDIUMINT(9) NOT NULL, \
     action SMALLINT(5) NOT NULL, duration SMALLINT(5) NOT NULL, average DECIMAL(2,1) NOT NULL, \
     votes SMALLINT(5) NOT NULL, value SMALLINT(5) NOT NULL, token TINYTEXT NOT NULL, \
     UNIQUE KEY id (id))",
    "CREATE TABLE wp_yasr_log (id BIGINT(20) NOT NULL AUTO_INCREMENT, post_id BIGINT(20) NOT NULL, \
     user_id BIGINT(20) NOT NULL, vote DECIMAL(2,1) NOT NULL, date DATETIME NOT NULL, \
     ip VARCHAR(45) NOT NULL, PRIMARY KEY (id))",
    "INSERT INTO wp_options (option_name, option_value) VALUES \
     ('home', 'https://news.example'), ('siteurl', 'https://news.example/wp'), \
     ('gmt_offset', '1'), ('permalink_structure', '/%postname%/')",
];

impl Site {
    /// A fresh database, or None (after saying why) where MariaDB cannot be reached.
    pub async fn create() -> Option<Self> {
        let server = server_url();
        let mut admin = match MySqlConnection::connect(&server).await {
            Ok(conn) => conn,
            Err(error) => {
                if std::env::var("PLAUDIT_TEST_REQUIRE_MARIADB").is_ok_and(|v| v == "1") {
                    panic!(
                        "PLAUDIT_TEST_REQUIRE_MARIADB=1 but MariaDB at {server} is unreachable: {error}"
                    );
                }
                eprintln!(
                    "SKIPPED: MariaDB at {server} is unreachable ({error}); set \
                     PLAUDIT_TEST_WORDPRESS_URL, or PLAUDIT_TEST_REQUIRE_MARIADB=1 to fail"
                );
                return None;
            }
        };
        let name = format!("plaudit_wp_{}", uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.ok();
        let url = format!("{}/{name}", server.trim_end_matches('/'));
        let mut conn = MySqlConnection::connect(&url).await.unwrap();
        for statement in SCHEMA {
            sqlx::raw_sql(*statement).execute(&mut conn).await.unwrap();
        }
        Some(Self { url, name, conn })
    }

    /// Runs statements of fixture data.
    pub async fn run(&mut self, statement: &str) {
        sqlx::raw_sql(AssertSqlSafe(statement.to_owned()))
            .execute(&mut self.conn)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }

    /// A published post (or another status and type).
    pub async fn post(&mut self, id: i64, status: &str, post_type: &str) {
        self.run(&format!(
            "INSERT INTO wp_posts (ID, post_title, post_name, post_status, post_type, \
             post_date_gmt, guid) VALUES ({id}, 'Post {id}', 'post-{id}', '{status}', \
             '{post_type}', '2026-11-20 08:30:00', 'http://old.example/?p={id}')"
        ))
        .await;
    }

    pub async fn meta(&mut self, post: i64, key: &str, value: &str) {
        let value = value.replace('\\', "\\\\").replace('\'', "\\'");
        self.run(&format!(
            "INSERT INTO wp_postmeta (post_id, meta_key, meta_value) VALUES ({post}, '{key}', '{value}')"
        ))
        .await;
    }

    pub async fn drop_database(self) {
        drop_database_named(&self.name).await;
    }
}

pub async fn drop_database_named(name: &str) {
    if let Ok(mut admin) = MySqlConnection::connect(&server_url()).await {
        sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
            .execute(&mut admin)
            .await
            .ok();
    }
}
