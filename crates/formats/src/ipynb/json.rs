//! A JSON reader that keeps where every string came from.
//!
//! Notebook findings must name the line a code viewer shows, so each string
//! keeps the byte range of its literal in the raw file. A JSON string never
//! spans raw lines (a newline inside one is escaped), so a string's line is
//! the line of its opening quote. The reader is strict JSON (RFC 8259), with
//! named limits on input size, nesting and node count, and no recursion
//! deeper than [`MAX_DEPTH`]. It never panics.

use super::IpynbError;

/// Deepest nesting of arrays and objects.
pub const MAX_DEPTH: usize = 128;
/// Most values (of any kind) in one document.
pub const MAX_NODES: usize = 4_000_000;

/// A parsed value. Booleans and null keep no content.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    Str(Spanned),
    Num(f64),
    Scalar,
}

/// A string value and the byte range of its literal (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

impl Json {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&Spanned> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// Parse a whole document (trailing whitespace only after it).
pub fn parse(data: &[u8]) -> Result<Json, IpynbError> {
    let mut p = Parser {
        data,
        pos: 0,
        nodes: 0,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos != data.len() {
        return Err(p.error("data after the document"));
    }
    Ok(v)
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    nodes: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> IpynbError {
        IpynbError::Json {
            offset: self.pos,
            reason: what.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), IpynbError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", char::from(b))))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, IpynbError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(IpynbError::Limit("MAX_NODES"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, IpynbError> {
        if depth > MAX_DEPTH {
            return Err(IpynbError::Limit("MAX_DEPTH"));
        }
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_ws();
            let key = self.string()?.value;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let v = self.value(depth)?;
            members.push((key, v));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, IpynbError> {
        if depth > MAX_DEPTH {
            return Err(IpynbError::Limit("MAX_DEPTH"));
        }
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<Json, IpynbError> {
        if self.data.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(Json::Scalar)
        } else {
            Err(self.error("bad literal"))
        }
    }

    fn number(&mut self) -> Result<Json, IpynbError> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        let text = self.data.get(start..self.pos).unwrap_or_default();
        std::str::from_utf8(text)
            .ok()
            .filter(|t| !t.starts_with('+'))
            .and_then(|t| t.parse::<f64>().ok())
            .map(Json::Num)
            .ok_or_else(|| self.error("bad number"))
    }

    fn string(&mut self) -> Result<Spanned, IpynbError> {
        let start = self.pos;
        self.expect(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            // Copy the run up to the next quote, backslash or control byte.
            let rest = self.data.get(self.pos..).unwrap_or_default();
            let run = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .ok_or_else(|| self.error("unterminated string"))?;
            out.extend_from_slice(rest.get(..run).unwrap_or_default());
            self.pos += run;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    let value = String::from_utf8(out).map_err(|_| self.error("invalid UTF-8"))?;
                    return Ok(Spanned {
                        value,
                        start,
                        end: self.pos,
                    });
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                _ => return Err(self.error("control character in string")),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), IpynbError> {
        let c = self
            .peek()
            .ok_or_else(|| self.error("unterminated escape"))?;
        self.pos += 1;
        let simple = match c {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            _ => return Err(self.error("bad escape")),
        };
        if let Some(b) = simple {
            out.push(b);
            return Ok(());
        }
        let hi = self.hex4()?;
        let ch = if (0xD800..0xDC00).contains(&hi) {
            // A high surrogate needs its low half; a lone one becomes U+FFFD
            // (as Python's json module would keep it, but text must be UTF-8).
            if self.data.get(self.pos..self.pos + 2) == Some(b"\\u") {
                let save = self.pos;
                self.pos += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                } else {
                    self.pos = save;
                    None
                }
            } else {
                None
            }
        } else {
            char::from_u32(hi)
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.unwrap_or('\u{FFFD}').encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, IpynbError> {
        let digits = self
            .data
            .get(self.pos..self.pos + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.pos += 4;
        Ok(digits)
    }
}

/// The raw byte offset of unescaped byte `k` of the string literal at
/// `start` (its opening quote): escapes make the two differ.
pub fn raw_offset(data: &[u8], start: usize, k: usize) -> usize {
    let mut raw = start + 1;
    let mut produced = 0;
    while produced < k {
        match data.get(raw) {
            Some(b'\\') => {
                let width = match data.get(raw + 1) {
                    Some(b'u') => {
                        // One code point (a surrogate pair is one); count
                        // its UTF-8 bytes as `escape` wrote them.
                        let hex = |at: usize| {
                            data.get(at..at + 4)
                                .and_then(|d| std::str::from_utf8(d).ok())
                                .and_then(|d| u32::from_str_radix(d, 16).ok())
                        };
                        let hi = hex(raw + 2).unwrap_or(0xFFFD);
                        let pair = (0xD800..0xDC00).contains(&hi)
                            && data.get(raw + 6..raw + 8) == Some(b"\\u")
                            && hex(raw + 8).is_some_and(|lo| (0xDC00..0xE000).contains(&lo));
                        if pair {
                            produced += 4;
                            raw += 12;
                        } else {
                            produced += char::from_u32(hi).map_or(3, char::len_utf8);
                            raw += 6;
                        }
                        continue;
                    }
                    _ => 2,
                };
                produced += 1;
                raw += width;
            }
            Some(b'"') | None => break,
            Some(_) => {
                produced += 1;
                raw += 1;
            }
        }
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_their_literal_span_and_unescape() {
        let doc = br#"{"a": ["x\n", "\u00e9\ud83d\ude00\"q\""], "b": 1.5e3, "c": null}"#;
        let v = parse(doc).unwrap();
        let a = v.get("a").unwrap().as_array().unwrap();
        let s = a[1].as_str().unwrap();
        assert_eq!(s.value, "é😀\"q\"");
        assert_eq!(&doc[s.start..s.end], br#""\u00e9\ud83d\ude00\"q\"""#);
        // 'q' is unescaped byte 7 (é = 2 bytes, 😀 = 4, '"' = 1).
        assert_eq!(doc[raw_offset(doc, s.start, 7)], b'q');
    }

    #[test]
    fn broken_documents_are_errors_not_panics() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\" 1}",
            b"[1,]",
            b"\"abc",
            b"\"\\u12\"",
            b"\"\\x\"",
            b"tru",
            b"[1] 2",
            b"\"a\nb\"",
            b"\"\xff\"",
            b"+1",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn nesting_past_the_limit_is_refused() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(IpynbError::Limit("MAX_DEPTH"))
        ));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn a_lone_surrogate_becomes_a_replacement_character() {
        let v = parse(br#""\ud800x""#).unwrap();
        assert_eq!(v.as_str().unwrap().value, "\u{FFFD}x");
    }
}
