//! The walk of a model directory: which files are part of the model.
//!
//! Mirrors model_signing's rules: every regular file below the root, with
//! names relative to the root; ignore entries match whole leading path
//! components; a symbolic link is refused unless allowed, and then a link to a
//! file is hashed under the link's name while a link to a directory is
//! neither followed nor hashed; anything else (fifo, socket, device, dangling
//! link) is refused. Ignored subtrees are not descended at all.

use super::{HashOptions, MAX_DEPTH, MAX_FILES, MAX_PATH_LEN};
use crate::Error;
use std::fs;
use std::path::{Path, PathBuf};

/// The paths model_signing leaves out by default (its `ignore_git_paths`).
pub const DEFAULT_IGNORED: &[&str] = &[".git", ".gitattributes", ".github", ".gitignore"];

/// One file to hash.
#[derive(Debug, Clone)]
pub(crate) struct FileToHash {
    pub abs: PathBuf,
    pub rel: String,
    pub size: u64,
}

pub(crate) struct Listing {
    pub files: Vec<FileToHash>,
    pub ignore_paths: Vec<String>,
}

/// An ignore entry as path components relative to the root, or `None` when
/// it can never match (absolute, or climbing out with `..`), as in
/// model_signing, where such entries are dropped.
pub fn normalise_ignore(entry: &str) -> Option<String> {
    if entry.starts_with('/') || entry.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for c in entry.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// The path of `p` relative to the model directory, when `p` lies inside it
/// (used to leave the signature file itself out of the manifest).
pub fn relative_to_model(model: &Path, p: &Path) -> Option<String> {
    let root = fs::canonicalize(model).ok()?;
    let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()?;
    let full = dir.join(p.file_name()?);
    let rel = full.strip_prefix(&root).ok()?;
    let s = rel.to_str()?.replace('\\', "/");
    normalise_ignore(&s)
}

fn is_ignored(rel: &str, ignores: &[String]) -> bool {
    ignores.iter().any(|ig| {
        rel == ig
            || (rel.len() > ig.len()
                && rel.starts_with(ig.as_str())
                && rel.as_bytes().get(ig.len()) == Some(&b'/'))
    })
}

pub(crate) fn list_files(model: &Path, opts: &HashOptions) -> Result<Listing, Error> {
    let mut ignores: Vec<String> = Vec::new();
    if opts.ignore_git_paths {
        ignores.extend(DEFAULT_IGNORED.iter().map(|s| s.to_string()));
    }
    ignores.extend(opts.ignore_paths.iter().filter_map(|s| normalise_ignore(s)));
    ignores.sort();
    ignores.dedup();

    let meta = fs::symlink_metadata(model).map_err(|e| Error::io(model, e))?;
    let meta = if meta.file_type().is_symlink() {
        if !opts.allow_symlinks {
            return Err(Error::Symlink(model.to_path_buf()));
        }
        fs::metadata(model).map_err(|e| Error::io(model, e))?
    } else {
        meta
    };
    let mut files = Vec::new();
    if meta.is_file() {
        files.push(FileToHash {
            abs: model.to_path_buf(),
            rel: ".".into(),
            size: meta.len(),
        });
    } else if meta.is_dir() {
        walk_dir(model, "", 0, opts, &ignores, &mut files)?;
    } else {
        return Err(Error::SpecialFile(model.to_path_buf()));
    }
    Ok(Listing {
        files,
        ignore_paths: ignores,
    })
}

fn walk_dir(
    dir: &Path,
    prefix: &str,
    depth: usize,
    opts: &HashOptions,
    ignores: &[String],
    out: &mut Vec<FileToHash>,
) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Limit(format!(
            "{}: deeper than {MAX_DEPTH} directories",
            dir.display()
        )));
    }
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let abs = entry.path();
        let name = entry.file_name();
        let name = name
            .to_str()
            .ok_or_else(|| Error::NonUtf8Name(abs.clone()))?;
        let rel = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        if rel.len() > MAX_PATH_LEN {
            return Err(Error::Limit(format!(
                "{}: path longer than {MAX_PATH_LEN} bytes",
                abs.display()
            )));
        }
        if is_ignored(&rel, ignores) {
            continue;
        }
        let ft = entry.file_type().map_err(|e| Error::io(&abs, e))?;
        if ft.is_symlink() {
            if !opts.allow_symlinks {
                return Err(Error::Symlink(abs));
            }
            match fs::metadata(&abs) {
                Ok(m) if m.is_file() => push(out, abs, rel, m.len())?,
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(Error::SpecialFile(abs)),
                Err(e) => return Err(Error::io(&abs, e)),
            }
        } else if ft.is_dir() {
            walk_dir(&abs, &rel, depth + 1, opts, ignores, out)?;
        } else if ft.is_file() {
            let m = entry.metadata().map_err(|e| Error::io(&abs, e))?;
            push(out, abs, rel, m.len())?;
        } else {
            return Err(Error::SpecialFile(abs));
        }
    }
    Ok(())
}

fn push(out: &mut Vec<FileToHash>, abs: PathBuf, rel: String, size: u64) -> Result<(), Error> {
    if out.len() >= MAX_FILES {
        return Err(Error::Limit(format!(
            "more than {MAX_FILES} files in the model"
        )));
    }
    out.push(FileToHash { abs, rel, size });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_entries_are_normalised_like_model_signing() {
        assert_eq!(normalise_ignore("./a//b/"), Some("a/b".into()));
        assert_eq!(normalise_ignore("../x"), None);
        assert_eq!(normalise_ignore("/abs"), None);
        assert_eq!(normalise_ignore("."), None);
    }

    #[test]
    fn ignore_matches_whole_components_only() {
        let ig = vec![".git".to_string(), "model.sig".to_string()];
        assert!(is_ignored(".git", &ig));
        assert!(is_ignored(".git/HEAD", &ig));
        assert!(!is_ignored(".github2", &ig));
        assert!(!is_ignored(".gitx/HEAD", &ig));
        assert!(!is_ignored("sub/.git", &ig));
    }
}
