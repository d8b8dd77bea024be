//! `aigis audit-log verify FILE... [--public-key PATH]`: prove a gateway
//! audit log's hash chain intact, or say where it breaks.
//!
//! Exit codes: 0 intact; 1 broken (the first problem named with its file,
//! line and sequence number); 2 bad usage, an unreadable file or key.

use crate::cli::SimpleFormat;
use crate::output::emit;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use aigis_audit::{CheckpointVerifier, Report, VerifyOptions, verify as verify_chain};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn verify(files: &[PathBuf], public_key: Option<&Path>, format: SimpleFormat) -> Result<u8> {
    let key = match public_key {
        Some(p) => {
            let pem = std::fs::read_to_string(p)
                .with_context(|| format!("failed to read {}", p.display()))?;
            Some(CheckpointVerifier::from_pem(&pem).with_context(|| p.display().to_string())?)
        }
        None => None,
    };
    let opts = VerifyOptions {
        key,
        ..VerifyOptions::default()
    };
    let report = match verify_chain(files, &opts) {
        Ok(r) => r,
        Err(e) => {
            // An unreadable file is a usage error: one line naming it.
            eprintln!("aigis: error: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    let text = match format {
        SimpleFormat::Json => serde_json::to_string_pretty(&report)?,
        SimpleFormat::Text => render_text(&report),
    };
    emit(&text, None)?;
    Ok(if report.intact {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

fn render_text(r: &Report) -> String {
    let mut out = String::new();
    for f in &r.files {
        let _ = write!(
            out,
            "{}: {} records, {} checkpoints",
            f.path.display(),
            f.records,
            f.checkpoints
        );
        if let (Some(a), Some(b)) = (&f.first_time, &f.last_time) {
            let _ = write!(out, ", {a} .. {b}");
        }
        if let (Some(a), Some(b)) = (f.first_seq, f.last_seq) {
            let _ = write!(out, ", seq {a}..{b}");
        }
        out.push('\n');
        if f.dropped > 0 {
            let _ = writeln!(
                out,
                "  {} records dropped by the writer (gap lines)",
                f.dropped
            );
        }
        if let Some(from) = &f.continues_from {
            let _ = writeln!(out, "  continues from {from} (not given; link not checked)");
        }
        if f.unsigned_tail > 0 && r.signatures_checked {
            let _ = writeln!(
                out,
                "  {} line(s) after the last checkpoint are not signed",
                f.unsigned_tail
            );
        }
    }
    match &r.problem {
        Some(p) => {
            let _ = writeln!(out, "BROKEN: {p}");
        }
        None => {
            let sigs = if r.signatures_checked {
                "checkpoint signatures verified"
            } else {
                "checkpoint signatures NOT checked (no --public-key)"
            };
            let _ = writeln!(
                out,
                "INTACT: {} records, {} checkpoints; {sigs}",
                r.records(),
                r.checkpoints()
            );
        }
    }
    out
}
