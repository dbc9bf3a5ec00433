//! The one configured way syndic reads bytes from a source.

use std::time::Duration;

use tokio::io::AsyncReadExt;
use url::Url;

use crate::{FetchError, Location};

/// Limits for reading sources.
#[derive(Debug, Clone)]
pub struct FetcherOptions {
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Largest body accepted, after decompression.
    pub max_body: u64,
    pub max_redirects: usize,
}

impl Default for FetcherOptions {
    fn default() -> Self {
        FetcherOptions {
            user_agent: format!("syndic/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// What a read produced.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// Where the bytes finally came from (after redirects), for resolving relative links.
    pub base_url: Option<Url>,
}

/// Reads sources. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetcherOptions,
}

impl Fetcher {
    pub fn new(options: FetcherOptions) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .no_proxy()
            .build()
            .map_err(|e| FetchError::Http {
                url: "(client setup)".into(),
                reason: e.to_string(),
            })?;
        Ok(Fetcher { client, options })
    }

    /// Reads the whole feed at `location`.
    pub async fn fetch(&self, location: &Location) -> Result<Fetched, FetchError> {
        match location {
            Location::File(path) => self.read_file(path).await.map(|bytes| Fetched {
                bytes,
                base_url: location.base_url(),
            }),
            Location::Http(url) => self.get(url).await,
        }
    }

    async fn read_file(&self, path: &std::path::Path) -> Result<Vec<u8>, FetchError> {
        let shown = path.display().to_string();
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|source| FetchError::File {
                path: shown.clone(),
                source,
            })?;
        let mut bytes = Vec::new();
        let read = file
            .take(self.options.max_body + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|source| FetchError::File {
                path: shown.clone(),
                source,
            })?;
        if read as u64 > self.options.max_body {
            return Err(FetchError::FileTooLarge {
                path: shown,
                limit: self.options.max_body,
            });
        }
        Ok(bytes)
    }

    async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        let failed = |e: reqwest::Error| FetchError::Http {
            url: url.to_string(),
            reason: describe(&e),
        };
        let mut response = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, ACCEPT)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let final_url = response.url().clone();
        let limit = self.options.max_body;
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(FetchError::BodyTooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(FetchError::BodyTooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            bytes,
            base_url: Some(final_url),
        })
    }
}

const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, \
                      application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

/// A reqwest error in words, with its cause chain (reqwest's own message alone is terse).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_redirect() {
        "too many redirects".to_owned()
    } else {
        error.to_string()
    };
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
