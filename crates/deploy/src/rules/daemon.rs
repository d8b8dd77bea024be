//! docker `daemon.json` rules (AIG570–AIG589).

use super::{Spec, rule};
use aigis_findings::{Rule, Severity};

const CIS: &str = "CIS Docker Benchmark v1.6, section 2 (Docker daemon configuration)";
const REF: &str = "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file";

pub static NO_USERNS: Rule = rule(Spec {
    id: "AIG570",
    name: "docker-userns-remap-absent",
    severity: Severity::Medium,
    checklist: &["002#2", "000#13"],
    summary: "daemon.json does not enable user namespace remapping",
    what: "Fires when `userns-remap` is absent or empty.",
    why: "Without user namespaces, root in a container is root on the host; remapping makes a \
          container escape land as an unprivileged host user.",
    example: "{ \"log-driver\": \"json-file\" }",
    fix: "`\"userns-remap\": \"default\"` (check volume ownership after enabling).",
    references: &[CIS, "https://docs.docker.com/engine/security/userns-remap/"],
});

pub static ICC: Rule = rule(Spec {
    id: "AIG571",
    name: "docker-icc-enabled",
    severity: Severity::Medium,
    checklist: &["000#11", "002#2"],
    summary: "Inter-container communication on the default bridge is allowed",
    what: "Fires when `icc` is true or absent (docker's default is true).",
    why: "Every container on the default bridge can reach every other one's ports, including \
          model servers that trust their network.",
    example: "{ \"icc\": true }",
    fix: "`\"icc\": false` and connect services through user-defined networks.",
    references: &[CIS, REF],
});

pub static NO_LIVE_RESTORE: Rule = rule(Spec {
    id: "AIG572",
    name: "docker-live-restore-disabled",
    severity: Severity::Low,
    checklist: &["000#14", "002#2"],
    summary: "live-restore is not enabled",
    what: "Fires when `live-restore` is false or absent (docker's default is false).",
    why: "Without it, patching or restarting the daemon stops every container, which \
          discourages timely runtime updates.",
    example: "{ \"live-restore\": false }",
    fix: "`\"live-restore\": true`.",
    references: &[CIS, REF],
});

pub static NO_NEW_PRIVILEGES: Rule = rule(Spec {
    id: "AIG573",
    name: "docker-no-new-privileges-disabled",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "Containers may gain new privileges (no-new-privileges not set)",
    what: "Fires when `no-new-privileges` is false or absent.",
    why: "setuid binaries inside containers can raise privileges; the daemon-wide flag turns \
          that off for every container.",
    example: "{ \"no-new-privileges\": false }",
    fix: "`\"no-new-privileges\": true`.",
    references: &[CIS, REF],
});

pub static TCP_NO_TLS: Rule = rule(Spec {
    id: "AIG574",
    name: "docker-tcp-socket-without-tls",
    severity: Severity::Critical,
    checklist: &["002#1", "002#2", "000#11"],
    summary: "The daemon listens on TCP without TLS client verification",
    what: "Fires on a `tcp://` entry in `hosts` when `tlsverify` is not true (with CA, \
           certificate and key).",
    why: "The Docker API on the network without mutual TLS is unauthenticated root on the \
          host for anyone who can connect (port 2375 is scanned constantly).",
    example: "{ \"hosts\": [\"tcp://0.0.0.0:2375\"] }",
    fix: "Remove the TCP listener (use SSH: `docker -H ssh://host`) or set `tlsverify`, \
          `tlscacert`, `tlscert` and `tlskey`.",
    references: &[
        CIS,
        "https://docs.docker.com/engine/security/protect-access/",
    ],
});

pub static INSECURE_REGISTRY: Rule = rule(Spec {
    id: "AIG575",
    name: "docker-insecure-registry",
    severity: Severity::High,
    checklist: &["000#14", "002#2"],
    summary: "insecure-registries allows pulling over plain HTTP or unverified TLS",
    what: "Fires on every entry of `insecure-registries`.",
    why: "Images (and the model weights baked in) pulled from such a registry can be replaced \
          in transit.",
    example: "{ \"insecure-registries\": [\"registry.local:5000\"] }",
    fix: "Give the registry a certificate trusted by the host and remove the entry.",
    references: &[CIS, REF],
});
