//! The host around the scan: the effective uid of the scanning process
//! (`/proc/self/status` under the proc root), docker's `daemon.json` (through
//! the daemon rules of this crate) and the Docker socket's permissions, both
//! under the host root.

use std::os::unix::fs::PermissionsExt;

use aigis_findings::{Finding, Location};

use super::{HostOptions, host_location, inconclusive, read_bounded};
use crate::limits::MAX_CONFIG_BYTES;
use crate::rules::host as r;

/// Bytes of `/proc/self/status` read (about 1.5 KB on current kernels).
pub const MAX_STATUS_BYTES: u64 = 64 << 10;
/// Where docker's configuration is, relative to the host root.
pub const DAEMON_JSON: &str = "etc/docker/daemon.json";
/// Where the Docker socket may be, relative to the host root (`/var/run` is
/// usually a link to `/run`; both are looked at, the first found is judged).
pub const DOCKER_SOCKETS: &[&str] = &["var/run/docker.sock", "run/docker.sock"];

pub(super) fn check_root(opts: &HostOptions, out: &mut Vec<Finding>) {
    const SHOWN: &str = "/proc/self/status";
    let path = opts.proc_root.path().join("self").join("status");
    let bytes = match read_bounded(&path, MAX_STATUS_BYTES) {
        Ok((b, _)) => b,
        Err(e) => {
            out.push(inconclusive(SHOWN, format!("cannot read {SHOWN}: {e}")));
            return;
        }
    };
    match effective_uid(&String::from_utf8_lossy(&bytes)) {
        Some(0) => out.push(
            Finding::new(
                &r::RUNNING_AS_ROOT,
                host_location("process/uid"),
                "the scan runs as root (effective uid 0); model servers should not",
                "euid 0",
            )
            .with_evidence("/proc/self/status: Uid effective 0"),
        ),
        Some(_) => {}
        None => out.push(inconclusive(
            SHOWN,
            format!("{SHOWN} has no readable Uid line"),
        )),
    }
}

/// The second field of `Uid:\treal\teffective\tsaved\tfs`.
pub fn effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.get(4..)?.split_ascii_whitespace().nth(1)?.parse().ok()
}

pub(super) fn check_docker(opts: &HostOptions, out: &mut Vec<Finding>) {
    let daemon = opts.root.join(DAEMON_JSON);
    let shown = format!("/{DAEMON_JSON}");
    match read_bounded(&daemon, MAX_CONFIG_BYTES as u64) {
        Ok((_, true)) => out.push(Finding::new(
            &crate::rules::common::CONFIG_INCONCLUSIVE,
            Location::file(shown.clone()),
            format!("{shown} is larger than {MAX_CONFIG_BYTES} bytes"),
            "size",
        )),
        Ok((bytes, false)) => {
            for f in crate::analyze_daemon_json(&String::from_utf8_lossy(&bytes)) {
                let loc = Location {
                    line: Some(f.line),
                    column: Some(f.column),
                    ..Location::file(shown.clone())
                };
                let mut finding =
                    Finding::new(f.rule, loc, f.message, &f.key).with_severity(f.severity);
                if !f.evidence.is_empty() {
                    finding.evidence = Some(f.evidence);
                }
                out.push(finding);
            }
        }
        // No docker daemon configured on this host: nothing to judge.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => out.push(inconclusive(&shown, format!("cannot read {shown}: {e}"))),
    }
    for rel in DOCKER_SOCKETS {
        let Ok(meta) = std::fs::metadata(opts.root.join(rel)) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o002 != 0 {
            out.push(
                Finding::new(
                    &r::DOCKER_SOCKET_WORLD_WRITABLE,
                    host_location(&format!("/{rel}")),
                    format!("the Docker socket /{rel} is writable by every user (mode {mode:04o})"),
                    "docker.sock o+w",
                )
                .with_evidence(format!("/{rel} mode {mode:04o}")),
            );
        }
        break;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_uid_is_the_second_field() {
        assert_eq!(effective_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n"), Some(0));
        assert_eq!(effective_uid("Uid:\t0\t1000\t1000\t1000\n"), Some(1000));
        assert_eq!(effective_uid("Uid:\t0\n"), None);
        assert_eq!(effective_uid("Gid:\t0\t0\t0\t0\n"), None);
    }
}
