//! The on-disk line format and its parser (the verifier's hostile-input
//! entry point, fuzzed by `fuzz/fuzz_targets/audit_line.rs`).
//!
//! Every line is one JSON object terminated by `\n` with a `seq` (one more
//! than the previous line's, continuing across rotated files), a `prev` (hex
//! SHA-256 of the previous line's bytes without its `\n`) and exactly one
//! body:
//! - `genesis`: the first line of every file; its `prev` is 64 zeros for
//!   the first file of a chain, else the last line hash of the file named in
//!   `genesis.predecessor`;
//! - `record`: one [`crate::AuditRecord`];
//! - `gap`: records the writer had to drop (queue full), so that a drop is
//!   visible in the chain itself;
//! - `checkpoint` with `sig`: a signature over the chain head (see
//!   [`checkpoint_message`]).
//!
//! The parser checks sizes and shapes only; chain logic is in `verify`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Longest line accepted by default (bytes, without `\n`).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Longest signature accepted (base64 text).
pub const MAX_SIG_CHARS: usize = 512;
/// `prev` of the first line of a new chain.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Version written in (and required of) genesis lines.
pub const FORMAT_VERSION: u32 = 1;

/// A genesis body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub version: u32,
    pub created: String,
    /// File name of the previous file of the chain (after rotation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predecessor: Option<String>,
    /// Set when the predecessor's tail could not be read when this file was
    /// started (a crash mid-write): the chain restarts from the last
    /// complete line, or from zeros.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub predecessor_damaged: bool,
}

/// A gap body: `dropped` records were not written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub dropped: u64,
    pub time: String,
}

/// A checkpoint body: the chain up to line `seq` (whose hash is `hash`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: u64,
    pub hash: String,
    pub time: String,
    pub key_id: String,
    pub alg: String,
}

/// The bytes a checkpoint signature covers: fixed text built from the
/// fields, so that the verifier needs no canonical JSON.
pub fn checkpoint_message(c: &Checkpoint) -> Vec<u8> {
    format!(
        "aigis-audit-checkpoint/v1\nseq={}\nhash={}\ntime={}\nkey_id={}\nalg={}\n",
        c.seq, c.hash, c.time, c.key_id, c.alg
    )
    .into_bytes()
}

/// A record body as the verifier reads it: only the time is looked at (the
/// hash covers every byte anyway).
#[derive(Debug, Deserialize)]
pub struct RecordTime {
    pub time: String,
}

/// One parsed line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub seq: u64,
    pub prev: String,
    #[serde(default)]
    pub genesis: Option<Genesis>,
    #[serde(default)]
    pub record: Option<RecordTime>,
    #[serde(default)]
    pub gap: Option<Gap>,
    #[serde(default)]
    pub checkpoint: Option<Checkpoint>,
    #[serde(default)]
    pub sig: Option<String>,
}

/// Which body a line has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Genesis,
    Record,
    Gap,
    Checkpoint,
}

impl Line {
    pub fn kind(&self) -> Kind {
        if self.genesis.is_some() {
            Kind::Genesis
        } else if self.gap.is_some() {
            Kind::Gap
        } else if self.checkpoint.is_some() {
            Kind::Checkpoint
        } else {
            Kind::Record
        }
    }
}

/// Why a line is not a well-formed audit line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineError {
    TooLong { len: usize, max: usize },
    NotUtf8,
    NotJson(String),
    Shape(&'static str),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::TooLong { len, max } => write!(f, "line of {len} bytes (limit {max})"),
            LineError::NotUtf8 => write!(f, "not UTF-8"),
            LineError::NotJson(why) => write!(f, "not JSON: {why}"),
            LineError::Shape(why) => write!(f, "not an audit line: {why}"),
        }
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Parse one line (without its `\n`), checking sizes and shape.
pub fn parse_line(bytes: &[u8], max_line: usize) -> Result<Line, LineError> {
    if bytes.len() > max_line {
        return Err(LineError::TooLong {
            len: bytes.len(),
            max: max_line,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| LineError::NotUtf8)?;
    let line: Line = serde_json::from_str(text).map_err(|e| {
        // serde_json's message names positions and types, never values.
        LineError::NotJson(e.to_string())
    })?;
    let bodies = usize::from(line.genesis.is_some())
        + usize::from(line.record.is_some())
        + usize::from(line.gap.is_some())
        + usize::from(line.checkpoint.is_some());
    if bodies != 1 {
        return Err(LineError::Shape(
            "needs exactly one of genesis, record, gap, checkpoint",
        ));
    }
    if !is_hash(&line.prev) {
        return Err(LineError::Shape("prev is not 64 lowercase hex digits"));
    }
    match (&line.checkpoint, &line.sig) {
        (Some(c), Some(sig)) => {
            if !is_hash(&c.hash) {
                return Err(LineError::Shape("checkpoint hash is not 64 hex digits"));
            }
            if sig.is_empty() || sig.len() > MAX_SIG_CHARS {
                return Err(LineError::Shape("checkpoint signature empty or too long"));
            }
        }
        (Some(_), None) => return Err(LineError::Shape("checkpoint without sig")),
        (None, Some(_)) => return Err(LineError::Shape("sig without checkpoint")),
        (None, None) => {}
    }
    if let Some(g) = &line.genesis
        && g.version != FORMAT_VERSION
    {
        return Err(LineError::Shape("unsupported genesis version"));
    }
    Ok(line)
}

/// Hex SHA-256 of a line's bytes (without `\n`): the next line's `prev`.
pub fn line_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The serialized form of a line the writer produces (without `\n`).
#[derive(Serialize)]
pub(crate) struct LineOut<'a, T: Serialize> {
    pub seq: u64,
    pub prev: &'a str,
    #[serde(flatten)]
    pub body: T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_checked() {
        let ok = format!(r#"{{"seq":1,"prev":"{GENESIS_PREV}","record":{{"time":"t"}}}}"#);
        assert_eq!(
            parse_line(ok.as_bytes(), 1000).unwrap().kind(),
            Kind::Record
        );
        let two = format!(
            r#"{{"seq":1,"prev":"{GENESIS_PREV}","record":{{"time":"t"}},"gap":{{"dropped":1,"time":"t"}}}}"#
        );
        assert!(matches!(
            parse_line(two.as_bytes(), 1000),
            Err(LineError::Shape(_))
        ));
        let bad_prev = r#"{"seq":1,"prev":"xyz","record":{"time":"t"}}"#;
        assert!(parse_line(bad_prev.as_bytes(), 1000).is_err());
        let extra = format!(r#"{{"seq":1,"prev":"{GENESIS_PREV}","record":{{"time":"t"}},"x":1}}"#);
        assert!(matches!(
            parse_line(extra.as_bytes(), 1000),
            Err(LineError::NotJson(_))
        ));
        assert!(matches!(
            parse_line(ok.as_bytes(), 10),
            Err(LineError::TooLong { .. })
        ));
        assert_eq!(parse_line(b"\xff", 10).unwrap_err(), LineError::NotUtf8);
        let deep = "[".repeat(10_000);
        assert!(parse_line(deep.as_bytes(), 100_000).is_err());
    }
}
