//! Making hostile strings safe to show on a terminal.
//!
//! Paths, messages and above all evidence come from the files being scanned: a
//! pickle can carry `'\x1b[2J'` or a right-to-left override, and a file name
//! can hold a newline. Human formats pass every such string through
//! [`terminal_safe`] so that scanned content can never move the cursor, clear
//! the screen, or reorder what the reader sees. Machine formats (JSON, SARIF)
//! do not need this: JSON escapes control characters itself.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal verbatim: C0/C1 controls (including
/// ESC, CR, LF and TAB) and the Unicode bidirectional formatting characters
/// used in "Trojan Source" attacks.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200e}' | '\u{200f}' | '\u{061c}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character replaced by a visible escape: `\n`, `\r`,
/// `\t`, or `\u{..}`. Borrowed when nothing needed escaping.
pub(crate) fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                // Writing into a String cannot fail.
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The lines of a multi-line text, each made terminal-safe. Line breaks are
/// kept as lines (so that evidence and docs stay readable); only the other
/// unsafe characters are escaped. `\r\n` counts as one break.
pub(crate) fn safe_lines(s: &str) -> impl Iterator<Item = Cow<'_, str>> {
    s.lines().map(terminal_safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            terminal_safe("models/ünïcode dir/a.pkl"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_and_newlines_are_made_visible() {
        assert_eq!(
            terminal_safe("echo \x1b[2J\nrm\t-rf\r"),
            "echo \\u{1b}[2J\\nrm\\t-rf\\r"
        );
        assert_eq!(terminal_safe("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn trojan_source_bidi_overrides_are_escaped() {
        assert_eq!(terminal_safe("evil\u{202e}lkp.pt"), "evil\\u{202e}lkp.pt");
        assert_eq!(terminal_safe("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
    }

    #[test]
    fn safe_lines_keeps_line_structure() {
        let lines: Vec<_> = safe_lines("one\r\ntwo \x1b\nthree").collect();
        assert_eq!(lines, ["one", "two \\u{1b}", "three"]);
    }
}
