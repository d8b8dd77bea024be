#![no_main]
//! The JSON depth scanner on any bytes, whole and split at every 7th byte:
//! both agree, and a document serde_json accepts within the limit is never
//! refused for depth.

use aigis_gateway::json_depth::{DepthScanner, check_depth};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let max = u32::from(data.first().copied().unwrap_or(8) % 16) + 1;
    let whole = check_depth(data, max);
    let mut s = DepthScanner::new(max);
    let mut split = Ok(());
    for (i, chunk) in data.chunks(7).enumerate() {
        split = s.feed(chunk, (i * 7) as u64);
        if split.is_err() {
            break;
        }
    }
    assert_eq!(whole, split);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        fn depth(v: &serde_json::Value) -> u32 {
            match v {
                serde_json::Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
                serde_json::Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
                _ => 0,
            }
        }
        assert_eq!(depth(&v) <= max, whole.is_ok());
    }
});
