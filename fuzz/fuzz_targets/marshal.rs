//! Python marshal reader (Keras Lambda bytecode): any bytes, every layout
//! guess, and the listing walks over whatever was read.
#![no_main]

use aigis_formats::marshal::{MAX_WALK, read_code};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((_, code)) = read_code(data) {
        let names = code.all_names();
        let strings = code.all_strings();
        assert!(names.len() <= MAX_WALK);
        assert!(strings.len() <= MAX_WALK);
        // Everything listed came from the input: no string is longer than it.
        assert!(strings.iter().all(|s| s.len() <= data.len() * 3));
    }
});
