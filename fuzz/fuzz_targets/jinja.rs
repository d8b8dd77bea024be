#![no_main]
//! Tokenize any text as a Jinja template and collect every access; nothing
//! may panic, accesses point inside their tag and the tag inside the text,
//! and at most `MAX_ACCESSES` are kept.

use aigis_formats::jinja::{self, MAX_ACCESSES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(a) = jinja::analyze(src, &|_, _| true) else {
        return;
    };
    assert!(a.accesses.len() <= MAX_ACCESSES);
    for acc in &a.accesses {
        assert!(acc.tag.0 < acc.tag.1 && acc.tag.1 <= src.len());
        assert!(acc.offset >= acc.tag.0 && acc.offset < acc.tag.1);
        let _ = jinja::line_col(src, acc.offset);
    }
});
