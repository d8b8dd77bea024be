#![no_main]
//! The TOML, YAML and JSON dependency readers: pyproject.toml, poetry.lock,
//! uv.lock, pdm.lock, pylock.toml, Pipfile.lock and conda environment.yml.
//! The first byte picks the reader, the rest is the file.
//!
//! Asserted: no panic; every dependency's line is inside the file; pinned
//! versions are PEP 440 (readers never pin what they could not parse).

use aigis_deps::read::{kind_of, read};
use aigis_deps::{FileKind, Requirement};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const NAMES: [&str; 7] = [
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    "pylock.toml",
    "Pipfile.lock",
    "environment.yml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let path = Path::new(name);
    let kind = kind_of(path).expect("known name");
    let parsed = read(kind, path, name, body, &|_| Err("no includes".into()));
    let lines = u32::try_from(body.split(|&c| c == b'\n').count()).unwrap_or(u32::MAX);
    for d in &parsed.deps {
        assert!(d.line >= 1 && d.line <= lines, "{d:?} beyond {lines} lines");
        if let Requirement::Pinned(v) = &d.requirement {
            assert!(aigis_deps::version::parse(v).is_some(), "{d:?}");
        }
    }
    if kind == FileKind::CondaEnv {
        assert!(parsed.deps.iter().all(|d| d.name != "python"));
    }
});
