//! `plaudit import wordpress`: ratings kept by a WordPress plugin, read straight from the
//! site's MySQL/MariaDB database (read only), into Plaudit through the store.
//!
//! - `wordpress.rs`: the connection, options, published posts and their permalinks;
//! - `plugin.rs` and one reader per plugin (`rate_my_post.rs`, `kk_star_ratings.rs`,
//!   `yasr.rs`, `wp_postratings.rs`): what each stores, in Plaudit's terms;
//! - `plan.rs`: what one article's import changes, given what earlier imports brought;
//! - `summary.rs`, `progress.rs`: what the user sees.
//!
//! Articles go in whole, many to a transaction; running it again adds only what is new.

mod kk_star_ratings;
mod plan;
mod plugin;
mod progress;
mod rate_my_post;
mod summary;
mod wordpress;
mod wp_postratings;
mod yasr;

pub use plan::row_voter;
pub use plugin::Plugin;
pub use progress::Progress;
pub use summary::Summary;

use crate::domain::ArticleId;
use crate::store::{ImportedArticle, Store, StoreError};
use plan::{Metadata, plan};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// Articles a transaction takes at most, and votes: enough to make the writes cheap, few
/// enough that a batch is quick to roll back and memory stays flat.
const BATCH_ARTICLES: usize = 500;
const BATCH_VOTES: usize = 50_000;

/// `plaudit import wordpress ...`
#[derive(Clone, clap::Args)]
pub struct WordPressArgs {
    /// The WordPress database, e.g. mysql://user:pass@host:3306/wordpress (only read).
    // Its value stays out of --help (which would print the password) and of Debug.
    #[arg(long = "from", env = "PLAUDIT_IMPORT_FROM", hide_env_values = true)]
    pub from: String,
    /// The rating plugin whose votes to import.
    #[arg(long, value_enum)]
    pub plugin: Plugin,
    /// WordPress's $table_prefix.
    #[arg(long, default_value = "wp_")]
    pub table_prefix: String,
    /// Plaudit's article id for a post: its WordPress ID (what `the_ID()` prints) or its slug.
    #[arg(long, value_enum, default_value = "id")]
    pub article_id: ArticleIdFrom,
    /// Print what would change, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl std::fmt::Debug for WordPressArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordPressArgs")
            .field("from", &crate::config::redact_url(&self.from))
            .field("plugin", &self.plugin)
            .field("table_prefix", &self.table_prefix)
            .field("article_id", &self.article_id)
            .field("dry_run", &self.dry_run)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ArticleIdFrom {
    Id,
    Slug,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Arguments(String),
    #[error("reading the WordPress database failed: {0}")]
    WordPress(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Imports every post the plugin rated; articles with bad data are skipped and reported in
/// the summary, never half-written. Errors only where WordPress or the store cannot be read
/// or written.
pub async fn import_wordpress(
    store: &Store,
    args: &WordPressArgs,
    progress: &Progress,
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    wordpress::check_prefix(&args.table_prefix).map_err(ImportError::Arguments)?;
    let site = wordpress::WordPress::connect(&args.from, &args.table_prefix).await?;
    let plugin = args.plugin;
    let ratings = plugin.read(&site).await?;
    let ids: Vec<i64> = ratings.keys().copied().collect();
    let posts = site.published_posts(&ids).await?;
    site.pool.close().await;
    let records = store.import_records(plugin.name()).await?;
    let article_of_post: HashMap<i64, &str> = records
        .values()
        .map(|record| (record.post_id, record.article_id.as_str()))
        .collect();

    let mut summary = Summary {
        dry_run: args.dry_run,
        posts_read: ratings.len() as u64,
        ..Default::default()
    };
    progress.start(ratings.len() as u64);
    let mut batch = Batch::default();
    let mut seen = HashSet::new();
    for (post_id, rating) in ratings {
        progress.advance(1);
        let Some(post) = posts.get(&post_id) else {
            summary.not_published += 1;
            continue;
        };
        let planned = rating.and_then(|rating| {
            let id = match args.article_id {
                ArticleIdFrom::Id => post_id.to_string(),
                ArticleIdFrom::Slug => post.slug.clone(),
            };
            let id = ArticleId::parse(&id).map_err(|why| format!("article id {id:?}: {why}"))?;
            if let Some(earlier) = article_of_post.get(&post_id)
                && *earlier != id.as_str()
            {
                return Err(format!(
                    "imported before as article {earlier:?}; this run would name it {:?}",
                    id.as_str()
                ));
            }
            if !seen.insert(id.as_str().to_owned()) {
                return Err(format!("another post has the article id {:?}", id.as_str()));
            }
            let metadata = Metadata {
                title: Some(post.title.clone()).filter(|title| !title.is_empty()),
                url: Some(post.url.clone()).filter(|url| !url.starts_with("/?")),
                published_at: post.published_at.clone(),
            };
            plan(
                plugin.name(),
                id.as_str(),
                &rating,
                records.get(id.as_str()),
                metadata,
            )
        });
        let planned = match planned {
            Ok(planned) => planned,
            Err(why) => {
                summary.skipped.push((post_id, why));
                continue;
            }
        };
        summary.known_votes += planned.known_votes;
        summary.unknown_votes += planned.unknown_votes_change;
        summary.feedback += planned.feedback;
        let skipped = planned.feedback_skipped.into_iter();
        summary
            .feedback_skipped
            .extend(skipped.map(|why| (post_id, why)));
        summary
            .notes
            .extend(planned.notes.into_iter().map(|note| (post_id, note)));
        match planned.change {
            None => summary.unchanged += 1,
            Some(change) => {
                if planned.new_article {
                    summary.imported += 1;
                } else {
                    summary.updated += 1;
                }
                if args.dry_run && summary.changes.len() < summary::SHOWN_CHANGES {
                    summary.changes.push(format!(
                        "post {post_id} as article {}{}: {} votes with their star, {:+} whose \
                         star is unknown, {} feedback entries",
                        change.record.article_id,
                        if planned.new_article { " (new)" } else { "" },
                        change.new_votes.len(),
                        change.unknown_votes_change,
                        change.feedback.len()
                    ));
                }
                if !args.dry_run && batch.push(change) {
                    batch.write(store).await?;
                }
            }
        }
    }
    if !args.dry_run {
        batch.write(store).await?;
    }
    progress.finish();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Whole articles waiting for their transaction.
#[derive(Default)]
struct Batch {
    articles: Vec<ImportedArticle>,
    votes: usize,
}

impl Batch {
    /// Adds an article; true when the batch is full.
    fn push(&mut self, article: ImportedArticle) -> bool {
        self.votes += article.new_votes.len();
        self.articles.push(article);
        self.articles.len() >= BATCH_ARTICLES || self.votes >= BATCH_VOTES
    }

    async fn write(&mut self, store: &Store) -> Result<(), StoreError> {
        if !self.articles.is_empty() {
            store
                .import_articles(&self.articles, crate::store::now_millis())
                .await?;
        }
        self.articles.clear();
        self.votes = 0;
        Ok(())
    }
}
