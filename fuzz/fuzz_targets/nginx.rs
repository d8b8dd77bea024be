#![no_main]
//! Analyse any text as an nginx configuration whose every `include` names
//! the same text again (under the pattern as its identity): the reader must
//! stay within its depth and file limits, and never panic.

use aigis_deploy::{IncludeLoader, Included};
use libfuzzer_sys::fuzz_target;

struct Itself(String);

impl IncludeLoader for Itself {
    fn load(&self, pattern: &str) -> Result<Vec<Included>, String> {
        if pattern.ends_with(".missing") {
            return Err("not found".into());
        }
        let one = Included { name: pattern.to_string(), id: pattern.to_string(), text: self.0.clone() };
        Ok(vec![one.clone(), Included { id: format!("{pattern}#2"), ..one }])
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = u32::try_from(text.lines().count()).unwrap_or(u32::MAX).max(1);
    for f in aigis_deploy::analyze_nginx(&text, &Itself(text.clone())) {
        assert!(f.line >= 1 && f.line <= lines && f.column >= 1);
    }
});
