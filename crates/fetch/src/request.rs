//! What one source adds to its requests: its own User-Agent, extra headers, HTTP basic
//! credentials and total deadline (`[[source]]` keys), applied by the one [`Fetcher`].
//!
//! Headers and credentials go only to the origin (scheme, host, port) of the address the
//! source was configured with: a redirect elsewhere, or a permanent move to another host,
//! never carries them. Names that would change how the request travels (`Host`, the
//! hop-by-hop headers, the body's framing, the conditional GET syndic does itself) are
//! refused when the header is made. Values are kept as sensitive and never shown by
//! `Debug`, in logs or in errors.
//!
//! [`Fetcher`]: crate::Fetcher

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use url::{Origin, Url};

/// Header names a source may not set, and why.
const REFUSED: &[(&str, &str)] = &[
    ("host", "the host comes from the feed's URL"),
    (
        "connection",
        "a hop-by-hop header belongs to the connection",
    ),
    (
        "keep-alive",
        "a hop-by-hop header belongs to the connection",
    ),
    (
        "proxy-connection",
        "a hop-by-hop header belongs to the connection",
    ),
    ("proxy-authorization", "set the proxy in [fetch] proxy"),
    ("proxy-authenticate", "a hop-by-hop header"),
    ("te", "a hop-by-hop header belongs to the connection"),
    ("trailer", "a hop-by-hop header belongs to the connection"),
    ("transfer-encoding", "the body's framing is the client's"),
    ("upgrade", "a hop-by-hop header belongs to the connection"),
    ("content-length", "the body's framing is the client's"),
    ("accept-encoding", "syndic negotiates compression itself"),
    (
        "if-none-match",
        "syndic sends the conditional headers itself",
    ),
    (
        "if-modified-since",
        "syndic sends the conditional headers itself",
    ),
    ("user-agent", "use the source's `user_agent` key"),
];

/// One extra request header of a source. Its value is sensitive.
#[derive(Clone)]
pub struct SourceHeader {
    name: HeaderName,
    value: HeaderValue,
}

/// Why a header cannot be sent. Never contains the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderRefusal {
    #[error("{name:?} is not a valid header name")]
    BadName { name: String },
    #[error("the value of {name:?} holds characters a header cannot carry (line breaks, controls)")]
    BadValue { name: String },
    #[error("{name:?} cannot be set per source: {reason}")]
    Reserved { name: String, reason: &'static str },
}

impl SourceHeader {
    /// Checks `name` (not reserved) and `value` (no line breaks or controls).
    pub fn new(name: &str, value: &str) -> Result<SourceHeader, HeaderRefusal> {
        let name = name.trim();
        let parsed =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| HeaderRefusal::BadName {
                name: name.to_owned(),
            })?;
        if let Some((_, reason)) = REFUSED.iter().find(|(n, _)| *n == parsed.as_str()) {
            return Err(HeaderRefusal::Reserved {
                name: name.to_owned(),
                reason,
            });
        }
        let mut value = HeaderValue::from_str(value).map_err(|_| HeaderRefusal::BadValue {
            name: name.to_owned(),
        })?;
        value.set_sensitive(true);
        Ok(SourceHeader {
            name: parsed,
            value,
        })
    }

    /// The header's name, as sent (lower case).
    pub fn name(&self) -> &str {
        self.name.as_str()
    }
}

impl fmt::Debug for SourceHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: (hidden)", self.name)
    }
}

/// HTTP basic credentials. The password never shows in `Debug`.
#[derive(Clone)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"(hidden)")
            .finish()
    }
}

/// How one source asks for its feed. The default adds nothing to the fetcher's requests.
#[derive(Debug, Clone, Default)]
pub struct SourceRequest {
    /// Sent instead of the fetcher's User-Agent (to every hop).
    pub user_agent: Option<String>,
    /// Sent to the configured origin only.
    pub headers: Vec<SourceHeader>,
    /// Sent to the configured origin only.
    pub basic_auth: Option<BasicAuth>,
    /// The whole fetch's deadline instead of `[fetch] timeout`.
    pub timeout: Option<Duration>,
    /// Where headers and credentials may go: the origin of the configured URL
    /// ([`SourceRequest::scoped_to`]); none at all while `None`.
    pub origin: Option<Origin>,
}

impl SourceRequest {
    /// Headers and credentials of this request go to `configured`'s origin only.
    pub fn scoped_to(mut self, configured: &Url) -> SourceRequest {
        self.origin = Some(configured.origin());
        self
    }

    /// Whether a request to `url` may carry the source's headers and credentials.
    pub(crate) fn trusts(&self, url: &Url) -> bool {
        self.origin
            .as_ref()
            .is_some_and(|origin| origin.is_tuple() && *origin == url.origin())
    }

    /// Whether this request sends anything a server could mistake for someone else's:
    /// headers or credentials.
    pub fn has_secrets(&self) -> bool {
        !self.headers.is_empty() || self.basic_auth.is_some()
    }

    /// `request` to `url` with this source's additions.
    pub(crate) fn apply(
        &self,
        mut request: reqwest::RequestBuilder,
        url: &Url,
    ) -> reqwest::RequestBuilder {
        if let Some(agent) = &self.user_agent {
            request = request.header(reqwest::header::USER_AGENT, agent);
        }
        if !self.trusts(url) {
            return request;
        }
        for header in &self.headers {
            request = request.header(header.name.clone(), header.value.clone());
        }
        if let Some(auth) = &self.basic_auth {
            request = request.basic_auth(&auth.username, Some(&auth.password));
        }
        request
    }
}

/// Whether `url` names this machine (basic credentials may travel there unencrypted).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_malformed_headers_are_refused() {
        for name in [
            "Host",
            "connection",
            "Transfer-Encoding",
            "TE",
            "If-None-Match",
        ] {
            assert!(
                matches!(
                    SourceHeader::new(name, "x"),
                    Err(HeaderRefusal::Reserved { .. })
                ),
                "{name}"
            );
        }
        assert!(matches!(
            SourceHeader::new("X Token", "x"),
            Err(HeaderRefusal::BadName { .. })
        ));
        let refusal = SourceHeader::new("X-Token", "secret\r\nHost: evil").err();
        assert!(matches!(refusal, Some(HeaderRefusal::BadValue { .. })));
        assert!(!format!("{refusal:?}").contains("secret"));
        assert!(SourceHeader::new("X-Token", "abc").is_ok());
        assert!(SourceHeader::new("Authorization", "Bearer abc").is_ok());
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let request = SourceRequest {
            headers: vec![SourceHeader::new("X-Token", "hunter2").expect("valid in the test")],
            basic_auth: Some(BasicAuth {
                username: "ada".into(),
                password: "swordfish".into(),
            }),
            ..SourceRequest::default()
        };
        let shown = format!("{request:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("swordfish"),
            "{shown}"
        );
        assert!(
            shown.contains("x-token") && shown.contains("ada"),
            "{shown}"
        );
    }

    #[test]
    fn secrets_go_to_the_configured_origin_only() {
        let configured = Url::parse("https://feeds.example/blog.xml").expect("valid in the test");
        let request = SourceRequest::default().scoped_to(&configured);
        assert!(
            request
                .trusts(&Url::parse("https://feeds.example/other.xml").expect("valid in the test"))
        );
        assert!(
            !request
                .trusts(&Url::parse("https://cdn.example/blog.xml").expect("valid in the test"))
        );
        assert!(
            !request
                .trusts(&Url::parse("http://feeds.example/blog.xml").expect("valid in the test"))
        );
        assert!(
            !request
                .trusts(&Url::parse("https://feeds.example:8443/b").expect("valid in the test"))
        );
        assert!(!SourceRequest::default().trusts(&configured));
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for url in [
            "http://localhost:8080/",
            "http://127.0.0.1/",
            "http://[::1]/",
        ] {
            assert!(
                is_loopback(&Url::parse(url).expect("valid in the test")),
                "{url}"
            );
        }
        assert!(!is_loopback(
            &Url::parse("http://example.org/").expect("valid in the test")
        ));
    }
}
