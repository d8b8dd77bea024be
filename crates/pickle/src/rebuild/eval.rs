//! The evaluator loop: a cursor over the bytes, the stack, marks and memo,
//! and the opcodes that build plain values. Calls, BUILD and persistent ids
//! are in `calls.rs`. Any opcode not dispatched here is refused by name.

use std::collections::HashMap;

use super::{Dict, Key, Limits, ObjId, Object, Reason, Rebuilt, Refusal, Value};
use crate::opcode::*;
use crate::text::{IntArg, Integer, parse_float, parse_int, parse_long, parse_memo_key};

/// Longest text-protocol argument line (INT, LONG, FLOAT, PUT, GET, GLOBAL).
pub(super) const MAX_LINE: usize = 4096;
/// Widest LONG1/LONG4 integer accepted, in bytes (i128).
const MAX_LONG_BYTES: usize = 16;

pub(super) type Step<T = ()> = Result<T, Reason>;

pub(super) fn malformed<T>(what: impl Into<String>) -> Step<T> {
    Err(Reason::Malformed(what.into()))
}

pub(super) struct Eval<'a> {
    data: &'a [u8],
    pos: usize,
    pub(super) lim: &'a Limits,
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: HashMap<u64, Value>,
    pub(super) objects: Vec<Object>,
    elements: usize,
    text_bytes: usize,
    protocol: u8,
}

impl<'a> Eval<'a> {
    pub(super) fn new(data: &'a [u8], lim: &'a Limits) -> Self {
        Eval {
            data,
            pos: 0,
            lim,
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            objects: Vec::new(),
            elements: 0,
            text_bytes: 0,
            protocol: 0,
        }
    }

    pub(super) fn run(mut self) -> Result<Rebuilt, Refusal> {
        let mut opcodes = 0u64;
        loop {
            let at = self.pos as u64;
            let fail = |reason| Refusal { offset: at, reason };
            opcodes += 1;
            if opcodes > self.lim.max_opcodes {
                return Err(fail(Reason::LimitExceeded("max_opcodes")));
            }
            let op = self.take(1).map_err(fail)?.first().copied().unwrap_or(0);
            if op == STOP {
                let root = self.pop().map_err(fail)?;
                return Ok(Rebuilt {
                    root,
                    objects: self.objects,
                    end: self.pos as u64,
                    protocol: self.protocol,
                });
            }
            self.step(op).map_err(fail)?;
        }
    }

    fn step(&mut self, op: u8) -> Step {
        match op {
            PROTO => {
                let p = self.u8()?;
                if p > HIGHEST_PROTOCOL {
                    return malformed(format!("unsupported pickle protocol: {p}"));
                }
                self.protocol = p;
            }
            FRAME => {
                let n = self.u64()?;
                let rest = (self.data.len() - self.pos.min(self.data.len())) as u64;
                if n > rest {
                    return Err(Reason::Truncated);
                }
            }
            MARK => {
                self.check_stack()?;
                self.marks.push(self.stack.len());
            }
            NONE => self.push(Value::None)?,
            NEWTRUE => self.push(Value::Bool(true))?,
            NEWFALSE => self.push(Value::Bool(false))?,
            BININT => {
                let v = i32::from_le_bytes(self.array()?);
                self.push(Value::Int(v.into()))?;
            }
            BININT1 => {
                let v = self.u8()?;
                self.push(Value::Int(v.into()))?;
            }
            BININT2 => {
                let v = u16::from_le_bytes(self.array()?);
                self.push(Value::Int(v.into()))?;
            }
            INT => {
                let v = match self.line_with(parse_int)? {
                    Some(IntArg::Bool(b)) => Value::Bool(b),
                    Some(IntArg::Int(i)) => Value::Int(small(i)?),
                    None => return malformed("could not convert string to int"),
                };
                self.push(v)?;
            }
            LONG => {
                let Some(i) = self.line_with(parse_long)? else {
                    return malformed("invalid literal for int()");
                };
                self.push(Value::Int(small(i)?))?;
            }
            LONG1 => {
                let n = usize::from(self.u8()?);
                self.long_bytes(n)?;
            }
            LONG4 => {
                let n = i32::from_le_bytes(self.array()?);
                let Ok(n) = usize::try_from(n) else {
                    return malformed("LONG pickle has negative byte count");
                };
                self.long_bytes(n)?;
            }
            BINFLOAT => {
                let v = f64::from_be_bytes(self.array()?);
                self.push(Value::Float(v))?;
            }
            FLOAT => {
                let Some(v) = self.line_with(parse_float)? else {
                    return malformed("could not convert string to float");
                };
                self.push(Value::Float(v))?;
            }
            SHORT_BINUNICODE => self.text(1, false)?,
            BINUNICODE => self.text(4, false)?,
            BINUNICODE8 => self.text(8, false)?,
            // Python 2 str, decoded as UTF-8 as `torch.load` does by default.
            SHORT_BINSTRING => self.text(1, false)?,
            BINSTRING => {
                let n = i32::from_le_bytes(self.array()?);
                if n < 0 {
                    return malformed("BINSTRING pickle has negative byte count");
                }
                self.pos -= 4;
                self.text(4, false)?;
            }
            SHORT_BINBYTES => self.text(1, true)?,
            BINBYTES => self.text(4, true)?,
            BINBYTES8 => self.text(8, true)?,
            EMPTY_TUPLE => self.push_new(Object::Tuple(Vec::new()))?,
            TUPLE1 | TUPLE2 | TUPLE3 => {
                let n = usize::from(op - TUPLE1 + 1);
                let items = self.pop_n(n)?;
                self.push_new(Object::Tuple(items))?;
            }
            TUPLE => {
                let items = self.pop_mark()?;
                self.push_new(Object::Tuple(items))?;
            }
            EMPTY_LIST => self.push_new(Object::List(Vec::new()))?,
            LIST => {
                let items = self.pop_mark()?;
                self.push_new(Object::List(items))?;
            }
            APPEND => {
                let v = self.pop()?;
                self.append(vec![v])?;
            }
            APPENDS => {
                let items = self.pop_mark()?;
                self.append(items)?;
            }
            EMPTY_DICT => self.push_new(Object::Dict(Dict::default()))?,
            DICT => {
                let items = self.pop_mark()?;
                let id = self.alloc(Object::Dict(Dict::default()))?;
                self.set_items(id, items)?;
                self.push(Value::Obj(id))?;
            }
            SETITEM => {
                let items = self.pop_n(2)?;
                let id = self.top_obj("SETITEM")?;
                self.set_items(id, items)?;
            }
            SETITEMS => {
                let items = self.pop_mark()?;
                let id = self.top_obj("SETITEMS")?;
                self.set_items(id, items)?;
            }
            PUT => {
                let Some(Ok(i)) = self.line_with(parse_memo_key)?.map(u64::try_from) else {
                    return malformed("invalid PUT key");
                };
                self.memo_put(i)?;
            }
            BINPUT => {
                let i = self.u8()?;
                self.memo_put(i.into())?;
            }
            LONG_BINPUT => {
                let i = u32::from_le_bytes(self.array()?);
                self.memo_put(i.into())?;
            }
            MEMOIZE => self.memo_put(self.memo.len() as u64)?,
            GET => {
                let Some(Ok(i)) = self.line_with(parse_memo_key)?.map(u64::try_from) else {
                    return malformed("invalid GET key");
                };
                self.memo_get(i)?;
            }
            BINGET => {
                let i = self.u8()?;
                self.memo_get(i.into())?;
            }
            LONG_BINGET => {
                let i = u32::from_le_bytes(self.array()?);
                self.memo_get(i.into())?;
            }
            GLOBAL => {
                let module = self.line_with(|l| String::from_utf8(l.to_vec()).ok())?;
                let name = self.line_with(|l| String::from_utf8(l.to_vec()).ok())?;
                let (Some(module), Some(name)) = (module, name) else {
                    return malformed("GLOBAL names are not UTF-8");
                };
                self.global(&module, &name)?;
            }
            STACK_GLOBAL => {
                let name = self.pop_str("STACK_GLOBAL name")?;
                let module = self.pop_str("STACK_GLOBAL module")?;
                self.global(&module, &name)?;
            }
            REDUCE => {
                let args = self.pop()?;
                let callee = self.pop()?;
                let v = self.reduce(callee, args)?;
                self.push(v)?;
            }
            NEWOBJ => {
                let args = self.pop()?;
                let cls = self.pop()?;
                let v = self.newobj(cls, args)?;
                self.push(v)?;
            }
            BUILD => {
                let state = self.pop()?;
                let target = *self.stack.last().ok_or_else(underflow)?;
                self.build(target, state)?;
            }
            BINPERSID => {
                let pid = self.pop()?;
                let v = self.persistent(pid)?;
                self.push(v)?;
            }
            other => {
                return Err(match opcode_name(other) {
                    Some(name) => Reason::Opcode { name },
                    None => Reason::UnknownOpcode(other),
                });
            }
        }
        Ok(())
    }

    // --- reading ----------------------------------------------------------

    fn take(&mut self, n: usize) -> Step<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Reason::Truncated)?;
        let data: &'a [u8] = self.data;
        let b = data.get(self.pos..end).ok_or(Reason::Truncated)?;
        self.pos = end;
        Ok(b)
    }

    fn array<const N: usize>(&mut self) -> Step<[u8; N]> {
        let b = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    fn u8(&mut self) -> Step<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u64(&mut self) -> Step<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A length field of `width` bytes (1, 4 or 8), little-endian.
    fn size(&mut self, width: usize) -> Step<usize> {
        let n = match width {
            1 => u64::from(self.u8()?),
            4 => u64::from(u32::from_le_bytes(self.array()?)),
            _ => self.u64()?,
        };
        usize::try_from(n).map_err(|_| Reason::Truncated)
    }

    /// A text argument line without its `\n`, parsed.
    fn line_with<T>(&mut self, parse: impl FnOnce(&[u8]) -> T) -> Step<T> {
        let data: &'a [u8] = self.data;
        let rest = data.get(self.pos..).unwrap_or_default();
        let window = rest.get(..rest.len().min(MAX_LINE)).unwrap_or_default();
        let Some(nl) = window.iter().position(|&b| b == b'\n') else {
            return if rest.len() > MAX_LINE {
                malformed(format!("argument line longer than {MAX_LINE} bytes"))
            } else {
                Err(Reason::Truncated)
            };
        };
        self.pos += nl + 1;
        Ok(parse(window.get(..nl).unwrap_or_default()))
    }

    fn text(&mut self, width: usize, bytes: bool) -> Step {
        let n = self.size(width)?;
        let raw = self.take(n)?;
        let obj = if bytes {
            Object::Bytes(raw.to_vec())
        } else {
            match std::str::from_utf8(raw) {
                Ok(s) => Object::Str(s.to_string()),
                Err(_) => return malformed("string is not valid UTF-8"),
            }
        };
        self.push_new(obj)
    }

    fn long_bytes(&mut self, n: usize) -> Step {
        if n > MAX_LONG_BYTES {
            return malformed(format!("integer of {n} bytes, wider than 128 bits"));
        }
        let b = self.take(n)?;
        let negative = b.last().is_some_and(|&x| x & 0x80 != 0);
        let mut buf = [if negative { 0xff } else { 0 }; MAX_LONG_BYTES];
        if let Some(dst) = buf.get_mut(..n) {
            dst.copy_from_slice(b);
        }
        self.push(Value::Int(i128::from_le_bytes(buf)))
    }

    // --- stack, memo, arena --------------------------------------------------

    fn check_stack(&self) -> Step {
        if self.stack.len() + self.marks.len() >= self.lim.max_stack {
            return Err(Reason::LimitExceeded("max_stack"));
        }
        Ok(())
    }

    pub(super) fn push(&mut self, v: Value) -> Step {
        self.check_stack()?;
        self.stack.push(v);
        Ok(())
    }

    fn push_new(&mut self, obj: Object) -> Step {
        let id = self.alloc(obj)?;
        self.push(Value::Obj(id))
    }

    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    pub(super) fn pop(&mut self) -> Step<Value> {
        if self.stack.len() <= self.fence() {
            return Err(underflow());
        }
        self.stack.pop().ok_or_else(underflow)
    }

    fn pop_n(&mut self, n: usize) -> Step<Vec<Value>> {
        let at = self.stack.len().checked_sub(n).ok_or_else(underflow)?;
        if at < self.fence() {
            return Err(underflow());
        }
        Ok(self.stack.split_off(at))
    }

    fn pop_mark(&mut self) -> Step<Vec<Value>> {
        let Some(at) = self.marks.pop() else {
            return malformed("could not find MARK");
        };
        Ok(self.stack.split_off(at.min(self.stack.len())))
    }

    fn pop_str(&mut self, what: &str) -> Step<String> {
        match self.pop()? {
            Value::Obj(id) => match self.objects.get(id.0) {
                Some(Object::Str(s)) => Ok(s.clone()),
                _ => malformed(format!("{what} is not a str")),
            },
            _ => malformed(format!("{what} is not a str")),
        }
    }

    fn top_obj(&self, what: &str) -> Step<ObjId> {
        match self.stack.last() {
            Some(Value::Obj(id)) if self.stack.len() > self.fence() => Ok(*id),
            _ => malformed(format!("{what} target is not a container")),
        }
    }

    fn memo_put(&mut self, i: u64) -> Step {
        let v = *self.stack.last().ok_or_else(underflow)?;
        if self.stack.len() <= self.fence() {
            return Err(underflow());
        }
        if self.memo.len() >= self.lim.max_memo && !self.memo.contains_key(&i) {
            return Err(Reason::LimitExceeded("max_memo"));
        }
        self.memo.insert(i, v);
        Ok(())
    }

    fn memo_get(&mut self, i: u64) -> Step {
        let v = *self
            .memo
            .get(&i)
            .ok_or_else(|| Reason::Malformed(format!("memo key {i} was never put")))?;
        self.push(v)
    }

    /// Charge elements held by containers against the limit.
    pub(super) fn charge(&mut self, elements: usize) -> Step {
        self.elements = self.elements.saturating_add(elements);
        if self.elements > self.lim.max_elements {
            return Err(Reason::LimitExceeded("max_elements"));
        }
        Ok(())
    }

    pub(super) fn alloc(&mut self, obj: Object) -> Step<ObjId> {
        if self.objects.len() >= self.lim.max_objects {
            return Err(Reason::LimitExceeded("max_objects"));
        }
        match &obj {
            Object::Str(s) => self.charge_text(s.len())?,
            Object::Bytes(b) => self.charge_text(b.len())?,
            Object::Tuple(v) | Object::List(v) => self.charge(v.len())?,
            _ => {}
        }
        self.objects.push(obj);
        Ok(ObjId(self.objects.len() - 1))
    }

    fn charge_text(&mut self, n: usize) -> Step {
        self.text_bytes = self.text_bytes.saturating_add(n);
        if self.text_bytes > self.lim.max_text_bytes {
            return Err(Reason::LimitExceeded("max_text_bytes"));
        }
        Ok(())
    }

    // --- containers ----------------------------------------------------------

    fn append(&mut self, items: Vec<Value>) -> Step {
        let id = self.top_obj("APPEND")?;
        self.charge(items.len())?;
        match self.objects.get_mut(id.0) {
            Some(Object::List(list)) => {
                list.extend(items);
                Ok(())
            }
            _ => malformed("APPEND(S) target is not a list"),
        }
    }

    pub(super) fn key(&self, v: Value) -> Step<Key> {
        match v {
            Value::Int(i) => Ok(Key::Int(i)),
            Value::Obj(id) => match self.objects.get(id.0) {
                Some(Object::Str(s)) => Ok(Key::Str(s.clone())),
                _ => malformed("dict key that is not a str or int"),
            },
            _ => malformed("dict key that is not a str or int"),
        }
    }

    pub(super) fn set_items(&mut self, id: ObjId, items: Vec<Value>) -> Step {
        if !items.len().is_multiple_of(2) {
            return malformed("odd number of items for SETITEMS");
        }
        self.charge(items.len() / 2)?;
        let mut pairs = Vec::with_capacity(items.len() / 2);
        for kv in items.chunks_exact(2) {
            if let [k, v] = kv {
                let key = self.key(*k)?;
                // A str key is copied into the entry and the dict's index.
                if let Key::Str(s) = &key {
                    self.charge_text(s.len().saturating_mul(2))?;
                }
                pairs.push((key, *v));
            }
        }
        match self.objects.get_mut(id.0) {
            Some(Object::Dict(d)) => {
                for (k, v) in pairs {
                    d.insert(k, v);
                }
                Ok(())
            }
            _ => malformed("SETITEM(S) target is not a dict"),
        }
    }

    pub(super) fn obj(&self, v: Value) -> Option<&Object> {
        match v {
            Value::Obj(id) => self.objects.get(id.0),
            _ => None,
        }
    }
}

fn underflow() -> Reason {
    Reason::Malformed("unpickling stack underflow".into())
}

fn small(i: Integer) -> Step<i128> {
    match i {
        Integer::Small(v) => Ok(v.into()),
        Integer::Big(_) => malformed("text integer wider than 64 bits"),
    }
}

/// `pickletools` names of the opcodes this evaluator refuses.
fn opcode_name(op: u8) -> Option<&'static str> {
    Some(match op {
        POP => "POP",
        POP_MARK => "POP_MARK",
        DUP => "DUP",
        PERSID => "PERSID",
        STRING => "STRING",
        UNICODE => "UNICODE",
        INST => "INST",
        OBJ => "OBJ",
        EXT1 => "EXT1",
        EXT2 => "EXT2",
        EXT4 => "EXT4",
        EMPTY_SET => "EMPTY_SET",
        ADDITEMS => "ADDITEMS",
        FROZENSET => "FROZENSET",
        NEWOBJ_EX => "NEWOBJ_EX",
        BYTEARRAY8 => "BYTEARRAY8",
        NEXT_BUFFER => "NEXT_BUFFER",
        READONLY_BUFFER => "READONLY_BUFFER",
        _ => return None,
    })
}
