//! The prefilter is sound on every Python source of the repository: a
//! source (or any line, or any run of up to five lines of it) that
//! `could_fire` clears gets no finding from the full analysis.

use aigis_pycode::{analyze, could_fire};
use std::path::{Path, PathBuf};

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            python_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

fn check(src: &str, what: &str) {
    if !could_fire(src) {
        let a = analyze(src);
        assert!(
            a.findings.is_empty(),
            "{what}: cleared by could_fire but {:?} fire:\n{src}",
            a.findings.iter().map(|f| f.rule.id).collect::<Vec<_>>()
        );
    }
}

#[test]
fn could_fire_is_sound_on_every_repository_source_and_its_pieces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["crates/pycode/tests", "demo", "samples", "tools"] {
        python_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 40, "{} files", files.len());
    let mut fired = 0;
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap_or_default();
        let name = path.display().to_string();
        check(&src, &name);
        fired += usize::from(!analyze(&src).findings.is_empty());
        let lines: Vec<&str> = src.lines().collect();
        for width in 1..=5 {
            for (i, window) in lines.windows(width).enumerate() {
                check(&window.join("\n"), &format!("{name}:{}+{width}", i + 1));
            }
        }
    }
    // The bad fixtures fire, so the check above was not vacuous.
    assert!(fired > 30, "{fired} sources with findings");
}
