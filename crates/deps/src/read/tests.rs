//! Reader fixtures: one per format, plus the requirements edge cases
//! (includes, cycles, continuations, hashes, markers, URLs, editables).

use super::*;
use crate::model::{Dependency, Requirement};
use std::collections::HashMap;
use std::path::PathBuf;

fn no_files(p: &Path) -> Result<Vec<u8>, String> {
    Err(format!("{} not found", p.display()))
}

fn read_str(name: &str, text: &str) -> Parsed {
    let path = PathBuf::from(name);
    let kind = kind_of(&path).unwrap_or_else(|| panic!("{name} not recognised"));
    read(kind, &path, name, text.as_bytes(), &no_files)
}

fn find<'a>(p: &'a Parsed, name: &str) -> &'a Dependency {
    p.deps
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} missing from {:?}", p.deps))
}

fn pinned(v: &str) -> Requirement {
    Requirement::Pinned(v.into())
}

#[test]
fn file_kinds_by_name() {
    for (name, kind) in [
        ("requirements.txt", Some(FileKind::Requirements)),
        ("dev-requirements.txt", Some(FileKind::Requirements)),
        ("requirements-gpu.txt", Some(FileKind::Requirements)),
        ("requirements/base.txt", Some(FileKind::Requirements)),
        ("constraints.txt", Some(FileKind::Requirements)),
        ("pyproject.toml", Some(FileKind::Pyproject)),
        ("poetry.lock", Some(FileKind::PoetryLock)),
        ("uv.lock", Some(FileKind::UvLock)),
        ("Pipfile.lock", Some(FileKind::PipfileLock)),
        ("pdm.lock", Some(FileKind::PdmLock)),
        ("pylock.toml", Some(FileKind::Pylock)),
        ("pylock.gpu.toml", Some(FileKind::Pylock)),
        ("environment.yml", Some(FileKind::CondaEnv)),
        ("environment-cuda.yaml", Some(FileKind::CondaEnv)),
        ("notes.txt", None),
        ("Pipfile", None),
        ("setup.py", None),
    ] {
        assert_eq!(kind_of(Path::new(name)), kind, "{name}");
    }
}

#[test]
fn requirements_lines() {
    let text = "\
# comment line
torch==2.1.0+cu121 --hash=sha256:aaaa \\
    --hash=sha256:bbbb
numpy>=1.24,<2 ; python_version >= \"3.9\"  # trailing comment
Jinja2 == 2.10
requests[socks]==2.19.1
scipy
-e .
-e git+https://github.com/org/lib@v1.0#egg=org-lib
mylib @ https://example.com/mylib-1.0.tar.gz ; sys_platform == 'linux'
https://example.com/pkg-1.0-py3-none-any.whl
--index-url https://pypi.org/simple
--require-hashes
pandas (==2.0.3)
old-style===1.0
bad==not a version
";
    let p = read_str("requirements.txt", text);
    let torch = find(&p, "torch");
    assert_eq!(
        (torch.requirement.clone(), torch.line),
        (pinned("2.1.0+cu121"), 2)
    );
    let numpy = find(&p, "numpy");
    assert_eq!(numpy.requirement, Requirement::Range(">=1.24,<2".into()));
    assert_eq!(numpy.marker.as_deref(), Some("python_version >= \"3.9\""));
    assert_eq!(numpy.line, 4);
    assert_eq!(
        (
            find(&p, "jinja2").requirement.clone(),
            find(&p, "jinja2").line
        ),
        (pinned("2.10"), 5)
    );
    assert_eq!(find(&p, "requests").requirement, pinned("2.19.1"));
    assert_eq!(
        find(&p, "scipy").requirement,
        Requirement::Range(String::new())
    );
    assert!(
        p.deps
            .iter()
            .any(|d| d.line == 8 && matches!(d.requirement, Requirement::Local(_)))
    );
    assert_eq!(
        find(&p, "org-lib").requirement,
        Requirement::Unresolvable("git+https://github.com/org/lib@v1.0#egg=org-lib".into())
    );
    let mylib = find(&p, "mylib");
    assert!(matches!(mylib.requirement, Requirement::Unresolvable(_)));
    assert_eq!(mylib.marker.as_deref(), Some("sys_platform == 'linux'"));
    assert!(
        p.deps
            .iter()
            .any(|d| d.line == 11 && matches!(d.requirement, Requirement::Unresolvable(_)))
    );
    assert_eq!(find(&p, "pandas").requirement, pinned("2.0.3"));
    assert_eq!(find(&p, "old-style").requirement, pinned("1.0"));
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert_eq!(p.problems.first().and_then(|x| x.line), Some(16));
}

#[test]
fn requirements_includes_are_relative_bounded_and_cycle_safe() {
    let files: HashMap<PathBuf, &str> = [
        (
            PathBuf::from("proj/req/base.txt"),
            "numpy==1.21.0\n-r ../requirements.txt\n-c more/constraints.txt\n",
        ),
        (
            PathBuf::from("proj/req/more/constraints.txt"),
            "\n\nurllib3==1.26.4\n",
        ),
    ]
    .into_iter()
    .collect();
    let loader = |p: &Path| -> Result<Vec<u8>, String> {
        files
            .get(p)
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| format!("{} not found", p.display()))
    };
    let text = "torch==1.13.0\n-r req/base.txt\n--requirement=missing.txt\n";
    let path = Path::new("proj/requirements.txt");
    let p = read(
        FileKind::Requirements,
        path,
        "proj/requirements.txt",
        text.as_bytes(),
        &loader,
    );
    let numpy = find(&p, "numpy");
    assert_eq!(
        (numpy.file.as_str(), numpy.line, numpy.via),
        ("proj/req/base.txt", 1, Some(2))
    );
    let urllib3 = find(&p, "urllib3");
    assert_eq!(
        (urllib3.file.as_str(), urllib3.line, urllib3.via),
        ("proj/req/more/constraints.txt", 3, Some(2))
    );
    // The cycle back to requirements.txt is not read twice.
    assert_eq!(p.deps.iter().filter(|d| d.name == "torch").count(), 1);
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert!(
        p.problems
            .iter()
            .all(|x| x.line == Some(3) && x.message.contains("missing.txt"))
    );
}

#[test]
fn requirements_include_depth_is_bounded() {
    // a0.txt includes a1.txt includes a2.txt ... forever.
    let loader = |p: &Path| -> Result<Vec<u8>, String> {
        let n: usize = p
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix('a'))
            .and_then(|s| s.parse().ok())
            .ok_or("bad")?;
        Ok(format!("pkg{n}==1.0\n-r a{}.txt\n", n + 1).into_bytes())
    };
    let p = read(
        FileKind::Requirements,
        Path::new("a0.txt"),
        "a0.txt",
        b"-r a1.txt\n",
        &loader,
    );
    assert_eq!(p.deps.len(), requirements::MAX_INCLUDE_DEPTH);
    assert!(
        p.problems
            .iter()
            .any(|x| x.message.contains("include limit"))
    );
}

#[test]
fn pyproject_pep621_groups_and_poetry() {
    let text = r#"
[project]
name = "svc"
dependencies = [
  "torch==2.1.0",
  "transformers>=4.30",
]
[project.optional-dependencies]
gpu = ["xformers==0.0.22"]

[dependency-groups]
dev = ["pytest==7.4.0", {include-group = "lint"}]

[tool.poetry.dependencies]
python = "^3.10"
numpy = "1.24.3"
scipy = "^1.10"
mylib = { git = "https://github.com/org/mylib.git" }
local = { path = "../local" }
pandas = { version = "~2.0.1", extras = ["excel"] }
"#;
    let p = read_str("pyproject.toml", text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(
        (
            find(&p, "torch").requirement.clone(),
            find(&p, "torch").line
        ),
        (pinned("2.1.0"), 5)
    );
    assert_eq!(find(&p, "transformers").line, 6);
    assert_eq!(find(&p, "xformers").line, 9);
    assert_eq!(find(&p, "pytest").line, 12);
    assert_eq!(
        (
            find(&p, "numpy").requirement.clone(),
            find(&p, "numpy").line
        ),
        (pinned("1.24.3"), 16)
    );
    assert_eq!(
        find(&p, "scipy").requirement,
        Requirement::Range(">=1.10,<2".into())
    );
    assert_eq!(
        find(&p, "pandas").requirement,
        Requirement::Range(">=2.0.1,<2.1".into())
    );
    assert!(matches!(
        find(&p, "mylib").requirement,
        Requirement::Unresolvable(_)
    ));
    assert!(matches!(
        find(&p, "local").requirement,
        Requirement::Local(_)
    ));
    assert!(!p.deps.iter().any(|d| d.name == "python"));
}

#[test]
fn poetry_caret_on_zero_versions() {
    assert_eq!(
        pyproject::poetry_constraint("^0.2.3"),
        Requirement::Range(">=0.2.3,<0.3".into())
    );
    assert_eq!(
        pyproject::poetry_constraint("*"),
        Requirement::Range(String::new())
    );
    assert_eq!(
        pyproject::poetry_constraint(">=1.0,<2.0"),
        Requirement::Range(">=1.0,<2.0".into())
    );
}

#[test]
fn poetry_lock() {
    let text = r#"# This file is automatically @generated by Poetry
[[package]]
name = "jinja2"
version = "2.10"
description = "x"

[[package]]
name = "mylib"
version = "0.1.0"

[package.source]
type = "git"
url = "https://github.com/org/mylib.git"
reference = "main"

[metadata]
lock-version = "2.0"
"#;
    let p = read_str("poetry.lock", text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(
        (
            find(&p, "jinja2").requirement.clone(),
            find(&p, "jinja2").line
        ),
        (pinned("2.10"), 3)
    );
    assert!(matches!(
        find(&p, "mylib").requirement,
        Requirement::Unresolvable(_)
    ));
}

#[test]
fn uv_lock() {
    let text = r#"version = 1
requires-python = ">=3.10"

[[package]]
name = "svc"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "torch"
version = "2.1.0+cu121"
source = { registry = "https://download.pytorch.org/whl/cu121" }

[[package]]
name = "lib"
version = "1.0"
source = { git = "https://github.com/org/lib?rev=abc#abc" }
"#;
    let p = read_str("uv.lock", text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert!(matches!(find(&p, "svc").requirement, Requirement::Local(_)));
    assert_eq!(
        (
            find(&p, "torch").requirement.clone(),
            find(&p, "torch").line
        ),
        (pinned("2.1.0+cu121"), 10)
    );
    assert!(matches!(
        find(&p, "lib").requirement,
        Requirement::Unresolvable(_)
    ));
}

#[test]
fn pdm_lock_and_pylock() {
    let pdm = "[metadata]\ngroups = [\"default\"]\n\n[[package]]\nname = \"requests\"\nversion = \"2.19.1\"\n";
    let p = read_str("pdm.lock", pdm);
    assert_eq!(
        (
            find(&p, "requests").requirement.clone(),
            find(&p, "requests").line
        ),
        (pinned("2.19.1"), 5)
    );
    let pylock = "lock-version = \"1.0\"\ncreated-by = \"x\"\n\n[[packages]]\nname = \"numpy\"\nversion = \"1.21.0\"\n\n[[packages]]\nname = \"mine\"\ndirectory = { path = \".\" }\n";
    let p = read_str("pylock.toml", pylock);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(
        (
            find(&p, "numpy").requirement.clone(),
            find(&p, "numpy").line
        ),
        (pinned("1.21.0"), 5)
    );
    assert!(matches!(
        find(&p, "mine").requirement,
        Requirement::Local(_)
    ));
}

#[test]
fn pipfile_lock() {
    let text = r#"{
    "_meta": {"hash": {"sha256": "x"}},
    "default": {
        "requests": {
            "hashes": ["sha256:a"],
            "version": "==2.19.1"
        },
        "lib": {"git": "https://github.com/org/lib.git", "ref": "abc"}
    },
    "develop": {
        "pytest": {"version": "==7.4.0", "markers": "python_version >= '3.8'"}
    }
}"#;
    let p = read_str("Pipfile.lock", text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(
        (
            find(&p, "requests").requirement.clone(),
            find(&p, "requests").line
        ),
        (pinned("2.19.1"), 4)
    );
    assert_eq!(find(&p, "pytest").line, 11);
    assert_eq!(
        find(&p, "pytest").marker.as_deref(),
        Some("python_version >= '3.8'")
    );
    assert!(matches!(
        find(&p, "lib").requirement,
        Requirement::Unresolvable(_)
    ));
}

#[test]
fn conda_environment() {
    let text = "\
name: ml
channels:
  - pytorch
  - nvidia
dependencies:
  - python=3.10
  - pytorch=2.1.0
  - pytorch-cuda=12.1
  - cudatoolkit
  - conda-forge::py-xgboost==1.7.5=cuda118_0
  - tensorflow-gpu=2.4
  - numpy>=1.24
  - pip
  - pip:
    - transformers==4.30.0
    - -e .
";
    let p = read_str("environment.yml", text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(
        (
            find(&p, "torch").requirement.clone(),
            find(&p, "torch").line
        ),
        (pinned("2.1.0"), 7)
    );
    assert_eq!(
        (
            find(&p, "xgboost").requirement.clone(),
            find(&p, "xgboost").line
        ),
        (pinned("1.7.5"), 10)
    );
    assert_eq!(
        find(&p, "tensorflow").requirement,
        Requirement::Range("==2.4.*".into())
    );
    assert_eq!(find(&p, "numpy").line, 12);
    assert_eq!(
        (
            find(&p, "transformers").requirement.clone(),
            find(&p, "transformers").line
        ),
        (pinned("4.30.0"), 15)
    );
    assert!(
        !p.deps
            .iter()
            .any(|d| ["python", "pytorch-cuda", "cudatoolkit"].contains(&d.name.as_str()))
    );
    assert!(
        p.deps
            .iter()
            .any(|d| d.line == 16 && matches!(d.requirement, Requirement::Local(_)))
    );
}

#[test]
fn malformed_files_are_problems_not_crashes() {
    for (name, text) in [
        ("poetry.lock", "[[package]\nname = "),
        (
            "uv.lock",
            "[[package]]\nname = \"x\"\nversion = \"not pep 440\"\n",
        ),
        ("pyproject.toml", "[project]\ndependencies = \"torch\"\n"),
        ("Pipfile.lock", "{\"default\": [1, 2]}"),
        ("environment.yml", "dependencies: [\n"),
        ("environment.yml", "a: &a [*a, *a]\n"),
        (
            "pdm.lock",
            &format!("x = {}{}", "[".repeat(200), "]".repeat(200)),
        ),
    ] {
        let p = read_str(name, text);
        assert!(!p.problems.is_empty(), "{name}: {text:?} gave {:?}", p.deps);
    }
    let p = read(
        FileKind::Requirements,
        Path::new("requirements.txt"),
        "requirements.txt",
        b"\xff\xfe",
        &no_files,
    );
    assert_eq!(p.problems.len(), 1);
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    text.push_str("dependencies: [numpy]\n");
    let p = read_str("environment.yml", &text);
    assert!(!p.problems.is_empty());
}

/// Fuzz finding `requirements` crash-fd762344 (2026-12-02): an included
/// file that includes `a1.dir/a1.txt`, a new path at every level, yields one
/// copy of its dependencies per level. That is right (on disk those are
/// distinct files) and bounded by the include depth; the fuzz target's
/// loader had served the same bytes for every path named `a1.txt`, so its
/// "no more dependencies than input lines" check fired. The target now
/// serves only files directly in its folder; this pins the reader's bound.
#[test]
fn fuzz_crash_fd762344_self_including_nested_paths_stop_at_the_depth_limit() {
    let loader = |p: &Path| -> Result<Vec<u8>, String> {
        match p.file_name().and_then(|n| n.to_str()) {
            Some("a1.txt") => Ok(b"z==3\n-c a1.dir/a1.txt\n".to_vec()),
            _ => Err("not found".into()),
        }
    };
    let path = PathBuf::from("dir/requirements.txt");
    let p = read(
        FileKind::Requirements,
        &path,
        "dir/requirements.txt",
        b"-r a1.txt\n",
        &loader,
    );
    let z: Vec<&Dependency> = p.deps.iter().filter(|d| d.name == "z").collect();
    assert_eq!(z.len(), requirements::MAX_INCLUDE_DEPTH);
    let mut files: Vec<&str> = z.iter().map(|d| d.file.as_str()).collect();
    files.dedup();
    assert_eq!(files.len(), z.len(), "each copy comes from its own path");
    assert!(
        p.problems
            .iter()
            .any(|x| x.message.contains("include limit reached")),
        "{:?}",
        p.problems
    );
}
