//! A minimal HTTP/1.1 client for the admin's end-to-end tests: one request per connection,
//! headers and body as sent, the answer's status, head and body.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One answer.
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Answer {
    /// The value of the first header field called `name` (any case), or "".
    pub fn header(&self, name: &str) -> &str {
        self.head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .find(|(field, _)| field.trim().eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.trim())
    }
}

/// Sends `method path` to `address` with `headers` and `body`.
pub fn request(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    stream.write_all(text.as_bytes()).expect("send");
    let (head, body) = read_answer(&mut stream);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    Answer { status, head, body }
}

/// The head and body of the answer on `stream`: the body up to its `Content-Length` when
/// it has one (a server may keep the connection open), else to the end of the stream.
fn read_answer(stream: &mut TcpStream) -> (String, String) {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let mut end_of_head = None;
    loop {
        if end_of_head.is_none() {
            end_of_head = bytes.windows(4).position(|w| w == b"\r\n\r\n");
        }
        if let Some(at) = end_of_head {
            let head = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let length = head.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|length| bytes.len() >= at + 4 + length) {
                let body = &bytes[at + 4..at + 4 + length.unwrap_or_default()];
                return (head, String::from_utf8_lossy(body).into_owned());
            }
        }
        let read = stream.read(&mut buffer).expect("read");
        if read == 0 {
            let at = end_of_head.unwrap_or(bytes.len());
            let head = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let body = bytes.get(at + 4..).unwrap_or_default();
            return (head, String::from_utf8_lossy(body).into_owned());
        }
        bytes.extend_from_slice(&buffer[..read]);
    }
}

/// `POST path` with an urlencoded form `body`.
pub fn post_form(address: &str, path: &str, cookie: Option<&str>, body: &str) -> Answer {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    request(address, "POST", path, &headers, body)
}
