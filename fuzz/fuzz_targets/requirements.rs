#![no_main]
//! pip requirements files with includes: the input is split at 0xFF bytes
//! into the top-level file and the files `-r`/`-c` can reach (`a0.txt`,
//! `a1.txt`, ... in the same folder, each served from the next part).
//!
//! Asserted: no panic; every dependency's line lies inside the file that
//! holds it, and an include line inside the top-level file; no more
//! dependencies than the inputs have lines.

use aigis_deps::FileKind;
use aigis_deps::read::read;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fn lines(b: &[u8]) -> u32 {
    u32::try_from(b.split(|&c| c == b'\n').count()).unwrap_or(u32::MAX)
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.split(|&b| b == 0xFF).collect();
    let Some(top) = parts.first() else { return };
    let loader = |p: &Path| -> Result<Vec<u8>, String> {
        // Only `dir/aN.txt`: a nested path (`dir/a1.dir/a1.txt`) is another
        // file on disk, and serving the same bytes for it would break the
        // line-count bound below (crash-fd762344, a harness false positive).
        if p.parent() != Some(Path::new("dir")) {
            return Err("not found".into());
        }
        let name = p.file_name().and_then(|n| n.to_str()).ok_or("no name")?;
        let n: usize = name
            .strip_prefix('a')
            .and_then(|s| s.strip_suffix(".txt"))
            .and_then(|s| s.parse().ok())
            .ok_or("not found")?;
        parts.get(n + 1).map(|b| b.to_vec()).ok_or_else(|| "not found".to_string())
    };
    let parsed = read(FileKind::Requirements, Path::new("dir/requirements.txt"), "dir/requirements.txt", top, &loader);
    let total: u32 = parts.iter().map(|p| lines(p)).sum();
    assert!(parsed.deps.len() as u64 <= u64::from(total));
    for d in &parsed.deps {
        assert!(d.line >= 1);
        if d.file == "dir/requirements.txt" {
            assert!(d.line <= lines(top), "{d:?}");
        }
        if let Some(v) = d.via {
            assert!(v >= 1 && v <= lines(top), "{d:?}");
        }
        assert!(!d.name.is_empty() || !matches!(d.requirement, aigis_deps::Requirement::Pinned(_)));
    }
});
