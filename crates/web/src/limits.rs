//! Bounded work per request.
//!
//! Every request's store work ends by a deadline ([`RequestLimits::deadline`], the
//! `deadline` middleware in `http/`): past it the answer is `503` with `Retry-After`
//! instead of a wait for a pooled connection. Searches, the one costly kind of query, also
//! have a budget of their own ([`RequestLimits::search_concurrency`]): a search that finds
//! every slot taken waits at most [`RequestLimits::search_wait`] and is then answered `503`, so
//! searches can never hold every pooled store connection and pages keep theirs. Deep
//! searches are refused before any query ([`MAX_SEARCH_PAGE`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::WebError;

/// The deepest page of search results served: 20 pages (200 results at 10 a page). A
/// search asking for a deeper page is refused before any query is made.
pub const MAX_SEARCH_PAGE: u32 = 20;

/// How long a search waits by default for a free slot of the search budget before it is
/// answered `503` with `Retry-After`.
pub const SEARCH_QUEUE_WAIT: Duration = Duration::from_millis(500);

/// How long the first store read of a request (the change clock) may take by default
/// before the store is taken for unreachable and the request answered `503`.
pub const STORE_WAIT: Duration = Duration::from_secs(1);

/// How much store work one request may cause (`[server] request_timeout` and
/// `search_concurrency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// The longest a request's store work may take, a wait for a pooled connection
    /// included; past it the request is answered `503` with `Retry-After`.
    pub deadline: Duration,
    /// How many searches may query the store at once (at least 1). Keep it below the
    /// store's pool of connections (8 for SQLite) so pages always find one.
    pub search_concurrency: usize,
    /// How long a search waits for a free slot before it is answered `503`.
    pub search_wait: Duration,
    /// How long the first store read of a request (the one-row change clock, also
    /// `/healthz`'s probe) may take: past it, or when it fails for want of a connection,
    /// the store is unreachable and the request is answered `503` with `Retry-After` at
    /// once, without waiting out [`RequestLimits::deadline`] or the pool's own timeout.
    pub store_wait: Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            deadline: Duration::from_secs(5),
            search_concurrency: 2,
            search_wait: SEARCH_QUEUE_WAIT,
            store_wait: STORE_WAIT,
        }
    }
}

/// The limits in force and the search budget's slots; one per [`crate::AppState`].
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) limits: RequestLimits,
    searches: Arc<Semaphore>,
}

impl Budget {
    pub(crate) fn new(limits: RequestLimits) -> Budget {
        Budget {
            limits,
            searches: Arc::new(Semaphore::new(limits.search_concurrency.max(1))),
        }
    }

    /// Runs `search` (store work) within the search budget. It runs in a task of its own
    /// that keeps its slot until the store has answered, even when the request has given
    /// up, so the budget counts the connections searches really hold.
    pub(crate) async fn search<T: Send + 'static>(
        &self,
        search: impl Future<Output = Result<T, WebError>> + Send + 'static,
    ) -> Result<T, WebError> {
        let slot = tokio::time::timeout(
            self.limits.search_wait,
            Arc::clone(&self.searches).acquire_owned(),
        )
        .await
        .map_err(|_| WebError::Busy("every search slot is taken"))?
        .map_err(|_| WebError::Busy("the search budget is closed"))?;
        let task = tokio::spawn(async move {
            let found = search.await;
            drop(slot);
            found
        });
        task.await
            .map_err(|_| WebError::Busy("a search task stopped"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_search_beyond_the_budget_is_refused_as_busy() {
        let budget = Arc::new(Budget::new(RequestLimits {
            deadline: Duration::from_secs(5),
            search_concurrency: 1,
            search_wait: Duration::from_millis(50),
            store_wait: STORE_WAIT,
        }));
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let holding = tokio::spawn({
            let budget = Arc::clone(&budget);
            async move {
                budget
                    .search(async move {
                        let _ = released.await;
                        Ok(1)
                    })
                    .await
            }
        });
        // Let the first search take the only slot.
        while budget.searches.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let refused = budget.search(async { Ok(2) }).await;
        assert!(matches!(refused, Err(WebError::Busy(_))), "{refused:?}");
        let _ = release.send(());
        assert_eq!(holding.await.expect("join").expect("first search"), 1);
        assert_eq!(budget.search(async { Ok(3) }).await.expect("slot free"), 3);
    }
}
