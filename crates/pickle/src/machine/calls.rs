//! Calls: REDUCE, NEWOBJ(_EX), OBJ (and INST's call), BUILD, persistent ids.
//!
//! Nothing is called. A call is recorded with who would be called and the
//! rendered arguments; its result is an opaque value, except for known pure
//! decoders (evaluated to concrete bytes) and the few results later opcodes
//! depend on (`io.BytesIO`, `numpy.dtype`, joblib's array wrapper).

use std::cell::RefCell;
use std::rc::Rc;

use super::{Halt, Machine, Step, malformed};
use crate::decode;
use crate::opcode::*;
use crate::render::{import_name, render};
use crate::source::Source;
use crate::value::{CallResult, Dtype, Kind, Node, PyType, Special, Value, Wrapper};
use crate::{AnomalyKind, ArgRef, CallKind, CallSite, Callee, MAX_ARG_REFS, MAX_ARG_STR, Uses};

/// Classes whose instances joblib replaces with array data read from the file.
const JOBLIB_WRAPPERS: &[(&str, &str)] = &[
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),
    ("sklearn.externals.joblib.numpy_pickle", "NumpyArrayWrapper"),
];

fn is_reconstructor(m: &str, n: &str) -> bool {
    matches!(m, "copyreg" | "copy_reg")
        && matches!(n, "_reconstructor" | "__newobj__" | "__newobj_ex__")
}

impl<S: Source> Machine<'_, S> {
    pub(super) fn op_obj(&mut self) -> Step {
        let mark = self.marker()?;
        if self.load.stack.len() < mark + 1 {
            return self.underflow();
        }
        let items = self.load.stack.split_off(mark + 1);
        let args = self.tuple(items)?;
        let cls = self.pop()?;
        self.call(CallKind::Obj, cls, args, None)
    }

    pub(super) fn op_reduce(&mut self) -> Step {
        let args = self.pop()?;
        let callee = self.pop()?;
        self.call(CallKind::Reduce, callee, args, None)
    }

    pub(super) fn op_newobj(&mut self, ex: bool) -> Step {
        let kwargs = if ex { Some(self.pop()?) } else { None };
        let args = self.pop()?;
        let cls = self.pop()?;
        let kind = if ex {
            CallKind::NewObjEx
        } else {
            CallKind::NewObj
        };
        self.call(kind, cls, args, kwargs)
    }

    /// CPython's checks before a call; an error means nothing was called.
    fn check_call(
        &self,
        kind: CallKind,
        callee: &Value,
        args: &Value,
        kwargs: Option<&Value>,
    ) -> Step {
        let op = match kind {
            CallKind::NewObj => "NEWOBJ",
            CallKind::NewObjEx => "NEWOBJ_EX",
            _ => "",
        };
        if let Some(t) = callee.known_type() {
            return if op.is_empty() {
                malformed(format!("'{}' object is not callable", t.name()))
            } else {
                malformed(format!(
                    "{op} class argument must be a type, not {}",
                    t.name()
                ))
            };
        }
        if let Some(t) = args.known_type().filter(|&t| t != PyType::Tuple) {
            return if op.is_empty() {
                malformed("argument list must be a tuple")
            } else {
                malformed(format!(
                    "{op} args argument must be a tuple, not {}",
                    t.name()
                ))
            };
        }
        if let Some(t) = kwargs
            .and_then(Value::known_type)
            .filter(|&t| t != PyType::Dict)
        {
            return malformed(format!(
                "{op} kwargs argument must be a dict, not {}",
                t.name()
            ));
        }
        Ok(())
    }

    /// Elements of a tuple held whole.
    fn tuple_items(v: &Value) -> Option<&[Value]> {
        match v.as_node()? {
            Node::Tuple(s) if s.is_complete() => Some(&s.items),
            _ => None,
        }
    }

    fn callee_ref(&self, callee: &Value) -> Callee {
        if let Some(i) = callee.global() {
            return Callee::Import(i);
        }
        if let Some(r) = callee.result() {
            return match r.call {
                Some(c) => Callee::Result(c),
                None => Callee::Other("<result of an unrecorded call>".into()),
            };
        }
        Callee::Other(render(
            callee,
            self.spans(),
            &self.rec.imports,
            self.lim.max_render,
        ))
    }

    /// Record uses of the callee (and of the class a reconstructor builds).
    fn note_call_uses(&mut self, kind: CallKind, callee: &Value, args: &Value) {
        self.note_ref(args);
        let uses = match callee.as_node() {
            Some(Node::Global(i)) => self.rec.uses(*i),
            Some(Node::Result(r)) => self.rec.result_uses(r.call),
            _ => None,
        };
        if let Some(u) = uses {
            match kind {
                CallKind::NewObj | CallKind::NewObjEx => u.constructed = true,
                CallKind::Reduce | CallKind::Inst | CallKind::Obj => u.called = true,
            }
        }
        let Some(i) = callee.global() else { return };
        let recon = self
            .rec
            .name(i)
            .is_some_and(|(m, n)| is_reconstructor(m, n));
        if recon && kind == CallKind::Reduce {
            let cls = Self::tuple_items(args)
                .and_then(|a| a.first())
                .and_then(Value::global);
            if let Some(u) = cls.and_then(|c| self.rec.uses(c)) {
                u.constructed = true;
            }
        }
    }

    /// The first positional arguments, structurally, and how many there are.
    fn arg_refs(&self, args: &Value) -> (Vec<ArgRef>, Option<usize>) {
        let Some(items) = Self::tuple_items(args) else {
            return (Vec::new(), None);
        };
        let refs = items
            .iter()
            .take(MAX_ARG_REFS)
            .map(|v| match v.as_node() {
                Some(Node::Global(i)) => ArgRef::Import(*i),
                Some(Node::Result(r)) => r.call.map_or(ArgRef::Other, ArgRef::Result),
                _ => v
                    .str_whole(self.spans())
                    .filter(|b| b.len() <= MAX_ARG_STR)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .map_or(ArgRef::Other, |s| ArgRef::Str(s.to_string())),
            })
            .collect();
        (refs, Some(items.len()))
    }

    /// Concrete str/bytes arguments for `capture_args_of` callees, and
    /// whether every one was captured whole.
    fn payloads(&mut self, args: &Value) -> (Vec<Vec<u8>>, bool) {
        let mut out = Vec::new();
        let Some(items) = Self::tuple_items(args) else {
            return (out, false);
        };
        let mut whole = true;
        let mut found: Vec<&Value> = Vec::new();
        for v in items {
            match v.as_node() {
                Some(Node::Tuple(s)) => found.extend(s.items.iter()),
                Some(Node::Result(r)) => {
                    if let Special::BytesIo(b) = &r.special {
                        found.push(b);
                    }
                }
                _ => found.push(v),
            }
        }
        for v in found {
            let Some(t) = v.text(&self.src) else { continue };
            let room = self.lim.max_capture_total.saturating_sub(self.captured);
            let take = t.bytes.len().min(self.lim.max_capture).min(room);
            whole &= take as u64 == t.len;
            if take == 0 && !t.bytes.is_empty() {
                continue;
            }
            self.captured += take;
            out.push(t.bytes.get(..take).unwrap_or_default().to_vec());
        }
        (out, whole)
    }

    /// Record a call and push what it returns.
    pub(super) fn call(
        &mut self,
        kind: CallKind,
        callee: Value,
        args: Value,
        kwargs: Option<Value>,
    ) -> Step {
        self.check_call(kind, &callee, &args, kwargs.as_ref())?;
        self.note_call_uses(kind, &callee, &args);
        if let Some(k) = &kwargs {
            self.note_ref(k);
        }
        let name = callee
            .global()
            .and_then(|i| self.rec.name(i))
            .map(|(m, n)| (m.to_string(), n.to_string()));
        let site = if self.rec.call_room() {
            let max = self.lim.max_render;
            let rendered = match &kwargs {
                None => render(&args, self.spans(), &self.rec.imports, max),
                Some(k) => format!(
                    "({}, {})",
                    render(&args, self.spans(), &self.rec.imports, max),
                    render(k, self.spans(), &self.rec.imports, max)
                ),
            };
            let capture = name
                .as_ref()
                .is_some_and(|(m, n)| (self.opts.capture_args_of)(m, n));
            let (payloads, payloads_complete) = if capture {
                self.payloads(&args)
            } else {
                (Vec::new(), false)
            };
            let (arg_refs, arg_count) = self.arg_refs(&args);
            Some(CallSite {
                offset: self.op_at,
                kind,
                callee: self.callee_ref(&callee),
                args: rendered,
                payloads,
                payloads_complete,
                arg_refs,
                arg_count,
                result_uses: Uses::default(),
                stream: self.stream,
            })
        } else {
            None
        };
        let call = self.rec.call(site);
        if let Some(v) = self.evaluate(kind, name.as_ref(), &args) {
            return self.push(v);
        }
        let special = self.special(kind, name.as_ref(), &args);
        let depth = callee.depth().max(args.depth()).saturating_add(1);
        if depth as usize > self.lim.max_value_depth {
            return Err(Halt::Limit("max_value_depth"));
        }
        let args = match kwargs {
            None => args,
            Some(k) => self.tuple(vec![args, k])?,
        };
        let result = CallResult {
            call,
            callee,
            args,
            depth,
            special,
        };
        self.push(Value::node(Node::Result(Box::new(result))))
    }

    /// A known pure decoder on concrete arguments: its concrete result.
    /// Evaluation work is bounded over the input; past the bound, results
    /// stay opaque (noted once).
    fn evaluate(
        &mut self,
        kind: CallKind,
        name: Option<&(String, String)>,
        args: &Value,
    ) -> Option<Value> {
        let (m, n) = name?;
        // `bytes.__new__(bytes, x)` is `bytes(x)`; likewise for str.
        let new_of_value =
            kind == CallKind::NewObj && m == "builtins" && matches!(n.as_str(), "bytes" | "str");
        let calls = matches!(kind, CallKind::Reduce | CallKind::Inst | CallKind::Obj);
        if !(calls || new_of_value) || !decode::is_decoder(m, n) {
            return None;
        }
        let items = Self::tuple_items(args)?;
        let cap = self.lim.max_capture.min(self.lim.max_text_kept_total);
        let cost = decode::cost(items, self.spans(), cap);
        if self.decoded.saturating_add(cost) > self.lim.max_decode_total {
            if !self.decode_exhausted {
                self.decode_exhausted = true;
                let detail = "decoder work limit reached: later decoder calls are not evaluated";
                self.rec
                    .anomaly(self.op_at, AnomalyKind::DecodeLimit, detail);
            }
            return None;
        }
        let d = decode::evaluate(m, n, items, self.spans(), cap);
        self.decoded += cost + d.as_ref().map_or(0, |d| d.bytes.len());
        let d = d?;
        let len = if d.complete {
            d.bytes.len() as u64
        } else {
            u64::MAX
        };
        Some(self.owned(d.kind, d.bytes, len, true))
    }

    /// What later opcodes need to know about a call's result.
    fn special(&self, kind: CallKind, name: Option<&(String, String)>, args: &Value) -> Special {
        let Some((m, n)) = name else {
            return Special::None;
        };
        let items = Self::tuple_items(args).unwrap_or_default();
        let first = items.first();
        let calls = matches!(kind, CallKind::Reduce | CallKind::Inst | CallKind::Obj);
        match (m.as_str(), n.as_str()) {
            ("io" | "_io", "BytesIO") if calls => {
                match first.filter(|v| v.text(self.spans()).is_some_and(|t| t.kind != Kind::Str)) {
                    Some(b) => Special::BytesIo(b.clone()),
                    None => Special::None,
                }
            }
            ("numpy", "dtype") if kind == CallKind::Reduce => Special::Dtype(RefCell::new(Dtype {
                typestr: first.cloned().unwrap_or_default(),
                state: None,
            })),
            _ if !self.opts.joblib_arrays || self.nested => Special::None,
            (m, n) if JOBLIB_WRAPPERS.contains(&(m, n)) => {
                let w = if calls && !items.is_empty() {
                    Self::wrapper_from_init(items)
                } else {
                    Wrapper::default()
                };
                Special::Wrapper(RefCell::new(w))
            }
            (m, n) if is_reconstructor(m, n) && kind == CallKind::Reduce => {
                let cls = first.and_then(Value::global).and_then(|i| self.rec.name(i));
                match cls {
                    Some(c) if JOBLIB_WRAPPERS.contains(&c) => {
                        Special::Wrapper(RefCell::new(Wrapper::default()))
                    }
                    _ => Special::None,
                }
            }
            _ => Special::None,
        }
    }

    /// `NumpyArrayWrapper(subclass, shape, order, dtype, allow_mmap=False,
    /// numpy_array_alignment_bytes=16)` called directly.
    fn wrapper_from_init(items: &[Value]) -> Wrapper {
        Wrapper {
            shape: items.get(1).cloned(),
            dtype: items.get(3).cloned(),
            alignment: items.get(5).cloned(),
            // Older joblib has no alignment parameter: without the sixth
            // argument the padding depends on the joblib version.
            unknown: (items.len() < 6)
                .then_some("NumpyArrayWrapper.__init__ without its alignment argument"),
        }
    }

    pub(super) fn op_build(&mut self) -> Step {
        if self.load.stack.len() < self.load.fence() + 2 {
            return self.underflow();
        }
        let state = self.pop()?;
        let inst = self.top()?.clone();
        self.note_ref(&state);
        let Value::Node(rc) = &inst else {
            return Ok(());
        };
        match &**rc {
            Node::Global(i) => {
                let i = *i;
                if let Some(u) = self.rec.uses(i) {
                    u.build_target = true;
                }
                let detail = format!("BUILD on {}", import_name(&self.rec.imports, i));
                self.rec
                    .anomaly(self.op_at, AnomalyKind::BuildOnGlobal { import: i }, detail);
                Ok(())
            }
            Node::Result(r) => {
                if let Some(u) = self.rec.result_uses(r.call) {
                    u.build_target = true;
                }
                self.build_result(rc, r, state)
            }
            _ => Ok(()),
        }
    }

    /// BUILD on a call's result: results later opcodes depend on take the state.
    fn build_result(&mut self, rc: &Rc<Node>, r: &CallResult, state: Value) -> Step {
        match &r.special {
            Special::Dtype(d) => {
                if let Ok(mut d) = d.try_borrow_mut() {
                    d.state = Some(state);
                }
                self.track(rc);
                Ok(())
            }
            Special::Wrapper(w) => {
                if let Ok(mut w) = w.try_borrow_mut() {
                    Self::apply_state(&mut w, &state, self.spans())?;
                }
                self.track(rc);
                self.joblib_read(rc)
            }
            Special::None | Special::BytesIo(_) => Ok(()),
        }
    }

    pub(super) fn op_persid(&mut self, op: u8) -> Step {
        let pid = if op == PERSID {
            let s = self.line_with(|l| l.is_ascii().then(|| l.to_vec()))?;
            let s = s.map_or_else(
                || malformed("persistent IDs in protocol 0 must be ASCII strings"),
                Ok,
            )?;
            let len = s.len() as u64;
            self.owned(Kind::Str, s, len, false)
        } else {
            let pid = self.pop()?;
            self.note_ref(&pid);
            pid
        };
        let rendered = self
            .rec
            .pid_room()
            .then(|| render(&pid, self.spans(), &self.rec.imports, self.lim.max_render));
        self.rec.persistent_id(rendered);
        let depth = pid.depth().saturating_add(1);
        self.push(Value::node(Node::Persistent { pid, depth }))
    }
}
