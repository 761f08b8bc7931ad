//! One made-up article and its votes: when it appeared, how it was edited, how its readers
//! rated it and when.

use super::rng::Rng;
use super::words;
use crate::domain::Stars;
use crate::store::{SeedArticle, SeedBatch, SeedVote};

pub const DAY_MS: i64 = 86_400_000;
const HOUR_MS: f64 = 3_600_000.0;
/// The star mix of an average article: skewed toward 4 and 5 with a tail of 1s, as star
/// ratings usually are (people who rate mostly liked what they chose to read, and the
/// unhappy few say so).
const BASE_MIX: [f64; 5] = [0.09, 0.05, 0.11, 0.30, 0.45];
/// How far an article's quality tilts its mix from the base (see `star_mix`), so that
/// rankings have strong and weak articles to find rather than noise around one mean.
const QUALITY_SPREAD: f64 = 0.9;
/// Most votes come in the first days after publication.
const MEAN_VOTE_DELAY_MS: f64 = 2.0 * DAY_MS as f64;
/// The share of votes their voter changed later, and how much later on average.
const CHANGED_SHARE: f64 = 0.07;
const MEAN_CHANGE_DELAY_MS: f64 = 6.0 * HOUR_MS;
/// The share of articles edited after publication, and of those edited once more: each edit
/// is a revision that later votes are cast on.
const EDITED_SHARE: f64 = 0.35;
const EDITED_AGAIN_SHARE: f64 = 0.3;
const MEAN_EDIT_DELAY_MS: f64 = 12.0 * HOUR_MS;
/// Votes sent without a revision, as widgets on pages without one do.
const NO_REVISION_SHARE: f64 = 0.1;

/// Sections, the first ones biggest (weights 1, 1/2, 1/3 ...), as a news site's are.
#[derive(Debug, Clone)]
pub struct Sections {
    names: Vec<String>,
    cumulative: Vec<f64>,
}

impl Sections {
    pub fn new(names: Vec<String>) -> Self {
        let cumulative = (1..=names.len())
            .scan(0.0, |sum, place| {
                *sum += 1.0 / place as f64;
                Some(*sum)
            })
            .collect();
        Self { names, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = rng.unit() * total;
        let place = self.cumulative.partition_point(|&c| c <= target);
        &self.names[place.min(self.names.len() - 1)]
    }
}

/// What every article of a seed shares.
#[derive(Debug, Clone)]
pub struct Setting {
    pub sections: Sections,
    /// Unix milliseconds; nothing happens after it.
    pub now: i64,
    /// Articles appear within this many milliseconds before `now`.
    pub span_ms: i64,
}

/// Adds article number `number`, with `votes` votes, to `batch`.
pub fn make(setting: &Setting, rng: &mut Rng, number: u64, votes: u32, batch: &mut SeedBatch) {
    let place = batch.articles.len();
    let now = setting.now;
    let published = now - rng.below(setting.span_ms.max(1) as u64) as i64;
    let revisions = revisions(rng, published, now);
    let mix = star_mix(rng);
    let id = format!("a{number}");
    batch.articles.push(SeedArticle {
        url: format!("https://news.example/articles/{id}"),
        id,
        title: title(rng),
        section: setting.sections.pick(rng).to_owned(),
        authors: authors(rng),
        published_at: crate::time::format(published),
        created_at: published,
    });
    let stars: [Stars; 5] =
        std::array::from_fn(|i| Stars::new(i as i64 + 1).expect("1 to 5 are stars"));
    for _ in 0..votes {
        let voter_hash = rng.bytes32();
        let star = stars[pick_weighted(rng, &mix)];
        let open = now - published;
        let delay = rng.exponential(MEAN_VOTE_DELAY_MS) as i64;
        // A vote the exponential would put after now falls anywhere in the article's life.
        let delay = if delay <= open {
            delay
        } else {
            rng.below(open as u64 + 1) as i64
        };
        let created_at = published + delay;
        let updated_at = if rng.chance(CHANGED_SHARE) {
            (created_at + rng.exponential(MEAN_CHANGE_DELAY_MS) as i64).min(now)
        } else {
            created_at
        };
        let revision = if rng.chance(NO_REVISION_SHARE) {
            None
        } else {
            // The revision on the page when the vote was (last) cast.
            revisions
                .iter()
                .rev()
                .find(|(at, _)| *at <= updated_at)
                .map(|(_, label)| label.clone())
        };
        batch.votes.push(SeedVote {
            article: place,
            voter_hash,
            stars: star,
            revision,
            created_at,
            updated_at,
        });
    }
}

/// The article's revisions from the first, each as (since when, label); a label is the
/// revision's time, as a CMS's last-modified time would be.
fn revisions(rng: &mut Rng, published: i64, now: i64) -> Vec<(i64, String)> {
    let mut at = published;
    let mut revisions = vec![(at, crate::time::format(at))];
    let mut edit = rng.chance(EDITED_SHARE);
    while edit {
        at = (at + rng.exponential(MEAN_EDIT_DELAY_MS) as i64).min(now);
        revisions.push((at, crate::time::format(at)));
        edit = rng.chance(EDITED_AGAIN_SHARE);
    }
    revisions
}

/// The base mix tilted by the article's quality: weight of `s` stars times
/// `exp(quality * (s - 3))`, quality roughly normal around 0 (a sum of three uniforms).
fn star_mix(rng: &mut Rng) -> [f64; 5] {
    let quality = (rng.unit() + rng.unit() + rng.unit() - 1.5) * QUALITY_SPREAD;
    let mut mix = BASE_MIX;
    for (stars, weight) in mix.iter_mut().enumerate() {
        *weight *= (quality * (stars as f64 - 2.0)).exp();
    }
    mix
}

/// An index of `weights`, each as likely as its weight.
fn pick_weighted(rng: &mut Rng, weights: &[f64; 5]) -> usize {
    let mut target = rng.unit() * weights.iter().sum::<f64>();
    for (index, weight) in weights.iter().enumerate() {
        if target < *weight {
            return index;
        }
        target -= weight;
    }
    weights.len() - 1
}

fn title(rng: &mut Rng) -> String {
    format!(
        "{} {} {}{}",
        rng.pick(words::SUBJECTS),
        rng.pick(words::VERBS),
        rng.pick(words::OBJECTS),
        rng.pick(words::ENDINGS)
    )
}

/// One or two authors, as a JSON array.
fn authors(rng: &mut Rng) -> String {
    let count = if rng.chance(0.2) { 2 } else { 1 };
    let names: Vec<String> = (0..count)
        .map(|_| {
            format!(
                "{} {}",
                rng.pick(words::FIRST_NAMES),
                rng.pick(words::LAST_NAMES)
            )
        })
        .collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
}
