//! A raw-TCP HTTP/1.1 server on a loopback address for the fetcher's tests: it answers each
//! request by a route function, records every request head and counts every connection it
//! accepts, so a test can prove the guard refused before connecting. Every reply is bounded
//! in bytes and time, and the server lives as long as the test's runtime.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use syndic_fetch::{FetcherOptions, Location};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
pub enum Reply {
    /// `head` is the status line's rest plus header lines (`"200 OK\r\nETag: x"`); the body
    /// follows with its Content-Length.
    Full { head: String, body: Vec<u8> },
    /// `head` sent at once with `Content-Length: 1000`, then one byte every `every`.
    Drip { head: String, every: Duration },
    /// `head` with no length, then zeros as fast as the client reads, up to 64 MiB.
    Endless { head: String },
    /// Reads the request and says nothing for ten seconds.
    Silent,
    /// These bytes as they are, status line and headers included (lies and bombs), then
    /// the connection is closed.
    Raw(Vec<u8>),
    /// `head` with `Transfer-Encoding: chunked`, then 64 KiB chunks as fast as the client
    /// reads, up to 64 MiB, and never the last chunk.
    EndlessChunked { head: String },
}

impl Reply {
    pub fn ok(head: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            head: head.to_owned(),
            body: body.into(),
        }
    }

    pub fn redirect(status: &str, to: &str) -> Reply {
        Reply::ok(&format!("{status}\r\nLocation: {to}"), Vec::new())
    }
}

/// One request as received: its path and its whole head.
pub struct Request {
    pub path: String,
    pub head: String,
}

impl Request {
    /// The value of the first header called `name` (any case), as sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.head, name)
    }
}

/// The value of the first header called `name` (any case) in a request head, as sent.
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

type Route = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct Server {
    pub address: SocketAddr,
    accepts: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Serves on 127.0.0.1.
    pub async fn start(route: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_on("127.0.0.1", route).await
    }

    /// Serves on `ip`, one of the loopback addresses.
    pub async fn start_on(
        ip: &str,
        route: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind((ip, 0)).await.expect("bind");
        let address = listener.local_addr().expect("address");
        let accepts = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let route: Arc<Route> = Arc::new(route);
        let (counted, recorded) = (Arc::clone(&accepts), Arc::clone(&requests));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let (route, recorded) = (Arc::clone(&route), Arc::clone(&recorded));
                tokio::spawn(answer(socket, route, recorded));
            }
        });
        Server {
            address,
            accepts,
            requests,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn location(&self, path: &str) -> Location {
        location(&self.url(path))
    }

    /// How many connections were accepted so far.
    pub fn accepts(&self) -> usize {
        self.accepts.load(Ordering::SeqCst)
    }

    /// The heads of the requests received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests").clone()
    }
}

pub fn location(url: &str) -> Location {
    Location::parse(url, Path::new("/")).expect("valid URL")
}

/// Options for tests: fast deadlines and, unless a test says otherwise, this machine's
/// 127.0.0.1 allowed.
pub fn options() -> FetcherOptions {
    FetcherOptions {
        connect_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        max_body: 1 << 20,
        allow_networks: vec!["127.0.0.1/32".parse().expect("network")],
        ..FetcherOptions::default()
    }
}

async fn answer(mut socket: TcpStream, route: Arc<Route>, recorded: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    recorded.lock().expect("requests").push(head.clone());
    match route(&Request { path, head }) {
        Reply::Full { head, body } => {
            let head = format!(
                "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body).await;
        }
        Reply::Drip { head, every } => {
            let head =
                format!("HTTP/1.1 {head}\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n");
            let _ = socket.write_all(head.as_bytes()).await;
            for _ in 0..1000 {
                tokio::time::sleep(every).await;
                if socket.write_all(b"x").await.is_err() {
                    return;
                }
            }
        }
        Reply::Endless { head } => {
            let head = format!("HTTP/1.1 {head}\r\nConnection: close\r\n\r\n");
            let _ = socket.write_all(head.as_bytes()).await;
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..1024 {
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
        Reply::Silent => tokio::time::sleep(Duration::from_secs(10)).await,
        Reply::Raw(bytes) => {
            let _ = socket.write_all(&bytes).await;
        }
        Reply::EndlessChunked { head } => {
            let head = format!(
                "HTTP/1.1 {head}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
            chunk.extend(std::iter::repeat_n(b'x', 64 * 1024));
            chunk.extend_from_slice(b"\r\n");
            for _ in 0..1024 {
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = socket.shutdown().await;
}
