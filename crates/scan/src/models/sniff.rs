//! Content sniffing: what a byte string is, by its bytes, never by its name.
//!
//! Magic numbers decide for containers, numpy, GGUF and HDF5 (whose
//! signature may follow a user block); safetensors by its
//! length field followed by a JSON object (checked first: a header length's
//! first byte can be 0x80, pickle's PROTO); pickles are recognised by
//! their opcode grammar: a PROTO opcode with a valid version, or a protocol 0/1
//! stream that the pickle machine reads without error for its first opcodes
//! and whose imported names are identifiers. Legacy PyTorch files are pickles
//! that begin with PyTorch's magic number. ONNX models have no magic: their
//! top-level protobuf fields must be `ModelProto`'s, with an IR version and a
//! graph (see `aigis_formats::onnx::looks_like_model`). TFLite models carry
//! the FlatBuffers identifier `TFL3` at bytes 4..8 after a root offset that
//! must point inside the input.

use aigis_pickle::{Limits, Options, Stop, analyze};

/// What a byte string looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Npy,
    Tar,
    Compressed(aigis_formats::compress::Compression),
    LegacyTorch,
    Pickle,
    TensorFlow(aigis_formats::tf::TfKind),
    Safetensors,
    Gguf,
    Hdf5,
    SevenZip,
    Onnx,
    TfLite,
}

/// How many bytes sniffing looks at.
pub const SNIFF_LEN: usize = 4096;

/// PyTorch's legacy magic number 0x1950a86a20f9469cfc6c as the LONG1 payload.
const TORCH_MAGIC: [u8; 10] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/// Recognise `data` by its first bytes (and, for zips, its end record).
pub fn detect(data: &[u8]) -> Option<Kind> {
    let head = data.get(..SNIFF_LEN.min(data.len())).unwrap_or(data);
    if aigis_formats::gguf::looks_like(head) {
        return Some(Kind::Gguf);
    }
    if aigis_formats::safetensors::looks_like(head) {
        return Some(Kind::Safetensors);
    }
    // Before pickles: a root offset of 0x80 reads as PROTO.
    if aigis_formats::tflite::looks_like(data) {
        return Some(Kind::TfLite);
    }
    // At 0, or after a user block of 512 · 2ⁿ bytes (searched in the whole input).
    if aigis_formats::hdf5::looks_like(data) {
        return Some(Kind::Hdf5);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    if aigis_formats::sevenz::looks_like(head) {
        return Some(Kind::SevenZip);
    }
    if head.starts_with(b"\x93NUMPY") {
        return Some(Kind::Npy);
    }
    if is_legacy_torch(head) {
        return Some(Kind::LegacyTorch);
    }
    if looks_like_pickle(head) {
        return Some(Kind::Pickle);
    }
    if aigis_formats::tar::is_tar(head) {
        return Some(Kind::Tar);
    }
    if let Some(c) = aigis_formats::compress::sniff(head) {
        return Some(Kind::Compressed(c));
    }
    // Protobufs have no magic: the first message must decode as a node, a
    // MetaGraph or a Keras object (sniffed on the whole input, since the
    // first node of a graph may be longer than the sniffing window).
    if let Some(k) = aigis_formats::tf::sniff(data) {
        return Some(Kind::TensorFlow(k));
    }
    // No magic: the top-level fields are walked (keys and lengths only).
    if aigis_formats::onnx::looks_like_model(data) {
        return Some(Kind::Onnx);
    }
    None
}

fn is_legacy_torch(head: &[u8]) -> bool {
    matches!(head, [0x80, 2..=5, 0x8a, 0x0a, rest @ ..] if rest.starts_with(&TORCH_MAGIC) && rest.get(10) == Some(&b'.'))
}

/// Does this look like the start of a pickle?
pub fn looks_like_pickle(head: &[u8]) -> bool {
    match head {
        [0x80, 0..=5, ..] => true,
        [first, ..] if PROTO0_STARTS.contains(first) => proto0_grammar(head),
        _ => false,
    }
}

/// Opcodes a protocol 0/1 pickle can begin with.
/// Opcodes a pickle can begin with when it has no PROTO (any opcode that
/// needs nothing on the stack or in the memo).
const PROTO0_STARTS: &[u8] = b"(]})NIJKLMFGSTUVXBCPcid\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x95\x96";

fn proto0_grammar(head: &[u8]) -> bool {
    let limits = Limits {
        max_opcodes: 256,
        ..Limits::default()
    };
    let opts = Options {
        limits,
        multi_stream: false,
        capture_args_of: &|_, _| false,
        joblib_arrays: false,
    };
    let a = analyze(head, &opts);
    let names_ok = a
        .imports
        .iter()
        .all(|i| is_dotted_identifier(&i.module) && is_dotted_identifier(&i.name));
    match a.stop {
        Stop::Complete | Stop::Truncated { .. } | Stop::LimitExceeded { .. } => {
            names_ok && a.opcodes >= 3
        }
        // A stream that imports a well-formed name before it breaks is a
        // (broken) pickle: the unpickler imported the name before failing.
        Stop::Malformed { .. } => names_ok && !a.imports.is_empty() && a.opcodes >= 2,
    }
}

fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            let mut chars = p.chars();
            chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol0_pickle_is_recognised_but_prose_is_not() {
        assert!(looks_like_pickle(b"cos\nsystem\n(S'id'\ntR."));
        assert!(looks_like_pickle(b"(dp0\nS'a'\np1\nI1\ns."));
        assert!(!looks_like_pickle(b"Nice day today\nand more text\n"));
        assert!(!looks_like_pickle(b"class Foo:\n    pass\n"));
        assert!(!looks_like_pickle(b"(this is prose)"));
    }

    #[test]
    fn proto_opcode_is_enough() {
        assert!(looks_like_pickle(b"\x80\x04\x95"));
        assert!(!looks_like_pickle(b"\x80\x09"));
    }

    #[test]
    fn tensor_files_are_recognised_before_pickles() {
        let mut st = 0x0280u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{\"__metadata__\":{}}");
        assert!(looks_like_pickle(&st), "starts with PROTO 2");
        assert_eq!(detect(&st), Some(Kind::Safetensors));
        assert_eq!(detect(b"GGUF\x03\x00\x00\x00"), Some(Kind::Gguf));
        // A root offset of 0x80 would read as PROTO 0.
        let mut tfl = b"\x80\x00\x00\x00TFL3".to_vec();
        tfl.resize(0x100, 0);
        assert_eq!(detect(&tfl), Some(Kind::TfLite));
        assert_eq!(detect(b"\x80\x00\x00\x00TFL3"), Some(Kind::Pickle));
        let mut not_json = 16u64.to_le_bytes().to_vec();
        not_json.extend_from_slice(b"[1,2]");
        assert_eq!(detect(&not_json), None);
    }

    #[test]
    fn legacy_torch_magic() {
        let mut f = vec![0x80, 0x02, 0x8a, 0x0a];
        f.extend_from_slice(&TORCH_MAGIC);
        f.push(b'.');
        assert_eq!(detect(&f), Some(Kind::LegacyTorch));
    }
}
