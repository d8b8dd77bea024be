//! Turns one pickle [`Analysis`] into findings, through the policy.
//!
//! One finding per distinct global (evidence: its first call site), one per
//! anomaly kind, and one `scan-inconclusive` when the machine stopped early.
//! Calls that only name another global are folded first (see `fold`).
//! Loader payloads are listed by [`nested`]; the caller scans them one level
//! deeper and tells [`judge`] which loaders handed over only clean payloads.

use super::fold::Folds;
use crate::policy::{Judgement, Policy};
use crate::rules::models::{
    pickle_build_on_global, pickle_computed_global, pickle_dangerous_call, pickle_dangerous_global,
    pickle_extension_registry, pickle_frame_straddle, pickle_global_mutation, pickle_trailing_data,
    pickle_unapproved_call, pickle_unapproved_class, pickle_unusual_opcode, scan_inconclusive,
};
use aigis_findings::{Finding, Location};
use aigis_pickle::{
    Analysis, AnomalyKind, CallKind, CallSite, Callee, Import, ImportOp, Stop, Uses,
};

/// A str/bytes argument handed to a loader, to be scanned as a nested payload.
pub struct Nested<'a> {
    /// The loader's index in [`Analysis::imports`].
    pub import: usize,
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

/// The payloads handed to loaders, to be scanned one level deeper.
pub fn nested<'a>(a: &'a Analysis, policy: &Policy) -> Vec<Nested<'a>> {
    let mut out = Vec::new();
    for call in &a.calls {
        let Callee::Import(i) = call.callee else {
            continue;
        };
        let Some(imp) = a.imports.get(i) else {
            continue;
        };
        if call.payloads.is_empty() || !policy.is_loader(&imp.module, &imp.name) {
            continue;
        }
        for p in &call.payloads {
            out.push(Nested {
                import: i,
                label: format!(
                    "<argument of {}.{} at 0x{:x}>",
                    imp.module, imp.name, call.offset
                ),
                bytes: p,
            });
        }
    }
    out
}

/// Whether import `i` is a loader the policy clears when what it loads is
/// clean, and every call to it handed over a payload scanned whole.
pub fn loader_clearable(a: &Analysis, policy: &Policy, i: usize) -> bool {
    let Some(imp) = a.imports.get(i) else {
        return false;
    };
    let u = &imp.uses;
    if !policy.clears_with_clean_payload(&imp.module, &imp.name)
        || a.calls_dropped > 0
        || u.referenced
        || u.build_target
        || u.mutated
    {
        return false;
    }
    let mut calls = a
        .calls
        .iter()
        .filter(|c| c.callee == Callee::Import(i))
        .peekable();
    calls.peek().is_some() && calls.all(|c| c.payloads_complete && !c.payloads.is_empty())
}

/// One name to judge: an import, or a name a `getattr` call folds to.
struct Subject<'a> {
    module: &'a str,
    name: &'a str,
    /// How the file spells it, for messages.
    spelled: String,
    uses: Uses,
    /// The call that invokes it, for evidence.
    call: Option<&'a CallSite>,
    /// Evidence when it is not invoked.
    site: String,
    offset: u64,
}

/// Judge one analysis. `cleared(i)`: import `i` is a loader whose payloads
/// were all scanned and found clean, so it has no finding of its own.
pub fn judge(
    a: &Analysis,
    policy: &Policy,
    loc: &Location,
    cx: PickleContext,
    cleared: &dyn Fn(usize) -> bool,
    out: &mut Vec<Finding>,
) {
    let folds = Folds::of(a);
    let mut first_call: Vec<Option<&CallSite>> = vec![None; a.imports.len()];
    for call in &a.calls {
        if let Callee::Import(i) = call.callee
            && let Some(slot) = first_call.get_mut(i)
        {
            slot.get_or_insert(call);
        }
    }
    for (i, imp) in a.imports.iter().enumerate() {
        if folds.absorbed.get(i).copied().unwrap_or(false) || cleared(i) {
            continue;
        }
        let mut uses = imp.uses.clone();
        uses.called |= folds.wrapped.get(i).copied().unwrap_or(false);
        let subject = Subject {
            module: &imp.module,
            name: &imp.name,
            spelled: spelled(imp),
            uses,
            call: first_call.get(i).copied().flatten(),
            site: format!(
                "{} at 0x{:x} imports {}",
                op_name(imp.op),
                imp.offset,
                spelled(imp)
            ),
            offset: imp.offset,
        };
        judge_subject(&subject, policy, loc, cx, out);
    }
    for subject in folded_subjects(a, &folds) {
        judge_subject(&subject, policy, loc, cx, out);
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
}

/// One subject per distinct folded name, with the uses of all its results.
fn folded_subjects<'a>(a: &'a Analysis, folds: &'a Folds) -> Vec<Subject<'a>> {
    let mut out: Vec<Subject<'a>> = Vec::new();
    for f in folds.names.iter().flatten() {
        let Some(getattr) = a.calls.get(f.call) else {
            continue;
        };
        let mut uses = getattr.result_uses.clone();
        uses.called |= folds.wrapped_results.get(f.call).copied().unwrap_or(false);
        let invoked = a.calls.iter().find(|c| c.callee == Callee::Result(f.call));
        let full = format!("{}.{}", f.module, f.name);
        if let Some(s) = out
            .iter_mut()
            .find(|s| s.module == f.module && s.name == f.name)
        {
            s.uses.called |= uses.called;
            s.uses.constructed |= uses.constructed;
            s.uses.referenced |= uses.referenced;
            s.call = s.call.or(invoked);
            continue;
        }
        out.push(Subject {
            module: &f.module,
            name: &f.name,
            spelled: format!("{full} (reached through getattr)"),
            uses,
            call: invoked,
            site: format!(
                "REDUCE at 0x{:x} reaches {full} through getattr{}",
                getattr.offset, getattr.args
            ),
            offset: getattr.offset,
        });
    }
    out
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

fn usage(u: &Uses) -> &'static str {
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

/// `REDUCE at 0x2a calls posix.system('echo pwned')`, or where it was reached.
fn evidence(s: &Subject) -> String {
    match s.call {
        Some(c) => {
            let verb = match c.kind {
                CallKind::NewObj | CallKind::NewObjEx => "constructs",
                _ => "calls",
            };
            format!(
                "{} at 0x{:x} {verb} {}.{}{}",
                kind_name(c.kind),
                c.offset,
                s.module,
                s.name,
                call_args(&c.args)
            )
        }
        None => s.site.clone(),
    }
}

fn judge_subject(
    s: &Subject,
    policy: &Policy,
    loc: &Location,
    cx: PickleContext,
    out: &mut Vec<Finding>,
) {
    let key = format!("{}.{}", s.module, s.name);
    let at = loc.clone().at_offset(s.call.map_or(s.offset, |c| c.offset));
    let invoked = s.uses.called || s.uses.constructed;
    match policy.judge(s.module, s.name, cx.torchscript) {
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
                s.spelled,
                usage(&s.uses),
                category.describe()
            );
            out.push(Finding::new(rule, at, msg, &key).with_evidence(evidence(s)));
        }
        Judgement::Unknown => {
            let rule = if s.uses.called {
                &pickle_unapproved_call::RULE
            } else {
                &pickle_unapproved_class::RULE
            };
            let msg = format!(
                "{} is {} but is not on the trusted allowlist",
                s.spelled,
                usage(&s.uses)
            );
            out.push(Finding::new(rule, at, msg, &key).with_evidence(evidence(s)));
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
            AnomalyKind::MutateGlobal { import } => {
                let name = a.imports.get(*import).map(qualified).unwrap_or_default();
                (
                    &pickle_global_mutation::RULE,
                    format!("mutate:{name}"),
                    format!("the pickle changes the module-level object {name} in place"),
                )
            }
            AnomalyKind::DecodeLimit => (
                &scan_inconclusive::RULE,
                "decode-limit".to_string(),
                "encoded data past the decoder budget was not decoded, so a payload in it \
                 was not scanned"
                    .to_string(),
            ),
            AnomalyKind::Unusual => (
                &pickle_unusual_opcode::RULE,
                // Up to the first number: the fingerprint must not depend on offsets.
                format!(
                    "unusual:{}",
                    an.detail
                        .split(|c: char| c.is_ascii_digit())
                        .next()
                        .unwrap_or_default()
                ),
                format!(
                    "an opcode sequence standard writers never produce: {}",
                    an.detail
                ),
            ),
            AnomalyKind::MultipleStreams | AnomalyKind::TrailingData { .. } => {
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
