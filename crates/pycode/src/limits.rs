//! Named limits that bound the work and memory spent on one input, and the
//! cheap pre-check that refuses nesting deep enough to endanger the stack.

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::Mode;
use ruff_python_parser::lexer::lex;

/// Sources larger than this are not parsed (reported as a parse problem).
pub const MAX_SOURCE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest bracket nesting (`(`, `[`, `{`) accepted before parsing.
pub const MAX_BRACKET_DEPTH: usize = 200;
/// Most operator, attribute, colon or space bytes between two commas (or
/// two newlines outside brackets) accepted before parsing: each chained
/// operator, attribute, `not` or `lambda:` can add one level to the tree.
pub const MAX_CHAIN_LINKS: usize = 5_000;
/// Deepest indentation accepted (CPython's tokenizer stops at 100 too).
pub const MAX_INDENT_DEPTH: usize = 100;
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
    Indentation,
    Chain,
}

/// The pre-check run before the parser, over the lexer's tokens (flat, no
/// recursion, exactly the brackets the parser will see, f-string holes
/// included, strings and comments not): bracket depth, indentation depth,
/// and how many operator or keyword tokens lie between two commas or
/// logical lines. The parser itself grows its stack, but dropping or
/// walking a tree tens of thousands of levels deep recurses on ours.
pub(crate) fn check_nesting(source: &str) -> Result<(), TooDeep> {
    let mut lexer = lex(source, Mode::Module);
    let (mut depth, mut indent, mut links) = (0usize, 0usize, 0usize);
    loop {
        let kind = lexer.next_token();
        match kind {
            TokenKind::EndOfFile => return Ok(()),
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                depth += 1;
                links += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Err(TooDeep::Brackets);
                }
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                depth = depth.saturating_sub(1);
            }
            TokenKind::Indent => {
                indent += 1;
                if indent > MAX_INDENT_DEPTH {
                    return Err(TooDeep::Indentation);
                }
            }
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            TokenKind::Comma | TokenKind::Newline => links = 0,
            k if k.is_operator() || k.is_keyword() => links += 1,
            _ => {}
        }
        if links > MAX_CHAIN_LINKS {
            return Err(TooDeep::Chain);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count_but_f_string_holes_do() {
        let deep = "(".repeat(MAX_BRACKET_DEPTH + 1);
        let quiet = format!("x = b'{deep}'\n# {deep}\ny = \"\"\"{deep}\"\"\"\n");
        assert_eq!(check_nesting(&quiet), Ok(()));
        assert_eq!(
            check_nesting(&format!("x = f'{{{deep}'")),
            Err(TooDeep::Brackets)
        );
        assert_eq!(
            check_nesting(&format!("x = f'{{1}}' + {deep}")),
            Err(TooDeep::Brackets)
        );
        assert_eq!(
            check_nesting(&format!("x = {deep}")),
            Err(TooDeep::Brackets)
        );
    }
}
