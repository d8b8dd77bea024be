//! One match of a rule, and the passes over a scan's candidates: overlap
//! resolution and line/column numbering.
//!
//! The raw secret is held privately: `Debug` and `Serialize` show only the
//! rule, the position and the redacted form, and the only way out is a
//! SHA-256 ([`SecretMatch::fingerprint_key`]).

use aigis_findings::Rule;
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;

/// A secret (or personal datum) found in the text.
#[derive(Clone, Serialize)]
pub struct SecretMatch {
    /// The rule that found it (its id when serialized).
    #[serde(serialize_with = "rule_id")]
    pub rule: &'static Rule,
    /// Byte offset of the secret's first byte in the input.
    pub start: usize,
    /// Byte offset one past the secret's last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column of `start`, in bytes from the line start (so exact for
    /// any input, UTF-8 or not).
    pub column: u32,
    /// A few leading characters, `…`, and the length: never the whole secret.
    pub redacted: String,
    #[serde(skip)]
    secret: String,
    #[serde(skip)]
    pub(crate) specificity: u8,
}

fn rule_id<S: Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.id)
}

impl fmt::Debug for SecretMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretMatch")
            .field("rule", &self.rule.id)
            .field("start", &self.start)
            .field("end", &self.end)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("redacted", &self.redacted)
            .finish_non_exhaustive()
    }
}

impl SecretMatch {
    /// `secret` is the matched bytes, found at `start`.
    pub(crate) fn new(rule: &'static Rule, specificity: u8, start: usize, secret: &[u8]) -> Self {
        let end = start + secret.len();
        let secret = String::from_utf8_lossy(secret).into_owned();
        SecretMatch {
            rule,
            start,
            end,
            line: 0,
            column: 0,
            redacted: redact(&secret),
            secret,
            specificity,
        }
    }

    /// Hex SHA-256 of the secret: the key for [`aigis_findings::Finding::new`]
    /// (so that a baseline recognises the same secret after it moves) and for
    /// recognising one secret in several files, without storing it.
    pub fn fingerprint_key(&self) -> String {
        let digest = Sha256::digest(self.secret.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The secret itself, for this crate's own tests.
    #[cfg(test)]
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

/// `ghp_…(40)`: at most 4 leading characters and never more than a quarter of
/// the secret, so short secrets show less (down to none).
pub(crate) fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown: String = secret.chars().take((n / 4).min(4)).collect();
    format!("{shown}…({n})")
}

/// Keeps, of overlapping candidates, the most specific rule's (then the
/// longest secret, then the lowest rule id); returns them sorted by start.
pub(crate) fn resolve_overlaps(mut found: Vec<SecretMatch>) -> Vec<SecretMatch> {
    found.sort_by(|a, b| {
        b.specificity
            .cmp(&a.specificity)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.rule.id.cmp(b.rule.id))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: std::collections::BTreeMap<usize, SecretMatch> = Default::default();
    for m in found {
        let before = kept.range(..m.end).next_back();
        let overlaps = before.is_some_and(|(_, k)| k.end > m.start);
        if !overlaps {
            kept.insert(m.start, m);
        }
    }
    kept.into_values().collect()
}

/// Fills `line` and `column` of matches sorted by start, counting line breaks
/// once over the input.
pub(crate) fn number_lines(text: &[u8], matches: &mut [SecretMatch]) {
    let (mut pos, mut line, mut line_start) = (0usize, 1u32, 0usize);
    for m in matches.iter_mut() {
        let upto = m.start.min(text.len());
        if let Some(seg) = text.get(pos..upto) {
            for (i, &b) in seg.iter().enumerate() {
                if b == b'\n' {
                    line = line.saturating_add(1);
                    line_start = pos + i + 1;
                }
            }
            pos = upto;
        }
        m.line = line;
        m.column = u32::try_from(m.start - line_start + 1).unwrap_or(u32::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_never_shows_the_whole_secret() {
        assert_eq!(
            redact("ghp_0123456789abcdef0123456789abcdef0123"),
            "ghp_…(40)"
        );
        assert_eq!(redact("hunter2x"), "hu…(8)");
        assert_eq!(redact("abc"), "…(3)");
        for n in 1..40 {
            let s: String = "k".repeat(n);
            assert!(!redact(&s).contains(&s), "{n}");
        }
    }
}
