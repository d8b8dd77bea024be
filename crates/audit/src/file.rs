//! Opening, resuming and rotating the log file.
//!
//! Files are created with mode 0600. An existing file that group or others
//! can access is refused ([`AuditError::LoosePermissions`]) rather than
//! silently tightened: someone may already have read it, and the operator
//! should know. Symbolic links and non-regular files are refused too.
//!
//! Resuming reads the file's tail to continue the chain: the last complete
//! line's hash and seq. A file that ends in a partial line (a crash
//! mid-write) is not appended to: it is rotated aside under a timestamped
//! name and the new file's genesis links to its last complete line, marked
//! `predecessor_damaged`, so that `verify` reports the truncation in the old
//! file and the chain continues in the new one.

use crate::AuditError;
use crate::line::{GENESIS_PREV, MAX_LINE_BYTES, line_hash, parse_line};
use crate::time::Civil;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where an existing file's chain stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tail {
    /// Hash of the last complete line, or [`GENESIS_PREV`].
    pub hash: String,
    /// Seq of the last complete line (`None` when there is none).
    pub seq: Option<u64>,
    /// The file ends in an incomplete or unparseable line.
    pub damaged: bool,
}

/// Refuse anything but a regular file private to its owner.
pub(crate) fn check_existing(path: &Path) -> Result<Option<u64>, AuditError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(AuditError::io(path, e)),
    };
    if !meta.file_type().is_file() {
        return Err(AuditError::NotAFile(path.to_path_buf()));
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(AuditError::LoosePermissions {
            path: path.to_path_buf(),
            mode: mode & 0o7777,
        });
    }
    Ok(Some(meta.len()))
}

/// Open for appending (creating with mode 0600).
pub(crate) fn open_append(path: &Path) -> Result<File, AuditError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| AuditError::io(path, e))
}

/// Read where the chain in an existing file stands.
pub(crate) fn read_tail(path: &Path, len: u64) -> Result<Tail, AuditError> {
    let mut f = File::open(path).map_err(|e| AuditError::io(path, e))?;
    let window = u64::try_from(MAX_LINE_BYTES.saturating_mul(2)).unwrap_or(u64::MAX);
    let start = len.saturating_sub(window);
    f.seek(SeekFrom::Start(start))
        .map_err(|e| AuditError::io(path, e))?;
    let mut buf = Vec::new();
    f.take(window)
        .read_to_end(&mut buf)
        .map_err(|e| AuditError::io(path, e))?;
    Ok(tail_of(&buf))
}

fn tail_of(buf: &[u8]) -> Tail {
    let ends_clean = buf.last() == Some(&b'\n');
    let body = if ends_clean {
        buf.get(..buf.len() - 1).unwrap_or(&[])
    } else {
        buf
    };
    // The last complete line: up to the last '\n' when the end is partial.
    let complete = if ends_clean {
        body
    } else {
        match body.iter().rposition(|&b| b == b'\n') {
            Some(i) => body.get(..i).unwrap_or(&[]),
            None => &[],
        }
    };
    let last = match complete.iter().rposition(|&b| b == b'\n') {
        Some(i) => complete.get(i + 1..).unwrap_or(&[]),
        None => complete,
    };
    match parse_line(last, MAX_LINE_BYTES) {
        Ok(line) => Tail {
            hash: line_hash(last),
            seq: Some(line.seq),
            damaged: !ends_clean,
        },
        Err(_) => Tail {
            hash: GENESIS_PREV.to_string(),
            seq: None,
            damaged: !buf.is_empty(),
        },
    }
}

/// `dir/stem.20261202T064500.123Z.ext` for the current time; if that name
/// exists (two rotations in one millisecond), waits for the next
/// millisecond, so that names always sort in rotation order.
pub(crate) fn rotated_name(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audit".into());
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new(""));
    let name = || {
        let stamp = Civil::from_system(SystemTime::now()).compact();
        dir.join(format!("{stem}.{stamp}{ext}"))
    };
    let mut candidate = name();
    for _ in 0..1000 {
        if !candidate.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
        candidate = name();
    }
    candidate
}

/// Make sure a created file has mode 0600 whatever the umask did.
pub(crate) fn force_private(path: &Path, f: &File) -> Result<(), AuditError> {
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(|e| AuditError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_of_a_clean_and_a_partial_file() {
        let l1 = format!(r#"{{"seq":0,"prev":"{GENESIS_PREV}","gap":{{"dropped":1,"time":"t"}}}}"#);
        let l2 = format!(
            r#"{{"seq":1,"prev":"{}","gap":{{"dropped":2,"time":"t"}}}}"#,
            line_hash(l1.as_bytes())
        );
        let clean = format!("{l1}\n{l2}\n");
        let t = tail_of(clean.as_bytes());
        assert_eq!(t.seq, Some(1));
        assert_eq!(t.hash, line_hash(l2.as_bytes()));
        assert!(!t.damaged);
        let partial = format!("{l1}\n{l2}\n{{\"seq\":2,\"pr");
        let t = tail_of(partial.as_bytes());
        assert_eq!((t.seq, t.damaged), (Some(1), true));
        let t = tail_of(b"");
        assert_eq!((t.seq, t.damaged), (None, false));
    }
}
