//! Checks of the personal-data rules: payment cards (Luhn and issuer
//! prefix), IP addresses, phone numbers and email addresses.
//!
//! What is skipped, on purpose: IPv4 loopback, unspecified, broadcast,
//! private (RFC 1918), link-local, CGNAT and multicast addresses, and dotted
//! quads preceded by `v` or `version` (version strings); IPv6 loopback,
//! unspecified, link-local and unique-local addresses; emails at reserved
//! domains (`example.*`, `.test`, `.invalid`, `.local`, `localhost`) or whose
//! "domain" is a file name (`logo@2x.png`). Documentation ranges
//! (192.0.2.0/24, 2001:db8::/32) are reported: they stand for real addresses.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Issuer prefixes (IIN ranges) of the major card networks, as (low, high,
/// digits of the prefix): Visa, Mastercard (51-55 and 2221-2720), American
/// Express, Discover, JCB, Diners Club, UnionPay, Maestro.
const IIN_RANGES: &[(u32, u32, u32)] = &[
    (4, 4, 1),
    (51, 55, 2),
    (2221, 2720, 4),
    (34, 34, 2),
    (37, 37, 2),
    (6011, 6011, 4),
    (644, 649, 3),
    (65, 65, 2),
    (3528, 3589, 4),
    (300, 305, 3),
    (36, 36, 2),
    (38, 39, 2),
    (62, 62, 2),
    (50, 50, 2),
    (56, 58, 2),
];

fn digits(s: &[u8]) -> Vec<u8> {
    s.iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| b - b'0')
        .collect()
}

fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn known_issuer(d: &[u8]) -> bool {
    IIN_RANGES.iter().any(|&(lo, hi, n)| {
        let prefix = d
            .iter()
            .take(n as usize)
            .fold(0u32, |acc, &x| acc * 10 + u32::from(x));
        d.len() >= n as usize && (lo..=hi).contains(&prefix)
    })
}

/// 13 to 19 digits, a valid Luhn check digit, a known issuer, not one repeated digit.
pub(crate) fn card_ok(s: &[u8]) -> bool {
    let d = digits(s);
    (13..=19).contains(&d.len())
        && luhn(&d)
        && known_issuer(&d)
        && d.iter().any(|&x| Some(&x) != d.first())
}

/// A public IPv4 address not written as a version (`v1.2.3.4`, `version 1.2.3.4`).
pub(crate) fn ipv4_ok(s: &[u8], before: &[u8]) -> bool {
    let Some(ip) = std::str::from_utf8(s)
        .ok()
        .and_then(|t| Ipv4Addr::from_str(t).ok())
    else {
        return false;
    };
    let lower = before.to_ascii_lowercase();
    let lead = lower.trim_ascii_end();
    let versioned = lower.ends_with(b"v") || lead.ends_with(b"version") || lead.ends_with(b"ver");
    let [a, b, ..] = ip.octets();
    let cgnat = a == 100 && (64..128).contains(&b);
    !(versioned
        || ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || cgnat)
}

/// A parseable IPv6 address with 3 or more groups and a digit, not local.
pub(crate) fn ipv6_ok(s: &[u8]) -> bool {
    let Some(ip) = std::str::from_utf8(s)
        .ok()
        .and_then(|t| Ipv6Addr::from_str(t).ok())
    else {
        return false;
    };
    let groups = s.split(|&b| b == b':').filter(|g| !g.is_empty()).count();
    let first = ip.segments()[0];
    let local = (first & 0xffc0) == 0xfe80 || (first & 0xfe00) == 0xfc00;
    groups >= 3
        && s.iter().any(u8::is_ascii_digit)
        && !(ip.is_loopback() || ip.is_unspecified() || local)
}

/// 7 to 15 digits (E.164), not shaped like a date (`2024-01-15`).
pub(crate) fn phone_ok(s: &[u8]) -> bool {
    let d = digits(s);
    let date =
        s.len() == 10 && s.get(4) == s.get(7) && matches!(s.get(4), Some(b'-' | b'/' | b'.'));
    (7..=15).contains(&d.len()) && !date && d.iter().any(|&x| Some(&x) != d.first())
}

const RESERVED_DOMAINS: &[&str] = &["example.com", "example.org", "example.net", "localhost"];
const RESERVED_TLDS: &[&str] = &[
    "test",
    "invalid",
    "local",
    "localhost",
    "example",
    "internal",
];
const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "css", "py", "json", "txt", "html",
];

/// An address whose domain is neither reserved nor a file name.
pub(crate) fn email_ok(s: &[u8]) -> bool {
    let lower = s.to_ascii_lowercase();
    let Some(at) = lower.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let domain = &lower[at + 1..];
    let tld = domain.rsplit(|&b| b == b'.').next().unwrap_or(&[]);
    let is = |list: &[&str], v: &[u8]| list.iter().any(|x| x.as_bytes() == v);
    let reserved = RESERVED_DOMAINS
        .iter()
        .any(|d| domain == d.as_bytes() || domain.ends_with(format!(".{d}").as_bytes()));
    !(reserved || is(RESERVED_TLDS, tld) || is(FILE_EXTENSIONS, tld))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_need_luhn_and_issuer() {
        assert!(card_ok(b"4111 1111 1111 1111"));
        assert!(card_ok(b"5500-0000-0000-0004"));
        assert!(!card_ok(b"4111 1111 1111 1112"), "Luhn");
        assert!(!card_ok(b"9111111111111119"), "issuer");
        assert!(!card_ok(b"0000000000000000"));
    }

    #[test]
    fn ipv4_skips_local_and_versions() {
        assert!(ipv4_ok(b"8.8.8.8", b"dns "));
        assert!(ipv4_ok(b"203.0.113.7", b""));
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "0.0.0.0",
            "255.255.255.255",
        ] {
            assert!(!ipv4_ok(ip.as_bytes(), b""), "{ip}");
        }
        assert!(!ipv4_ok(b"8.8.8.8", b"version "));
        assert!(!ipv4_ok(b"8.8.8.8", b"v"));
        assert!(!ipv4_ok(b"999.1.1.1", b""));
    }

    #[test]
    fn ipv6_needs_groups_and_digits() {
        assert!(ipv6_ok(b"2001:db8:85a3::8a2e:370:7334"));
        assert!(!ipv6_ok(b"::1"));
        assert!(!ipv6_ok(b"fe80::1:2:3"));
        assert!(!ipv6_ok(b"face::add"));
    }

    #[test]
    fn phones_and_emails() {
        assert!(phone_ok(b"+1 415 555 0134"));
        assert!(!phone_ok(b"2024-01-15"));
        assert!(email_ok(b"jane.doe@contoso.com"));
        assert!(!email_ok(b"user@example.com"));
        assert!(!email_ok(b"icon@2x.png"));
    }
}
