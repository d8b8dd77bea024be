//! Payloads hidden in metadata strings: the string itself (a pickle's
//! latin-1 text, a script, Python source), and what it decodes to as hex or
//! base64 (a `data:` URI included). Decoded bytes are classified by strong
//! signatures only — a 32-byte hash that happens to start like a pickle or
//! a zlib stream is not a payload — and the caller scans model formats
//! among them like files.

use super::ModelScanner;
use super::sniff::{self, Kind};
use aigis_findings::{Finding, Location};
use aigis_pickle::{Limits, Options, Stop};

/// Shortest encoded string worth decoding.
pub(super) const MIN_ENCODED_LEN: usize = 16;
/// Longest string decoded (safetensors headers are at most 100 MB).
pub(super) const MAX_ENCODED_LEN: usize = 96 << 20;

/// One reading of a string: how it was decoded, and the bytes.
pub(super) struct Reading {
    pub encoding: &'static str,
    pub bytes: Vec<u8>,
}

/// The byte readings of `value` worth classifying: latin-1 (how Python
/// code stores bytes in a str), hex, base64.
pub(super) fn readings(value: &str) -> Vec<Reading> {
    let mut out = Vec::new();
    if value.chars().all(|c| u32::from(c) <= 0xff) {
        out.push(Reading {
            encoding: "raw",
            bytes: value.chars().map(|c| u32::from(c) as u8).collect(),
        });
    }
    let trimmed = value.trim();
    let body = match trimmed.strip_prefix("data:") {
        Some(uri) => uri.split_once(";base64,").map_or("", |(_, b)| b),
        None => trimmed,
    };
    if body.len() < MIN_ENCODED_LEN || body.len() > MAX_ENCODED_LEN {
        return out;
    }
    if let Some(bytes) = hex(body) {
        out.push(Reading {
            encoding: "hex-encoded",
            bytes,
        });
    } else if let Some(bytes) = base64(body) {
        out.push(Reading {
            encoding: "base64-encoded",
            bytes,
        });
    }
    out
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| {
            let d = |c: u8| (c as char).to_digit(16);
            Some((d(*p.first()?)? * 16 + d(*p.get(1)?)?) as u8)
        })
        .collect()
}

/// Standard or URL-safe base64, padding optional, whitespace ignored.
fn base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut padding = false;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// An executable or script, by its magic number.
pub(super) fn executable(b: &[u8]) -> Option<&'static str> {
    match b {
        [0x7f, b'E', b'L', b'F', 1 | 2, ..] => Some("ELF executable"),
        [b'M', b'Z', ..] => {
            let at = u32_le(b, 0x3c)? as usize;
            (b.get(at..at.checked_add(4)?) == Some(b"PE\0\0")).then_some("Windows PE executable")
        }
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
            Some("Mach-O executable")
        }
        [b'#', b'!', b'/', ..] => Some("script with a #! line"),
        _ => None,
    }
}

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Is this really a pickle (not bytes that start like one)? It must import
/// or call something, or run to its STOP opcode.
pub(super) fn is_pickle(b: &[u8]) -> bool {
    let head = b.get(..super::sniff::SNIFF_LEN.min(b.len())).unwrap_or(b);
    if !super::sniff::looks_like_pickle(head) {
        return false;
    }
    let opts = Options {
        limits: Limits::default(),
        multi_stream: false,
        capture_args_of: &|_, _| false,
        joblib_arrays: false,
    };
    let a = aigis_pickle::analyze(b, &opts);
    let protocol2 = matches!(b, [0x80, 2..=5, ..]);
    !a.imports.is_empty() || (protocol2 && matches!(a.stop, Stop::Complete) && a.opcodes >= 3)
}

/// Is `b`, sniffed as `kind`, really that format? Short magic numbers
/// (zlib's two bytes, a safetensors length, `GGUF` at the start of a
/// sentence) occur by chance in hashes and text, so the format must parse.
pub(super) fn is_strong(kind: Kind, b: &[u8]) -> bool {
    use aigis_formats::compress::Compression as C;
    match kind {
        Kind::Pickle | Kind::LegacyTorch => is_pickle(b),
        Kind::Compressed(C::Gzip) => b.get(2) == Some(&8),
        Kind::Compressed(C::Bzip2) => b.get(4..10) == Some(b"1AY&SY"),
        Kind::Compressed(C::Xz | C::Lz4Frame) => true,
        Kind::Compressed(_) => false,
        Kind::Safetensors => aigis_formats::safetensors::parse(b).is_ok(),
        Kind::Gguf => aigis_formats::gguf::parse(b).is_ok_and(|g| g.stop.is_none()),
        Kind::Zip => aigis_formats::zip::Archive::parse(b).is_ok(),
        Kind::Npy => aigis_formats::npy::parse(b).is_ok(),
        Kind::Tar => true,
        Kind::Hdf5 => aigis_formats::hdf5::read_root(b).is_ok(),
        Kind::SevenZip => true,
        // Protobufs have no magic: a structural match in metadata is chance.
        Kind::TensorFlow(_) => false,
        Kind::Onnx => false,
        // Eight bytes of identifier and offset: the tables must read.
        Kind::TfLite => aigis_formats::tflite::parse(b)
            .is_ok_and(|m| m.stop.is_none() && !m.subgraphs.is_empty()),
    }
}

/// Python source that imports or executes: the marker found, if any.
pub(super) fn python_marker(text: &str) -> Option<&'static str> {
    /// (needle, needs a word boundary after it, needs an argument after it)
    const MARKERS: &[(&str, bool, bool)] = &[
        ("__import__(", false, true),
        ("import os", true, false),
        ("import subprocess", true, false),
        ("import pty", true, false),
        ("import socket", true, false),
        ("from os import", false, false),
        ("from subprocess import", false, false),
        ("os.system(", false, true),
        ("os.popen(", false, true),
        ("subprocess.", false, false),
        ("pty.spawn(", false, true),
        ("exec(", false, true),
        ("eval(", false, true),
        ("compile(", false, true),
        ("__builtins__", false, false),
    ];
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    for (needle, boundary_after, argument) in MARKERS {
        for (at, _) in text.match_indices(needle) {
            let before = text.get(..at).and_then(|t| t.chars().next_back());
            let after = text.get(at + needle.len()..).and_then(|t| t.chars().next());
            let starts_word = before.is_none_or(|c| !ident(c) && c != '.');
            let ends_word = !boundary_after || after.is_none_or(|c| !ident(c));
            // `eval()` in prose is not a call with something to run.
            let has_argument = !argument || after.is_some_and(|c| c != ')');
            if starts_word && ends_word && has_argument {
                return Some(needle);
            }
        }
    }
    None
}

/// A metadata field whose string value is checked for payloads.
pub(super) struct Field<'a> {
    /// The rule a payload found there fires.
    pub rule: &'static aigis_findings::Rule,
    /// How the format calls its metadata (`__metadata__`, `metadata`).
    pub label: &'static str,
    pub key: &'a str,
}

fn payload_finding(f: &Field<'_>, loc: &Location, what: &str, value: &str) -> Finding {
    Finding::new(
        f.rule,
        loc.clone(),
        format!("{} '{}' holds {what}", f.label, f.key),
        &format!("{}\0{what}", f.key),
    )
    .with_evidence(super::inspect::shorten(value, 120))
}

/// Secrets in one metadata string, when the secret rules are selected:
/// `where_` names the field (`__metadata__['hub_token']`). Tokens in model
/// metadata travel with every copy of the model.
pub(super) fn secrets_in(
    s: &ModelScanner<'_>,
    where_: &str,
    value: &[u8],
    loc: &Location,
    out: &mut Vec<Finding>,
) {
    if !s.secrets || value.len() > MAX_SECRET_SCANNED {
        return;
    }
    let Some(scanner) = crate::text::shared_secrets() else {
        return;
    };
    for m in scanner.scan(value, aigis_secrets::Kinds::SECRETS) {
        // The field as a member, like a payload scanned inside it: each
        // place of the same secret keeps its own fingerprint.
        let at = loc.member(format!("<{where_}>"));
        out.push(crate::text::secret_finding(
            &m,
            at,
            &format!(" in {where_}"),
        ));
    }
}

/// Longest metadata string given to the secret rules.
const MAX_SECRET_SCANNED: usize = 16 << 20;

/// Decode one metadata string every way [`readings`] knows and report what
/// it carries: an executable, a pickle or archive (scanned like a file), or
/// Python source that imports or executes.
pub(super) fn check_string(
    s: &ModelScanner<'_>,
    f: &Field<'_>,
    value: &str,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    let inner = loc.member(format!("{}[{}]", f.label, f.key));
    for r in readings(value) {
        let b = &r.bytes;
        let enc = r.encoding;
        if let Some(exe) = executable(b) {
            out.push(payload_finding(f, loc, &format!("a {enc} {exe}"), value));
            return;
        }
        if sniff::detect(b).is_some_and(|k| is_strong(k, b)) {
            let mut found = Vec::new();
            let format = s.scan_blob(b, &inner, depth + 1, false, &mut found);
            let what = format!(
                "a {enc} {} ({} bytes)",
                format.unwrap_or("archive"),
                b.len()
            );
            out.push(payload_finding(f, loc, &what, value));
            out.append(&mut found);
            return;
        }
        if enc != "raw"
            && let Ok(text) = std::str::from_utf8(b)
            && let Some(m) = python_marker(text)
        {
            let what = format!("{enc} Python source (`{m}`)");
            out.push(payload_finding(f, loc, &what, value));
            return;
        }
    }
    if let Some(m) = python_marker(value) {
        out.push(payload_finding(
            f,
            loc,
            &format!("Python source (`{m}`)"),
            value,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders() {
        assert_eq!(hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(hex("0g"), None);
        assert_eq!(base64("aGVsbG8gd29ybGQ="), Some(b"hello world".to_vec()));
        assert_eq!(base64("aGVsbG8gd29ybGQ"), Some(b"hello world".to_vec()));
        assert_eq!(base64("aGVs bG8=x"), None);
        assert_eq!(base64("a$"), None);
        let r = readings("data:application/octet-stream;base64,gASVAAAAAAAAAAB9lC4=");
        assert_eq!(r.last().map(|r| r.encoding), Some("base64-encoded"));
    }

    #[test]
    fn python_markers_need_word_boundaries() {
        assert_eq!(
            python_marker("x = 1; import os; os.system('id')"),
            Some("import os")
        );
        assert_eq!(python_marker("__import__('os')"), Some("__import__("));
        assert_eq!(python_marker("model.eval() then train"), None);
        assert_eq!(python_marker("eval() of the loss every 100 steps"), None);
        assert_eq!(python_marker("exec(\"print(1)\")"), Some("exec("));
        assert_eq!(python_marker("import osmosis"), None);
        assert_eq!(python_marker("re-evaluate(x)"), None);
        assert_eq!(python_marker("{\"lr\": 0.001, \"epochs\": 3}"), None);
    }

    #[test]
    fn pickles_and_executables_need_strong_signatures() {
        assert!(is_pickle(
            b"\x80\x04\x95\x03\x00\x00\x00\x00\x00\x00\x00}\x94."
        ));
        assert!(is_pickle(b"cos\nsystem\n(S'id'\ntR."));
        // A hash that starts like a pickle is not one.
        assert!(!is_pickle(
            &hex("8003a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e").unwrap()
        ));
        assert_eq!(executable(b"\x7fELF\x02\x01\x01"), Some("ELF executable"));
        assert_eq!(executable(b"MZ\x90\x00"), None);
        assert_eq!(
            executable(b"#!/bin/sh\necho"),
            Some("script with a #! line")
        );
    }
}
