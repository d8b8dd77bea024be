//! The rule schema of `rules/*.toml` and its invariants.
//!
//! This module only parses and validates the embedded data; compiling the
//! patterns is the registry's job and matching the scanner's.

use crate::SecretsError;
use aigis_findings::Severity;
use serde::Deserialize;

/// The embedded rule files, one per family.
pub(crate) const RULE_FILES: &[(&str, &str)] = &[
    ("cloud.toml", include_str!("../rules/cloud.toml")),
    ("ai.toml", include_str!("../rules/ai.toml")),
    ("vcs.toml", include_str!("../rules/vcs.toml")),
    ("saas.toml", include_str!("../rules/saas.toml")),
    ("keys.toml", include_str!("../rules/keys.toml")),
    ("generic.toml", include_str!("../rules/generic.toml")),
    ("personal.toml", include_str!("../rules/personal.toml")),
];

/// Default bytes a window reaches before and after a keyword.
const DEFAULT_WINDOW_BYTES: u32 = 1024;
/// Largest window reach a rule may ask for.
const MAX_WINDOW_BYTES: u32 = 64 << 10;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rule: Vec<RuleSpec>,
}

/// An example, written whole or in pieces that are concatenated (so that no
/// complete token-shaped string sits in the source tree).
#[derive(Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Example {
    Text(String),
    Pieces(Vec<String>),
}

impl Example {
    pub(crate) fn text(&self) -> String {
        match self {
            Example::Text(s) => s.clone(),
            Example::Pieces(p) => p.concat(),
        }
    }
}

/// A check on the captured secret, beyond the regex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Check {
    /// At least two of lowercase, uppercase, digits (random tokens mix them).
    Mixed,
    /// Not only hex digits (digests, git revisions).
    NotHex,
    /// Not a hex digest of SHA-1, SHA-256 or SHA-512 length (git revisions, checksums).
    NotDigest,
    /// Not only letters and separators (dictionary words, identifiers).
    NotWords,
    /// The `key` group must not name an id, path, length... (`token_id`).
    KeyName,
    /// A bare (unquoted) value that is an identifier or dotted path is a code
    /// reference, except in YAML (`key: value`) and `.env` (`KEY=value`) shapes.
    Assignment,
    /// The password of a URL: not equal to the user, not a dev default.
    DbPassword,
    /// The first part decodes to a JSON object with `"alg"`.
    JwtHeader,
    /// A payment card number: Luhn and a known issuer prefix.
    Card,
    /// A public IPv4 address, not a version string.
    Ipv4,
    /// A parseable, non-local IPv6 address.
    Ipv6,
    /// A phone number: 7 to 15 digits, not a date.
    Phone,
    /// An email address whose domain is not reserved or a file name.
    Email,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSpec {
    pub id: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default)]
    pub personal: bool,
    pub keywords: Vec<String>,
    pub pattern: String,
    #[serde(default)]
    pub min_entropy: Option<f64>,
    #[serde(default)]
    pub min_length: Option<usize>,
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Overlapping matches: the higher specificity is kept (generic 0, plain 1, context 2).
    #[serde(default = "one")]
    pub specificity: u8,
    #[serde(default)]
    pub lines_before: u32,
    #[serde(default)]
    pub lines_after: u32,
    #[serde(default = "default_window")]
    pub window_bytes: u32,
    /// The regex runs anchored at each keyword hit (the pattern starts with
    /// the keyword) instead of over the lines around it; a `key` group is
    /// extended back over the identifier the keyword ends.
    #[serde(default)]
    pub anchored: bool,
    pub examples: Vec<Example>,
    pub negative_examples: Vec<Example>,
    pub what: String,
    pub why: String,
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
    pub checklist: Vec<String>,
}

fn one() -> u8 {
    1
}

fn default_window() -> u32 {
    DEFAULT_WINDOW_BYTES
}

/// Every rule of every embedded file, sorted by id, validated.
pub(crate) fn load() -> Result<Vec<RuleSpec>, SecretsError> {
    let mut all = Vec::new();
    for (file, text) in RULE_FILES {
        let parsed: RuleFile =
            toml::from_str(text).map_err(|source| SecretsError::Toml { file, source })?;
        all.extend(parsed.rule);
    }
    all.sort_by(|a, b| a.id.cmp(&b.id));
    for pair in all.windows(2) {
        if pair[0].id == pair[1].id {
            return Err(invalid(&pair[0].id, "duplicate id"));
        }
    }
    for spec in &all {
        validate(spec)?;
    }
    Ok(all)
}

fn invalid(id: &str, problem: &str) -> SecretsError {
    SecretsError::Invalid {
        id: id.to_string(),
        problem: problem.to_string(),
    }
}

fn validate(s: &RuleSpec) -> Result<(), SecretsError> {
    let num = s.id.strip_prefix("AIG").and_then(|n| n.parse::<u32>().ok());
    if !num.is_some_and(|n| (300..400).contains(&n)) || s.id.len() != 6 {
        return Err(invalid(&s.id, "id must be AIG300..AIG399"));
    }
    let kebab = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if s.name.is_empty() || !s.name.chars().all(kebab) || s.name.starts_with('-') {
        return Err(invalid(&s.id, "name must be kebab-case"));
    }
    if s.keywords.is_empty() && !s.personal {
        return Err(invalid(&s.id, "a secret rule needs keywords"));
    }
    if s.keywords
        .iter()
        .any(|k| k.len() < 2 || *k != k.to_ascii_lowercase())
    {
        return Err(invalid(&s.id, "keywords are lowercase, 2 bytes or more"));
    }
    if !s.pattern.contains("(?P<secret>") {
        return Err(invalid(&s.id, "pattern has no `secret` group"));
    }
    if s.window_bytes > MAX_WINDOW_BYTES {
        return Err(invalid(&s.id, "window_bytes over the limit"));
    }
    if s.examples.is_empty() || s.negative_examples.is_empty() {
        return Err(invalid(&s.id, "needs examples and negative examples"));
    }
    let docs = [&s.title, &s.what, &s.why, &s.fix];
    if docs.iter().any(|d| d.trim().is_empty()) || s.checklist.is_empty() {
        return Err(invalid(
            &s.id,
            "title, what, why, fix and checklist are required",
        ));
    }
    Ok(())
}
