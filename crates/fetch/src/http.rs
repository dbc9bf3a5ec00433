//! The one configured way syndic reads bytes from a source: one HTTP client, polite (our
//! User-Agent, conditional GET) and hardened (deadlines, a decompressed-body cap, redirects
//! followed by hand through the SSRF guard, no proxy from the environment).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ipnet::IpNet;
use reqwest::header::{self, HeaderMap};
use reqwest::{Response, StatusCode};
use url::{Host, Url};

use crate::conditional::{self, Validators};
use crate::guard::{self, AddressPolicy, GuardedResolver, Refusal};
use crate::redirect::Chain;
use crate::request::SourceRequest;
use crate::{FetchError, Location, TimeoutPhase};

/// How sources are read. The defaults are the limits of the hostile-inputs checklist.
#[derive(Clone)]
pub struct FetcherOptions {
    /// Sent with every request; the binary says `syndic/<version> (+<site base URL>)`.
    pub user_agent: String,
    /// Deadline for opening a connection (DNS included).
    pub connect_timeout: Duration,
    /// Longest silence from the server, waiting for headers or between body reads.
    pub idle_timeout: Duration,
    /// Deadline for the whole fetch: every redirect hop and the body.
    pub timeout: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body: u64,
    pub max_redirects: usize,
    /// Networks the SSRF guard lets through although they are not public (say
    /// `127.0.0.1/32` for a feed served on this machine). `0.0.0.0/0` and `::/0` turn the
    /// guard off.
    pub allow_networks: Vec<IpNet>,
    /// The proxy every request goes through; none when unset, whatever the environment says.
    pub proxy: Option<Url>,
}

impl Default for FetcherOptions {
    fn default() -> Self {
        FetcherOptions {
            user_agent: format!("syndic/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
            max_redirects: 5,
            allow_networks: Vec::new(),
            proxy: None,
        }
    }
}

impl fmt::Debug for FetcherOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetcherOptions")
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .field("max_redirects", &self.max_redirects)
            .field("allow_networks", &self.allow_networks)
            .field("proxy", &self.proxy.as_ref().map(shown))
            .finish()
    }
}

/// What the source answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// New bytes (decompressed) and their `Content-Type`.
    Changed {
        bytes: Vec<u8>,
        content_type: Option<String>,
    },
    /// HTTP 304: the validators we sent still hold; nothing to parse.
    NotModified,
}

/// One successful read of a source.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub body: Body,
    /// To send next time: this response's; on a 304 the new ones if sent, else ours.
    /// Empty for files.
    pub validators: Validators,
    /// Where the bytes came from after redirects, for resolving relative links.
    pub base_url: Option<Url>,
    /// The source's new permanent URL, when every redirect on the way was a 301 or 308.
    pub moved_to: Option<Url>,
    /// How long the server says the answer stays fresh (`Cache-Control: max-age`, else
    /// `Expires` minus `Date`), unclamped.
    pub max_age: Option<Duration>,
}

/// Reads sources. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    options: Arc<FetcherOptions>,
}

impl Fetcher {
    pub fn new(options: FetcherOptions) -> Result<Fetcher, FetchError> {
        let setup_failed = |reason: String| FetchError::Http {
            url: "(client setup)".into(),
            reason,
        };
        let policy = Arc::new(AddressPolicy::new(options.allow_networks.clone()));
        let proxy_host = options
            .proxy
            .as_ref()
            .and_then(|proxy| proxy.host_str().map(str::to_owned));
        let builder = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.idle_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver::new(
                Arc::clone(&policy),
                proxy_host,
            )));
        let builder = match &options.proxy {
            Some(proxy) => builder.proxy(
                reqwest::Proxy::all(proxy.clone())
                    .map_err(|e| setup_failed(format!("proxy {}: {e}", shown(proxy))))?,
            ),
            None => builder.no_proxy(),
        };
        let client = builder.build().map_err(|e| setup_failed(describe(&e)))?;
        Ok(Fetcher {
            client,
            policy,
            options: Arc::new(options),
        })
    }

    /// This fetcher with a different body cap (sharing its connections and SSRF guard):
    /// what the media cache reads images with.
    pub fn with_max_body(&self, max_body: u64) -> Fetcher {
        Fetcher {
            client: self.client.clone(),
            policy: Arc::clone(&self.policy),
            options: Arc::new(FetcherOptions {
                max_body,
                ..(*self.options).clone()
            }),
        }
    }

    /// Reads the feed at `location`, asking an http(s) server only for a newer version than
    /// the one `validators` describe. A file is read unless `validators` carry its current
    /// stamp (length, times, inode: `file.rs`), which it hands out as its `ETag`.
    pub async fn fetch(
        &self,
        location: &Location,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        self.fetch_as(location, validators, &SourceRequest::default())
            .await
    }

    /// [`Fetcher::fetch`] with one source's additions: its User-Agent, its headers and
    /// credentials (to its configured origin only) and its total deadline. Everything
    /// else (the guard, redirects, the other deadlines, the body cap) is the same.
    pub async fn fetch_as(
        &self,
        location: &Location,
        validators: &Validators,
        source: &SourceRequest,
    ) -> Result<Fetched, FetchError> {
        match location {
            Location::File(path) => {
                let read =
                    crate::file::read_if_changed(path, validators, self.options.max_body).await?;
                Ok(Fetched {
                    body: read.body,
                    validators: read.validators,
                    base_url: location.base_url(),
                    moved_to: None,
                    max_age: None,
                })
            }
            Location::Http(url) => {
                let deadline = source.timeout.unwrap_or(self.options.timeout);
                tokio::time::timeout(deadline, self.get(url, validators, source))
                    .await
                    .unwrap_or_else(|_| {
                        Err(FetchError::Timeout {
                            url: shown(url),
                            phase: TimeoutPhase::Total,
                        })
                    })
            }
        }
    }

    /// [`Fetcher::fetch_as`] for a body that is parsed next: a changed file is read only
    /// once `gate` lets one more body into work (`file::read_gated`), and the permit comes
    /// back with it. An http(s) body is read as by `fetch_as` (no permit).
    pub(crate) async fn fetch_gated(
        &self,
        location: &Location,
        validators: &Validators,
        source: &SourceRequest,
        gate: &crate::BodyGate,
    ) -> Result<(Fetched, Option<tokio::sync::OwnedSemaphorePermit>), FetchError> {
        let Location::File(path) = location else {
            return Ok((self.fetch_as(location, validators, source).await?, None));
        };
        let (read, in_work) =
            crate::file::read_gated(path, validators, self.options.max_body, gate).await?;
        let fetched = Fetched {
            body: read.body,
            validators: read.validators,
            base_url: location.base_url(),
            moved_to: None,
            max_age: None,
        };
        Ok((fetched, in_work))
    }

    /// POSTs `fields` as `application/x-www-form-urlencoded` to `url` (a WebSub hub)
    /// through the same client, SSRF guard and total deadline as every fetch. Redirects
    /// are not followed. The status when it is a success (hubs answer `202 Accepted`),
    /// else the error it means.
    pub async fn post_form(&self, url: &Url, fields: &[(&str, &str)]) -> Result<u16, FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Http {
                url: shown(url),
                reason: "only http(s) hubs can be posted to".into(),
            });
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let post = async {
            self.admit(url).await?;
            let response = self
                .client
                .post(url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .map_err(|e| failure(url, &e))?;
            let status = response.status();
            if status.is_success() {
                Ok(status.as_u16())
            } else {
                Err(status_error(url, status, response.headers()))
            }
        };
        tokio::time::timeout(self.options.timeout, post)
            .await
            .unwrap_or_else(|_| {
                Err(FetchError::Timeout {
                    url: shown(url),
                    phase: TimeoutPhase::Total,
                })
            })
    }

    /// Requests `start`, then every redirect target in turn, each passed by the guard first.
    async fn get(
        &self,
        start: &Url,
        validators: &Validators,
        source: &SourceRequest,
    ) -> Result<Fetched, FetchError> {
        let mut chain = Chain::new(start, self.options.max_redirects);
        loop {
            let url = chain.current().clone();
            self.admit(&url).await?;
            let request = self
                .client
                .get(url.clone())
                .header(header::ACCEPT, ACCEPT)
                .headers(validators.request_headers());
            let response = source
                .apply(request, &url)
                .send()
                .await
                .map_err(|e| failure(&url, &e))?;
            let status = response.status();
            if Chain::is_redirect(status) {
                chain.follow(status, response.headers().get(header::LOCATION))?;
                continue;
            }
            return self.answer(response, &chain, validators).await;
        }
    }

    /// The guard's check before a request: IP literals here (the resolver never sees them),
    /// and with a proxy, which resolves names itself, every address of the name.
    async fn admit(&self, url: &Url) -> Result<(), FetchError> {
        let refused = |refusal: Refusal| FetchError::Refused {
            url: shown(url),
            reason: refusal.to_string(),
        };
        self.policy.check_url(url).map_err(refused)?;
        if let (Some(_), Some(Host::Domain(name))) = (&self.options.proxy, url.host()) {
            let found = guard::lookup(name).await.map_err(|e| FetchError::Http {
                url: shown(url),
                reason: format!("cannot resolve {name}: {e}"),
            })?;
            if let Some(refusal) = self.policy.first_refused(name, &found) {
                return Err(refused(refusal));
            }
        }
        Ok(())
    }

    /// Turns the final response into data: a body, a 304, or the error its status means.
    async fn answer(
        &self,
        response: Response,
        chain: &Chain,
        sent: &Validators,
    ) -> Result<Fetched, FetchError> {
        let url = chain.current();
        let status = response.status();
        let headers = response.headers();
        let (validators, max_age) = (
            Validators::from_headers(headers),
            conditional::max_age(headers, Utc::now()),
        );
        let body = match status {
            StatusCode::NOT_MODIFIED => Body::NotModified,
            status if status.is_success() => Body::Changed {
                content_type: text(headers, header::CONTENT_TYPE),
                bytes: self.read_body(url, response).await?,
            },
            status => return Err(status_error(url, status, headers)),
        };
        let validators = match body {
            Body::NotModified => validators.or(sent),
            Body::Changed { .. } => validators,
        };
        Ok(Fetched {
            body,
            validators,
            base_url: Some(url.clone()),
            moved_to: chain.moved_to(),
            max_age,
        })
    }

    /// The body, decompressed chunk by chunk and refused as soon as it passes the cap.
    async fn read_body(&self, url: &Url, mut response: Response) -> Result<Vec<u8>, FetchError> {
        let limit = self.options.max_body;
        let too_large = || FetchError::BodyTooLarge {
            url: shown(url),
            limit,
        };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let declared = response.content_length().unwrap_or(0);
        let mut bytes = Vec::with_capacity(capacity(declared, limit));
        while let Some(chunk) = response.chunk().await.map_err(|e| failure(url, &e))? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// Room for a body said to be `len` bytes (and the read that finds its end), never more
/// than the cap allows.
fn capacity(len: u64, max_body: u64) -> usize {
    usize::try_from(len.saturating_add(64).min(max_body.saturating_add(1))).unwrap_or(0)
}

const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, \
                      application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

/// The error an unsuccessful, non-redirect status means.
fn status_error(url: &Url, status: StatusCode, headers: &HeaderMap) -> FetchError {
    let url = shown(url);
    match status.as_u16() {
        410 => FetchError::Gone { url },
        status @ (429 | 503) => FetchError::RetryLater {
            url,
            status,
            retry_after: headers
                .get(header::RETRY_AFTER)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned()),
        },
        status => FetchError::Status { url, status },
    }
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let value = headers.get(name)?;
    Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// A URL fit for messages and logs: without user name or password.
pub(crate) fn shown(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut url = url.clone();
    // Both only fail for URLs without a host, which have no credentials either.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// What a failed request means: a guard refusal, a missed deadline, or anything else.
fn failure(url: &Url, error: &reqwest::Error) -> FetchError {
    let url = shown(url);
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        if let Some(refusal) = inner.downcast_ref::<Refusal>() {
            return FetchError::Refused {
                url,
                reason: refusal.to_string(),
            };
        }
        cause = inner.source();
    }
    if error.is_timeout() {
        let phase = if error.is_connect() {
            TimeoutPhase::Connect
        } else {
            TimeoutPhase::Idle
        };
        return FetchError::Timeout { url, phase };
    }
    FetchError::Http {
        url,
        reason: describe(error),
    }
}

/// A reqwest error in words, with its cause chain (reqwest's own message alone is terse).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
