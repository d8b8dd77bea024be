//! Dockerfile and Containerfile rules (AIG401–AIG439).

use super::{Spec, rule};
use aigis_findings::{Rule, Severity};

const CIS: &str = "CIS Docker Benchmark v1.6, section 4 (container images and build files)";
const DOCKER_BP: &str = "https://docs.docker.com/build/building/best-practices/";

pub static RUNS_AS_ROOT: Rule = rule(Spec {
    id: "AIG401",
    name: "dockerfile-runs-as-root",
    severity: Severity::High,
    checklist: &["000#13", "002#2", "002#4"],
    summary: "The final image runs as root (no USER, or USER root/0 last)",
    what: "Fires when the final stage of a Dockerfile has no `USER` instruction, or its last \
           `USER` is `root`, `0` or `0:0`. Without USER, base images documented to run \
           unprivileged (distroless `:nonroot` tags, Chainguard images) are not reported.",
    why: "A process running as root in the container is root on the host once any container \
          escape or writable host mount is reached; a model server compromised through a \
          malicious model or a deserialization bug then owns the node.",
    example: "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"serve.py\"]",
    fix: "Create an unprivileged user and switch to it before CMD: \
          `RUN useradd -r -u 10001 app` then `USER 10001`.",
    references: &[CIS, "Trivy DS002", "hadolint DL3002"],
});

pub static BASE_IMAGE_UNPINNED: Rule = rule(Spec {
    id: "AIG402",
    name: "dockerfile-base-image-unpinned",
    severity: Severity::Medium,
    checklist: &["000#14", "002#1"],
    summary: "Base image has no tag or uses `latest`",
    what: "Fires on `FROM image` without a tag or digest, or with the tag `latest`, unless the \
           name is an earlier build stage or `scratch`.",
    why: "The image built changes whenever the upstream tag moves: builds are not \
          reproducible, an upstream compromise flows in silently, and a patched image cannot \
          be told from an unpatched one.",
    example: "FROM pytorch/pytorch:latest",
    fix: "Pin a version tag and, better, a digest: \
          `FROM pytorch/pytorch:2.4.1-cuda12.1-cudnn9-runtime@sha256:...`.",
    references: &["hadolint DL3006, DL3007", "Trivy DS001"],
});

pub static BASE_IMAGE_NO_DIGEST: Rule = rule(Spec {
    id: "AIG403",
    name: "dockerfile-base-image-without-digest",
    severity: Severity::Low,
    checklist: &["000#14", "002#1"],
    summary: "Base image is pinned by tag only, not by digest",
    what: "Fires on `FROM image:tag` without `@sha256:` (tags `latest` and no tag are \
           AIG402 instead).",
    why: "Tags are mutable: the registry owner (or whoever takes over the account) can point \
          the same tag at different content.",
    example: "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04",
    fix: "Add the digest: `FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04@sha256:<digest>` and \
          let a bot (Renovate, Dependabot) update it.",
    references: &[DOCKER_BP],
});

pub static ADD_FROM_URL: Rule = rule(Spec {
    id: "AIG404",
    name: "dockerfile-add-from-url",
    severity: Severity::Medium,
    checklist: &["000#11", "000#14"],
    summary: "ADD downloads a remote URL into the image",
    what: "Fires on `ADD http://...` or `ADD https://...` (and `git@`/`.git` sources) without \
           `--checksum`.",
    why: "The content is fetched at build time without integrity checking: model weights or \
          binaries fetched this way can be swapped upstream or in transit.",
    example: "ADD https://example.com/model.bin /models/",
    fix: "Use `ADD --checksum=sha256:<digest> <url>` or download with `curl` and verify a \
          SHA-256 in the same RUN.",
    references: &["hadolint DL3020", DOCKER_BP],
});

pub static PIPE_TO_SHELL: Rule = rule(Spec {
    id: "AIG405",
    name: "dockerfile-pipe-to-shell",
    severity: Severity::High,
    checklist: &["000#11", "000#14"],
    summary: "RUN pipes a download into a shell or interpreter",
    what: "Fires on a RUN command where `curl` or `wget` output is piped into `sh`, `bash`, \
           `python` or similar, or run through `sh -c \"$(curl ...)\"`.",
    why: "The script runs as root during the build with no integrity check; whoever controls \
          the URL (or the network path) controls the image.",
    example: "RUN curl -fsSL https://example.com/install.sh | bash",
    fix: "Download to a file, verify its SHA-256 or signature, then run it; or install from \
          a package manager with pinned versions.",
    references: &[],
});

pub static SECRET_IN_ENV: Rule = rule(Spec {
    id: "AIG406",
    name: "dockerfile-secret-in-env",
    severity: Severity::High,
    checklist: &["000#6", "002#5"],
    summary: "ENV or ARG sets a credential to a literal value",
    what: "Fires on `ENV` or `ARG` whose name looks like a credential (TOKEN, SECRET, PASSWORD, \
           API_KEY, ...) and whose value is a literal (not empty, not a `$VARIABLE`, not a \
           placeholder).",
    why: "ENV and ARG values are stored in the image layers and its history (`docker history`): \
          everyone who can pull the image can read them.",
    example: "ENV HF_TOKEN=hf_live_3kP9xQ2mZ7wL5vR8tY1nB4cD6fG0hJ",
    fix: "Pass secrets at build time with `RUN --mount=type=secret,id=hf_token` and at run time \
          from a secret store or an orchestrator secret; rotate the exposed value.",
    references: &["https://docs.docker.com/build/building/secrets/"],
});

pub static SECRET_FILE_COPIED: Rule = rule(Spec {
    id: "AIG407",
    name: "dockerfile-secret-file-copied",
    severity: Severity::High,
    checklist: &["000#6", "002#5"],
    summary: "COPY or ADD puts a .env, key or credentials file into the image",
    what: "Fires on `COPY`/`ADD` whose source is a `.env` file, a private key (`id_rsa`, \
           `*.pem`, `*.key`), `.netrc`, `.npmrc`, `.pypirc`, `credentials` or `.aws`/`.ssh` \
           directory.",
    why: "Files copied into a layer stay in the image even if deleted later; the credentials \
          ship to every registry and host the image reaches.",
    example: "COPY .env /app/.env",
    fix: "Keep secrets out of the build context (`.dockerignore`) and inject them at run time.",
    references: &["https://docs.docker.com/build/building/secrets/"],
});

pub static EXPOSES_NON_TLS_PORT: Rule = rule(Spec {
    id: "AIG408",
    name: "dockerfile-exposes-non-tls-port",
    severity: Severity::Low,
    checklist: &["002#1", "000#11"],
    summary: "EXPOSE declares a port other than 443",
    what: "Fires on `EXPOSE` of any port other than 443 (22 is AIG409).",
    why: "The baseline allows only HTTPS on 443 from outside; a model server exposed on \
          8000/8080/8501 usually speaks plain HTTP with no authentication.",
    example: "EXPOSE 8000",
    fix: "Serve inference behind a TLS-terminating proxy on 443 and keep the model server \
          port internal (no EXPOSE, no published port).",
    references: &[],
});

pub static EXPOSES_SSH: Rule = rule(Spec {
    id: "AIG409",
    name: "dockerfile-exposes-ssh",
    severity: Severity::Medium,
    checklist: &["002#1", "000#11"],
    summary: "EXPOSE 22: the image runs or advertises SSH",
    what: "Fires on `EXPOSE 22` (also `22/tcp`).",
    why: "An SSH daemon in a container is an extra remote entry point with its own \
          credentials to manage; use `docker exec`/`kubectl exec` instead.",
    example: "EXPOSE 22",
    fix: "Remove the SSH server and the EXPOSE.",
    references: &["Trivy DS004"],
});

pub static PACKAGES_UNPINNED: Rule = rule(Spec {
    id: "AIG410",
    name: "dockerfile-packages-unpinned",
    severity: Severity::Low,
    checklist: &["000#14", "002#1"],
    summary: "apt/apk/pip install without version pins",
    what: "Fires on `apt-get install`, `apk add`, `pip install` and `dnf/yum install` where a \
           package is named without a version (`pkg=1.2`, `pkg==1.2`), except pip installs \
           from a requirements or constraints file.",
    why: "Unpinned installs make builds unreproducible and let a compromised or broken \
          release enter the image unnoticed.",
    example: "RUN pip install torch transformers",
    fix: "Pin versions (`pip install torch==2.4.1`), or install from a hashed lockfile \
          (`pip install --require-hashes -r requirements.txt`).",
    references: &["hadolint DL3008, DL3013, DL3018, DL3041"],
});

pub static PACKAGE_CACHE_KEPT: Rule = rule(Spec {
    id: "AIG411",
    name: "dockerfile-package-cache-kept",
    severity: Severity::Info,
    checklist: &["000#11"],
    summary: "Package manager caches left in the image",
    what: "Fires on `apt-get install` without removing `/var/lib/apt/lists` in the same RUN, \
           `apk add` without `--no-cache`, and `pip install` without `--no-cache-dir`.",
    why: "Caches bloat the image and keep package indexes that scanners and attackers use to \
          install more tools; smaller images have less to patch.",
    example: "RUN apt-get update && apt-get install -y curl=7.88.1-10",
    fix: "`apt-get install ... && rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, \
          `pip install --no-cache-dir`.",
    references: &["hadolint DL3009, DL3019, DL3042"],
});

pub static NO_HEALTHCHECK: Rule = rule(Spec {
    id: "AIG412",
    name: "dockerfile-missing-healthcheck",
    severity: Severity::Info,
    checklist: &["000#14"],
    summary: "The final image declares no HEALTHCHECK",
    what: "Fires when the final stage has no `HEALTHCHECK` instruction (or only \
           `HEALTHCHECK NONE`).",
    why: "Without a health check a hung or degraded model server keeps receiving traffic and \
          nobody is alerted.",
    example: "FROM python:3.12-slim\nCMD [\"python\", \"serve.py\"]",
    fix: "Add `HEALTHCHECK CMD curl -fsS http://localhost:8000/health || exit 1` (or use the \
          orchestrator's probes).",
    references: &[CIS, "Trivy DS026"],
});

pub static CHMOD_777: Rule = rule(Spec {
    id: "AIG413",
    name: "dockerfile-chmod-world-writable",
    severity: Severity::Medium,
    checklist: &["000#13"],
    summary: "chmod gives world-write permissions (777, o+w)",
    what: "Fires on `chmod` with a mode whose last digit allows writing by others (777, 666, \
           1777 excluded only for /tmp-like sticky directories) or `o+w`/`a+w`, in RUN and in \
           `COPY --chmod`.",
    why: "Any process in the container, whatever its user, can then replace the model, the \
          code or the configuration that the server loads.",
    example: "RUN chmod -R 777 /models",
    fix: "Give ownership to the service user (`COPY --chown=10001`) and use 755/644 or less.",
    references: &[],
});

pub static USES_SUDO: Rule = rule(Spec {
    id: "AIG414",
    name: "dockerfile-uses-sudo",
    severity: Severity::Medium,
    checklist: &["000#13"],
    summary: "RUN uses sudo",
    what: "Fires on `sudo` as a command in RUN.",
    why: "sudo in a container means the image ships a privilege escalation path and usually \
          a sudoers entry for the service user.",
    example: "RUN sudo apt-get install -y git",
    fix: "Run privileged build steps before `USER`, without sudo, and do not install sudo.",
    references: &["hadolint DL3004"],
});
