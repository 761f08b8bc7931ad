//! Editors' reads from a PostgreSQL streaming replica (`PLAUDIT_REPORTS_DATABASE_URL`), so that
//! a heavy report does not compete with votes on the primary.
//!
//! The seam is one accessor, [`Store::reports_backend`]: the report queries (`reports.rs`) and
//! the feedback list call it instead of `backend()`, and everything else, votes, writes and
//! reads that must see their own writes (an article's metadata, the audit log), stays on the
//! primary. A replica lags its primary by its replay delay (usually well under a second);
//! reports were never exact to the vote, as votes keep arriving while they run.

use super::database::Backend;
use super::database::replica::{self, ReplicaRole};
use super::{PoolSettings, Store, StoreError};
use std::sync::Arc;

pub use replica::ReplicaRole as ReportsDatabaseRole;

impl Store {
    /// Sends editors' reads to the database at `url` from now on, unless it is the primary
    /// itself, and says what it is. One that does not answer is taken too: reports get 503
    /// until it does, while votes go on.
    pub async fn read_reports_from(
        &mut self,
        primary_url: &str,
        url: &str,
        pool: &PoolSettings,
    ) -> Result<ReplicaRole, StoreError> {
        if self.backend_name() != "postgres" || !is_postgres_url(url) {
            return Err(StoreError::internal(
                "PLAUDIT_REPORTS_DATABASE_URL needs PostgreSQL for both databases: it names a \
                 streaming replica of the PostgreSQL database in DATABASE_URL",
            ));
        }
        // A replica behind a silent network must not hold the start for TCP's own timeout.
        let role = tokio::time::timeout(pool.acquire_timeout, replica::role(primary_url, url))
            .await
            .unwrap_or_else(|_| {
                ReplicaRole::Unreachable(format!(
                    "no answer within {} s",
                    pool.acquire_timeout.as_secs()
                ))
            });
        if role != ReplicaRole::ThePrimary {
            self.reports = Some(replica::connect_lazily(url, pool)?);
        }
        Ok(role)
    }

    /// The database editors' reports read: the replica if there is one, else the primary.
    /// Counted by which, so that `/metrics` shows the replica's share.
    pub(super) fn reports_backend(&self) -> &Arc<dyn Backend> {
        let (database, backend) = match &self.reports {
            Some(replica) => ("replica", replica),
            None => ("primary", self.backend()),
        };
        metrics::counter!("plaudit_report_queries_total", "database" => database).increment(1);
        backend
    }
}

fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}
