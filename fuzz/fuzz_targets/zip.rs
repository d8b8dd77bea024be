#![no_main]
//! Open any bytes as a zip, read every entry under a small cap, and drive
//! the streaming reader; nothing may panic or allocate past the caps.

use std::io::Read;

use aigis_formats::zip::Archive;
use libfuzzer_sys::fuzz_target;

const CAP: u64 = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let Ok(archive) = Archive::parse(data) else {
        return;
    };
    let _ = archive.root();
    let _ = archive.find_record("data.pkl");
    for entry in archive.entries() {
        let _ = archive.find(entry.name_raw);
        if let Ok(bytes) = archive.read(entry, CAP) {
            let _ = entry.verify(&bytes);
        }
        if let Ok(mut reader) = archive.reader(entry, CAP) {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
            }
            let _ = reader.verify();
        }
    }
});
