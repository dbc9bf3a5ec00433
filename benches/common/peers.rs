//! What the site benchmark measures the server with and against: `wrk` (in the foreground
//! or as background load), nginx serving the same bytes from a file, plain HTTP requests,
//! and the server's resident memory.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What wrk printed, as it printed it.
#[derive(Debug, Default)]
pub struct WrkFigures {
    pub requests_per_sec: String,
    pub p50: String,
    pub p99: String,
    /// Responses that were not 2xx or 3xx.
    pub non_2xx: u64,
    pub requests: u64,
}

impl WrkFigures {
    fn parse(text: &str) -> Option<WrkFigures> {
        let line_with = |prefix: &str| {
            text.lines()
                .map(str::trim)
                .find(|line| line.starts_with(prefix))
        };
        let last_word =
            |prefix: &str| line_with(prefix).and_then(|line| line.split_whitespace().last());
        let non_2xx = last_word("Non-2xx or 3xx responses:")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let requests = text
            .lines()
            .find(|line| line.contains("requests in"))
            .and_then(|line| line.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Some(WrkFigures {
            requests_per_sec: last_word("Requests/sec:")?.to_owned(),
            p50: last_word("50%").unwrap_or("-").to_owned(),
            p99: last_word("99%").unwrap_or("-").to_owned(),
            non_2xx,
            requests,
        })
    }
}

fn wrk_command(url: &str, seconds: u64, connections: u64) -> Command {
    let mut command = Command::new("wrk");
    command.args([
        "-t1",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
        // A slow page is measured, not dropped as a timeout (wrk's default is 2 s).
        "--timeout",
        "60s",
        url,
    ]);
    command
}

/// Runs wrk against `url` for `seconds` with `connections`.
pub fn wrk(url: &str, seconds: u64, connections: u64) -> Option<WrkFigures> {
    let output = wrk_command(url, seconds, connections).output().ok()?;
    WrkFigures::parse(&String::from_utf8_lossy(&output.stdout))
}

/// wrk running in the background, as load beside a measurement.
pub struct Load(Child);

impl Load {
    pub fn start(url: &str, seconds: u64, connections: u64) -> Option<Load> {
        let child = wrk_command(url, seconds, connections)
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        Some(Load(child))
    }

    /// Like [`Load::start`], but every request's URL is `url` with `&n=<a new number>`
    /// appended, so that no answer can come from a cache. The Lua script wrk needs for it
    /// is written into `scratch`.
    pub fn start_unique(url: &str, scratch: &Path, seconds: u64, connections: u64) -> Option<Load> {
        let (base, path) = url.split_once("://").and_then(|(_, rest)| {
            let slash = rest.find('/')?;
            Some((&url[..url.len() - rest.len() + slash], &rest[slash..]))
        })?;
        let script = scratch.join("unique.lua");
        let lua = format!(
            "local n = 0\nrequest = function()\n  n = n + 1\n  \
             return wrk.format(\"GET\", \"{path}&n=\" .. n)\nend\n"
        );
        std::fs::write(&script, lua).ok()?;
        let child = wrk_command(base, seconds, connections)
            .arg("-s")
            .arg(&script)
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        Some(Load(child))
    }

    /// Waits for the load to end and reads its figures.
    pub fn finish(self) -> Option<WrkFigures> {
        let output = self.0.wait_with_output().ok()?;
        WrkFigures::parse(&String::from_utf8_lossy(&output.stdout))
    }
}

/// GET `path` from `address` (HTTP/1.1, `Connection: close`); the status, the headers as
/// one text and the body.
pub fn get(address: &str, path: &str) -> Option<(u16, String, Vec<u8>)> {
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, head, response[split + 4..].to_vec()))
}

/// nginx serving a folder on a free loopback port, stopped when dropped.
pub struct Nginx {
    child: Child,
    pub address: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// Starts nginx (Debian's package) over `root`; `Err` says why it could not.
    pub fn start(root: &Path) -> Result<Nginx, String> {
        if Command::new("nginx").arg("-v").output().is_err() {
            return Err("nginx is not installed (apt-get install nginx)".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let prefix = dir.path().display().to_string();
        let config = format!(
            "worker_processes auto;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  \
             keepalive_requests 1000000;\n  types {{ text/html html; }}\n  \
             server {{ listen 127.0.0.1:{port}; root {}; index index.html; }}\n}}\n",
            root.display()
        );
        std::fs::write(dir.path().join("nginx.conf"), config).map_err(|e| e.to_string())?;
        let child = Command::new("nginx")
            .args(["-p", &prefix, "-c", "nginx.conf", "-g", "daemon off;"])
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start nginx: {e}"))?;
        let nginx = Nginx {
            child,
            address: format!("127.0.0.1:{port}"),
            _dir: dir,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(&nginx.address).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err("nginx did not start listening within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its workers; kill() alone would leave them.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The resident memory of process `pid` now and at its peak, in KiB (Linux).
pub fn resident_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The value of the Prometheus sample `name` in `text`.
pub fn sample(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find(|line| line.split_whitespace().next() == Some(name))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

/// The real `syndic serve` on a free loopback port, killed when dropped.
pub struct Serve {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

impl Serve {
    /// Starts `syndic serve --quiet --listen 127.0.0.1:0 --config CONFIG` with `extra`
    /// arguments (`--no-fetch`) and waits for the address it prints.
    pub fn start(config: &Path, extra: &[&str]) -> Result<Serve, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_syndic"))
            .arg("serve")
            .args(extra)
            .args(["--quiet", "--listen", "127.0.0.1:0", "--config"])
            .arg(config)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start syndic serve: {e}"))?;
        let address = child.stdout.take().and_then(|stdout| {
            std::io::BufRead::lines(std::io::BufReader::new(stdout))
                .map_while(Result::ok)
                .find_map(|line| {
                    let rest = line.split("http://").nth(1)?;
                    Some(rest.split('/').next()?.to_owned())
                })
        });
        let mut serve = Serve {
            child,
            address: String::new(),
        };
        serve.address = address.ok_or("syndic serve did not start")?;
        Ok(serve)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
