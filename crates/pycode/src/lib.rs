//! Python SAST for ML code: finds unsafe deserialization, remote and native
//! code loading, code and command execution, and serving misconfigurations
//! in Python source, judging each call by its fully qualified callee (after
//! imports and aliases) and by its arguments.
//!
//! A library only: it never prints, never reads files and never decides exit
//! codes. [`analyze`] takes source text and returns [`CodeFinding`]s against
//! the rules of [`rules()`]; [`analyze_shell`] judges notebook shell lines.
//! Parsing is done by `ruff_python_parser` behind the `syntax` and `resolve`
//! adapter modules; the detectors see only the facts of `model`.

mod detect;
mod limits;
mod model;
mod position;
mod prefilter;
mod resolve;
mod rules;
mod scope;
mod suppress;
mod syntax;

pub use limits::{MAX_BRACKET_DEPTH, MAX_CHAIN_LINKS, MAX_INDENT_DEPTH, MAX_SOURCE_BYTES};
pub use prefilter::could_fire;

use aigis_findings::Rule;
use detect::Hit;
use limits::{MAX_FINDINGS, TooDeep, check_nesting};
use position::{Lines, evidence};

/// Every rule of this crate, sorted by id.
pub fn rules() -> &'static [&'static Rule] {
    rules::ALL
}

/// One rule that fired at one place of the source.
#[derive(Clone, Debug)]
pub struct CodeFinding {
    pub rule: &'static Rule,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start, in characters.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    pub message: String,
    /// The call (or statement) as written, whitespace collapsed, about 200 characters at most.
    pub evidence: String,
    /// Normalised content for the fingerprint, e.g. `torch.load(weights_only=False)`; never positions.
    pub key: String,
}

/// Why (part of) a source could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseProblem {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// The result of [`analyze`]: findings, and the first parse problem if any.
/// A source with syntax errors still gets the findings of what the parser
/// recovered; a refused source (too large, nested too deeply) gets none.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub findings: Vec<CodeFinding>,
    pub parse_error: Option<ParseProblem>,
}

/// Analyse one Python module.
pub fn analyze(source: &str) -> Analysis {
    if source.len() > MAX_SOURCE_BYTES {
        let message = format!(
            "too large: {} bytes (the limit is {MAX_SOURCE_BYTES}); not analysed",
            source.len()
        );
        return refused(message);
    }
    if let Err(e) = check_nesting(source) {
        let message = match e {
            TooDeep::Brackets => {
                format!("nested too deeply: more than {MAX_BRACKET_DEPTH} brackets; not analysed")
            }
            TooDeep::Indentation => format!(
                "nested too deeply: more than {} indentation levels; not analysed",
                MAX_INDENT_DEPTH
            ),
            TooDeep::Chain => format!(
                "expression too long: more than {MAX_CHAIN_LINKS} chained operators; not analysed"
            ),
        };
        return refused(message);
    }
    let walked = syntax::parse_and_walk(source);
    let hits = walked.hits;
    if hits.is_empty() && walked.error.is_none() {
        // The common case: no line table needed.
        return Analysis::default();
    }
    let lines = Lines::new(source);
    let findings = finish(source, &lines, hits);
    let parse_error = walked.error.map(|(offset, message)| {
        let (line, column) = lines.position(offset);
        ParseProblem {
            line,
            column,
            message,
        }
    });
    Analysis {
        findings,
        parse_error,
    }
}

/// [`analyze`] for scanning: a module in which [`could_fire`] finds none of
/// the words any rule needs is not parsed at all (no rule can fire on it,
/// whatever the parse), so its syntax errors are not looked for either.
pub fn analyze_prefiltered(source: &str) -> Analysis {
    if could_fire(source) {
        analyze(source)
    } else {
        Analysis::default()
    }
}

fn refused(message: String) -> Analysis {
    Analysis {
        findings: Vec::new(),
        parse_error: Some(ParseProblem {
            line: 1,
            column: 1,
            message,
        }),
    }
}

/// Positions, evidence, suppression, order and de-duplication.
fn finish(source: &str, lines: &Lines<'_>, hits: Vec<Hit>) -> Vec<CodeFinding> {
    let mut out: Vec<CodeFinding> = Vec::new();
    for hit in hits {
        let (line, column) = lines.position(hit.span.start);
        let (end_line, _) = lines.position(hit.span.end.saturating_sub(1).max(hit.span.start));
        let suppressed = suppress::suppresses(lines.text(line), hit.rule)
            || (line > 1 && suppress::suppresses(lines.text(line - 1), hit.rule));
        if suppressed {
            continue;
        }
        out.push(CodeFinding {
            rule: hit.rule,
            line,
            column,
            end_line,
            message: hit.message,
            evidence: evidence(source, hit.span.start, hit.span.end),
            key: hit.key,
        });
    }
    out.sort_by(|a, b| (a.line, a.column, a.rule.id).cmp(&(b.line, b.column, b.rule.id)));
    out.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.rule.id == b.rule.id);
    out.truncate(MAX_FINDINGS);
    out
}

/// Analyse one notebook shell line (`!cmd` or `%pip ...`, with or without
/// the prefix) found at 1-based `line`.
pub fn analyze_shell(command: &str, line: u32) -> Vec<CodeFinding> {
    let mut out = Vec::new();
    for hit in detect::scan_shell(command) {
        if suppress::suppresses(command, hit.rule) {
            continue;
        }
        let before = command.get(..hit.span.start).unwrap_or("");
        let text = command.get(hit.span.start..hit.span.end).unwrap_or("");
        let lead = text.len() - text.trim_start().len();
        let lead_text = text.get(..lead).unwrap_or("");
        let newlines = u32::try_from(before.matches('\n').count()).unwrap_or(0);
        let col_base =
            before.rsplit('\n').next().unwrap_or("").chars().count() + lead_text.chars().count();
        out.push(CodeFinding {
            rule: hit.rule,
            line: line.saturating_add(newlines),
            column: u32::try_from(col_base + 1).unwrap_or(u32::MAX),
            end_line: line.saturating_add(newlines),
            message: hit.message,
            evidence: evidence(command, hit.span.start, hit.span.end),
            key: hit.key,
        });
    }
    // Two readings of one pip option (the flag, the URL) are one finding.
    out.sort_by(|a, b| (a.line, a.column, a.rule.id).cmp(&(b.line, b.column, b.rule.id)));
    out.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.rule.id == b.rule.id);
    out.truncate(MAX_FINDINGS);
    out
}
