//! Inline suppression: `aigis: allow-secret <reason>` on the line of a match
//! or the line above, in any comment syntax (`#`, `//`, `--`, `<!-- -->`,
//! `/* */`). A marker without a reason does not suppress: the reason is what
//! a reviewer reads.

/// The marker; matched ASCII case-insensitively, with any spacing after the colon.
const MARKER_HEAD: &[u8] = b"aigis:";
const MARKER_TAIL: &[u8] = b"allow-secret";
/// Comment closers and separators stripped before looking for a reason.
const CLOSERS: &[&[u8]] = &[b"-->", b"*/", b"#}", b"%}"];

/// How far from a match a marker is looked for on very long lines (minified
/// JSON, logs): a line is cut to this many bytes each side of the match.
pub(crate) const MAX_LINE_REACH: usize = 4096;

/// The bounds of the line holding byte `at` (without its line break), cut
/// to [`MAX_LINE_REACH`] bytes each side of `at`.
pub(crate) fn line_bounds(text: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let lo = at.saturating_sub(MAX_LINE_REACH);
    let hi = at.saturating_add(MAX_LINE_REACH).min(text.len());
    let start = text
        .get(lo..at)
        .and_then(|t| t.iter().rposition(|&b| b == b'\n'))
        .map_or(lo, |p| lo + p + 1);
    let end = text
        .get(at..hi)
        .and_then(|t| t.iter().position(|&b| b == b'\n'))
        .map_or(hi, |p| at + p);
    (start, end)
}

/// Whether the line of `at`, or the line above it, carries an allow marker with a reason.
pub(crate) fn allowed(text: &[u8], at: usize) -> bool {
    let (start, end) = line_bounds(text, at);
    if text.get(start..end).is_some_and(line_allows) {
        return true;
    }
    if start == 0 {
        return false;
    }
    let (prev_start, prev_end) = line_bounds(text, start - 1);
    text.get(prev_start..prev_end).is_some_and(line_allows)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The line holds `aigis: allow-secret` followed by a reason (a letter or digit
/// that is not part of a comment closer).
fn line_allows(line: &[u8]) -> bool {
    let mut rest = line;
    while let Some(p) = find(rest, MARKER_HEAD) {
        let after = rest.get(p + MARKER_HEAD.len()..).unwrap_or(&[]);
        let after = after.trim_ascii_start();
        if after.len() >= MARKER_TAIL.len()
            && after[..MARKER_TAIL.len()].eq_ignore_ascii_case(MARKER_TAIL)
        {
            return has_reason(&after[MARKER_TAIL.len()..]);
        }
        rest = after;
    }
    false
}

fn has_reason(tail: &[u8]) -> bool {
    // `allow-secrets` or `allow-secret-x` is another word, not the marker.
    if tail
        .first()
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
    {
        return false;
    }
    let mut t = tail.to_vec();
    for closer in CLOSERS {
        while let Some(p) = find(&t, closer) {
            t.drain(p..p + closer.len());
        }
    }
    t.iter().any(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_need_a_reason() {
        assert!(line_allows(b"x = 1  # aigis: allow-secret test fixture"));
        assert!(line_allows(b"// AIGIS: allow-secret: fake key for docs"));
        assert!(line_allows(b"<!-- aigis: allow-secret rotated 2024 -->"));
        assert!(line_allows(b"-- aigis:allow-secret revoked"));
        assert!(!line_allows(b"# aigis: allow-secret"));
        assert!(!line_allows(b"<!-- aigis: allow-secret -->"));
        assert!(!line_allows(b"/* aigis: allow-secret */"));
        assert!(!line_allows(b"# aigis: allow-secrets everything"));
        assert!(!line_allows(b"# nothing here"));
    }

    #[test]
    fn line_above_counts_two_above_does_not() {
        let text = b"# aigis: allow-secret fixture\nkey\nother\nkey2";
        assert!(allowed(text, 31));
        assert!(!allowed(text, 40));
        assert!(allowed(text, 3));
    }

    #[test]
    fn bounds_handle_edges() {
        assert_eq!(line_bounds(b"ab\ncd", 4), (3, 5));
        assert_eq!(line_bounds(b"ab\ncd", 99), (3, 5));
        assert_eq!(line_bounds(b"", 0), (0, 0));
    }
}
