//! Redirects, followed by hand so that every hop meets the SSRF guard before a connection is
//! made, and so that a permanent move can be told from a temporary one.

use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use url::Url;

use crate::FetchError;
use crate::http::shown;

/// The hops of one fetch, from the source's URL to wherever the server sent us.
#[derive(Debug)]
pub(crate) struct Chain {
    start: Url,
    /// Every URL requested so far, without fragments; the last is the current one.
    visited: Vec<Url>,
    max_redirects: usize,
    /// Whether every redirect so far was permanent (301 or 308).
    permanent: bool,
}

impl Chain {
    pub(crate) fn new(start: &Url, max_redirects: usize) -> Chain {
        Chain {
            start: start.clone(),
            visited: vec![without_fragment(start)],
            max_redirects,
            permanent: true,
        }
    }

    /// The URL to request next.
    pub(crate) fn current(&self) -> &Url {
        self.visited.last().unwrap_or(&self.start)
    }

    /// Whether `status` sends the client elsewhere (304 does not).
    pub(crate) fn is_redirect(status: StatusCode) -> bool {
        matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
    }

    /// Takes the redirect the current URL answered with `status` and `location`.
    pub(crate) fn follow(
        &mut self,
        status: StatusCode,
        location: Option<&HeaderValue>,
    ) -> Result<(), FetchError> {
        let next = self.target(location)?;
        if self.visited.contains(&next) {
            return Err(FetchError::RedirectLoop { url: shown(&next) });
        }
        if self.visited.len() > self.max_redirects {
            return Err(FetchError::TooManyRedirects {
                url: shown(&self.start),
            });
        }
        self.permanent &= matches!(status.as_u16(), 301 | 308);
        self.visited.push(next);
        Ok(())
    }

    /// The new permanent address of the source: the final URL when every hop was a 301 or
    /// 308, `None` when there was no redirect or any was temporary.
    pub(crate) fn moved_to(&self) -> Option<Url> {
        (self.permanent && self.visited.len() > 1).then(|| self.current().clone())
    }

    fn target(&self, location: Option<&HeaderValue>) -> Result<Url, FetchError> {
        let current = self.current();
        let refuse = |location: String, reason| FetchError::BadRedirect {
            url: shown(current),
            location,
            reason,
        };
        let Some(location) = location else {
            return Err(refuse(String::new(), "the redirect has no Location header"));
        };
        let text = String::from_utf8_lossy(location.as_bytes()).into_owned();
        let next = current
            .join(text.trim())
            .map_err(|_| refuse(text.clone(), "not a valid URL"))?;
        match (current.scheme(), next.scheme()) {
            ("https", "http") => Err(refuse(text, "a downgrade from https to http")),
            (_, "http" | "https") if next.host().is_some() => Ok(without_fragment(&next)),
            (_, "http" | "https") => Err(refuse(text, "the URL has no host")),
            _ => Err(refuse(text, "only http and https are followed")),
        }
    }
}

fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Chain {
        Chain::new(
            &Url::parse("https://blog.example/feed#top").expect("url"),
            5,
        )
    }

    fn go(chain: &mut Chain, status: u16, to: &str) -> Result<(), FetchError> {
        let status = StatusCode::from_u16(status).expect("status");
        chain.follow(status, Some(&HeaderValue::from_str(to).expect("header")))
    }

    #[test]
    fn relative_locations_resolve_against_the_current_hop() {
        let mut chain = chain();
        go(&mut chain, 301, "/new/feed").expect("hop");
        go(&mut chain, 308, "other").expect("hop");
        assert_eq!(chain.current().as_str(), "https://blog.example/new/other");
        assert_eq!(chain.moved_to(), Some(chain.current().clone()));
    }

    #[test]
    fn any_temporary_hop_means_no_move() {
        let mut chain = chain();
        assert_eq!(chain.moved_to(), None);
        go(&mut chain, 301, "/a").expect("hop");
        go(&mut chain, 307, "/b").expect("hop");
        go(&mut chain, 308, "/c").expect("hop");
        assert_eq!(chain.moved_to(), None);
    }

    #[test]
    fn refused_targets_say_why() {
        for (to, reason) in [
            ("file:///etc/passwd", "only http and https are followed"),
            ("gopher://blog.example/", "only http and https are followed"),
            (
                "ftp://blog.example/feed",
                "only http and https are followed",
            ),
            ("data:text/plain,hi", "only http and https are followed"),
            ("http://blog.example/feed", "a downgrade from https to http"),
            ("http://[::1", "not a valid URL"),
        ] {
            let err = go(&mut chain(), 302, to).expect_err(to);
            assert!(
                matches!(&err, FetchError::BadRedirect { reason: r, .. } if *r == reason),
                "{to}: {err}"
            );
        }
        let err = chain()
            .follow(StatusCode::FOUND, None)
            .expect_err("no location");
        assert!(err.to_string().contains("no Location"), "{err}");
    }

    #[test]
    fn fragments_do_not_hide_a_loop() {
        let mut chain = chain();
        go(&mut chain, 302, "/feed/").expect("hop");
        let err = go(&mut chain, 302, "/feed#again").expect_err("loop");
        assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err}");
    }
}
