//! The model scanner: recognises pickle-family files, tensor files, ONNX,
//! TensorFlow and TFLite models by content, walks their containers, runs the pickle machine and judges what
//! it finds.
//!
//! It reads only what it needs: archives are opened through their central
//! directory, tensor members are sniffed by their first bytes and skipped. It
//! never prints and never decides exit codes: it returns findings.

mod containers;
mod fold;
mod gguf;
mod hdf5;
pub mod inspect;
mod judge;
mod keras;
mod onnx;
mod payload;
pub(crate) mod repo;
mod safetensors;
pub mod sniff;
mod template;
#[cfg(test)]
mod tensor_tests;
mod tensorflow;
#[cfg(test)]
mod tests;
mod tflite;

use crate::policy::Policy;
use crate::rules::models::{archive_unusual_layout, pickle_serialization, scan_inconclusive};
use aigis_findings::{Finding, Location, Verdict};
use aigis_pickle::{Analysis, Limits as PickleLimits, Options};
use inspect::Inspection;
pub use judge::PickleContext;
use sniff::Kind;
use std::sync::Mutex;

/// Named limits of the model scanner (the pickle machine has its own).
#[derive(Clone, Debug)]
pub struct ScanLimits {
    /// Containers and nested payloads inside each other.
    pub max_depth: u32,
    /// Bytes decompressed (or inflated) from one member or stream.
    pub max_member_bytes: u64,
    /// Members read from one archive.
    pub max_members: usize,
    /// Decompressed bytes per compressed byte of one member or stream, once
    /// past the first 16 MiB; more is reported as a likely bomb.
    pub max_ratio: u64,
    pub pickle: PickleLimits,
}

impl Default for ScanLimits {
    fn default() -> Self {
        ScanLimits {
            max_depth: 6,
            max_member_bytes: 4 << 30,
            max_members: 100_000,
            max_ratio: aigis_formats::compress::MAX_RATIO,
            pickle: PickleLimits::default(),
        }
    }
}

/// What a model file was recognised as, and what was found in it.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub format: &'static str,
    pub findings: Vec<Finding>,
}

/// Scans model files against a policy.
pub struct ModelScanner<'p> {
    pub policy: &'p Policy,
    pub limits: ScanLimits,
    /// Run the secret rules over string metadata (safetensors, GGUF, ONNX).
    pub secrets: bool,
    /// When inspecting, what was seen (pickles and members) is recorded here.
    record: Option<Mutex<Inspection>>,
    /// Which callees get their str/bytes arguments captured (the loaders).
    capture: CapturePredicate<'p>,
}

type CapturePredicate<'p> = Box<dyn Fn(&str, &str) -> bool + Send + Sync + 'p>;

fn loaders_of(policy: &Policy) -> CapturePredicate<'_> {
    Box::new(move |m, n| policy.is_loader(m, n))
}

impl<'p> ModelScanner<'p> {
    pub fn new(policy: &'p Policy) -> Self {
        ModelScanner {
            policy,
            limits: ScanLimits::default(),
            secrets: false,
            record: None,
            capture: loaders_of(policy),
        }
    }

    /// Scan like [`ModelScanner::scan`] and also record what the file contains.
    pub fn inspect(&self, data: &[u8], path: &str) -> Inspection {
        let recorder = ModelScanner {
            policy: self.policy,
            limits: self.limits.clone(),
            secrets: self.secrets,
            record: Some(Mutex::new(Inspection::default())),
            capture: loaders_of(self.policy),
        };
        let outcome = recorder.scan(data, path);
        let mut ins = recorder
            .record
            .and_then(|m| m.into_inner().ok())
            .unwrap_or_default();
        ins.path = path.to_string();
        match outcome {
            Some(o) => {
                ins.format = o.format.to_string();
                ins.verdict = Some(
                    aigis_findings::FileReport::new(path, o.format, o.findings.clone()).verdict,
                );
                ins.findings = o.findings;
            }
            None => ins.format = "unrecognised".into(),
        }
        ins
    }

    /// Update what inspect shows (inspect only).
    pub(crate) fn record_with(&self, f: impl FnOnce(&mut Inspection)) {
        if let Some(m) = &self.record
            && let Ok(mut ins) = m.lock()
        {
            f(&mut ins);
        }
    }

    /// Is this an inspection (worth building what `record_*` takes)?
    pub(crate) fn recording(&self) -> bool {
        self.record.is_some()
    }

    /// Record a tensor file's header (inspect only; the outermost one wins).
    pub(crate) fn record_tensor_file(&self, info: inspect::TensorFileInfo) {
        if let Some(m) = &self.record
            && let Ok(mut ins) = m.lock()
            && ins.tensor_file.is_none()
        {
            ins.tensor_file = Some(info);
        }
    }

    /// Record a container member (inspect only).
    pub(crate) fn record_member(&self, loc: &Location, size: u64, kind: &str) {
        if let Some(m) = &self.record
            && let Ok(mut ins) = m.lock()
        {
            ins.members.push(inspect::MemberInfo {
                location: loc.display(),
                size,
                kind: kind.to_string(),
            });
        }
    }

    /// Scan one file's bytes. `None` when the content is not a model format.
    pub fn scan(&self, data: &[u8], path: &str) -> Option<Outcome> {
        let loc = Location::file(path);
        let mut findings = Vec::new();
        let format = self.scan_blob(data, &loc, 0, true, &mut findings)?;
        dedup(&mut findings);
        Some(Outcome { format, findings })
    }

    /// Scan a byte string found at `loc`; returns its format name.
    fn scan_blob(
        &self,
        data: &[u8],
        loc: &Location,
        depth: u32,
        top: bool,
        out: &mut Vec<Finding>,
    ) -> Option<&'static str> {
        if depth > self.limits.max_depth {
            out.push(inconclusive(loc, "nesting deeper than the depth limit"));
            return Some("nested");
        }
        let kind = sniff::detect(data)
            .or_else(|| containers::zip_by_end_record(data).then_some(Kind::Zip))?;
        let format = match kind {
            Kind::Zip => containers::scan_zip(self, data, loc, depth, out)?,
            Kind::Npy => containers::scan_npy(self, data, loc, depth, out),
            Kind::Tar => containers::scan_tar(self, data, loc, depth, out)?,
            Kind::SevenZip => containers::scan_7z(self, data, loc, depth, out)?,
            Kind::Compressed(c) => containers::scan_compressed(self, c, data, loc, depth, out)?,
            Kind::LegacyTorch => self.scan_legacy_torch(data, loc, depth, out),
            Kind::TensorFlow(k) => tensorflow::scan(self, k, data, loc, depth, out),
            Kind::Safetensors => safetensors::scan(self, data, loc, depth, out),
            Kind::Gguf => gguf::scan(self, data, loc, depth, out),
            Kind::Hdf5 => hdf5::scan(self, data, loc, depth, out),
            Kind::Onnx => onnx::scan(self, data, loc, depth, out),
            Kind::TfLite => tflite::scan(self, data, loc, out),
            Kind::Pickle => {
                let cx = PickleContext {
                    torchscript: false,
                    report_trailing: true,
                };
                self.scan_pickle(data, loc, depth, cx, true, out);
                "pickle"
            }
        };
        // A tensor file whose first bytes also read as a pickle (a header
        // length starting 0x80 0x02, say): `torch.load` of it would unpickle,
        // so a pickle that imports something there is judged too.
        if matches!(kind, Kind::Safetensors | Kind::Gguf) {
            self.scan_pickle_prefix(data, loc, depth, out);
        }
        // A pickle that is also a zip (polyglot): loaders that look at the end
        // record open it as a zip, so scan that reading too.
        // Its prepended and trailing bytes are the pickle itself, so layout
        // findings of that reading say nothing (a pickled tensor embeds a zip).
        if top && kind == Kind::Pickle && containers::zip_by_end_record(data) {
            let mut found = Vec::new();
            let _ = containers::scan_zip(self, data, loc, depth, &mut found);
            found.retain(|f| f.rule_id != archive_unusual_layout::RULE.id);
            out.append(&mut found);
        }
        Some(format)
    }

    pub(crate) fn pickle_options(&self, multi_stream: bool, joblib: bool) -> Options<'_> {
        Options {
            limits: self.limits.pickle.clone(),
            multi_stream,
            capture_args_of: &*self.capture,
            joblib_arrays: joblib,
        }
    }

    /// Run the machine over an in-memory pickle and judge it.
    pub(crate) fn scan_pickle(
        &self,
        data: &[u8],
        loc: &Location,
        depth: u32,
        cx: PickleContext,
        multi_stream: bool,
        out: &mut Vec<Finding>,
    ) -> Analysis {
        let a = aigis_pickle::analyze(data, &self.pickle_options(multi_stream, true));
        self.judge(&a, loc, depth, cx, out);
        a
    }

    /// Judge an analysis, note the pickle format, and scan nested payloads.
    pub(crate) fn judge(
        &self,
        a: &Analysis,
        loc: &Location,
        depth: u32,
        cx: PickleContext,
        out: &mut Vec<Finding>,
    ) {
        note_pickle(loc, out);
        if let Some(m) = &self.record
            && let Ok(mut ins) = m.lock()
        {
            ins.pickles
                .push(inspect::pickle_info(a, self.policy, loc, cx.torchscript));
        }
        // Payloads first: a loader whose payloads are all clean may be cleared.
        let mut dirty = vec![false; a.imports.len()];
        for n in judge::nested(a, self.policy) {
            let inner = loc.member(n.label);
            let mut found = Vec::new();
            if self
                .scan_blob(n.bytes, &inner, depth + 1, false, &mut found)
                .is_none()
                && !n.bytes.is_empty()
            {
                // A loader argument that is no known format: the loader would
                // still try to run it, so it cannot be called clean.
                found.push(inconclusive(
                    &inner,
                    "a loader's argument is not a format aigis can analyse",
                ));
            }
            if found.iter().any(|f| f.verdict != Verdict::Clean)
                && let Some(d) = dirty.get_mut(n.import)
            {
                *d = true;
            }
            out.append(&mut found);
        }
        let cleared = |i: usize| {
            !dirty.get(i).copied().unwrap_or(true) && judge::loader_clearable(a, self.policy, i)
        };
        judge::judge(a, self.policy, loc, cx, &cleared, out);
    }

    /// Judge `data` as a pickle only if it reads as one (imports or calls
    /// before it breaks): tensor-file headers that merely start like a
    /// pickle are noise.
    fn scan_pickle_prefix(&self, data: &[u8], loc: &Location, depth: u32, out: &mut Vec<Finding>) {
        let head = data.get(..sniff::SNIFF_LEN.min(data.len())).unwrap_or(data);
        if !sniff::looks_like_pickle(head) {
            return;
        }
        let a = aigis_pickle::analyze(data, &self.pickle_options(false, false));
        if containers::is_noise(&a) {
            return;
        }
        let cx = PickleContext {
            torchscript: false,
            report_trailing: false,
        };
        self.judge(&a, loc, depth, cx, out);
    }

    /// Legacy `torch.save` (before 1.6): magic, protocol, sys_info, the object,
    /// the storage keys — five stacked pickles — then raw storage bytes.
    fn scan_legacy_torch(
        &self,
        data: &[u8],
        loc: &Location,
        depth: u32,
        out: &mut Vec<Finding>,
    ) -> &'static str {
        let cx = PickleContext {
            torchscript: false,
            report_trailing: false,
        };
        let mut pos = 0usize;
        for _ in 0..5 {
            let Some(rest) = data.get(pos..) else { break };
            if rest.is_empty() {
                out.push(inconclusive(
                    &loc.clone().at_offset(pos as u64),
                    "legacy PyTorch file ends before its five pickles",
                ));
                break;
            }
            let a = aigis_pickle::analyze(rest, &self.pickle_options(false, false));
            let shifted = shift(a, pos as u64);
            self.judge(&shifted, loc, depth, cx, out);
            match (shifted.stop, shifted.streams.last()) {
                (aigis_pickle::Stop::Complete, Some(s)) => pos = s.end as usize,
                _ => break,
            }
        }
        "pytorch-legacy"
    }
}

/// Offsets of an analysis of `data[base..]`, made absolute.
pub(crate) fn shift(mut a: Analysis, base: u64) -> Analysis {
    for i in &mut a.imports {
        i.offset += base;
    }
    for c in &mut a.calls {
        c.offset += base;
    }
    for an in &mut a.anomalies {
        an.offset += base;
    }
    for s in &mut a.streams {
        s.start += base;
        s.end += base;
    }
    a.stop = match a.stop {
        aigis_pickle::Stop::Truncated { offset } => aigis_pickle::Stop::Truncated {
            offset: offset + base,
        },
        aigis_pickle::Stop::Malformed { offset, reason } => aigis_pickle::Stop::Malformed {
            offset: offset + base,
            reason,
        },
        aigis_pickle::Stop::LimitExceeded { offset, limit } => aigis_pickle::Stop::LimitExceeded {
            offset: offset + base,
            limit,
        },
        aigis_pickle::Stop::Complete => aigis_pickle::Stop::Complete,
    };
    a
}

/// Note (once per member) that this is pickle-serialized.
fn note_pickle(loc: &Location, out: &mut Vec<Finding>) {
    let key = loc.members.join("!");
    if out
        .iter()
        .any(|f| f.rule_id == pickle_serialization::RULE.id && f.location.members == loc.members)
    {
        return;
    }
    out.push(Finding::new(
        &pickle_serialization::RULE,
        loc.clone(),
        "pickle-based format: loading it runs the functions it names; prefer safetensors",
        &key,
    ));
}

/// One finding per fingerprint (the same gadget in several streams or members
/// of one location is one finding).
fn dedup(out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.fingerprint.clone()));
}

/// A `scan-inconclusive` finding at `loc` with `reason`.
pub(crate) fn inconclusive(loc: &Location, reason: &str) -> Finding {
    Finding::new(
        &scan_inconclusive::RULE,
        loc.clone(),
        reason.to_string(),
        reason,
    )
}
