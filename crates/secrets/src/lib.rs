//! Secret and personal-data scanning of text, for the aigis scanner.
//!
//! The rules are data: `rules/*.toml`, embedded at build time, each with a
//! regex whose `secret` group is the credential, the keywords that must occur
//! near it, randomness checks, documentation and examples that
//! [`check_rules`] (and a unit test) verify. [`SecretScanner`] compiles them
//! once; [`SecretScanner::scan`] finds which keywords occur in one
//! aho-corasick pass and runs only those rules' regexes, over windows of the
//! lines around each keyword.
//!
//! This crate only detects: it never prints, reads files or decides exit
//! codes, and the raw secret never leaves it except as a SHA-256
//! ([`SecretMatch::fingerprint_key`]).
//!
//! When matches of several rules overlap, the one of the most specific rule
//! is kept: rules declare a specificity (0 for the generic assignments, 1 for
//! provider formats, 2 for formats confirmed by nearby context such as a
//! Gemini key near `genai`, 3 for whole key files), then the longer secret,
//! then the lower rule id wins. Lines are 1-based; columns are 1-based byte
//! offsets in the line.
//!
//! Secret findings give the verdict `unapproved`: a real problem to fix, but
//! not `malicious` (nothing executes) nor `inconclusive` (the analysis did
//! finish).
//!
//! Input is bytes (invalid UTF-8 is fine). Limits: at most [`MAX_INPUT`]
//! bytes of one input are scanned (callers split larger texts), at most
//! [`MAX_MATCHES`] matches are returned per input.

mod allow;
mod check;
mod checks;

pub use checks::entropy;
mod matches;
mod personal;
mod registry;
mod scanner;
#[cfg(test)]
mod scanner_tests;
mod spec;
mod windows;

pub use check::check_rules;
pub use matches::SecretMatch;
pub use registry::rules;
pub use scanner::SecretScanner;

/// Bytes of one input that are scanned; the rest is ignored (callers split).
pub const MAX_INPUT: usize = 64 << 20;
/// Matches returned for one input at most; later ones are dropped.
pub const MAX_MATCHES: usize = 1_000;
/// Compiled NFA size limit of one rule's regex.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Lazy DFA cache capacity of one rule's regex.
pub const REGEX_DFA_LIMIT: usize = 2 << 20;

/// What to look for. Personal data (emails, phone numbers, card numbers, IP
/// addresses) is meant for notebook outputs and logs, not source code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kinds {
    /// Credentials: API keys, tokens, private keys, passwords.
    pub secrets: bool,
    /// Personal data: rules whose `personal = true`.
    pub personal_data: bool,
}

impl Kinds {
    /// Credentials only.
    pub const SECRETS: Kinds = Kinds {
        secrets: true,
        personal_data: false,
    };
    /// Credentials and personal data.
    pub const ALL: Kinds = Kinds {
        secrets: true,
        personal_data: true,
    };
}

/// Why the builtin rules could not be loaded: each means the embedded data is broken.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A rules file is not valid TOML or does not fit the rule schema.
    #[error("rules file {file}: {source}")]
    Toml {
        file: &'static str,
        #[source]
        source: toml::de::Error,
    },
    /// A rule's pattern does not compile (or exceeds the size limits).
    #[error("rule {id}: bad pattern: {source}")]
    Regex {
        id: String,
        #[source]
        source: Box<regex_automata::meta::BuildError>,
    },
    /// A rule breaks a schema invariant (id range, name, keywords, `secret` group...).
    #[error("rule {id}: {problem}")]
    Invalid { id: String, problem: String },
    /// The keyword automaton could not be built.
    #[error("keyword automaton: {0}")]
    Keywords(#[from] aho_corasick::BuildError),
}
