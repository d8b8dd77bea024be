//! The windows a keyword-triggered rule searches: the lines around each
//! keyword hit, cut to the rule's byte reach and merged per rule, so that a
//! rule's regex runs over a bounded part of the input, each byte once.

use crate::spec::RuleSpec;

/// A window cut inside a token is extended by at most this many bytes to the token's end.
const MAX_TOKEN_EXTEND: usize = 512;
/// Windows of one rule closer than this are searched as one (bounds their number).
const MERGE_GAP: usize = 256;

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-+/=.".contains(&b)
}

/// The bytes a rule searches around a keyword hit at `s..e`: from the start
/// of the line `lines_before` above to the end of the line `lines_after`
/// below, each side cut to the rule's byte reach.
pub(crate) fn window(spec: &RuleSpec, text: &[u8], s: usize, e: usize) -> (usize, usize) {
    let reach = spec.window_bytes as usize;
    let lo = s.saturating_sub(reach);
    let mut start = s;
    for i in 0..=spec.lines_before {
        let upto = if i == 0 {
            start
        } else {
            start.saturating_sub(1)
        };
        match text.get(lo..upto).and_then(|t| memchr::memrchr(b'\n', t)) {
            Some(p) => start = lo + p + 1,
            None => {
                start = lo;
                break;
            }
        }
    }
    let hi = e.saturating_add(reach).min(text.len());
    let mut end = e;
    // Each line is taken with its line break: a pattern may need the byte
    // after a secret to see where it ends.
    for _ in 0..=spec.lines_after {
        match text.get(end..hi).and_then(|t| memchr::memchr(b'\n', t)) {
            Some(p) => end += p + 1,
            None => {
                end = hi;
                break;
            }
        }
    }
    // A reach that stops inside a token would cut a secret short: finish the
    // token, and take one byte more for the same reason as the line break.
    let cut = end > 0 && text.get(end - 1).is_some_and(|&b| b != b'\n');
    if cut {
        let limit = end.saturating_add(MAX_TOKEN_EXTEND).min(text.len());
        while end < limit && text.get(end).copied().is_some_and(is_token_byte) {
            end += 1;
        }
        end = end.saturating_add(1).min(text.len());
    }
    (start, end)
}

/// Appends `w` to windows sorted by start, merging it into the last one if
/// they are less than [`MERGE_GAP`] apart.
pub(crate) fn merge(list: &mut Vec<(usize, usize)>, w: (usize, usize)) {
    if let Some(last) = list.last_mut()
        && w.0 <= last.1.saturating_add(MERGE_GAP)
        && w.1 >= last.0
    {
        *last = (last.0.min(w.0), last.1.max(w.1));
        return;
    }
    list.push(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(before: u32, after: u32, reach: u32) -> RuleSpec {
        let mut s = crate::registry::registry().expect("rules").specs[0].clone();
        (s.lines_before, s.lines_after, s.window_bytes) = (before, after, reach);
        s
    }

    #[test]
    fn window_takes_whole_lines_with_their_break() {
        let text = b"one\ntwo key two\nthree\nfour";
        assert_eq!(window(&spec(0, 0, 1024), text, 8, 11), (4, 16));
        assert_eq!(window(&spec(1, 1, 1024), text, 8, 11), (0, 22));
    }

    #[test]
    fn window_reach_stops_then_finishes_the_token() {
        let text = b"aaaa key bbbbbbbbbb cc";
        let (s, e) = window(&spec(0, 0, 3), text, 5, 8);
        assert_eq!(
            (s, e),
            (2, 20),
            "start cut at the reach, end after the token and one byte"
        );
    }

    #[test]
    fn close_windows_merge() {
        let mut list = vec![(0, 10)];
        merge(&mut list, (100, 120));
        merge(&mut list, (1000, 1010));
        assert_eq!(list, [(0, 120), (1000, 1010)]);
    }
}
