#![no_main]
//! Read any bytes as a 7z archive, member by member, under a small member
//! count and a 64 KiB cap per member; then scan them with the model scanner
//! (which sniffs and scans each member's content). Nothing may panic, and
//! no member may yield more than it declares past the cap.

use std::io::Read;
use std::sync::OnceLock;

use aigis_formats::sevenz;
use aigis_scan::models::ModelScanner;
use aigis_scan::policy::Policy;
use libfuzzer_sys::fuzz_target;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::new(&[]).expect("built-in policy"))
}

fuzz_target!(|data: &[u8]| {
    let mut members = 0usize;
    let _ = sevenz::for_each_member(data, 64, |m, r| {
        members += 1;
        let mut buf = Vec::new();
        let _ = r.take(64 << 10).read_to_end(&mut buf);
        assert!(buf.len() <= 64 << 10);
        let _ = m.kind;
        true
    });
    assert!(members <= 65);
    let _ = ModelScanner::new(policy()).scan(data, "fuzz.7z");
});
