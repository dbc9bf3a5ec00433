//! WebSub subscriber: asks the hub a feed advertises to push it to us, and renews the
//! subscription before its lease ends.
//!
//! Only when the site is reachable from the internet ([`Subscriber::new`] refuses a
//! `site.base_url` on a loopback, private or `localhost` host: no hub could call back).
//! Requests go through the one guarded [`Fetcher`] ([`Fetcher::post_form`]). Polling
//! carries on whatever happens here: pushes only bring posts sooner.
//!
//! Secrets are 32 random bytes from the operating system (`getrandom`, already in the
//! tree through `ring`), hex-encoded; they are stored with the subscription and never
//! logged.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use syndic_core::SourceId;
use syndic_feed::WebSubLinks;
use syndic_store::{Store, SubscriptionState};
use url::{Host, Url};

use crate::{FetchError, Fetcher, classify};

/// The lease asked for: ten days.
pub const LEASE_SECONDS: u32 = 864_000;
/// A verified subscription is renewed once its lease ends within this.
pub const RENEW_BEFORE: Duration = Duration::days(1);
/// A request the hub has not confirmed after this is asked again.
pub const RETRY_REQUESTED_AFTER: Duration = Duration::days(1);
/// A denied subscription is asked again after this.
pub const RETRY_DENIED_AFTER: Duration = Duration::days(7);

/// Why a subscription request failed.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error("cannot reach the hub")]
    Hub(#[from] FetchError),
    #[error("cannot store the subscription")]
    Store(#[from] syndic_store::StoreError),
    #[error("the operating system gave no random secret: {0}")]
    Random(String),
}

/// Subscribes sources to their hubs, with callbacks under the site's public address.
#[derive(Debug, Clone)]
pub struct Subscriber {
    fetcher: Fetcher,
    store: Store,
    base_url: Url,
}

impl Subscriber {
    /// A subscriber whose callbacks are `{base_url}websub/<source id>`; `None` when
    /// `base_url` is not public (see [`is_public`]), since no hub could reach it.
    pub fn new(fetcher: Fetcher, store: Store, base_url: &Url) -> Option<Subscriber> {
        if !is_public(base_url) {
            return None;
        }
        let mut base_url = base_url.clone();
        if !base_url.path().ends_with('/') {
            let folder = format!("{}/", base_url.path());
            base_url.set_path(&folder);
        }
        Some(Subscriber {
            fetcher,
            store,
            base_url,
        })
    }

    /// Where the hub calls us back for `source`.
    pub fn callback(&self, source: SourceId) -> String {
        format!("{}websub/{source}", self.base_url)
    }

    /// After a fetch that found `links`: subscribes unless the source already has a live
    /// (requested or verified) or denied subscription to one of those hubs for that topic.
    pub async fn after_fetch(
        &self,
        source: SourceId,
        links: &WebSubLinks,
        now: DateTime<Utc>,
    ) -> Result<(), SubscribeError> {
        let Some(hub) = links.hubs.first() else {
            return Ok(());
        };
        if let Some(current) = self.store.subscription(source).await?
            && current.topic == links.topic.as_str()
            && links.hubs.iter().any(|hub| hub.as_str() == current.hub)
        {
            return Ok(());
        }
        self.subscribe(source, hub, links.topic.as_str(), now).await
    }

    /// Renews every verified subscription whose lease ends within [`RENEW_BEFORE`] of
    /// `now`, and asks again for those stuck: requested for more than
    /// [`RETRY_REQUESTED_AFTER`] or denied for more than [`RETRY_DENIED_AFTER`]. Failures
    /// are logged; the source is polled anyway.
    pub async fn renew_due(&self, now: DateTime<Utc>) {
        let due = match self.store.subscriptions_to_renew(now + RENEW_BEFORE).await {
            Ok(due) => due,
            Err(error) => {
                tracing::error!("cannot list WebSub subscriptions to renew: {error}");
                return;
            }
        };
        let stuck = match self
            .store
            .stuck_subscriptions(now - RETRY_REQUESTED_AFTER, now - RETRY_DENIED_AFTER)
            .await
        {
            Ok(stuck) => stuck,
            Err(error) => {
                tracing::error!("cannot list stuck WebSub subscriptions: {error}");
                Vec::new()
            }
        };
        for subscription in due.into_iter().chain(stuck) {
            if subscription.state != SubscriptionState::Verified {
                tracing::info!(source.id = %subscription.source, websub.hub = %subscription.hub, "asking the hub again: the subscription was {:?} since {}", subscription.state, subscription.state_since);
            }
            let Ok(hub) = Url::parse(&subscription.hub) else {
                continue;
            };
            let source = subscription.source;
            if let Err(error) = self.subscribe(source, &hub, &subscription.topic, now).await {
                tracing::warn!(source.id = %source, websub.hub = %hub, "cannot renew the WebSub subscription: {}", error_chain(&error));
            }
        }
    }

    /// Asks `hub` to push `topic` to our callback for `source`, with a new secret, stored
    /// first so that the hub's verification finds it.
    pub async fn subscribe(
        &self,
        source: SourceId,
        hub: &Url,
        topic: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SubscribeError> {
        let secret = new_secret()?;
        self.store
            .request_subscription(source, hub.as_str(), topic, &secret, now)
            .await?;
        let callback = self.callback(source);
        let lease = LEASE_SECONDS.to_string();
        let fields = [
            ("hub.mode", "subscribe"),
            ("hub.topic", topic),
            ("hub.callback", callback.as_str()),
            ("hub.secret", secret.as_str()),
            ("hub.lease_seconds", lease.as_str()),
        ];
        self.fetcher.post_form(hub, &fields).await?;
        tracing::info!(source.id = %source, websub.hub = %hub, websub.topic = %topic, "asked the hub to push source {source}");
        Ok(())
    }
}

/// Tells the configured hubs (`[websub] hubs`) that the site's own feeds changed: a
/// WebSub publish ping (`hub.mode=publish`, `hub.url=…`) to each hub for the site feed
/// (`{base_url}feed.atom`) and for the feed of each tag touched
/// (`{base_url}tag/<slug>/feed.atom`, at most [`MAX_TAG_PINGS`] a round).
#[derive(Debug, Clone)]
pub struct Publisher {
    fetcher: Fetcher,
    hubs: Vec<Url>,
    /// `base_url` without its trailing `/`.
    base: String,
    feed: String,
}

/// At most this many tag feeds are pinged a round (the hubs poll the rest anyway).
pub const MAX_TAG_PINGS: usize = 20;

impl Publisher {
    /// A publisher for the site at `base_url`; `None` without hubs.
    pub fn new(fetcher: Fetcher, hubs: Vec<Url>, base_url: &Url) -> Option<Publisher> {
        if hubs.is_empty() {
            return None;
        }
        let base = base_url.as_str().trim_end_matches('/').to_owned();
        Some(Publisher {
            fetcher,
            hubs,
            feed: format!("{base}/feed.atom"),
            base,
        })
    }

    /// The site's feed, which every round pings.
    pub fn feed(&self) -> &str {
        &self.feed
    }

    /// The feeds a round that touched the tags `slugs` pings: the site feed, then each
    /// tag's feed once, at most [`MAX_TAG_PINGS`] of them.
    pub fn feeds<S: AsRef<str>>(&self, slugs: &[S]) -> Vec<String> {
        let mut feeds = vec![self.feed.clone()];
        for slug in slugs {
            if feeds.len() > MAX_TAG_PINGS {
                break;
            }
            let feed = format!("{}/tag/{}/feed.atom", self.base, slug.as_ref());
            if !feeds.contains(&feed) {
                feeds.push(feed);
            }
        }
        feeds
    }

    /// Pings every hub in turn for each of [`Publisher::feeds`]`(slugs)`, one request per
    /// feed; failures are logged (the hub will poll anyway).
    pub async fn ping<S: AsRef<str>>(&self, slugs: &[S]) {
        let feeds = self.feeds(slugs);
        for hub in &self.hubs {
            for feed in &feeds {
                let fields = [("hub.mode", "publish"), ("hub.url", feed.as_str())];
                match self.fetcher.post_form(hub, &fields).await {
                    Ok(status) => {
                        tracing::info!(websub.hub = %hub, http.status = status, "pinged the hub: {feed} changed")
                    }
                    Err(error) => {
                        tracing::warn!(websub.hub = %hub, "cannot ping the hub about {feed}: {}", error_chain(&error))
                    }
                }
            }
        }
    }
}

/// Whether hubs on the internet can reach `url`: http(s), and its host neither an address
/// the SSRF guard calls non-public ([`classify`]) nor `localhost`. Names are not resolved.
pub fn is_public(url: &Url) -> bool {
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(Host::Ipv4(ip)) => classify(IpAddr::V4(ip)).is_none(),
        Some(Host::Ipv6(ip)) => classify(IpAddr::V6(ip)).is_none(),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name != "localhost" && !name.ends_with(".localhost") && name.contains('.')
        }
        None => false,
    }
}

/// 32 random bytes, hex-encoded.
fn new_secret() -> Result<String, SubscribeError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| SubscribeError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// An error with its causes, for one log line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{MAX_TAG_PINGS, Publisher, is_public};
    use crate::{Fetcher, FetcherOptions};

    #[test]
    fn a_round_pings_the_site_feed_and_each_touched_tag_feed_once_up_to_the_cap() {
        let fetcher = Fetcher::new(FetcherOptions::default()).expect("fetcher");
        let hub = "https://hub.example/".parse().expect("hub");
        let site = "https://syndic.example/blog".parse().expect("site");
        let publisher = Publisher::new(fetcher, vec![hub], &site).expect("hubs");
        assert_eq!(
            publisher.feeds(&["map", "rust", "map"]),
            [
                "https://syndic.example/blog/feed.atom",
                "https://syndic.example/blog/tag/map/feed.atom",
                "https://syndic.example/blog/tag/rust/feed.atom",
            ]
        );
        assert_eq!(publisher.feeds::<&str>(&[]), [publisher.feed()]);
        let many: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
        let feeds = publisher.feeds(&many);
        assert_eq!(feeds.len(), 1 + MAX_TAG_PINGS);
        assert_eq!(
            feeds[MAX_TAG_PINGS],
            "https://syndic.example/blog/tag/t19/feed.atom"
        );
    }

    #[test]
    fn only_public_addresses_can_be_called_back() {
        for public in ["https://syndic.example/", "http://93.184.216.34/hub/"] {
            assert!(is_public(&public.parse().expect("url")), "{public}");
        }
        for private in [
            "http://127.0.0.1:8080/",
            "http://localhost:8080/",
            "http://app.localhost/",
            "http://10.0.0.5/",
            "http://[::1]/",
            "http://intranet/",
            "file:///srv/site/",
        ] {
            assert!(!is_public(&private.parse().expect("url")), "{private}");
        }
    }
}
