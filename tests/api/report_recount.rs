//! The reports computed in the database (roll-ups, part-days, SQL sorting, keyset pages) give
//! exactly what a straightforward recount of the votes gives, on random data: votes spread
//! over days at random times, some changed today (moving from their old day), some retracted,
//! articles with and without a section, and windows that start and end mid-day (including
//! open ones long enough to be counted as the whole archive less what came before them).
//!
//! The recount is this file's own: each article's votes in the window, figures by
//! `Figures::of`, sorted by the figure then the article id, cut into pages.
//!
//! Some articles hold imported votes (`plaudit import wordpress`): some with their star, which
//! count as any vote, and some whose star is unknown, which count for all time only (they
//! have no day) and in no distribution, share or Wilson bound.

use crate::editors::{editor, key};
use crate::helpers::TestApp;
use plaudit::domain::{ArticleId, Scope, Stars, VoterHash, VoterId, VoterKey};
use plaudit::store::{
    ImportRecord, ImportedArticle, ImportedVote, RatingCounts, SeedArticle, SeedBatch, SeedVote,
};
use plaudit::views::{Figures, Prior};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

on_both_backends!(reports_equal_a_recount_of_the_votes);

const DAY: i64 = 86_400_000;
const SECTIONS: [&str; 3] = ["news", "sport", "culture"];
const SORTS: [&str; 6] = [
    "count",
    "average",
    "bayesian_average",
    "wilson_lower_bound",
    "useful_share",
    "low_share",
];

/// A small deterministic generator (splitmix64), so a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A vote as stored: article, stars, when last cast.
#[derive(Debug, Clone)]
struct Vote {
    article: String,
    stars: i64,
    at: i64,
}

struct Data {
    votes: BTreeMap<Vec<u8>, Vote>,
    sections: BTreeMap<String, Option<String>>,
    /// Imported votes whose star is unknown, and their star sum, by article.
    unknown: BTreeMap<String, (i64, i64)>,
}

impl Data {
    fn counts(&self, from: i64, to: i64, section: Option<&str>) -> BTreeMap<String, RatingCounts> {
        let mut counts: BTreeMap<String, [i64; 5]> = BTreeMap::new();
        for vote in self.votes.values() {
            let in_section =
                section.is_none() || self.sections[&vote.article].as_deref() == section;
            if vote.at >= from && vote.at < to && in_section {
                counts.entry(vote.article.clone()).or_default()[(vote.stars - 1) as usize] += 1;
            }
        }
        let mut counts: BTreeMap<String, RatingCounts> = counts
            .into_iter()
            .map(|(article, d)| (article, RatingCounts::of_distribution(d)))
            .collect();
        if from == 0 && to == i64::MAX {
            for (article, (votes, sum)) in &self.unknown {
                if section.is_none() || self.sections[article].as_deref() == section {
                    let kept = counts.entry(article.clone()).or_default();
                    kept.count += votes;
                    kept.star_sum += sum;
                }
            }
        }
        counts
    }
}

async fn make_data(app: &TestApp, random: &mut Random, now: i64) -> Data {
    let key = VoterKey::new(b"recount test".to_vec());
    let hash = |i: u64| -> VoterHash {
        key.hash(VoterId::parse(&format!("00000000-0000-4000-8000-{i:012}")).unwrap())
    };
    let mut batch = SeedBatch::default();
    let mut data = Data {
        votes: BTreeMap::new(),
        sections: BTreeMap::new(),
        unknown: BTreeMap::new(),
    };
    for n in 0..30 {
        let section = SECTIONS[n % 3];
        batch.articles.push(SeedArticle {
            id: format!("s{n}"),
            title: format!("Article {n}"),
            url: format!("https://example.com/{n}"),
            section: section.into(),
            authors: "[]".into(),
            published_at: "2026-01-01T00:00:00Z".into(),
            created_at: now - 12 * DAY,
        });
        data.sections.insert(format!("s{n}"), Some(section.into()));
    }
    // Few articles get many votes, many get few; times anywhere in the last ten days.
    for i in 0..700 {
        let article = (random.below(30) * random.below(30) / 30) as usize;
        let stars = 1 + random.below(5) as i64;
        let at = now - 10 * DAY + random.below(10 * DAY as u64) as i64;
        let voter = hash(i);
        batch.votes.push(SeedVote {
            article,
            voter_hash: voter.as_bytes().try_into().unwrap(),
            stars: Stars::new(stars).unwrap(),
            revision: None,
            created_at: at - random.below(DAY as u64) as i64,
            updated_at: at,
        });
        let article = format!("s{article}");
        data.votes
            .insert(voter.as_bytes().to_vec(), Vote { article, stars, at });
    }
    app.store.seed_batch(&batch).await.unwrap();

    // Today: some of those readers change their vote (it moves to today) or take it back.
    for i in 0..700u64 {
        let voter = hash(i);
        let old = data.votes[voter.as_bytes()].clone();
        let article = ArticleId::parse(&old.article).unwrap();
        match random.below(10) {
            0 | 1 => {
                let stars = 1 + random.below(5) as i64;
                app.store
                    .record_vote(&article, &voter, Stars::new(stars).unwrap(), None, None)
                    .await
                    .unwrap();
                let stored = app
                    .store
                    .find_vote(&article, &voter)
                    .await
                    .unwrap()
                    .unwrap();
                let vote = Vote {
                    article: old.article,
                    stars,
                    at: stored.updated_at,
                };
                data.votes.insert(voter.as_bytes().to_vec(), vote);
            }
            2 => {
                app.store.retract_vote(&article, &voter).await.unwrap();
                data.votes.remove(voter.as_bytes());
            }
            _ => {}
        }
    }
    // Articles no editor described: no section.
    for i in 0..40u64 {
        let article = format!("x{}", random.below(5));
        let voter = hash(10_000 + i);
        let stars = 1 + random.below(5) as i64;
        let id = ArticleId::parse(&article).unwrap();
        let stars_value = Stars::new(stars).unwrap();
        app.store
            .record_vote(&id, &voter, stars_value, None, None)
            .await
            .unwrap();
        let at = app
            .store
            .find_vote(&id, &voter)
            .await
            .unwrap()
            .unwrap()
            .updated_at;
        data.sections.insert(article.clone(), None);
        data.votes
            .insert(voter.as_bytes().to_vec(), Vote { article, stars, at });
    }
    import_some(app, random, now, &mut data).await;
    assert_eq!(
        app.store.verify().await.unwrap(),
        vec![],
        "roll-ups recount"
    );
    data
}

/// Imported votes: `w1` two with their star and three without, `w2` five without (no known
/// star at all: shares and the Wilson bound of nothing), `s1` four without beside its own.
async fn import_some(app: &TestApp, random: &mut Random, now: i64, data: &mut Data) {
    let mut articles = Vec::new();
    for (id, known, unknown) in [("w1", 2, (3, 11)), ("w2", 0, (5, 21)), ("s1", 0, (4, 18))] {
        let mut votes = Vec::new();
        for row in 0..known {
            let stars = 1 + random.below(5) as i64;
            let at = now - 10 * DAY + random.below(10 * DAY as u64) as i64;
            let voter_hash = plaudit::import::row_voter("yasr", 100 + row);
            votes.push(ImportedVote {
                voter_hash,
                stars: Stars::new(stars).unwrap(),
                at,
            });
            let article = id.to_owned();
            data.votes
                .insert(voter_hash.to_vec(), Vote { article, stars, at });
        }
        data.sections.entry(id.to_owned()).or_insert(None);
        data.unknown.insert(id.to_owned(), unknown);
        articles.push(ImportedArticle {
            record: ImportRecord {
                article_id: id.into(),
                plugin: "yasr".into(),
                post_id: 1,
                known_votes: known,
                last_row_id: 100 + known,
                unknown_star_votes: unknown.0,
                unknown_star_sum: unknown.1,
                ..Default::default()
            },
            title: None,
            url: None,
            published_at: None,
            new_votes: votes,
            unknown_votes_change: unknown.0,
            unknown_sum_change: unknown.1,
            feedback: Vec::new(),
        });
    }
    app.store.import_articles(&articles, now).await.unwrap();
}

/// The ranking as the recount sees it: rows with at least `min_votes`, sorted.
fn expected_ranking(
    counts: &BTreeMap<String, RatingCounts>,
    prior: Prior,
    min_votes: i64,
    sort: &str,
    order: &str,
) -> Vec<(String, Value)> {
    let mut rows: Vec<(String, Value)> = counts
        .iter()
        .filter(|(_, c)| c.count >= min_votes.max(1))
        .map(|(id, c)| (id.clone(), as_sent(&Figures::of(c, prior))))
        .collect();
    rows.sort_by(|a, b| {
        let by_value = a.1[sort]
            .as_f64()
            .unwrap()
            .total_cmp(&b.1[sort].as_f64().unwrap());
        let by_value = if order == "desc" {
            by_value.reverse()
        } else {
            by_value
        };
        by_value.then_with(|| a.0.cmp(&b.0))
    });
    rows
}

/// A value as the test reads it from a response: through JSON text, whose parser may round
/// the last digit of a number differently from the value itself.
fn as_sent(value: &impl serde::Serialize) -> Value {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn prior_of(counts: &BTreeMap<String, RatingCounts>) -> Prior {
    let (sum, count) = counts
        .values()
        .fold((0, 0), |(s, n), c| (s + c.star_sum, n + c.count));
    Prior::of(sum, count, 10.0)
}

/// Every page of the ranking through the API, with the figures of each row.
async fn ranking_pages(app: &TestApp, key: &str, query: &str) -> Vec<(String, Value)> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/reports/articles?{query}&limit=7&cursor={c}"),
            None => format!("/v1/reports/articles?{query}&limit=7"),
        };
        let response = editor(app, Method::GET, &path, key, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let page: Value = response.json().await.unwrap();
        for row in page["articles"].as_array().unwrap() {
            let mut figures = row.clone();
            let id = figures["article_id"].as_str().unwrap().to_owned();
            for meta in ["article_id", "title", "section"] {
                figures.as_object_mut().unwrap().remove(meta);
            }
            rows.push((id, figures));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return rows,
        }
    }
}

fn time(ms: i64) -> String {
    plaudit::time::format(ms)
}

async fn reports_equal_a_recount_of_the_votes(app: TestApp) {
    let now = plaudit::store::now_millis();
    let mut random = Random(0x5eed);
    let data = make_data(&app, &mut random, now).await;
    let key = key(&app, Scope::Read).await;
    let today = now - now % DAY;
    // Open, whole days, mid-day cuts, one part-day, and a window that misses everything.
    let mut windows: Vec<(Option<i64>, Option<i64>)> = vec![
        (None, None),
        (Some(today - 3 * DAY), Some(today)),
        (Some(today - 3 * DAY), None),
        (None, Some(today - 2 * DAY + 1)),
        (Some(today + 1), Some(now + 1)),
        (Some(now - 20 * DAY), Some(now - 15 * DAY)),
        // Open windows holding most of the archive: every vote less those before them.
        (Some(now - 8 * DAY - 12_345), None),
        (Some(today - 9 * DAY), None),
    ];
    // All time, by every sort and both orders, page by page: where the imported votes whose
    // star is unknown count.
    let all_time = data.counts(0, i64::MAX, None);
    for sort in SORTS {
        for order in ["asc", "desc"] {
            let query = format!("sort={sort}&order={order}&min_votes=1");
            let expected = expected_ranking(&all_time, prior_of(&all_time), 1, sort, order);
            assert!(expected.iter().any(|(id, _)| id == "w2"), "{expected:?}");
            let got = ranking_pages(&app, &key, &query).await;
            assert_eq!(got, expected, "{query}");
        }
    }
    for _ in 0..6 {
        let from = now - 11 * DAY + random.below(11 * DAY as u64) as i64;
        let to = from + 1 + random.below(6 * DAY as u64) as i64;
        windows.push((Some(from), Some(to)));
    }
    for (i, (from, to)) in windows.into_iter().enumerate() {
        let section = [None, Some("sport")][i % 2];
        let sort = SORTS[i % SORTS.len()];
        let order = ["desc", "asc"][(i / 2) % 2];
        let min_votes = [1, 3][(i / 3) % 2];
        let counts = data.counts(from.unwrap_or(0), to.unwrap_or(i64::MAX), section);
        let prior = prior_of(&counts);
        let mut query = format!("sort={sort}&order={order}&min_votes={min_votes}");
        for (name, bound) in [("from", from), ("to", to)] {
            if let Some(bound) = bound {
                query += &format!("&{name}={}", time(bound));
            }
        }
        if let Some(section) = section {
            query += &format!("&section={section}");
        }
        let expected = expected_ranking(&counts, prior, min_votes, sort, order);
        let got = ranking_pages(&app, &key, &query).await;
        assert_eq!(got, expected, "ranking {query}");

        // The site's (or the section's) votes per day, as the dashboard's chart reads them.
        let mut path = format!("/v1/reports/daily?{}", query_window(from, to));
        if let Some(section) = section {
            path += &format!("&section={section}");
        }
        let response = editor(&app, Method::GET, &path, &key, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let daily: Value = response.json().await.unwrap();
        let in_scope = |vote: &Vote| {
            vote.at >= from.unwrap_or(0)
                && vote.at < to.unwrap_or(i64::MAX)
                && (section.is_none() || data.sections[&vote.article].as_deref() == section)
        };
        assert_eq!(
            daily["days"],
            expected_days(data.votes.values().filter(|v| in_scope(v))),
            "{path}"
        );

        // The article report of the biggest article: figures, days, prior.
        let window_counts = data.counts(from.unwrap_or(0), to.unwrap_or(i64::MAX), None);
        let article = "s0";
        let mut path = format!("/v1/reports/articles/{article}?");
        for (name, bound) in [("from", from), ("to", to)] {
            if let Some(bound) = bound {
                path += &format!("{name}={}&", time(bound));
            }
        }
        let response = editor(&app, Method::GET, &path, &key, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let report: Value = response.json().await.unwrap();
        let site = prior_of(&window_counts);
        let mine = window_counts.get(article).copied().unwrap_or_default();
        assert_eq!(
            report["figures"],
            as_sent(&Figures::of(&mine, site)),
            "{path}"
        );
        let inside = |vote: &Vote| vote.at >= from.unwrap_or(0) && vote.at < to.unwrap_or(i64::MAX);
        let mine = data
            .votes
            .values()
            .filter(|v| v.article == article && inside(v));
        assert_eq!(report["daily"], expected_days(mine), "{path}");

        // The summary: sections side by side and the articles needing attention.
        let summary_query = &query_window(from, to);
        let path = format!("/v1/reports/summary?min_votes={min_votes}&{summary_query}");
        let response = editor(&app, Method::GET, &path, &key, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let summary: Value = response.json().await.unwrap();
        assert_eq!(summary["articles"], window_counts.len(), "{path}");
        let mut sections: BTreeMap<Option<String>, (i64, RatingCounts)> = BTreeMap::new();
        for (id, c) in &window_counts {
            let entry = sections.entry(data.sections[id].clone()).or_default();
            entry.0 += 1;
            entry.1 += c;
        }
        let sections: Vec<Value> = sections
            .into_iter()
            .map(|(section, (articles, counts))| {
                json!({ "section": section, "articles": articles,
                        "figures": as_sent(&Figures::of(&counts, site)) })
            })
            .collect();
        assert_eq!(summary["sections"], Value::Array(sections), "{path}");
        let attention: Vec<String> =
            expected_ranking(&window_counts, site, min_votes, "wilson_lower_bound", "asc")
                .into_iter()
                .take(10)
                .map(|(id, _)| id)
                .collect();
        let got: Vec<String> = summary["needs_attention"]["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["article_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, attention, "{path}");
    }
}

/// Votes and average per UTC day of `votes`, as the reports send them.
fn expected_days<'a>(votes: impl Iterator<Item = &'a Vote>) -> Value {
    let mut days: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for vote in votes {
        let day = days.entry(vote.at / DAY).or_default();
        day.0 += 1;
        day.1 += vote.stars;
    }
    let days: Vec<Value> = days
        .into_iter()
        .map(|(day, (votes, sum))| {
            as_sent(&json!({
                "date": plaudit::time::format_day(day),
                "votes": votes,
                "average": sum as f64 / votes as f64,
            }))
        })
        .collect();
    Value::Array(days)
}

fn query_window(from: Option<i64>, to: Option<i64>) -> String {
    let mut query = Vec::new();
    for (name, bound) in [("from", from), ("to", to)] {
        if let Some(bound) = bound {
            query.push(format!("{name}={}", time(bound)));
        }
    }
    query.join("&")
}
