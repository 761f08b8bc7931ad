//! Ratings kept in memory for a short while, so that front pages reading many ratings do not
//! each cost a database query.
//!
//! - Figures are never served once the TTL has passed since they were read from the
//!   database (or committed), so votes through other instances show within it.
//! - This instance's commits put the article's new figures here as they commit (write-through):
//!   a reader sees their vote on the next read, and a hot article being voted on stays cached.
//! - Every figure carries the version of the article's aggregates it was read at, which the
//!   database bumps under the row's lock with each change (migration 0004). Figures replace
//!   those cached only if at least as new, so neither a read that began before a commit nor an
//!   earlier commit whose writer got here late (writers commit side by side on PostgreSQL)
//!   can put older figures over newer ones. A version counter kept in memory could not order
//!   them: two writers' commits reach memory in any order. The newest version committed here
//!   is also kept apart from the ratings, where size eviction cannot drop it.
//! - A miss is one database read however many readers miss at once (`flights.rs`).
//! - An entry read in the second half of its life is read again in the background, in
//!   batches, by one task at a time (`due.rs` keeps the queue, `refresher.rs` is the task).
//!   A popular article's readers then never wait for the database.
//! - A starting instance loads the most recently voted articles (`warm_start.rs`).

mod due;
mod flights;
mod refresher;
mod warm_start;

pub use due::RefresherTurn;
pub use flights::Loaded;
pub use refresher::start_refresher;
pub use warm_start::warm_start;

use super::{RatingCounts, VersionedRating};
use crate::domain::ArticleId;
use due::Due;
use flights::Flights;
use moka::Expiry;
use moka::ops::compute::Op;
use moka::sync::Cache;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// The newest version this instance committed of each article within the TTL. No
    /// capacity bound: it holds one TTL's worth of changed articles.
    committed: Cache<String, i64>,
    ttl: Duration,
    due: Mutex<Due>,
    flights: Mutex<Flights>,
}

struct Entry {
    rating: VersionedRating,
    /// When the read (or the commit) began, so the TTL counts from before the database
    /// answered.
    read_at: Instant,
    refresh_asked: AtomicBool,
}

impl Entry {
    /// Newer figures replace older ones; the same figures read later extend their life.
    fn replaces(&self, kept: &Entry) -> bool {
        self.rating.version > kept.rating.version
            || (self.rating.version == kept.rating.version && self.read_at >= kept.read_at)
    }
}

/// Taken just before reading the database; see `RatingCache::remember`.
pub struct Ticket {
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
                committed: Cache::builder().time_to_live(ttl).build(),
                ttl,
                due: Mutex::default(),
                flights: Mutex::default(),
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
            counts: Some(entry.rating.counts),
            start_refresher,
        }
    }

    pub fn ticket(&self) -> Ticket {
        Ticket {
            taken_at: Instant::now(),
        }
    }

    /// Keeps figures read from the database after `ticket` was taken, unless newer ones are
    /// cached or were committed here since.
    pub fn remember(&self, article: &str, rating: VersionedRating, ticket: &Ticket) {
        // Past the TTL, the record of a newer commit this read missed may have expired.
        if ticket.taken_at.elapsed() >= self.shared.ttl {
            return;
        }
        self.offer(article, rating, ticket.taken_at);
    }

    /// After this instance committed a change to the article, begun at `began`: its new
    /// figures replace older ones, and readers arriving from now on do not join a load that
    /// may have read the figures before it (`flights.rs`).
    pub fn write_through(&self, article: &str, rating: VersionedRating, began: Instant) {
        // Recorded first: a read offering older figures from now on is refused even where
        // the size limit evicted this entry (see `offer`).
        self.shared
            .committed
            .entry(article.to_owned())
            .and_compute_with(|newest| match newest {
                Some(newest) if *newest.value() >= rating.version => Op::Nop,
                _ => Op::Put(rating.version),
            });
        self.offer(article, rating, began);
        self.leave_flight(article);
    }

    /// Stores the figures unless the cache holds or this instance committed newer ones. Every
    /// change to an entry goes through here, and moka runs the computations on one key one at
    /// a time, so the version check and the store are one step.
    fn offer(&self, article: &str, rating: VersionedRating, read_at: Instant) {
        let offered = Entry {
            rating,
            read_at,
            refresh_asked: AtomicBool::new(false),
        };
        self.shared
            .ratings
            .entry(article.to_owned())
            .and_compute_with(|kept| {
                // Checked inside the computation, after any commit recorded before its
                // figures were offered.
                let committed_newer = self
                    .shared
                    .committed
                    .get(article)
                    .is_some_and(|newest| newest > rating.version);
                match kept {
                    _ if committed_newer => Op::Nop,
                    Some(kept) if !offered.replaces(kept.value()) => Op::Nop,
                    _ => Op::Put(Arc::new(offered)),
                }
            });
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
pub(super) mod tests;
