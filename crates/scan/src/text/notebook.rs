//! Notebooks: code cells through the Python and shell rules, every cell and
//! every text output through the secret rules (outputs also through the
//! personal-data rules), each finding at its line of the raw `.ipynb`.

use aigis_findings::{Finding, Location};
use aigis_formats::ipynb::{self, CellKind, Text};
use aigis_secrets::Kinds;

use super::{TextScanner, magics, secret_finding};
use crate::models::{Outcome, inconclusive};

pub(super) fn scan(s: &TextScanner, raw: &[u8], shown: &str) -> Outcome {
    let file = Location::file(shown);
    let nb = match ipynb::parse(raw) {
        Ok(nb) => nb,
        Err(e) => {
            // Unreadable as a notebook: the raw text still gets the secret rules.
            let mut findings = vec![inconclusive(
                &file,
                &format!("notebook cannot be read: {e}"),
            )];
            if let Some(secrets) = s.secrets() {
                for m in secrets.scan(raw, Kinds::SECRETS) {
                    let loc = Location {
                        line: Some(m.line),
                        column: Some(m.column),
                        ..file.clone()
                    };
                    findings.push(secret_finding(&m, loc, ""));
                }
            }
            return Outcome {
                format: "notebook",
                findings,
            };
        }
    };
    let python = nb
        .language
        .as_deref()
        .is_none_or(|l| l.eq_ignore_ascii_case("python"));
    let mut findings = Vec::new();
    for cell in &nb.cells {
        let at = |text: &Text, offset: usize| {
            let (line, column) = nb.position(raw, text, offset).unzip();
            Location {
                line,
                column,
                cell: u32::try_from(cell.index).ok(),
                ..file.clone()
            }
        };
        if cell.kind == CellKind::Code && python && (s.code || s.notebooks) {
            code_cell(cell, &at, &mut findings);
        }
        let Some(secrets) = s.secrets() else {
            continue;
        };
        for m in secrets.scan(cell.source.text.as_bytes(), Kinds::SECRETS) {
            let context = format!(" in cell {}", cell.index);
            findings.push(secret_finding(&m, at(&cell.source, m.start), &context));
        }
        for out in &cell.outputs {
            for m in secrets.scan(out.text.text.as_bytes(), Kinds::ALL) {
                let context = format!(
                    " in output {} ({}) of cell {}",
                    out.index, out.label, cell.index
                );
                findings.push(secret_finding(&m, at(&out.text, m.start), &context));
            }
        }
    }
    Outcome {
        format: "notebook",
        findings,
    }
}

/// The Python and shell rules over one code cell, mapped to raw positions.
fn code_cell(cell: &ipynb::Cell, at: &dyn Fn(&Text, usize) -> Location, out: &mut Vec<Finding>) {
    let prepared = magics::prepare(&cell.source.text);
    let analysis = aigis_pycode::analyze_prefiltered(&prepared.python);
    let shell = prepared
        .shell
        .iter()
        .flat_map(|(line, cmd)| aigis_pycode::analyze_shell(cmd, *line));
    for f in analysis.findings.into_iter().chain(shell) {
        let offset = offset_of(&cell.source, f.line, f.column);
        let message = format!("{} (cell {})", f.message, cell.index);
        let mut finding = Finding::new(f.rule, at(&cell.source, offset), message, &f.key);
        finding.evidence = Some(f.evidence);
        out.push(finding);
    }
}

/// The byte offset in `text` of 1-based `line` and character `column`.
fn offset_of(text: &Text, line: u32, column: u32) -> usize {
    let start = text.line_offset(line).unwrap_or(0);
    let rest = text.text.get(start..).unwrap_or("");
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    start
        + rest
            .char_indices()
            .take_while(|(_, c)| *c != '\n')
            .nth(skip)
            .map_or(0, |(i, _)| i)
}
