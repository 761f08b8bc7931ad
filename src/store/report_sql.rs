//! The SQL of editors' reports, put together from a few parts: where an article's votes in the
//! window come from (its kept row for all time; its daily roll-ups plus the votes of the two
//! part-days at the window's edges otherwise), which articles count (a section, one article),
//! and what is asked of them (a ranking page, totals, sections).
//!
//! Every statement takes the same parameters, so one binding serves them all (`Binds` in
//! `database/reports.rs`); a statement leaves out the ones it does not need:
//! `$1` section, `$2` article, `$3`..`$4` whole days, `$5`..`$8` the part-days in milliseconds,
//! `$9` least votes, `$10` prior mean, `$11` prior weight, `$12` z, `$13`..`$14` the cursor
//! (sort value, article id), `$15` limit.
//!
//! A ranking computes its sort value in SQL with the very operations `stats.rs` makes in
//! Rust, in the same order, so that SQL sorts exactly as the figures shown would.

use super::reports::{Order, SortKey};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Which votes a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every vote: the articles' kept rows, no scan.
    AllTime,
    /// Whole days from `article_days`, part-days from `votes`.
    Window,
    /// A window open at its end that holds most of the archive: every vote (the kept rows)
    /// less those before it, which are fewer to add up than those in it. The parameters give
    /// the days and the part-day before the window.
    AllBut,
}

/// Which articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Only {
    Everything,
    Section,
    Article,
}

/// The dialect's words, from `Dialect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Words {
    pub float: &'static str,
    pub byte_order: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Statement {
    Ranking(SortKey, Order),
    Totals,
    Sections,
}

/// What a statement's text depends on.
type Shape = (Words, Scope, Only, Statement);

/// Statements are made once per shape and kept for the life of the process (a few dozen).
fn cached(key: Shape, make: impl FnOnce() -> String) -> &'static str {
    static MADE: OnceLock<Mutex<HashMap<Shape, &'static str>>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    made.entry(key)
        .or_insert_with(|| Box::leak(make().into_boxed_str()))
}

pub fn ranking(
    words: Words,
    scope: Scope,
    only: Only,
    sort: SortKey,
    order: Order,
) -> &'static str {
    cached(
        (words, scope, only, Statement::Ranking(sort, order)),
        || {
            let (direction, past) = match order {
                Order::Asc => ("ASC", ">"),
                Order::Desc => ("DESC", "<"),
            };
            let id = words.byte_order;
            format!(
                "SELECT r.article_id, a.title, a.section, r.c AS vote_count, r.s AS star_sum, \
             r.s1 AS stars_1, r.s2 AS stars_2, r.s3 AS stars_3, r.s4 AS stars_4, \
             r.s5 AS stars_5, r.v AS sort_value \
             FROM (SELECT * FROM (SELECT t.*, {value} AS v FROM ({articles}) t \
             WHERE t.c > 0 AND t.c >= $9) ranked \
             WHERE $13 IS NULL OR v {past} $13 OR (v = $13 AND article_id{id} > $14) \
             ORDER BY v {direction}, article_id{id} LIMIT $15) r \
             JOIN articles a ON a.article_id = r.article_id \
             ORDER BY r.v {direction}, r.article_id{id}",
                value = sort_value(words, sort),
                articles = articles(scope, only),
            )
        },
    )
}

/// Count and star sum of every vote in scope: the Bayesian prior's mean.
pub fn totals(words: Words, scope: Scope, only: Only) -> &'static str {
    cached((words, scope, only, Statement::Totals), || {
        format!(
            "SELECT CAST(COALESCE(SUM(c), 0) AS BIGINT), CAST(COALESCE(SUM(s), 0) AS BIGINT) \
             FROM ({}) t",
            articles(scope, only)
        )
    })
}

/// Per section: articles with votes in scope, their votes per star, and (for all time) their
/// imported votes whose star is unknown with the sum of those.
pub fn sections(words: Words, scope: Scope) -> &'static str {
    cached(
        (words, scope, Only::Everything, Statement::Sections),
        || {
            let per_article = match scope {
                // The kept rows hold the section: no join.
                Scope::AllTime => "SELECT section, stars_1 AS s1, stars_2 AS s2, stars_3 AS s3, \
                 stars_4 AS s4, stars_5 AS s5, unknown_star_votes AS u, unknown_star_sum AS us \
                 FROM articles WHERE vote_count > 0"
                    .to_owned(),
                Scope::Window | Scope::AllBut => format!(
                    "SELECT a.section, t.s1, t.s2, t.s3, t.s4, t.s5, t.u, t.us FROM ({}) t \
                 JOIN articles a ON a.article_id = t.article_id WHERE t.c > 0",
                    articles(scope, Only::Everything)
                ),
            };
            format!(
                "SELECT section, COUNT(*) AS articles, CAST(SUM(s1) AS BIGINT) AS stars_1, \
             CAST(SUM(s2) AS BIGINT) AS stars_2, CAST(SUM(s3) AS BIGINT) AS stars_3, \
             CAST(SUM(s4) AS BIGINT) AS stars_4, CAST(SUM(s5) AS BIGINT) AS stars_5, \
             CAST(SUM(u) AS BIGINT) AS unknown_star_votes, \
             CAST(SUM(us) AS BIGINT) AS unknown_star_sum \
             FROM ({per_article}) p GROUP BY section"
            )
        },
    )
}

/// One row per article with votes in scope (and some with none, where a window's votes all
/// moved away): `article_id`, `s1`..`s5` (votes per star), `u` and `us` (below), `k` (votes
/// with a known star), `c`
/// (count), `s` (star sum). Imported votes whose star is unknown (`u`, their sum `us`) count
/// in `c` and `s` for all time only: they have no day, so no window holds them, and the
/// "all but before" scope, built from the per-star columns, leaves them out as a window does.
fn articles(scope: Scope, only: Only) -> String {
    let per_star = match scope {
        Scope::AllTime => {
            let only = match only {
                Only::Everything => "",
                Only::Section => " AND section = $1",
                Only::Article => " AND article_id = $2",
            };
            format!(
                "SELECT article_id, stars_1 AS s1, stars_2 AS s2, stars_3 AS s3, \
                 stars_4 AS s4, stars_5 AS s5, unknown_star_votes AS u, \
                 unknown_star_sum AS us FROM articles WHERE vote_count > 0{only}"
            )
        }
        Scope::Window => format!(
            "SELECT article_id, s1, s2, s3, s4, s5, 0 AS u, 0 AS us FROM ({}) w",
            window_days(only)
        ),
        Scope::AllBut => {
            let kept = match only {
                Only::Everything => "",
                Only::Section => " AND a.section = $1",
                Only::Article => " AND a.article_id = $2",
            };
            // The votes taken away need the article filter only: the join keeps the section.
            let before = match only {
                Only::Section => Only::Everything,
                other => other,
            };
            let less = |n: u8| format!("a.stars_{n} - COALESCE(o.s{n}, 0) AS s{n}");
            let less = (1..=5).map(less).collect::<Vec<_>>().join(", ");
            format!(
                "SELECT a.article_id, {less}, 0 AS u, 0 AS us FROM articles a LEFT JOIN ({}) o \
                 ON o.article_id = a.article_id WHERE a.vote_count > 0{kept}",
                window_days(before)
            )
        }
    };
    format!(
        "SELECT article_id, s1, s2, s3, s4, s5, u, us, s1 + s2 + s3 + s4 + s5 AS k, \
         s1 + s2 + s3 + s4 + s5 + u AS c, \
         s1 + 2 * s2 + 3 * s3 + 4 * s4 + 5 * s5 + us AS s FROM ({per_star}) per_star"
    )
}

/// Each article's votes per star over whole days (`$3`..`$4`) and two spans of milliseconds
/// (`$5`..`$6`, `$7`..`$8`): a window's days and the part-days at its edges.
fn window_days(only: Only) -> String {
    let only = match only {
        Only::Everything => "",
        Only::Section => " AND article_id IN (SELECT article_id FROM articles WHERE section = $1)",
        Only::Article => " AND article_id = $2",
    };
    let star = |n: u8| format!("CASE WHEN stars = {n} THEN 1 ELSE 0 END");
    let stars = (1..=5).map(star).collect::<Vec<_>>().join(", ");
    let sum = |n: u8| format!("CAST(SUM(s{n}) AS BIGINT) AS s{n}");
    let sums = (1..=5).map(sum).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT article_id, {sums} FROM (\
         SELECT article_id, stars_1 AS s1, stars_2 AS s2, stars_3 AS s3, \
         stars_4 AS s4, stars_5 AS s5 FROM article_days \
         WHERE day >= $3 AND day < $4{only} \
         UNION ALL SELECT article_id, {stars} FROM votes \
         WHERE updated_at >= $5 AND updated_at < $6{only} \
         UNION ALL SELECT article_id, {stars} FROM votes \
         WHERE updated_at >= $7 AND updated_at < $8{only}) days \
         GROUP BY article_id"
    )
}

/// The figure a ranking sorts by, over `c`, `s`, `k` and `s1`..`s5`, as `views::Figures::of`
/// computes it (`stats::mean`, `bayesian_average`, `wilson_lower_bound`, `share`); rows
/// have `c > 0`. Shares and the Wilson bound are of the votes with a known star (`k`), 0
/// where there are none, as `stats` gives for a total of 0.
fn sort_value(words: Words, sort: SortKey) -> String {
    let real = |x: &str| format!("CAST({x} AS {})", words.float);
    let n = real("c");
    match sort {
        SortKey::Count => n,
        SortKey::Average => format!("{} / {n}", real("s")),
        // Weight `$11` is already at least 0 (`Prior`); `$10` is the mean.
        SortKey::BayesianAverage => format!(
            "CASE WHEN $11 + {n} = 0 THEN $10 ELSE ($11 * $10 + {s}) / ($11 + {n}) END",
            s = real("s")
        ),
        SortKey::WilsonLowerBound => {
            let n = real("k");
            let p = format!(
                "({} / {n})",
                real("CASE WHEN s4 + s5 < k THEN s4 + s5 ELSE k END")
            );
            let two = real("2");
            let four = real("4");
            let one = real("1");
            let z2 = "($12 * $12)";
            let centre = format!("({p} + {z2} / ({two} * {n}))");
            let spread =
                format!("($12 * sqrt(({p} * ({one} - {p}) + {z2} / ({four} * {n})) / {n}))");
            let bound = format!("(({centre} - {spread}) / ({one} + {z2} / {n}))");
            format!(
                "CASE WHEN k = 0 THEN {zero} WHEN {bound} < 0 THEN {zero} \
                 WHEN {bound} > 1 THEN {one} ELSE {bound} END",
                zero = real("0")
            )
        }
        SortKey::UsefulShare => known_share(&real, "s4 + s5"),
        SortKey::LowShare => known_share(&real, "s1 + s2"),
    }
}

/// `part / k` as `stats::share` computes it: 0 where no vote has a known star.
fn known_share(real: &dyn Fn(&str) -> String, part: &str) -> String {
    format!(
        "CASE WHEN k = 0 THEN {} ELSE {} / {} END",
        real("0"),
        real(part),
        real("k")
    )
}
