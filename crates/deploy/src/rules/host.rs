//! Host rules (AIG620–AIG629): what `aigis scan --host` finds on the Linux
//! host it runs on — listening sockets, permissions of model and key files,
//! the scan running as root, the docker socket — and when it could not look.

use super::{Spec, rule};
use aigis_findings::{Rule, Severity, Verdict};

const PROC_NET: &str = "https://docs.kernel.org/networking/proc_net_tcp.html";
const CIS_DOCKER: &str = "CIS Docker Benchmark v1.6, 3.15 (docker.sock ownership) and \
                          3.16 (docker.sock permissions 660 or stricter)";

pub static PORT_OPEN_ON_NETWORK: Rule = rule(Spec {
    id: "AIG620",
    name: "host-port-open-on-network",
    severity: Severity::Medium,
    checklist: &["002#1", "000#11"],
    summary: "A TCP or UDP port other than 443 listens on a network interface",
    what: "Fires for every TCP socket in LISTEN state and every bound, unconnected UDP socket \
           (IPv4 and IPv6, from `/proc/net/tcp`, `tcp6`, `udp`, `udp6`) whose local address is \
           not loopback (all interfaces, `0.0.0.0`/`::`, or one address) and whose port is not \
           443 (port 22 is AIG622). The owning process (pid and command) is named when the \
           scan may read `/proc/PID/fd`; otherwise the message says the owner was not readable.",
    why: "The baseline allows only HTTPS on 443 from outside. Model servers (8000, 8080, 8501, \
          11434, 7860) usually speak plain HTTP without authentication; a port bound to every \
          interface is one firewall mistake away from the internet.",
    example: "tcp port 8000 listens on all interfaces (0.0.0.0), process uvicorn (pid 4121)",
    fix: "Bind model servers to 127.0.0.1 (or a Unix socket) and put a TLS-terminating, \
          authenticating proxy (the aigis gateway, nginx) on 443 in front of them; stop \
          services the host does not need.",
    references: &[PROC_NET],
});

pub static PORT_OPEN_ON_LOOPBACK: Rule = rule(Spec {
    id: "AIG621",
    name: "host-port-open-on-loopback",
    severity: Severity::Low,
    checklist: &["002#1", "000#11"],
    summary: "A TCP or UDP port other than 443 listens on loopback only",
    what: "Fires for listening TCP and bound UDP sockets on `127.0.0.0/8` or `::1` (port 443 \
           excepted; port 22 is AIG622), with the owning process when readable.",
    why: "Loopback listeners are not reachable from the network, but every local user and \
          every process on the host (a compromised notebook, a container with the host \
          network) can call them; an unauthenticated model server on loopback is still an \
          open door to anyone already on the host.",
    example: "tcp port 8080 listens on loopback (127.0.0.1), process python3 (pid 311)",
    fix: "Keep it if the service is meant to sit behind a local proxy; give it authentication \
          or a Unix socket with file permissions if other local users must not call it.",
    references: &[PROC_NET],
});

pub static SSH_PORT_OPEN: Rule = rule(Spec {
    id: "AIG622",
    name: "host-ssh-port-open",
    severity: Severity::Medium,
    checklist: &["002#1", "000#11"],
    summary: "Port 22 (SSH) listens on the host",
    what: "Fires for a TCP socket listening on port 22 (Low when bound to loopback only).",
    why: "SSH is a second remote entry point with its own credentials; the baseline exposes \
          only 443. On a serving host, administrative access belongs behind a bastion or VPN.",
    example: "tcp port 22 listens on all interfaces (::), process sshd (pid 801)",
    fix: "Restrict SSH to a management network or bastion (firewall, `ListenAddress`), or \
          disable it and use the platform's console or session manager.",
    references: &[PROC_NET],
});

pub static MODEL_FILE_WORLD_WRITABLE: Rule = rule(Spec {
    id: "AIG623",
    name: "host-model-file-world-writable",
    severity: Severity::High,
    checklist: &["000#13", "002#4", "002#1"],
    summary: "A model file under the scanned paths is writable by every user",
    what: "Fires on a regular file that the model scanners recognise (by content, or named like \
           a model) whose mode has the other-write bit (`o+w`). Symbolic links are not \
           followed.",
    why: "Anyone on the host can replace the weights: a pickle payload swapped in runs as the \
          model server at the next load, and a quietly altered model is a backdoor.",
    example: "-rw-rw-rw- models/classifier.pt",
    fix: "`chmod o-w FILE` (or 0640 owned by the serving user); verify the model's signature \
          (`aigis model verify`) after the change if it may already have been replaced.",
    references: &[],
});

pub static MODEL_FILE_OTHER_READABLE: Rule = rule(Spec {
    id: "AIG624",
    name: "host-model-file-other-readable",
    severity: Severity::Low,
    checklist: &["000#13", "002#4"],
    summary: "A model file under the scanned paths is readable by every user",
    what: "Fires on a model file (as AIG623 recognises them) with the other-read bit (`o+r`) \
           and without `o+w` (which is AIG623).",
    why: "Proprietary or fine-tuned weights are an asset; every local account and every \
          process of another user can copy them.",
    example: "-rw-r--r-- models/finetuned.safetensors",
    fix: "`chmod o-r FILE` and give read access through the serving user's group (0640).",
    references: &[],
});

pub static KEY_FILE_OTHER_READABLE: Rule = rule(Spec {
    id: "AIG625",
    name: "host-key-file-other-readable",
    severity: Severity::High,
    checklist: &["000#13", "002#4", "000#6"],
    summary: "A private key or encryption key file is readable or writable by every user",
    what: "Fires on a key file with the other-read or other-write bit. Key files are: names \
           ending in `.key`, SSH key names (`id_rsa`, `id_ecdsa`, `id_ed25519`, `id_dsa`), \
           files whose first 4 KiB hold a PEM private key block (`-----BEGIN ... PRIVATE \
           KEY-----`, whatever the name; a `.pem` holding only certificates is not a key), and \
           aigis model encryption keys (one line of base64 of 32 bytes, what `aigis model \
           keygen` writes).",
    why: "Every local user can read the TLS, signing or model-encryption key: a signature or \
          an encrypted model is worth no more than the secrecy of its key. A writable key can \
          be replaced.",
    example: "-rw-r--r-- deploy/tls/server.key",
    fix: "`chmod 600 FILE` (owner only), then rotate the key if other users could have read \
          it.",
    references: &[],
});

pub static KEY_FILE_GROUP_READABLE: Rule = rule(Spec {
    id: "AIG626",
    name: "host-key-file-group-readable",
    severity: Severity::Medium,
    checklist: &["000#13", "002#4", "000#6"],
    summary: "A private key or encryption key file is readable by its group",
    what: "Fires on a key file (as AIG625 recognises them) with the group-read bit and neither \
           other-read nor other-write.",
    why: "Every member of the file's group can read the key; that is sometimes intended (a \
          `ssl-cert` group) but widens who holds the secret.",
    example: "-rw-r----- keys/model.key",
    fix: "`chmod 600 FILE` unless a dedicated group of service accounts needs the key.",
    references: &[],
});

pub static RUNNING_AS_ROOT: Rule = rule(Spec {
    id: "AIG627",
    name: "host-running-as-root",
    severity: Severity::Medium,
    checklist: &["000#13", "002#4", "002#1"],
    summary: "The scan runs with effective uid 0 (root)",
    what: "Fires when the process running `aigis scan --host` has effective uid 0 (from \
           `/proc/self/status`). It observes only the scanning process; it says nothing \
           about the model servers, whose owners the socket findings name.",
    why: "aigis itself needs no root for a scan (only to name the owners of other users' \
          sockets). If model servers and tooling on this host are run the same way, a \
          deserialization payload in a model runs as root; serve models as an unprivileged \
          user.",
    example: "the scan runs as root (effective uid 0)",
    fix: "Run scans and model servers as dedicated unprivileged users (`User=` in systemd, \
          `USER` in images, `runAsNonRoot` in Kubernetes).",
    references: &[],
});

pub static DOCKER_SOCKET_WORLD_WRITABLE: Rule = rule(Spec {
    id: "AIG628",
    name: "host-docker-socket-world-writable",
    severity: Severity::Critical,
    checklist: &["002#2", "000#13", "002#4"],
    summary: "The Docker socket is writable by every user",
    what: "Fires when `/var/run/docker.sock` (or `/run/docker.sock`) under the host root has \
           the other-write bit. The docker `daemon.json` of the host root is checked by the \
           daemon rules AIG570–AIG575.",
    why: "Write access to the Docker API is root on the host (start a privileged container \
          mounting `/`); a world-writable socket hands that to every local user.",
    example: "srw-rw-rw- /var/run/docker.sock",
    fix: "`chmod 660 /var/run/docker.sock` owned by `root:docker` (the daemon's default), \
          and keep the docker group small.",
    references: &[CIS_DOCKER],
});

pub static HOST_CHECK_INCONCLUSIVE: Rule = {
    let mut r = rule(Spec {
        id: "AIG629",
        name: "host-check-inconclusive",
        severity: Severity::Medium,
        checklist: &["002#1"],
        summary: "A host check could not be completed (unreadable, malformed, over a limit)",
        what: "Fires when a `/proc` table could not be read or held malformed lines, when a \
               limit (bytes, lines, files walked) stopped a check, or when the effective uid \
               could not be read. The message says which and why.",
        why: "A host whose sockets or files were not all seen cannot be called clean.",
        example: "host:/proc/net/tcp6: 2 malformed lines (first at line 4: local address is \
                  not 32 hex digits)",
        fix: "Run on Linux with `/proc` mounted; raise nothing unless a legitimate host exceeds \
              a limit (then split the scanned paths).",
        references: &[PROC_NET],
    });
    r.verdict = Verdict::Inconclusive;
    r
};
