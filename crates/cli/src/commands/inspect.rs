//! `aigis model inspect FILE`: what a model file contains, without loading it.
//! `aigis model inspect DIR`: every model file of a folder (a model
//! repository) with its format and verdict, and the repository summary.

use crate::cli::SimpleFormat;
use crate::output::emit;
use aigis_scan::models::ModelScanner;
use aigis_scan::models::inspect::{Inspection, OnnxInfo, TensorFileInfo, TfliteInfo};
use aigis_scan::policy::Policy;
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::Path;

pub fn run(file: &Path, format: SimpleFormat) -> Result<u8> {
    if file.is_dir() {
        return run_dir(file, format);
    }
    if !file.is_file() {
        bail!("{}: not a file or folder", file.display());
    }
    let data = aigis_scan::read_file(file)
        .with_context(|| format!("failed to read {}", file.display()))?;
    let policy = Policy::new(&[])?;
    let ins = ModelScanner::new(&policy).inspect(&data, &file.display().to_string());
    let text = match format {
        SimpleFormat::Json => serde_json::to_string_pretty(&ins)?,
        SimpleFormat::Text => render(&ins),
    };
    emit(&text, None)?;
    Ok(match ins.verdict {
        None => crate::EXIT_ERROR,
        Some(_) => crate::EXIT_OK,
    })
}

/// A folder: the scan engine's per-file reports (model domain only).
fn run_dir(dir: &Path, format: SimpleFormat) -> Result<u8> {
    let opts = aigis_scan::ScanOptions {
        domains: vec![aigis_findings::Domain::Models],
        ..aigis_scan::ScanOptions::default()
    };
    let result = aigis_scan::scan_paths(&[dir.to_path_buf()], &opts)?;
    if let Some(e) = result.errors.first() {
        bail!("{}: {}", e.path, e.message);
    }
    let text = match format {
        SimpleFormat::Json => serde_json::to_string_pretty(&serde_json::json!({
            "path": dir.display().to_string(),
            "files": result.files,
        }))?,
        SimpleFormat::Text => render_dir(dir, &result.files),
    };
    emit(&text, None)?;
    Ok(crate::EXIT_OK)
}

fn render_dir(dir: &Path, files: &[aigis_findings::FileReport]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} (folder)
  model files: {}",
        dir.display(),
        files.len()
    );
    if !files.is_empty() {
        let _ = writeln!(s);
    }
    for f in files {
        let shown = Path::new(&f.path)
            .strip_prefix(dir)
            .map_or_else(|_| f.path.clone(), |p| p.display().to_string());
        let _ = writeln!(
            s,
            "  {:<12} {:<20} {shown}",
            f.verdict.to_string(),
            f.format
        );
    }
    for f in files {
        for x in f.findings.iter().filter(|x| x.rule_id.starts_with("AIG18")) {
            let _ = writeln!(
                s,
                "
{} {}: {}",
                x.rule_id, x.rule_name, x.message
            );
            if let Some(e) = &x.evidence {
                let _ = writeln!(s, "  {e}");
            }
        }
    }
    let _ = writeln!(
        s,
        "
`aigis model inspect FILE` shows one file; `aigis scan {}` lists every finding.",
        dir.display()
    );
    s
}

fn render(ins: &Inspection) -> String {
    let mut s = String::new();
    let verdict = ins
        .verdict
        .map_or("not a model file".to_string(), |v| v.to_string());
    let _ = writeln!(
        s,
        "{}\n  format:  {}\n  verdict: {}",
        ins.path, ins.format, verdict
    );
    if !ins.members.is_empty() {
        let _ = writeln!(s, "\nmembers ({}):", ins.members.len());
        for m in &ins.members {
            let _ = writeln!(s, "  {:>12}  {:<10} {}", m.size, m.kind, m.location);
        }
    }
    for p in &ins.pickles {
        let _ = writeln!(
            s,
            "\npickle {}\n  protocol {}, {} stream(s), {} opcodes, {} calls, {} tensor-like entries, {} persistent ids, {}",
            p.location,
            p.protocol,
            p.streams,
            p.opcodes,
            p.calls,
            p.tensor_like,
            p.persistent_ids,
            p.end
        );
        for i in &p.imports {
            let _ = writeln!(
                s,
                "  {:<50} {:<28} {:>6} calls  {}",
                i.name,
                i.uses.join(","),
                i.calls,
                i.policy
            );
        }
    }
    if !ins.tf_ops.is_empty() {
        let _ = writeln!(s, "\ntensorflow ops ({}):", ins.tf_ops.len());
        for (op, n) in &ins.tf_ops {
            let _ = writeln!(s, "  {op:<40} {n:>8} nodes");
        }
    }
    for k in &ins.keras {
        let _ = writeln!(s, "\nkeras config {}", k.location);
        for o in &k.objects {
            let module = o.module.as_deref().unwrap_or("-");
            let _ = writeln!(
                s,
                "  {:<28} {:<24} {:<20} {}",
                o.class_name, module, o.name, o.path
            );
        }
        if k.objects_dropped > 0 {
            let _ = writeln!(s, "  ... {} more objects", k.objects_dropped);
        }
        for l in &k.lambdas {
            let _ = writeln!(
                s,
                "  lambda in '{}' ({}): code {}; names {:?}; constants {:?}",
                l.layer, l.path, l.code, l.names, l.constants
            );
        }
    }
    if let Some(t) = &ins.tensor_file {
        render_tensor_file(&mut s, t);
    }
    for o in &ins.onnx {
        render_onnx(&mut s, o);
    }
    for t in &ins.tflite {
        render_tflite(&mut s, t);
    }
    if !ins.findings.is_empty() {
        let _ = writeln!(s, "\nfindings:");
        for f in &ins.findings {
            let _ = writeln!(
                s,
                "  {:<8} {} {}: {}",
                f.severity, f.rule_id, f.rule_name, f.message
            );
            if let Some(e) = &f.evidence {
                let _ = writeln!(s, "           {e}");
            }
        }
    }
    s
}

/// The header of a safetensors or GGUF file: facts, tensors, metadata, templates.
fn render_tensor_file(s: &mut String, t: &TensorFileInfo) {
    let _ = writeln!(s, "\nheader:");
    for f in &t.facts {
        let _ = writeln!(s, "  {:<16} {}", format!("{}:", f.name), f.value);
    }
    let shown = if (t.tensors.len() as u64) < t.tensor_count {
        format!(", first {} shown", t.tensors.len())
    } else {
        String::new()
    };
    if !t.tensors_not_read {
        let _ = writeln!(s, "\ntensors ({}{shown}):", t.tensor_count);
    }
    for e in &t.tensors {
        let shape = e
            .shape
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let place = match (e.offset, e.bytes) {
            (Some(o), Some(b)) => format!("{b} bytes at {o}"),
            (Some(o), None) => format!("at {o}"),
            _ => String::new(),
        };
        let _ = writeln!(s, "  {:<48} {:<8} [{shape}]  {place}", e.name, e.dtype);
    }
    if t.metadata_count > 0 {
        let _ = writeln!(s, "\nmetadata ({}):", t.metadata_count);
        for m in &t.metadata {
            let _ = writeln!(s, "  {} ({}) = {}", m.key, m.kind, m.value);
        }
    }
    for tpl in &t.templates {
        let _ = writeln!(s, "\nchat template {} ({} bytes):", tpl.key, tpl.bytes);
        for line in tpl.text.lines() {
            let _ = writeln!(s, "    {line}");
        }
    }
}

/// Operators listed in the text view; JSON has them all.
const SHOWN_OPS: usize = 40;

fn render_onnx(s: &mut String, o: &OnnxInfo) {
    let opsets: Vec<String> = o
        .opsets
        .iter()
        .map(|x| format!("{} {}", x.domain, x.version))
        .collect();
    let _ = writeln!(
        s,
        "\nonnx {}\n  ir_version {}, producer {:?}, model_version {}\n  opsets: {}\n  {} graph(s), {} nodes, {} initializers ({} bytes declared, {} stored inline, {} external)",
        o.location,
        o.ir_version,
        o.producer,
        o.model_version,
        opsets.join(", "),
        o.graphs,
        o.nodes,
        o.initializers,
        o.initializer_bytes,
        o.inline_tensor_bytes,
        o.external_initializers,
    );
    let _ = writeln!(s, "  domains:");
    for d in &o.domains {
        let _ = writeln!(s, "    {:<28} {:>7} nodes  {}", d.domain, d.nodes, d.note);
    }
    if !o.functions.is_empty() {
        let _ = writeln!(s, "  functions: {}", o.functions.join(", "));
    }
    let _ = writeln!(s, "  operators ({}):", o.ops.len());
    for op in o.ops.iter().take(SHOWN_OPS) {
        let _ = writeln!(
            s,
            "    {:>7}  {:<36} {}",
            op.count,
            format!("{}:{}", op.domain, op.op_type),
            op.status
        );
    }
    if o.ops.len() > SHOWN_OPS {
        let _ = writeln!(
            s,
            "    ... {} more (--format json lists all)",
            o.ops.len() - SHOWN_OPS
        );
    }
    if !o.external_data.is_empty() {
        let _ = writeln!(s, "  external data:");
        for e in &o.external_data {
            let _ = writeln!(
                s,
                "    {:?}: {} tensor(s), {} bytes, {}",
                e.location, e.tensors, e.bytes, e.status
            );
        }
    }
    if !o.metadata.is_empty() {
        let _ = writeln!(s, "  metadata:");
        for m in &o.metadata {
            let _ = writeln!(s, "    {} = {:?}", m.key, m.value);
        }
    }
    if !o.doc_string.is_empty() {
        let _ = writeln!(s, "  doc_string: {:?}", o.doc_string);
    }
}

fn render_tflite(s: &mut String, t: &TfliteInfo) {
    let _ = writeln!(
        s,
        "\ntflite {}\n  schema version {}, description {:?}, {} signature(s)\n  {} buffers ({} bytes inline, {} bytes after the flatbuffer)",
        t.location,
        t.schema_version,
        t.description,
        t.signatures,
        t.buffers,
        t.inline_buffer_bytes,
        t.external_buffer_bytes,
    );
    if t.end != "complete" {
        let _ = writeln!(s, "  read until: {}", t.end);
    }
    let _ = writeln!(s, "  subgraphs:");
    for (i, g) in t.subgraphs.iter().enumerate() {
        let _ = writeln!(
            s,
            "    {i:>3}  {:<32} {:>7} operators {:>7} tensors",
            format!("{:?}", g.name),
            g.operators,
            g.tensors
        );
    }
    let _ = writeln!(s, "  operator codes ({}):", t.operator_codes.len());
    for c in t.operator_codes.iter().take(SHOWN_OPS) {
        let _ = writeln!(
            s,
            "    {:>3}  {:<36} v{:<3} {:>7} operators  {}",
            c.index, c.name, c.version, c.operators, c.status
        );
    }
    if t.operator_codes.len() > SHOWN_OPS {
        let _ = writeln!(
            s,
            "    ... {} more (--format json lists all)",
            t.operator_codes.len() - SHOWN_OPS
        );
    }
    if !t.metadata.is_empty() {
        let _ = writeln!(s, "  metadata:");
        for m in &t.metadata {
            let size = m
                .bytes
                .map_or("missing buffer".to_string(), |b| format!("{b} bytes"));
            let _ = writeln!(s, "    {:?} (buffer {}, {size})", m.name, m.buffer);
        }
    }
}
