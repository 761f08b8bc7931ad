//! The vote batch's one call for webhooks: an `article.rating_alert` into the outbox for each
//! subscription whose thresholds an article of the batch has just fallen under, in the
//! batch's transaction. With no alert subscription this is a read of an empty list in
//! memory; with some, the figures are compared in memory, and only a crossing writes.

use super::Database;
use crate::store::delta::RatingDelta;
use crate::store::dialect::Dialect;
use crate::store::webhooks::OutboxEvent;
use crate::store::{
    PendingVote, RatingCounts, StoreError, VersionedRating, VoteChange, now_millis,
};
use sqlx::{Encode, Executor, Transaction, Type};
use std::collections::HashMap;

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
{
    /// `changes[i]` is what `votes[i]` did; `ratings` are the batch's articles' figures
    /// after it. The figures before are those minus the batch's changes.
    pub(super) async fn raise_rating_alerts(
        &self,
        tx: &mut Transaction<'static, DB>,
        votes: &[PendingVote],
        changes: &[Option<VoteChange>],
        ratings: &HashMap<String, VersionedRating>,
    ) -> Result<(), StoreError> {
        let rules = self.alerts.current();
        if rules.is_empty() {
            return Ok(());
        }
        let mut deltas: HashMap<&str, RatingDelta> = HashMap::new();
        for (vote, change) in votes.iter().zip(changes) {
            if let Some(change) = change {
                let delta = deltas.entry(vote.article.as_str()).or_default();
                *delta = delta.plus(RatingDelta::of(*change, vote.stars));
            }
        }
        self.alert_on_crossings(tx, &rules, deltas, ratings).await
    }

    /// After a retraction: the same check for one article.
    pub(super) async fn raise_rating_alert(
        &self,
        tx: &mut Transaction<'static, DB>,
        article: &str,
        delta: RatingDelta,
        rating: &VersionedRating,
    ) -> Result<(), StoreError> {
        let rules = self.alerts.current();
        if rules.is_empty() {
            return Ok(());
        }
        let ratings = HashMap::from([(article.to_owned(), *rating)]);
        self.alert_on_crossings(tx, &rules, HashMap::from([(article, delta)]), &ratings)
            .await
    }

    async fn alert_on_crossings(
        &self,
        tx: &mut Transaction<'static, DB>,
        rules: &[crate::store::webhooks::AlertRule],
        deltas: HashMap<&str, RatingDelta>,
        ratings: &HashMap<String, VersionedRating>,
    ) -> Result<(), StoreError> {
        let now = now_millis();
        for (article, delta) in deltas {
            let Some(after) = ratings.get(article).map(|r| r.counts) else {
                continue;
            };
            let before = minus(after, delta);
            for rule in rules {
                if let Some(breach) = rule.thresholds.crossed(&before, &after) {
                    let event =
                        OutboxEvent::rating_alert(article, &after, &rule.thresholds, breach, now);
                    Self::queue_alert(tx, &event, &rule.subscription_id).await?;
                }
            }
        }
        Ok(())
    }
}

fn minus(after: RatingCounts, delta: RatingDelta) -> RatingCounts {
    let [count, star_sum, s1, s2, s3, s4, s5] = delta.values();
    let d = after.distribution;
    RatingCounts {
        count: after.count - count,
        star_sum: after.star_sum - star_sum,
        distribution: [d[0] - s1, d[1] - s2, d[2] - s3, d[3] - s4, d[4] - s5],
    }
}
