//! Human output of a scan, in the manner of cargo and ruff.
//!
//! ```text
//! malicious    models/evil.pt (pytorch-zip)
//!   critical[AIG101] pickle-dangerous-call: the pickle calls posix.system
//!     --> models/evil.pt!archive/data.pkl@0x2a
//!      | REDUCE at 0x2a calls posix.system('echo pwned')
//!
//! 3 files scanned: 1 malicious, 2 clean; 1 finding: 1 critical; 0 suppressed
//! ```
//!
//! One verdict line per file, its findings under it, one summary line at the
//! end. Whether to colour is the caller's decision ([`TextOptions::color`]):
//! this module never looks at the terminal or the environment. Every string
//! that came from a scanned file goes through [`terminal_safe`] first.

use crate::escape::{safe_lines, terminal_safe};
use aigis_findings::{FileReport, Finding, Report, Severity, Verdict};
use anstyle::{AnsiColor, Style};
use std::collections::BTreeMap;

/// How [`render_text`] lays things out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Emit ANSI colours. The binary sets this from the terminal and `NO_COLOR`.
    pub color: bool,
    /// List clean files too (one line each). Otherwise they only count in the summary.
    pub show_clean: bool,
}

/// Width of the verdict column: the longest verdict, `inconclusive`.
const VERDICT_WIDTH: usize = 12;

/// Most severe first: the order of the summary.
const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// Worst first, by [`Verdict::max`] precedence.
const VERDICTS: [Verdict; 4] = [
    Verdict::Malicious,
    Verdict::Inconclusive,
    Verdict::Unapproved,
    Verdict::Clean,
];

/// The whole report for a terminal, ending with the summary line.
pub fn render_text(report: &Report, opts: &TextOptions) -> String {
    let p = Painter { color: opts.color };
    let mut out = String::new();
    // A file with findings or a reason is a block of lines; blocks are set off
    // by blank lines, while one-line entries (clean files) stack compactly.
    let mut previous_was_block = None;
    for file in &report.files {
        if file.verdict == Verdict::Clean && file.findings.is_empty() && !opts.show_clean {
            continue;
        }
        let block = file_lines(file, p);
        let is_block = block.lines().count() > 1;
        if let Some(previous) = previous_was_block
            && (previous || is_block)
        {
            out.push('\n');
        }
        out.push_str(&block);
        previous_was_block = Some(is_block);
    }
    if previous_was_block.is_some() {
        out.push('\n');
    }
    summary_line(&mut out, report, p);
    out
}

/// The verdict line of a file and the lines of its findings.
fn file_lines(file: &FileReport, p: Painter) -> String {
    let mut out = p.paint(file.verdict.as_str(), verdict_style(file.verdict));
    let pad = VERDICT_WIDTH.saturating_sub(file.verdict.as_str().len());
    out.push_str(&" ".repeat(pad + 1));
    out.push_str(&p.paint(&terminal_safe(&file.path), Style::new().bold()));
    out.push_str(&format!(" ({})\n", terminal_safe(&file.format)));

    // The reason is usually the message of an inconclusive finding, shown
    // below anyway; print it here only when no finding says it.
    if let Some(reason) = &file.inconclusive_reason
        && !file.findings.iter().any(|f| &f.message == reason)
    {
        out.push_str(&format!("    reason: {}\n", terminal_safe(reason)));
    }
    for finding in &file.findings {
        finding_lines(&mut out, finding, p);
    }
    out
}

fn finding_lines(out: &mut String, f: &Finding, p: Painter) {
    let mut message = safe_lines(&f.message);
    let first = message.next().unwrap_or_default();
    out.push_str("  ");
    out.push_str(&p.paint(f.severity.as_str(), severity_style(f.severity)));
    let id = format!("[{}]", terminal_safe(&f.rule_id));
    out.push_str(&p.paint(&id, Style::new().bold()));
    out.push_str(&format!(" {}: {first}\n", terminal_safe(&f.rule_name)));
    for line in message {
        out.push_str(&format!("    {line}\n"));
    }

    let arrow = p.paint("-->", gutter_style());
    out.push_str(&format!(
        "    {arrow} {}\n",
        terminal_safe(&f.location.display())
    ));
    if let Some(evidence) = &f.evidence {
        let bar = p.paint("|", gutter_style());
        for line in safe_lines(evidence) {
            out.push_str(&format!("     {bar} {line}\n"));
        }
    }
}

fn summary_line(out: &mut String, report: &Report, p: Painter) {
    let s = &report.summary;
    let files = plural(s.files_scanned, "file", "files");
    out.push_str(&format!("{} {files} scanned", s.files_scanned));

    let verdicts = counts(&s.verdicts, &VERDICTS.map(Verdict::as_str), |name| {
        VERDICTS
            .into_iter()
            .find(|v| v.as_str() == name)
            .map(verdict_style)
    });
    if !verdicts.is_empty() {
        out.push_str(": ");
        out.push_str(&p.join(&verdicts));
    }

    let total: usize = s.severities.values().sum();
    out.push_str(&format!(
        "; {total} {}",
        plural(total, "finding", "findings")
    ));
    let severities = counts(&s.severities, &SEVERITIES.map(Severity::as_str), |name| {
        SEVERITIES
            .into_iter()
            .find(|v| v.as_str() == name)
            .map(severity_style)
    });
    if !severities.is_empty() {
        out.push_str(": ");
        out.push_str(&p.join(&severities));
    }
    out.push_str(&format!("; {} suppressed\n", s.suppressed));
}

/// `(text, style)` for every non-zero count: known keys in `order`, then any
/// other key the map holds (in its sorted order), so that nothing is dropped.
fn counts(
    map: &BTreeMap<String, usize>,
    order: &[&str],
    style_of: impl Fn(&str) -> Option<Style>,
) -> Vec<(String, Style)> {
    let known = order.iter().filter_map(|k| map.get_key_value(*k));
    let unknown = map.iter().filter(|(k, _)| !order.contains(&k.as_str()));
    known
        .chain(unknown)
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| {
            let style = style_of(k).unwrap_or_default();
            (format!("{n} {}", terminal_safe(k)), style)
        })
        .collect()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Applies styles only when colour is on, so that callers never branch.
#[derive(Clone, Copy)]
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(self, text: &str, style: Style) -> String {
        if self.color && style != Style::new() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn join(self, parts: &[(String, Style)]) -> String {
        parts
            .iter()
            .map(|(text, style)| self.paint(text, *style))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

fn verdict_style(v: Verdict) -> Style {
    match v {
        Verdict::Malicious => fg(AnsiColor::Red).bold(),
        Verdict::Inconclusive => fg(AnsiColor::Magenta).bold(),
        Verdict::Unapproved => fg(AnsiColor::Yellow).bold(),
        Verdict::Clean => fg(AnsiColor::Green),
    }
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => fg(AnsiColor::Red).bold(),
        Severity::High => fg(AnsiColor::Red),
        Severity::Medium => fg(AnsiColor::Yellow),
        Severity::Low => fg(AnsiColor::Blue),
        Severity::Info => fg(AnsiColor::Cyan),
    }
}

fn gutter_style() -> Style {
    fg(AnsiColor::Blue).bold()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigis_findings::{Location, ToolInfo};

    fn tool() -> ToolInfo {
        ToolInfo {
            name: "aigis".into(),
            version: "0".into(),
        }
    }

    fn finding(path: &str, message: &str) -> Finding {
        Finding {
            rule_id: "AIG101".into(),
            rule_name: "pickle-dangerous-call".into(),
            severity: Severity::Critical,
            verdict: Verdict::Malicious,
            checklist: vec!["000#1".into()],
            message: message.into(),
            location: Location::file(path),
            evidence: Some("a\x1b]0;owned\x07b".into()),
            fingerprint: "0".repeat(32),
        }
    }

    #[test]
    fn hostile_names_cannot_reach_the_terminal() {
        let path = "evil\x1b[2J\nname\u{202e}.pkl";
        let file = FileReport::new(path, "pickle", vec![finding(path, "calls x")]);
        let report = Report::new(tool(), vec![file], 0);
        for color in [false, true] {
            let out = render_text(
                &report,
                &TextOptions {
                    color,
                    show_clean: false,
                },
            );
            assert!(out.contains("evil\\u{1b}[2J\\nname\\u{202e}.pkl"), "{out}");
            assert!(out.contains("a\\u{1b}]0;owned\\u{7}b"), "{out}");
            assert!(!out.contains('\u{202e}') && !out.contains('\u{7}'));
            if !color {
                assert!(!out.contains('\u{1b}'));
            }
        }
    }

    #[test]
    fn multi_line_messages_stay_indented() {
        let file = FileReport::new("m.pkl", "pickle", vec![finding("m.pkl", "first\nsecond")]);
        let out = render_text(&Report::new(tool(), vec![file], 0), &TextOptions::default());
        assert!(
            out.contains(": first\n    second\n    --> m.pkl\n"),
            "{out}"
        );
    }

    #[test]
    fn clean_files_only_count_unless_shown() {
        let files = vec![
            FileReport::new("a.safetensors", "safetensors", Vec::new()),
            FileReport::new("b.safetensors", "safetensors", Vec::new()),
        ];
        let report = Report::new(tool(), files, 1);
        assert_eq!(
            render_text(&report, &TextOptions::default()),
            "2 files scanned: 2 clean; 0 findings; 1 suppressed\n"
        );
        let shown = render_text(
            &report,
            &TextOptions {
                color: false,
                show_clean: true,
            },
        );
        assert_eq!(
            shown,
            "clean        a.safetensors (safetensors)\n\
             clean        b.safetensors (safetensors)\n\
             \n\
             2 files scanned: 2 clean; 0 findings; 1 suppressed\n"
        );
    }

    #[test]
    fn unknown_summary_keys_are_not_dropped() {
        let mut report = Report::new(tool(), Vec::new(), 0);
        report.summary.files_scanned = 1;
        report.summary.verdicts.insert("quarantined".into(), 1);
        let out = render_text(&report, &TextOptions::default());
        assert_eq!(
            out,
            "1 file scanned: 1 quarantined; 0 findings; 0 suppressed\n"
        );
    }
}
