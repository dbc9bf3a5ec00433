//! The SSRF guard: which addresses the fetcher may connect to.
//!
//! A feed's URL is chosen by whoever configures the source and every redirect by whoever runs
//! the server; neither may steer syndic into this machine's own services, the private network
//! or a cloud metadata endpoint. So the check runs on the address actually connected to:
//! host names go through [`GuardedResolver`], which resolves them and hands the connector only
//! allowed addresses (a name answered with a mix keeps only the public ones), and IP-literal
//! hosts, which never reach a resolver, are checked by [`AddressPolicy::check_url`] on every
//! hop before a request is sent. Only public unicast addresses pass, plus whatever the
//! operator lists in `[fetch] allow_networks`.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

const PRIVATE: &str = "private address (RFC 1918)";
const DOCUMENTATION: &str = "documentation address";

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

const fn v6(s: [u16; 8], len: u8) -> Ipv6Net {
    Ipv6Net::new_assert(
        Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
        len,
    )
}

/// IPv4 ranges that are not public unicast (IANA special-purpose registry), most specific
/// first where they overlap.
const V4_RANGES: &[(Ipv4Net, &str)] = &[
    (v4(0, 0, 0, 0, 8), "unspecified address"),
    (v4(10, 0, 0, 0, 8), PRIVATE),
    (v4(100, 64, 0, 0, 10), "shared address (CGNAT)"),
    (v4(127, 0, 0, 0, 8), "loopback address"),
    (v4(169, 254, 0, 0, 16), "link-local address"),
    (v4(172, 16, 0, 0, 12), PRIVATE),
    (v4(192, 0, 0, 0, 24), "IETF protocol assignment"),
    (v4(192, 0, 2, 0, 24), DOCUMENTATION),
    (v4(192, 88, 99, 0, 24), "6to4 relay anycast address"),
    (v4(192, 168, 0, 0, 16), PRIVATE),
    (v4(198, 18, 0, 0, 15), "benchmarking address"),
    (v4(198, 51, 100, 0, 24), DOCUMENTATION),
    (v4(203, 0, 113, 0, 24), DOCUMENTATION),
    (v4(224, 0, 0, 0, 4), "multicast address"),
    (v4(255, 255, 255, 255, 32), "broadcast address"),
    (v4(240, 0, 0, 0, 4), "reserved address"),
];

/// IPv6 ranges refused whatever they carry.
const V6_RANGES: &[(Ipv6Net, &str)] = &[
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 128), "unspecified address"),
    (v6([0, 0, 0, 0, 0, 0, 0, 1], 128), "loopback address"),
    (
        v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        "local-use NAT64 address",
    ),
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "discard-only address"),
    (
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32),
        "Teredo tunnel address",
    ),
    (
        v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48),
        "benchmarking address",
    ),
    (v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), DOCUMENTATION),
    (v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), DOCUMENTATION),
    (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), "unique-local address"),
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "link-local address"),
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), "site-local address"),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast address"),
];

/// IPv6 forms that carry an IPv4 address, and where it sits (bit offset from the left).
const V6_EMBEDDINGS: &[(Ipv6Net, &str, u32)] = &[
    (v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96), "IPv4-mapped", 96),
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 96), "IPv4-compatible", 96),
    (v6([0, 0, 0, 0, 0xffff, 0, 0, 0], 96), "IPv4-translated", 96),
    (v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96), "NAT64", 96),
    (v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16), "6to4", 16),
];

/// Why an address is not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The address lies in a special-purpose range.
    Range(&'static str),
    /// An IPv6 form carrying an IPv4 address that is itself refused.
    Embedded {
        form: &'static str,
        inner: Ipv4Addr,
        range: &'static str,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Range(range) => f.write_str(range),
            Rule::Embedded { form, inner, range } => {
                write!(f, "{form} address embedding {inner}, a {range}")
            }
        }
    }
}

/// The rule that makes `ip` non-public, or `None` for a public unicast address.
pub fn classify(ip: IpAddr) -> Option<Rule> {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip).map(Rule::Range),
        IpAddr::V6(ip) => classify_v6(ip),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    V4_RANGES
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|&(_, range)| range)
}

fn classify_v6(ip: Ipv6Addr) -> Option<Rule> {
    if let Some(&(_, range)) = V6_RANGES.iter().find(|(net, _)| net.contains(&ip)) {
        return Some(Rule::Range(range));
    }
    let (_, form, offset) = V6_EMBEDDINGS.iter().find(|(net, ..)| net.contains(&ip))?;
    // The 32 bits at `offset` (counted from the left) are the IPv4 address.
    let inner = Ipv4Addr::from((u128::from(ip) >> (96 - offset)) as u32);
    classify_v4(inner).map(|range| Rule::Embedded { form, inner, range })
}

/// The addresses the fetcher may connect to: public unicast ones and the operator's
/// `allow_networks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    allow: Vec<IpNet>,
}

impl AddressPolicy {
    pub fn new(allow: Vec<IpNet>) -> AddressPolicy {
        AddressPolicy { allow }
    }

    /// Whether `ip` may be connected to, and if not, the rule that refuses it. An allowed
    /// network also admits the IPv4-mapped form of its addresses.
    pub fn check(&self, ip: IpAddr) -> Result<(), Rule> {
        let canonical = ip.to_canonical();
        if self
            .allow
            .iter()
            .any(|net| net.contains(&ip) || net.contains(&canonical))
        {
            return Ok(());
        }
        classify(ip).map_or(Ok(()), Err)
    }

    /// Checks a URL whose host is an IP literal (names are the resolver's job). Runs before
    /// every request, redirects included, since the connector never resolves literals.
    pub fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        let address = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(Host::Domain(_)) | None => return Ok(()),
        };
        self.check(address).map_err(|rule| Refusal {
            host: None,
            address,
            rule,
        })
    }

    /// The allowed addresses among what `host` resolved to; when none is allowed, the
    /// refusal of the first.
    pub fn admit(&self, host: &str, found: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Refusal> {
        let mut refusal = None;
        let mut allowed = Vec::with_capacity(found.len());
        for address in found {
            match self.check(address.ip()) {
                Ok(()) => allowed.push(address),
                Err(rule) => {
                    refusal.get_or_insert(Refusal {
                        host: Some(host.to_owned()),
                        address: address.ip(),
                        rule,
                    });
                }
            }
        }
        match refusal {
            Some(refusal) if allowed.is_empty() => Err(refusal),
            _ => Ok(allowed),
        }
    }

    /// The first refused address of `found`, if any: for names a proxy will resolve on its
    /// own, where only an answer that is allowed throughout is safe.
    pub fn first_refused(&self, host: &str, found: &[SocketAddr]) -> Option<Refusal> {
        found.iter().find_map(|address| {
            self.check(address.ip()).err().map(|rule| Refusal {
                host: Some(host.to_owned()),
                address: address.ip(),
                rule,
            })
        })
    }
}

/// A connection the guard refused, naming the address and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The host name, when the address came from resolving one.
    pub host: Option<String>,
    pub address: IpAddr,
    pub rule: Rule,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Refusal {
            host,
            address,
            rule,
        } = self;
        match host {
            Some(host) => write!(f, "refused to connect to {host} ({address}: {rule}"),
            None => write!(f, "refused to connect to {address} ({rule}"),
        }?;
        f.write_str("; allow it with [fetch] allow_networks)")
    }
}

impl std::error::Error for Refusal {}

/// Resolves host names for the HTTP client and keeps only the addresses the policy allows,
/// so the guard sees exactly the address the connection is made to.
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    policy: Arc<AddressPolicy>,
    /// The configured proxy's host, which the operator chose and which is not checked.
    proxy_host: Option<String>,
}

impl GuardedResolver {
    pub(crate) fn new(policy: Arc<AddressPolicy>, proxy_host: Option<String>) -> Self {
        GuardedResolver { policy, proxy_host }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        let is_proxy = self
            .proxy_host
            .as_deref()
            .is_some_and(|proxy| proxy.eq_ignore_ascii_case(&host));
        Box::pin(async move {
            let found = lookup(&host).await?;
            let allowed = if is_proxy {
                found
            } else {
                policy.admit(&host, found)?
            };
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Every address `host` resolves to (port 0: the connector sets the URL's port).
pub(crate) async fn lookup(host: &str) -> io::Result<Vec<SocketAddr>> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
    if found.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host} has no addresses"),
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
