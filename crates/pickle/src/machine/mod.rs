//! The symbolic unpickler: one `load()` of CPython's `_pickle.c`, opcode by
//! opcode, over symbolic values.
//!
//! Stack, mark stack (as `fence`), memo and frame follow the C unpickler
//! reading from memory (`pickle.loads`). Where CPython raises, the machine
//! halts with the reason; nothing after that point would have run. Calls are
//! recorded, never made: only known pure decoders are evaluated.
//!
//! This file holds the state, the dispatch loop, the stack and the memo;
//! `read.rs` reads arguments and frames, `literals.rs` builds scalars and
//! strings, `containers.rs` containers, `imports.rs` imports, `calls.rs`
//! calls and BUILD, and `joblib.rs` follows joblib's array reads.

mod calls;
mod containers;
mod imports;
mod joblib;
mod literals;
mod read;

use std::rc::{Rc, Weak};

use self::literals::As;
use crate::memo::Memo;
use crate::opcode::*;
use crate::record::Recorder;
use crate::source::{MAX_TAKE, Short, Source};
use crate::text::{self, IntArg};
use crate::value::{Kind, Meter, Node, PyType, Spans, Value, drop_all};
use crate::{AnomalyKind, Limits, Options};

/// Why a load stopped before STOP.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The input ended.
    Truncated,
    /// CPython would raise here.
    Malformed(String),
    /// A named limit was hit.
    Limit(&'static str),
}

pub(crate) type Step = Result<(), Halt>;

pub(crate) fn malformed<T>(reason: impl Into<String>) -> Result<T, Halt> {
    Err(Halt::Malformed(reason.into()))
}

impl From<Short> for Halt {
    fn from(s: Short) -> Halt {
        match s {
            Short::End => Halt::Truncated,
            Short::Boundary => Halt::Malformed("pickle exhausted before end of frame".into()),
            Short::TooLong => Halt::Limit("max_line"),
        }
    }
}

/// Strings up to this many bytes are always kept whole, whatever the budget
/// (module and attribute names must never be cut).
const ALWAYS_KEPT_BYTES: usize = 256;
/// Elements a container always keeps, whatever the global budget (call
/// arguments must stay visible).
const ALWAYS_KEPT_ELEMENTS: usize = 8;

/// What one `Unpickler.load()` starts afresh with.
#[derive(Default)]
pub(crate) struct Load {
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: Memo,
    /// The protocol set by the last PROTO (0 before any).
    proto: u8,
    /// Highest protocol announced.
    pub(crate) max_proto: u8,
    /// No opcode executed yet.
    fresh: bool,
    /// End of the current FRAME.
    frame_end: Option<u64>,
    /// A straddle of the current frame was recorded.
    straddle_noted: bool,
    /// The end a FRAME declared that is not known to exist yet, and the
    /// offset of that FRAME (CPython reads a whole frame at its FRAME).
    promise: Option<(u64, u64)>,
}

impl Load {
    fn new() -> Load {
        Load {
            fresh: true,
            ..Load::default()
        }
    }

    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    /// Every value, for dropping without recursion.
    fn drain(&mut self) -> Vec<Value> {
        let mut all = std::mem::take(&mut self.stack);
        all.extend(self.memo.drain());
        all
    }
}

pub(crate) struct Machine<'o, S> {
    pub(crate) src: S,
    opts: &'o Options<'o>,
    lim: &'o Limits,
    pub(crate) rec: Recorder,
    pub(crate) load: Load,
    meter: Rc<Meter>,
    /// Mutable nodes that received other nodes: every cycle passes one.
    tracked: Vec<Weak<Node>>,
    pub(crate) stream: usize,
    pub(crate) opcodes: u64,
    /// Offset of the opcode being executed.
    pub(crate) op_at: u64,
    /// Offset just past the last STOP.
    pub(crate) stop_end: u64,
    /// Bytes captured into call-site payloads.
    captured: usize,
    /// Work done by evaluated decoders, and whether its limit was reached.
    decoded: usize,
    decode_exhausted: bool,
    /// Inside a nested pickle read by joblib (a plain unpickler).
    nested: bool,
}

impl<'o, S: Source> Machine<'o, S> {
    pub(crate) fn new(src: S, opts: &'o Options<'o>) -> Self {
        Machine {
            src,
            opts,
            lim: &opts.limits,
            rec: Recorder::new(&opts.limits),
            load: Load::new(),
            meter: Rc::new(Meter::default()),
            tracked: Vec::new(),
            stream: 0,
            opcodes: 0,
            op_at: 0,
            stop_end: 0,
            captured: 0,
            decoded: 0,
            decode_exhausted: false,
            nested: false,
        }
    }

    /// Start a fresh `load()`, dropping what the last one left.
    pub(crate) fn reset_load(&mut self) {
        let old = std::mem::replace(&mut self.load, Load::new());
        self.discard(old);
    }

    fn discard(&mut self, mut load: Load) {
        drop_all(load.drain());
        self.break_cycles();
    }

    /// Unlink every tracked mutable node so that cycles free.
    fn break_cycles(&mut self) {
        let mut pending = Vec::new();
        for w in self.tracked.drain(..) {
            if let Some(n) = w.upgrade() {
                n.release_shared(&mut pending);
            }
        }
        drop_all(pending);
    }

    fn track(&mut self, node: &Rc<Node>) {
        // Keep the list proportional to the live tracked nodes.
        if self.tracked.len() >= 1024 && self.tracked.len().is_power_of_two() {
            self.tracked.retain(|w| w.strong_count() > 0);
        }
        self.tracked.push(Rc::downgrade(node));
    }

    /// Run one `load()` to its STOP; returns the loaded value.
    pub(crate) fn run_load(&mut self) -> Result<Value, Halt> {
        let r = self.run_ops();
        if matches!(r, Err(Halt::Truncated)) {
            // Input that ends inside a declared frame fails at the FRAME.
            if let (Some((end, at)), Some(len)) = (self.load.promise, self.src.known_len())
                && end > len
            {
                self.op_at = at;
            }
        }
        r
    }

    fn run_ops(&mut self) -> Result<Value, Halt> {
        loop {
            self.scalar_run();
            self.op_at = self.src.pos();
            let op = self.arg_u8()?;
            self.opcodes += 1;
            if self.opcodes > self.lim.max_opcodes {
                return Err(Halt::Limit("max_opcodes"));
            }
            if op == STOP {
                let v = self.pop()?;
                self.stop_end = self.src.pos();
                if let Some((end, at)) = self.load.promise.filter(|p| p.0 > self.stop_end) {
                    let detail = format!("STOP before the end of the frame ending at {end}");
                    self.rec.anomaly(self.op_at, AnomalyKind::Unusual, detail);
                    // Only the last stream may consume what follows STOP.
                    let probe = self.lim.max_set_aside;
                    let there = self
                        .src
                        .has(end - self.stop_end, !self.opts.multi_stream, probe);
                    if there != Some(true) {
                        self.op_at = at;
                        drop_all(vec![v]);
                        // Unconfirmed: a limit, unless nothing ran (then the
                        // stream is no more than truncated junk).
                        let unknown = if self.rec.activity == 0 {
                            Halt::Truncated
                        } else {
                            Halt::Limit("max_set_aside")
                        };
                        return Err(there.map_or(unknown, |_| Halt::Truncated));
                    }
                }
                self.note_ref(&v);
                return Ok(v);
            }
            self.step(op)?;
            self.load.fresh = false;
        }
    }

    /// Runs of the commonest scalar opcodes (the numbers of a long list),
    /// decoded straight from the bytes the source has at hand: the values,
    /// counts and limits `step` would give, without its per-opcode work.
    /// Anything else — another opcode, the end of the bytes at hand or of a
    /// frame, a limit about to be hit — is left to `step`.
    fn scalar_run(&mut self) {
        let pos = self.src.pos();
        let window = self.src.window();
        let frame_left = self.load.frame_end.map_or(usize::MAX, |end| {
            usize::try_from(end.saturating_sub(pos)).unwrap_or(usize::MAX)
        });
        let usable = window.len().min(frame_left).min(MAX_TAKE);
        let window = window.get(..usable).unwrap_or_default();
        let budget = usize::try_from(self.lim.max_opcodes.saturating_sub(self.opcodes))
            .unwrap_or(usize::MAX);
        let room = self
            .lim
            .max_stack
            .saturating_sub(self.load.stack.len() + self.load.marks.len());
        let cap = budget.min(room);
        // First the length of the run, then the values: extending by a
        // counted iterator writes each value straight into the stack (pushing
        // one by one built it in memory first, and the copy stalled).
        let (mut end, mut ran) = (0usize, 0usize);
        while ran < cap {
            let Some((_, _, width)) = scalar_at(window, end) else {
                break;
            };
            end += width;
            ran += 1;
        }
        let mut at = 0usize;
        self.load.stack.extend((0..ran).map(|_| {
            let Some((scalar, bits, width)) = scalar_at(window, at) else {
                return Value::None;
            };
            at += width;
            match scalar {
                Scalar::Int => Value::Int(bits as i64),
                Scalar::Float => Value::Float(f64::from_bits(bits)),
                Scalar::None => Value::None,
                Scalar::Bool => Value::Bool(bits != 0),
            }
        }));
        let at = end;
        if ran > 0 {
            // The bytes were at hand, so this cannot come up short.
            let _ = self.src.take(at);
            self.opcodes += ran as u64;
            self.load.fresh = false;
        }
    }

    fn step(&mut self, op: u8) -> Step {
        match op {
            MARK => {
                self.room()?;
                let n = self.load.stack.len();
                self.load.marks.push(n);
                Ok(())
            }
            POP => self.op_pop(),
            POP_MARK => {
                let m = self.marker()?;
                let rest = self.load.stack.split_off(m);
                drop_all(rest);
                Ok(())
            }
            DUP => {
                let v = self.top()?.clone();
                self.push(v)
            }
            FLOAT => {
                let v = self.nonempty_line_with(text::parse_float)?;
                let v = v.map_or_else(|| malformed("could not convert string to float"), Ok)?;
                self.push(Value::Float(v))
            }
            BINFLOAT => {
                let b = self.arg_array::<8>()?;
                self.push(Value::Float(f64::from_be_bytes(b)))
            }
            INT => {
                let v = self.nonempty_line_with(text::parse_int)?;
                let v = match v {
                    Some(IntArg::Bool(b)) => Value::Bool(b),
                    Some(IntArg::Int(i)) => self.integer(i),
                    None => return malformed("could not convert string to int"),
                };
                self.push(v)
            }
            BININT => {
                let v = i32::from_le_bytes(self.arg_array::<4>()?);
                self.push(Value::Int(i64::from(v)))
            }
            BININT1 => {
                let v = self.arg_u8()?;
                self.push(Value::Int(i64::from(v)))
            }
            BININT2 => {
                let v = u16::from_le_bytes(self.arg_array::<2>()?);
                self.push(Value::Int(i64::from(v)))
            }
            LONG => {
                let v = self.nonempty_line_with(text::parse_long)?;
                let v = v.map_or_else(|| malformed("invalid literal for int() with base 0"), Ok)?;
                let v = self.integer(v);
                self.push(v)
            }
            LONG1 => {
                let n = self.arg_u8()?;
                let v = self.long_bytes(u64::from(n))?;
                self.push(v)
            }
            LONG4 => {
                let n = i32::from_le_bytes(self.arg_array::<4>()?);
                let n = u64::try_from(n)
                    .or_else(|_| malformed("LONG pickle has negative byte count"))?;
                let v = self.long_bytes(n)?;
                self.push(v)
            }
            STRING => self.op_string(),
            BINSTRING => self.counted_blob(4, As::Latin1Str),
            SHORT_BINSTRING => self.counted_blob(1, As::Latin1Str),
            UNICODE => {
                let v = self.line_with(text::raw_unicode_escape)?;
                let v = v.map_or_else(
                    || malformed("'rawunicodeescape' codec can't decode the UNICODE argument"),
                    Ok,
                )?;
                let len = v.len() as u64;
                let v = self.owned(Kind::Str, v, len, false);
                self.push(v)
            }
            SHORT_BINUNICODE => self.counted_blob(1, As::Utf8Str),
            BINUNICODE => self.counted_blob(4, As::Utf8Str),
            BINUNICODE8 => self.counted_blob(8, As::Utf8Str),
            SHORT_BINBYTES => self.counted_blob(1, As::Bytes),
            BINBYTES => self.counted_blob(4, As::Bytes),
            BINBYTES8 => self.counted_blob(8, As::Bytes),
            BYTEARRAY8 => self.counted_blob(8, As::ByteArray),
            NEXT_BUFFER => {
                // CPython raises unless the caller passed `buffers`; a caller
                // that did gets an arbitrary buffer. Keep going, noted.
                self.rec.anomaly(
                    self.op_at,
                    AnomalyKind::Unusual,
                    "NEXT_BUFFER: out-of-band buffer",
                );
                self.push(Value::node(Node::Opaque("out-of-band buffer")))
            }
            READONLY_BUFFER => {
                // `memoryview(top)`: only buffer objects have one.
                match self.top()?.known_type() {
                    Some(t) if !matches!(t, PyType::Bytes | PyType::ByteArray) => malformed(
                        format!("a bytes-like object is required, not '{}'", t.name()),
                    ),
                    _ => Ok(()),
                }
            }
            NONE => self.push(Value::None),
            NEWTRUE => self.push(Value::Bool(true)),
            NEWFALSE => self.push(Value::Bool(false)),
            PUT | BINPUT | LONG_BINPUT | MEMOIZE => self.op_put(op),
            GET | BINGET | LONG_BINGET => self.op_get(op),
            PROTO => self.op_proto(),
            FRAME => self.op_frame(),
            _ => self.step_structural(op),
        }
    }

    fn step_structural(&mut self, op: u8) -> Step {
        match op {
            EMPTY_LIST | EMPTY_TUPLE | EMPTY_DICT | EMPTY_SET => self.op_empty(op),
            APPEND => {
                let x = self.load.stack.len().saturating_sub(1);
                self.do_append(x)
            }
            APPENDS => {
                let m = self.marker()?;
                self.do_append(m)
            }
            LIST | TUPLE | FROZENSET | DICT => self.op_from_mark(op),
            TUPLE1 => self.op_counted_tuple(1),
            TUPLE2 => self.op_counted_tuple(2),
            TUPLE3 => self.op_counted_tuple(3),
            SETITEM => {
                let x = self.load.stack.len().saturating_sub(2);
                if self.load.stack.len() < 2 {
                    return self.underflow();
                }
                self.do_setitems(x)
            }
            SETITEMS => {
                let m = self.marker()?;
                self.do_setitems(m)
            }
            ADDITEMS => self.op_additems(),
            GLOBAL => self.op_global(),
            STACK_GLOBAL => self.op_stack_global(),
            INST => self.op_inst(),
            OBJ => self.op_obj(),
            REDUCE => self.op_reduce(),
            NEWOBJ => self.op_newobj(false),
            NEWOBJ_EX => self.op_newobj(true),
            BUILD => self.op_build(),
            EXT1 | EXT2 | EXT4 => self.op_ext(op),
            PERSID | BINPERSID => self.op_persid(op),
            _ => {
                let shown = if (0x20..=0x7e).contains(&op) && op != b'\'' && op != b'\\' {
                    format!("'{}'", char::from(op))
                } else {
                    format!("'\\x{op:02x}'")
                };
                malformed(format!("invalid load key, {shown}."))
            }
        }
    }

    // ----- stack -----

    fn underflow<T>(&self) -> Result<T, Halt> {
        if self.load.marks.is_empty() {
            malformed("unpickling stack underflow")
        } else {
            malformed("unexpected MARK found")
        }
    }

    #[inline(always)]
    fn room(&self) -> Step {
        if self.load.stack.len() + self.load.marks.len() >= self.lim.max_stack {
            return Err(Halt::Limit("max_stack"));
        }
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, v: Value) -> Step {
        self.room()?;
        self.load.stack.push(v);
        Ok(())
    }

    /// `PDATA_POP`: the top value above the fence.
    pub(crate) fn pop(&mut self) -> Result<Value, Halt> {
        if self.load.stack.len() <= self.load.fence() {
            return self.underflow();
        }
        self.load.stack.pop().map_or_else(|| self.underflow(), Ok)
    }

    fn top(&self) -> Result<&Value, Halt> {
        if self.load.stack.len() <= self.load.fence() {
            return self.underflow();
        }
        self.load.stack.last().map_or_else(|| self.underflow(), Ok)
    }

    /// `marker()`: pop the last mark.
    fn marker(&mut self) -> Result<usize, Halt> {
        self.load
            .marks
            .pop()
            .map_or_else(|| malformed("could not find MARK"), Ok)
    }

    /// `load_pop`: pops the mark itself when nothing is above it.
    fn op_pop(&mut self) -> Step {
        let len = self.load.stack.len();
        if self.load.marks.last() == Some(&len) {
            self.load.marks.pop();
            return Ok(());
        }
        let v = self.pop()?;
        drop_all(vec![v]);
        Ok(())
    }

    // ----- memo -----

    fn op_put(&mut self, op: u8) -> Step {
        let key = match op {
            PUT => {
                let k = self.nonempty_line_with(text::parse_memo_key)?;
                self.top()?;
                match k {
                    Some(k) if k >= 0 => k as u64,
                    Some(_) => return malformed("negative PUT argument"),
                    None => return malformed("invalid literal for int() with base 10"),
                }
            }
            BINPUT => u64::from(self.arg_u8()?),
            LONG_BINPUT => u64::from(u32::from_le_bytes(self.arg_array::<4>()?)),
            _ => self.load.memo.len() as u64,
        };
        let v = self.top()?.clone();
        if !self.load.memo.put(key, v, self.lim.max_memo) {
            return Err(Halt::Limit("max_memo"));
        }
        Ok(())
    }

    fn op_get(&mut self, op: u8) -> Step {
        let key = match op {
            GET => match self.nonempty_line_with(text::parse_memo_key)? {
                Some(k) => k,
                None => return malformed("invalid literal for int() with base 10"),
            },
            BINGET => i64::from(self.arg_u8()?),
            _ => i64::from(u32::from_le_bytes(self.arg_array::<4>()?)),
        };
        let v = u64::try_from(key)
            .ok()
            .and_then(|k| self.load.memo.get(k))
            .cloned();
        match v {
            Some(v) => self.push(v),
            None => malformed(format!("Memo value not found at index {key}")),
        }
    }

    // ----- uses -----

    /// A value consumed as data: an import there is referenced.
    pub(crate) fn note_ref(&mut self, v: &Value) {
        let uses = match v.as_node() {
            Some(Node::Global(i)) => self.rec.uses(*i),
            Some(Node::Result(r)) => self.rec.result_uses(r.call),
            _ => None,
        };
        if let Some(u) = uses {
            u.referenced = true;
        }
    }

    pub(crate) fn spans(&self) -> &dyn Spans {
        &self.src
    }
}

impl<S> Drop for Machine<'_, S> {
    fn drop(&mut self) {
        let mut load = std::mem::take(&mut self.load);
        drop_all(load.drain());
        let mut pending = Vec::new();
        for w in self.tracked.drain(..) {
            if let Some(n) = w.upgrade() {
                n.release_shared(&mut pending);
            }
        }
        drop_all(pending);
    }
}

#[cfg(test)]
mod tests;

/// What [`scalar_at`] decoded.
#[derive(Clone, Copy)]
enum Scalar {
    Int,
    Float,
    None,
    Bool,
}

/// The scalar opcode at `at` (its value's bits) and its width, when it is
/// whole in `w`.
#[inline(always)]
fn scalar_at(w: &[u8], at: usize) -> Option<(Scalar, u64, usize)> {
    fn arg<const N: usize>(w: &[u8], at: usize) -> Option<[u8; N]> {
        w.get(at.checked_add(1)?..at.checked_add(1 + N)?)?
            .try_into()
            .ok()
    }
    Some(match *w.get(at)? {
        BININT1 => (Scalar::Int, u64::from(arg::<1>(w, at)?[0]), 2),
        BININT2 => (Scalar::Int, u64::from(u16::from_le_bytes(arg(w, at)?)), 3),
        // Sign-extended: the i64 bits of the i32.
        BININT => (
            Scalar::Int,
            i64::from(i32::from_le_bytes(arg(w, at)?)) as u64,
            5,
        ),
        BINFLOAT => (Scalar::Float, u64::from_be_bytes(arg(w, at)?), 9),
        NONE => (Scalar::None, 0, 1),
        NEWTRUE => (Scalar::Bool, 1, 1),
        NEWFALSE => (Scalar::Bool, 0, 1),
        _ => return None,
    })
}
