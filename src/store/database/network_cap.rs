//! The network cap for a vote batch's new voters, settled together: one statement reads the
//! voters already counted in each (day, network, article) the batch touches, the admission is
//! decided here in the batch's order, and one statement adds the admitted. Checked one vote at
//! a time, the cap cost two round trips per new vote, the most of any part of a vote.

use super::Database;
use crate::store::delta::DayDeltas;
use crate::store::dialect::Dialect;
use crate::store::{PendingVote, StoreError, VoteChange, sql};
use sqlx::{Encode, Executor, FromRow, Transaction, Type};
use std::collections::{HashMap, HashSet};

/// Votes (indices into the batch) just inserted as their voter's first on the article, whose
/// network's cap has yet to admit them.
#[derive(Debug, Default)]
pub(super) struct AwaitingAdmission(Vec<usize>);

impl AwaitingAdmission {
    pub fn push(&mut self, vote: usize) {
        self.0.push(vote);
    }

    /// Whether the voter of `vote` on its article is among them (the same voter twice in one
    /// batch: the first must be settled before the second reads it back).
    pub fn holds_voter_of(&self, votes: &[PendingVote], vote: &PendingVote) -> bool {
        self.0
            .iter()
            .any(|&i| votes[i].article == vote.article && votes[i].voter == vote.voter)
    }
}

/// One (day, network, article): what the cap counts in.
type Group<'a> = (i64, &'a [u8], &'a str);

fn group_of(vote: &PendingVote) -> Group<'_> {
    let cap = vote
        .cap
        .as_ref()
        .expect("only capped votes await admission");
    (cap.day, cap.network.as_slice(), vote.article.as_str())
}

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'r> (i64, Vec<u8>, String, Vec<u8>): FromRow<'r, DB::Row>,
{
    /// Admits each awaiting vote or refuses it (`changes[i]` becomes `None`, and its insert
    /// is undone before the commit, so that nobody ever sees it); admitted votes count on
    /// their day in `days`. A voter the network already counts is always admitted.
    pub(super) async fn settle_network_caps(
        tx: &mut Transaction<'static, DB>,
        votes: &[PendingVote],
        awaiting: &mut AwaitingAdmission,
        changes: &mut [Option<VoteChange>],
        days: &mut DayDeltas,
    ) -> Result<(), StoreError> {
        let awaiting = std::mem::take(&mut awaiting.0);
        if awaiting.is_empty() {
            return Ok(());
        }
        let mut counted: HashMap<Group, HashSet<Vec<u8>>> = HashMap::new();
        for &i in &awaiting {
            counted.entry(group_of(&votes[i])).or_default();
        }
        let groups: Vec<serde_json::Value> = counted
            .keys()
            .map(|(day, network, article)| {
                serde_json::json!([day, crate::hex::encode(network), article])
            })
            .collect();
        let rows = sqlx::query_as::<DB, (i64, Vec<u8>, String, Vec<u8>)>(DB::NETWORK_VOTERS_OF)
            .bind(serde_json::to_string(&groups)?)
            .fetch_all(&mut **tx)
            .await?;
        for (day, network, article, voter) in &rows {
            if let Some(voters) = counted.get_mut(&(*day, network.as_slice(), article.as_str())) {
                voters.insert(voter.clone());
            }
        }
        let mut added = Vec::new();
        for i in awaiting {
            let vote = &votes[i];
            let max_voters = vote.cap.as_ref().map_or(0, |cap| cap.max_voters);
            let voters = counted.entry(group_of(vote)).or_default();
            let voter = vote.voter.as_bytes();
            if voters.contains(voter) || voters.len() < max_voters as usize {
                if voters.insert(voter.to_vec()) {
                    let (day, network, article) = group_of(vote);
                    added.push(serde_json::json!([
                        day,
                        crate::hex::encode(network),
                        article,
                        crate::hex::encode(voter)
                    ]));
                }
                days.add(vote.article.as_str(), vote.now, vote.stars);
            } else {
                sqlx::query::<DB>(sql::DELETE_VOTE)
                    .bind(vote.article.as_str())
                    .bind(voter)
                    .execute(&mut **tx)
                    .await?;
                changes[i] = None;
            }
        }
        if !added.is_empty() {
            sqlx::query::<DB>(DB::ADD_NETWORK_VOTERS)
                .bind(serde_json::to_string(&added)?)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}
