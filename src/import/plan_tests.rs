use super::*;
use crate::import::plugin::{FeedbackEntry, PluginRating, Totals, VoteRow};

const PLUGIN: &str = "rate-my-post";

fn rows(stars: &[f64]) -> Vec<VoteRow> {
    (1..)
        .zip(stars)
        .map(|(id, stars)| VoteRow {
            id,
            stars: *stars,
            at: id * 1000,
        })
        .collect()
}

fn rating(votes: i64, stars: f64, rows: Vec<VoteRow>) -> PluginRating {
    PluginRating {
        post_id: 7,
        totals: Totals { votes, stars },
        rows,
        feedback: Vec::new(),
    }
}

fn metadata() -> Metadata {
    Metadata {
        title: None,
        url: None,
        published_at: None,
    }
}

fn run(rating: &PluginRating, previous: Option<&ImportRecord>) -> Result<Planned, String> {
    plan(PLUGIN, "7", rating, previous, metadata())
}

#[test]
fn rows_give_the_known_stars_and_the_totals_the_rest() {
    let planned = run(&rating(5, 19.0, rows(&[4.0, 5.0, 3.0])), None).unwrap();
    let change = planned.change.unwrap();
    assert_eq!(change.new_votes.len(), 3);
    assert_eq!(
        (change.record.known_votes, change.record.known_star_sum),
        (3, 12)
    );
    assert_eq!(
        (change.unknown_votes_change, change.unknown_sum_change),
        (2, 7)
    );
    assert_eq!(change.record.last_row_id, 3);
}

#[test]
fn running_again_changes_nothing_and_new_rows_add_only_themselves() {
    let first = rating(3, 12.0, rows(&[4.0, 5.0, 3.0]));
    let record = run(&first, None).unwrap().change.unwrap().record;
    assert!(run(&first, Some(&record)).unwrap().change.is_none());
    let later = rating(4, 13.0, rows(&[4.0, 5.0, 3.0, 1.0]));
    let change = run(&later, Some(&record)).unwrap().change.unwrap();
    assert_eq!(change.new_votes.len(), 1);
    assert_eq!(change.new_votes[0].stars.get(), 1);
    assert_eq!(
        (change.unknown_votes_change, change.unknown_sum_change),
        (0, 0)
    );
}

#[test]
fn rows_beyond_the_totals_leave_the_totals_as_unknown_stars() {
    let planned = run(&rating(2, 10.0, rows(&[5.0, 5.0, 5.0])), None).unwrap();
    assert_eq!(planned.notes.len(), 1, "{:?}", planned.notes);
    let change = planned.change.unwrap();
    assert!(change.new_votes.is_empty());
    assert_eq!(
        (change.unknown_votes_change, change.unknown_sum_change),
        (2, 10)
    );
    // The rest of the totals would be 1 vote of 0 stars: no fit either.
    let odd = run(&rating(2, 5.0, rows(&[5.0])), None).unwrap();
    assert!(odd.change.unwrap().new_votes.is_empty());
}

#[test]
fn bad_totals_and_rows_skip_the_article() {
    assert!(run(&rating(-1, 0.0, vec![]), None).is_err());
    assert!(run(&rating(2, 14.0, vec![]), None).is_err(), "average 7");
    assert!(run(&rating(1, 9.0, rows(&[9.0])), None).is_err());
}

#[test]
fn a_fractional_sum_is_rounded_and_said() {
    let planned = run(&rating(2, 8.5, vec![]), None).unwrap();
    assert_eq!(planned.notes.len(), 1, "{:?}", planned.notes);
    let exact = run(&rating(3, 13.0, vec![]), None).unwrap();
    assert!(exact.notes.is_empty());
    assert_eq!(exact.change.unwrap().unknown_sum_change, 13);
}

#[test]
fn feedback_needs_an_imported_vote_and_comes_once() {
    let mut with_feedback = rating(2, 9.0, rows(&[4.0, 5.0]));
    let entry = |id: &str, row: Option<i64>| FeedbackEntry {
        id: id.into(),
        text: "Too short".into(),
        at: 5,
        rating_row: row,
    };
    with_feedback.feedback = vec![
        entry("6745a1b2c3d4e", Some(2)),
        entry("6745a1b2c3d4f", None),
    ];
    let planned = run(&with_feedback, None).unwrap();
    assert_eq!(planned.feedback, 1);
    assert_eq!(planned.feedback_skipped.len(), 1);
    let change = planned.change.unwrap();
    assert_eq!(change.feedback[0].stars.get(), 5);
    assert_eq!(change.feedback[0].voter_hash, row_voter(PLUGIN, 2));
    let again = run(&with_feedback, Some(&change.record)).unwrap();
    assert!(again.change.is_none());
    assert_eq!(again.feedback, 0);
}
