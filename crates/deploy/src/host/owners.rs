//! Which process owns a socket: every `/proc/PID/fd/N` that is a link to
//! `socket:[INODE]` names its process. Bounded (processes, descriptors per
//! process, descriptors in all) and tolerant: a process that vanished or
//! whose descriptors the scan may not read is counted, never an error.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;

/// Process directories looked at (lowest pids first).
pub const MAX_PROCESSES: usize = 8_192;
/// Entries read from the proc root's listing before sorting.
pub const MAX_PROC_ENTRIES: usize = 65_536;
/// Descriptors read per process.
pub const MAX_FDS_PER_PROCESS: usize = 16_384;
/// Descriptors read over all processes.
pub const MAX_FDS_TOTAL: usize = 400_000;
/// Bytes of `/proc/PID/comm` read (the kernel keeps 15 plus a newline).
pub const MAX_COMM_BYTES: u64 = 64;

/// The process holding a socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    /// The command name (`/proc/PID/comm`), control characters removed; empty if unreadable.
    pub comm: String,
}

/// What the walk found and how complete it was.
#[derive(Clone, Debug, Default)]
pub struct Owners {
    pub by_inode: BTreeMap<u64, Owner>,
    /// Processes whose descriptors could not be listed (permissions, gone).
    pub unreadable: usize,
    /// A limit stopped the walk before every process was seen.
    pub truncated: bool,
}

/// Find the owners of `wanted` socket inodes under `proc_root`; stops early
/// once every one is found.
pub fn find(proc_root: &Path, wanted: &HashSet<u64>) -> Owners {
    let mut out = Owners::default();
    if wanted.is_empty() {
        return out;
    }
    let Ok(listing) = std::fs::read_dir(proc_root) else {
        out.unreadable = 1;
        return out;
    };
    let mut pids: Vec<u32> = Vec::new();
    for entry in listing.take(MAX_PROC_ENTRIES).flatten() {
        if let Some(pid) = entry.file_name().to_str().and_then(pid_of) {
            pids.push(pid);
        }
    }
    pids.sort_unstable();
    if pids.len() > MAX_PROCESSES {
        pids.truncate(MAX_PROCESSES);
        out.truncated = true;
    }
    let mut fds_seen = 0usize;
    for pid in pids {
        let dir = proc_root.join(pid.to_string());
        let Ok(fds) = std::fs::read_dir(dir.join("fd")) else {
            out.unreadable = out.unreadable.saturating_add(1);
            continue;
        };
        for fd in fds.take(MAX_FDS_PER_PROCESS).flatten() {
            fds_seen = fds_seen.saturating_add(1);
            if fds_seen > MAX_FDS_TOTAL {
                out.truncated = true;
                return out;
            }
            let Some(inode) = std::fs::read_link(fd.path())
                .ok()
                .and_then(|t| t.to_str().and_then(socket_inode))
            else {
                continue;
            };
            if wanted.contains(&inode) && !out.by_inode.contains_key(&inode) {
                let comm = read_comm(&dir.join("comm"));
                out.by_inode.insert(inode, Owner { pid, comm });
                if out.by_inode.len() == wanted.len() {
                    return out;
                }
            }
        }
    }
    out
}

/// A process directory name: decimal digits only.
fn pid_of(name: &str) -> Option<u32> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

/// `socket:[12345]` -> 12345.
pub fn socket_inode(target: &str) -> Option<u64> {
    let digits = target.strip_prefix("socket:[")?.strip_suffix(']')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn read_comm(path: &Path) -> String {
    let mut buf = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX_COMM_BYTES).read_to_end(&mut buf));
    if read.is_err() {
        return String::new();
    }
    String::from_utf8_lossy(&buf)
        .trim_end_matches('\n')
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_links_are_parsed_strictly() {
        assert_eq!(socket_inode("socket:[31337]"), Some(31337));
        assert_eq!(socket_inode("socket:[]"), None);
        assert_eq!(socket_inode("socket:[+1]"), None);
        assert_eq!(socket_inode("pipe:[12]"), None);
        assert_eq!(socket_inode("/dev/null"), None);
        assert_eq!(pid_of("self"), None);
        assert_eq!(pid_of("4121"), Some(4121));
    }
}
