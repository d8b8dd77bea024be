//! docker-compose rules (AIG440–AIG469).

use super::{Spec, rule};
use aigis_findings::{Rule, Severity};

const SPEC: &str = "https://docs.docker.com/reference/compose-file/services/";
const CIS: &str = "CIS Docker Benchmark v1.6, section 5 (container runtime)";

pub static PRIVILEGED: Rule = rule(Spec {
    id: "AIG440",
    name: "compose-privileged-service",
    severity: Severity::Critical,
    checklist: &["000#13", "002#2"],
    summary: "Service runs privileged",
    what: "Fires on `privileged: true` in a service.",
    why: "A privileged container has every capability and every host device; escaping it is \
          trivial. GPU access does not need it (use the NVIDIA runtime or device requests).",
    example: "services:\n  triton:\n    privileged: true",
    fix: "Remove `privileged`; request GPUs with `deploy.resources.reservations.devices` and \
          add only the capabilities actually needed.",
    references: &[SPEC, CIS],
});

pub static HOST_NETWORK: Rule = rule(Spec {
    id: "AIG441",
    name: "compose-host-network",
    severity: Severity::High,
    checklist: &["000#11", "002#1", "002#2"],
    summary: "Service shares the host network (network_mode: host)",
    what: "Fires on `network_mode: host`.",
    why: "The container's ports are the host's ports (no firewalling by port publishing) and \
          it can reach services bound to the host's loopback.",
    example: "services:\n  vllm:\n    network_mode: host",
    fix: "Use a bridge network and publish only the TLS port of the front proxy.",
    references: &[SPEC, CIS],
});

pub static HOST_NAMESPACE: Rule = rule(Spec {
    id: "AIG442",
    name: "compose-host-namespace-shared",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "Service shares the host PID or IPC namespace",
    what: "Fires on `pid: host` or `ipc: host` (use `shm_size` for PyTorch data loaders).",
    why: "With the host PID namespace the container sees and can signal every host process; \
          with the host IPC namespace it can read other processes' shared memory.",
    example: "services:\n  trainer:\n    ipc: host",
    fix: "Remove `pid`/`ipc: host`; give shared memory with `shm_size: 8gb`.",
    references: &[SPEC, CIS],
});

pub static DOCKER_SOCKET: Rule = rule(Spec {
    id: "AIG443",
    name: "compose-docker-socket-mounted",
    severity: Severity::Critical,
    checklist: &["000#13", "002#2"],
    summary: "Service mounts the Docker (or containerd) socket",
    what: "Fires on a volume whose source is `/var/run/docker.sock`, `/run/docker.sock`, \
           `containerd.sock` or `crio.sock`.",
    why: "Access to the runtime socket is root on the host: the container can start a \
          privileged container that mounts `/`.",
    example: "volumes:\n  - /var/run/docker.sock:/var/run/docker.sock",
    fix: "Do not mount the socket; if a tool needs the API, use a socket proxy that allows \
          only read-only endpoints.",
    references: &[CIS],
});

pub static HOST_PATH: Rule = rule(Spec {
    id: "AIG444",
    name: "compose-host-path-mounted",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "Service bind-mounts a host path",
    what: "Fires on a bind mount from an absolute host path or the home directory (`/`, `/etc`, \
           `~/.cache/huggingface`...), higher when it is a sensitive system path or writable. \
           Relative paths in the project are not reported.",
    why: "Host paths break the container boundary: a writable mount of a system directory is \
          a host takeover; even a read-only mount of `/etc` or a home directory leaks secrets.",
    example: "volumes:\n  - /:/host",
    fix: "Use named volumes, mount only the model directory, and mount it `:ro`.",
    references: &[SPEC],
});

pub static CAP_ADD: Rule = rule(Spec {
    id: "AIG445",
    name: "compose-capabilities-added",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "Service adds Linux capabilities (cap_add)",
    what: "Fires on every capability in `cap_add`; ALL and SYS_ADMIN are reported in the message.",
    why: "Capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE give most of root's power \
          over the kernel and are common escape primitives.",
    example: "cap_add:\n  - SYS_ADMIN",
    fix: "Remove `cap_add`, add `cap_drop: [ALL]`, and add back only what is proven necessary.",
    references: &[SPEC, CIS],
});

pub static WRITABLE_ROOT: Rule = rule(Spec {
    id: "AIG446",
    name: "compose-writable-root-filesystem",
    severity: Severity::Low,
    checklist: &["000#11", "002#2"],
    summary: "Service root filesystem is writable (no read_only: true)",
    what: "Fires on a service without `read_only: true`.",
    why: "An attacker who gets code execution can modify the server's code, models and \
          configuration in place and persist across requests.",
    example: "services:\n  api:\n    image: ghcr.io/acme/api:1.4.2",
    fix: "Set `read_only: true` and give writable `tmpfs` or volumes only where needed.",
    references: &[CIS],
});

pub static PORT_ALL_INTERFACES: Rule = rule(Spec {
    id: "AIG447",
    name: "compose-port-published-all-interfaces",
    severity: Severity::Medium,
    checklist: &["002#1", "000#11"],
    summary: "A port other than 443 is published on all host interfaces",
    what: "Fires on an entry in `ports` with no host IP (or 0.0.0.0/::) whose container or \
           host port is not 443.",
    why: "Docker's published ports bypass host firewalls such as ufw; a model server port \
          published this way is reachable from the network, usually without TLS or auth.",
    example: "ports:\n  - \"8000:8000\"",
    fix: "Publish only the TLS proxy on 443, or bind to loopback: `127.0.0.1:8000:8000`.",
    references: &[SPEC],
});

pub static SECRET_IN_ENV: Rule = rule(Spec {
    id: "AIG448",
    name: "compose-secret-in-environment",
    severity: Severity::High,
    checklist: &["000#6", "002#5"],
    summary: "environment sets a credential to a literal value",
    what: "Fires on an `environment` entry whose name looks like a credential and whose value \
           is a literal (not `${VAR}` interpolation, not empty, not a placeholder).",
    why: "Compose files are committed and shared; the value is also visible in \
          `docker inspect` to anyone with access to the daemon.",
    example: "environment:\n  POSTGRES_PASSWORD: s3cr3t-Pa55w0rd",
    fix: "Use `${VAR}` from an uncommitted .env file, or compose `secrets:` mounted as files.",
    references: &["https://docs.docker.com/compose/how-tos/use-secrets/"],
});

pub static NO_LIMITS: Rule = rule(Spec {
    id: "AIG449",
    name: "compose-no-resource-limits",
    severity: Severity::Low,
    checklist: &["000#11", "002#2"],
    summary: "Service has no memory or CPU limit",
    what: "Fires on a service with neither `deploy.resources.limits` nor `mem_limit`/`cpus`.",
    why: "One oversized request (a long prompt, a huge batch) can take all host memory and \
          bring down every service on the host.",
    example: "services:\n  vllm:\n    image: vllm/vllm-openai:v0.6.3",
    fix: "Set `deploy.resources.limits.memory` and `cpus` (and `pids_limit`).",
    references: &[CIS],
});

pub static SECURITY_PROFILE_DISABLED: Rule = rule(Spec {
    id: "AIG450",
    name: "compose-security-profile-disabled",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "security_opt disables seccomp, AppArmor or SELinux confinement",
    what: "Fires on `security_opt` entries `seccomp:unconfined`, `seccomp=unconfined`, \
           `apparmor:unconfined`, `apparmor=unconfined` or `label:disable`.",
    why: "These profiles block the syscalls most kernel exploits and container escapes need.",
    example: "security_opt:\n  - seccomp:unconfined",
    fix: "Remove the option; if one syscall is missing, write a custom seccomp profile.",
    references: &[CIS],
});

pub static IMAGE_UNPINNED: Rule = rule(Spec {
    id: "AIG451",
    name: "compose-image-unpinned",
    severity: Severity::Medium,
    checklist: &["000#14", "002#1"],
    summary: "Service image has no tag or uses `latest`",
    what: "Fires on `image:` without a tag or digest, or with `latest`.",
    why: "Every pull may bring different code: an upstream compromise or breaking release \
          reaches production without review.",
    example: "image: nvcr.io/nvidia/tritonserver:latest",
    fix: "Pin a release tag and a digest: `image: nvcr.io/nvidia/tritonserver:24.08-py3@sha256:...`.",
    references: &[SPEC],
});
