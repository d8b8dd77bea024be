#![no_main]
//! Parse any bytes as an .npy header; nothing may panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = aigis_formats::npy::parse(data);
});
