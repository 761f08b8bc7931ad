//! Rate My Post: totals in post meta, a row per vote, feedback; the awkward cases, a second
//! run, a delta run, a dry run, and an admin reset followed by a run.

use super::dump::dump;
use super::site::Site;
use super::{assert_rating, import, on_both_backends_with_wordpress};
use crate::editors::{editor, key};
use crate::helpers::TestApp;
use plaudit::domain::Scope;
use plaudit::import::Plugin;
use reqwest::{Method, StatusCode};

on_both_backends_with_wordpress!(rate_my_post_imports_totals_rows_and_feedback_once);

/// Votes of Rate My Post's analytics table: (id, post, stars, site-local time).
async fn rows(site: &mut Site, rows: &[(i64, i64, i64, &str)]) {
    for (id, post, value, time) in rows {
        site.run(&format!(
            "INSERT INTO wp_rmp_analytics (id, time, ip, country, user, post, action, duration, \
             average, votes, value, token) VALUES ({id}, '{time}', '-1', '0', 0, {post}, 1, 5, \
             0, 0, {value}, '-1')"
        ))
        .await;
    }
}

async fn totals(site: &mut Site, post: i64, votes: &str, sum: &str) {
    site.meta(post, "rmp_vote_count", votes).await;
    site.meta(post, "rmp_rating_val_sum", sum).await;
}

/// A serialized feedback array: entries (id, text, time, analytics row).
fn feedback(entries: &[(&str, &str, &str, Option<i64>)]) -> String {
    let mut out = format!("a:{}:{{", entries.len());
    for (i, (id, text, time, row)) in entries.iter().enumerate() {
        let rating = row.map_or(String::new(), |row| format!("s:8:\"ratingID\";i:{row};"));
        let fields = if row.is_some() { 5 } else { 4 };
        out.push_str(&format!(
            "i:{i};a:{fields}:{{s:8:\"feedback\";s:{}:\"{text}\";s:4:\"time\";s:19:\"{time}\";\
             s:2:\"id\";s:13:\"{id}\";s:4:\"user\";b:0;{rating}}}",
            text.len()
        ));
    }
    out.push('}');
    out
}

async fn fixture(site: &mut Site) {
    for post in [10, 11, 12, 13, 14, 17, 18] {
        site.post(post, "publish", "post").await;
    }
    site.post(15, "draft", "post").await;
    site.post(16, "publish", "nav_menu_item").await;
    // 10: the meta (5 votes, 19 stars) holds 2 votes more than the rows (4, 5, 3).
    totals(site, 10, "5", "19").await;
    rows(
        site,
        &[
            (1, 10, 4, "2026-11-21 10:00:00"),
            (2, 10, 5, "2026-11-21 23:30:00"),
            (3, 10, 3, "2026-11-22 09:00:00"),
        ],
    )
    .await;
    let entries = feedback(&[
        (
            "6745a1b2c3d4e",
            "Useful, thanks",
            "21-11-2026 22:31:00",
            Some(2),
        ),
        (
            "6745a1b2c3d4f",
            "Old entry without a vote",
            "22-11-2026 08:00:00",
            None,
        ),
        (
            "6745a1b2c3d50",
            "Its vote is gone",
            "22-11-2026 09:00:00",
            Some(999),
        ),
    ]);
    site.meta(10, "rmp_feedback_val_new", &entries).await;
    // 11: rows (5, 5, 5) beyond the meta (2 votes, 10 stars).
    totals(site, 11, "2", "10").await;
    rows(
        site,
        &[
            (4, 11, 5, "2026-11-21 10:00:00"),
            (5, 11, 5, "2026-11-21 10:01:00"),
            (6, 11, 5, "2026-11-21 10:02:00"),
        ],
    )
    .await;
    totals(site, 12, "-1", "0").await; // negative count
    totals(site, 13, "2", "14").await; // average 7
    totals(site, 14, "1", "4").await;
    site.meta(14, "rmp_feedback_val_new", "a:1:{i:0;a:5:{s:8:\"feedback\"")
        .await; // unparseable
    totals(site, 15, "3", "12").await; // a draft
    totals(site, 16, "3", "12").await; // a type without ratings
    // 17: rows and no meta at all.
    rows(
        site,
        &[
            (7, 17, 2, "2026-11-23 10:00:00"),
            (8, 17, 4, "2026-11-23 11:00:00"),
        ],
    )
    .await;
    totals(site, 18, "0", "0").await; // nothing to import
}

async fn rate_my_post_imports_totals_rows_and_feedback_once(app: TestApp, mut site: Site) {
    fixture(&mut site).await;
    let first = import(&app, &site, Plugin::RateMyPost, false).await;
    assert_eq!(first.posts_read, 9, "{first}");
    assert_eq!(first.not_published, 2, "{first}");
    assert_eq!((first.imported, first.updated), (3, 0), "{first}");
    assert_eq!(first.known_votes, 5, "{first}");
    assert_eq!(first.unknown_votes, 4, "{first}");
    assert_eq!(first.feedback, 1, "{first}");
    assert_eq!(first.feedback_skipped.len(), 2, "{first}");
    let skipped: Vec<i64> = first.skipped.iter().map(|(post, _)| *post).collect();
    assert_eq!(skipped, [12, 13, 14], "{first}");
    assert_eq!(
        first.notes.len(),
        1,
        "rows beyond the meta are said: {first}"
    );

    assert_rating(&app, "10", 5, 19.0 / 5.0, 2).await;
    assert_eq!(
        app.rating("10").await["distribution"],
        crate::helpers::distribution([0, 0, 1, 1, 1])
    );
    assert_rating(&app, "11", 2, 5.0, 2).await;
    assert_rating(&app, "17", 2, 3.0, 0).await;
    for nothing in ["12", "13", "14", "15", "16", "18"] {
        assert_rating(&app, nothing, 0, 0.0, 0).await;
    }
    // Site-local times (gmt_offset 1) become UTC: 23:30 local on the 21st is 22:30 UTC.
    let before = dump(&app).await;
    assert!(
        before
            .iter()
            .any(|line| line.contains("Some(\"10\")|Some(5)|Some(1795300200000)")),
        "{before:#?}"
    );
    assert!(
        before
            .iter()
            .any(|line| line.contains("Post 10") && line.contains("https://news.example/post-10/")),
        "{before:#?}"
    );
    assert!(app.store.verify().await.unwrap().is_empty());

    let second = import(&app, &site, Plugin::RateMyPost, false).await;
    assert_eq!(second.changed(), 0, "{second}");
    assert_eq!((second.known_votes, second.unknown_votes), (0, 0));
    assert_eq!(dump(&app).await, before, "a second run changes nothing");

    // New votes on the old site: one row, and the meta counting it.
    rows(&mut site, &[(9, 10, 1, "2026-11-24 10:00:00")]).await;
    site.run("UPDATE wp_postmeta SET meta_value = '6' WHERE post_id = 10 AND meta_key = 'rmp_vote_count'")
        .await;
    site.run("UPDATE wp_postmeta SET meta_value = '20' WHERE post_id = 10 AND meta_key = 'rmp_rating_val_sum'")
        .await;
    let dry = import(&app, &site, Plugin::RateMyPost, true).await;
    assert_eq!((dry.updated, dry.known_votes), (1, 1), "{dry}");
    assert!(
        dry.to_string().contains(
            "would change: post 10 as article 10: 1 votes with their star, +0 whose star is \
             unknown, 0 feedback entries"
        ),
        "{dry}"
    );
    assert_eq!(dump(&app).await, before, "a dry run writes nothing");
    let delta = import(&app, &site, Plugin::RateMyPost, false).await;
    assert_eq!(
        (delta.updated, delta.known_votes, delta.unknown_votes),
        (1, 1, 0),
        "{delta}"
    );
    assert_rating(&app, "10", 6, 20.0 / 6.0, 2).await;

    let admin = key(&app, Scope::Admin).await;
    let reset = editor(&app, Method::DELETE, "/v1/articles/10/votes", &admin, None).await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_rating(&app, "10", 0, 0.0, 0).await;
    let after_reset = import(&app, &site, Plugin::RateMyPost, false).await;
    assert_eq!(after_reset.changed(), 0, "{after_reset}");
    assert_rating(&app, "10", 0, 0.0, 0).await;
    assert!(app.store.verify().await.unwrap().is_empty());
}
