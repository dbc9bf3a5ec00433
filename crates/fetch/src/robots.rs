//! robots.txt for full-text page reads: what a site's `/robots.txt` answer means for
//! syndic's user agent ([`ROBOTS_AGENT`]), as RFC 9309 orders it. The rules are read by
//! `texting_robots`; the decisions about answers that are not rules live here, pure.

use std::fmt;

use crate::{Body, FetchError, Fetched};

/// The product token syndic obeys in robots.txt (`User-agent: syndic`).
pub const ROBOTS_AGENT: &str = "syndic";

/// The most of a robots.txt read (RFC 9309 asks crawlers to read at least 500 KiB).
pub const MAX_ROBOTS_BYTES: u64 = 512 * 1024;

/// The longest crawl delay honoured; a site asking for more gets this.
pub const MAX_CRAWL_DELAY: f32 = 60.0;

/// What a site's robots.txt says about our page reads.
pub enum Robots {
    /// No robots.txt (a 4xx answer): everything may be read.
    AllowAll,
    /// It could not be read (5xx, a network failure, a refused address): nothing may be
    /// read until it can, as RFC 9309 asks; the reason says why.
    Unreachable(String),
    /// Its rules.
    Rules(Box<texting_robots::Robot>),
}

impl fmt::Debug for Robots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Robots::AllowAll => f.write_str("AllowAll"),
            Robots::Unreachable(why) => write!(f, "Unreachable({why:?})"),
            Robots::Rules(_) => f.write_str("Rules"),
        }
    }
}

impl Robots {
    /// What the answer to a robots.txt request means.
    pub fn from_answer(answer: &Result<Fetched, FetchError>) -> Robots {
        match answer {
            Ok(Fetched {
                body: Body::Changed { bytes, .. },
                ..
            }) => Robots::from_text(bytes),
            // We never send validators for robots.txt; a 304 says nothing.
            Ok(_) => Robots::AllowAll,
            Err(FetchError::Status { status, .. }) if (400..500).contains(status) => {
                Robots::AllowAll
            }
            Err(FetchError::Gone { .. }) => Robots::AllowAll,
            Err(error) => Robots::Unreachable(format!("robots.txt could not be read: {error}")),
        }
    }

    /// The rules in a robots.txt body; one that cannot be parsed at all forbids nothing
    /// (as if the site had none).
    pub fn from_text(bytes: &[u8]) -> Robots {
        match texting_robots::Robot::new(ROBOTS_AGENT, bytes) {
            Ok(robot) => Robots::Rules(Box::new(robot)),
            Err(_) => Robots::AllowAll,
        }
    }

    /// `Ok` when `url` may be read, else why not.
    pub fn check(&self, url: &str) -> Result<(), String> {
        match self {
            Robots::AllowAll => Ok(()),
            Robots::Unreachable(why) => Err(why.clone()),
            Robots::Rules(robot) if robot.allowed(url) => Ok(()),
            Robots::Rules(_) => Err(format!(
                "the site's robots.txt disallows {url} for {ROBOTS_AGENT}"
            )),
        }
    }

    /// The crawl delay the site asks of us, at most [`MAX_CRAWL_DELAY`] seconds.
    pub fn crawl_delay(&self) -> Option<std::time::Duration> {
        match self {
            Robots::Rules(robot) => robot
                .delay
                .filter(|delay| delay.is_finite() && *delay > 0.0)
                .map(|delay| std::time::Duration::from_secs_f32(delay.min(MAX_CRAWL_DELAY))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Result<Fetched, FetchError> {
        Err(FetchError::Status {
            url: "https://blog.example/robots.txt".into(),
            status,
        })
    }

    #[test]
    fn a_disallow_for_syndic_or_everyone_refuses_the_page() {
        let robots = Robots::from_text(
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: syndic\nDisallow: /drafts/\n",
        );
        assert!(robots.check("https://blog.example/drafts/a").is_err());
        assert!(robots.check("https://blog.example/posts/a").is_ok());
        let everyone = Robots::from_text(b"User-agent: *\nDisallow: /\n");
        let why = everyone
            .check("https://blog.example/posts/a")
            .expect_err("disallowed");
        assert!(why.contains("robots.txt disallows"), "{why}");
    }

    #[test]
    fn rules_for_other_agents_do_not_bind_syndic() {
        let robots = Robots::from_text(b"User-agent: GPTBot\nDisallow: /\n");
        assert!(robots.check("https://blog.example/posts/a").is_ok());
    }

    #[test]
    fn a_missing_robots_txt_allows_all_and_a_server_error_allows_nothing() {
        assert!(
            Robots::from_answer(&status(404))
                .check("https://a.example/x")
                .is_ok()
        );
        assert!(
            Robots::from_answer(&status(403))
                .check("https://a.example/x")
                .is_ok()
        );
        let why = Robots::from_answer(&status(500))
            .check("https://a.example/x")
            .expect_err("unreachable");
        assert!(why.contains("robots.txt could not be read"), "{why}");
        let refused = Err(FetchError::Refused {
            url: "https://a.example/robots.txt".into(),
            reason: "private address".into(),
        });
        assert!(
            Robots::from_answer(&refused)
                .check("https://a.example/x")
                .is_err()
        );
    }

    #[test]
    fn a_crawl_delay_is_honoured_up_to_a_minute() {
        let robots = Robots::from_text(b"User-agent: *\nCrawl-delay: 2\n");
        assert_eq!(
            robots.crawl_delay(),
            Some(std::time::Duration::from_secs(2))
        );
        let greedy = Robots::from_text(b"User-agent: *\nCrawl-delay: 86400\n");
        assert_eq!(
            greedy.crawl_delay(),
            Some(std::time::Duration::from_secs(60))
        );
        assert_eq!(Robots::AllowAll.crawl_delay(), None);
    }
}
