//! A PostgreSQL cluster of a test's own (`.ci/postgres.sh`), which the test may stop and
//! start again under a running syndic. Removed when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PrivateCluster {
    dir: tempfile::TempDir,
    pub url: String,
    port: String,
}

impl PrivateCluster {
    /// A running cluster, or `None` (after printing why `test` is skipped) when there is
    /// no PostgreSQL to test with (`SYNDIC_TEST_POSTGRES_URL` unset) or no cluster of our
    /// own can be started here (PostgreSQL's programs missing, not root).
    pub fn start(test: &str) -> Option<PrivateCluster> {
        if syndic_store::testing::postgres_url().is_none() {
            println!(
                "skipped {test}: {} is not set",
                syndic_store::testing::POSTGRES_URL_VAR
            );
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("syndic-test-pg")
            .tempdir()
            .expect("a folder for the cluster");
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(dir.path())
            .output()
            .expect("run .ci/postgres.sh");
        if !out.status.success() {
            println!(
                "skipped {test}: no private PostgreSQL cluster: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let port = url
            .rsplit(':')
            .next()
            .and_then(|rest| rest.split('/').next())
            .expect("a port in the cluster's URL")
            .to_owned();
        Some(PrivateCluster { dir, url, port })
    }

    /// Stops the server (fast shutdown: sessions are ended), keeping its data.
    pub fn stop(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "stop"]);
    }

    /// Starts the stopped server again on the same port.
    pub fn resume(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} \
             -c fsync=off -c synchronous_commit=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        self.pg_ctl(&[
            "-w",
            "-l",
            &log.display().to_string(),
            "-o",
            &options,
            "start",
        ]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let bin = std::fs::read_to_string(self.dir.path().join("bindir")).expect("bindir");
        let data = self.dir.path().join("data");
        let status = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(Path::new(bin.trim()).join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run pg_ctl");
        assert!(status.success(), "pg_ctl {args:?} failed");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/postgres.sh")
}
