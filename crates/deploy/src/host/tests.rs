//! The host checks against the fixture trees under `tests/fixtures/host`
//! (real `/proc/net` lines, IPv6, malformed lines, `fd` links), copied to a
//! temporary directory so that file modes (which git does not keep) can be
//! set: `busy` must fire every host rule, `quiet` none.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/host")
        .join(name)
}

/// Copy a tree, keeping symbolic links as links.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if t.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn write(dir: &Path, name: &str, data: &[u8], mode: u32) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    chmod(&p, mode);
    p
}

const PEM_KEY: &[u8] = b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
const PICKLE: &[u8] = b"\x80\x02}q\x00.";

fn by_name(path: &Path, _head: &[u8]) -> bool {
    path.extension()
        .is_some_and(|e| e == "pt" || e == "safetensors")
}

/// A host tree from a fixture, the socket at `sock_mode`, and a models
/// directory with files of the given modes.
fn host(
    name: &str,
    sock_mode: u32,
    files: &[(&str, &[u8], u32)],
) -> (tempfile::TempDir, Vec<Finding>) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    copy_tree(&fixture(name), &root);
    chmod(&root.join("var/run/docker.sock"), sock_mode);
    let models = tmp.path().join("models");
    std::fs::create_dir(&models).unwrap();
    for (n, data, mode) in files {
        write(&models, n, data, *mode);
    }
    let found = check(&HostOptions::under(&root), &[models], &by_name);
    (tmp, found)
}

fn summary(found: &[Finding]) -> Vec<String> {
    found
        .iter()
        .map(|f| {
            let path = f.location.path.rsplit("/models/").next().unwrap_or("");
            format!("{} {} {} | {}", f.rule_id, f.severity, path, f.message)
        })
        .collect()
}

#[cfg(target_endian = "little")]
#[test]
fn busy_host_fires_every_host_rule() {
    let (_tmp, found) = host(
        "busy",
        0o666,
        &[
            ("tampered.pt", PICKLE, 0o666),
            ("shared.safetensors", b"{}", 0o644),
            ("server.key", b"k", 0o644),
            ("id_ed25519", PEM_KEY, 0o640),
            ("private.pt", PICKLE, 0o600),
            ("ca.pem", b"-----BEGIN CERTIFICATE-----\nMII\n", 0o644),
        ],
    );
    let got = summary(&found);
    let want = [
        "AIG574 critical /etc/docker/daemon.json | the daemon listens on tcp://0.0.0.0:2375 without TLS client verification",
        "AIG629 medium host:/proc/net/tcp6 | /proc/net/tcp6: 1 malformed line(s) (first at line 4: address has no ':')",
        "AIG628 critical host:/var/run/docker.sock | the Docker socket /var/run/docker.sock is writable by every user (mode 0666)",
        "AIG622 medium host:port/tcp/22 | tcp port 22 listens on all interfaces (0.0.0.0), process sshd (pid 801)",
        "AIG621 low host:port/tcp/3306 | tcp port 3306 listens on loopback (::1), owner not readable (uid 999; run as root or as that user to see it)",
        "AIG620 medium host:port/tcp/8000 | tcp port 8000 listens on all interfaces (0.0.0.0), owner not readable (uid 998; run as root or as that user to see it)",
        "AIG621 low host:port/tcp/8080 | tcp port 8080 listens on loopback (127.0.0.1), process python3 (pid 4121)",
        "AIG620 medium host:port/tcp/8501 | tcp port 8501 listens on all interfaces (::), process python3 (pid 4121)",
        "AIG621 low host:port/udp/53 | udp port 53 is bound on loopback (127.0.0.53), owner not readable (uid 101; run as root or as that user to see it)",
        "AIG620 medium host:port/udp/5353 | udp port 5353 is bound on all interfaces (0.0.0.0), owner not readable (uid 107; run as root or as that user to see it)",
        "AIG627 medium host:process/uid | the scan runs as root (effective uid 0); model servers should not",
    ];
    let host_part: Vec<&String> = got
        .iter()
        .filter(|s| {
            !s.contains(" models/")
                && !s.contains("id_ed25519")
                && !s.contains(".key")
                && !s.contains(".pt")
                && !s.contains(".safetensors")
        })
        .collect();
    assert_eq!(host_part, want.iter().collect::<Vec<_>>(), "{got:#?}");
    let file_part: Vec<&String> = got.iter().filter(|s| !host_part.contains(s)).collect();
    assert_eq!(
        file_part,
        [
            "AIG626 medium id_ed25519 | key file is readable by its group (mode 0640)",
            "AIG625 high server.key | key file is readable by every user (mode 0644)",
            "AIG624 low shared.safetensors | model file is readable by every user (mode 0644)",
            "AIG623 high tampered.pt | model file is writable by every user (mode 0666)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .iter()
        .collect::<Vec<_>>(),
        "{got:#?}"
    );
    for r in crate::rules()
        .iter()
        .filter(|r| r.name.starts_with("host-"))
    {
        assert!(
            found.iter().any(|f| f.rule_id == r.id),
            "{} did not fire",
            r.id
        );
    }
}

#[test]
fn quiet_host_fires_nothing() {
    let (_tmp, found) = host(
        "quiet",
        0o660,
        &[
            ("private.pt", PICKLE, 0o600),
            ("group.pt", PICKLE, 0o640),
            ("server.key", PEM_KEY, 0o600),
            ("ca.pem", b"-----BEGIN CERTIFICATE-----\nMII\n", 0o644),
            ("notes.txt", b"hello", 0o666),
        ],
    );
    assert!(found.is_empty(), "{:#?}", summary(&found));
}

#[test]
fn fingerprints_do_not_depend_on_inodes_or_processes() {
    let (_t1, a) = host("busy", 0o666, &[]);
    let (_t2, b) = host("busy", 0o666, &[]);
    let port = |v: &[Finding]| {
        v.iter()
            .find(|f| f.location.path == "host:port/tcp/8501")
            .map(|f| f.fingerprint.clone())
    };
    assert!(port(&a).is_some());
    assert_eq!(port(&a), port(&b));
}

#[test]
fn a_missing_proc_is_inconclusive_not_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let found = check(&HostOptions::under(tmp.path()), &[], &by_name);
    let rules: Vec<&str> = found.iter().map(|f| f.rule_id.as_str()).collect();
    // tcp, tcp6 (no v4 table seen), udp, udp6, /proc/self/status.
    assert_eq!(rules, ["AIG629"; 5], "{:#?}", summary(&found));
    assert!(
        found
            .iter()
            .all(|f| f.verdict == aigis_findings::Verdict::Inconclusive)
    );
}

#[test]
fn symlinks_are_not_followed_in_the_permission_walk() {
    let tmp = tempfile::tempdir().unwrap();
    let target = write(tmp.path(), "real.key", PEM_KEY, 0o644);
    let dir = tmp.path().join("scan");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("link.key")).unwrap();
    let mut out = Vec::new();
    files::check(&[dir], &by_name, &mut out);
    assert!(out.is_empty(), "{:#?}", summary(&out));
}

#[test]
fn an_owner_in_no_visible_process_is_said_to_be_invisible_not_unreadable() {
    let tmp = tempfile::tempdir().unwrap();
    let net = tmp.path().join("proc/net");
    std::fs::create_dir_all(&net).unwrap();
    std::fs::create_dir_all(tmp.path().join("proc/1/fd")).unwrap();
    std::fs::write(
        net.join("tcp"),
        "  sl  local_address rem_address   st\n   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77 1\n",
    )
    .unwrap();
    for t in ["tcp6", "udp", "udp6"] {
        std::fs::write(net.join(t), "  sl  local_address\n").unwrap();
    }
    let mut out = Vec::new();
    sockets::check(&ProcRoot::new(tmp.path().join("proc")), &mut out);
    assert_eq!(out.len(), 1, "{:#?}", summary(&out));
    assert!(
        out[0]
            .message
            .ends_with("owner not visible (uid 1000; no process here holds it)"),
        "{}",
        out[0].message
    );
}
