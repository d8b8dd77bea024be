//! A symbolic pickle machine.
//!
//! It follows CPython's `_pickle.c` unpickler for protocols 0–5 opcode by
//! opcode — stack, mark stack, memo, frames — but executes nothing: a global is
//! a name, a call is a record of who would be called with what. The output,
//! [`Analysis`], lists every import with how it is used, every call site with
//! its offset and rendered arguments, and every anomaly. Judging what is safe is
//! the caller's job (the policy lives in `aigis-scan`).
//!
//! Hostile input: every limit is a named constant in [`Limits`]; memory stays
//! bounded whatever lengths the input claims; no panics; no recursion
//! without a bound (values are dropped through a worklist, rendering stops at
//! a character budget and a depth).
//!
//! Beyond executing nothing, the machine evaluates a few known pure decoders
//! (`base64`, `binascii`, `codecs`, `bytes`, `zlib`) on concrete arguments,
//! so that a payload wrapped in them becomes concrete bytes, and it follows
//! joblib's raw array data when asked to ([`Options::joblib_arrays`]).
//!
//! # Known deviations from CPython
//!
//! - Frames are followed as `pickle.loads` does (the C unpickler reading from
//!   memory): a read that crosses the end of a frame simply goes on, and is
//!   recorded as [`AnomalyKind::FrameStraddle`]. (The C unpickler reading a
//!   file may drop the rest of the frame; `pickle.py` raises.)
//! - CPython reads a whole frame at its FRAME and fails there if the input is
//!   shorter. The machine learns the input length only when reading reaches
//!   it (or at a STOP inside the frame): it then reports
//!   [`Stop::Truncated`] at the FRAME, but may have recorded imports and calls
//!   in between that CPython never reached. A streaming reader in
//!   multi-stream mode looks at most [`Limits::max_set_aside`] bytes past a
//!   STOP to confirm a frame, and otherwise stops with
//!   [`Stop::LimitExceeded`].
//! - Python 2 strings (STRING, BINSTRING, SHORT_BINSTRING) become `str` as
//!   with `encoding='latin1'`; the default `'ASCII'` would reject non-ASCII.
//! - Decimal strings over 4300 digits are accepted (CPython 3.11 rejects them
//!   by default; older versions do not).
//! - A `persistent_load` is assumed (PyTorch has one); NEXT_BUFFER yields an
//!   opaque buffer and EXT codes an opaque object, with an anomaly, where
//!   CPython without `buffers` or a registered extension would raise.
//! - A PUT to a huge index is stored sparsely (CPython grows an array to the
//!   index and may raise MemoryError).
//! - Errors that depend on values the machine does not know (calling a call
//!   result that is not callable, hashing one, BUILD on an object without
//!   `__dict__`) are not reported; errors on values of known type are
//!   ([`Stop::Malformed`]). Item assignment on a list or bytearray is
//!   accepted without changing the list.
//! - Dotted names are kept at every protocol (CPython resolves them only from
//!   protocol 4; below, the import fails).
//! - joblib reads its files with the pure-Python `pickle._Unpickler`; the
//!   machine parses opcodes as the C unpickler does (they differ on a few
//!   malformed text arguments) and follows Python's frames around array reads.
//! - Multi-stream resynchronisation is a heuristic of this crate, not CPython
//!   behaviour; a streaming reader can rewind only [`Limits::max_rewind`] bytes to retry.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod compat;
mod decode;
mod driver;
pub mod limits;
mod machine;
mod memo;
mod opcode;
pub mod rebuild;
mod record;
mod render;
mod source;
mod text;
mod value;

use source::{ReaderSource, SliceSource};

/// Run the machine over a pickle held in memory (an mmapped file): string
/// values refer to the input, so large payloads are never copied.
pub fn analyze(data: &[u8], opts: &Options<'_>) -> Analysis {
    driver::run(SliceSource::new(data), opts)
}

/// Run the machine over a stream (a decompressed joblib file, say) without
/// buffering it: long strings are read in chunks and only a bounded prefix is
/// kept. Gives the same analysis as [`analyze`] on the same bytes, except
/// where the crate docs say otherwise (rewinding for resynchronisation is
/// bounded; a FRAME is confirmed to exist only up to a few MiB ahead).
pub fn analyze_reader<R: std::io::Read>(r: R, opts: &Options<'_>) -> Analysis {
    driver::run(ReaderSource::new(r, opts.limits.max_rewind), opts)
}

// ---------------------------------------------------------------------------
// PUBLIC CONTRACT (used by aigis-scan). Implementation lives in submodules.
// ---------------------------------------------------------------------------

/// Named limits. Exceeding one stops analysis with [`Stop::LimitExceeded`].
#[derive(Clone, Debug)]
pub struct Limits {
    /// Opcodes executed across all streams of one input.
    pub max_opcodes: u64,
    /// Entries in the memo.
    pub max_memo: usize,
    /// Depth of the value stack plus the mark stack.
    pub max_stack: usize,
    /// Nesting depth of symbolic values (tuples in tuples ...).
    pub max_value_depth: usize,
    /// Elements kept per container; the rest are counted, not stored.
    pub max_container_kept: usize,
    /// Bytes of one string/bytes argument that are kept (longer ones keep a
    /// prefix): a captured payload, a decoded value, a string copied from a
    /// reader.
    pub max_capture: usize,
    /// Total bytes kept across all captured values ([`CallSite::payloads`]).
    pub max_capture_total: usize,
    /// Characters of one rendered argument list in a [`CallSite`].
    pub max_render: usize,
    /// Pickle streams in one input (multi-stream mode).
    pub max_streams: usize,
    /// Call sites recorded (further ones are counted).
    pub max_calls_recorded: usize,
    /// Bytes of one text-protocol argument line (INT, STRING, GLOBAL, ...).
    pub max_line: usize,
    /// Anomalies recorded (further ones are counted in [`Analysis::anomalies_dropped`]).
    pub max_anomalies: usize,
    /// Rendered persistent ids kept in [`Analysis::persistent_ids`] (all are counted).
    pub max_persistent_ids: usize,
    /// Container elements kept across all containers alive at once; past it,
    /// containers only count what is added.
    pub max_kept_elements_total: usize,
    /// Bytes of string/bytes values copied into memory (the streaming reader
    /// and decoded values; slices are referenced, not copied). Past it, values
    /// keep a short prefix only.
    pub max_text_kept_total: usize,
    /// Opcodes spent on resynchronisation candidates that turned out to be junk
    /// (multi-stream mode); bounds the search through hostile trailing bytes.
    pub max_resync_opcodes: u64,
    /// Bytes of a frame the streaming reader holds in memory: the rest of an
    /// unfinished frame set aside when joblib reads array data from behind
    /// it, or the bytes a FRAME declared past a STOP, looked ahead at to
    /// confirm they exist (multi-stream mode).
    pub max_set_aside: usize,
    /// Bytes a streaming reader keeps behind a resynchronisation candidate,
    /// to retry from the next byte when the candidate is junk (multi-stream
    /// mode; a slice can always go back).
    pub max_rewind: usize,
    /// Length of a STACK_GLOBAL operand still taken as a name; a longer
    /// string is treated as computed.
    pub max_name: usize,
    /// Bytes read and written by evaluated decoders (`base64.b64decode`, ...)
    /// over one input; past it, decoder calls stay opaque results.
    pub max_decode_total: usize,
}

/// How to run the machine.
pub struct Options<'a> {
    pub limits: Limits,
    /// Keep analysing after STOP: further pickles, resynchronising past junk.
    pub multi_stream: bool,
    /// For calls to `(module, qualname)` for which this returns true, concrete
    /// str/bytes arguments are captured in [`CallSite::payloads`] (e.g. loaders,
    /// so that nested pickles can be scanned).
    pub capture_args_of: &'a dyn Fn(&str, &str) -> bool,
    /// Recognise joblib's `NumpyArrayWrapper` and skip the raw array bytes
    /// that joblib writes into the stream right after its BUILD.
    pub joblib_arrays: bool,
}

/// How a global is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportOp {
    Global,
    StackGlobal,
    Inst,
    Obj,
}

/// Everything that was done with one imported global, over the whole input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// Called with REDUCE, INST or OBJ (code runs with attacker-chosen arguments).
    pub called: bool,
    /// Instantiated as a class through NEWOBJ/NEWOBJ_EX or `copyreg._reconstructor`.
    pub constructed: bool,
    /// BUILD applied to the global itself (monkey-patching a class or module).
    pub build_target: bool,
    /// Appears only as a value (argument, state, container element).
    pub referenced: bool,
    /// APPEND(S), SETITEM(S) or ADDITEMS applied to the global itself
    /// (`sys.path.append`, `os.environ[...] = ...`): mutating interpreter state.
    pub mutated: bool,
}

/// One distinct `(module, name)` imported, with every use merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Module after CPython's protocol < 3 compatibility mapping.
    pub module: String,
    /// Qualified name (may be dotted), after the mapping.
    pub name: String,
    /// The spelling in the file when the mapping changed it (`__builtin__`, `copy_reg`).
    pub original: Option<(String, String)>,
    pub op: ImportOp,
    /// Offset of the first opcode that imported it.
    pub offset: u64,
    pub uses: Uses,
    /// Index of the stream (0-based) where it first appeared.
    pub stream: usize,
}

/// The opcode that makes a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Reduce,
    NewObj,
    NewObjEx,
    Inst,
    Obj,
}

/// Who is called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callee {
    /// An imported global, by index into [`Analysis::imports`].
    Import(usize),
    /// Something computed: the result of another call site (index into `calls`).
    Result(usize),
    /// Anything else (a literal, a container, a persistent object).
    Other(String),
}

/// One call the unpickler would make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    pub offset: u64,
    pub kind: CallKind,
    pub callee: Callee,
    /// Arguments rendered Python-like and bounded, e.g. `('echo pwned',)`.
    pub args: String,
    /// Concrete str/bytes arguments, when `capture_args_of` asked for them.
    pub payloads: Vec<Vec<u8>>,
    /// Every str/bytes argument was captured whole into `payloads`.
    pub payloads_complete: bool,
    /// The first [`MAX_ARG_REFS`] positional arguments, structurally.
    pub arg_refs: Vec<ArgRef>,
    /// How many positional arguments, when the argument tuple is held whole.
    pub arg_count: Option<usize>,
    /// What was done with the call's result later on.
    pub result_uses: Uses,
    pub stream: usize,
}

/// How many positional arguments a [`CallSite`] describes in `arg_refs`.
pub const MAX_ARG_REFS: usize = 4;

/// Longest string kept in an [`ArgRef::Str`].
pub const MAX_ARG_STR: usize = 256;

/// One positional argument of a call, as much as a policy needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgRef {
    /// An imported global, by index into [`Analysis::imports`].
    Import(usize),
    /// The result of another recorded call, by index into [`Analysis::calls`].
    Result(usize),
    /// A complete `str` of at most [`MAX_ARG_STR`] bytes of UTF-8.
    Str(String),
    /// Anything else.
    Other,
}

/// Something in the stream that is not how benign pickles look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnomalyKind {
    /// An opcode crosses the end of its declared FRAME.
    FrameStraddle,
    /// STACK_GLOBAL with operands that are not plain strings (computed names).
    ComputedGlobal,
    /// EXT1/EXT2/EXT4: a global reached through the copyreg extension registry.
    Extension { code: u32 },
    /// BUILD applied to a class or module object.
    BuildOnGlobal { import: usize },
    /// More than one pickle in the input.
    MultipleStreams,
    /// Bytes after the last STOP (or between streams) that are not a pickle.
    TrailingData { len: u64 },
    /// APPEND(S), SETITEM(S) or ADDITEMS on an imported global itself
    /// (`sys.path.append(...)`, `os.environ[k] = v`).
    MutateGlobal { import: usize },
    /// Decoder calls past the evaluation budget were left opaque, so a payload
    /// they decode was not scanned.
    DecodeLimit,
    /// An opcode the unpickler accepts that benign writers never emit here
    /// (e.g. a second PROTO, memo reuse tricks); `detail` says which.
    Unusual,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    pub offset: u64,
    pub kind: AnomalyKind,
    pub detail: String,
}

/// Why analysis ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every stream ended with STOP (and the input was consumed or junk was recorded).
    Complete,
    /// The input ended inside a pickle. What came before still counts.
    Truncated { offset: u64 },
    /// An opcode the unpickler would reject (unknown opcode, stack underflow, bad
    /// argument). What came before still counts: the unpickler ran it.
    Malformed { offset: u64, reason: String },
    /// A named limit was hit; `limit` is the field name in [`Limits`].
    LimitExceeded { offset: u64, limit: &'static str },
}

/// One pickle inside the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    pub start: u64,
    /// Offset just past STOP (or where analysis stopped).
    pub end: u64,
    /// Highest protocol announced by PROTO (0 when absent).
    pub protocol: u8,
}

/// The result of running the machine over one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    pub streams: Vec<Stream>,
    pub imports: Vec<Import>,
    pub calls: Vec<CallSite>,
    /// Calls made beyond `max_calls_recorded`.
    pub calls_dropped: u64,
    pub anomalies: Vec<Anomaly>,
    /// Anomalies beyond `max_anomalies` (counted, not recorded).
    pub anomalies_dropped: u64,
    /// Rendered persistent ids (BINPERSID/PERSID), first few; PyTorch storages live here.
    pub persistent_ids: Vec<String>,
    pub persistent_id_count: u64,
    pub opcodes: u64,
    pub stop: Stop,
}
