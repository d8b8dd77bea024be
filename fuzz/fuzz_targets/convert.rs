#![no_main]
//! The conversion path on any bytes: the strict rebuild evaluator on the
//! bytes as a pickle, then `aigis_convert::plan` (zip and legacy
//! checkpoints, npy, npz) and, when it accepts, the safetensors writer into
//! memory. Asserted: the evaluator never reads past the input; a plan that
//! was accepted always writes (every view was checked); the output is as
//! long as reported and our own safetensors parser reads it back with every
//! tensor, nothing trailing.

use aigis_convert::{Options, plan};
use aigis_formats::safetensors;
use aigis_pickle::rebuild::{Limits, rebuild};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = rebuild(data, &Limits::default()) {
        assert!(r.end <= data.len() as u64);
    }
    let Ok(p) = plan(data, &Options::default()) else {
        return;
    };
    let mut out = Vec::new();
    let n = p.write(&mut out).expect("an accepted plan writes");
    assert_eq!(n, out.len() as u64);
    let h = safetensors::parse(&out).expect("our output parses");
    assert_eq!(h.tensors.len(), p.tensors.len());
    assert!(h.trailing.is_none());
    assert_eq!(h.header_len % 8, 0);
});
