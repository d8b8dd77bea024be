//! Host checks for `aigis scan --host` on Linux: listening TCP/UDP sockets
//! other than 443 (from `/proc/net`, with their owning processes when
//! readable), permissions of model and key files under the scanned paths,
//! the scan running as root, docker's `daemon.json` and the Docker socket.
//!
//! A library: it reads the host (only through [`HostOptions`]' roots and the
//! scanned paths), returns findings and never prints. Findings that are not
//! about a file carry a pseudo-location `host:WHAT` (`host:port/tcp/8080`,
//! `host:/proc/net/tcp`); `daemon.json` findings carry its path as seen from
//! the host root with line and column. Every read is bounded; what could not
//! be read or parsed is a `host-check-inconclusive` finding, never silence.

mod files;
mod owners;
pub mod procnet;
mod sockets;
mod system;

use std::io::Read;
use std::path::{Path, PathBuf};

use aigis_findings::{Finding, Location};

pub use files::{ModelClassifier, Sensitive, classify, is_key};

/// The prefix of pseudo-locations of host findings.
pub const HOST_SCHEME: &str = "host:";

/// Where the proc file system is (`/proc`; a fixture tree in tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcRoot(PathBuf);

impl ProcRoot {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ProcRoot(path.into())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// Where the host checks look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostOptions {
    /// The host's root directory: `etc/docker/daemon.json` and
    /// `var/run/docker.sock` are read below it.
    pub root: PathBuf,
    pub proc_root: ProcRoot,
}

impl HostOptions {
    /// This host: `/` and `/proc`.
    pub fn system() -> Self {
        HostOptions::under("/")
    }

    /// A host tree at `root` (tests: a fixture with `proc/`, `etc/`, `var/`).
    pub fn under(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        HostOptions {
            proc_root: ProcRoot::new(root.join("proc")),
            root,
        }
    }
}

/// Run every host check. `paths` are the scanned paths whose model and key
/// files get their permissions checked; `is_model` recognises model files.
/// Findings are ordered by location, then rule.
pub fn check(opts: &HostOptions, paths: &[PathBuf], is_model: ModelClassifier<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    sockets::check(&opts.proc_root, &mut out);
    system::check_root(opts, &mut out);
    system::check_docker(opts, &mut out);
    files::check(paths, is_model, &mut out);
    out.sort_by(|a, b| {
        (
            &a.location.path,
            a.location.line,
            &a.rule_id,
            &a.fingerprint,
        )
            .cmp(&(
                &b.location.path,
                b.location.line,
                &b.rule_id,
                &b.fingerprint,
            ))
    });
    out
}

/// `host:WHAT`.
pub fn host_location(what: &str) -> Location {
    Location::file(format!("{HOST_SCHEME}{what}"))
}

/// A `host-check-inconclusive` finding at `host:WHAT`.
fn inconclusive(what: &str, message: String) -> Finding {
    let key = message.clone();
    Finding::new(
        &crate::rules::host::HOST_CHECK_INCONCLUSIVE,
        host_location(what),
        message,
        &key,
    )
}

/// Up to `max` bytes of `path`, and whether there was more.
fn read_bounded(path: &Path, max: u64) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)?;
    let cut = buf.len() as u64 > max;
    if cut {
        buf.truncate(usize::try_from(max).unwrap_or(usize::MAX));
        // Parse whole lines only.
        let end = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        buf.truncate(end);
    }
    Ok((buf, cut))
}

#[cfg(test)]
mod tests;
