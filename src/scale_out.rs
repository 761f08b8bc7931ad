//! What an instance sets up to run beside others: quotas shared through Redis and reports
//! read from a replica, with a clear word at start about what it found.

use crate::abuse::SharedQuotas;
use crate::config::{Settings, redact_url};
use crate::store::{ReportsDatabaseRole, Store};
use anyhow::Context;
use std::sync::Arc;

/// The shared quotas, checked once and watched from now on; `None` without `PLAUDIT_REDIS_URL`.
/// A malformed URL stops the start; a Redis that does not answer does not (see
/// [`SharedQuotas::check_at_start`]).
pub async fn share_quotas(settings: &Settings) -> anyhow::Result<Option<Arc<SharedQuotas>>> {
    let Some(shared) = SharedQuotas::from_settings(&settings.scale_out)? else {
        return Ok(None);
    };
    shared.check_at_start().await;
    shared.clone().spawn_watcher();
    Ok(Some(shared))
}

/// Points the store's report reads at `PLAUDIT_REPORTS_DATABASE_URL`, if set.
///
/// The primary itself is refused: an operator who set a replica URL expects reports off the
/// primary, and silently running them there is the failure this setting exists to prevent. A
/// database that takes writes but is not the primary's (a logical replica, a restored copy)
/// is accepted with a warning, since logical replication is a legitimate way to feed reports;
/// one that does not answer is accepted with a warning, so that an instance can start (and
/// take votes) while the replica is away.
pub async fn read_reports_from_replica(
    store: &mut Store,
    settings: &Settings,
) -> anyhow::Result<()> {
    let Some(url) = settings.scale_out.reports_database_url.as_deref() else {
        return Ok(());
    };
    let shown = redact_url(url);
    let role = store
        .read_reports_from(&settings.database_url, url, &settings.pool())
        .await
        .with_context(|| format!("reports database {shown}"))?;
    match role {
        ReportsDatabaseRole::Standby => {
            tracing::info!(replica = %shown, "editors' reports read the replica");
        }
        ReportsDatabaseRole::Writable => tracing::warn!(
            replica = %shown,
            "PLAUDIT_REPORTS_DATABASE_URL is not in recovery, so it is not a streaming replica: \
             reports read it as it is (right for a logical replica, wrong for a stale copy)"
        ),
        ReportsDatabaseRole::Unreachable(error) => tracing::warn!(
            replica = %shown,
            error,
            "the reports database does not answer at start: reports answer 503 until it does; \
             votes are not affected"
        ),
        ReportsDatabaseRole::ThePrimary => anyhow::bail!(
            "PLAUDIT_REPORTS_DATABASE_URL {shown} names the primary database itself (not in \
             recovery, same system identifier and database as DATABASE_URL): point it at a \
             streaming replica, or unset it to read reports from the primary"
        ),
    }
    Ok(())
}
