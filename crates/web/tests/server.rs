//! The real server (`syndic_web::serve` on a loopback socket) against slow, idle, oversized
//! and malformed clients. Bounds on waiting are generous and only keep a broken server
//! from hanging the test; nothing here measures speed.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::fixture;
use syndic_web::{ConnectionLimits, MAX_HEADER_BYTES, MAX_TARGET_BYTES};
use tokio::sync::oneshot;

/// Long enough for any answer on a loaded machine; only keeps a broken server from
/// hanging the test.
const PATIENCE: Duration = Duration::from_secs(30);

/// How the answer to `GET /healthz` ends when the store is there.
const HEALTHY: &[u8] = br#""role":"serve"}"#;

/// A server over the fixture's site within `limits`, stopped when dropped.
struct Running {
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
    _fixture: common::Fixture,
}

async fn start(limits: ConnectionLimits) -> Running {
    let fx = fixture(10).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(syndic_web::serve(
        listener,
        fx.state.clone(),
        limits,
        async {
            let _ = stopped.await;
        },
    ));
    Running {
        address,
        _stop: stop,
        _fixture: fx,
    }
}

fn connect(address: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream
}

/// Sends `request` on a new connection and reads the answer until the server closes.
fn exchange(address: SocketAddr, request: &[u8]) -> String {
    let mut stream = connect(address);
    stream.write_all(request).expect("send");
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .expect("the server answers and closes");
    String::from_utf8_lossy(&reply).into_owned()
}

fn get(address: SocketAddr, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    exchange(address, request.as_bytes())
}

/// Whether the server closed `stream` (end of stream or reset) rather than leaving it open
/// past `PATIENCE`.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work)
        .await
        .expect("client thread")
}

/// How many idle and how many half-sent connections this process can hold with the server's
/// ends of them: 300 each, fewer (said) when the open-file limit is lower.
fn slow_clients() -> usize {
    let soft_limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse::<usize>().ok()
        });
    match soft_limit {
        Some(limit) if limit < 1400 => {
            let fit = limit.saturating_sub(200) / 4;
            println!(
                "the open-file limit is {limit}: {fit} idle and {fit} half-sent instead of 300"
            );
            fit
        }
        _ => 300,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_answered_while_300_idle_and_300_half_sent_connections_wait() {
    let server = start(ConnectionLimits::default()).await;
    let address = server.address;
    let count = slow_clients();
    let reply = blocking(move || {
        let mut idle = Vec::new();
        let mut half_sent = Vec::new();
        for _ in 0..count {
            idle.push(connect(address));
            let mut stream = connect(address);
            stream
                .write_all(b"GET /tag/map/ HTTP/1.1\r\nHost: test\r\nUser-Agent: slo")
                .expect("half a head");
            half_sent.push(stream);
        }
        let reply = get(address, "/tag/map/");
        drop((idle, half_sent));
        reply
    })
    .await;
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.contains("Tag Archives: map"), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_is_closed_after_the_header_read_timeout() {
    let server = start(ConnectionLimits {
        header_read_timeout: Duration::from_millis(300),
        ..ConnectionLimits::default()
    })
    .await;
    let address = server.address;
    let (trickled, silent) = blocking(move || {
        let mut silent = connect(address);
        silent
            .write_all(b"GET / HTTP/1.1\r\nHost: te")
            .expect("send");
        // A head sent a byte at a time still ends at the deadline.
        let mut trickle = connect(address);
        let mut cut = false;
        for byte in b"GET / HTTP/1.1\r\nHost: test\r\nX-Slow: "
            .iter()
            .cycle()
            .take(200)
        {
            if trickle.write_all(&[*byte]).is_err() {
                cut = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        (
            cut || closed_by_server(&mut trickle),
            closed_by_server(&mut silent),
        )
    })
    .await;
    assert!(silent, "a silent half-sent request is closed");
    assert!(trickled, "a trickled head is closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let server = start(ConnectionLimits {
        idle_timeout: Duration::from_millis(300),
        ..ConnectionLimits::default()
    })
    .await;
    let address = server.address;
    let (answer, closed) = blocking(move || {
        let mut stream = connect(address);
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            .expect("send");
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !answer.ends_with(HEALTHY) {
            let n = stream.read(&mut buf).expect("answer");
            assert!(n > 0, "closed before answering");
            answer.extend_from_slice(&buf[..n]);
        }
        (
            String::from_utf8_lossy(&answer).into_owned(),
            closed_by_server(&mut stream),
        )
    })
    .await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(closed, "the idle connection is closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_without_harming_open_ones() {
    let server = start(ConnectionLimits {
        max_connections: 2,
        ..ConnectionLimits::default()
    })
    .await;
    let address = server.address;
    let (waited, open_answered, later_answered) = blocking(move || {
        let ask = |stream: &mut TcpStream| {
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
                .expect("send");
            let mut answer = Vec::new();
            let mut buf = [0u8; 1024];
            while !answer.ends_with(HEALTHY) {
                match stream.read(&mut buf) {
                    Ok(n) if n > 0 => answer.extend_from_slice(&buf[..n]),
                    _ => return false,
                }
            }
            true
        };
        let (mut first, mut second) = (connect(address), connect(address));
        assert!(ask(&mut first) && ask(&mut second), "two connections are served");
        let mut third = connect(address);
        third
            .set_read_timeout(Some(Duration::from_millis(500)))
            .expect("timeout");
        third
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            .expect("send");
        let mut buf = [0u8; 64];
        let waited = matches!(third.read(&mut buf), Err(err) if matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut));
        let open_answered = ask(&mut first);
        drop(first);
        third.set_read_timeout(Some(PATIENCE)).expect("timeout");
        let mut answer = Vec::new();
        while !answer.ends_with(HEALTHY) {
            match third.read(&mut buf) {
                Ok(n) if n > 0 => answer.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        (waited, open_answered, answer.ends_with(HEALTHY))
    })
    .await;
    assert!(waited, "the third connection waits while two are open");
    assert!(open_answered, "an open connection is still served");
    assert!(later_answered, "the third is served once one closes");
}

/// Asserts `reply` is the site's own error page with `status`.
fn assert_our_page(reply: &str, status: &str) {
    assert!(reply.starts_with(&format!("HTTP/1.1 {status}")), "{reply}");
    let lower = reply.to_lowercase();
    assert!(
        lower.contains("content-security-policy: default-src 'none'"),
        "{reply}"
    );
    assert!(lower.contains("cache-control: no-store"), "{reply}");
    assert!(
        reply.contains("Syndic Test Hub"),
        "the site's template: {reply}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_host_or_with_oversized_parts_get_our_error_pages() {
    let server = start(ConnectionLimits::default()).await;
    let address = server.address;
    let replies = blocking(move || {
        let long_target = format!("/{}", "a".repeat(MAX_TARGET_BYTES + 10));
        let big_header = "c".repeat(MAX_HEADER_BYTES + 10);
        [
            exchange(address, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"),
            exchange(
                address,
                format!("GET {long_target} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes(),
            ),
            exchange(
                address,
                format!("GET / HTTP/1.1\r\nHost: test\r\nCookie: {big_header}\r\n\r\n").as_bytes(),
            ),
            exchange(
                address,
                b"POST /websub/1 HTTP/1.1\r\nHost: test\r\nContent-Length: 5000000\r\n\r\n",
            ),
            exchange(address, b"GET /healthz HTTP/1.0\r\n\r\n"),
            exchange(
                address,
                format!(
                    "GET / HTTP/1.1\r\nHost: test\r\n{}\r\n",
                    "X-Many: 1\r\n".repeat(150)
                )
                .as_bytes(),
            ),
        ]
    })
    .await;
    assert_our_page(&replies[0], "400 Bad Request");
    assert!(replies[0].contains("Host header"), "{}", replies[0]);
    assert_our_page(&replies[1], "414 URI Too Long");
    assert_our_page(&replies[2], "431 Request Header Fields Too Large");
    assert_our_page(&replies[3], "413 Payload Too Large");
    assert!(
        replies[4].starts_with("HTTP/1.0 200 OK"),
        "HTTP/1.0 needs no Host: {}",
        replies[4]
    );
    assert_our_page(&replies[5], "431 Request Header Fields Too Large");
}
