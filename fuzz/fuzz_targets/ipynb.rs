#![no_main]
//! Parse any bytes as a notebook; nothing may panic, and every position the
//! reader gives for a cell's or output's text lies on a real line of the
//! input, at a column inside that line.

use aigis_formats::ipynb;
use libfuzzer_sys::fuzz_target;

fn check(data: &[u8], nb: &ipynb::Notebook, text: &ipynb::Text) {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut at = 0;
    while at <= text.text.len() {
        if text.text.is_char_boundary(at) {
            if let Some((line, col)) = nb.position(data, text, at) {
                let raw = lines.get(line as usize - 1).expect("a line of the input");
                assert!(col as usize >= 1 && col as usize <= raw.len() + 1);
            }
        }
        at += 7;
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(nb) = ipynb::parse(data) else {
        return;
    };
    assert!(nb.cells.len() <= ipynb::MAX_CELLS);
    for cell in &nb.cells {
        check(data, &nb, &cell.source);
        for out in &cell.outputs {
            check(data, &nb, &out.text);
        }
    }
});
