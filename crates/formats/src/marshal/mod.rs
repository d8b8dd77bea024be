//! Python `marshal` data, read only far enough to say what a code object uses.
//!
//! Keras stores a `Lambda` layer's function as `marshal.dumps(fn.__code__)`,
//! base64-encoded. Loading it runs that bytecode; this reader lists the names
//! (`co_names`), string constants and nested code objects without running
//! anything, so that a reviewer (and the scanner) can see `os`, `system` and
//! `'curl … | sh'` in a layer that claims to be a shape helper.
//!
//! The code-object layout changed across Python versions and the file does not
//! say which one wrote it, so [`read_code`] tries the 3.11+ layout, then
//! 3.8–3.10, then 3.0–3.7, and keeps the first that reads the whole input.
//! Limits: [`MAX_INPUT`], [`MAX_OBJECTS`], [`MAX_DEPTH`], [`MAX_ITEMS`],
//! [`MAX_STRING`]; past any of them reading stops with an error.

use std::collections::HashSet;
use std::rc::Rc;

/// Largest marshal input read.
pub const MAX_INPUT: usize = 8 << 20;
/// Objects decoded in one input (also bounds the reference table).
pub const MAX_OBJECTS: usize = 200_000;
/// Nesting of containers and code objects.
pub const MAX_DEPTH: u32 = 64;
/// Items a tuple, list, set or dict may claim.
pub const MAX_ITEMS: usize = 1 << 20;
/// Length a str or bytes object may claim.
pub const MAX_STRING: usize = 4 << 20;

const FLAG_REF: u8 = 0x80;

/// Why marshal data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarshalError {
    #[error("marshal data ends early")]
    Truncated,
    #[error("unknown marshal type {0:#04x} at {1}")]
    UnknownType(u8, usize),
    #[error("invalid marshal data: {0}")]
    Invalid(&'static str),
    #[error("marshal limit '{0}' exceeded")]
    Limit(&'static str),
    #[error("not a code object")]
    NotCode,
}

/// A decoded object, as much as code inspection needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Null,
    None,
    Bool(bool),
    Int(i64),
    /// An integer too large for i64 (its digits are not kept).
    BigInt,
    Float(f64),
    Bytes(Rc<[u8]>),
    Str(Rc<str>),
    Seq(Rc<Vec<Obj>>),
    Dict(Rc<Vec<(Obj, Obj)>>),
    Code(Rc<Code>),
    /// StopIteration, Ellipsis, complex numbers.
    Other,
}

/// The parts of a code object that say what it does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Code {
    pub name: String,
    pub filename: String,
    /// `co_names`: globals, attributes and imports the bytecode refers to.
    pub names: Vec<String>,
    /// Local and argument names.
    pub varnames: Vec<String>,
    pub consts: Vec<Obj>,
    /// Raw bytecode length.
    pub code_len: usize,
}

impl Code {
    /// Every `co_names` entry of this code and the code objects nested in its
    /// constants, in order, without repeats (at most [`MAX_WALK`] visited).
    pub fn all_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        self.walk(&mut |c| {
            for n in &c.names {
                if out.len() < MAX_WALK && seen.insert(n.clone()) {
                    out.push(n.clone());
                }
            }
        });
        out
    }

    /// Every str constant (and bytes constant, lossily) of this code and its
    /// nested code objects, without repeats (at most [`MAX_WALK`] visited).
    pub fn all_strings(&self) -> Vec<String> {
        let mut out = Strings::default();
        let mut budget = MAX_WALK;
        self.walk(&mut |c| {
            for k in &c.consts {
                collect_strings(k, &mut out, &mut budget, 0);
            }
        });
        out.list
    }

    /// Visit this code and nested code objects; references can repeat an
    /// object many times, so visits are budgeted, not the input.
    fn walk(&self, f: &mut dyn FnMut(&Code)) {
        let mut stack: Vec<&Code> = vec![self];
        let mut budget = MAX_WALK;
        while let Some(c) = stack.pop() {
            f(c);
            for k in &c.consts {
                push_codes(k, &mut stack, &mut budget, 0);
            }
        }
    }
}

/// Objects visited when listing what code uses.
pub const MAX_WALK: usize = 100_000;

fn push_codes<'a>(o: &'a Obj, stack: &mut Vec<&'a Code>, budget: &mut usize, depth: u32) {
    if depth > MAX_DEPTH || *budget == 0 {
        return;
    }
    *budget -= 1;
    match o {
        Obj::Code(c) => stack.push(c),
        Obj::Seq(items) => items
            .iter()
            .for_each(|i| push_codes(i, stack, budget, depth + 1)),
        _ => {}
    }
}

#[derive(Default)]
struct Strings {
    list: Vec<String>,
    seen: HashSet<String>,
}

fn collect_strings(o: &Obj, out: &mut Strings, budget: &mut usize, depth: u32) {
    if depth > MAX_DEPTH || *budget == 0 {
        return;
    }
    *budget -= 1;
    let s = match o {
        Obj::Str(s) => s.to_string(),
        Obj::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Obj::Seq(items) => {
            items
                .iter()
                .for_each(|i| collect_strings(i, out, budget, depth + 1));
            return;
        }
        _ => return,
    };
    if out.seen.insert(s.clone()) {
        out.list.push(s);
    }
}

/// Code-object layouts, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Python 3.11 and later (`co_qualname`, `co_exceptiontable`).
    Py311,
    /// Python 3.8–3.10 (`co_posonlyargcount`, separate varnames).
    Py38,
    /// Python 3.0–3.7.
    Py30,
}

/// Read `data` as one marshalled code object, trying each layout.
pub fn read_code(data: &[u8]) -> Result<(Layout, Rc<Code>), MarshalError> {
    if data.len() > MAX_INPUT {
        return Err(MarshalError::Limit("MAX_INPUT"));
    }
    let mut first_err = None;
    for layout in [Layout::Py311, Layout::Py38, Layout::Py30] {
        let mut r = Reader {
            data,
            pos: 0,
            refs: Vec::new(),
            objects: 0,
            layout,
        };
        match r.object(0) {
            Ok(Obj::Code(c)) if r.pos == data.len() => return Ok((layout, c)),
            Ok(_) if r.pos == data.len() => {
                first_err.get_or_insert(MarshalError::NotCode);
            }
            Ok(_) => {
                first_err.get_or_insert(MarshalError::Invalid("trailing bytes"));
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or(MarshalError::NotCode))
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    refs: Vec<Obj>,
    objects: usize,
    layout: Layout,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], MarshalError> {
        let end = self.pos.checked_add(n).ok_or(MarshalError::Truncated)?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or(MarshalError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, MarshalError> {
        Ok(*self.take(1)?.first().ok_or(MarshalError::Truncated)?)
    }

    fn i32(&mut self) -> Result<i32, MarshalError> {
        let b = self.take(4)?;
        let a: [u8; 4] = b.try_into().map_err(|_| MarshalError::Truncated)?;
        Ok(i32::from_le_bytes(a))
    }

    /// A non-negative length, bounded by `max` and by the bytes left when
    /// each item takes at least `min_item` bytes.
    fn len(&mut self, max: usize, min_item: usize) -> Result<usize, MarshalError> {
        let n = self.i32()?;
        let n = usize::try_from(n).map_err(|_| MarshalError::Invalid("negative size"))?;
        if n > max {
            return Err(MarshalError::Limit("MAX_ITEMS/MAX_STRING"));
        }
        let left = self.data.len().saturating_sub(self.pos);
        if n.saturating_mul(min_item) > left {
            return Err(MarshalError::Truncated);
        }
        Ok(n)
    }

    fn object(&mut self, depth: u32) -> Result<Obj, MarshalError> {
        if depth > MAX_DEPTH {
            return Err(MarshalError::Limit("MAX_DEPTH"));
        }
        self.objects += 1;
        if self.objects > MAX_OBJECTS {
            return Err(MarshalError::Limit("MAX_OBJECTS"));
        }
        let at = self.pos;
        let code = self.u8()?;
        let flag = code & FLAG_REF != 0;
        let ty = code & !FLAG_REF;
        // Containers and code reserve their reference slot before their items.
        let slot = if flag {
            self.refs.push(Obj::Null);
            Some(self.refs.len() - 1)
        } else {
            None
        };
        let obj = match ty {
            b'0' => Obj::Null,
            b'N' => Obj::None,
            b'F' => Obj::Bool(false),
            b'T' => Obj::Bool(true),
            b'S' | b'.' => Obj::Other,
            b'i' => Obj::Int(i64::from(self.i32()?)),
            b'l' => {
                let n = self.i32()?;
                let digits = usize::try_from(n.unsigned_abs())
                    .map_err(|_| MarshalError::Invalid("long size"))?;
                if digits > MAX_STRING / 2 {
                    return Err(MarshalError::Limit("MAX_STRING"));
                }
                self.take(digits.checked_mul(2).ok_or(MarshalError::Truncated)?)?;
                Obj::BigInt
            }
            b'g' => {
                let b = self.take(8)?;
                let a: [u8; 8] = b.try_into().map_err(|_| MarshalError::Truncated)?;
                Obj::Float(f64::from_le_bytes(a))
            }
            b'y' => {
                self.take(16)?;
                Obj::Other
            }
            b'f' => {
                let n = usize::from(self.u8()?);
                self.take(n)?;
                Obj::Other
            }
            b'x' => {
                let n = usize::from(self.u8()?);
                self.take(n)?;
                let n = usize::from(self.u8()?);
                self.take(n)?;
                Obj::Other
            }
            b's' => {
                let n = self.len(MAX_STRING, 1)?;
                Obj::Bytes(Rc::from(self.take(n)?))
            }
            b't' | b'u' | b'a' | b'A' => {
                let n = self.len(MAX_STRING, 1)?;
                let b = self.take(n)?;
                Obj::Str(Rc::from(String::from_utf8_lossy(b).as_ref()))
            }
            b'z' | b'Z' => {
                let n = usize::from(self.u8()?);
                let b = self.take(n)?;
                Obj::Str(Rc::from(String::from_utf8_lossy(b).as_ref()))
            }
            b'r' => {
                let i = usize::try_from(self.i32()?)
                    .map_err(|_| MarshalError::Invalid("negative reference"))?;
                return self
                    .refs
                    .get(i)
                    .cloned()
                    .ok_or(MarshalError::Invalid("reference to an unknown object"));
            }
            b'(' | b'[' | b'<' | b'>' => {
                let n = self.len(MAX_ITEMS, 1)?;
                self.seq(n, depth)?
            }
            b')' => {
                let n = usize::from(self.u8()?);
                self.seq(n, depth)?
            }
            b'{' => {
                let mut pairs = Vec::new();
                loop {
                    let k = self.object(depth + 1)?;
                    if k == Obj::Null {
                        break;
                    }
                    let v = self.object(depth + 1)?;
                    if pairs.len() >= MAX_ITEMS {
                        return Err(MarshalError::Limit("MAX_ITEMS"));
                    }
                    pairs.push((k, v));
                }
                Obj::Dict(Rc::new(pairs))
            }
            b'c' => Obj::Code(Rc::new(self.code(depth)?)),
            _ => return Err(MarshalError::UnknownType(code, at)),
        };
        if let Some(i) = slot
            && let Some(r) = self.refs.get_mut(i)
        {
            *r = obj.clone();
        }
        Ok(obj)
    }

    fn seq(&mut self, n: usize, depth: u32) -> Result<Obj, MarshalError> {
        let mut items = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            items.push(self.object(depth + 1)?);
        }
        Ok(Obj::Seq(Rc::new(items)))
    }

    fn strings(o: &Obj) -> Vec<String> {
        match o {
            Obj::Seq(items) => items
                .iter()
                .filter_map(|i| match i {
                    Obj::Str(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn text(o: &Obj) -> String {
        match o {
            Obj::Str(s) => s.to_string(),
            _ => String::new(),
        }
    }

    fn code(&mut self, depth: u32) -> Result<Code, MarshalError> {
        let ints = match self.layout {
            Layout::Py311 => 5,
            Layout::Py38 => 6,
            Layout::Py30 => 5,
        };
        for _ in 0..ints {
            self.i32()?;
        }
        let code = self.object(depth + 1)?;
        let Obj::Bytes(bytecode) = &code else {
            return Err(MarshalError::Invalid("co_code is not bytes"));
        };
        let code_len = bytecode.len();
        let consts = self.object(depth + 1)?;
        let names = self.object(depth + 1)?;
        let varnames = self.object(depth + 1)?;
        // Every field has one type in a real code object; checking them all
        // keeps a wrong layout guess from reading a prefix "successfully".
        let invalid = MarshalError::Invalid("field types do not match this layout");
        let tuple = |o: &Obj| matches!(o, Obj::Seq(_));
        let text = |o: &Obj| matches!(o, Obj::Str(_));
        let raw = |o: &Obj| matches!(o, Obj::Bytes(_));
        if !tuple(&varnames) {
            return Err(invalid);
        }
        if matches!(self.layout, Layout::Py311) {
            // co_localspluskinds
            if !raw(&self.object(depth + 1)?) {
                return Err(invalid);
            }
        } else {
            // co_freevars, co_cellvars
            for _ in 0..2 {
                if !tuple(&self.object(depth + 1)?) {
                    return Err(invalid);
                }
            }
        }
        let filename = self.object(depth + 1)?;
        let name = self.object(depth + 1)?;
        if !text(&filename) || !text(&name) {
            return Err(invalid);
        }
        if matches!(self.layout, Layout::Py311) && !text(&self.object(depth + 1)?) {
            return Err(invalid); // co_qualname
        }
        self.i32()?; // co_firstlineno
        if !raw(&self.object(depth + 1)?) {
            return Err(invalid); // co_lnotab / co_linetable
        }
        if matches!(self.layout, Layout::Py311) && !raw(&self.object(depth + 1)?) {
            return Err(invalid); // co_exceptiontable
        }
        let consts = match consts {
            Obj::Seq(items) => Rc::try_unwrap(items).unwrap_or_else(|rc| (*rc).clone()),
            _ => return Err(MarshalError::Invalid("co_consts is not a tuple")),
        };
        if !matches!(names, Obj::Seq(_)) {
            return Err(MarshalError::Invalid("co_names is not a tuple"));
        }
        Ok(Code {
            name: Self::text(&name),
            filename: Self::text(&filename),
            names: Self::strings(&names),
            varnames: Self::strings(&varnames),
            consts,
            code_len,
        })
    }
}

#[cfg(test)]
mod tests;
