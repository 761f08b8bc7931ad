//! The cache's guarantees, driven directly: which figures are kept, for how long, and how
//! many loads concurrent misses cost.

use super::*;
use crate::store::StoreError;
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Mutex as StdMutex;
use tokio::sync::Semaphore;

pub(super) fn counts(count: i64) -> RatingCounts {
    RatingCounts {
        count,
        star_sum: count * 4,
        distribution: [0, 0, 0, count, 0],
    }
}

/// `counts(count)` at `version`.
pub(super) fn rating(count: i64, version: i64) -> VersionedRating {
    VersionedRating {
        counts: counts(count),
        version,
    }
}

pub(super) fn article(id: &str) -> ArticleId {
    ArticleId::parse(id).unwrap()
}

/// A ticket taken `ago` (tests back-date reads instead of sleeping through them).
pub(super) fn ticket_from(_cache: &RatingCache, ago: Duration) -> Ticket {
    Ticket {
        taken_at: Instant::now() - ago,
    }
}

/// What the size limit may do to any rating at any time.
fn evict_all(cache: &RatingCache) {
    cache.shared.ratings.invalidate_all();
    cache.shared.ratings.run_pending_tasks();
}

#[test]
fn a_commit_puts_its_figures_in_the_cache() {
    let cache = RatingCache::new(Duration::from_secs(60));
    cache.write_through("a", rating(3, 3), Instant::now());
    assert_eq!(cache.lookup(&article("a")).counts, Some(counts(3)));
}

#[test]
fn a_read_that_began_before_a_commit_is_not_kept() {
    let cache = RatingCache::new(Duration::from_secs(60));
    let a = article("a");
    let before = cache.ticket();
    cache.write_through("a", rating(2, 2), Instant::now());
    cache.remember("a", rating(1, 1), &before);
    assert_eq!(cache.lookup(&a).counts, Some(counts(2)));
    // Nor once the size limit has dropped the commit's figures.
    evict_all(&cache);
    cache.remember("a", rating(1, 1), &before);
    assert_eq!(cache.lookup(&a).counts, None);
    // Figures read since are kept.
    cache.remember("a", rating(2, 2), &cache.ticket());
    assert_eq!(cache.lookup(&a).counts, Some(counts(2)));
}

#[test]
fn an_earlier_commit_that_arrives_late_does_not_replace_a_later_one() {
    // Two writers committed versions 4 then 5, and reach the cache in the other order.
    let cache = RatingCache::new(Duration::from_secs(60));
    let a = article("a");
    cache.write_through("a", rating(5, 5), Instant::now());
    cache.write_through("a", rating(4, 4), Instant::now());
    assert_eq!(cache.lookup(&a).counts, Some(counts(5)));
    evict_all(&cache);
    cache.write_through("a", rating(4, 4), Instant::now());
    assert_eq!(cache.lookup(&a).counts, None);
}

#[test]
fn newer_figures_read_replace_older_ones_and_never_the_reverse() {
    let cache = RatingCache::new(Duration::from_secs(60));
    let a = article("a");
    cache.remember("a", rating(1, 1), &cache.ticket());
    // Another instance's vote, read after it.
    cache.remember("a", rating(2, 2), &cache.ticket());
    assert_eq!(cache.lookup(&a).counts, Some(counts(2)));
    cache.remember("a", rating(1, 1), &cache.ticket());
    assert_eq!(cache.lookup(&a).counts, Some(counts(2)));
}

#[test]
fn entries_expire_the_ttl_after_their_read_began() {
    let cache = RatingCache::new(Duration::from_secs(2));
    let ago = |ms| ticket_from(&cache, Duration::from_millis(ms));
    cache.remember("a", rating(1, 1), &ago(1_500));
    assert_eq!(cache.lookup(&article("a")).counts, Some(counts(1)));
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(cache.lookup(&article("a")).counts, None);
    // Nor is a read older than the TTL stored at all.
    cache.remember("a", rating(1, 1), &ago(2_000));
    assert_eq!(cache.lookup(&article("a")).counts, None);
}

/// Loads counted by article, each held until `gate` lets it go, answering `result`.
#[derive(Clone)]
struct CountingLoader {
    loads: Arc<StdMutex<HashMap<String, usize>>>,
    gate: Arc<Semaphore>,
}

impl CountingLoader {
    fn new() -> Self {
        Self {
            loads: Arc::default(),
            gate: Arc::new(Semaphore::new(0)),
        }
    }

    fn loads_of(&self, article: &str) -> usize {
        self.loads
            .lock()
            .unwrap()
            .get(article)
            .copied()
            .unwrap_or(0)
    }

    fn answering(
        &self,
        result: Result<VersionedRating, StoreError>,
    ) -> impl FnOnce(Vec<ArticleId>) -> BoxFuture<'static, Result<Loaded, StoreError>> + use<> {
        let this = self.clone();
        move |articles| -> BoxFuture<'static, Result<Loaded, StoreError>> {
            Box::pin(async move {
                for article in &articles {
                    *this
                        .loads
                        .lock()
                        .unwrap()
                        .entry(article.to_string())
                        .or_default() += 1;
                }
                let _pass = this.gate.acquire().await.unwrap();
                let rating = result?;
                Ok(articles.iter().map(|a| (a.to_string(), rating)).collect())
            })
        }
    }
}

/// A reader as the store reads: the cache first, then a load of what it missed.
async fn read(
    cache: &RatingCache,
    loader: &CountingLoader,
    articles: &[&str],
    result: Result<VersionedRating, StoreError>,
) -> Result<HashMap<String, RatingCounts>, StoreError> {
    let mut found = HashMap::new();
    let mut missing = Vec::new();
    for id in articles {
        match cache.lookup(&article(id)).counts {
            Some(counts) => {
                found.insert(id.to_string(), counts);
            }
            None => missing.push(article(id)),
        }
    }
    if !missing.is_empty() {
        found.extend(
            cache
                .load_missing(&missing, loader.answering(result))
                .await?,
        );
    }
    Ok(found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_for_one_article_cause_one_load() {
    let cache = RatingCache::new(Duration::from_secs(60));
    let loader = CountingLoader::new();
    // Single reads and front pages (batches with another article) miss "hot" at once.
    let readers: Vec<_> = (0..32)
        .map(|i| {
            let (cache, loader) = (cache.clone(), loader.clone());
            let articles: &[&str] = if i % 2 == 0 {
                &["hot"]
            } else {
                &["hot", "page"]
            };
            tokio::spawn(async move { read(&cache, &loader, articles, Ok(rating(7, 7))).await })
        })
        .collect();
    // Not needed for the count to hold, only for the readers to really overlap.
    tokio::time::sleep(Duration::from_millis(100)).await;
    loader.gate.add_permits(1_000);
    for reader in readers {
        let found = reader.await.unwrap().unwrap();
        assert_eq!(found["hot"], counts(7));
    }
    assert_eq!(loader.loads_of("hot"), 1);
    assert_eq!(loader.loads_of("page"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_load_fails_its_readers_and_the_next_reader_retries() {
    let cache = RatingCache::new(Duration::from_secs(60));
    let loader = CountingLoader::new();
    let away = || Err(StoreError::unavailable("the database is away"));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (cache, loader) = (cache.clone(), loader.clone());
            tokio::spawn(async move { read(&cache, &loader, &["a"], away()).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    loader.gate.add_permits(1_000);
    for reader in readers {
        assert!(reader.await.unwrap().unwrap_err().is_unavailable());
    }
    assert_eq!(loader.loads_of("a"), 1);
    assert_eq!(cache.lookup(&article("a")).counts, None);

    let found = read(&cache, &loader, &["a"], Ok(rating(2, 2)))
        .await
        .unwrap();
    assert_eq!(found["a"], counts(2));
    assert_eq!(loader.loads_of("a"), 2);
    assert_eq!(cache.lookup(&article("a")).counts, Some(counts(2)));
}
