use super::*;

/// (address, the words of the rule that refuses it; "" for a public address).
const TABLE: &[(&str, &str)] = &[
    // Public addresses pass.
    ("93.184.215.14", ""),
    ("1.1.1.1", ""),
    ("172.32.0.1", ""),
    ("100.128.0.1", ""),
    ("198.20.0.1", ""),
    ("223.255.255.255", ""),
    ("2606:4700::1111", ""),
    ("::ffff:93.184.215.14", ""),
    ("64:ff9b::5db8:d70e", ""),
    ("2002:5db8:d70e::1", ""),
    // IPv4 special-purpose ranges.
    ("0.0.0.0", "unspecified address"),
    ("0.1.2.3", "unspecified address"),
    ("127.0.0.1", "loopback address"),
    ("127.1.2.3", "loopback address"),
    ("10.0.0.1", "private address (RFC 1918)"),
    ("172.16.0.1", "private address (RFC 1918)"),
    ("172.31.255.255", "private address (RFC 1918)"),
    ("192.168.1.1", "private address (RFC 1918)"),
    ("169.254.169.254", "link-local address"),
    ("169.254.0.1", "link-local address"),
    ("100.64.0.1", "shared address (CGNAT)"),
    ("100.127.255.255", "shared address (CGNAT)"),
    ("198.18.0.1", "benchmarking address"),
    ("198.19.255.255", "benchmarking address"),
    ("192.0.0.8", "IETF protocol assignment"),
    ("192.0.2.1", "documentation address"),
    ("198.51.100.7", "documentation address"),
    ("203.0.113.9", "documentation address"),
    ("192.88.99.1", "6to4 relay anycast address"),
    ("224.0.0.1", "multicast address"),
    ("239.255.255.250", "multicast address"),
    ("240.0.0.1", "reserved address"),
    ("254.1.1.1", "reserved address"),
    ("255.255.255.255", "broadcast address"),
    // IPv6 ranges.
    ("::", "unspecified address"),
    ("::1", "loopback address"),
    ("fe80::1", "link-local address"),
    ("febf::1", "link-local address"),
    ("fec0::1", "site-local address"),
    ("fc00::1", "unique-local address"),
    ("fd12:3456::1", "unique-local address"),
    ("ff02::1", "multicast address"),
    ("2001:db8::1", "documentation address"),
    ("3fff::1", "documentation address"),
    ("2001:2::1", "benchmarking address"),
    ("2001:0:4136:e378::1", "Teredo tunnel address"),
    ("100::1", "discard-only address"),
    ("64:ff9b:1::a9fe:a9fe", "local-use NAT64 address"),
    // IPv6 forms embedding a refused IPv4 address.
    (
        "::ffff:127.0.0.1",
        "IPv4-mapped address embedding 127.0.0.1, a loopback address",
    ),
    (
        "::ffff:7f00:1",
        "IPv4-mapped address embedding 127.0.0.1, a loopback address",
    ),
    (
        "::ffff:169.254.169.254",
        "IPv4-mapped address embedding 169.254.169.254, a link-local address",
    ),
    (
        "::127.0.0.1",
        "IPv4-compatible address embedding 127.0.0.1, a loopback address",
    ),
    (
        "::10.1.2.3",
        "IPv4-compatible address embedding 10.1.2.3, a private address (RFC 1918)",
    ),
    (
        "::ffff:0:192.168.0.1",
        "IPv4-translated address embedding 192.168.0.1, a private address (RFC 1918)",
    ),
    (
        "64:ff9b::a9fe:a9fe",
        "NAT64 address embedding 169.254.169.254, a link-local address",
    ),
    (
        "64:ff9b::10.0.0.1",
        "NAT64 address embedding 10.0.0.1, a private address (RFC 1918)",
    ),
    (
        "2002:7f00:1::",
        "6to4 address embedding 127.0.0.1, a loopback address",
    ),
    (
        "2002:a9fe:a9fe:1::1",
        "6to4 address embedding 169.254.169.254, a link-local address",
    ),
];

#[test]
fn every_special_range_is_classified_by_its_rule() {
    for &(address, expected) in TABLE {
        let ip: IpAddr = address.parse().expect("table address");
        let found = classify(ip)
            .map(|rule| rule.to_string())
            .unwrap_or_default();
        assert_eq!(found, expected, "{address}");
    }
}

#[test]
fn numeric_host_tricks_are_normalised_by_url_and_refused() {
    let policy = AddressPolicy::default();
    for address in [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.0.0.1./",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]:8080/admin",
        "http://evil@127.0.0.1/",
        "http://127.0.0.1#@good.example/",
        "http://0/",
        "http://[::]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:7f00:1::]/",
    ] {
        let url = Url::parse(address).expect("valid URL");
        let refusal = policy.check_url(&url).expect_err(address);
        assert!(refusal.to_string().contains("allow_networks"), "{refusal}");
    }
}

#[test]
fn names_are_left_to_the_resolver() {
    let policy = AddressPolicy::default();
    for address in ["http://localhost/", "https://blog.example/feed"] {
        let url = Url::parse(address).expect("valid URL");
        assert_eq!(policy.check_url(&url), Ok(()), "{address}");
    }
}

#[test]
fn refusals_name_the_address_and_the_rule() {
    let url = Url::parse("http://169.254.169.254/latest/meta-data/").expect("valid URL");
    let refusal = AddressPolicy::default()
        .check_url(&url)
        .expect_err("metadata");
    assert_eq!(
        refusal.to_string(),
        "refused to connect to 169.254.169.254 (link-local address; allow it with [fetch] allow_networks)"
    );
}

fn net(text: &str) -> IpNet {
    text.parse().expect("network")
}

fn addr(text: &str) -> SocketAddr {
    SocketAddr::new(text.parse().expect("address"), 0)
}

#[test]
fn allow_networks_override_the_rules_for_their_ranges_only() {
    let policy = AddressPolicy::new(vec![net("127.0.0.1/32"), net("10.1.0.0/16")]);
    for allowed in ["127.0.0.1", "::ffff:127.0.0.1", "10.1.2.3", "8.8.8.8"] {
        assert_eq!(
            policy.check(allowed.parse().expect("ip")),
            Ok(()),
            "{allowed}"
        );
    }
    for refused in ["127.0.0.2", "::1", "10.2.0.1", "169.254.169.254"] {
        assert!(
            policy.check(refused.parse().expect("ip")).is_err(),
            "{refused}"
        );
    }
    let everything = AddressPolicy::new(vec![net("0.0.0.0/0"), net("::/0")]);
    assert_eq!(everything.check("::1".parse().expect("ip")), Ok(()));
}

#[test]
fn a_name_keeps_only_its_allowed_addresses() {
    let policy = AddressPolicy::default();
    let mixed = vec![addr("127.0.0.1"), addr("93.184.215.14"), addr("::1")];
    assert_eq!(
        policy.admit("mixed.test", mixed.clone()),
        Ok(vec![addr("93.184.215.14")])
    );
    assert_eq!(
        policy
            .first_refused("mixed.test", &mixed)
            .map(|r| r.address),
        Some("127.0.0.1".parse().expect("ip"))
    );
    let refusal = policy
        .admit("internal.test", vec![addr("10.0.0.5"), addr("fd00::5")])
        .expect_err("all private");
    assert_eq!(
        refusal.to_string(),
        "refused to connect to internal.test (10.0.0.5: private address (RFC 1918); \
         allow it with [fetch] allow_networks)"
    );
}
