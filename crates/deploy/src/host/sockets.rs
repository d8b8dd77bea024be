//! Listening sockets as findings: read the four `/proc/net` tables under the
//! proc root, keep listeners (TCP LISTEN, bound unconnected UDP) other than
//! port 443, name their owners when readable, and report each distinct
//! (protocol, address, port) once.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use aigis_findings::{Finding, Severity};

use super::procnet::{self, Entry, Table};
use super::{ProcRoot, host_location, inconclusive, owners, read_bounded};
use crate::rules::host as r;

/// Bytes read from one `/proc/net` table (a host with 100,000 connections
/// has a table of about 15 MB).
pub const MAX_TABLE_BYTES: u64 = 64 << 20;
/// Listeners reported; more are summarised in one inconclusive finding.
pub const MAX_LISTENERS: usize = 4_096;
/// The one port the baseline allows to be exposed.
pub const ALLOWED_PORT: u16 = 443;

/// One listener, merged over duplicate sockets (`SO_REUSEPORT` workers).
struct Listener {
    table: Table,
    entry: Entry,
    inodes: Vec<u64>,
}

pub(super) fn check(proc: &ProcRoot, out: &mut Vec<Finding>) {
    let mut listeners: BTreeMap<(Table, IpAddr, u16), Listener> = BTreeMap::new();
    let mut v4_present = false;
    for table in Table::ALL {
        let shown = format!("/proc/net/{}", table.file_name());
        let path = proc.path().join("net").join(table.file_name());
        let (bytes, cut) = match read_bounded(&path, MAX_TABLE_BYTES) {
            Ok(b) => b,
            // A kernel without IPv6 has no tcp6/udp6: only their absence alone is fine.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && table.is_v6() && v4_present => {
                continue;
            }
            Err(e) => {
                out.push(inconclusive(&shown, format!("cannot read {shown}: {e}")));
                continue;
            }
        };
        v4_present |= !table.is_v6();
        let parsed = procnet::parse(table, &bytes);
        if cut || parsed.truncated {
            out.push(inconclusive(
                &shown,
                format!("{shown} is over the reading limit; later sockets were not seen"),
            ));
        }
        if let Some((line, why)) = parsed.examples.first() {
            out.push(inconclusive(
                &shown,
                format!(
                    "{shown}: {} malformed line(s) (first at line {line}: {why})",
                    parsed.malformed
                ),
            ));
        }
        for e in parsed.entries {
            if !e.is_listener(table) || e.local_port == ALLOWED_PORT {
                continue;
            }
            let key = (table, e.local, e.local_port);
            if let Some(l) = listeners.get_mut(&key) {
                l.inodes.push(e.inode);
            } else if listeners.len() < MAX_LISTENERS {
                listeners.insert(
                    key,
                    Listener {
                        table,
                        inodes: vec![e.inode],
                        entry: e,
                    },
                );
            }
        }
    }
    if listeners.len() >= MAX_LISTENERS {
        out.push(inconclusive(
            "/proc/net",
            format!("more than {MAX_LISTENERS} listening sockets; the rest were not reported"),
        ));
    }
    let wanted: HashSet<u64> = listeners
        .values()
        .flat_map(|l| l.inodes.iter().copied())
        .filter(|&i| i != 0)
        .collect();
    let found = owners::find(proc.path(), &wanted);
    for l in listeners.values() {
        out.push(finding(l, &found));
    }
}

fn finding(l: &Listener, owners: &owners::Owners) -> Finding {
    let e = &l.entry;
    let proto = l.table.protocol();
    let loopback = procnet::is_loopback(&e.local);
    let unspecified = e.local.is_unspecified();
    let (rule, mut severity) = match (e.local_port, loopback) {
        (22, _) if l.table.is_tcp() => (&r::SSH_PORT_OPEN, r::SSH_PORT_OPEN.severity),
        (_, true) => (&r::PORT_OPEN_ON_LOOPBACK, r::PORT_OPEN_ON_LOOPBACK.severity),
        (_, false) => (&r::PORT_OPEN_ON_NETWORK, r::PORT_OPEN_ON_NETWORK.severity),
    };
    if rule.id == r::SSH_PORT_OPEN.id && loopback {
        severity = Severity::Low;
    }
    let where_ = if unspecified {
        format!("all interfaces ({})", e.local)
    } else if loopback {
        format!("loopback ({})", e.local)
    } else {
        format!("address {}", e.local)
    };
    let owner = l
        .inodes
        .iter()
        .find_map(|i| owners.by_inode.get(i))
        .map(|o| {
            let comm = if o.comm.is_empty() { "?" } else { &o.comm };
            format!("process {comm} (pid {})", o.pid)
        })
        .unwrap_or_else(|| {
            if owners.unreadable == 0 && !owners.truncated {
                // Every visible process was read: the holder lives in another
                // PID namespace (a container) or is gone.
                format!(
                    "owner not visible (uid {}; no process here holds it)",
                    e.uid
                )
            } else {
                format!(
                    "owner not readable (uid {}; run as root or as that user to see it)",
                    e.uid
                )
            }
        });
    let verb = if l.table.is_tcp() {
        "listens"
    } else {
        "is bound"
    };
    let message = format!("{proto} port {} {verb} on {where_}, {owner}", e.local_port);
    let evidence = format!(
        "/proc/net/{} line {}: {} port {} uid {} inode {}",
        l.table.file_name(),
        e.line,
        e.local,
        e.local_port,
        e.uid,
        e.inode
    );
    // The fingerprint: what listens where, not which inode or process (they
    // change at every restart).
    let key = format!("{} {} {}", l.table.file_name(), e.local, e.local_port);
    let location = host_location(&format!("port/{proto}/{}", e.local_port));
    Finding::new(rule, location, message, &key)
        .with_severity(severity)
        .with_evidence(evidence)
}
