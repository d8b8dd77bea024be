//! The redaction pass every string field goes through before it is written.
//!
//! Two matchers, applied in order:
//! 1. a small built-in one for what a gateway is most likely to leak into a
//!    route, reason or identity by mistake: the word after `Bearer`/`Basic`,
//!    aigis API keys (`aig_` followed by 16 or more key characters), JWTs
//!    (three base64url segments, the first starting `eyJ`), and long
//!    high-entropy tokens (32+ key characters, letters and digits mixed,
//!    Shannon entropy of at least [`MIN_ENTROPY_BITS`] per character, so
//!    that UUIDs and hex digests stay readable);
//! 2. the project's secret rules ([`aigis_secrets::SecretScanner`], compiled
//!    once per process), for provider formats (cloud keys, SaaS tokens...).
//!
//! A match is replaced by `[REDACTED]`. It runs on the writer thread, not
//! the caller's, so its cost (microseconds per record) is off the request
//! path. Fields longer than [`MAX_FIELD_BYTES`] are cut first.

use aigis_secrets::{Kinds, SecretScanner};
use std::sync::OnceLock;

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";
/// Longest string field written; longer ones are cut (at a char boundary)
/// and end in `…`.
pub const MAX_FIELD_BYTES: usize = 1024;
/// Shortest token the entropy matcher considers.
pub const MIN_ENTROPY_LEN: usize = 32;
/// Bits per character above which a long mixed token is taken for a secret.
pub const MIN_ENTROPY_BITS: f64 = 4.0;
/// Shortest key part of an `aig_` API key.
const MIN_AIG_KEY_LEN: usize = 16;

fn scanner() -> Option<&'static SecretScanner> {
    static COMPILED: OnceLock<Option<SecretScanner>> = OnceLock::new();
    COMPILED.get_or_init(|| SecretScanner::new().ok()).as_ref()
}

/// Redact one string in place; returns whether anything was replaced.
pub fn redact_in_place(s: &mut String) -> bool {
    let mut changed = false;
    if s.len() > MAX_FIELD_BYTES {
        let mut cut = MAX_FIELD_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
        changed = true;
    }
    if let Some(out) = builtin(s) {
        *s = out;
        changed = true;
    }
    if let Some(sc) = scanner() {
        let mut spans: Vec<(usize, usize)> = sc
            .scan(s.as_bytes(), Kinds::SECRETS)
            .iter()
            .map(|m| (m.start, m.end))
            .collect();
        if !spans.is_empty() {
            spans.sort_unstable();
            *s = replace_spans(s, &spans);
            changed = true;
        }
    }
    changed
}

/// Whether `s` is a UTC timestamp exactly as [`crate::time::Civil::rfc3339`]
/// writes it (`2026-01-31T12:00:00.000Z`), or an id of two dash-separated
/// groups of 1 to 16 lower-case hex digits (the gateway's request ids).
/// Such values need no scan: the built-in matcher ignores hex-only tokens
/// and tokens under 32 characters, and no project rule fires on a short
/// hex run or a date without a keyword beside it, which a field scanned
/// alone does not have (the tests check both matchers on such values).
/// The writer skips the scan for `time` and `request_id` when this holds:
/// they are new in every record, so the memo cannot save it.
pub fn plain_time_or_id(s: &str) -> bool {
    // `d` stands for a digit; every other byte must be itself.
    const TIME: &[u8; 24] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    let is_time = s.len() == TIME.len()
        && s.bytes().zip(TIME).all(|(c, &p)| {
            if p == b'd' {
                c.is_ascii_digit()
            } else {
                c == p
            }
        });
    if is_time {
        return true;
    }
    let hex = |p: &str| {
        (1..=16).contains(&p.len()) && p.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
    };
    s.split_once('-')
        .is_some_and(|(a, rest)| hex(a) && hex(rest))
}

/// Values remembered by a [`RedactMemo`] before it starts over.
pub const MEMO_ENTRIES: usize = 4096;

/// Remembers what redaction did to values that repeat from record to record
/// (roles, routes, models, key ids, client addresses), so that each distinct
/// value is scanned once. Bounded: it forgets everything when full.
#[derive(Debug, Default)]
pub struct RedactMemo {
    seen: std::collections::HashMap<String, Option<String>>,
}

impl RedactMemo {
    /// [`redact_in_place`], remembered.
    pub fn redact_in_place(&mut self, s: &mut String) -> bool {
        if let Some(known) = self.seen.get(s.as_str()) {
            return match known {
                Some(redacted) => {
                    s.clone_from(redacted);
                    true
                }
                None => false,
            };
        }
        let original = s.clone();
        let changed = redact_in_place(s);
        if self.seen.len() >= MEMO_ENTRIES {
            self.seen.clear();
        }
        self.seen.insert(original, changed.then(|| s.clone()));
        changed
    }
}

/// Redact a copy.
pub fn redact(s: &str) -> String {
    let mut out = s.to_string();
    redact_in_place(&mut out);
    out
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '.' | '~')
}

/// The built-in matcher; `None` when nothing matched.
///
/// Runs of key characters are looked at whole (base64 may hold `/` and
/// end in `=`); a run that starts with `/` (a path) or has `=` inside (an
/// assignment) is looked at in its `/`- and `=`-separated parts instead.
fn builtin(s: &str) -> Option<String> {
    let mut spans = Vec::new();
    let mut after_scheme = false;
    for (start, run) in words(s, is_key_char) {
        let whole_ok = !run.starts_with('/') && !run.trim_end_matches('=').contains('=');
        if after_scheme || (whole_ok && looks_secret(run)) {
            spans.push((start, start + run.len()));
        } else {
            for (off, part) in words(run, |c| c != '/' && c != '=') {
                if looks_secret(part) {
                    spans.push((start + off, start + off + part.len()));
                }
            }
        }
        after_scheme = run.eq_ignore_ascii_case("bearer") || run.eq_ignore_ascii_case("basic");
    }
    (!spans.is_empty()).then(|| replace_spans(s, &spans))
}

/// Maximal runs of characters accepted by `keep`, with their byte offsets.
fn words(s: &str, keep: fn(char) -> bool) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (keep(c), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                out.push((st, s.get(st..i).unwrap_or("")));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.get(st..).unwrap_or("")));
    }
    out.into_iter()
}

fn looks_secret(w: &str) -> bool {
    if let Some(rest) = w.strip_prefix("aig_")
        && rest.len() >= MIN_AIG_KEY_LEN
    {
        return true;
    }
    if is_jwt(w) {
        return true;
    }
    high_entropy(w)
}

fn is_jwt(w: &str) -> bool {
    let mut parts = w.split('.');
    let (Some(h), Some(p), Some(_s)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    parts.next().is_none() && h.starts_with("eyJ") && h.len() >= 10 && p.len() >= 10
}

fn high_entropy(w: &str) -> bool {
    // Strip trailing punctuation that often follows a token in prose.
    let w = w.trim_end_matches(['.', '=']);
    if w.len() < MIN_ENTROPY_LEN {
        return false;
    }
    let has_digit = w.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = w.bytes().any(|b| b.is_ascii_alphabetic());
    let hex_only = w.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !has_digit || !has_alpha || hex_only {
        return false;
    }
    aigis_secrets::entropy(w.as_bytes()) >= MIN_ENTROPY_BITS
}

/// `s` with each (sorted, possibly overlapping) byte span replaced by
/// [`REDACTED`]. Spans not on char boundaries are widened to them.
fn replace_spans(s: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pos = 0usize;
    for &(mut start, mut end) in spans {
        while start > 0 && !s.is_char_boundary(start) {
            start -= 1;
        }
        end = end.min(s.len());
        while end < s.len() && !s.is_char_boundary(end) {
            end += 1;
        }
        if end <= pos {
            continue;
        }
        let start = start.max(pos);
        out.push_str(s.get(pos..start).unwrap_or(""));
        if !out.ends_with(REDACTED) {
            out.push_str(REDACTED);
        }
        pos = end;
    }
    out.push_str(s.get(pos..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan `plain_time_or_id` lets the writer skip would find nothing.
    #[test]
    fn plain_times_and_ids_hold_nothing_either_matcher_finds() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..3000 {
            let (a, b) = (next(), next());
            let id = format!("{:012x}-{:x}", a & 0xffff_ffff_ffff, b >> (b % 60));
            let long = format!("{a:016x}-{b:016x}");
            let when =
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(b % 8_000_000_000_000);
            let t = crate::time::Civil::from_system(when).rfc3339();
            for s in [id, long, t] {
                assert!(plain_time_or_id(&s), "{s}");
                assert_eq!(redact(&s), s);
            }
        }
    }

    #[test]
    fn other_shapes_are_not_plain() {
        for s in [
            "",
            "-",
            "abc",
            "0123456789abcdef0-1",
            "ABCDEF-12",
            "abc-def-012",
            "aig_0123456789abcdef-1",
            "2026-01-31T12:00:00.000Z ",
            "2026-01-31T12:00:00Z",
            "2026-01-31t12:00:00.000Z",
            "Bearer 2026-01-31T12:00",
        ] {
            assert!(!plain_time_or_id(s), "{s:?}");
        }
    }

    #[test]
    fn bearer_and_basic_credentials_are_redacted() {
        assert_eq!(
            redact("auth failed for Bearer abc.def-123"),
            "auth failed for Bearer [REDACTED]"
        );
        assert_eq!(redact("basic dXNlcjpwYXNz"), "basic [REDACTED]");
    }

    #[test]
    fn aigis_keys_and_jwts_are_redacted() {
        assert_eq!(
            redact("key=aig_0123456789abcdefXYZ rest"),
            "key=[REDACTED] rest"
        );
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(redact(&format!("token {jwt}")), "token [REDACTED]");
    }

    #[test]
    fn high_entropy_tokens_are_redacted_but_ids_and_digests_kept() {
        let secret = "Zk3q9Xv2Lp8Wn4Rt7Ys1Bd6Hc5Mf0Jg2Ua";
        assert_eq!(redact(&format!("/v1/{secret}/x")), "/v1/[REDACTED]/x");
        let uuid = "0b6f1c9e-3a57-4d2e-9c41-8f2a7d3b5e60";
        assert_eq!(redact(uuid), uuid);
        let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert_eq!(redact(digest), digest);
        let model = "meta-llama/Llama-3.1-8B-Instruct";
        assert_eq!(redact(model), model);
        assert_eq!(redact("POST"), "POST");
    }

    #[test]
    fn provider_formats_come_from_the_secret_rules() {
        // An AWS access key id: too short for the entropy matcher, found by
        // aigis-secrets' rules (written in two pieces, like their examples).
        let pat = format!("AKIA{}", "HUGO274PAFHSG4A7");
        assert!(builtin(&pat).is_none());
        let out = redact(&format!("upstream said {pat}"));
        assert!(!out.contains(&pat), "{out}");
        assert!(out.contains(REDACTED));
    }

    #[test]
    fn overlong_fields_are_cut_at_a_char_boundary() {
        let long = "é".repeat(MAX_FIELD_BYTES);
        let out = redact(&long);
        assert!(out.len() <= MAX_FIELD_BYTES + '…'.len_utf8());
        assert!(out.ends_with('…'));
    }
}

#[cfg(test)]
mod memo_tests {
    use super::*;

    #[test]
    fn memo_gives_the_same_answers_as_a_fresh_pass() {
        let mut memo = RedactMemo::default();
        let values = [
            "llama-3-8b",
            "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "aig_0123456789abcdef_0123456789abcdef0123456789",
            "chat",
        ];
        for _ in 0..3 {
            for v in values {
                let (mut a, mut b) = (v.to_string(), v.to_string());
                assert_eq!(memo.redact_in_place(&mut a), redact_in_place(&mut b), "{v}");
                assert_eq!(a, b, "{v}");
            }
        }
        assert_eq!(memo.seen.len(), values.len());
    }

    #[test]
    fn memo_stays_bounded() {
        let mut memo = RedactMemo::default();
        for i in 0..(MEMO_ENTRIES * 2 + 7) {
            memo.redact_in_place(&mut format!("model-{i}"));
        }
        assert!(memo.seen.len() <= MEMO_ENTRIES);
    }
}
