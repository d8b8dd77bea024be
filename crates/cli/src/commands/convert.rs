//! `aigis model convert IN OUT.safetensors`: scan, then rebuild only tensors
//! and plain values, then write OUT atomically.
//!
//! Exit codes: 0 converted; 1 refused because of the input's content (the
//! scanner calls it malicious, or it holds something the converter does not
//! rebuild); 2 usage or I/O errors (no such input, an input that is no
//! checkpoint, OUT exists without `--force`, a failed write). Nothing is
//! left behind on failure: OUT is a temporary file in its folder until the
//! final rename.

use crate::cli::{ConvertArgs, SimpleFormat};
use crate::output::emit;
use aigis_convert::{ConvertError, Options, Plan, Summary};
use aigis_findings::{FileReport, Verdict};
use aigis_scan::models::ModelScanner;
use aigis_scan::policy::Policy;
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Findings named in a refusal because the scanner calls the input malicious.
const FINDINGS_SHOWN: usize = 3;

#[derive(serde::Serialize)]
struct Report<'a> {
    input: String,
    output: String,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<Summary>,
}

pub fn run(args: &ConvertArgs) -> Result<u8> {
    let (input, output) = (&args.input, &args.output);
    if !input.is_file() {
        bail!("{}: not a file", input.display());
    }
    if output.exists() && !args.force {
        bail!(
            "{}: already exists (use --force to overwrite)",
            output.display()
        );
    }
    let data = aigis_scan::read_file(input)
        .with_context(|| format!("failed to read {}", input.display()))?;
    let shown = input.display().to_string();
    if let Some(reason) = malicious(&data, &shown)? {
        return refuse(args, reason);
    }
    let opts = Options {
        name: args.name.clone(),
        ..Options::default()
    };
    let plan = match aigis_convert::plan(&data, &opts) {
        Ok(p) => p,
        Err(e) if e.is_refusal() => return refuse(args, e.to_string()),
        Err(e) => bail!("{shown}: {e}"),
    };
    let written = write_atomic(output, &plan)?;
    let summary = plan.summary(written);
    let text = match args.format.format {
        SimpleFormat::Json => serde_json::to_string_pretty(&Report {
            input: shown,
            output: output.display().to_string(),
            status: "converted",
            reason: None,
            summary: Some(summary),
        })?,
        SimpleFormat::Text => render(&shown, output, &summary),
    };
    emit(&text, None)?;
    Ok(crate::EXIT_OK)
}

/// The scanner's reason to refuse, when its verdict is malicious.
fn malicious(data: &[u8], path: &str) -> Result<Option<String>> {
    let policy = Policy::new(&[])?;
    let Some(outcome) = ModelScanner::new(&policy).scan(data, path) else {
        return Ok(None);
    };
    let report = FileReport::new(path, outcome.format, outcome.findings);
    if report.verdict != Verdict::Malicious {
        return Ok(None);
    }
    let named: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.verdict == Verdict::Malicious)
        .take(FINDINGS_SHOWN)
        .map(|f| format!("{} {}", f.rule_id, f.message))
        .collect();
    Ok(Some(format!(
        "the scanner calls it malicious: {}",
        named.join("; ")
    )))
}

fn refuse(args: &ConvertArgs, reason: String) -> Result<u8> {
    let input = args.input.display().to_string();
    match args.format.format {
        SimpleFormat::Json => emit(
            &serde_json::to_string_pretty(&Report {
                input,
                output: args.output.display().to_string(),
                status: "refused",
                reason: Some(reason),
                summary: None,
            })?,
            None,
        )?,
        SimpleFormat::Text => eprintln!("aigis: refused: {input}: {reason}"),
    }
    Ok(crate::EXIT_FINDINGS)
}

fn render(input: &str, output: &Path, s: &Summary) -> String {
    let mut line = format!(
        "converted {input} ({}) to {}: {} tensors, {} data bytes, {} bytes written, {} metadata entries",
        s.format,
        output.display(),
        s.tensors,
        s.data_bytes,
        s.file_bytes,
        s.metadata
    );
    if s.skipped_count > 0 {
        let listed: Vec<String> = s
            .skipped
            .iter()
            .map(|k| format!("{} ({})", k.name, k.why))
            .collect();
        let more = s.skipped_count - s.skipped.len();
        line.push_str(&format!(
            "; skipped {}: {}",
            s.skipped_count,
            listed.join(", ")
        ));
        if more > 0 {
            line.push_str(&format!(" and {more} more"));
        }
    }
    line
}

/// Write through a temporary file in OUT's folder, then rename over OUT.
fn write_atomic(output: &Path, plan: &Plan<'_>) -> Result<u64> {
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.aigis-tmp-{}", std::process::id()));
    let result = (|| -> std::result::Result<u64, ConvertError> {
        let file = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut out = std::io::BufWriter::new(file);
        let n = plan.write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, output)?;
        Ok(n)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("failed to write {}", output.display()))
}
