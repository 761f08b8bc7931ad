//! Ratings kept in memory for a short while, so that front pages reading many ratings do not
//! each cost a database query.
//!
//! - Figures are never served once the TTL has passed since they were read from the
//!   database, so votes through other instances show within it.
//! - This instance's own writes record the change as they commit, and a read that began
//!   before it cannot store its older figures: a reader sees their vote on the next read.
//!   Changes are kept apart from the ratings, where size eviction cannot drop them.
//! - An entry read in the second half of its life is read again in the background, in
//!   batches, by one task at a time (`due.rs` keeps the queue, `refresher.rs` is the task).
//!   A popular article's readers then never wait for the database; misses are for articles
//!   nobody read for a while.

mod due;
mod refresher;

pub use due::RefresherTurn;
pub use refresher::start_refresher;

use super::RatingCounts;
use crate::domain::ArticleId;
use due::Due;
use moka::Expiry;
use moka::ops::compute::Op;
use moka::sync::Cache;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Enough for every article a busy site shows in a day; moka's TinyLFU policy picks which
/// go when there are more.
const MAX_ARTICLES: u64 = 200_000;

/// Lookups by result (the hit ratio tells an operator whether the TTL suits the traffic), and
/// ratings read again in the background.
struct Counters {
    hits: metrics::Counter,
    misses: metrics::Counter,
    rereads: metrics::Counter,
}

/// Taken on first use, which is a request's, so after the server installed the recorder
/// (handles taken before it would count nowhere). Metrics are process-wide anyway.
fn counters() -> &'static Counters {
    static COUNTERS: std::sync::OnceLock<Counters> = std::sync::OnceLock::new();
    COUNTERS.get_or_init(|| {
        const LOOKUPS: &str = "plaudit_rating_cache_lookups_total";
        Counters {
            hits: metrics::counter!(LOOKUPS, "result" => "hit"),
            misses: metrics::counter!(LOOKUPS, "result" => "miss"),
            rereads: metrics::counter!("plaudit_rating_cache_rereads_total"),
        }
    })
}

#[derive(Clone)]
pub struct RatingCache {
    shared: Arc<Shared>,
}

struct Shared {
    ratings: Cache<String, Arc<Entry>>,
    /// Numbers changes; a read takes its ticket from here before it asks the database.
    counter: AtomicU64,
    /// The latest change to each article this instance committed within the TTL. No
    /// capacity bound: it holds one TTL's worth of changed articles.
    changes: Cache<String, u64>,
    ttl: Duration,
    due: Mutex<Due>,
}

struct Entry {
    counts: RatingCounts,
    /// When the read began (so the TTL counts from before the database answered).
    read_at: Instant,
    refresh_asked: AtomicBool,
}

/// Taken just before reading the database; see `RatingCache::remember`.
pub struct Ticket {
    changes_before: u64,
    taken_at: Instant,
}

pub struct Lookup {
    pub counts: Option<RatingCounts>,
    /// The caller should start the task that reads due entries again (`refresher`).
    pub start_refresher: bool,
}

/// Every entry expires the TTL after its read began, whenever it was stored.
struct ExpireAfterRead(Duration);

impl ExpireAfterRead {
    fn left(&self, entry: &Entry, now: Instant) -> Option<Duration> {
        Some((entry.read_at + self.0).saturating_duration_since(now))
    }
}

impl Expiry<String, Arc<Entry>> for ExpireAfterRead {
    fn expire_after_create(
        &self,
        _: &String,
        entry: &Arc<Entry>,
        now: Instant,
    ) -> Option<Duration> {
        self.left(entry, now)
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Arc<Entry>,
        now: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        self.left(entry, now)
    }
}

impl RatingCache {
    pub fn new(ttl: Duration) -> Self {
        let ratings = Cache::builder()
            .max_capacity(MAX_ARTICLES)
            .expire_after(ExpireAfterRead(ttl))
            .build();
        Self {
            shared: Arc::new(Shared {
                ratings,
                counter: AtomicU64::new(0),
                changes: Cache::builder().time_to_live(ttl).build(),
                ttl,
                due: Mutex::default(),
            }),
        }
    }

    pub fn lookup(&self, article: &ArticleId) -> Lookup {
        let Some(entry) = self.shared.ratings.get(article.as_str()) else {
            counters().misses.increment(1);
            return Lookup {
                counts: None,
                start_refresher: false,
            };
        };
        counters().hits.increment(1);
        let start_refresher = entry.read_at.elapsed() >= self.shared.ttl / 2
            && !entry.refresh_asked.swap(true, Ordering::Relaxed)
            && self.mark_due(article);
        Lookup {
            counts: Some(entry.counts),
            start_refresher,
        }
    }

    pub fn ticket(&self) -> Ticket {
        Ticket {
            changes_before: self.shared.counter.load(Ordering::SeqCst),
            taken_at: Instant::now(),
        }
    }

    /// Keeps figures read from the database after `ticket` was taken, unless this instance
    /// committed a change to the article since.
    pub fn remember(&self, article: &str, counts: RatingCounts, ticket: &Ticket) {
        // Past the TTL, the record of a change this read missed may have expired.
        if ticket.taken_at.elapsed() >= self.shared.ttl || self.changed_since(article, ticket) {
            return;
        }
        let read = Arc::new(Entry {
            counts,
            read_at: ticket.taken_at,
            refresh_asked: AtomicBool::new(false),
        });
        self.shared.ratings.insert(article.to_owned(), read.clone());
        // A change counted after the check above either removed this entry in `forget`
        // (recorded, then removed), or is seen here.
        if self.changed_since(article, ticket) {
            self.shared
                .ratings
                .entry(article.to_owned())
                .and_compute_with(|kept| match kept {
                    Some(kept) if Arc::ptr_eq(kept.value(), &read) => Op::Remove,
                    _ => Op::Nop,
                });
        }
    }

    /// After a committed change to the article: reads that began before now cannot be kept,
    /// and the next read goes to the database.
    pub fn forget(&self, article: &str) {
        let change = self.shared.counter.fetch_add(1, Ordering::SeqCst) + 1;
        self.shared
            .changes
            .entry(article.to_owned())
            .and_compute_with(|latest| match latest {
                Some(latest) if *latest.value() >= change => Op::Nop,
                _ => Op::Put(change),
            });
        self.shared.ratings.invalidate(article);
    }

    fn changed_since(&self, article: &str, ticket: &Ticket) -> bool {
        self.shared
            .changes
            .get(article)
            .is_some_and(|change| change > ticket.changes_before)
    }
}

impl std::fmt::Debug for RatingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RatingCache")
            .field("ttl", &self.shared.ttl)
            .field("entries", &self.shared.ratings.entry_count())
            .finish()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(super) fn counts(count: i64) -> RatingCounts {
        RatingCounts {
            count,
            star_sum: count * 4,
            distribution: [0, 0, 0, count, 0],
        }
    }

    pub(super) fn article(id: &str) -> ArticleId {
        ArticleId::parse(id).unwrap()
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_kept() {
        let cache = RatingCache::new(Duration::from_secs(60));
        let a = article("a");
        let before = cache.ticket();
        cache.forget("a");
        cache.remember("a", counts(1), &before);
        assert_eq!(cache.lookup(&a).counts, None);

        let after = cache.ticket();
        cache.remember("a", counts(2), &after);
        assert_eq!(cache.lookup(&a).counts, Some(counts(2)));
        // Landing after a newer read, it does not replace it either.
        cache.remember("a", counts(1), &before);
        assert_eq!(cache.lookup(&a).counts, Some(counts(2)));
    }

    #[test]
    fn a_change_outlives_the_eviction_of_the_rating() {
        let cache = RatingCache::new(Duration::from_secs(60));
        let before = cache.ticket();
        cache.forget("a");
        // What the size limit may do to any rating at any time.
        cache.shared.ratings.invalidate_all();
        cache.shared.ratings.run_pending_tasks();
        cache.remember("a", counts(1), &before);
        assert_eq!(cache.lookup(&article("a")).counts, None);
    }

    /// A ticket taken `ago` (tests back-date reads instead of sleeping through them).
    pub(super) fn ticket_from(cache: &RatingCache, ago: Duration) -> Ticket {
        Ticket {
            taken_at: Instant::now() - ago,
            ..cache.ticket()
        }
    }

    #[test]
    fn entries_expire_the_ttl_after_their_read_began() {
        let cache = RatingCache::new(Duration::from_secs(2));
        cache.remember(
            "a",
            counts(1),
            &ticket_from(&cache, Duration::from_millis(1_500)),
        );
        assert_eq!(cache.lookup(&article("a")).counts, Some(counts(1)));
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(cache.lookup(&article("a")).counts, None);
        // Nor is a read older than the TTL stored at all.
        cache.remember("a", counts(1), &ticket_from(&cache, Duration::from_secs(2)));
        assert_eq!(cache.lookup(&article("a")).counts, None);
    }
}
