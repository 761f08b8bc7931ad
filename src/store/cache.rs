//! Ratings kept in memory for a short while, so that front pages reading many ratings do not
//! each cost a database query.
//!
//! - Figures are never served once the TTL has passed since they were read from the
//!   database, so votes through other instances show within it.
//! - This instance's own writes mark the article changed as they commit, and a read that
//!   began before the mark cannot put its older figures back over it: a reader sees their
//!   vote on the next read.
//! - An entry read in the second half of its life is read again in the background, in
//!   batches, by one task at a time (see `ratings.rs`). A popular article's readers then
//!   never wait for the database; misses are for articles nobody read for a while.

use super::RatingCounts;
use crate::domain::ArticleId;
use moka::Expiry;
use moka::ops::compute::Op;
use moka::sync::Cache;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Enough for every article a busy site shows in a day; least-recently used go first.
const MAX_ARTICLES: u64 = 200_000;

#[derive(Clone)]
pub struct RatingCache {
    shared: Arc<Shared>,
}

struct Shared {
    entries: Cache<String, Arc<Entry>>,
    /// Changes marked so far. A read takes its ticket from here before it asks the database,
    /// so a mark with a higher number is a change that read may not have seen.
    changes: AtomicU64,
    ttl: Duration,
    due: Mutex<Due>,
}

/// Entries waiting to be read again, and whether a task is at it.
#[derive(Default)]
struct Due {
    articles: Vec<ArticleId>,
    refreshing: bool,
}

struct Entry {
    /// `None`: changed by this instance, and not read since.
    counts: Option<RatingCounts>,
    /// The ticket of the read that found `counts`, or the number of the change.
    stamp: u64,
    /// When the read began (so the TTL counts from before the database answered).
    read_at: Instant,
    refresh_asked: AtomicBool,
}

/// Taken just before reading the database; see `RatingCache::remember`.
pub struct Ticket {
    stamp: u64,
    taken_at: Instant,
}

pub struct Lookup {
    pub counts: Option<RatingCounts>,
    /// The caller should start the task that reads due entries again (`next_due`).
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
        let entries = Cache::builder()
            .max_capacity(MAX_ARTICLES)
            .expire_after(ExpireAfterRead(ttl))
            .build();
        Self {
            shared: Arc::new(Shared {
                entries,
                changes: AtomicU64::new(0),
                ttl,
                due: Mutex::default(),
            }),
        }
    }

    pub fn lookup(&self, article: &ArticleId) -> Lookup {
        let mut found = Lookup {
            counts: None,
            start_refresher: false,
        };
        let Some(entry) = self.shared.entries.get(article.as_str()) else {
            return found;
        };
        found.counts = entry.counts;
        if found.counts.is_some()
            && entry.read_at.elapsed() >= self.shared.ttl / 2
            && !entry.refresh_asked.swap(true, Ordering::Relaxed)
        {
            let mut due = self.due();
            due.articles.push(article.clone());
            found.start_refresher = !std::mem::replace(&mut due.refreshing, true);
        }
        found
    }

    pub fn ticket(&self) -> Ticket {
        Ticket {
            stamp: self.shared.changes.load(Ordering::SeqCst),
            taken_at: Instant::now(),
        }
    }

    /// Keeps figures read from the database after `ticket` was taken, unless this instance
    /// changed the article since (or a later read is already kept).
    pub fn remember(&self, article: &str, counts: RatingCounts, ticket: &Ticket) {
        // Past the TTL the mark of a change this read missed may have expired too.
        if ticket.taken_at.elapsed() >= self.shared.ttl {
            return;
        }
        let read = Entry {
            counts: Some(counts),
            stamp: ticket.stamp,
            read_at: ticket.taken_at,
            refresh_asked: AtomicBool::new(false),
        };
        self.put_unless_newer(article, read);
    }

    /// After a committed change to the article: reads that began before now cannot be kept,
    /// and the next read goes to the database.
    pub fn forget(&self, article: &str) {
        let change = self.shared.changes.fetch_add(1, Ordering::SeqCst) + 1;
        let mark = Entry {
            counts: None,
            stamp: change,
            read_at: Instant::now(),
            refresh_asked: AtomicBool::new(true),
        };
        self.put_unless_newer(article, mark);
    }

    /// Up to `max` articles to read again, or `None` (and the refresher's turn ends) when
    /// there are none.
    pub fn next_due(&self, max: usize) -> Option<Vec<ArticleId>> {
        let mut due = self.due();
        if due.articles.is_empty() {
            due.refreshing = false;
            return None;
        }
        let from = due.articles.len().saturating_sub(max);
        Some(due.articles.split_off(from))
    }

    fn put_unless_newer(&self, article: &str, entry: Entry) {
        let entry = Arc::new(entry);
        self.shared
            .entries
            .entry(article.to_owned())
            .and_compute_with(|current| match current {
                Some(current) if is_newer(current.value(), &entry) => Op::Nop,
                _ => Op::Put(entry),
            });
    }

    fn due(&self) -> std::sync::MutexGuard<'_, Due> {
        self.shared
            .due
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn is_newer(kept: &Entry, candidate: &Entry) -> bool {
    (kept.stamp, kept.read_at) > (candidate.stamp, candidate.read_at)
}

impl std::fmt::Debug for RatingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RatingCache")
            .field("ttl", &self.shared.ttl)
            .field("entries", &self.shared.entries.entry_count())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(count: i64) -> RatingCounts {
        RatingCounts {
            count,
            star_sum: count * 4,
            distribution: [0, 0, 0, count, 0],
        }
    }

    fn article(id: &str) -> ArticleId {
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
    }

    #[test]
    fn an_older_read_does_not_replace_a_newer_one() {
        let cache = RatingCache::new(Duration::from_secs(60));
        let older = cache.ticket();
        cache.forget("a");
        let newer = cache.ticket();
        cache.remember("a", counts(2), &newer);
        cache.remember("a", counts(1), &older);
        assert_eq!(cache.lookup(&article("a")).counts, Some(counts(2)));
    }

    #[test]
    fn entries_expire_the_ttl_after_their_read_began() {
        let cache = RatingCache::new(Duration::from_millis(50));
        let ticket = cache.ticket();
        std::thread::sleep(Duration::from_millis(30));
        cache.remember("a", counts(1), &ticket);
        assert_eq!(cache.lookup(&article("a")).counts, Some(counts(1)));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(cache.lookup(&article("a")).counts, None);
    }

    #[test]
    fn an_entry_past_half_its_life_is_due_once() {
        let cache = RatingCache::new(Duration::from_millis(200));
        let (a, b) = (article("a"), article("b"));
        cache.remember("a", counts(1), &cache.ticket());
        cache.remember("b", counts(1), &cache.ticket());
        assert!(!cache.lookup(&a).start_refresher);
        std::thread::sleep(Duration::from_millis(110));

        // The first due entry starts the refresher; the second joins its queue.
        assert!(cache.lookup(&a).start_refresher);
        assert!(!cache.lookup(&a).start_refresher);
        assert!(!cache.lookup(&b).start_refresher);
        assert_eq!(cache.lookup(&b).counts, Some(counts(1)));
        assert_eq!(cache.next_due(10).map(|due| due.len()), Some(2));
        assert!(cache.next_due(10).is_none());

        // Read again: not due until half its new life has passed.
        cache.remember("a", counts(3), &cache.ticket());
        assert!(!cache.lookup(&a).start_refresher);
        assert_eq!(cache.lookup(&a).counts, Some(counts(3)));
    }
}
