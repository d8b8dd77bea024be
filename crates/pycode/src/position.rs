//! Byte offsets to 1-based lines and character columns, and evidence text.

use crate::limits::MAX_EVIDENCE_CHARS;

/// Line starts of one source, for offset -> (line, column) lookups.
pub(crate) struct Lines<'s> {
    source: &'s str,
    starts: Vec<usize>,
}

impl<'s> Lines<'s> {
    pub fn new(source: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Lines { source, starts }
    }

    /// 0-based line index holding byte `offset`.
    fn index(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// 1-based line and 1-based character column of byte `offset`.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.index(offset);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let prefix = self
            .source
            .get(start..offset.min(self.source.len()))
            .unwrap_or("");
        let column = prefix.chars().count() + 1;
        (to_u32(line + 1), to_u32(column))
    }

    /// The text of 1-based line `line`, without its newline; empty if out of range.
    pub fn text(&self, line: u32) -> &'s str {
        let i = (line as usize).wrapping_sub(1);
        let (Some(&start), end) = (self.starts.get(i), self.starts.get(i + 1)) else {
            return "";
        };
        let end = end.copied().unwrap_or(self.source.len());
        self.source
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The source text of a span, whitespace collapsed, cut to about
/// [`MAX_EVIDENCE_CHARS`] characters.
pub(crate) fn evidence(source: &str, start: usize, end: usize) -> String {
    let text = source.get(start..end).unwrap_or("");
    let mut out = String::new();
    let mut count = 0;
    for (i, word) in text.split_whitespace().enumerate() {
        let chars = std::iter::once(' ').filter(|_| i > 0).chain(word.chars());
        for ch in chars {
            if count >= MAX_EVIDENCE_CHARS {
                out.push('…');
                return out;
            }
            out.push(ch);
            count += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_lines_are_one_based() {
        let src = "a = 1\nñé = f(x)\n";
        let l = Lines::new(src);
        let off = src.find("f(").unwrap_or(0);
        assert_eq!(l.position(off), (2, 6));
        assert_eq!(l.text(2), "ñé = f(x)");
        assert_eq!(l.text(9), "");
    }

    #[test]
    fn evidence_collapses_whitespace_and_cuts() {
        assert_eq!(evidence("f(\n   a,\n b)", 0, 12), "f( a, b)");
        let long = "x".repeat(500);
        assert_eq!(
            evidence(&long, 0, 500).chars().count(),
            MAX_EVIDENCE_CHARS + 1
        );
    }
}
