//! Just enough of the Chrome DevTools protocol to drive headless Chromium through the
//! admin: start it with a remote-debugging port, attach to its page over a WebSocket
//! (tungstenite), navigate, evaluate expressions, wait for loads, and collect everything
//! the console would show (errors, warnings, CSP violations, uncaught exceptions).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use super::http;

/// A started Chromium, killed when dropped: also when a test fails before it is attached.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium attached to one page; killed when dropped.
pub struct Browser {
    _process: Process,
    socket: WebSocket<TcpStream>,
    next_id: u64,
    loads: u64,
    /// What the console showed so far.
    pub console: Vec<String>,
}

impl Browser {
    /// Starts `binary` headless with a fresh profile in `profile`, attached to its blank
    /// page with the runtime, log and page domains on.
    pub fn start(binary: &str, profile: &Path) -> Browser {
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let mut process = Process(child);
        let stderr = process.0.stderr.take().expect("piped stderr");
        let mut lines = BufReader::new(stderr).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("chromium printed its DevTools address")
                .expect("read chromium's stderr");
            if let Some(rest) = line.split("ws://127.0.0.1:").nth(1) {
                break rest.split('/').next().unwrap_or_default().to_owned();
            }
        };
        // Keep reading, so Chromium never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let address = format!("127.0.0.1:{port}");
        let targets = http::request(&address, "GET", "/json/list", &[], "");
        let targets: Value = serde_json::from_str(&targets.body).expect("target list");
        let url = targets
            .as_array()
            .and_then(|all| all.iter().find(|t| t["type"] == "page"))
            .and_then(|page| page["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_owned();
        let stream = TcpStream::connect(&address).expect("connect to DevTools");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let (socket, _) = tungstenite::client(url.as_str(), stream).expect("WebSocket handshake");
        let mut browser = Browser {
            _process: process,
            socket,
            next_id: 0,
            loads: 0,
            console: Vec::new(),
        };
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
            browser.call(domain, json!({}));
        }
        browser
    }

    /// Sends `method` with `params`; returns its result, noting events meanwhile.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to DevTools");
        loop {
            let message = self.receive();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    /// Loads `url` and waits for its load event.
    pub fn navigate(&mut self, url: &str) {
        let before = self.loads;
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for_load(before);
    }

    /// The value of JavaScript `expression` in the page (DevTools evaluation: the page's
    /// own policy allows no script, and none of the admin needs any).
    pub fn evaluate(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Clicks the element `selector` names (a form's button) and waits for the page the
    /// form leads to.
    pub fn click_and_wait(&mut self, selector: &str) {
        let before = self.loads;
        let found = self.evaluate(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; e.click(); return true; }})()",
            json!(selector)
        ));
        assert_eq!(found, json!(true), "no element {selector}");
        self.wait_for_load(before);
    }

    /// Sets the value of the input `selector` names.
    pub fn fill(&mut self, selector: &str, value: &str) {
        let found = self.evaluate(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; e.value = {}; return true; }})()",
            json!(selector),
            json!(value)
        ));
        assert_eq!(found, json!(true), "no input {selector}");
    }

    fn wait_for_load(&mut self, before: u64) {
        while self.loads <= before {
            self.receive();
        }
    }

    /// The next message; events are noted (loads counted, console output kept).
    fn receive(&mut self) -> Value {
        loop {
            let message = self.socket.read().expect("read from DevTools");
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).expect("JSON from DevTools");
            self.note(&value);
            return value;
        }
    }

    fn note(&mut self, message: &Value) {
        let params = &message["params"];
        match message["method"].as_str() {
            Some("Page.loadEventFired") => self.loads += 1,
            Some("Runtime.exceptionThrown") => self
                .console
                .push(format!("exception: {}", params["exceptionDetails"])),
            Some("Runtime.consoleAPICalled") => self
                .console
                .push(format!("console.{}: {}", params["type"], params["args"])),
            Some("Log.entryAdded") => {
                let entry = &params["entry"];
                if matches!(entry["level"].as_str(), Some("error" | "warning")) {
                    self.console.push(format!(
                        "{} {}: {} ({})",
                        entry["source"], entry["level"], entry["text"], entry["url"]
                    ));
                }
            }
            _ => {}
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.socket.close(None);
    }
}
