//! A feed server for the fleet test: one listener on each of several loopback addresses
//! (127.0.0.2, 127.0.0.3, … are all this machine, and distinct hosts to syndic), a small
//! RSS feed per path, each answer held back a moment so that fetches overlap. It counts
//! requests per path and per worker (told apart by the User-Agent, which names each
//! worker's `site.base_url`), and the most requests in flight at once per host, per path
//! and in all. It can hold the first request of one worker until the test lets it go.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long every answer is held back.
const DELAY: Duration = Duration::from_millis(200);

/// What the server saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Requests per feed (host number, path), with the worker that made each (its base
    /// URL's host).
    pub requests: HashMap<(usize, String), Vec<String>>,
    pub max_per_host: HashMap<usize, usize>,
    pub max_per_path: usize,
    pub max_in_all: usize,
    in_flight_host: HashMap<usize, usize>,
    in_flight_path: HashMap<(usize, String), usize>,
    in_flight: usize,
    /// The feed (host number, path) of the request held back, once one is.
    pub held: Option<(usize, String)>,
    released: bool,
}

pub struct FeedServer {
    /// `http://127.0.0.N:PORT` per host.
    pub hosts: Vec<String>,
    state: Arc<(Mutex<Seen>, Condvar)>,
    /// Hold the first request whose User-Agent names this worker.
    hold: Option<String>,
}

impl FeedServer {
    /// Listens on 127.0.0.2 … 127.0.0.(1 + `hosts`); holds back the first request of the
    /// worker whose base URL's host is `hold`.
    pub fn start(hosts: usize, hold: Option<&str>) -> Arc<FeedServer> {
        let listeners: Vec<TcpListener> = (0..hosts)
            .map(|n| {
                let address = format!("127.0.0.{}:0", n + 2);
                TcpListener::bind(&address)
                    .unwrap_or_else(|e| panic!("cannot listen on {address}: {e}"))
            })
            .collect();
        let server = Arc::new(FeedServer {
            hosts: listeners
                .iter()
                .map(|l| format!("http://{}", l.local_addr().expect("address")))
                .collect(),
            state: Arc::default(),
            hold: hold.map(str::to_owned),
        });
        for (host, listener) in listeners.into_iter().enumerate() {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                for stream in listener.incoming().map_while(Result::ok) {
                    let server = Arc::clone(&server);
                    std::thread::spawn(move || server.answer(host, stream));
                }
            });
        }
        server
    }

    pub fn seen(&self) -> MutexGuard<'_, Seen> {
        self.state.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits (up to `limit`) until `done` holds of what the server saw.
    pub fn wait_for(&self, limit: Duration, done: impl Fn(&Seen) -> bool) -> bool {
        let (lock, changed) = &*self.state;
        let seen = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let (seen, _) = changed
            .wait_timeout_while(seen, limit, |seen| !done(seen))
            .unwrap_or_else(PoisonError::into_inner);
        done(&seen)
    }

    /// Lets the held request go (its worker is dead by then: the answer goes nowhere).
    pub fn release(&self) {
        self.seen().released = true;
        self.state.1.notify_all();
    }

    fn answer(&self, host: usize, mut stream: TcpStream) {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let worker = worker_of(&head);
        let hold = self.arrived(host, &path, &worker);
        if hold {
            let (lock, changed) = &*self.state;
            let seen = lock.lock().unwrap_or_else(PoisonError::into_inner);
            let _released = changed
                .wait_while(seen, |seen| !seen.released)
                .unwrap_or_else(PoisonError::into_inner);
        } else {
            std::thread::sleep(DELAY);
        }
        // Counted out before the answer leaves: the client cannot start its next request
        // to this host before then, so the counts never include a request that ended.
        self.left(host, &path);
        let body = feed(host, &path);
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes());
    }

    /// Counts a request in; whether to hold it back.
    fn arrived(&self, host: usize, path: &str, worker: &str) -> bool {
        let mut seen = self.seen();
        let seen = &mut *seen;
        let feed = (host, path.to_owned());
        seen.requests
            .entry(feed.clone())
            .or_default()
            .push(worker.to_owned());
        let on_host = seen.in_flight_host.entry(host).or_default();
        *on_host += 1;
        let on_host = *on_host;
        let max = seen.max_per_host.entry(host).or_default();
        *max = (*max).max(on_host);
        let on_path = seen.in_flight_path.entry(feed.clone()).or_default();
        *on_path += 1;
        seen.max_per_path = seen.max_per_path.max(*on_path);
        seen.in_flight += 1;
        seen.max_in_all = seen.max_in_all.max(seen.in_flight);
        let hold = seen.held.is_none() && self.hold.as_deref() == Some(worker);
        if hold {
            seen.held = Some(feed);
        }
        self.state.1.notify_all();
        hold
    }

    fn left(&self, host: usize, path: &str) {
        let mut seen = self.seen();
        if let Some(n) = seen.in_flight_host.get_mut(&host) {
            *n -= 1;
        }
        if let Some(n) = seen.in_flight_path.get_mut(&(host, path.to_owned())) {
            *n -= 1;
        }
        seen.in_flight -= 1;
        self.state.1.notify_all();
    }
}

/// The host of the base URL in the User-Agent (`syndic/0.1 (+https://w1.example/)`).
fn worker_of(head: &str) -> String {
    head.lines()
        .find_map(|line| line.strip_prefix("user-agent:"))
        .and_then(|agent| agent.split("(+").nth(1))
        .and_then(|url| url.split("://").nth(1))
        .map(|rest| rest.split('/').next().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

/// The feed at `path` of host `host`: the same bytes on every request, two dated posts,
/// the first of which mentions a harbor.
pub fn feed(host: usize, path: &str) -> String {
    let name = format!("h{host}{}", path.replace('/', "-"));
    let n: usize = path.trim_start_matches("/s").parse().unwrap_or(0);
    let items: String = (0..2)
        .map(|k| {
            let day = 1 + (host * 7 + n * 2 + k) % 27;
            let hour = (host * 5 + n + k * 3) % 24;
            let topic = if k == 0 { "the harbor" } else { "a lighthouse" };
            format!(
                "<item><guid>{name}-{k}</guid><title>{name} post {k}</title>\
                 <link>https://{name}.example/{k}</link>\
                 <pubDate>{day:02} Mar 2026 {hour:02}:{host}{n}:{k}0 +0000</pubDate>\
                 <description>A note about {topic} from {name}.</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title>\
         <link>https://{name}.example/</link><description>{name}</description>{items}\
         </channel></rss>"
    )
}
