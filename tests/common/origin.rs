//! A blog's host on loopback for the end-to-end tests: one thread answers one connection
//! at a time, in order, from a handler the test writes, and notes every request's path.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One request as the origin read it.
pub struct Request {
    /// The request line and headers, as sent.
    pub head: String,
    /// The path of the request line (`/` when it has none).
    pub path: String,
}

/// The origin's answer to one request.
pub struct Reply {
    status: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// `200 OK` with `body`, sent without a `Content-Type`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status("200 OK", body)
    }

    /// Answers with the status line's `status` (`"302 Found"`) and `body`.
    pub fn status(status: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: status.to_owned(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// `404 Not Found`.
    pub fn not_found() -> Reply {
        Reply::status("404 Not Found", "no")
    }

    /// The same reply with the header `name: value` added.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same reply with `Content-Type: kind`.
    pub fn typed(self, kind: &str) -> Reply {
        self.header("Content-Type", kind)
    }

    fn into_bytes(self) -> Vec<u8> {
        let mut response = format!("HTTP/1.1 {}\r\n", self.status);
        for (name, value) in &self.headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        let mut bytes = response.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The paths requested so far, each with when it arrived.
pub type Requests = Arc<Mutex<Vec<(String, Instant)>>>;

/// A running origin; it answers until the test process ends.
pub struct Origin {
    /// `127.0.0.1:<port>`.
    pub host: String,
    requests: Requests,
}

impl Origin {
    /// Binds a loopback port and answers each request with the handler `make` returns when
    /// given the origin's `host` (so feeds can name their own address).
    pub fn start<F, H>(make: F) -> Origin
    where
        F: FnOnce(&str) -> H,
        H: FnMut(&Request) -> Reply + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let host = listener.local_addr().expect("address").to_string();
        let requests = Requests::default();
        let (mut handler, noted) = (make(&host), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(head) = read_head(&mut stream) else {
                    continue;
                };
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = path_of(&head);
                if let Ok(mut noted) = noted.lock() {
                    noted.push((path.clone(), Instant::now()));
                }
                let reply = handler(&Request { head, path });
                let _ = stream.write_all(&reply.into_bytes());
            }
        });
        Origin { host, requests }
    }

    /// `http://<host><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.host)
    }

    /// The paths requested so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.timed().into_iter().map(|(path, _)| path).collect()
    }

    /// The paths requested so far, each with when it arrived.
    pub fn timed(&self) -> Vec<(String, Instant)> {
        self.requests
            .lock()
            .map(|seen| seen.clone())
            .unwrap_or_default()
    }

    /// Asks for `/settled` and waits for the answer: the origin serves one connection at a
    /// time in order, so every request sent before this one is noted by then.
    pub fn settle(&self) {
        let mut stream = TcpStream::connect(&self.host).expect("connect to the origin");
        write!(
            stream,
            "GET /settled HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.host
        )
        .expect("send");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read the answer");
    }
}

/// Reads a request's head up to its blank line, byte by byte; `None` when the connection
/// ends first.
pub fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(head)
}

/// The path of a request head's first line (`/` when it has none).
pub fn path_of(head: &str) -> String {
    head.split_whitespace().nth(1).unwrap_or("/").to_owned()
}

/// A PNG by its signature, with an ASCII `tail` to tell the files apart (what the media
/// cache sniffs; no decoder reads further).
pub fn png(tail: &str) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(tail.as_bytes());
    bytes
}

/// `html` escaped to stand as an RSS `<description>`'s text.
pub fn escaped(html: &str) -> String {
    html.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
