//! Strict reconstruction of tensor checkpoints: a second, separate evaluator
//! that builds real values, for converting a PyTorch pickle to safetensors.
//!
//! The symbolic machine (the rest of this crate) follows every opcode and
//! keeps bounded summaries, because it judges. This one instead *builds* the
//! object a `torch.load` would return, but only out of plain values (None,
//! bools, ints, floats, str, bytes, tuples, lists, dicts) and an exact
//! allowlist of callables ([`Global`]): `collections.OrderedDict`, torch's
//! tensor and parameter rebuilds, the storage classes, dtypes and
//! `torch.device`. Calling anything else, or any opcode a tensor checkpoint
//! does not need, refuses the whole pickle with the offset and the reason
//! ([`Refusal`]). Nothing is imported or run: a "call" of an allowlisted
//! callable is a few lines of Rust that build a [`Tensor`] or a dict.
//!
//! It reuses the crate's opcode table and text-argument parsers; the reader
//! is a plain cursor over the bytes in memory (a checkpoint's pickle is
//! small; the tensor data lives outside it and is never read here).
//!
//! Hostile input: every limit is a named field of [`Limits`] with a named
//! default; values live in one arena (`Vec<Object>`) and refer to each other
//! by index, so cycles, sharing and deep nesting cost no recursion, neither
//! here nor when dropping. Integers beyond 128 bits are refused.

mod calls;
mod eval;
#[cfg(test)]
mod tests;

/// Opcodes executed.
pub const MAX_OPCODES: u64 = 1 << 28;
/// Memo entries.
pub const MAX_MEMO: usize = 1 << 22;
/// Values plus marks on the stack.
pub const MAX_STACK: usize = 1 << 20;
/// Objects (strings, containers, tensors, ...) built.
pub const MAX_OBJECTS: usize = 1 << 22;
/// Elements held across all containers (each a 32-byte value).
pub const MAX_ELEMENTS: usize = 1 << 22;
/// Bytes held across all str and bytes values, dict keys counted again for
/// their copies in the dict.
pub const MAX_TEXT_BYTES: usize = 64 << 20;
/// Dimensions of one tensor.
pub const MAX_DIMS: usize = 64;

/// Named limits; exceeding one refuses with [`Reason::LimitExceeded`].
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_opcodes: u64,
    pub max_memo: usize,
    pub max_stack: usize,
    pub max_objects: usize,
    pub max_elements: usize,
    pub max_text_bytes: usize,
    pub max_dims: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_opcodes: MAX_OPCODES,
            max_memo: MAX_MEMO,
            max_stack: MAX_STACK,
            max_objects: MAX_OBJECTS,
            max_elements: MAX_ELEMENTS,
            max_text_bytes: MAX_TEXT_BYTES,
            max_dims: MAX_DIMS,
        }
    }
}

/// Index of an [`Object`] in [`Rebuilt::objects`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjId(pub usize);

/// A value: scalars inline, everything else in the arena.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    Obj(ObjId),
}

/// Element types of torch storages that safetensors can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageDtype {
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

impl StorageDtype {
    /// Bytes per element.
    pub fn size(self) -> u64 {
        match self {
            StorageDtype::F64 | StorageDtype::I64 => 8,
            StorageDtype::F32 | StorageDtype::I32 => 4,
            StorageDtype::F16 | StorageDtype::BF16 | StorageDtype::I16 => 2,
            StorageDtype::I8 | StorageDtype::U8 | StorageDtype::Bool => 1,
        }
    }

    /// torch's name (`float32`), for messages and metadata.
    pub fn torch_name(self) -> &'static str {
        match self {
            StorageDtype::F64 => "float64",
            StorageDtype::F32 => "float32",
            StorageDtype::F16 => "float16",
            StorageDtype::BF16 => "bfloat16",
            StorageDtype::I64 => "int64",
            StorageDtype::I32 => "int32",
            StorageDtype::I16 => "int16",
            StorageDtype::I8 => "int8",
            StorageDtype::U8 => "uint8",
            StorageDtype::Bool => "bool",
        }
    }
}

/// The allowlisted globals, as the pickle names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Global {
    /// `collections.OrderedDict`
    OrderedDict,
    /// `torch._utils._rebuild_tensor_v2`
    RebuildTensorV2,
    /// `torch._utils._rebuild_tensor`
    RebuildTensor,
    /// `torch._utils._rebuild_parameter`
    RebuildParameter,
    /// `torch._utils._rebuild_parameter_with_state`
    RebuildParameterWithState,
    /// `torch.FloatStorage` and the other typed storage classes
    /// (`torch.UntypedStorage` holds bytes: `U8`).
    StorageClass(StorageDtype),
    /// `torch.float32` and the other dtypes.
    Dtype(StorageDtype),
    /// `torch.device`
    Device,
}

/// A storage as a persistent id names it; its bytes live outside the pickle
/// (`data/KEY` in a zip checkpoint, after the pickles in a legacy file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Storage {
    pub dtype: StorageDtype,
    pub key: String,
    pub location: String,
    /// Elements of `dtype` the storage holds.
    pub numel: u64,
}

/// A tensor: a view of a storage. Sizes, strides and offset are in elements;
/// strides are never negative (refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tensor {
    /// An [`Object::Storage`].
    pub storage: ObjId,
    pub offset: u64,
    pub size: Vec<u64>,
    pub stride: Vec<u64>,
    pub requires_grad: bool,
}

/// A dict key: str or int (other keys are refused).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Str(String),
    Int(i128),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Str(s) => f.write_str(s),
            Key::Int(i) => write!(f, "{i}"),
        }
    }
}

/// A dict in insertion order (assigning an existing key replaces its value in
/// place, as in Python).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dict {
    /// `collections.OrderedDict` rather than a plain dict.
    pub ordered: bool,
    pub entries: Vec<(Key, Value)>,
    /// Attributes set by BUILD (an OrderedDict's `_metadata`), not kept.
    pub attributes_dropped: usize,
    index: std::collections::HashMap<Key, usize>,
}

impl Dict {
    pub(crate) fn insert(&mut self, key: Key, value: Value) {
        match self.index.get(&key) {
            Some(&i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    slot.1 = value;
                }
            }
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }
}

/// Everything a value can refer to.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Dict),
    Global(Global),
    Storage(Storage),
    Tensor(Tensor),
    /// A `torch.device` by its description (`cpu`, `cuda:0`).
    Device(String),
}

/// A reconstructed pickle.
#[derive(Clone, Debug)]
pub struct Rebuilt {
    pub root: Value,
    pub objects: Vec<Object>,
    /// Offset just past STOP.
    pub end: u64,
    /// Protocol announced by PROTO (0 when absent).
    pub protocol: u8,
}

impl Rebuilt {
    pub fn get(&self, id: ObjId) -> Option<&Object> {
        self.objects.get(id.0)
    }
}

/// Why a pickle was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// An opcode a tensor checkpoint never needs.
    #[error("opcode {name} is not allowed in a tensor checkpoint")]
    Opcode { name: &'static str },
    /// A byte that is no pickle opcode.
    #[error("unknown opcode 0x{0:02x}")]
    UnknownOpcode(u8),
    /// A global outside the allowlist.
    #[error("global {module}.{name} is not an allowlisted tensor rebuild")]
    Global { module: String, name: String },
    /// A call (REDUCE/NEWOBJ) of something that may not be called so.
    #[error("{0}")]
    Call(String),
    /// BUILD on anything but an OrderedDict with a dict state.
    #[error("BUILD {0}")]
    Build(String),
    /// A persistent id that is not a storage reference.
    #[error("persistent id {0}")]
    PersistentId(String),
    /// A value of the wrong type or form for its opcode.
    #[error("{0}")]
    Malformed(String),
    /// The input ends inside the pickle.
    #[error("pickle data was truncated")]
    Truncated,
    /// A named limit of [`Limits`].
    #[error("limit {0} exceeded")]
    LimitExceeded(&'static str),
}

/// A refusal and the offset of the opcode that caused it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (at offset {offset})")]
pub struct Refusal {
    pub offset: u64,
    pub reason: Reason,
}

/// Rebuild the pickle at the start of `data`, stopping at its STOP.
pub fn rebuild(data: &[u8], limits: &Limits) -> Result<Rebuilt, Refusal> {
    eval::Eval::new(data, limits).run()
}
