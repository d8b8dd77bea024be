//! `aigis rule ID` and `aigis rules`: a rule's explanation and the rule list,
//! as text for people and as the serde form of [`Rule`] for machines.
//!
//! The sections are the ones every rule documents (see `RuleDocs`), in the
//! order ruff uses: what it does, why it is bad, an example, how to fix it,
//! references. The text is Markdown, so the docs site can reuse it.

use crate::json::to_pretty_json;
use aigis_findings::Rule;

/// One rule, fully explained, as Markdown-flavoured text.
pub fn render_rule(rule: &Rule) -> String {
    let mut out = format!("# {} {}\n\n", rule.id, rule.name);
    if !rule.summary.trim().is_empty() {
        out.push_str(rule.summary.trim());
        out.push_str("\n\n");
    }
    let facts = [
        ("Domain", rule.domain.as_str().to_string()),
        ("Default severity", rule.severity.to_string()),
        ("Verdict", rule.verdict.to_string()),
        ("Checklist", checklist(rule)),
    ];
    for (label, value) in facts {
        out.push_str(&format!("{:<18}{value}\n", format!("{label}:")));
    }

    out.push('\n');
    out.push_str(&docs(rule, Flavor::Markdown));
    out
}

/// How [`docs`] marks up its sections.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// Section titles on their own line, the example indented.
    Text,
    /// `##` headings, the example as an indented code block.
    Markdown,
}

/// The five documentation sections of a rule, in order, ending with a newline.
/// Shared by `aigis rule ID` and the SARIF rule descriptors' `help`.
pub(crate) fn docs(rule: &Rule, flavor: Flavor) -> String {
    let d = &rule.docs;
    let mut example = String::new();
    for line in d.example.trim_matches('\n').lines() {
        if line.trim().is_empty() {
            example.push('\n');
        } else {
            example.push_str(&format!("    {}\n", line.trim_end()));
        }
    }
    let references = if d.references.is_empty() {
        "(none)".to_string()
    } else {
        d.references
            .iter()
            .map(|r| format!("- {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let sections = [
        ("What it does", d.what.trim().to_string()),
        ("Why is this bad?", d.why.trim().to_string()),
        ("Example", example.trim_end().to_string()),
        ("How to fix", d.fix.trim().to_string()),
        ("References", references),
    ];
    let mut out = String::new();
    for (i, (title, body)) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match flavor {
            Flavor::Text => out.push_str(&format!("{title}\n{body}\n")),
            Flavor::Markdown => out.push_str(&format!("## {title}\n\n{body}\n")),
        }
    }
    out
}

fn checklist(rule: &Rule) -> String {
    if rule.checklist.is_empty() {
        "-".to_string()
    } else {
        rule.checklist.join(", ")
    }
}

/// One line per rule: id, name, severity, checklist items, summary; the
/// columns aligned, under a header line.
pub fn render_rules_table(rules: &[Rule]) -> String {
    let rows: Vec<[String; 5]> = rules
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.name.to_string(),
                r.severity.to_string(),
                checklist(r),
                r.summary.trim().to_string(),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "SEVERITY", "CHECKLIST", "SUMMARY"].map(String::from);

    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            let pad = w - cell.chars().count();
            line.push_str(cell);
            line.push_str(&" ".repeat(pad + 2));
        }
        line.push_str(&row[4]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The serde form of one rule, pretty-printed.
pub fn render_rule_json(rule: &Rule) -> String {
    let mut out = to_pretty_json(rule);
    out.push('\n');
    out
}

/// The serde form of a list of rules (a JSON array), pretty-printed.
pub fn render_rules_json(rules: &[Rule]) -> String {
    let mut out = to_pretty_json(rules);
    out.push('\n');
    out
}
