//! How many fetches run at once: at most `concurrency` in all and `per_host` to one host.
//! `syndic fetch` and the scheduler in `syndic serve` share this one implementation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::{FetchReport, Location, Pipeline, SourceError, SourceJob};

/// The two limits, as `[fetch] concurrency` and `[fetch] per_host` set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fetches in flight at once, in all (at least 1).
    pub concurrency: usize,
    /// Fetches in flight at once to one host (at least 1). Local files share one "host".
    pub per_host: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 32,
            per_host: 2,
        }
    }
}

/// A finished job and what came of it.
pub type Finished = (SourceJob, Result<FetchReport, SourceError>);

/// Hands out fetch slots under [`Limits`]. Cloning shares the slots.
#[derive(Clone)]
pub struct Limiter {
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

/// A fetch slot: held while the fetch runs, given back on drop.
#[must_use = "the slot is given back as soon as the permit is dropped"]
pub struct Permit {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Limiter {
            global: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            per_host: limits.per_host.max(1),
            hosts: Arc::default(),
        }
    }

    /// Waits for a slot to fetch `location`: its host's turn first, so that a busy host
    /// never holds a global slot while it waits.
    pub async fn acquire(&self, location: &Location) -> Permit {
        let host = {
            let mut hosts = self
                .hosts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(
                hosts
                    .entry(host_key(location))
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
            )
        };
        // The semaphores are never closed, so acquiring cannot fail.
        let host = host.acquire_owned().await.expect("host semaphore open");
        let global = Arc::clone(&self.global)
            .acquire_owned()
            .await
            .expect("global semaphore open");
        Permit {
            _host: host,
            _global: global,
        }
    }

    /// Spawns `job` on `tasks`: it waits for a slot, then runs through `pipeline` at the
    /// time `now()` gives once the slot is held.
    pub fn spawn(
        &self,
        tasks: &mut JoinSet<Finished>,
        pipeline: &Pipeline,
        job: SourceJob,
        now: impl Fn() -> DateTime<Utc> + Send + 'static,
    ) {
        let limiter = self.clone();
        let pipeline = pipeline.clone();
        tasks.spawn(async move {
            let _permit = limiter.acquire(&job.location).await;
            // Boxed once the slot is held, so that a task still waiting for one stays
            // small: a sweep spawns every source at once, and the fetch's whole state
            // (client, parser and store futures: kilobytes) would otherwise be reserved
            // inline in each of them from the start.
            let result = Box::pin(pipeline.ingest_at(&job, now())).await;
            (job, result)
        });
    }
}

/// Starts every job under `limits`; join the set to collect them as they finish.
pub fn run_jobs(pipeline: &Pipeline, jobs: Vec<SourceJob>, limits: Limits) -> JoinSet<Finished> {
    let limiter = Limiter::new(limits);
    let mut tasks = JoinSet::new();
    for job in jobs {
        limiter.spawn(&mut tasks, pipeline, job, Utc::now);
    }
    tasks
}

/// A location's host, for the per-host limit (lower case; files share the empty host).
pub fn host_key(location: &Location) -> String {
    match location {
        Location::Http(url) => url.host_str().unwrap_or_default().to_ascii_lowercase(),
        Location::File(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_per_host_in_flight_for_one_host_nor_concurrency_in_all() {
        let limiter = Limiter::new(Limits {
            concurrency: 3,
            per_host: 2,
        });
        let busy = Location::Http("https://busy.example/feed".parse().expect("url"));
        let others: Vec<Location> = (0..4)
            .map(|i| Location::Http(format!("https://other{i}.example/").parse().expect("url")))
            .collect();
        let on_busy = Arc::new(AtomicUsize::new(0));
        let in_all = Arc::new(AtomicUsize::new(0));
        let (max_busy, max_all) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = JoinSet::new();
        for i in 0..24 {
            let location = if i % 3 == 0 {
                others[i % others.len()].clone()
            } else {
                busy.clone()
            };
            let (limiter, on_busy, in_all, max_busy, max_all) = (
                limiter.clone(),
                Arc::clone(&on_busy),
                Arc::clone(&in_all),
                Arc::clone(&max_busy),
                Arc::clone(&max_all),
            );
            let is_busy = location == busy;
            tasks.spawn(async move {
                let _permit = limiter.acquire(&location).await;
                let all = in_all.fetch_add(1, Ordering::SeqCst) + 1;
                max_all.fetch_max(all, Ordering::SeqCst);
                if is_busy {
                    let now = on_busy.fetch_add(1, Ordering::SeqCst) + 1;
                    max_busy.fetch_max(now, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                if is_busy {
                    on_busy.fetch_sub(1, Ordering::SeqCst);
                }
                in_all.fetch_sub(1, Ordering::SeqCst);
            });
        }
        while tasks.join_next().await.is_some() {}
        assert_eq!(max_busy.load(Ordering::SeqCst), 2, "per-host limit");
        assert!(max_all.load(Ordering::SeqCst) <= 3, "global limit");
    }

    #[test]
    fn hosts_ignore_case_and_files_share_one() {
        let a = Location::Http("https://Blog.Example/a".parse().expect("url"));
        let b = Location::Http("https://blog.example/b".parse().expect("url"));
        assert_eq!(host_key(&a), host_key(&b));
        assert_eq!(host_key(&Location::File("/a".into())), "");
    }
}
