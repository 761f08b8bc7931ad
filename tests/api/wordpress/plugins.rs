//! kk Star Ratings and WP-PostRatings (totals only) and YASR (a row per vote, halves
//! possible): every article's count and average equal the plugin's, bad data is skipped, a
//! second run changes nothing.

use super::dump::dump;
use super::site::Site;
use super::{assert_rating, import, on_both_backends_with_wordpress};
use crate::helpers::TestApp;
use plaudit::import::Plugin;

on_both_backends_with_wordpress!(
    kk_star_ratings_totals_import_as_unknown_stars,
    yasr_rows_import_with_their_stars,
    wp_postratings_scores_scale_to_five_stars
);

async fn kk_star_ratings_totals_import_as_unknown_stars(app: TestApp, mut site: Site) {
    for post in 20..=24 {
        site.post(post, "publish", "post").await;
    }
    site.meta(20, "_kksr_count_default", "3").await;
    site.meta(20, "_kksr_ratings_default", "13").await; // 4.33
    site.meta(21, "_kksr_casts", "2").await; // before kk 5
    site.meta(21, "_kksr_ratings", "9").await;
    site.meta(21, "_kksr_avg", "4.5").await;
    site.meta(22, "_kksr_count_default", "2").await;
    site.meta(22, "_kksr_ratings_default", "8.5").await; // votes out of 10, normalised
    site.meta(23, "_kksr_count_default", "three").await;
    site.meta(24, "_kksr_count_default", "1").await;
    site.meta(24, "_kksr_ratings_default", "0.5").await; // average 0.5
    let first = import(&app, &site, Plugin::KkStarRatings, false).await;
    assert_eq!((first.imported, first.unknown_votes), (3, 7), "{first}");
    let skipped: Vec<i64> = first.skipped.iter().map(|(post, _)| *post).collect();
    assert_eq!(skipped, [23, 24], "{first}");
    assert_rating(&app, "20", 3, 13.0 / 3.0, 3).await;
    assert_rating(&app, "21", 2, 4.5, 2).await;
    // 8.5 stars over 2 votes cannot be whole stars: kept as 9 (4.5), and said.
    assert_rating(&app, "22", 2, 4.5, 2).await;
    assert!(
        first
            .notes
            .iter()
            .any(|(post, note)| *post == 22 && note.contains("4.2")),
        "{first}"
    );
    let before = dump(&app).await;
    let second = import(&app, &site, Plugin::KkStarRatings, false).await;
    assert_eq!(second.changed(), 0, "{second}");
    assert_eq!(dump(&app).await, before);
    assert!(app.store.verify().await.unwrap().is_empty());
}

async fn yasr_rows_import_with_their_stars(app: TestApp, mut site: Site) {
    for post in [30, 31] {
        site.post(post, "publish", "post").await;
    }
    site.run(
        "INSERT INTO wp_yasr_log (id, post_id, user_id, vote, date, ip) VALUES \
         (1, 30, 0, 5.0, '2026-11-20 10:00:00', 'x'), (2, 30, 0, 4.0, '2026-11-21 10:00:00', 'x'), \
         (3, 30, 0, 3.0, '2026-11-21 11:00:00', 'x'), (4, 30, 0, 4.0, '2026-11-22 10:00:00', 'x'), \
         (5, 31, 0, 2.0, '2026-11-20 10:00:00', 'x'), (6, 31, 0, 7.0, '2026-11-20 10:00:00', 'x')",
    )
    .await;
    let first = import(&app, &site, Plugin::Yasr, false).await;
    assert_eq!(
        (first.imported, first.known_votes, first.unknown_votes),
        (1, 4, 0),
        "{first}"
    );
    assert_eq!(first.skipped.len(), 1, "a vote of 7 skips post 31: {first}");
    assert_rating(&app, "30", 4, 4.0, 0).await;
    assert_eq!(
        app.rating("30").await["distribution"],
        crate::helpers::distribution([0, 0, 1, 2, 1])
    );
    let before = dump(&app).await;
    assert_eq!(import(&app, &site, Plugin::Yasr, false).await.changed(), 0);
    assert_eq!(dump(&app).await, before);
    // A half star, later: counted, its star unknown.
    site.run(
        "INSERT INTO wp_yasr_log (id, post_id, user_id, vote, date, ip) VALUES \
         (7, 30, 0, 3.5, '2026-11-23 10:00:00', 'x')",
    )
    .await;
    let delta = import(&app, &site, Plugin::Yasr, false).await;
    assert_eq!((delta.known_votes, delta.unknown_votes), (0, 1), "{delta}");
    // 19.5 stars over 5 votes (3.9) kept as 20 (4.0): the half rounds up, and is said.
    assert_rating(&app, "30", 5, 4.0, 1).await;
    assert_eq!(delta.notes.len(), 1, "{delta}");
    assert!(app.store.verify().await.unwrap().is_empty());
}

async fn wp_postratings_scores_scale_to_five_stars(app: TestApp, mut site: Site) {
    site.run("INSERT INTO wp_options (option_name, option_value) VALUES ('postratings_max', '10')")
        .await;
    for post in [40, 41, 42] {
        site.post(post, "publish", "page").await;
    }
    site.meta(40, "ratings_users", "4").await;
    site.meta(40, "ratings_score", "34").await; // 8.5 of 10: 4.25 of 5
    site.meta(40, "ratings_average", "8.5").await;
    site.meta(41, "ratings_users", "3").await;
    site.meta(41, "ratings_score", "30").await; // all 10s
    site.meta(42, "ratings_users", "1").await;
    site.meta(42, "ratings_score", "25").await; // 25 of 10
    let first = import(&app, &site, Plugin::WpPostratings, false).await;
    assert_eq!((first.imported, first.unknown_votes), (2, 7), "{first}");
    assert_eq!(first.skipped.len(), 1, "{first}");
    assert_rating(&app, "40", 4, 17.0 / 4.0, 4).await;
    assert_rating(&app, "41", 3, 5.0, 3).await;
    let before = dump(&app).await;
    assert!(
        before
            .iter()
            .any(|line| line.contains("https://news.example/?page_id=40")),
        "{before:#?}"
    );
    assert_eq!(
        import(&app, &site, Plugin::WpPostratings, false)
            .await
            .changed(),
        0
    );
    assert_eq!(dump(&app).await, before);
}
