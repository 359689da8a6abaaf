//! Where the image fetcher may connect: pure checks against server-side request
//! forgery (SSRF). A seller-supplied URL must never make the server talk to itself, the
//! cloud metadata service or anything else on a private network.
//!
//! How the fetcher uses this module:
//! 1. [`parse_fetch_url`] the seller's text. Request exactly [`FetchTarget::url`] (its
//!    normalised form), never the original text, so no second parser can read a
//!    different host out of it.
//! 2. If [`FetchTarget::host`] is a domain, resolve it, pass *all* addresses to
//!    [`check_resolved`], and connect only to those checked addresses (do not let the
//!    HTTP client resolve again: a second answer could differ, i.e. DNS rebinding).
//!    An IP-literal host was already checked by step 1.
//! 3. On a redirect, [`resolve_redirect`] the `Location` against the current target and
//!    go back to step 2. Follow a bounded number of redirects ([`MAX_REDIRECTS`]).
//! 4. Before reading a body, [`crate::precheck_content_type`] its `Content-Type`; stop
//!    reading at [`crate::ImagePolicy::max_file_bytes`]; then [`crate::process`] the bytes
//!    with [`crate::Declared::fetched`].
//!
//! Decisions:
//! - Only `http` and `https`, on ports 80 and 443; no user name or password in the URL.
//! - IPv4 hosts must be written canonically (`a.b.c.d`, decimal, no leading zeros).
//!   `http://2130706433/`, `http://0x7f.1/` and `http://017700000001/` are refused as
//!   bad URLs even when they decode to a public address: such spellings have no honest
//!   use and system resolvers disagree about them.
//! - Single-label names (`http://redis/`) are refused: resolvers complete them with
//!   search domains into internal hosts.
//! - Hosts on the operator's allow-list (`BAZAAR_FETCH_ALLOW_HOSTS`) skip the address
//!   and port checks; that is how tests fetch from a server on 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

use crate::error::{BadUrlReason, MediaError};

/// The environment variable the server reads the fetch allow-list from.
pub const ALLOW_HOSTS_ENV: &str = "BAZAAR_FETCH_ALLOW_HOSTS";

/// Ports a URL may name unless its host is allow-listed.
pub const ALLOWED_PORTS: [u16; 2] = [80, 443];

/// Redirects the fetcher should follow at most.
pub const MAX_REDIRECTS: usize = 5;

/// Longest URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 2048;

/// Host names that are internal whatever they resolve to, compared without a trailing dot.
const FORBIDDEN_NAMES: &[&str] = &[
    "localhost",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data.ec2.internal",
];

/// Suffixes of internal or special-use names (RFC 6761, RFC 6762, RFC 8375, ICANN's
/// `.internal`).
const FORBIDDEN_SUFFIXES: &[&str] = &[
    ".localhost",
    ".internal",
    ".local",
    ".localdomain",
    ".home.arpa",
    ".in-addr.arpa",
    ".ip6.arpa",
];

/// The operator's allow-list: hosts and addresses the fetcher may reach even though they
/// are internal, on any port. Empty (strict) by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchPolicy {
    hosts: Vec<String>,
    addresses: Vec<IpAddr>,
}

/// An allow-list entry that is neither an IP address nor a host name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{ALLOW_HOSTS_ENV}: {entry:?} is neither an IP address nor a host name (ports are not allowed)"
)]
pub struct AllowListError {
    pub entry: String,
}

impl FetchPolicy {
    /// No exceptions: every internal address is refused.
    pub fn strict() -> Self {
        FetchPolicy::default()
    }

    /// Parses the allow-list's comma-separated hosts or IP addresses (IPv6 with or
    /// without brackets), e.g. `127.0.0.1,localhost,[::1]`. Blank entries are skipped.
    pub fn from_allow_list(list: &str) -> Result<Self, AllowListError> {
        let mut policy = FetchPolicy::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let unbracketed = entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .unwrap_or(entry);
            if let Ok(ip) = unbracketed.parse::<IpAddr>() {
                policy.addresses.push(canonical_ip(ip));
            } else if is_host_name(entry) {
                policy.hosts.push(normalise_name(entry));
            } else {
                return Err(AllowListError {
                    entry: entry.to_owned(),
                });
            }
        }
        Ok(policy)
    }

    pub fn is_strict(&self) -> bool {
        self.hosts.is_empty() && self.addresses.is_empty()
    }

    fn allows_name(&self, name: &str) -> bool {
        let name = normalise_name(name);
        self.hosts.contains(&name)
    }

    fn allows_ip(&self, ip: IpAddr) -> bool {
        self.addresses.contains(&canonical_ip(ip))
    }

    fn allows_host(&self, host: &TargetHost) -> bool {
        match host {
            TargetHost::Domain(name) => self.allows_name(name),
            TargetHost::Ip(ip) => self.allows_ip(*ip),
        }
    }
}

/// The host part of a checked URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetHost {
    /// A name to resolve (lowercase, punycode for international names).
    Domain(String),
    /// An address literal, already checked.
    Ip(IpAddr),
}

/// A URL that passed every check that can be made before DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchTarget {
    url: Url,
    host: TargetHost,
    port: u16,
}

impl FetchTarget {
    /// The normalised URL to request.
    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    pub fn host(&self) -> &TargetHost {
        &self.host
    }

    /// The domain to resolve and hand to [`check_resolved`], if the host is not a literal.
    pub fn domain(&self) -> Option<&str> {
        match &self.host {
            TargetHost::Domain(name) => Some(name),
            TargetHost::Ip(_) => None,
        }
    }

    /// The port to connect to (the scheme's default when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }
}

/// Checks a seller-supplied URL: syntax, scheme, userinfo, port, and the host itself
/// when it is an address literal or a known internal name.
pub fn parse_fetch_url(input: &str, policy: &FetchPolicy) -> Result<FetchTarget, MediaError> {
    let bad = |reason| MediaError::BadUrl { reason };
    if input.is_empty() {
        return Err(bad(BadUrlReason::Empty));
    }
    if input.len() > MAX_URL_LEN {
        return Err(bad(BadUrlReason::TooLong));
    }
    check_characters(input)?;
    let Some((scheme, rest)) = split_scheme(input) else {
        return Err(bad(BadUrlReason::NotAbsolute));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(MediaError::ForbiddenScheme { scheme });
    }
    // WHATWG parsers accept "http:host" and "http:/host"; we insist on the usual form so
    // the authority below is exactly what every parser sees.
    let Some(after_slashes) = rest.strip_prefix("//") else {
        return Err(bad(BadUrlReason::NotAbsolute));
    };
    let authority_end = after_slashes
        .find(['/', '?', '#'])
        .unwrap_or(after_slashes.len());
    let authority = &after_slashes[..authority_end];
    if authority.contains('@') {
        return Err(bad(BadUrlReason::Userinfo));
    }
    let raw_host = raw_host_of(authority);
    if raw_host.is_empty() {
        return Err(bad(BadUrlReason::MissingHost));
    }
    // Percent-encoded hosts ("loc%61lhost") have no honest use either.
    if raw_host.contains('%') {
        return Err(bad(BadUrlReason::InvalidHost));
    }

    let url = Url::parse(input).map_err(|error| match error {
        url::ParseError::EmptyHost => bad(BadUrlReason::MissingHost),
        url::ParseError::InvalidIpv4Address
        | url::ParseError::InvalidIpv6Address
        | url::ParseError::IdnaError => bad(BadUrlReason::InvalidHost),
        url::ParseError::InvalidPort => bad(BadUrlReason::Unparseable),
        _ => bad(BadUrlReason::Unparseable),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(BadUrlReason::Userinfo));
    }
    let host = match url.host() {
        None => return Err(bad(BadUrlReason::MissingHost)),
        Some(url::Host::Ipv4(ip)) => {
            // The parser accepts decimal, octal and hex spellings; only the canonical
            // dotted-decimal text may reach it.
            if raw_host != ip.to_string() {
                return Err(bad(BadUrlReason::NonCanonicalAddress));
            }
            TargetHost::Ip(IpAddr::V4(ip))
        }
        Some(url::Host::Ipv6(ip)) => TargetHost::Ip(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = normalise_name(name);
            if !is_host_name(&name) {
                return Err(bad(BadUrlReason::InvalidHost));
            }
            TargetHost::Domain(name)
        }
    };
    let port = url
        .port_or_known_default()
        .ok_or(bad(BadUrlReason::Unparseable))?;

    if !policy.allows_host(&host) {
        match &host {
            TargetHost::Ip(ip) => {
                if is_forbidden_ip(*ip) {
                    return Err(MediaError::ForbiddenAddress {
                        host: raw_host.to_owned(),
                        ip: *ip,
                    });
                }
            }
            TargetHost::Domain(name) => {
                if is_forbidden_host_name(name) {
                    return Err(MediaError::ForbiddenHost { host: name.clone() });
                }
            }
        }
        if !ALLOWED_PORTS.contains(&port) {
            return Err(MediaError::ForbiddenPort { port });
        }
    }
    Ok(FetchTarget { url, host, port })
}

/// Checks a redirect's `Location` header (absolute, scheme-relative or relative) against
/// the target that answered with it, and returns the next target.
pub fn resolve_redirect(
    current: &FetchTarget,
    location: &str,
    policy: &FetchPolicy,
) -> Result<FetchTarget, MediaError> {
    let location = location.trim_matches([' ', '\t']);
    if location.is_empty() {
        return Err(MediaError::BadUrl {
            reason: BadUrlReason::Empty,
        });
    }
    check_characters(location)?;
    if split_scheme(location).is_some() {
        return parse_fetch_url(location, policy);
    }
    if location.starts_with("//") {
        // Keep the seller-visible spelling so the canonical-host rule still applies.
        return parse_fetch_url(&format!("{}:{location}", current.url.scheme()), policy);
    }
    let joined = current.url.join(location).map_err(|_| MediaError::BadUrl {
        reason: BadUrlReason::Unparseable,
    })?;
    parse_fetch_url(joined.as_str(), policy)
}

/// Checks every address a domain resolved to. All must be allowed: the HTTP client may
/// try any of them, and one internal address among public ones is an attack.
pub fn check_resolved(
    host: &str,
    addresses: &[IpAddr],
    policy: &FetchPolicy,
) -> Result<(), MediaError> {
    if policy.allows_name(host) {
        return if addresses.is_empty() {
            Err(MediaError::NoAddress {
                host: host.to_owned(),
            })
        } else {
            Ok(())
        };
    }
    if is_forbidden_host_name(host) {
        return Err(MediaError::ForbiddenHost {
            host: normalise_name(host),
        });
    }
    if addresses.is_empty() {
        return Err(MediaError::NoAddress {
            host: host.to_owned(),
        });
    }
    for &ip in addresses {
        if !policy.allows_ip(ip) && is_forbidden_ip(ip) {
            return Err(MediaError::ForbiddenAddress {
                host: host.to_owned(),
                ip,
            });
        }
    }
    Ok(())
}

/// Whether a host name is internal by its name alone: `localhost` and `*.localhost`,
/// cloud metadata names, special-use suffixes, and single-label names.
pub fn is_forbidden_host_name(name: &str) -> bool {
    let name = normalise_name(name);
    if name.is_empty() || !name.contains('.') {
        return true;
    }
    FORBIDDEN_NAMES.contains(&name.as_str())
        || FORBIDDEN_SUFFIXES
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// Whether an address is anything but a public unicast address: loopback, private,
/// link-local (incl. 169.254.169.254), CGNAT, unspecified, broadcast, multicast,
/// documentation, benchmarking, reserved, and IPv6 forms that embed such an IPv4
/// address (mapped, compatible, translated, NAT64, 6to4).
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    match a {
        0 => true,                             // "this network", incl. 0.0.0.0
        10 => true,                            // private
        100 if (64..128).contains(&b) => true, // CGNAT 100.64/10
        127 => true,                           // loopback
        169 if b == 254 => true,               // link-local, cloud metadata
        172 if (16..32).contains(&b) => true,  // private
        192 if b == 0 && c == 0 => true,       // IETF protocol assignments
        192 if b == 0 && c == 2 => true,       // TEST-NET-1
        192 if b == 88 && c == 99 => true,     // 6to4 relay anycast
        192 if b == 168 => true,               // private
        198 if b == 18 || b == 19 => true,     // benchmarking 198.18/15
        198 if b == 51 && c == 100 => true,    // TEST-NET-2
        203 if b == 0 && c == 113 => true,     // TEST-NET-3
        224..=255 => true,                     // multicast, reserved, broadcast
        _ => false,
    }
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let embedded_v4 = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match segments {
        // ::ffff:a.b.c.d (mapped) reaches the IPv4 address itself.
        [0, 0, 0, 0, 0, 0xffff, high, low] => is_forbidden_v4(embedded_v4(high, low)),
        // ::a.b.c.d (compatible, deprecated), incl. :: and ::1; ::ffff:0:a.b.c.d (SIIT).
        [0, 0, 0, 0, 0, 0, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] => true,
        // 64:ff9b::a.b.c.d (NAT64 well-known prefix) translates to the IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => is_forbidden_v4(embedded_v4(high, low)),
        // 64:ff9b:1::/48, NAT64 for local use.
        [0x64, 0xff9b, 1, ..] => true,
        // 2002:a.b.c.d::/48 (6to4) routes to the embedded IPv4 address.
        [0x2002, high, low, ..] => is_forbidden_v4(embedded_v4(high, low)),
        // 2001::/32 Teredo, 2001:2::/48 benchmarking, 2001:10::/28 and 2001:20::/28
        // ORCHID, 2001:db8::/32 documentation.
        [0x2001, 0, ..] | [0x2001, 2, 0, ..] | [0x2001, 0x10..=0x2f, ..] | [0x2001, 0xdb8, ..] => {
            true
        }
        // 3fff::/20, documentation (RFC 9637).
        [0x3fff, 0..=0x0fff, ..] => true,
        // Outside 2000::/3 nothing is public unicast: unspecified, loopback, discard
        // 100::/64, unique-local fc00::/7, link-local fe80::/10, site-local fec0::/10,
        // multicast ff00::/8 and reserved space.
        [first, ..] => !(0x2000..=0x3fff).contains(&first),
    }
}

/// IPv4-mapped IPv6 addresses are the IPv4 address for allow-list comparisons.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn check_characters(input: &str) -> Result<(), MediaError> {
    if input
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return Err(MediaError::BadUrl {
            reason: BadUrlReason::InvalidCharacters,
        });
    }
    Ok(())
}

/// Splits "scheme:rest" when the text starts with a syntactically valid scheme.
fn split_scheme(input: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = input.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

/// The host text of an authority without userinfo: `[v6]` keeps its brackets, and a
/// trailing `:port` is dropped.
fn raw_host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, _port)) => host,
        None => authority,
    }
}

fn normalise_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Letters, digits, hyphens and dots, as DNS names are written after IDNA (the URL
/// parser turns international names into punycode `xn--` labels first).
fn is_host_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}
