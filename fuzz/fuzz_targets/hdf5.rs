#![no_main]
//! Read any bytes as an HDF5 file's root attributes, then scan them with the
//! model scanner (a `model_config` that parses as JSON goes through the Keras
//! config walk). The second half of the input, when it starts with `{`, is
//! also wrapped as the `model_config` of a well-formed file, so that the
//! Keras walk sees mutated JSON, not only mutated HDF5 structure.
//!
//! Asserted, because the reader promises it: attribute and string counts
//! stay under their limits, and no string is longer than the input.

use std::sync::OnceLock;

use aigis_formats::hdf5::{self, MAX_ATTRIBUTES, MAX_ELEMENTS, Value};
use aigis_scan::models::ModelScanner;
use aigis_scan::policy::Policy;
use libfuzzer_sys::fuzz_target;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::new(&[]).expect("built-in policy"))
}

/// A superblock-0 file whose root group carries `config` as a fixed-length
/// string attribute `model_config` (as `samples/generate.py` writes them).
fn wrap(config: &[u8]) -> Vec<u8> {
    fn pad8(v: &mut Vec<u8>) {
        while v.len() % 8 != 0 {
            v.push(0);
        }
    }
    let mut body = vec![1u8, 0];
    body.extend_from_slice(&13u16.to_le_bytes()); // "model_config\0"
    body.extend_from_slice(&8u16.to_le_bytes());
    body.extend_from_slice(&8u16.to_le_bytes());
    body.extend_from_slice(b"model_config\0");
    pad8(&mut body);
    body.extend_from_slice(&[0x13, 0, 0, 0]);
    body.extend_from_slice(&(config.len() as u32).to_le_bytes());
    body.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
    body.extend_from_slice(config);
    pad8(&mut body);
    let mut msgs = Vec::new();
    msgs.extend_from_slice(&0x0cu16.to_le_bytes());
    msgs.extend_from_slice(&(body.len() as u16).to_le_bytes());
    msgs.extend_from_slice(&[0, 0, 0, 0]);
    msgs.extend_from_slice(&body);
    let mut f = Vec::new();
    f.extend_from_slice(hdf5::SIGNATURE);
    f.extend_from_slice(&[0, 0, 0, 0, 0, 8, 8, 0, 4, 0, 16, 0, 0, 0, 0, 0]);
    f.extend_from_slice(&0u64.to_le_bytes());
    f.extend_from_slice(&u64::MAX.to_le_bytes());
    f.extend_from_slice(&0u64.to_le_bytes());
    f.extend_from_slice(&u64::MAX.to_le_bytes());
    f.extend_from_slice(&0u64.to_le_bytes());
    f.extend_from_slice(&96u64.to_le_bytes());
    f.extend_from_slice(&[0; 24]);
    f.extend_from_slice(&[1, 0, 1, 0, 1, 0, 0, 0]);
    f.extend_from_slice(&(msgs.len() as u32).to_le_bytes());
    f.extend_from_slice(&[0; 4]);
    f.extend_from_slice(&msgs);
    f
}

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = hdf5::read_root(data) {
        assert!(root.attributes.len() <= MAX_ATTRIBUTES);
        for a in &root.attributes {
            if let Value::Strings(v) = &a.value {
                assert!(v.len() as u64 <= MAX_ELEMENTS);
                assert!(v.iter().all(|s| s.len() <= data.len()));
            }
        }
    }
    let scanner = ModelScanner::new(policy());
    let _ = scanner.scan(data, "fuzz.h5");
    let half = data.get(data.len() / 2..).unwrap_or_default();
    if half.first() == Some(&b'{') && half.len() < 60_000 {
        let wrapped = wrap(half);
        let root = hdf5::read_root(&wrapped).expect("the wrapper is well formed");
        assert_eq!(
            root.get("model_config").and_then(|a| a.value.as_single_string()),
            Some(half.split(|&b| b == 0).next().unwrap_or_default())
        );
        let _ = scanner.scan(&wrapped, "fuzz.h5");
    }
});
