//! Deployment configuration rules for ML services: Dockerfiles and
//! Containerfiles, docker-compose files, Kubernetes manifests (workloads,
//! Services, Ingresses, RBAC, NetworkPolicies, KServe InferenceServices),
//! nginx configurations (with includes) and docker's `daemon.json`.
//!
//! A library only: it never prints and never decides exit codes. Each
//! `analyze_*` function takes the text of one file and returns
//! [`DeployFinding`]s against the rules of [`rules()`], each at a 1-based
//! line and column of that file. Only [`FsLoader`] touches the file system,
//! to read nginx `include`s, within [`limits`]. Nothing scanned is executed.
//! A file that cannot be read fully (malformed, over a limit) yields a
//! `deploy-config-inconclusive` finding, never a crash and never silence.

mod compose;
mod daemon;
mod dockerfile;
mod finding;
pub mod host;
mod image;
mod k8s;
pub mod limits;
mod nginx;
mod position;
mod rules;
mod secret;
mod yaml;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod mutation_tests;

use std::path::Path;

use aigis_findings::Rule;

pub use finding::DeployFinding;
pub use nginx::{FsLoader, IncludeLoader, Included, NoIncludes};

/// Every rule of this crate, sorted by id.
pub fn rules() -> &'static [&'static Rule] {
    rules::ALL
}

/// The kinds of configuration this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKind {
    Dockerfile,
    Compose,
    Kubernetes,
    Nginx,
    DaemonJson,
}

impl ConfigKind {
    /// The format name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKind::Dockerfile => "dockerfile",
            ConfigKind::Compose => "compose",
            ConfigKind::Kubernetes => "kubernetes",
            ConfigKind::Nginx => "nginx",
            ConfigKind::DaemonJson => "docker-daemon",
        }
    }
}

/// What kind of configuration `path` (with content `text`) is, if any: by
/// name first, then by content for YAML (`apiVersion` and `kind` at the
/// start of a line) and `.conf` files (`http {` or `server {` blocks).
pub fn classify(path: &Path, text: &str) -> Option<ConfigKind> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.starts_with("containerfile.")
        || name.ends_with(".dockerfile")
        || name.ends_with(".containerfile")
    {
        return Some(ConfigKind::Dockerfile);
    }
    if name == "daemon.json" {
        return Some(ConfigKind::DaemonJson);
    }
    let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    if yaml && (name.starts_with("compose.") || name.starts_with("docker-compose")) {
        return Some(ConfigKind::Compose);
    }
    if yaml && looks_like_kubernetes(text) {
        return Some(ConfigKind::Kubernetes);
    }
    if name == "nginx.conf" {
        return Some(ConfigKind::Nginx);
    }
    if name.ends_with(".conf") {
        let in_nginx_dir = path
            .components()
            .any(|c| c.as_os_str().to_string_lossy().contains("nginx"));
        let directives = text.contains(';');
        if (in_nginx_dir && directives) || nginx::looks_like_nginx(text) {
            return Some(ConfigKind::Nginx);
        }
    }
    None
}

/// `apiVersion:` and `kind:` both begin a line somewhere in the text. Raw
/// Helm templates (`{{ ... }}`) are not YAML until rendered and are skipped.
fn looks_like_kubernetes(text: &str) -> bool {
    let starts = |key: &str| text.lines().any(|l| l.starts_with(key));
    starts("apiVersion:") && starts("kind:") && !text.contains("{{")
}

/// Analyse one file of `kind`. `path` locates nginx includes (relative to
/// the file's directory, read through [`FsLoader`]).
pub fn analyze(kind: ConfigKind, path: &Path, text: &str) -> Vec<DeployFinding> {
    match kind {
        ConfigKind::Dockerfile => analyze_dockerfile(text),
        ConfigKind::Compose => analyze_compose(text),
        ConfigKind::Kubernetes => analyze_kubernetes(text),
        ConfigKind::Nginx => analyze_nginx(text, &FsLoader::for_file(path)),
        ConfigKind::DaemonJson => analyze_daemon_json(text),
    }
}

/// Analyse a Dockerfile or Containerfile.
pub fn analyze_dockerfile(text: &str) -> Vec<DeployFinding> {
    finding::finish(dockerfile::analyze(text))
}

/// Analyse a docker-compose file.
pub fn analyze_compose(text: &str) -> Vec<DeployFinding> {
    finding::finish(compose::analyze(text))
}

/// Analyse a stream of Kubernetes manifests (one or many documents).
pub fn analyze_kubernetes(text: &str) -> Vec<DeployFinding> {
    finding::finish(k8s::analyze(text))
}

/// Analyse an nginx configuration; `includes` reads the files it includes.
pub fn analyze_nginx(text: &str, includes: &dyn IncludeLoader) -> Vec<DeployFinding> {
    finding::finish(nginx::analyze(text, includes))
}

/// Analyse a docker `daemon.json`.
pub fn analyze_daemon_json(text: &str) -> Vec<DeployFinding> {
    finding::finish(daemon::analyze(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_by_name_then_content() {
        let k = |p: &str, t: &str| classify(Path::new(p), t);
        assert_eq!(k("svc/Dockerfile", ""), Some(ConfigKind::Dockerfile));
        assert_eq!(k("gpu.Dockerfile", ""), Some(ConfigKind::Dockerfile));
        assert_eq!(k("Containerfile.cuda", ""), Some(ConfigKind::Dockerfile));
        assert_eq!(k("docker-compose.prod.yml", ""), Some(ConfigKind::Compose));
        assert_eq!(k("compose.yaml", ""), Some(ConfigKind::Compose));
        assert_eq!(
            k("k8s/app.yaml", "apiVersion: v1\nkind: Pod\n"),
            Some(ConfigKind::Kubernetes)
        );
        assert_eq!(
            k(
                "chart/templates/d.yaml",
                "apiVersion: v1\nkind: Pod\nname: {{ .Values.x }}\n"
            ),
            None
        );
        assert_eq!(k(".github/workflows/ci.yml", "on: push\njobs: {}\n"), None);
        assert_eq!(
            k("etc/docker/daemon.json", "{}"),
            Some(ConfigKind::DaemonJson)
        );
        assert_eq!(
            k("deploy/nginx/default.conf", "server { listen 80; }"),
            Some(ConfigKind::Nginx)
        );
        assert_eq!(
            k("front/site.conf", "server {\n  listen 443 ssl;\n}\n"),
            Some(ConfigKind::Nginx)
        );
        assert_eq!(k("supervisord.conf", "[program:x]\ncommand=y\n"), None);
    }
}
