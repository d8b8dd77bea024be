//! Checks a regex cannot express: randomness (Shannon entropy, character
//! classes), placeholders, and the structure of JWTs.
//!
//! Every check is a pure function of the candidate; none allocates more than
//! the candidate's size.

use crate::personal;
use crate::spec::Check;

/// Bytes of context before a candidate the checks may look at.
pub(crate) const BEFORE_CONTEXT: usize = 16;
/// A JWT header longer than this (base64url characters) is not decoded.
const MAX_JWT_HEADER: usize = 2048;

/// What a check sees of one regex match.
pub(crate) struct Candidate<'a> {
    pub secret: &'a [u8],
    /// The `key` group (the name a value is assigned to), if the rule has one.
    pub key: Option<&'a [u8]>,
    /// The `user` group (of a URL), if the rule has one.
    pub user: Option<&'a [u8]>,
    /// Up to [`BEFORE_CONTEXT`] bytes before the secret.
    pub before: &'a [u8],
    /// The `kq` group: the quote closing a quoted key.
    pub key_quote: Option<&'a [u8]>,
    /// The `vq` group: the quote opening a quoted value.
    pub value_quote: Option<&'a [u8]>,
    /// The `sep` group: `=`, `:`, `=>` with their spacing.
    pub sep: Option<&'a [u8]>,
}

/// Shannon entropy of `s` in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that mark a value as a placeholder wherever they occur in it.
const PLACEHOLDER_PARTS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "redacted",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "xxxx",
    "****",
    "....",
    "dummy",
    "sample",
    "insert",
    "replace",
];
/// Values that are placeholders when they are the whole value.
const PLACEHOLDER_WHOLE: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "undefined",
    "test",
    "admin",
    "root",
    "default",
    "string",
    "value",
    "pass",
];

/// Credentials published on purpose (emulators, vendor docs): the Azurite
/// storage emulator's account key.
const KNOWN_PUBLIC: &[&str] = &["eby8vdm02xnocqflquwjpllmetlcdxj1ouzft50usrz6ifsufq2uvercz4i6tq"];

/// Values that are public by design or test-mode only (Stripe publishable and test keys).
const PUBLIC_PREFIXES: &[&str] = &["pk_live_", "pk_test_", "sk_test_", "rk_test_"];

/// A placeholder: templating (`${X}`, `{{x}}`, `<x>`, `%(x)s`, `$X`), an
/// environment lookup, a known filler word, empty, one repeated character, a
/// YAML tag (`!vault`), or a value public by design.
pub(crate) fn is_placeholder(s: &[u8]) -> bool {
    let lower = s.to_ascii_lowercase();
    let Some(&first) = lower.first() else {
        return true;
    };
    if lower.iter().all(|&b| b == first) {
        return true;
    }
    let has = |needle: &str| lower.windows(needle.len()).any(|w| w == needle.as_bytes());
    let templated = has("${") || has("{{") || has("%(") || has("environ") || has("getenv");
    let wrapped = matches!(
        (first, lower.last()),
        (b'<', Some(b'>')) | (b'[', Some(b']'))
    );
    templated
        || wrapped
        || first == b'$'
        || first == b'!'
        || KNOWN_PUBLIC.iter().any(|p| has(p))
        || PUBLIC_PREFIXES
            .iter()
            .any(|p| lower.starts_with(p.as_bytes()))
        || PLACEHOLDER_PARTS.iter().any(|p| has(p))
        || PLACEHOLDER_WHOLE.iter().any(|w| lower == w.as_bytes())
}

fn classes(s: &[u8]) -> usize {
    let lower = s.iter().any(u8::is_ascii_lowercase);
    let upper = s.iter().any(u8::is_ascii_uppercase);
    let digit = s.iter().any(u8::is_ascii_digit);
    usize::from(lower) + usize::from(upper) + usize::from(digit)
}

fn is_hex(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_hexdigit)
}

/// SHA-1 (and git revisions), SHA-256, SHA-512 lengths in hex.
const DIGEST_HEX_LENGTHS: &[usize] = &[40, 64, 128];

fn is_digest(s: &[u8]) -> bool {
    DIGEST_HEX_LENGTHS.contains(&s.len()) && is_hex(s)
}

/// `name` or `a.b.c`: what a bare value is when it refers to code.
fn is_identifier_path(s: &[u8]) -> bool {
    s.split(|&b| b == b'.').all(|part| {
        part.first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && part.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    })
}

/// Quoted values are literals. A bare dotted path is code; a bare identifier
/// is a literal only in YAML (`key: value`, the key unquoted) or `.env`
/// (`UPPER_KEY=value`, no spaces).
fn assignment_ok(c: &Candidate<'_>) -> bool {
    if c.value_quote.is_some() || !is_identifier_path(c.secret) {
        return true;
    }
    // A dotted path (`ed25519.Ed25519PrivateKey`, `settings.API_KEY`) is code in every shape.
    if c.secret.contains(&b'.') {
        return false;
    }
    let sep = c.sep.unwrap_or(&[]);
    let yaml = sep.trim_ascii() == b":" && c.key_quote.is_none();
    let upper_key = c.key.is_some_and(|k| {
        k.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
    });
    yaml || (sep == b"=" && upper_key)
}

/// Only letters and separators: an identifier or a phrase, not a random value.
fn is_words(s: &[u8]) -> bool {
    s.iter()
        .all(|b| b.is_ascii_alphabetic() || b"_-. ".contains(b))
}

/// Key names that hold a non-secret about a secret (`token_id`, `secret_name`).
const NON_SECRET_KEY_SUFFIXES: &[&str] = &[
    "id", "ids", "name", "names", "path", "file", "dir", "type", "url", "uri", "len", "length",
    "size", "count", "limit", "field", "header", "prefix", "env", "var", "key_name", "format",
];

fn key_is_secret(key: &[u8]) -> bool {
    let lower = key.to_ascii_lowercase();
    let last = lower
        .rsplit(|b| matches!(b, b'_' | b'-' | b'.'))
        .next()
        .unwrap_or(&[]);
    !NON_SECRET_KEY_SUFFIXES
        .iter()
        .any(|s| last == s.as_bytes() || lower.ends_with(s.as_bytes()) && s.contains('_'))
}

/// Passwords of database URLs that are development defaults or copies of the user.
const DB_DEFAULTS: &[&str] = &[
    "postgres", "mysql", "redis", "mongo", "guest", "user", "pwd",
];

fn db_password_ok(c: &Candidate<'_>) -> bool {
    let lower = c.secret.to_ascii_lowercase();
    c.user != Some(c.secret) && !DB_DEFAULTS.iter().any(|d| lower == d.as_bytes())
}

/// Decodes base64url or standard base64 (padding optional, as JWT writers
/// vary); `None` on a character outside both alphabets.
pub(crate) fn base64url(s: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::DecodePaddingMode;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
    const STD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    URL.decode(s).or_else(|_| STD.decode(s)).ok()
}

/// The first dot-separated part decodes to a JSON object naming `"alg"`.
fn jwt_header_ok(token: &[u8]) -> bool {
    let header = token.split(|&b| b == b'.').next().unwrap_or(&[]);
    if header.len() > MAX_JWT_HEADER {
        return false;
    }
    let Some(json) = base64url(header) else {
        return false;
    };
    let trimmed = json.trim_ascii();
    trimmed.starts_with(b"{") && trimmed.ends_with(b"}") && json.windows(5).any(|w| w == b"\"alg\"")
}

/// Whether the candidate passes `check`.
pub(crate) fn passes(check: Check, c: &Candidate<'_>) -> bool {
    let s = c.secret;
    match check {
        Check::Mixed => classes(s) >= 2,
        Check::NotHex => !is_hex(s),
        Check::NotDigest => !is_digest(s),
        Check::Assignment => assignment_ok(c),
        Check::NotWords => !is_words(s),
        Check::KeyName => c.key.is_none_or(key_is_secret),
        Check::DbPassword => db_password_ok(c),
        Check::JwtHeader => jwt_header_ok(s),
        Check::Card => personal::card_ok(s),
        Check::Ipv4 => personal::ipv4_ok(s, c.before),
        Check::Ipv6 => personal::ipv6_ok(s),
        Check::Phone => personal::phone_ok(s),
        Check::Email => personal::email_ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(entropy(b"Xk9#mQ2$vL7!pR4@") > 3.9);
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "",
            "changeme",
            "password",
            "${DB_PASSWORD}",
            "{{ secret }}",
            "<your-token>",
            "%(pw)s",
            "xxxxxxxxxxxx",
            "aaaaaaaa",
            "os.environ['X']",
            "$API_KEY",
            "EXAMPLEKEY",
            "your_api_key_here",
            "********",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in ["Zq8#rT4vLm2$", "hunter2x7Q"] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn classes_hex_digests_words() {
        assert!(is_hex(b"da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        assert!(is_digest(b"da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        assert!(
            !is_digest(b"d84173581569969e58b081006f7e3dfc"),
            "32 hex: API key shape"
        );
        assert!(is_identifier_path(b"self.config.pw_2"));
        assert!(!is_identifier_path(b"s3cr3t-P4ss"));
        assert!(is_words(b"bert-base-uncased"));
        assert!(!is_words(b"bert-base-2"));
        assert_eq!(classes(b"abcD1"), 3);
    }

    #[test]
    fn key_names_about_secrets_are_not_secrets() {
        assert!(!key_is_secret(b"token_id"));
        assert!(!key_is_secret(b"SECRET_NAME"));
        assert!(!key_is_secret(b"tokenizer_path"));
        assert!(key_is_secret(b"api_key"));
        assert!(key_is_secret(b"DB_PASSWORD"));
    }

    #[test]
    fn jwt_header_must_be_json_with_alg() {
        let header = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.x.y";
        assert!(jwt_header_ok(header));
        assert!(
            !jwt_header_ok(b"eyJmb28iOiJiYXIifQ.x.y"),
            "{{\"foo\":\"bar\"}}"
        );
        assert!(!jwt_header_ok(b"e!J.x.y"));
    }
}
