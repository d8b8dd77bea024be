//! `aigis scan`: resolve settings, run the engine, render, choose the exit code.

use crate::cli::{ReportFormat, ScanArgs};
use crate::config::{Layer, Resolved, resolve};
use crate::output::{emit, use_color};
use aigis_findings::{Report, ToolInfo, Verdict};
use aigis_scan::{ScanOptions, scan_paths};
use anyhow::{Context, Result, bail};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub fn run(explicit_config: Option<&Path>, args: ScanArgs) -> Result<u8> {
    let flags = Layer {
        fail_on: args.fail_on.clone(),
        format: args.format,
        only: (!args.only.is_empty()).then(|| args.only.clone()),
        allow_inconclusive: args.allow_inconclusive.then_some(true),
        allow_unapproved: args.allow_unapproved.then_some(true),
        dependencies: args.check_ranges.then(|| crate::config::DepsLayer {
            check_ranges: Some(true),
            ..Default::default()
        }),
        ..Layer::default()
    };
    let cfg = resolve(explicit_config, flags)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for p in &paths {
        if !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let baseline = match &args.baseline {
        Some(p) => read_baseline(p)?,
        None => HashSet::new(),
    };
    let mut opts = scan_options(&cfg, baseline);
    if args.host {
        opts.host = Some(match &args.host_root {
            Some(root) if !root.is_dir() => {
                bail!("{}: host root is not a directory", root.display())
            }
            Some(root) => aigis_scan::HostOptions::under(root),
            None => aigis_scan::HostOptions::system(),
        });
    }
    let result = scan_paths(&paths, &opts)?;
    let report = Report::new(
        ToolInfo {
            name: "aigis".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        result.files,
        result.suppressed,
    );
    let text = match cfg.format {
        ReportFormat::Text => {
            let color = use_color(args.color, args.output.is_some());
            aigis_render::render_text(
                &report,
                &aigis_render::TextOptions {
                    color,
                    show_clean: args.show_clean,
                },
            )
        }
        ReportFormat::Json => aigis_render::render_json(&report),
        ReportFormat::Sarif => aigis_render::render_sarif(&report, &aigis_scan::rules::all()),
    };
    emit(&text, args.output.as_deref())?;
    for e in &result.errors {
        eprintln!("aigis: error: {}: {}", e.path, e.message);
    }
    Ok(exit_code(&report, &cfg, !result.errors.is_empty()))
}

fn scan_options(cfg: &Resolved, baseline: HashSet<String>) -> ScanOptions {
    let mut limits = aigis_scan::models::ScanLimits::default();
    if let Some(v) = cfg.limits.max_depth {
        limits.max_depth = v;
    }
    if let Some(v) = cfg.limits.max_member_bytes {
        limits.max_member_bytes = v;
    }
    if let Some(v) = cfg.limits.max_members {
        limits.max_members = v;
    }
    if let Some(v) = cfg.limits.max_compression_ratio {
        limits.max_ratio = v;
    }
    if let Some(v) = cfg.limits.max_pickle_opcodes {
        limits.pickle.max_opcodes = v;
    }
    ScanOptions {
        domains: cfg.only.clone(),
        trusted_globals: cfg.trusted_globals.clone(),
        exclude: cfg.exclude.clone(),
        severity: cfg.severity.clone(),
        suppress: cfg.suppressions(),
        baseline,
        limits,
        dependencies: cfg.audit_options(),
        host: None,
    }
}

/// Fingerprints of an earlier `--format json` report.
fn read_baseline(path: &Path) -> Result<HashSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read baseline {}", path.display()))?;
    let report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an aigis JSON report", path.display()))?;
    Ok(report.findings().map(|f| f.fingerprint.clone()).collect())
}

/// 1 when a finding reaches `fail_on` or a file is malicious/unapproved (unless
/// allowed); otherwise 2 when something could not be scanned or a file is
/// inconclusive (unless allowed); otherwise 0.
fn exit_code(report: &Report, cfg: &Resolved, errors: bool) -> u8 {
    let severe = report.findings().any(|f| f.severity >= cfg.fail_on);
    let bad_verdict = report.files.iter().any(|f| {
        f.verdict == Verdict::Malicious
            || (f.verdict == Verdict::Unapproved && !cfg.allow_unapproved)
    });
    if severe || bad_verdict {
        return crate::EXIT_FINDINGS;
    }
    let inconclusive = !cfg.allow_inconclusive && report.count(Verdict::Inconclusive) > 0;
    if errors || inconclusive {
        return crate::EXIT_ERROR;
    }
    crate::EXIT_OK
}
