//! What the readers produce: dependencies with their file and line, and the
//! problems met while reading (each one makes the file inconclusive).

/// The kind of dependency file, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Requirements,
    Pyproject,
    PoetryLock,
    UvLock,
    PipfileLock,
    PdmLock,
    Pylock,
    CondaEnv,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Requirements => "requirements",
            FileKind::Pyproject => "pyproject",
            FileKind::PoetryLock => "poetry.lock",
            FileKind::UvLock => "uv.lock",
            FileKind::PipfileLock => "Pipfile.lock",
            FileKind::PdmLock => "pdm.lock",
            FileKind::Pylock => "pylock",
            FileKind::CondaEnv => "conda-environment",
        }
    }

    /// Lock files pin everything by construction: a range there is a reader bug
    /// or a hand edit, and unpinned findings are not expected.
    pub fn is_lock(self) -> bool {
        matches!(
            self,
            FileKind::PoetryLock
                | FileKind::UvLock
                | FileKind::PipfileLock
                | FileKind::PdmLock
                | FileKind::Pylock
        )
    }
}

/// How a dependency's version is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// One exact version (`==1.2.3`, `===1.2.3`, or a lock file's version).
    Pinned(String),
    /// A PEP 440 specifier set that admits more than one version; empty means any.
    Range(String),
    /// A URL, VCS reference or archive: no version to look up.
    Unresolvable(String),
    /// A local path (`-e .`, `./pkg`): the project's own code, not audited.
    Local(String),
}

/// One dependency as written in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// PEP 503 normalised PyPI name (conda names already mapped).
    pub name: String,
    /// The name as written.
    pub written: String,
    pub requirement: Requirement,
    /// Environment marker, kept as written (`python_version < "3.10"`).
    pub marker: Option<String>,
    /// The file that pins it, as shown (an included file for `-r`).
    pub file: String,
    /// 1-based line in `file`.
    pub line: u32,
    /// For dependencies from an included file: the including file's `-r`/`-c` line.
    pub via: Option<u32>,
}

/// A part of a file that could not be read; the file is inconclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

/// A dependency file, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub kind: FileKind,
    pub deps: Vec<Dependency>,
    pub problems: Vec<Problem>,
}

impl Parsed {
    pub fn new(kind: FileKind) -> Self {
        Parsed {
            kind,
            deps: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(&mut self, file: &str, line: Option<u32>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: file.to_string(),
            line,
            message: message.into(),
        });
    }
}

/// 1-based line of byte `offset` in `text` (clamped to the text).
pub fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let n = text
        .as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
    u32::try_from(n).unwrap_or(u32::MAX - 1).saturating_add(1)
}
