//! Permissions of model and key files under the scanned paths. Only the
//! mode is looked at first; a file is read (its first 4 KiB) only when its
//! mode would matter, to decide whether it is a key or a model. Symbolic
//! links are not followed and `.git` directories are skipped; the walk is
//! bounded in files and depth, and a walk cut short is inconclusive.
//!
//! Unlike the engine's walk this one ignores `.gitignore` and `--exclude`
//! (an ignored checkpoint is still on the host), so files may be read twice.
//! Not checked yet: world-writable parent directories (a model can be
//! replaced by a rename there even when the file itself is 0644).

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use aigis_findings::{Finding, Location};

use super::inconclusive;
use crate::rules::host as r;

/// Files whose mode is looked at, over all scanned paths.
pub const MAX_FILES: usize = 500_000;
/// Directory depth below a scanned path.
pub const MAX_DEPTH: usize = 64;
/// Bytes read from a file to recognise a key or a model.
pub const HEAD_BYTES: u64 = 4096;

const OTHER_WRITE: u32 = 0o002;
const OTHER_READ: u32 = 0o004;
const GROUP_READ: u32 = 0o040;

/// Says whether a file (its path and first bytes) is a model file; supplied
/// by the scanner that knows the model formats.
pub type ModelClassifier<'a> = &'a (dyn Fn(&Path, &[u8]) -> bool + Sync);

/// What kind of sensitive file a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sensitive {
    Key,
    Model,
}

pub(super) fn check(paths: &[PathBuf], is_model: ModelClassifier<'_>, out: &mut Vec<Finding>) {
    let mut budget = MAX_FILES;
    for root in paths {
        let mut stack = vec![(root.clone(), 0usize)];
        while let Some((path, depth)) = stack.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if depth >= MAX_DEPTH {
                    out.push(walk_cut(root, "deeper than the depth limit"));
                    continue;
                }
                let Ok(entries) = std::fs::read_dir(&path) else {
                    continue;
                };
                let mut children: Vec<PathBuf> = entries
                    .flatten()
                    .filter(|e| e.file_name() != ".git")
                    .map(|e| e.path())
                    .collect();
                // Reverse order on the stack: files come out sorted.
                children.sort_unstable_by(|a, b| b.cmp(a));
                stack.extend(children.into_iter().map(|c| (c, depth.saturating_add(1))));
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            if budget == 0 {
                out.push(walk_cut(root, "more files than the limit"));
                return;
            }
            budget -= 1;
            let mode = meta.permissions().mode() & 0o7777;
            if let Some(f) = judge(&path, mode, is_model) {
                out.push(f);
            }
        }
    }
}

fn walk_cut(root: &Path, why: &str) -> Finding {
    let mut f = inconclusive(
        "files",
        format!(
            "permission check of {} stopped: {why} ({MAX_FILES} files, depth {MAX_DEPTH})",
            root.display()
        ),
    );
    f.location = Location::file(root.display().to_string());
    f
}

/// The finding for one file of `mode`, if its mode and kind call for one.
fn judge(path: &Path, mode: u32, is_model: ModelClassifier<'_>) -> Option<Finding> {
    if mode & (OTHER_WRITE | OTHER_READ | GROUP_READ) == 0 {
        return None;
    }
    let head = read_head(path);
    let kind = classify(path, &head, is_model)?;
    let shown = path.display().to_string();
    let symbolic = symbolic_mode(mode);
    let (rule, what) = match kind {
        Sensitive::Model if mode & OTHER_WRITE != 0 => (
            &r::MODEL_FILE_WORLD_WRITABLE,
            "model file is writable by every user",
        ),
        Sensitive::Model if mode & OTHER_READ != 0 => (
            &r::MODEL_FILE_OTHER_READABLE,
            "model file is readable by every user",
        ),
        Sensitive::Key if mode & (OTHER_READ | OTHER_WRITE) != 0 => {
            let what = if mode & OTHER_WRITE != 0 {
                "key file is writable by every user"
            } else {
                "key file is readable by every user"
            };
            (&r::KEY_FILE_OTHER_READABLE, what)
        }
        Sensitive::Key if mode & GROUP_READ != 0 => (
            &r::KEY_FILE_GROUP_READABLE,
            "key file is readable by its group",
        ),
        _ => return None,
    };
    Some(
        Finding::new(
            rule,
            Location::file(shown.clone()),
            format!("{what} (mode {mode:04o})"),
            rule.name,
        )
        .with_evidence(format!("{symbolic} {shown}")),
    )
}

fn read_head(path: &Path) -> Vec<u8> {
    let mut buf = Vec::new();
    // An unreadable file is judged by its name alone.
    let _ = std::fs::File::open(path).and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut buf));
    buf
}

/// Key first (a PEM key is never a model), then the model classifier.
pub fn classify(path: &Path, head: &[u8], is_model: ModelClassifier<'_>) -> Option<Sensitive> {
    if is_key(path, head) {
        return Some(Sensitive::Key);
    }
    is_model(path, head).then_some(Sensitive::Model)
}

/// Names and contents of private and secret keys.
pub fn is_key(path: &Path, head: &[u8]) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    const SSH_NAMES: &[&str] = &[
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
    ];
    if name.ends_with(".key") || SSH_NAMES.contains(&name.as_str()) {
        return true;
    }
    has_pem_private_key(head) || is_aigis_key(head)
}

/// `-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED |DSA ]PRIVATE KEY-----`.
fn has_pem_private_key(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    text.match_indices("-----BEGIN ").any(|(i, _)| {
        text.get(i..)
            .and_then(|rest| rest.get(..rest.find('\n').unwrap_or(rest.len()).min(80)))
            .is_some_and(|label| label.contains("PRIVATE KEY-----"))
    })
}

/// What `aigis model keygen` writes: one line of standard base64 of 32 bytes.
fn is_aigis_key(head: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(head) else {
        return false;
    };
    let line = text.strip_suffix('\n').unwrap_or(text);
    line.len() == 44
        && line.ends_with('=')
        && !line.ends_with("==")
        && line
            .bytes()
            .take(43)
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// `-rw-r--r--` for 0644 (regular files only).
fn symbolic_mode(mode: u32) -> String {
    let mut s = String::from("-");
    for shift in [6u32, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_recognised_by_name_and_content() {
        let p = Path::new;
        assert!(is_key(p("tls/server.key"), b""));
        assert!(is_key(p("/home/u/.ssh/id_ed25519"), b""));
        assert!(!is_key(
            p("/home/u/.ssh/id_ed25519.pub"),
            b"ssh-ed25519 AAAA"
        ));
        assert!(is_key(p("cert.pem"), b"-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----\nMHc"));
        assert!(!is_key(
            p("cert.pem"),
            b"-----BEGIN CERTIFICATE-----\nMIIB\n"
        ));
        assert!(!is_key(p("pub.pem"), b"-----BEGIN PUBLIC KEY-----\nMFkw\n"));
        assert!(is_key(
            p("model.k"),
            b"q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\n"
        ));
        assert!(!is_key(
            p("notes.txt"),
            b"just some text that is not a key at all\n"
        ));
    }

    #[test]
    fn symbolic_modes() {
        assert_eq!(symbolic_mode(0o644), "-rw-r--r--");
        assert_eq!(symbolic_mode(0o666), "-rw-rw-rw-");
        assert_eq!(symbolic_mode(0o640), "-rw-r-----");
    }
}
