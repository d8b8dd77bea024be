//! Default limits, as named constants, and default options.
//!
//! Each limit is generous for benign model files (a pickle written by CPython
//! or PyTorch never comes near it) and small enough that a hostile file cannot
//! exhaust memory or time. Hitting one ends analysis with
//! [`Stop::LimitExceeded`](crate::Stop::LimitExceeded), never silently.

use crate::{Limits, Options};

/// Opcodes across all streams: about 10 s of work, far above a 1 GB pickle.
pub const MAX_OPCODES: u64 = 1_000_000_000;
/// Memo entries: CPython memoizes every container and string it writes, so a
/// list of a million strings needs a million entries.
pub const MAX_MEMO: usize = 1 << 22;
/// Values plus marks on the stack. CPython's pickler recurses per nesting
/// level (recursion limit about 1000), so benign stacks stay small.
pub const MAX_STACK: usize = 1 << 20;
/// Nesting of values. A benign pickle cannot nest deeper than the pickler's
/// recursion limit (1000 by default).
pub const MAX_VALUE_DEPTH: usize = 1000;
/// Elements kept per container (enough to render and to decode `bytes([...])`).
pub const MAX_CONTAINER_KEPT: usize = 4096;
/// Bytes kept of one string or bytes value that is captured or decoded.
pub const MAX_CAPTURE: usize = 8 << 20;
/// Bytes captured into call-site payloads over one input.
pub const MAX_CAPTURE_TOTAL: usize = 64 << 20;
/// Characters of one rendered argument list.
pub const MAX_RENDER: usize = 1024;
/// Pickle streams in one input (the legacy PyTorch format has five).
pub const MAX_STREAMS: usize = 1024;
/// Call sites recorded; a large scikit-learn forest makes tens of thousands
/// of calls, but every use is still merged into [`Uses`](crate::Uses).
pub const MAX_CALLS_RECORDED: usize = 10_000;
/// One text-protocol line (protocol 0 writes long strings as one line).
pub const MAX_LINE: usize = 32 << 20;
/// Anomalies recorded.
pub const MAX_ANOMALIES: usize = 1024;
/// Persistent ids rendered and kept ("first few"; all are counted).
pub const MAX_PERSISTENT_IDS: usize = 32;
/// Container elements alive at once over all containers (24 MiB of values).
pub const MAX_KEPT_ELEMENTS_TOTAL: usize = 1 << 20;
/// Bytes of string values copied into memory at once.
pub const MAX_TEXT_KEPT_TOTAL: usize = 64 << 20;
/// Opcodes spent on junk resynchronisation candidates.
pub const MAX_RESYNC_OPCODES: u64 = 1 << 24;
/// Bytes of an unfinished frame set aside for a joblib array read (CPython
/// writes frames of about 64 KiB).
pub const MAX_SET_ASIDE: usize = 16 << 20;

/// Bytes a reader keeps for rewinding to retry resynchronisation.
pub const MAX_REWIND: usize = 4 << 20;
/// STACK_GLOBAL operand length still taken as a name (no module or
/// attribute is named longer).
pub const MAX_NAME: usize = 4096;
/// Decoder work over one input (a memoized string decoded again and again
/// must not cost more than this).
pub const MAX_DECODE_TOTAL: usize = 256 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_opcodes: MAX_OPCODES,
            max_memo: MAX_MEMO,
            max_stack: MAX_STACK,
            max_value_depth: MAX_VALUE_DEPTH,
            max_container_kept: MAX_CONTAINER_KEPT,
            max_capture: MAX_CAPTURE,
            max_capture_total: MAX_CAPTURE_TOTAL,
            max_render: MAX_RENDER,
            max_streams: MAX_STREAMS,
            max_calls_recorded: MAX_CALLS_RECORDED,
            max_line: MAX_LINE,
            max_anomalies: MAX_ANOMALIES,
            max_persistent_ids: MAX_PERSISTENT_IDS,
            max_kept_elements_total: MAX_KEPT_ELEMENTS_TOTAL,
            max_text_kept_total: MAX_TEXT_KEPT_TOTAL,
            max_resync_opcodes: MAX_RESYNC_OPCODES,
            max_set_aside: MAX_SET_ASIDE,
            max_rewind: MAX_REWIND,
            max_name: MAX_NAME,
            max_decode_total: MAX_DECODE_TOTAL,
        }
    }
}

fn capture_nothing(_: &str, _: &str) -> bool {
    false
}

impl Default for Options<'_> {
    /// Default limits, one stream, no captures, no joblib arrays.
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            multi_stream: false,
            capture_args_of: &capture_nothing,
            joblib_arrays: false,
        }
    }
}
