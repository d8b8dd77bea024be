//! Symbolic values: what the unpickler would hold on its stack and in its memo.
//!
//! Scalars and short strings live inline (no allocation per opcode); strings
//! from a slice refer to the input; everything else is an `Rc` node shared by
//! the stack, the memo and containers, as CPython shares objects. Containers
//! keep a bounded number of elements and count the rest.
//!
//! Dropping must never recurse through a deep chain of nodes, so [`Node`]'s
//! `Drop` unlinks children onto an explicit worklist. Cycles (a list appended
//! to itself) are broken by the machine at the end of each stream.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The Python type of a string-like value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `str`, held as UTF-8 where lone surrogates are encoded like other code
    /// points (what `surrogatepass` accepts).
    Str,
    Bytes,
    ByteArray,
}

/// Bytes of a string held inline in a [`Value`].
pub(crate) const SMALL: usize = 21;

#[derive(Clone, Default)]
pub(crate) enum Value {
    #[default]
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Small {
        kind: Kind,
        len: u8,
        buf: [u8; SMALL],
    },
    /// Input bytes `[start, start + len)`, valid as `kind` (zero-copy sources).
    Span {
        kind: Kind,
        start: u64,
        len: u64,
    },
    Node(Rc<Node>),
}

/// Live memory kept by values of one analysis, returned when values die.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    pub(crate) elements: Cell<usize>,
    pub(crate) bytes: Cell<usize>,
}

pub(crate) enum Node {
    Text(Text),
    /// An int that does not fit in i64, rendered.
    BigInt(Box<str>),
    Tuple(Seq),
    FrozenSet(Seq),
    List(RefCell<Seq>),
    Set(RefCell<Seq>),
    Dict(RefCell<Pairs>),
    /// An imported global, by index into the recorded imports.
    Global(usize),
    Result(Box<CallResult>),
    Persistent {
        pid: Value,
        depth: u32,
    },
    Extension(u32),
    /// Something whose value is unknown, named for rendering.
    Opaque(&'static str),
}

/// An owned string value; `bytes` may be a prefix of a longer value.
pub(crate) struct Text {
    pub(crate) kind: Kind,
    pub(crate) len: u64,
    pub(crate) bytes: Box<[u8]>,
    /// Produced by an evaluated call rather than read from the stream.
    pub(crate) computed: bool,
    meter: Rc<Meter>,
}

impl Text {
    pub(crate) fn new(
        kind: Kind,
        len: u64,
        bytes: Vec<u8>,
        computed: bool,
        meter: &Rc<Meter>,
    ) -> Text {
        let m = &meter.bytes;
        m.set(m.get().saturating_add(bytes.len()));
        Text {
            kind,
            len,
            bytes: bytes.into_boxed_slice(),
            computed,
            meter: meter.clone(),
        }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        let m = &self.meter.bytes;
        m.set(m.get().saturating_sub(self.bytes.len()));
    }
}

/// Elements of a tuple, list, set or frozenset: the first ones kept, all counted.
pub(crate) struct Seq {
    pub(crate) items: Vec<Value>,
    pub(crate) total: u64,
    pub(crate) depth: u32,
    /// Holds an element that cannot be hashed (a tuple of it cannot either).
    pub(crate) unhashable: bool,
    /// Registered for cycle breaking.
    pub(crate) tracked: bool,
    pub(crate) meter: Rc<Meter>,
}

pub(crate) struct Pairs {
    pub(crate) items: Vec<(Value, Value)>,
    pub(crate) total: u64,
    pub(crate) depth: u32,
    pub(crate) tracked: bool,
    pub(crate) meter: Rc<Meter>,
}

impl Seq {
    pub(crate) fn new(meter: &Rc<Meter>) -> Self {
        Seq {
            items: Vec::new(),
            total: 0,
            depth: 1,
            unhashable: false,
            tracked: false,
            meter: meter.clone(),
        }
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.items.len() as u64 == self.total
    }

    fn release(&mut self, out: &mut Vec<Value>) {
        let m = &self.meter.elements;
        m.set(m.get().saturating_sub(self.items.len()));
        out.extend(self.items.drain(..).filter(|v| matches!(v, Value::Node(_))));
    }
}

impl Pairs {
    pub(crate) fn new(meter: &Rc<Meter>) -> Self {
        Pairs {
            items: Vec::new(),
            total: 0,
            depth: 1,
            tracked: false,
            meter: meter.clone(),
        }
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.items.len() as u64 == self.total
    }

    fn release(&mut self, out: &mut Vec<Value>) {
        let m = &self.meter.elements;
        m.set(m.get().saturating_sub(self.items.len()));
        for (k, v) in self.items.drain(..) {
            out.extend([k, v].into_iter().filter(|v| matches!(v, Value::Node(_))));
        }
    }
}

impl Drop for Seq {
    fn drop(&mut self) {
        let m = &self.meter.elements;
        m.set(m.get().saturating_sub(self.items.len()));
    }
}

impl Drop for Pairs {
    fn drop(&mut self) {
        let m = &self.meter.elements;
        m.set(m.get().saturating_sub(self.items.len()));
    }
}

/// The value a call returned, when it is not evaluated to something concrete.
pub(crate) struct CallResult {
    /// Index of the recorded call site, if it was recorded.
    pub(crate) call: Option<usize>,
    pub(crate) callee: Value,
    pub(crate) args: Value,
    pub(crate) depth: u32,
    pub(crate) special: Special,
}

/// Results that later opcodes need to know more about.
pub(crate) enum Special {
    None,
    /// `io.BytesIO(b)`: a file whose content is `b`.
    BytesIo(Value),
    /// `numpy.dtype(typestr, ...)` and the state its BUILD gave it.
    Dtype(RefCell<Dtype>),
    /// A joblib `NumpyArrayWrapper` instance.
    Wrapper(RefCell<Wrapper>),
}

pub(crate) struct Dtype {
    pub(crate) typestr: Value,
    pub(crate) state: Option<Value>,
}

/// Attributes of a joblib array wrapper that decide how many bytes follow.
#[derive(Default)]
pub(crate) struct Wrapper {
    pub(crate) shape: Option<Value>,
    pub(crate) dtype: Option<Value>,
    /// `numpy_array_alignment_bytes`; `None` when the attribute is absent.
    pub(crate) alignment: Option<Value>,
    /// Attributes may have been set in a way the machine cannot follow.
    pub(crate) unknown: Option<&'static str>,
}

impl Special {
    fn release(&mut self, out: &mut Vec<Value>) {
        match self {
            Special::None => {}
            Special::BytesIo(v) => out.push(std::mem::take(v)),
            Special::Dtype(d) => {
                let d = d.get_mut();
                out.push(std::mem::take(&mut d.typestr));
                out.extend(d.state.take());
            }
            Special::Wrapper(w) => {
                let w = w.get_mut();
                out.extend(
                    [w.shape.take(), w.dtype.take(), w.alignment.take()]
                        .into_iter()
                        .flatten(),
                );
            }
        }
    }
}

impl Node {
    /// Move every child out, onto `out`.
    fn release(&mut self, out: &mut Vec<Value>) {
        match self {
            Node::Tuple(s) | Node::FrozenSet(s) => s.release(out),
            Node::List(s) | Node::Set(s) => s.get_mut().release(out),
            Node::Dict(p) => p.get_mut().release(out),
            Node::Result(r) => {
                out.push(std::mem::take(&mut r.callee));
                out.push(std::mem::take(&mut r.args));
                r.special.release(out);
            }
            Node::Persistent { pid, .. } => out.push(std::mem::take(pid)),
            Node::Text(_)
            | Node::BigInt(_)
            | Node::Global(_)
            | Node::Extension(_)
            | Node::Opaque(_) => {}
        }
    }

    /// Unlink the children of a shared mutable node (cycle breaking).
    pub(crate) fn release_shared(&self, out: &mut Vec<Value>) {
        match self {
            Node::List(s) | Node::Set(s) => {
                if let Ok(mut s) = s.try_borrow_mut() {
                    s.release(out);
                }
            }
            Node::Dict(p) => {
                if let Ok(mut p) = p.try_borrow_mut() {
                    p.release(out);
                }
            }
            Node::Result(r) => match &r.special {
                Special::Dtype(d) => {
                    if let Ok(mut d) = d.try_borrow_mut() {
                        out.extend(d.state.take());
                    }
                }
                Special::Wrapper(w) => {
                    if let Ok(mut w) = w.try_borrow_mut() {
                        out.extend(
                            [w.shape.take(), w.dtype.take(), w.alignment.take()]
                                .into_iter()
                                .flatten(),
                        );
                    }
                }
                Special::None | Special::BytesIo(_) => {}
            },
            _ => {}
        }
    }

    pub(crate) fn depth(&self) -> u32 {
        match self {
            Node::Tuple(s) | Node::FrozenSet(s) => s.depth,
            Node::List(s) | Node::Set(s) => s.try_borrow().map_or(1, |s| s.depth),
            Node::Dict(p) => p.try_borrow().map_or(1, |p| p.depth),
            Node::Result(r) => r.depth,
            Node::Persistent { depth, .. } => *depth,
            Node::Text(_)
            | Node::BigInt(_)
            | Node::Global(_)
            | Node::Extension(_)
            | Node::Opaque(_) => 1,
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        self.release(&mut pending);
        drop_all(pending);
    }
}

/// Drop values without recursing: a node whose last owner is here has its
/// children moved onto the worklist before it is freed.
pub(crate) fn drop_all(mut pending: Vec<Value>) {
    while let Some(v) = pending.pop() {
        if let Value::Node(rc) = v
            && let Some(mut node) = Rc::into_inner(rc)
        {
            node.release(&mut pending);
        }
    }
}

/// A view of a string-like value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextRef<'a> {
    pub(crate) kind: Kind,
    /// The bytes held: all of them, or a prefix.
    pub(crate) bytes: &'a [u8],
    /// Length of the whole value in bytes.
    pub(crate) len: u64,
}

impl TextRef<'_> {
    pub(crate) fn complete(&self) -> bool {
        self.bytes.len() as u64 == self.len
    }
}

/// Resolves [`Value::Span`]s against the input.
pub(crate) trait Spans {
    fn span(&self, start: u64, len: u64) -> Option<&[u8]>;
}

impl Value {
    pub(crate) fn node(n: Node) -> Value {
        Value::Node(Rc::new(n))
    }

    /// A short string inline, if it fits.
    pub(crate) fn small(kind: Kind, bytes: &[u8]) -> Option<Value> {
        let mut buf = [0u8; SMALL];
        buf.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(Value::Small {
            kind,
            len: bytes.len() as u8,
            buf,
        })
    }

    pub(crate) fn depth(&self) -> u32 {
        match self {
            Value::Node(n) => n.depth(),
            _ => 0,
        }
    }

    pub(crate) fn as_node(&self) -> Option<&Node> {
        match self {
            Value::Node(n) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn text<'a>(&'a self, spans: &'a dyn Spans) -> Option<TextRef<'a>> {
        match self {
            Value::Small { kind, len, buf } => Some(TextRef {
                kind: *kind,
                bytes: buf.get(..*len as usize)?,
                len: u64::from(*len),
            }),
            Value::Span { kind, start, len } => Some(TextRef {
                kind: *kind,
                bytes: spans.span(*start, *len)?,
                len: *len,
            }),
            Value::Node(n) => match &**n {
                Node::Text(t) => Some(TextRef {
                    kind: t.kind,
                    bytes: &t.bytes,
                    len: t.len,
                }),
                _ => None,
            },
            _ => None,
        }
    }

    /// The complete text of a `str`, if this is one that is held whole.
    pub(crate) fn str_whole<'a>(&'a self, spans: &'a dyn Spans) -> Option<&'a [u8]> {
        self.text(spans)
            .filter(|t| t.kind == Kind::Str && t.complete())
            .map(|t| t.bytes)
    }

    /// Whether hashing this value certainly raises TypeError.
    pub(crate) fn unhashable(&self) -> bool {
        match self {
            Value::Small { kind, .. } | Value::Span { kind, .. } => *kind == Kind::ByteArray,
            Value::Node(n) => match &**n {
                Node::Tuple(s) => s.unhashable,
                Node::Text(t) => t.kind == Kind::ByteArray,
                Node::List(_) | Node::Set(_) | Node::Dict(_) => true,
                _ => false,
            },
            _ => false,
        }
    }

    pub(crate) fn global(&self) -> Option<usize> {
        match self.as_node() {
            Some(Node::Global(i)) => Some(*i),
            _ => None,
        }
    }

    pub(crate) fn result(&self) -> Option<&CallResult> {
        match self.as_node() {
            Some(Node::Result(r)) => Some(r),
            _ => None,
        }
    }

    /// What Python type this value certainly is, when it is known.
    pub(crate) fn known_type(&self) -> Option<PyType> {
        Some(match self {
            Value::None => PyType::None,
            Value::Bool(_) => PyType::Bool,
            Value::Int(_) => PyType::Int,
            Value::Float(_) => PyType::Float,
            Value::Small { kind, .. } | Value::Span { kind, .. } => PyType::from(*kind),
            Value::Node(n) => match &**n {
                Node::Text(t) => PyType::from(t.kind),
                Node::BigInt(_) => PyType::Int,
                Node::Tuple(_) => PyType::Tuple,
                Node::FrozenSet(_) => PyType::FrozenSet,
                Node::List(_) => PyType::List,
                Node::Set(_) => PyType::Set,
                Node::Dict(_) => PyType::Dict,
                Node::Global(_)
                | Node::Result(_)
                | Node::Persistent { .. }
                | Node::Extension(_)
                | Node::Opaque(_) => {
                    return None;
                }
            },
        })
    }
}

/// Python types the machine can be sure of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PyType {
    None,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    ByteArray,
    Tuple,
    List,
    Dict,
    Set,
    FrozenSet,
}

impl From<Kind> for PyType {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Str => PyType::Str,
            Kind::Bytes => PyType::Bytes,
            Kind::ByteArray => PyType::ByteArray,
        }
    }
}

impl PyType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            PyType::None => "NoneType",
            PyType::Bool => "bool",
            PyType::Int => "int",
            PyType::Float => "float",
            PyType::Str => "str",
            PyType::Bytes => "bytes",
            PyType::ByteArray => "bytearray",
            PyType::Tuple => "tuple",
            PyType::List => "list",
            PyType::Dict => "dict",
            PyType::Set => "set",
            PyType::FrozenSet => "frozenset",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_small() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert!(std::mem::size_of::<Node>() <= 64);
    }

    #[test]
    fn dropping_a_deep_chain_does_not_recurse() {
        let meter = Rc::new(Meter::default());
        let mut v = Value::None;
        for _ in 0..1_000_000 {
            let mut s = Seq::new(&meter);
            s.items.push(v);
            v = Value::node(Node::Tuple(s));
        }
        drop(v);
    }
}
