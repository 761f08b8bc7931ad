//! The pool of a PostgreSQL streaming replica that editors' reports read, and what the
//! server at its URL turns out to be.

use super::{Backend, Database, reusable};
use crate::store::{PoolSettings, StoreError};
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::{Connection, Postgres};
use std::sync::Arc;

/// What the reports database is, as far as it can be told at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaRole {
    /// In recovery: a streaming (or log-shipping) standby, read-only. What is expected.
    Standby,
    /// Takes writes, but is not the primary's own database: a logical replica, or a copy.
    Writable,
    /// The very database `DATABASE_URL` names (same cluster, same database).
    ThePrimary,
    /// Did not answer; reports answer 503 until it does.
    Unreachable(String),
}

/// A pool on the replica. It connects lazily, so that an instance starts, and takes votes,
/// while the replica is away; reports then wait at most the pool's timeout and get 503.
pub fn connect_lazily(url: &str, pool: &PoolSettings) -> Result<Arc<dyn Backend>, StoreError> {
    let replica = PgPoolOptions::new()
        .max_connections(pool.max_connections)
        .after_release(|conn, _| Box::pin(async move { Ok(reusable(conn)) }))
        .acquire_timeout(pool.acquire_timeout)
        .connect_lazy(url)?;
    Ok(Arc::new(Database::<Postgres> {
        writer: replica.clone(),
        reader: replica,
        report_timeout: pool.report_timeout,
        // Rating alerts are raised by the primary's vote batches, never here.
        alerts: Default::default(),
        known: Default::default(),
    }))
}

/// Asks the server at `replica_url` whether it is in recovery and, if not, whether it is the
/// primary's own database: a physical replica shares its primary's system identifier, so
/// the same identifier and database name on a server that takes writes is the primary.
pub async fn role(primary_url: &str, replica_url: &str) -> ReplicaRole {
    let mut replica = match PgConnection::connect(replica_url).await {
        Ok(conn) => conn,
        Err(error) => return ReplicaRole::Unreachable(error.to_string()),
    };
    let in_recovery = sqlx::query_scalar::<_, bool>("SELECT pg_is_in_recovery()")
        .fetch_one(&mut replica)
        .await;
    match in_recovery {
        Ok(true) => return ReplicaRole::Standby,
        Ok(false) => {}
        Err(error) => return ReplicaRole::Unreachable(error.to_string()),
    }
    let on_replica = identity(&mut replica).await;
    let on_primary = match PgConnection::connect(primary_url).await {
        Ok(mut primary) => identity(&mut primary).await,
        Err(_) => None,
    };
    match (on_replica, on_primary) {
        (Some(replica), Some(primary)) if replica == primary => ReplicaRole::ThePrimary,
        _ => ReplicaRole::Writable,
    }
}

/// The cluster's system identifier and the database's name; `None` where the role may not
/// read `pg_control_system()`.
async fn identity(conn: &mut PgConnection) -> Option<(String, String)> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT (SELECT system_identifier::text FROM pg_control_system()), current_database()",
    )
    .fetch_one(conn)
    .await
    .ok()
}
