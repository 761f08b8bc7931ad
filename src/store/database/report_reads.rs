//! How a report reads: where (its scope: the kept rows, the window's days, or every vote less
//! those before the window), with which parameters (one binding for every statement of
//! `report_sql.rs`), in one transaction, and for how long at most.

use super::Database;
use crate::store::StoreError;
use crate::store::delta::DAY_MS;
use crate::store::dialect::Dialect;
use crate::store::report_sql::{Only, Scope, Words};
use crate::store::reports::{RankingQuery, ReportWindow};
use crate::store::sql;
use sqlx::{Encode, Executor, FromRow, Transaction, Type};
use std::future::Future;

/// The values of every report statement's parameters, in their order (see `report_sql.rs`).
#[derive(Debug, Clone)]
pub(super) struct Binds {
    pub(super) section: Option<String>,
    pub(super) article: Option<String>,
    pub(super) days: (i64, i64),
    pub(super) edges: [(i64, i64); 2],
    pub(super) min_votes: i64,
    pub(super) prior: (f64, f64),
    pub(super) after: Option<(f64, String)>,
    pub(super) limit: i64,
}

impl Binds {
    /// For `Scope::AllBut`, what lies before the window; otherwise the window itself.
    pub(super) fn scoped(self, window: &ReportWindow, scope: Scope) -> Self {
        if scope != Scope::AllBut {
            return self;
        }
        let (days, part) = window.before();
        Self {
            days,
            edges: [part, (0, 0)],
            ..self
        }
    }

    pub(super) fn of(window: &ReportWindow) -> Self {
        let (days, edges) = window.split();
        Self {
            section: window.section.clone(),
            article: None,
            days,
            edges,
            min_votes: 0,
            prior: (0.0, 0.0),
            after: None,
            limit: i64::MAX,
        }
    }

    pub(super) fn ranking(query: &RankingQuery) -> Self {
        Self {
            min_votes: query.min_votes,
            prior: query.prior,
            after: query.after.clone(),
            limit: query.limit,
            ..Self::of(&query.window)
        }
    }

    pub(super) fn only(&self) -> Only {
        match (&self.article, &self.section) {
            (Some(_), _) => Only::Article,
            (None, Some(_)) => Only::Section,
            (None, None) => Only::Everything,
        }
    }
}

/// Binds every parameter of a report statement, and asks for an unnamed statement: planned
/// with the window's own values (a week and a year want different plans), not a generic plan.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let b = &$binds;
        $query
            .bind(b.section.as_deref())
            .bind(b.article.as_deref())
            .bind(b.days.0)
            .bind(b.days.1)
            .bind(b.edges[0].0)
            .bind(b.edges[0].1)
            .bind(b.edges[1].0)
            .bind(b.edges[1].1)
            .bind(b.min_votes)
            .bind(b.prior.0)
            .bind(b.prior.1)
            .bind(crate::stats::Z_95)
            .bind(b.after.as_ref().map(|(value, _)| *value))
            .bind(b.after.as_ref().map(|(_, id)| id.as_str()))
            .bind(b.limit)
            .persistent(false)
    }};
}
pub(super) use bind_all;

impl<DB: Dialect> Database<DB> {
    pub(super) fn words() -> Words {
        Words {
            float: DB::FLOAT,
            byte_order: DB::BYTE_ORDER,
        }
    }

    /// A read transaction whose statements the database cancels past the report timeout.
    pub(super) async fn report_transaction(&self) -> Result<Transaction<'static, DB>, StoreError>
    where
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'q> String: Encode<'q, DB> + Type<DB>,
    {
        let mut tx = self.reader.begin().await?;
        if let Some(statement) = DB::LIMIT_STATEMENT_TIME {
            sqlx::query::<DB>(statement)
                .bind(self.report_timeout.as_millis().to_string())
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Where a report over `window` reads: the kept rows for all time; for a window open at
    /// its end that holds more days of the archive than lie before it, the kept rows less
    /// what came before (a year of a year and a week is a week's work, not a year's);
    /// otherwise the window's days.
    pub(super) async fn scope(
        tx: &mut Transaction<'static, DB>,
        window: &ReportWindow,
    ) -> Result<Scope, StoreError>
    where
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> (Option<i64>,): FromRow<'r, DB::Row>,
    {
        if window.is_all_time() {
            return Ok(Scope::AllTime);
        }
        if window.to != i64::MAX || window.from <= 0 {
            return Ok(Scope::Window);
        }
        let (oldest,) = sqlx::query_as::<DB, (Option<i64>,)>(sql::OLDEST_DAY)
            .fetch_one(&mut **tx)
            .await?;
        let first = window.from.div_euclid(DAY_MS);
        let today = crate::store::now_millis().div_euclid(DAY_MS);
        Ok(match oldest {
            Some(oldest) if first - oldest < today + 1 - first => Scope::AllBut,
            _ => Scope::Window,
        })
    }

    /// The answer of `report`, or `Unavailable` once the timeout has passed (where the
    /// database cannot cancel, the query runs on, but nobody waits for it).
    pub(super) async fn bounded<T>(
        &self,
        report: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let limit = self.report_timeout;
        tokio::time::timeout(limit, report)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::unavailable(format!(
                    "a report ran past {} s (PLAUDIT_REPORT_TIMEOUT)",
                    limit.as_secs()
                )))
            })
    }
}
