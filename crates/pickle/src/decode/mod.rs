//! Known pure decoders, evaluated on concrete arguments so that a payload
//! hidden as `pickle.loads(base64.b64decode('...'))` becomes concrete bytes.
//!
//! Each follows its CPython implementation on the inputs it accepts; where
//! CPython would raise, evaluation gives up and the call stays an opaque
//! result (the machine never pretends to know more than it does). Output is
//! bounded by the caller's cap; an input or output that was cut short yields
//! an incomplete value.

mod binary;

use crate::value::{Kind, Node, Spans, Value};
use binary::*;

/// A decoded value: its type, the bytes held, and whether they are all of it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub(crate) kind: Kind,
    pub(crate) bytes: Vec<u8>,
    pub(crate) complete: bool,
}

/// Concrete bytes of an argument and whether they are complete.
fn data<'a>(v: &'a Value, spans: &'a dyn Spans) -> Option<(Kind, &'a [u8], bool)> {
    let t = v.text(spans)?;
    Some((t.kind, t.bytes, t.complete()))
}

/// `_bytes_from_decode_data`: bytes-like, or an ASCII str.
fn decode_data<'a>(v: &'a Value, spans: &'a dyn Spans) -> Option<(&'a [u8], bool)> {
    let (kind, bytes, complete) = data(v, spans)?;
    if kind == Kind::Str && !bytes.is_ascii() {
        return None;
    }
    Some((bytes, complete))
}

fn str_arg(v: &Value, spans: &dyn Spans) -> Option<String> {
    v.str_whole(spans)
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// `codecs.lookup` name normalisation, enough for the aliases below.
fn codec_name(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

enum Codec {
    Base64,
    Hex,
    Zlib,
    Rot13,
    Latin1,
    Utf8,
    Ascii,
}

fn codec(name: &str) -> Option<Codec> {
    Some(match codec_name(name).as_str() {
        "base64" | "base_64" | "base64_codec" => Codec::Base64,
        "hex" | "hex_codec" => Codec::Hex,
        "zlib" | "zip" | "zlib_codec" => Codec::Zlib,
        "rot13" | "rot_13" => Codec::Rot13,
        "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819"
        | "iso_ir_100" | "csisolatin1" => Codec::Latin1,
        "utf_8" | "utf8" | "u8" | "utf" | "cp65001" | "utf8_ucs2" | "utf8_ucs4" => Codec::Utf8,
        "ascii" | "us_ascii" | "646" | "us" => Codec::Ascii,
        _ => return None,
    })
}

/// Whether `module.name` is one of the decoders [`evaluate`] knows.
pub(crate) fn is_decoder(module: &str, name: &str) -> bool {
    matches!(
        (module, name),
        (
            "base64",
            "b64decode"
                | "standard_b64decode"
                | "decodebytes"
                | "urlsafe_b64decode"
                | "b32decode"
                | "b16decode"
                | "b85decode"
                | "a85decode"
        ) | ("binascii", "a2b_base64" | "a2b_hex" | "unhexlify")
            | (
                "builtins",
                "bytes.fromhex" | "bytearray.fromhex" | "bytes" | "bytearray" | "str"
            )
            | ("codecs" | "_codecs", "decode" | "encode")
            | ("zlib" | "gzip", "decompress")
    )
}

/// Work an evaluation may do on these arguments: bytes (or elements) read.
pub(crate) fn cost(args: &[Value], spans: &dyn Spans, cap: usize) -> usize {
    args.iter()
        .map(|v| match v.text(spans) {
            Some(t) => t.bytes.len().min(cap),
            None => match v.as_node() {
                Some(Node::Tuple(s)) => s.items.len(),
                Some(Node::List(s)) => s.try_borrow().map_or(0, |s| s.items.len()),
                _ => 0,
            },
        })
        .sum::<usize>()
        .saturating_add(cap.min(1 << 16))
}

/// Evaluate `module.name(*args)` if it is a known decoder with concrete
/// arguments; `cap` bounds the output.
pub(crate) fn evaluate(
    module: &str,
    name: &str,
    args: &[Value],
    spans: &dyn Spans,
    cap: usize,
) -> Option<Decoded> {
    let arg = |i: usize| args.get(i);
    let bytes_out = |(bytes, complete): (Vec<u8>, bool)| Decoded {
        kind: Kind::Bytes,
        bytes,
        complete,
    };
    match (module, name) {
        ("base64", "b64decode") => {
            let (mut s, complete) = decode_data(arg(0)?, spans).map(|(b, c)| (b.to_vec(), c))?;
            if let Some(alt) = arg(1).filter(|v| !matches!(v, Value::None)) {
                let (alt, _) = decode_data(alt, spans)?;
                let [a, b] = *alt else { return None };
                translate(&mut s, &[(a, b'+'), (b, b'/')]);
            }
            a2b_base64(&s, complete, cap).map(bytes_out)
        }
        ("base64", "standard_b64decode")
        | ("base64", "decodebytes")
        | ("binascii", "a2b_base64") => {
            let (s, complete) = decode_data(arg(0)?, spans)?;
            a2b_base64(s, complete, cap).map(bytes_out)
        }
        ("base64", "urlsafe_b64decode") => {
            let (s, complete) = decode_data(arg(0)?, spans)?;
            let mut s = s.to_vec();
            translate(&mut s, &[(b'-', b'+'), (b'_', b'/')]);
            a2b_base64(&s, complete, cap).map(bytes_out)
        }
        ("base64", "b32decode") => {
            let (s, complete) = decode_data(arg(0)?, spans)?;
            let casefold = arg(1).is_some_and(truthy);
            let map01 = match arg(2) {
                None | Some(Value::None) => None,
                Some(v) => Some(*decode_data(v, spans)?.0.first()?),
            };
            complete
                .then(|| b32decode(s, casefold, map01, cap))
                .flatten()
                .map(bytes_out)
        }
        ("base64", "b16decode") => {
            let (s, complete) = decode_data(arg(0)?, spans)?;
            let casefold = arg(1).is_some_and(truthy);
            let s = if casefold {
                s.to_ascii_uppercase()
            } else {
                s.to_vec()
            };
            if s.iter().any(|b| !matches!(b, b'0'..=b'9' | b'A'..=b'F')) {
                return None;
            }
            unhexlify(&s, complete, cap).map(bytes_out)
        }
        ("base64", "b85decode") => {
            let (s, complete) = decode_data(arg(0)?, spans)?;
            complete.then(|| b85decode(s, cap)).flatten().map(bytes_out)
        }
        ("base64", "a85decode") => {
            let (s, complete) = decode_data(arg(0)?, spans)?;
            complete.then(|| a85decode(s, cap)).flatten().map(bytes_out)
        }
        ("binascii", "a2b_hex") | ("binascii", "unhexlify") => {
            let (s, complete) = decode_data(arg(0)?, spans)?;
            unhexlify(s, complete, cap).map(bytes_out)
        }
        ("builtins", "bytes.fromhex") | ("builtins", "bytearray.fromhex") => {
            let s = arg(0)?.text(spans).filter(|t| t.kind == Kind::Str)?;
            let (bytes, complete) = fromhex(s.bytes, s.complete(), cap)?;
            let kind = if name.starts_with("bytearray") {
                Kind::ByteArray
            } else {
                Kind::Bytes
            };
            Some(Decoded {
                kind,
                bytes,
                complete,
            })
        }
        ("codecs" | "_codecs", "decode") => {
            let encoding = match arg(1) {
                None => "utf-8".to_string(),
                Some(v) => str_arg(v, spans)?,
            };
            codec_decode(arg(0)?, &encoding, spans, cap)
        }
        ("codecs" | "_codecs", "encode") => {
            let encoding = match arg(1) {
                None => "utf-8".to_string(),
                Some(v) => str_arg(v, spans)?,
            };
            codec_encode(arg(0)?, &encoding, spans, cap)
        }
        ("builtins", "bytes") | ("builtins", "bytearray") => {
            let kind = if name == "bytes" {
                Kind::Bytes
            } else {
                Kind::ByteArray
            };
            let (bytes, complete) = bytes_ctor(args, spans, cap)?;
            Some(Decoded {
                kind,
                bytes,
                complete,
            })
        }
        ("builtins", "str") => {
            // str(b, encoding): decoding; str(s) of a str is itself.
            let enc = str_arg(arg(1)?, spans)?;
            let (kind, b, complete) = data(arg(0)?, spans)?;
            if kind == Kind::Str {
                return None;
            }
            decode_text(b, complete, &enc, cap)
        }
        ("gzip", "decompress") => {
            let (kind, b, _) = data(arg(0)?, spans)?;
            if kind == Kind::Str {
                return None;
            }
            inflate(b, 31, cap).map(bytes_out)
        }
        ("zlib", "decompress") => {
            let (kind, b, _) = data(arg(0)?, spans)?;
            if kind == Kind::Str {
                return None;
            }
            let wbits = match arg(1) {
                None => 15,
                Some(Value::Int(w)) => *w,
                Some(_) => return None,
            };
            inflate(b, wbits, cap).map(bytes_out)
        }
        _ => None,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::None | Value::Bool(false) | Value::Int(0) => false,
        Value::Float(f) => *f != 0.0,
        _ => true,
    }
}

fn translate(s: &mut [u8], map: &[(u8, u8)]) {
    for b in s.iter_mut() {
        if let Some((_, to)) = map.iter().find(|(from, _)| from == b) {
            *b = *to;
        }
    }
}

fn codec_decode(v: &Value, encoding: &str, spans: &dyn Spans, cap: usize) -> Option<Decoded> {
    let (kind, b, complete) = data(v, spans)?;
    let bytes_out = |(bytes, complete): (Vec<u8>, bool)| Decoded {
        kind: Kind::Bytes,
        bytes,
        complete,
    };
    match codec(encoding)? {
        Codec::Base64 => a2b_base64(decode_data(v, spans)?.0, complete, cap).map(bytes_out),
        Codec::Hex => unhexlify(decode_data(v, spans)?.0, complete, cap).map(bytes_out),
        Codec::Zlib if kind != Kind::Str => inflate(b, 15, cap).map(bytes_out),
        Codec::Rot13 if kind == Kind::Str => Some(rot13(b, complete, cap)),
        _ if kind == Kind::Str => None,
        _ => decode_text(b, complete, encoding, cap),
    }
}

fn codec_encode(v: &Value, encoding: &str, spans: &dyn Spans, cap: usize) -> Option<Decoded> {
    let (kind, b, complete) = data(v, spans)?;
    if kind != Kind::Str {
        return None;
    }
    match codec(encoding)? {
        Codec::Rot13 => Some(rot13(b, complete, cap)),
        Codec::Latin1 | Codec::Utf8 | Codec::Ascii => encode_text(b, complete, encoding, cap),
        Codec::Base64 | Codec::Hex | Codec::Zlib => None,
    }
}

fn rot13(b: &[u8], complete: bool, cap: usize) -> Decoded {
    let mut out: Vec<u8> = b.iter().take(cap).copied().collect();
    for c in &mut out {
        *c = match *c {
            b'a'..=b'z' => (*c - b'a' + 13) % 26 + b'a',
            b'A'..=b'Z' => (*c - b'A' + 13) % 26 + b'A',
            _ => *c,
        };
    }
    let complete = complete && out.len() == b.len();
    Decoded {
        kind: Kind::Str,
        bytes: out,
        complete,
    }
}

/// `bytes.decode(encoding)` for the text codecs: a `str`.
fn decode_text(b: &[u8], complete: bool, encoding: &str, cap: usize) -> Option<Decoded> {
    let take = b.get(..b.len().min(cap))?;
    let bytes = match codec(encoding)? {
        Codec::Latin1 => crate::text::latin1_to_utf8(take),
        Codec::Ascii if take.is_ascii() => take.to_vec(),
        Codec::Utf8 if std::str::from_utf8(take).is_ok() || !complete => {
            let valid = std::str::from_utf8(take).map_or_else(|e| e.valid_up_to(), |s| s.len());
            take.get(..valid)?.to_vec()
        }
        _ => return None,
    };
    Some(Decoded {
        kind: Kind::Str,
        complete: complete && take.len() == b.len(),
        bytes,
    })
}

/// `str.encode(encoding)` for the text codecs.
fn encode_text(s: &[u8], complete: bool, encoding: &str, cap: usize) -> Option<Decoded> {
    // A str held as a prefix may end inside a character; lone surrogates
    // cannot be encoded (strict).
    let valid = match std::str::from_utf8(s) {
        Ok(_) => s.len(),
        Err(e) if !complete && e.error_len().is_none() => e.valid_up_to(),
        Err(_) => return None,
    };
    let text = std::str::from_utf8(s.get(..valid)?).ok()?;
    let mut out = Vec::new();
    let mut whole = complete && valid == s.len();
    match codec(encoding)? {
        Codec::Utf8 => {
            out.extend_from_slice(text.as_bytes().get(..text.len().min(cap))?);
            whole &= text.len() <= cap;
        }
        codec @ (Codec::Latin1 | Codec::Ascii) => {
            let max = if matches!(codec, Codec::Latin1) {
                0xff
            } else {
                0x7f
            };
            for c in text.chars() {
                let c = u32::from(c);
                if c > max {
                    return None;
                }
                if out.len() >= cap {
                    whole = false;
                    break;
                }
                out.push(c as u8);
            }
        }
        _ => return None,
    }
    Some(Decoded {
        kind: Kind::Bytes,
        bytes: out,
        complete: whole,
    })
}

/// `bytes(...)`/`bytearray(...)` constructors.
fn bytes_ctor(args: &[Value], spans: &dyn Spans, cap: usize) -> Option<(Vec<u8>, bool)> {
    match args {
        [] => Some((Vec::new(), true)),
        [Value::Int(n)] => {
            let n = usize::try_from(*n).ok()?;
            Some((vec![0; n.min(cap)], n <= cap))
        }
        [s, enc] | [s, enc, _] if s.text(spans).is_some_and(|t| t.kind == Kind::Str) => {
            let (_, b, complete) = data(s, spans)?;
            let enc = str_arg(enc, spans)?;
            encode_text(b, complete, &enc, cap).map(|d| (d.bytes, d.complete))
        }
        [v] => {
            if let Some((kind, b, complete)) = data(v, spans) {
                return (kind != Kind::Str).then(|| {
                    (
                        b.get(..b.len().min(cap)).unwrap_or_default().to_vec(),
                        complete && b.len() <= cap,
                    )
                });
            }
            let (items, complete) = match v.as_node()? {
                Node::Tuple(s) => (s.items.clone(), s.is_complete()),
                Node::List(s) => {
                    let s = s.try_borrow().ok()?;
                    (s.items.clone(), s.is_complete())
                }
                _ => return None,
            };
            let mut out = Vec::with_capacity(items.len().min(cap));
            for item in items.iter().take(cap) {
                let b = match item {
                    Value::Int(i) => u8::try_from(*i).ok()?,
                    Value::Bool(b) => u8::from(*b),
                    _ => return None,
                };
                out.push(b);
            }
            let complete = complete && out.len() == items.len();
            Some((out, complete))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_codecs() {
        let d = encode_text("é".as_bytes(), true, "latin1", 10).unwrap();
        assert_eq!(d.bytes, vec![0xe9]);
        assert!(d.complete);
        assert_eq!(encode_text("€".as_bytes(), true, "latin-1", 10), None);
        assert_eq!(
            decode_text(&[0xe9], true, "ISO-8859-1", 10).unwrap().bytes,
            "é".as_bytes()
        );
        assert_eq!(rot13(b"uryyb", true, 10).bytes, b"hello");
    }
}
