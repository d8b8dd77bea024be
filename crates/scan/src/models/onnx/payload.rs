//! Payloads in a model's strings: metadata values, doc strings and string
//! attributes that are pickles (raw, protocol 0 text, or base64 of either)
//! or Python code that runs commands. Pickles go through the pickle machine
//! one level deeper, like a loader's payload in a pickle does.

use super::walk::Walk;
use crate::models::ModelScanner;
use crate::models::sniff::looks_like_pickle;
use crate::rules::models::{onnx_metadata_code, onnx_metadata_pickle};
use aigis_findings::{Finding, Location};
use aigis_pickle::{Limits, Options, analyze};

/// Shortest base64 string tried (a pickle that does anything is longer).
const MIN_BASE64_LEN: usize = 16;
/// Characters of context shown around a code marker.
const SNIPPET: usize = 80;

/// Python that runs commands or code; `(marker, needs a word boundary)`.
/// A boundary excludes method calls such as `model.eval()`.
const CODE_MARKERS: &[(&str, bool)] = &[
    ("__import__(", false),
    ("__builtins__", false),
    ("__subclasses__", false),
    ("__globals__", false),
    ("os.system(", true),
    ("os.popen(", true),
    ("os.exec", true),
    ("subprocess.", true),
    ("pty.spawn(", true),
    ("marshal.loads(", true),
    ("pickle.loads(", true),
    ("exec(", true),
    ("eval(", true),
    ("compile(", true),
];

/// A cheap test for strings worth a closer look (the walk keeps only these).
pub(super) fn interesting(v: &[u8]) -> bool {
    binary_pickle_start(v)
        || (v.contains(&b'\n') && looks_like_pickle(v))
        || base64_pickle_prefix(v)
        || code_marker(v).is_some()
}

fn binary_pickle_start(v: &[u8]) -> bool {
    matches!(v, [0x80, 2..=5, ..])
}

/// A pickle in `v`: the bytes and how they were encoded.
fn pickle_in(v: &[u8]) -> Option<(Vec<u8>, &'static str)> {
    if is_pickle(v) {
        return Some((v.to_vec(), "raw"));
    }
    if base64_pickle_prefix(v) {
        let decoded = base64_decode(v)?;
        if is_pickle(&decoded) {
            return Some((decoded, "base64"));
        }
    }
    None
}

/// A binary pickle, or a protocol 0 one that imports something (text that
/// merely parses as a few opcodes is not a payload).
fn is_pickle(v: &[u8]) -> bool {
    if binary_pickle_start(v) {
        return true;
    }
    if !v.contains(&b'\n') || !looks_like_pickle(v) {
        return false;
    }
    let opts = Options {
        limits: Limits {
            max_opcodes: 4096,
            ..Limits::default()
        },
        multi_stream: false,
        capture_args_of: &|_, _| false,
        joblib_arrays: false,
    };
    !analyze(v, &opts).imports.is_empty()
}

/// Base64 whose first bytes decode to the start of a pickle.
fn base64_pickle_prefix(v: &[u8]) -> bool {
    if v.len() < MIN_BASE64_LEN
        || !v
            .iter()
            .all(|&c| b64_value(c).is_some() || c == b'=' || c.is_ascii_whitespace())
    {
        return false;
    }
    let head: Vec<u8> = v
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .take(4)
        .collect();
    match base64_decode(&head).as_deref() {
        Some([0x80, 2..=5, ..]) => true,
        Some([first, ..]) => b"(cdi]}".contains(first),
        _ => false,
    }
}

fn b64_value(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    })
}

/// Standard or URL-safe base64; whitespace ignored, padding optional but
/// only at the end.
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits, mut padded) = (0u32, 0u32, false);
    for &c in s {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            padded = true;
            continue;
        }
        if padded {
            return None;
        }
        acc = (acc << 6) | u32::from(b64_value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The first code marker in `v` and where it is.
fn code_marker(v: &[u8]) -> Option<(&'static str, usize)> {
    for &(marker, boundary) in CODE_MARKERS {
        let m = marker.as_bytes();
        let mut from = 0;
        while let Some(at) = find(v.get(from..)?, m).map(|i| i + from) {
            let before = at.checked_sub(1).and_then(|i| v.get(i));
            let ok = !boundary
                || !before.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
            if ok {
                return Some((marker, at));
            }
            from = at + 1;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Findings for the strings the walk kept; pickles are scanned one level
/// deeper at `loc!<label>`.
pub(super) fn findings(
    s: &ModelScanner<'_>,
    walk: &Walk<'_>,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    for t in &walk.metadata {
        super::super::payload::secrets_in(s, &t.label, t.value, loc, out);
    }
    for t in &walk.texts {
        if let Some((bytes, how)) = pickle_in(t.value) {
            let proto = match bytes.as_slice() {
                [0x80, p, ..] => format!("protocol {p}"),
                _ => "protocol 0".to_string(),
            };
            out.push(
                Finding::new(
                    &onnx_metadata_pickle::RULE,
                    loc.clone(),
                    format!(
                        "{} is a pickle ({how}): whoever unpickles it runs what it names",
                        t.label
                    ),
                    &t.label,
                )
                .with_evidence(format!("{how} pickle, {proto}, {} bytes", bytes.len())),
            );
            let inner = loc.member(format!("<{}>", t.label));
            let _ = s.scan_blob(&bytes, &inner, depth + 1, false, out);
        } else if let Some((marker, at)) = code_marker(t.value) {
            let start = at.saturating_sub(SNIPPET / 2);
            let end = (at + SNIPPET).min(t.value.len());
            let snippet = String::from_utf8_lossy(t.value.get(start..end).unwrap_or_default());
            out.push(
                Finding::new(
                    &onnx_metadata_code::RULE,
                    loc.clone(),
                    format!("{} holds Python code that uses {marker}", t.label),
                    &format!("{}:{marker}", t.label),
                )
                .with_evidence(snippet.escape_debug().to_string()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_standard_and_urlsafe() {
        assert_eq!(
            base64_decode(b"gASVAAAA").as_deref(),
            Some(&b"\x80\x04\x95\x00\x00\x00"[..])
        );
        assert_eq!(base64_decode(b"aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64_decode(b"-_8=").as_deref(), Some(&b"\xfb\xff"[..]));
        assert_eq!(base64_decode(b"aG=k"), None);
    }

    #[test]
    fn pickles_are_found_raw_and_in_base64() {
        let p = b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x8c\x06system\x93.";
        assert_eq!(pickle_in(p).map(|x| x.1), Some("raw"));
        let b64 = b"gASVEAAAAAAAAACMBXBvc2l4jAZzeXN0ZW2TLg==";
        assert_eq!(pickle_in(b64).map(|x| x.0), Some(p.to_vec()));
        assert_eq!(
            pickle_in(b"cos\nsystem\n(S'id'\ntR.").map(|x| x.1),
            Some("raw")
        );
        // Not pickles: prose, a hex digest, a pickle-looking run without imports.
        for v in [
            &b"(c) 2024 Example Corp\nAll rights reserved"[..],
            b"0123456789abcdef0123456789abcdef",
            b"]]]\n",
        ] {
            assert!(pickle_in(v).is_none(), "{v:?}");
        }
    }

    #[test]
    fn code_markers_skip_method_calls() {
        assert!(code_marker(b"call model.eval() before export").is_none());
        assert!(code_marker(b"evaluation(x)").is_none());
        assert_eq!(code_marker(b"x = eval(s)").map(|m| m.0), Some("eval("));
        assert_eq!(
            code_marker(b"__import__('os').system('id')").map(|m| m.0),
            Some("__import__(")
        );
        assert_eq!(
            code_marker(b"import os; os.system('id')").map(|m| m.0),
            Some("os.system(")
        );
        assert!(code_marker(b"Exported by pytorch 2.4; opset 17").is_none());
    }
}
