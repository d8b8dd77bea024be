//! Turns one pickle [`Analysis`] into findings, through the policy.
//!
//! One finding per distinct global (evidence: its first call site), one per
//! anomaly kind, and one `scan-inconclusive` when the machine stopped early.
//! Nested payloads are returned to the caller, which scans them one level deeper.

use crate::policy::{Judgement, Policy};
use crate::rules::models::{
    pickle_build_on_global, pickle_computed_global, pickle_dangerous_call, pickle_dangerous_global,
    pickle_extension_registry, pickle_frame_straddle, pickle_trailing_data, pickle_unapproved_call,
    pickle_unapproved_class, scan_inconclusive,
};
use aigis_findings::{Finding, Location};
use aigis_pickle::{Analysis, AnomalyKind, CallKind, CallSite, Callee, Import, ImportOp, Stop};

/// A str/bytes argument handed to a loader, to be scanned as a nested payload.
pub struct Nested<'a> {
    pub label: String,
    pub bytes: &'a [u8],
}

/// What the caller knows about where the pickle sits.
#[derive(Clone, Copy)]
pub struct PickleContext {
    /// Inside a TorchScript archive: `__torch__` classes are compiled code, not Python.
    pub torchscript: bool,
    /// Report trailing data and extra streams (plain pickle files, not stacked layouts).
    pub report_trailing: bool,
}

pub fn judge<'a>(
    a: &'a Analysis,
    policy: &Policy,
    loc: &Location,
    cx: PickleContext,
    out: &mut Vec<Finding>,
) -> Vec<Nested<'a>> {
    let mut first_call: Vec<Option<&CallSite>> = vec![None; a.imports.len()];
    let mut nested = Vec::new();
    for call in &a.calls {
        if let Callee::Import(i) = call.callee {
            if let Some(slot) = first_call.get_mut(i) {
                slot.get_or_insert(call);
            }
            if let Some(imp) = a.imports.get(i)
                && !call.payloads.is_empty()
                && policy.is_loader(&imp.module, &imp.name)
            {
                for p in &call.payloads {
                    nested.push(Nested {
                        label: format!(
                            "<argument of {}.{} at 0x{:x}>",
                            imp.module, imp.name, call.offset
                        ),
                        bytes: p,
                    });
                }
            }
        }
    }
    for (i, imp) in a.imports.iter().enumerate() {
        let call = first_call.get(i).copied().flatten();
        judge_import(imp, call, policy, loc, cx, out);
    }
    judge_anomalies(a, loc, cx, out);
    if let Some(reason) = stop_reason(&a.stop) {
        let offset = stop_offset(&a.stop);
        out.push(
            Finding::new(
                &scan_inconclusive::RULE,
                loc.clone().at_offset(offset),
                reason.clone(),
                "pickle-stop",
            )
            .with_evidence(reason),
        );
    }
    nested
}

fn qualified(imp: &Import) -> String {
    format!("{}.{}", imp.module, imp.name)
}

fn spelled(imp: &Import) -> String {
    match &imp.original {
        Some((m, n)) => format!("{} (written {m}.{n})", qualified(imp)),
        None => qualified(imp),
    }
}

fn kind_name(k: CallKind) -> &'static str {
    match k {
        CallKind::Reduce => "REDUCE",
        CallKind::NewObj => "NEWOBJ",
        CallKind::NewObjEx => "NEWOBJ_EX",
        CallKind::Inst => "INST",
        CallKind::Obj => "OBJ",
    }
}

/// `REDUCE at 0x2a calls posix.system('echo pwned')`, or where it was imported.
fn evidence(imp: &Import, call: Option<&CallSite>) -> String {
    match call {
        Some(c) => {
            let verb = match c.kind {
                CallKind::NewObj | CallKind::NewObjEx => "constructs",
                _ => "calls",
            };
            format!(
                "{} at 0x{:x} {verb} {}{}",
                kind_name(c.kind),
                c.offset,
                qualified(imp),
                call_args(&c.args)
            )
        }
        None => format!(
            "{} at 0x{:x} imports {}",
            op_name(imp.op),
            imp.offset,
            spelled(imp)
        ),
    }
}

/// A rendered argument tuple as a call's parentheses: `('id',)` becomes `('id')`.
fn call_args(args: &str) -> String {
    match args.strip_suffix(",)") {
        Some(head) if args.starts_with('(') => format!("{head})"),
        _ if args.starts_with('(') => args.to_string(),
        _ => format!("(*{args})"),
    }
}

fn op_name(op: ImportOp) -> &'static str {
    match op {
        ImportOp::Global => "GLOBAL",
        ImportOp::StackGlobal => "STACK_GLOBAL",
        ImportOp::Inst => "INST",
        ImportOp::Obj => "OBJ",
    }
}

fn usage(imp: &Import) -> &'static str {
    let u = &imp.uses;
    if u.called {
        "called"
    } else if u.constructed {
        "constructed"
    } else if u.build_target {
        "patched with BUILD"
    } else {
        "referenced"
    }
}

fn judge_import(
    imp: &Import,
    call: Option<&CallSite>,
    policy: &Policy,
    loc: &Location,
    cx: PickleContext,
    out: &mut Vec<Finding>,
) {
    let key = qualified(imp);
    let at = loc.clone().at_offset(call.map_or(imp.offset, |c| c.offset));
    let invoked = imp.uses.called || imp.uses.constructed;
    match policy.judge(&imp.module, &imp.name, cx.torchscript) {
        Judgement::Allowed { .. } | Judgement::Trusted => {}
        Judgement::Denied { category, resolved } => {
            let via = resolved
                .map(|r| format!(" (resolves to {r})"))
                .unwrap_or_default();
            let rule = if invoked {
                &pickle_dangerous_call::RULE
            } else {
                &pickle_dangerous_global::RULE
            };
            let msg = format!(
                "{}{via} is {}: a known gadget that {}",
                spelled(imp),
                usage(imp),
                category.describe()
            );
            out.push(Finding::new(rule, at, msg, &key).with_evidence(evidence(imp, call)));
        }
        Judgement::Unknown => {
            let rule = if imp.uses.called {
                &pickle_unapproved_call::RULE
            } else {
                &pickle_unapproved_class::RULE
            };
            let msg = format!(
                "{} is {} but is not on the trusted allowlist",
                spelled(imp),
                usage(imp)
            );
            out.push(Finding::new(rule, at, msg, &key).with_evidence(evidence(imp, call)));
        }
    }
}

fn judge_anomalies(a: &Analysis, loc: &Location, cx: PickleContext, out: &mut Vec<Finding>) {
    let mut seen_trailing = false;
    for an in &a.anomalies {
        let at = loc.clone().at_offset(an.offset);
        let (rule, key, msg) = match &an.kind {
            AnomalyKind::ComputedGlobal => (
                &pickle_computed_global::RULE,
                format!("computed:{}", an.detail),
                format!(
                    "STACK_GLOBAL takes a computed module or name: {}",
                    an.detail
                ),
            ),
            AnomalyKind::Extension { code } => (
                &pickle_extension_registry::RULE,
                format!("ext:{code}"),
                format!("extension code {code} imports a global from the copyreg registry"),
            ),
            AnomalyKind::BuildOnGlobal { import } => {
                let name = a.imports.get(*import).map(qualified).unwrap_or_default();
                (
                    &pickle_build_on_global::RULE,
                    format!("build:{name}"),
                    format!("BUILD sets attributes on the global {name} itself"),
                )
            }
            AnomalyKind::FrameStraddle => (
                &pickle_frame_straddle::RULE,
                "frame-straddle".to_string(),
                format!("an opcode crosses the end of its FRAME: {}", an.detail),
            ),
            AnomalyKind::MultipleStreams
            | AnomalyKind::TrailingData { .. }
            | AnomalyKind::Unusual => {
                if !cx.report_trailing || seen_trailing {
                    continue;
                }
                seen_trailing = true;
                (
                    &pickle_trailing_data::RULE,
                    "trailing".to_string(),
                    format!("more than a single pickle: {}", an.detail),
                )
            }
        };
        out.push(Finding::new(rule, at, msg, &key).with_evidence(an.detail.clone()));
    }
}

pub fn stop_reason(stop: &Stop) -> Option<String> {
    match stop {
        Stop::Complete => None,
        Stop::Truncated { offset } => Some(format!("pickle truncated at 0x{offset:x}")),
        Stop::Malformed { offset, reason } => {
            Some(format!("malformed pickle at 0x{offset:x}: {reason}"))
        }
        Stop::LimitExceeded { offset, limit } => {
            Some(format!("analysis limit '{limit}' reached at 0x{offset:x}"))
        }
    }
}

fn stop_offset(stop: &Stop) -> u64 {
    match stop {
        Stop::Complete => 0,
        Stop::Truncated { offset }
        | Stop::Malformed { offset, .. }
        | Stop::LimitExceeded { offset, .. } => *offset,
    }
}
