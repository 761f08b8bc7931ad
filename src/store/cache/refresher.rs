//! The task that reads due cache entries again, in batches, straight from the database.

use super::{RatingCache, RefresherTurn, counters};
use crate::store::database::Backend;
use std::sync::Arc;

/// Articles the refresher reads in one query.
const REFRESH_BATCH: usize = 200;

/// Starts the task that reads due cache entries again, on this runtime.
pub fn start_refresher(backend: &Arc<dyn Backend>, cache: &RatingCache) {
    // Taken here, so that however the task ends, even dropped before it first runs, the
    // turn's drop lets the next due entry start another.
    let mut turn = cache.refresher();
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            let (backend, cache) = (backend.clone(), cache.clone());
            runtime.spawn(async move { refresh_due(backend.as_ref(), &cache, turn).await });
        }
        // No runtime to run it on (not the server): the entries expire as usual.
        Err(_) => while turn.next(usize::MAX).is_some() {},
    }
}

async fn refresh_due(backend: &dyn Backend, cache: &RatingCache, mut turn: RefresherTurn) {
    while let Some(articles) = turn.next(REFRESH_BATCH) {
        let ticket = cache.ticket();
        match backend.ratings(&articles).await {
            Ok(fetched) => {
                counters().rereads.increment(articles.len() as u64);
                for article in &articles {
                    let rating = fetched.get(article.as_str()).copied().unwrap_or_default();
                    cache.remember(article.as_str(), rating, &ticket);
                }
            }
            // Those entries expire as usual; the next read after that asks the database.
            Err(error) => tracing::debug!(%error, "reading cached ratings again failed"),
        }
    }
}
