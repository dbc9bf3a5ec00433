//! Where a source's feed is read from.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;
use url::Url;

/// A source's feed: a file on this machine or a web address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Http(Url),
}

/// A configured source address that syndic cannot read from.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LocationError {
    #[error("{0:?} is not a valid URL")]
    BadUrl(String),
    #[error(
        "{url:?} is a {scheme}: URL, but only http://, https://, file:// and plain paths are supported"
    )]
    UnsupportedScheme { url: String, scheme: String },
    #[error("the address is empty")]
    Empty,
}

impl Location {
    /// Reads a configured address: `http(s)://…`, `file://…`, or a plain path, which is
    /// resolved against `base_dir` (the config file's folder) when relative. Anything else
    /// that reads as a URL (`ftp://…`, `gopher:…`, `mailto:…`) is refused rather than taken
    /// for a file name; a file whose name looks like one is written `./name:…`.
    pub fn parse(address: &str, base_dir: &Path) -> Result<Location, LocationError> {
        let address = address.trim();
        if address.is_empty() {
            return Err(LocationError::Empty);
        }
        if !address.contains("://") && !has_scheme(address) {
            let path = Path::new(address);
            return Ok(Location::File(if path.is_absolute() {
                path.to_path_buf()
            } else {
                base_dir.join(path)
            }));
        }
        let url = Url::parse(address).map_err(|_| LocationError::BadUrl(address.to_owned()))?;
        match url.scheme() {
            "http" | "https" if url.host_str().is_some() => Ok(Location::Http(url)),
            "http" | "https" => Err(LocationError::BadUrl(address.to_owned())),
            "file" => url
                .to_file_path()
                .map(Location::File)
                .map_err(|()| LocationError::BadUrl(address.to_owned())),
            other => Err(LocationError::UnsupportedScheme {
                url: address.to_owned(),
                scheme: other.to_owned(),
            }),
        }
    }

    /// The URL relative links in the feed resolve against, when there is one.
    pub fn base_url(&self) -> Option<Url> {
        match self {
            Location::Http(url) => Some(url.clone()),
            Location::File(path) => Url::from_file_path(path).ok(),
        }
    }
}

/// Whether `address` starts with a URL scheme (`gopher:`, `mailto:`), a one-letter one
/// aside (`C:\feeds` is a Windows path).
fn has_scheme(address: &str) -> bool {
    Url::parse(address).is_ok_and(|url| url.scheme().len() > 1)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Http(url) => write!(f, "{url}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_resolve_against_the_config_folder() {
        let loc = Location::parse("feeds/a.rss", Path::new("/etc/syndic")).expect("path");
        assert_eq!(
            loc,
            Location::File(PathBuf::from("/etc/syndic/feeds/a.rss"))
        );
        let abs = Location::parse("/srv/a.rss", Path::new("/etc/syndic")).expect("path");
        assert_eq!(abs, Location::File(PathBuf::from("/srv/a.rss")));
        let colon = Location::parse("./news:today.rss", Path::new("/etc")).expect("path");
        assert_eq!(
            colon,
            Location::File(PathBuf::from("/etc/./news:today.rss"))
        );
    }

    #[test]
    fn file_and_http_urls_are_understood() {
        let file = Location::parse("file:///srv/a.rss", Path::new("/")).expect("file url");
        assert_eq!(file, Location::File(PathBuf::from("/srv/a.rss")));
        let web = Location::parse("https://blog.example/feed", Path::new("/")).expect("http url");
        assert!(matches!(web, Location::Http(url) if url.host_str() == Some("blog.example")));
    }

    #[test]
    fn other_schemes_and_broken_urls_are_refused() {
        for address in [
            "ftp://blog.example/feed",
            "gopher:blog.example/feed",
            "mailto:me@blog.example",
            "javascript:alert(1)",
        ] {
            assert!(
                matches!(
                    Location::parse(address, Path::new("/")),
                    Err(LocationError::UnsupportedScheme { .. })
                ),
                "{address}"
            );
        }
        assert!(matches!(
            Location::parse("http://", Path::new("/")),
            Err(LocationError::BadUrl(_))
        ));
        assert_eq!(
            Location::parse("  ", Path::new("/")),
            Err(LocationError::Empty)
        );
    }
}
