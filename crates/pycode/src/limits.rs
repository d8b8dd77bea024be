//! Named limits that bound the work and memory spent on one input, and the
//! cheap pre-check that refuses nesting deep enough to endanger the stack.

/// Sources larger than this are not parsed (reported as a parse problem).
pub const MAX_SOURCE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest bracket nesting (`(`, `[`, `{`) accepted before parsing.
pub const MAX_BRACKET_DEPTH: usize = 200;
/// Most operator, attribute, colon or space bytes between two commas (or
/// two newlines outside brackets) accepted before parsing: each chained
/// operator, attribute, `not` or `lambda:` can add one level to the tree.
pub const MAX_CHAIN_LINKS: usize = 5_000;
/// Depth of our own walk over statements and expressions; deeper parts are skipped.
pub const MAX_WALK_DEPTH: usize = 200;
/// Depth to which one argument is summarised (names, callees, literals).
pub const MAX_SUMMARY_DEPTH: usize = 12;
/// Names and callees kept per summarised value.
pub const MAX_MENTIONS: usize = 64;
/// Longest resolved dotted name kept.
pub const MAX_NAME_LEN: usize = 256;
/// Local names tracked per scope.
pub const MAX_BINDINGS_PER_SCOPE: usize = 4_096;
/// Findings reported per file.
pub const MAX_FINDINGS: usize = 10_000;
/// Evidence is trimmed to about this many characters.
pub const MAX_EVIDENCE_CHARS: usize = 200;

/// Why the pre-check refused a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TooDeep {
    Brackets,
    Chain,
}

/// A cheap byte scan run before the parser: bracket depth, and how many
/// operator/attribute links one bracket-level-0 line holds. Strings and
/// comments are not skipped, which can only over-count (a refusal, never a
/// crash). The parser itself grows its stack, but dropping or walking a
/// tree tens of thousands of levels deep recurses on ours.
pub(crate) fn check_nesting(source: &str) -> Result<(), TooDeep> {
    let mut depth: usize = 0;
    let mut links: usize = 0;
    for &b in source.as_bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                links += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Err(TooDeep::Brackets);
                }
                if links > MAX_CHAIN_LINKS {
                    return Err(TooDeep::Chain);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' if depth == 0 => links = 0,
            b',' => links = 0,
            b'.' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'~' | b'<' | b'>'
            | b'@' | b':' | b' ' => {
                links += 1;
                if links > MAX_CHAIN_LINKS {
                    return Err(TooDeep::Chain);
                }
            }
            _ => {}
        }
    }
    Ok(())
}
