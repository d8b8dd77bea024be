#![no_main]
//! Decode any bytes as an ONNX model — under the default limits and under
//! small ones, so that every limit trips — and scan what sniffs as ONNX with
//! the model scanner on top (walk, operator judgement, external data,
//! metadata payloads through the pickle machine).
//!
//! Asserted, because the decoder promises it: error offsets are inside the
//! input; a decode stays within its limits; what decodes re-encodes to bytes
//! that decode to the same model; a decoded model with an IR version in
//! range and a graph is recognised by `looks_like_model`.

use std::sync::OnceLock;

use aigis_formats::onnx::{self, Limits, MAX_IR_VERSION, OnnxError};
use aigis_scan::models::ModelScanner;
use aigis_scan::policy::Policy;
use libfuzzer_sys::fuzz_target;
use prost::Message;

/// Small enough that fuzz inputs reach every limit.
const SMALL: Limits = Limits {
    max_file_bytes: 1 << 20,
    max_depth: 10,
    max_decoded_bytes: 4096,
};

fn check_error(e: &OnnxError, len: u64, limits: &Limits) {
    match e {
        OnnxError::TooLarge { size, limit } => {
            assert_eq!(*limit, limits.max_file_bytes);
            assert!(size > limit);
        }
        OnnxError::Truncated { offset } | OnnxError::Malformed { offset, .. } => {
            assert!(*offset < len, "{e}")
        }
        OnnxError::TooDeep { offset, limit } => {
            assert_eq!(*limit, limits.max_depth);
            assert!(*offset <= len, "{e}");
        }
        OnnxError::LimitExceeded { limit, offset } => {
            assert_eq!(*limit, limits.max_decoded_bytes);
            assert!(*offset < len, "{e}");
        }
        OnnxError::Decode(_) => {}
    }
}

fn decode(data: &[u8], limits: &Limits) -> Option<onnx::Decoded> {
    match onnx::decode_with_limits(data, limits) {
        Ok(d) => {
            let c = d.counts;
            assert!(c.decoded_bytes <= limits.max_decoded_bytes);
            assert!(c.text_bytes + 8 * c.dim_values <= c.decoded_bytes);
            assert!(c.messages <= c.decoded_bytes);
            assert!(c.max_depth <= limits.max_depth);
            assert!(c.inline_tensor_bytes <= data.len() as u64);
            Some(d)
        }
        Err(e) => {
            check_error(&e, data.len() as u64, limits);
            None
        }
    }
}

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::new(&[]).expect("built-in policy"))
}

fuzz_target!(|data: &[u8]| {
    let sniffed = onnx::looks_like_model(data);
    if let Some(d) = decode(data, &Limits::default()) {
        let again = d.model.encode_to_vec();
        let twice = onnx::decode(&again).expect("re-encoded model decodes");
        assert_eq!(twice.model, d.model);
        let ir_ok = (1..=MAX_IR_VERSION as i64).contains(&d.model.ir_version);
        if ir_ok && d.model.graph.is_some() {
            assert!(onnx::looks_like_model(&again), "re-encoded model not sniffed");
        }
    }
    let _ = decode(data, &SMALL);
    if sniffed {
        let _ = ModelScanner::new(policy()).scan(data, "fuzz.onnx");
    }
});
