//! The WordPress side every plugin shares: the connection, the site's options, and the posts
//! that carry ratings.
//!
//! - Posts: published (`post_status = 'publish'`) posts of any type that has rating data,
//!   except WordPress's own internal types (revisions, menu items, attachments, blocks,
//!   templates...). The plugins rate posts, pages and public custom post types, each by its
//!   own settings; the rating data a post holds is what tells that its type was rated.
//! - Permalinks: `home` (else `siteurl`) plus `/?p=ID`, which WordPress answers with a
//!   redirect to the post's pretty permalink whatever the permalink settings, and which
//!   survives a change of slug. The `guid` is not a link (it keeps the domain and path the
//!   post was first saved under), and rebuilding pretty links needs every `%tag%` of
//!   `permalink_structure`; where that is exactly `/%postname%/`, the pretty link is built.
//! - Times: `post_date_gmt` is UTC. The plugins' per-vote tables hold site-local time
//!   (`current_time('mysql')`), turned into UTC with the `gmt_offset` option (hours); a site
//!   set to a named zone (`timezone_string`) also keeps `gmt_offset` current, so a vote cast
//!   across a daylight-saving change may land an hour off, which moves only the daily series.

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
// SQL here names tables by the checked prefix (`check_prefix`) and lists only constants and
// integers: nothing from WordPress's data is spliced in.
use sqlx::{AssertSqlSafe, ConnectOptions, Row};
use std::collections::HashMap;
use std::str::FromStr;

/// WordPress's own post types, never rated content.
const INTERNAL_TYPES: &str = "'revision', 'nav_menu_item', 'attachment', 'custom_css', \
     'customize_changeset', 'oembed_cache', 'user_request', 'wp_block', 'wp_template', \
     'wp_template_part', 'wp_global_styles', 'wp_navigation', 'wp_font_family', 'wp_font_face'";

/// A table prefix is spliced into SQL (it names tables, which cannot be bound): only the
/// characters WordPress itself allows in `$table_prefix`.
pub fn check_prefix(prefix: &str) -> Result<(), String> {
    if !prefix.is_empty()
        && prefix.len() <= 64
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        Ok(())
    } else {
        Err(format!(
            "--table-prefix takes letters, digits and underscores (as WordPress's $table_prefix); got {prefix:?}"
        ))
    }
}

/// The WordPress database, read only.
pub struct WordPress {
    pub pool: MySqlPool,
    pub prefix: String,
    /// Seconds to add to a site-local time to make it UTC.
    pub utc_offset_secs: i64,
    pub home: String,
    pretty_by_name: bool,
}

/// A published post as Plaudit takes it.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub published_at: Option<String>,
}

impl WordPress {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, sqlx::Error> {
        // Times in UTC, so that UNIX_TIMESTAMP reads a DATETIME as written; statements are
        // not logged (a full import runs thousands).
        let options = MySqlConnectOptions::from_str(url)?
            .timezone(Some(String::from("+00:00")))
            .disable_statement_logging();
        // A server that is not there fails the run in seconds, not the pool's default 30.
        let pool = MySqlPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let options = read_options(&pool, prefix).await?;
        let home = options
            .get("home")
            .or_else(|| options.get("siteurl"))
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_default();
        let offset_hours: f64 = options
            .get("gmt_offset")
            .and_then(|hours| hours.trim().parse().ok())
            .unwrap_or(0.0);
        Ok(Self {
            pool,
            prefix: prefix.to_owned(),
            utc_offset_secs: -(offset_hours * 3600.0).round() as i64,
            home,
            pretty_by_name: options.get("permalink_structure").map(String::as_str)
                == Some("/%postname%/"),
        })
    }

    /// `{prefix}name`.
    pub fn table(&self, name: &str) -> String {
        format!("`{}{name}`", self.prefix)
    }

    /// A WordPress option, if set.
    pub async fn option(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
        let sql = format!(
            "SELECT option_value FROM {} WHERE option_name = ?",
            self.table("options")
        );
        sqlx::query_scalar::<_, String>(AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(&self.pool)
            .await
    }

    /// Published posts among `ids`, by id.
    pub async fn published_posts(&self, ids: &[i64]) -> Result<HashMap<i64, Post>, sqlx::Error> {
        let mut posts = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(5000) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!(
                "SELECT CAST(ID AS SIGNED) AS id, post_name, post_title, post_type, \
                 CAST(post_date_gmt AS CHAR) AS published FROM {} \
                 WHERE ID IN ({list}) AND post_status = 'publish' \
                 AND post_type NOT IN ({INTERNAL_TYPES})",
                self.table("posts")
            );
            for row in sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?
            {
                let id: i64 = row.try_get("id")?;
                let slug: String = row.try_get("post_name")?;
                let post_type: String = row.try_get("post_type")?;
                let published: Option<String> = row.try_get("published")?;
                let url = self.permalink(id, &slug, &post_type);
                posts.insert(
                    id,
                    Post {
                        id,
                        title: row.try_get("post_title")?,
                        url,
                        published_at: published.as_deref().and_then(rfc3339),
                        slug,
                    },
                );
            }
        }
        Ok(posts)
    }

    fn permalink(&self, id: i64, slug: &str, post_type: &str) -> String {
        if self.pretty_by_name && post_type == "post" && !slug.is_empty() {
            format!("{}/{slug}/", self.home)
        } else if post_type == "page" {
            format!("{}/?page_id={id}", self.home)
        } else {
            format!("{}/?p={id}", self.home)
        }
    }

    /// A site-local `UNIX_TIMESTAMP` (seconds, read as UTC) as UTC Unix milliseconds.
    pub fn local_to_utc_millis(&self, local_secs: i64) -> i64 {
        (local_secs + self.utc_offset_secs) * 1000
    }
}

async fn read_options(
    pool: &MySqlPool,
    prefix: &str,
) -> Result<HashMap<String, String>, sqlx::Error> {
    let sql = format!(
        "SELECT option_name, option_value FROM `{prefix}options` WHERE option_name IN \
         ('home', 'siteurl', 'gmt_offset', 'permalink_structure')"
    );
    sqlx::query_as::<_, (String, String)>(AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .map(|rows| rows.into_iter().collect())
}

/// `2026-11-26 07:00:00` (UTC) as `2026-11-26T07:00:00Z`; None for WordPress's zero date.
fn rfc3339(gmt: &str) -> Option<String> {
    let text = format!("{}Z", gmt.trim().replacen(' ', "T", 1));
    crate::time::parse(&text).ok().map(|_| text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn gmt_dates_become_rfc_3339_and_the_zero_date_nothing() {
        assert_eq!(
            super::rfc3339("2026-11-26 07:00:00").as_deref(),
            Some("2026-11-26T07:00:00Z")
        );
        assert_eq!(super::rfc3339("0000-00-00 00:00:00"), None);
    }

    #[test]
    fn prefixes_are_table_name_characters() {
        assert!(super::check_prefix("wp_").is_ok());
        assert!(super::check_prefix("wp_2_").is_ok());
        assert!(super::check_prefix("wp`; DROP").is_err());
        assert!(super::check_prefix("").is_err());
    }
}
