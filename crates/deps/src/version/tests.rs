//! PEP 440 conformance table: the PEP's own examples (ordering, epochs,
//! pre/post/dev releases, normalisation, local versions) and ML-style local
//! builds, checked through this module.

use super::*;
use std::cmp::Ordering;

/// Versions in strictly increasing order, from the PEP's examples
/// ("Summary of permitted suffixes and relative ordering") plus epochs
/// and local labels.
const ORDERED: &[&str] = &[
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0rc1.dev456",
    "1.0rc1",
    "1.0",
    "1.0+abc.5",
    "1.0+abc.7",
    "1.0+5",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.15",
    "1.1.dev1",
    "2.1.0",
    "2.1.0+cpu",
    "2.1.0+cu118",
    "2.1.0+cu121",
    "2.1.1",
    "1!0.1",
    "1!1.0",
];

#[test]
fn pep440_ordering_table() {
    for pair in ORDERED.windows(2) {
        let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let (va, vb) = (parse(a).expect(a), parse(b).expect(b));
        assert_eq!(va.cmp(&vb), Ordering::Less, "{a} < {b}");
    }
}

#[test]
fn pep440_normalisation_examples() {
    // (written, normal form) from the PEP's "Normalization" section.
    for (written, normal) in [
        ("1.0a", "1.0a0"),
        ("1.0alpha1", "1.0a1"),
        ("1.1beta2", "1.1b2"),
        ("1.0c1", "1.0rc1"),
        ("1.0pre1", "1.0rc1"),
        ("1.0preview1", "1.0rc1"),
        ("1.0-post1", "1.0.post1"),
        ("1.0post", "1.0.post0"),
        ("1.0rev1", "1.0.post1"),
        ("1.0r1", "1.0.post1"),
        ("1.0-1", "1.0.post1"),
        ("1.0-dev1", "1.0.dev1"),
        ("v1.0", "1.0"),
        ("1.0+ubuntu-1", "1.0+ubuntu.1"),
        ("1.0+UBUNTU_1", "1.0+ubuntu.1"),
        ("01.02", "1.2"),
        ("  1.0  ", "1.0"),
        ("1.0.RC1", "1.0rc1"),
    ] {
        let v = parse(written).unwrap_or_else(|| panic!("{written} parses"));
        assert_eq!(v.to_string(), normal, "{written}");
        assert_eq!(v, parse(normal).expect(normal));
    }
    // Release segments compare with zero padding.
    assert_eq!(parse("1.0"), parse("1.0.0"));
    assert_eq!(parse("1!2.0").map(|v| v.epoch()), Some(1));
}

#[test]
fn not_pep440() {
    for bad in [
        "",
        "latest",
        "1.0-beta-2-final",
        "1.0++",
        "1..0",
        "abc1.0",
        "1.0+",
        "dev",
    ] {
        assert!(parse(bad).is_none(), "{bad} must not parse");
    }
}

#[test]
fn specifiers_pins_and_ranges() {
    let pin = |s: &str| {
        parse_specifiers(s)
            .ok()
            .and_then(|p| pinned(&p).map(ToString::to_string))
    };
    assert_eq!(pin("==2.1.0+cu121").as_deref(), Some("2.1.0+cu121"));
    assert_eq!(pin("===1.0").as_deref(), Some("1.0"));
    assert_eq!(pin("==1.0,!=1.0.post1").as_deref(), Some("1.0"));
    assert_eq!(pin("==1.*"), None);
    assert_eq!(pin(">=1.0"), None);
    assert_eq!(pin(""), None);
    assert!(parse_specifiers(">=1.0,<2").is_ok());
    assert!(parse_specifiers("=>1.0").is_err());
    // PEP 440 `~=` and `==` with local labels.
    let s = parse_specifiers("~=2.2").unwrap_or_else(|e| panic!("{e}"));
    assert!(s.contains(&parse("2.3").expect("v")) && !s.contains(&parse("3.0").expect("v")));
    let s = parse_specifiers("==2.1.0").unwrap_or_else(|e| panic!("{e}"));
    assert!(s.contains(&parse("2.1.0+cu121").expect("v")));
    // PEP 440: `<V` does not admit pre-releases of V itself, though they sort below it.
    let s = parse_specifiers("<1.0").unwrap_or_else(|e| panic!("{e}"));
    assert!(!s.contains(&parse("1.0rc1").expect("v")) && s.contains(&parse("0.9").expect("v")));
    assert!(parse("1.0rc1") < parse("1.0"));
}

#[test]
fn local_builds_match_their_release() {
    let v = |s: &str| parse(s).expect(s);
    assert!(same_release(&v("2.1.0+cu121"), &v("2.1.0")));
    assert!(!same_release(&v("2.1.0"), &v("2.1.0+cu121")));
    assert!(same_release(&v("2.1.0+cu121"), &v("2.1.0+cu121")));
    assert!(!same_release(&v("2.1.1+cu121"), &v("2.1.0")));
}
