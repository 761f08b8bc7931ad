//! The store's own error type: what kind of failure happened, not which HTTP status it earns
//! (the HTTP layer decides that).

use std::error::Error;
use std::sync::Arc;

/// Why a store call failed. Cheap to clone, so that every vote of a failed batch gets it.
///
/// There is no "conflict" kind: every constraint the store can meet is either ruled out by
/// the domain types or resolved in SQL (`ON CONFLICT`), so a violation is a fault of ours.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database is out of reach or cannot take writes now (a pool timeout, a lost
    /// connection, I/O, a full or read-only disk, a server shutting down): worth a retry.
    #[error(transparent)]
    Unavailable(Cause),
    /// A fault of ours or of the stored data; the cause is for the logs.
    #[error(transparent)]
    Internal(Cause),
}

/// The underlying error, shared by the clones of one failure.
pub type Cause = Arc<dyn Error + Send + Sync + 'static>;

/// A failure described in words, where no other error type says it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Reason(String);

impl StoreError {
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::Unavailable(Arc::new(Reason(reason.into())))
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        Self::Internal(Arc::new(Reason(reason.into())))
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            Self::Unavailable(Arc::new(error))
        } else {
            Self::Internal(Arc::new(error))
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError::{Execute, ExecuteMigration};
        let unavailable =
            matches!(&error, Execute(e) | ExecuteMigration(e, _) if is_unavailable(e));
        if unavailable {
            Self::Unavailable(Arc::new(error))
        } else {
            Self::Internal(Arc::new(error))
        }
    }
}

/// Encoding a batch as one JSON parameter: it cannot fail on the values the store binds.
impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        Self::Internal(Arc::new(error))
    }
}

/// Failures that say the database is away or cannot take writes now, rather than that the
/// request or our code is wrong.
fn is_unavailable(error: &sqlx::Error) -> bool {
    use sqlx::Error::*;
    match error {
        PoolTimedOut | PoolClosed | WorkerCrashed | Io(_) | Tls(_) => true,
        Database(db) => {
            if let Some(postgres) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                // Connection exceptions (08), insufficient resources (53), operator
                // intervention such as a shutdown or restart (57), read-only transactions.
                let code = postgres.code();
                ["08", "53", "57"]
                    .iter()
                    .any(|class| code.starts_with(class))
                    || code == "25006"
            } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // Extended codes keep the primary one in the low byte: BUSY, LOCKED, READONLY,
                // IOERR, FULL, CANTOPEN; a full or read-only disk fails writes only.
                let code = db
                    .code()
                    .and_then(|c| c.parse::<i32>().ok())
                    .unwrap_or_default();
                matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14)
            } else {
                false
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_timeout_is_unavailable_and_a_decode_error_internal() {
        assert!(StoreError::from(sqlx::Error::PoolTimedOut).is_unavailable());
        let decode = sqlx::Error::Decode("stored stars out of range".into());
        assert!(!StoreError::from(decode).is_unavailable());
    }

    #[test]
    fn a_clone_keeps_the_kind_and_the_cause() {
        let error = StoreError::from(sqlx::Error::PoolClosed);
        let copy = error.clone();
        assert!(copy.is_unavailable());
        assert_eq!(copy.to_string(), error.to_string());
    }

    #[test]
    fn a_failed_migration_statement_is_classified_like_any_query() {
        let failed = sqlx::migrate::MigrateError::Execute(sqlx::Error::PoolTimedOut);
        assert!(StoreError::from(failed).is_unavailable());
        let dirty = sqlx::migrate::MigrateError::Dirty(1);
        assert!(!StoreError::from(dirty).is_unavailable());
    }
}
