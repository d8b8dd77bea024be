//! Arguments of the text protocol (protocol 0), parsed as CPython's C
//! unpickler parses them: `strtol` for INT, `PyLong_FromString` for LONG and
//! the memo opcodes, `PyOS_string_to_double` for FLOAT, `escape_decode` for
//! STRING and `raw_unicode_escape` for UNICODE; and the UTF-8 check
//! (`surrogatepass`) of the binary unicode opcodes.
//!
//! Lines arrive without their `\n`. C sees them as NUL-terminated strings, so
//! the numeric parsers stop at an embedded NUL as C does.

/// A parsed integer: small, or too big for i64 (kept as its digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Integer {
    Small(i64),
    Big(String),
}

/// Python's `Py_ISSPACE`.
fn py_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The C string: bytes before the first NUL.
fn c_str(s: &[u8]) -> &[u8] {
    s.iter()
        .position(|&b| b == 0)
        .and_then(|i| s.get(..i))
        .unwrap_or(s)
}

fn digit(b: u8, base: u32) -> Option<u32> {
    char::from(b).to_digit(base)
}

/// What INT does with its line (`load_int`): `strtol(s, &end, 0)` must stop at
/// the end; otherwise `PyLong_FromString(s, NULL, 0)`. A three-byte line
/// (with its newline) holding 0 or 1 is a bool ("00", "01").
pub(crate) enum IntArg {
    Int(Integer),
    Bool(bool),
}

pub(crate) fn parse_int(line: &[u8]) -> Option<IntArg> {
    let s = c_str(line);
    if let Some(x) = strtol0(s) {
        // `len` in CPython counts the newline.
        if line.len() + 1 == 3 && (x == 0 || x == 1) {
            return Some(IntArg::Bool(x == 1));
        }
        return Some(IntArg::Int(Integer::Small(x)));
    }
    py_long(s, 0).map(IntArg::Int)
}

/// `strtol(s, &end, 0)` in the C locale, when it converts the whole string
/// without overflow.
fn strtol0(s: &[u8]) -> Option<i64> {
    let mut i = s
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let rest = s.get(i..)?;
    let (base, digits) = match rest {
        [b'0', b'x' | b'X', h, ..] if h.is_ascii_hexdigit() => (16, rest.get(2..)?),
        [b'0', ..] => (8, rest),
        _ => (10, rest),
    };
    if digits.is_empty() || digits.iter().any(|&b| digit(b, base).is_none()) {
        return None;
    }
    let mut x: i128 = 0;
    for &b in digits {
        x = x * i128::from(base) + i128::from(digit(b, base)?);
        if x > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    i64::try_from(if neg { -x } else { x }).ok()
}

/// `PyLong_FromString(s, NULL, base)` for base 0 or 10: whitespace around, a
/// sign, a prefix (base 0), digits with single underscores between them.
pub(crate) fn py_long(s: &[u8], base: u32) -> Option<Integer> {
    let s = c_str(s);
    let start = s.iter().take_while(|&&b| py_space(b)).count();
    let end = s.len() - s.iter().rev().take_while(|&&b| py_space(b)).count();
    let mut body = s.get(start..end.max(start))?;
    let neg = match body.first() {
        Some(b'-') => true,
        Some(b'+') => false,
        _ => false,
    };
    if matches!(body.first(), Some(b'-' | b'+')) {
        body = body.get(1..)?;
    }
    let (radix, digits, prefixed) = match (base, body) {
        (0, [b'0', b'x' | b'X', rest @ ..]) => (16, rest, true),
        (0, [b'0', b'o' | b'O', rest @ ..]) => (8, rest, true),
        (0, [b'0', b'b' | b'B', rest @ ..]) => (2, rest, true),
        (0, _) => (10, body, false),
        (_, _) => (base, body, false),
    };
    // After a prefix, one underscore may come first.
    let digits = match digits {
        [b'_', rest @ ..] if prefixed => rest,
        _ => digits,
    };
    if digits.is_empty() || digits.first() == Some(&b'_') || digits.last() == Some(&b'_') {
        return None;
    }
    if digits.windows(2).any(|w| w == b"__") {
        return None;
    }
    let clean: Vec<u8> = digits.iter().copied().filter(|&b| b != b'_').collect();
    if clean.iter().any(|&b| digit(b, radix).is_none()) {
        return None;
    }
    // Base 0 forbids leading zeros in a nonzero decimal.
    if base == 0
        && radix == 10
        && clean.len() > 1
        && clean.first() == Some(&b'0')
        && clean.iter().any(|&b| b != b'0')
    {
        return None;
    }
    let mut x: i128 = 0;
    for &b in &clean {
        x = x
            .saturating_mul(i128::from(radix))
            .saturating_add(i128::from(digit(b, radix)?));
    }
    let signed = if neg { -x } else { x };
    match i64::try_from(signed) {
        Ok(v) if x < i128::MAX / 2 => Some(Integer::Small(v)),
        _ => {
            let text = String::from_utf8_lossy(&clean).into_owned();
            let prefix = match radix {
                16 => "0x",
                8 => "0o",
                2 => "0b",
                _ => "",
            };
            Some(Integer::Big(format!(
                "{}{prefix}{text}",
                if neg { "-" } else { "" }
            )))
        }
    }
}

/// What LONG does with its line: drop one trailing `L`, then base 0.
pub(crate) fn parse_long(line: &[u8]) -> Option<Integer> {
    let s = match line {
        [rest @ .., b'L'] => rest,
        _ => line,
    };
    py_long(s, 0)
}

/// What GET and PUT do with their line: `PyLong_FromString(s, NULL, 10)`
/// then `PyLong_AsSsize_t` (which fails past i64).
pub(crate) fn parse_memo_key(line: &[u8]) -> Option<i64> {
    match py_long(line, 10)? {
        Integer::Small(v) => Some(v),
        Integer::Big(_) => None,
    }
}

/// What FLOAT does with its line: `PyOS_string_to_double` (no surrounding
/// whitespace, no underscores, overflow is an error), which must stop at the
/// end of the line or at a NUL.
pub(crate) fn parse_float(line: &[u8]) -> Option<f64> {
    let s = c_str(line);
    let sign_len = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let body = s.get(sign_len..)?;
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_slice(), b"inf" | b"infinity" | b"nan") {
        let neg = s.first() == Some(&b'-');
        let v = if lower.starts_with(b"nan") {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if neg { -v } else { v });
    }
    let int_digits = body.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut i = int_digits;
    let mut frac_digits = 0;
    if body.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = body
            .get(i..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(body.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(body.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits = body
            .get(j..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if exp_digits > 0 {
            i = j + exp_digits;
        }
    }
    if i != body.len() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let v: f64 = text.parse().ok()?;
    // Overflow: CPython raises OverflowError for a finite literal out of range.
    v.is_finite().then_some(v)
}

/// `codecs.escape_decode` as STRING uses it (`PyBytes_DecodeEscape`).
pub(crate) fn escape_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        // A trailing backslash is an error ("Trailing \ in string").
        let e = *s.get(i)?;
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'v' => out.push(0x0b),
            b'a' => out.push(0x07),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                // C stores the value in a char: it wraps past 0o377.
                out.push((v & 0xff) as u8);
            }
            b'x' => {
                let hi = digit(*s.get(i)?, 16)?;
                let lo = digit(*s.get(i + 1)?, 16)?;
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            // Unknown escapes stay as written; the character is read again.
            _ => {
                out.push(b'\\');
                i -= 1;
            }
        }
    }
    Some(out)
}

/// Append code point `c` (surrogates included) in UTF-8 form.
pub(crate) fn push_code_point(out: &mut Vec<u8>, c: u32) {
    match c {
        0..=0x7f => out.push(c as u8),
        0x80..=0x7ff => out.extend_from_slice(&[0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]),
        0x800..=0xffff => out.extend_from_slice(&[
            0xe0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xf0 | (c >> 18) as u8,
            0x80 | ((c >> 12) & 0x3f) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]),
    }
}

/// `raw_unicode_escape` decoding as UNICODE uses it: only `\uXXXX` and
/// `\UXXXXXXXX` are escapes; every other byte is the code point of its value.
pub(crate) fn raw_unicode_escape(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        i += 1;
        if c != b'\\' || i >= s.len() {
            push_code_point(&mut out, u32::from(c));
            continue;
        }
        let e = *s.get(i)?;
        i += 1;
        let count = match e {
            b'u' => 4,
            b'U' => 8,
            _ => {
                out.push(b'\\');
                push_code_point(&mut out, u32::from(e));
                continue;
            }
        };
        let hex = s.get(i..i + count)?;
        let mut v: u32 = 0;
        for &h in hex {
            v = v * 16 + digit(h, 16)?;
        }
        if v > 0x10ffff {
            return None;
        }
        push_code_point(&mut out, v);
        i += count;
    }
    Some(out)
}

/// Latin-1 bytes as a `str` in UTF-8 form (how STRING/BINSTRING values are
/// decoded with `encoding='latin1'`; ASCII is the same under every encoding).
pub(crate) fn latin1_to_utf8(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        push_code_point(&mut out, u32::from(b));
    }
    out
}

/// Incremental UTF-8 check with `surrogatepass` (lone surrogates encoded as
/// three bytes are accepted), fed in chunks.
#[derive(Default)]
pub(crate) struct Utf8Check {
    carry: [u8; 4],
    carried: usize,
    bad: bool,
}

impl Utf8Check {
    pub(crate) fn feed(&mut self, mut chunk: &[u8]) {
        if self.bad {
            return;
        }
        // Complete a sequence split across chunks, byte by byte.
        while self.carried > 0 {
            let Some((&b, rest)) = chunk.split_first() else {
                return;
            };
            chunk = rest;
            if let Some(slot) = self.carry.get_mut(self.carried) {
                *slot = b;
            }
            self.carried += 1;
            let held = self.carry.get(..self.carried).unwrap_or_default();
            match check(held) {
                Ok(()) => self.carried = 0,
                Err(None) if self.carried < 4 => {}
                Err(_) => {
                    self.bad = true;
                    return;
                }
            }
        }
        match check(chunk) {
            Ok(()) => {}
            Err(None) => {
                let tail = chunk.len() - incomplete_tail(chunk);
                let tail_bytes = chunk.get(tail..).unwrap_or_default();
                self.carried = tail_bytes.len();
                if let Some(dst) = self.carry.get_mut(..tail_bytes.len()) {
                    dst.copy_from_slice(tail_bytes);
                }
            }
            Err(Some(())) => self.bad = true,
        }
    }

    pub(crate) fn finish(&self) -> bool {
        !self.bad && self.carried == 0
    }
}

/// Length of the valid prefix before an incomplete final sequence.
fn incomplete_tail(s: &[u8]) -> usize {
    let mut i = 0;
    loop {
        match std::str::from_utf8(s.get(i..).unwrap_or_default()) {
            Ok(_) => return s.len() - i,
            Err(e) => {
                let at = i + e.valid_up_to();
                if is_surrogate_at(s, at) {
                    i = at + 3;
                } else {
                    return s.len() - at;
                }
            }
        }
    }
}

fn is_surrogate_at(s: &[u8], at: usize) -> bool {
    matches!(s.get(at..at + 3), Some([0xed, 0xa0..=0xbf, 0x80..=0xbf]))
}

/// Ok if valid; Err(None) if valid but for an incomplete final sequence;
/// Err(Some) if invalid.
fn check(s: &[u8]) -> Result<(), Option<()>> {
    let mut i = 0;
    loop {
        match std::str::from_utf8(s.get(i..).unwrap_or_default()) {
            Ok(_) => return Ok(()),
            Err(e) => {
                let at = i + e.valid_up_to();
                if is_surrogate_at(s, at) {
                    i = at + 3;
                    continue;
                }
                // An incomplete sequence that could still become a surrogate.
                let rest = s.get(at..).unwrap_or_default();
                let partial_surrogate = matches!(rest, [0xed] | [0xed, 0xa0..=0xbf]);
                return match e.error_len() {
                    None => Err(None),
                    Some(_) if partial_surrogate => Err(None),
                    Some(_) => Err(Some(())),
                };
            }
        }
    }
}

/// Whole-buffer form of [`Utf8Check`].
pub(crate) fn utf8_surrogatepass(s: &[u8]) -> bool {
    check(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(line: &[u8]) -> Option<String> {
        parse_int(line).map(|a| match a {
            IntArg::Bool(b) => format!("bool {b}"),
            IntArg::Int(Integer::Small(v)) => v.to_string(),
            IntArg::Int(Integer::Big(s)) => format!("big {s}"),
        })
    }

    #[test]
    fn int_follows_strtol_then_pylong() {
        assert_eq!(int(b"00").as_deref(), Some("bool false"));
        assert_eq!(int(b"01").as_deref(), Some("bool true"));
        assert_eq!(int(b"+1").as_deref(), Some("bool true"));
        assert_eq!(int(b"0").as_deref(), Some("0"));
        assert_eq!(int(b"1").as_deref(), Some("1"));
        assert_eq!(int(b"010").as_deref(), Some("8"));
        assert_eq!(int(b"0x10").as_deref(), Some("16"));
        assert_eq!(int(b"-42").as_deref(), Some("-42"));
        assert_eq!(int(b"5\0junk").as_deref(), Some("5"));
        // strtol stops at '\r'; PyLong_FromString takes the trailing space.
        assert_eq!(int(b"12\r").as_deref(), Some("12"));
        assert_eq!(int(b"1_000").as_deref(), Some("1000"));
        assert_eq!(
            int(b"99999999999999999999").as_deref(),
            Some("big 99999999999999999999")
        );
        assert_eq!(int(b"09"), None);
        assert_eq!(int(b"abc"), None);
        assert_eq!(int(b" "), None);
        assert_eq!(int(b"1__0"), None);
    }

    #[test]
    fn long_and_memo_keys() {
        assert_eq!(parse_long(b"123L"), Some(Integer::Small(123)));
        assert_eq!(parse_long(b"123"), Some(Integer::Small(123)));
        assert_eq!(parse_long(b"123L\r"), None);
        assert_eq!(parse_long(b"0x_ff"), Some(Integer::Small(255)));
        assert_eq!(parse_memo_key(b"007"), Some(7));
        assert_eq!(parse_memo_key(b" 3\r"), Some(3));
        assert_eq!(parse_memo_key(b"0x3"), None);
        assert_eq!(parse_memo_key(b"-1"), Some(-1));
        assert_eq!(parse_memo_key(b"99999999999999999999"), None);
    }

    #[test]
    fn float_is_strict() {
        assert_eq!(parse_float(b"1.5"), Some(1.5));
        assert_eq!(parse_float(b"-2e3"), Some(-2000.0));
        assert_eq!(parse_float(b".5"), Some(0.5));
        assert_eq!(parse_float(b"5."), Some(5.0));
        assert!(parse_float(b"nan").is_some_and(f64::is_nan));
        assert_eq!(parse_float(b"-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float(b"1.0\0x"), Some(1.0));
        assert_eq!(parse_float(b"1.0\r"), None);
        assert_eq!(parse_float(b" 1.0"), None);
        assert_eq!(parse_float(b"1e500"), None);
        assert_eq!(parse_float(b"1e"), None);
        assert_eq!(parse_float(b"1_0"), None);
        assert_eq!(parse_float(b""), None);
    }

    #[test]
    fn escape_decode_like_cpython() {
        assert_eq!(escape_decode(br"a\nb\x41\101\q\\").unwrap(), b"a\nbAA\\q\\");
        assert_eq!(escape_decode(br"\777").unwrap(), vec![0xff]);
        assert_eq!(escape_decode(br"\x4"), None);
        assert_eq!(escape_decode(b"abc\\"), None);
    }

    #[test]
    fn raw_unicode_escape_like_cpython() {
        assert_eq!(
            raw_unicode_escape(br"a\u0041\U0001F600").unwrap(),
            "aA\u{1F600}".as_bytes()
        );
        assert_eq!(raw_unicode_escape(br"\\u0041").unwrap(), br"\\u0041");
        assert_eq!(raw_unicode_escape(br"\x").unwrap(), br"\x");
        assert_eq!(raw_unicode_escape(b"\\").unwrap(), b"\\");
        assert_eq!(raw_unicode_escape(b"\xe9").unwrap(), "é".as_bytes());
        assert_eq!(raw_unicode_escape(br"\u004"), None);
        assert_eq!(raw_unicode_escape(br"\U00110000"), None);
        assert_eq!(
            raw_unicode_escape(br"\ud800").unwrap(),
            vec![0xed, 0xa0, 0x80]
        );
    }

    #[test]
    fn utf8_with_surrogatepass_in_chunks() {
        let text = "héllo \u{1F600}".as_bytes();
        let mut with_surrogate = text.to_vec();
        with_surrogate.extend_from_slice(&[0xed, 0xb0, 0x80, b'x']);
        for data in [text, &with_surrogate[..]] {
            assert!(utf8_surrogatepass(data));
            for split in 0..data.len() {
                let mut c = Utf8Check::default();
                c.feed(&data[..split]);
                c.feed(&data[split..]);
                assert!(c.finish(), "split at {split}");
            }
        }
        assert!(!utf8_surrogatepass(b"\xff"));
        assert!(!utf8_surrogatepass(b"\xe9"));
        let mut c = Utf8Check::default();
        c.feed(b"ab\xe2\x82");
        assert!(!c.finish());
        c.feed(b"\xac");
        assert!(c.finish());
    }
}
