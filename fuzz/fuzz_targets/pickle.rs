//! The pickle machine on arbitrary bytes: slice (single and multi-stream,
//! with joblib arrays and captures) and a streaming reader that hands out
//! small, uneven pieces. Nothing is asserted; the point is no panic, no
//! hang, no unbounded allocation.
#![no_main]


use aigis_fuzz::Uneven;
use aigis_pickle::{Options, analyze, analyze_reader};
use libfuzzer_sys::fuzz_target;

fn everything(_: &str, _: &str) -> bool {
    true
}

fuzz_target!(|data: &[u8]| {
    let single = Options::default();
    let multi = Options {
        multi_stream: true,
        joblib_arrays: true,
        capture_args_of: &everything,
        ..Options::default()
    };
    let _ = analyze(data, &single);
    let _ = analyze(data, &multi);
    let _ = analyze_reader(data, &single);
    let _ = analyze_reader(Uneven::new(data), &multi);
});
