//! A local feed server for the fetching benchmarks: feed `n` at `/feed/n.xml` on every one
//! of 127.0.0.1 … 127.0.0.N (one listener each, so that syndic's per-host limit does not
//! serialize the sweep: every address of 127.0.0.0/8 is loopback on Linux, and the
//! per-host limit keys on the host, not the port). It answers from memory on one thread
//! (tokio, current-thread runtime, keep-alive), with ETags: a feed not changed since the
//! `If-None-Match` it is sent answers `304 Not Modified`. Where only 127.0.0.1 can be bound
//! (macOS without aliases) it serves on the addresses it got.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server serves, shared with its connections.
pub struct Feeds {
    /// 1 during the first sweep, 2 during the second (when the changed feeds change).
    pub sweep: AtomicU32,
    /// Feeds whose number hashes below this (out of 10,000) change for the second sweep.
    pub changed_per_10k: u64,
    /// Items of every feed in version 1 (a changed feed has one more).
    pub items: u32,
    /// Paragraphs of made-up prose after each item's opening sentence.
    pub paragraphs: u32,
    /// A pause before every answer.
    pub delay: Duration,
    pub requests: AtomicU64,
    pub not_modified: AtomicU64,
}

impl Feeds {
    /// `items` items of `paragraphs` paragraphs each, none changing, no pause.
    pub fn new(items: u32, paragraphs: u32) -> Feeds {
        Feeds {
            sweep: AtomicU32::new(1),
            changed_per_10k: 0,
            items,
            paragraphs,
            delay: Duration::ZERO,
            requests: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
        }
    }

    /// The version of feed `n` now: 1 for every feed, 2 for a changed one in sweep 2.
    fn version(&self, n: u64) -> u32 {
        let changes = mix(n) % 10_000 < self.changed_per_10k;
        if changes && self.sweep.load(Ordering::Relaxed) >= 2 {
            2
        } else {
            1
        }
    }

    /// Feed `n` in `version`: RSS with `items` items (one more in version 2), newest first.
    fn feed(&self, n: u64, version: u32) -> String {
        let items = self.items + version - 1;
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
             <title>Blog {n}</title><link>http://blog{n}.example/</link>\
             <description>Notes from blog {n}</description>\n"
        );
        for i in (0..items).rev() {
            let day = 1 + (n + u64::from(i) * 3) % 27;
            xml.push_str(&format!(
                "<item><title>Post {i} of blog {n}: on caches and latency</title>\
                 <link>http://blog{n}.example/posts/{i}</link><guid>blog-{n}-post-{i}</guid>\
                 <pubDate>Mon, {day:02} Jun 2025 {hour:02}:00:00 GMT</pubDate>\
                 <description>&lt;p&gt;Post {i} of blog {n}. A few sentences about the \
                 &lt;em&gt;scheduler&lt;/em&gt;, the database and a deploy that went well.&lt;/p&gt;\
                 {prose}&lt;ul&gt;&lt;li&gt;one&lt;/li&gt;&lt;li&gt;two&lt;/li&gt;&lt;/ul&gt;\
                 </description></item>\n",
                hour = i % 24,
                prose = self.prose(n, i),
            ));
        }
        xml.push_str("</channel></rss>\n");
        xml
    }

    /// `paragraphs` escaped paragraphs of 60 words each, the same for the same item.
    fn prose(&self, n: u64, item: u32) -> String {
        const WORDS: &[&str] = &[
            "the", "cache", "a", "latency", "of", "replica", "and", "kernel", "to", "query", "in",
            "thread", "we", "socket", "index", "rollback", "is", "harbor", "metrics", "pipeline",
            "release", "compiler", "storage", "on",
        ];
        let mut seed = mix(n.wrapping_mul(1_000).wrapping_add(u64::from(item)));
        let mut text = String::new();
        for _ in 0..self.paragraphs {
            text.push_str("&lt;p&gt;");
            for w in 0..60 {
                seed = mix(seed);
                if w > 0 {
                    text.push(' ');
                }
                text.push_str(WORDS[(seed % WORDS.len() as u64) as usize]);
            }
            text.push_str(".&lt;/p&gt;");
        }
        text
    }
}

/// splitmix64, so the changed feeds are spread evenly and the same every run.
pub fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn etag(n: u64, version: u32) -> String {
    format!("\"feed-{n}-v{version}\"")
}

/// Answers requests on one connection until the client closes it (HTTP/1.1 keep-alive).
async fn serve_connection(mut stream: TcpStream, feeds: Arc<Feeds>) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
            if buffer.len() > 64 * 1024 {
                return;
            }
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        buffer.drain(..end);
        let response = answer(&head, &feeds);
        if !feeds.delay.is_zero() {
            tokio::time::sleep(feeds.delay).await;
        }
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The response to one request head (GET requests carry no body).
fn answer(head: &str, feeds: &Feeds) -> String {
    feeds.requests.fetch_add(1, Ordering::Relaxed);
    let mut lines = head.lines();
    let path = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("/");
    let if_none_match = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("if-none-match")
            .then(|| value.trim().to_owned())
    });
    let number = path
        .strip_prefix("/feed/")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .and_then(|n| n.parse::<u64>().ok());
    let Some(n) = number else {
        return "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_owned();
    };
    let version = feeds.version(n);
    let tag = etag(n, version);
    if if_none_match.as_deref() == Some(tag.as_str()) {
        feeds.not_modified.fetch_add(1, Ordering::Relaxed);
        return format!("HTTP/1.1 304 Not Modified\r\netag: {tag}\r\ncontent-length: 0\r\n\r\n");
    }
    let body = feeds.feed(n, version);
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\netag: {tag}\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Binds one listener on each of 127.0.0.1 … 127.0.0.`hosts` (those that can be bound) and
/// serves them all on one thread, for as long as this process runs. Returns the addresses.
pub fn start(hosts: u64, feeds: Arc<Feeds>) -> Result<Vec<SocketAddr>, String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                let _ = sender.send(Err(format!("no runtime: {error}")));
                return;
            }
        };
        runtime.block_on(async move {
            let mut addresses = Vec::new();
            for k in 1..=hosts.clamp(1, 254) {
                let ip = Ipv4Addr::new(127, 0, 0, k as u8);
                let Ok(listener) = TcpListener::bind((ip, 0)).await else {
                    continue;
                };
                let Ok(address) = listener.local_addr() else {
                    continue;
                };
                addresses.push(address);
                let feeds = Arc::clone(&feeds);
                tokio::spawn(async move {
                    while let Ok((stream, _)) = listener.accept().await {
                        tokio::spawn(serve_connection(stream, Arc::clone(&feeds)));
                    }
                });
            }
            let failed = addresses.is_empty();
            let _ = sender.send(Ok(addresses));
            if !failed {
                std::future::pending::<()>().await;
            }
        });
    });
    match receiver.recv() {
        Ok(Ok(addresses)) if !addresses.is_empty() => Ok(addresses),
        Ok(Ok(_)) => Err("could not bind any loopback address".into()),
        Ok(Err(error)) => Err(error),
        Err(_) => Err("the server thread stopped".into()),
    }
}

/// The addresses of feeds 0 … `feeds`-1, spread over `addresses` in turn.
pub fn feed_urls(addresses: &[SocketAddr], feeds: u64) -> Vec<String> {
    (0..feeds)
        .map(|n| {
            let address = addresses[(n % addresses.len() as u64) as usize];
            format!("http://{address}/feed/{n}.xml")
        })
        .collect()
}

/// The `[[source]]` entries for [`feed_urls`].
pub fn sources_toml(addresses: &[SocketAddr], feeds: u64) -> String {
    feed_urls(addresses, feeds)
        .iter()
        .map(|url| format!("[[source]]\nurl = \"{url}\"\n\n"))
        .collect()
}
