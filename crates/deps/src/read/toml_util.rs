//! Helpers shared by the TOML readers: a nesting pre-check (the TOML
//! deserializer recurses per nesting level) and span-to-line conversion.

/// Deepest `[`/`{` nesting accepted in a TOML dependency file.
pub const MAX_TOML_NESTING: usize = 64;

/// Parse `text` as `T`, refusing deep nesting first.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    if nesting(text) > MAX_TOML_NESTING {
        return Err(format!("nested deeper than {MAX_TOML_NESTING} levels"));
    }
    toml::from_str(text).map_err(|e| {
        let msg = e.message().to_string();
        match e.span() {
            Some(span) => format!("line {}: {msg}", crate::model::line_of(text, span.start)),
            None => msg,
        }
    })
}

/// Largest bracket nesting outside of strings (an over-estimate is fine).
fn nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for &b in text.as_bytes() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' && q == b'"' {
                    escaped = true;
                } else if b == q || b == b'\n' {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'[' | b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    max
}

/// The line of a spanned value.
pub fn line<T>(text: &str, s: &toml::Spanned<T>) -> u32 {
    crate::model::line_of(text, s.span().start)
}
