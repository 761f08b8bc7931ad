//! The whole seed as a sequence of batches: how many votes each article draws (a long tail),
//! its articles and votes (`article.rs`), and which low votes come with feedback.

use super::article::{self, Sections, Setting};
use super::rng::Rng;
use super::{SeedPlan, words};
use crate::store::{SeedBatch, SeedFeedback};

/// The share of votes that follow popularity; the rest land on any article alike, which gives
/// the long tail its handful of votes each (and leaves a few articles with none).
const POPULAR_SHARE: f64 = 0.7;
/// Popularity is Zipf-Mandelbrot with exponent 1: the article of rank `r` draws in proportion
/// to `1 / (r + HEAD_FLATTENING)`. The offset keeps the first few ranks from taking most of
/// the votes alone: at a million articles and five million votes the top one gets about
/// 28,000, the thousandth about 300, the hundred-thousandth about 5.
const HEAD_FLATTENING: f64 = 10.0;
/// A batch closes at this many articles or votes, whichever comes first (an article's votes
/// are never split): large enough that per-statement costs vanish, small enough to show
/// progress often and keep memory flat.
const BATCH_ARTICLES: usize = 10_000;
const BATCH_VOTES: usize = 50_000;
/// Feedback comes with votes of at most this many stars: readers explain what they missed.
const FEEDBACK_MAX_STARS: u8 = 2;
/// Feedback arrives within this long after its vote.
const FEEDBACK_DELAY_MS: u64 = 15 * 60 * 1000;
/// Generator streams beside the articles' (which are numbered by article): the spread of
/// votes, and one per batch, counting down, for its feedback.
const SPREAD_STREAM: u64 = u64::MAX;
const FEEDBACK_STREAMS: u64 = u64::MAX - 1;

/// Yields the seed's batches in order; each is new articles with all their votes.
pub struct Generator {
    setting: Setting,
    seed: u64,
    first_number: u64,
    /// Votes per article, by place in this seed.
    counts: Vec<u32>,
    next: usize,
    votes: u64,
    votes_made: u64,
    feedback: u64,
    feedback_made: u64,
    batches: u64,
}

impl Generator {
    /// Articles are numbered from `first_number` (`a{number}`), after those the database has.
    pub fn new(plan: &SeedPlan, first_number: u64) -> Self {
        let mut rng = Rng::stream(plan.seed, SPREAD_STREAM);
        Self {
            setting: Setting {
                sections: Sections::new(plan.sections.clone()),
                now: plan.now,
                span_ms: i64::from(plan.days) * article::DAY_MS,
            },
            seed: plan.seed,
            first_number,
            counts: spread_votes(plan.articles as usize, plan.votes, &mut rng),
            next: 0,
            votes: plan.votes,
            votes_made: 0,
            feedback: plan.feedback,
            feedback_made: 0,
            batches: 0,
        }
    }

    /// The article that draws the most votes, and how many.
    pub fn most_voted(&self) -> Option<(String, u32)> {
        let (place, votes) = self
            .counts
            .iter()
            .enumerate()
            .max_by_key(|&(place, votes)| (votes, std::cmp::Reverse(place)))?;
        Some((format!("a{}", self.first_number + place as u64), *votes))
    }

    /// Feedback on the batch's low votes, as many as keep the seed's feedback in step with
    /// its votes; what a batch lacks low votes for, later batches make up.
    fn add_feedback(&mut self, batch: &mut SeedBatch) {
        let due = (u128::from(self.feedback) * u128::from(self.votes_made)
            / u128::from(self.votes.max(1))) as u64;
        let wanted = due.saturating_sub(self.feedback_made) as usize;
        if wanted == 0 {
            return;
        }
        let mut rng = Rng::stream(self.seed, FEEDBACK_STREAMS - self.batches);
        let mut low: Vec<usize> = (0..batch.votes.len())
            .filter(|&i| batch.votes[i].stars.get() <= FEEDBACK_MAX_STARS)
            .collect();
        rng.shuffle(&mut low);
        low.truncate(wanted);
        low.sort_unstable();
        for vote in low {
            let at = batch.votes[vote].updated_at + rng.below(FEEDBACK_DELAY_MS) as i64;
            batch.feedback.push(SeedFeedback {
                vote,
                text: (*rng.pick(words::FEEDBACK)).to_owned(),
                created_at: at.min(self.setting.now),
            });
        }
        self.feedback_made += batch.feedback.len() as u64;
    }
}

impl Iterator for Generator {
    type Item = SeedBatch;

    fn next(&mut self) -> Option<SeedBatch> {
        if self.next >= self.counts.len() {
            return None;
        }
        let mut batch = SeedBatch::default();
        while self.next < self.counts.len()
            && batch.articles.len() < BATCH_ARTICLES
            && batch.votes.len() < BATCH_VOTES
        {
            let number = self.first_number + self.next as u64;
            let mut rng = Rng::stream(self.seed, number);
            article::make(
                &self.setting,
                &mut rng,
                number,
                self.counts[self.next],
                &mut batch,
            );
            self.next += 1;
        }
        self.votes_made += batch.votes.len() as u64;
        self.add_feedback(&mut batch);
        self.batches += 1;
        Some(batch)
    }
}

/// How many of `votes` each of `articles` draws: each vote goes to an article by popularity
/// (`POPULAR_SHARE`) or to any article alike. Popularity ranks are shuffled over the
/// articles, so that neither an article's number nor its publication time tells its rank.
pub fn spread_votes(articles: usize, votes: u64, rng: &mut Rng) -> Vec<u32> {
    let mut counts = vec![0u32; articles];
    if articles == 0 {
        return counts;
    }
    let mut by_rank: Vec<u32> = (0..articles as u32).collect();
    rng.shuffle(&mut by_rank);
    let cumulative: Vec<f64> = (1..=articles)
        .scan(0.0, |sum, rank| {
            *sum += 1.0 / (rank as f64 + HEAD_FLATTENING);
            Some(*sum)
        })
        .collect();
    let total = cumulative[articles - 1];
    for _ in 0..votes {
        let place = if rng.chance(POPULAR_SHARE) {
            let target = rng.unit() * total;
            let rank = cumulative.partition_point(|&c| c <= target);
            by_rank[rank.min(articles - 1)] as usize
        } else {
            rng.below(articles as u64) as usize
        };
        counts[place] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(articles: u64, votes: u64, feedback: u64, seed: u64) -> SeedPlan {
        SeedPlan {
            articles,
            votes,
            days: 30,
            sections: vec!["news".into(), "sport".into(), "culture".into()],
            feedback,
            append: false,
            seed,
            now: 1_800_000_000_000,
        }
    }

    #[test]
    fn a_few_articles_draw_most_votes_and_most_draw_a_handful() {
        let counts = spread_votes(10_000, 100_000, &mut Rng::new(3));
        let mut sorted: Vec<u64> = counts.iter().map(|&n| u64::from(n)).collect();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(sorted.iter().sum::<u64>(), 100_000);
        let mean = 10;
        // The top 1% hold far more than their 1% of the votes ...
        let top: u64 = sorted[..100].iter().sum();
        assert!(top > 15_000, "the top 1% hold only {top} of 100,000 votes");
        assert!(
            sorted[0] > 30 * mean,
            "the most voted has only {}",
            sorted[0]
        );
        // ... while the typical article has fewer than the mean, and some have none.
        assert!(sorted[5_000] < mean, "median {}", sorted[5_000]);
        assert!(sorted.contains(&0), "every article has votes");
    }

    #[test]
    fn stars_lean_to_four_and_five_with_a_tail_of_ones() {
        let mut made = [0u64; 5];
        for batch in Generator::new(&plan(2_000, 50_000, 0, 5), 1) {
            for vote in batch.votes {
                made[usize::from(vote.stars.get() - 1)] += 1;
            }
        }
        let share = |n: u64| n as f64 / 50_000.0;
        let (ones, twos, high) = (share(made[0]), share(made[1]), share(made[3] + made[4]));
        assert!((0.55..0.85).contains(&high), "4 and 5 stars: {high}");
        assert!((0.05..0.25).contains(&ones), "1 star: {ones}");
        assert!((0.02..0.12).contains(&twos), "2 stars: {twos}");
    }

    #[test]
    fn votes_fall_after_publication_and_feedback_on_low_votes() {
        let plan = plan(500, 20_000, 300, 9);
        let (mut votes, mut changed, mut feedback) = (0, 0, 0);
        for batch in Generator::new(&plan, 1) {
            for vote in &batch.votes {
                let article = &batch.articles[vote.article];
                assert!(article.created_at >= plan.now - 30 * article::DAY_MS);
                assert!(vote.created_at >= article.created_at);
                assert!(vote.updated_at >= vote.created_at && vote.updated_at <= plan.now);
                changed += usize::from(vote.updated_at > vote.created_at);
            }
            for entry in &batch.feedback {
                let vote = &batch.votes[entry.vote];
                assert!(vote.stars.get() <= FEEDBACK_MAX_STARS);
                assert!(entry.created_at >= vote.updated_at && entry.created_at <= plan.now);
            }
            votes += batch.votes.len();
            feedback += batch.feedback.len();
        }
        assert_eq!((votes, feedback), (20_000, 300));
        assert!((400..2_500).contains(&changed), "{changed} changed votes");
    }

    #[test]
    fn the_same_seed_makes_the_same_data() {
        let first: Vec<SeedBatch> = Generator::new(&plan(300, 3_000, 20, 1), 1).collect();
        let again: Vec<SeedBatch> = Generator::new(&plan(300, 3_000, 20, 1), 1).collect();
        let other: Vec<SeedBatch> = Generator::new(&plan(300, 3_000, 20, 2), 1).collect();
        assert_eq!(first, again);
        assert_ne!(first, other);
    }
}
