//! The rules of the deployment scanner, one static each, grouped by the
//! format they apply to (a long flat table per format); the checks that fire
//! them live in the format modules.

use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub mod common;
pub mod compose;
pub mod daemon;
pub mod dockerfile;
pub mod host;
pub mod k8s;
pub mod k8s_hardening;
pub mod nginx;

/// The fields of one rule, in the order they are written in the tables.
pub(crate) struct Spec {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub checklist: &'static [&'static str],
    pub summary: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
    pub references: &'static [&'static str],
}

/// A deployment rule. Findings of low or informational severity leave the
/// file `clean` (hardening advice); the others make it `unapproved`.
pub(crate) const fn rule(s: Spec) -> Rule {
    let verdict = match s.severity {
        Severity::Info | Severity::Low => Verdict::Clean,
        _ => Verdict::Unapproved,
    };
    Rule {
        id: s.id,
        name: s.name,
        domain: Domain::Deployment,
        severity: s.severity,
        verdict,
        checklist: s.checklist,
        summary: s.summary,
        docs: RuleDocs {
            what: s.what,
            why: s.why,
            example: s.example,
            fix: s.fix,
            references: s.references,
        },
    }
}

/// Every rule, sorted by id.
pub static ALL: &[&Rule] = &[
    &common::CONFIG_INCONCLUSIVE,
    &dockerfile::RUNS_AS_ROOT,
    &dockerfile::BASE_IMAGE_UNPINNED,
    &dockerfile::BASE_IMAGE_NO_DIGEST,
    &dockerfile::ADD_FROM_URL,
    &dockerfile::PIPE_TO_SHELL,
    &dockerfile::SECRET_IN_ENV,
    &dockerfile::SECRET_FILE_COPIED,
    &dockerfile::EXPOSES_NON_TLS_PORT,
    &dockerfile::EXPOSES_SSH,
    &dockerfile::PACKAGES_UNPINNED,
    &dockerfile::PACKAGE_CACHE_KEPT,
    &dockerfile::NO_HEALTHCHECK,
    &dockerfile::CHMOD_777,
    &dockerfile::USES_SUDO,
    &compose::PRIVILEGED,
    &compose::HOST_NETWORK,
    &compose::HOST_NAMESPACE,
    &compose::DOCKER_SOCKET,
    &compose::HOST_PATH,
    &compose::CAP_ADD,
    &compose::WRITABLE_ROOT,
    &compose::PORT_ALL_INTERFACES,
    &compose::SECRET_IN_ENV,
    &compose::NO_LIMITS,
    &compose::SECURITY_PROFILE_DISABLED,
    &compose::IMAGE_UNPINNED,
    &k8s::PRIVILEGED,
    &k8s::PRIVILEGE_ESCALATION,
    &k8s::RUN_AS_NON_ROOT_UNSET,
    &k8s::RUN_AS_USER_ROOT,
    &k8s::WRITABLE_ROOT,
    &k8s::DANGEROUS_CAPABILITY,
    &k8s::CAPABILITIES_NOT_DROPPED,
    &k8s::HOST_NETWORK,
    &k8s::HOST_PID,
    &k8s::HOST_IPC,
    &k8s::HOST_PATH,
    &k8s::RUNTIME_SOCKET,
    &k8s::HOST_PORT,
    &k8s::SECCOMP_UNSET,
    &k8s::SA_TOKEN_AUTOMOUNT,
    &k8s::REQUESTS_MISSING,
    &k8s::LIMITS_MISSING,
    &k8s::IMAGE_UNPINNED,
    &k8s::IMAGE_NO_DIGEST,
    &k8s::SECRET_IN_ENV,
    &k8s::APPARMOR_UNCONFINED,
    &k8s::UNSAFE_SYSCTLS,
    &k8s::PROC_MOUNT_UNMASKED,
    &k8s_hardening::HOST_ALIASES,
    &k8s_hardening::LOW_UID,
    &k8s_hardening::SELINUX_CUSTOM,
    &k8s_hardening::NON_EPHEMERAL_VOLUME,
    &k8s_hardening::ROOT_GROUP,
    &k8s_hardening::PRIVILEGED_PORT,
    &k8s_hardening::WINDOWS_HOST_PROCESS,
    &k8s::SERVICE_EXPOSED,
    &k8s::INGRESS_NO_TLS,
    &k8s_hardening::PROBES_MISSING,
    &k8s_hardening::SYSTEM_NAMESPACE,
    &k8s_hardening::DEFAULT_NAMESPACE,
    &k8s::RBAC_WILDCARD,
    &k8s::CLUSTER_ADMIN_BINDING,
    &k8s::RBAC_SECRETS,
    &k8s::RBAC_POD_EXEC,
    &k8s_hardening::RBAC_ESCALATION,
    &k8s::NO_NETWORK_POLICY,
    &k8s_hardening::NO_LIMIT_RANGE,
    &k8s_hardening::NO_RESOURCE_QUOTA,
    &nginx::LEGACY_TLS,
    &nginx::TLS12,
    &nginx::WEAK_CIPHERS,
    &nginx::NO_HSTS,
    &nginx::SERVER_TOKENS,
    &nginx::PLAIN_HTTP,
    &nginx::NO_RATE_LIMIT,
    &nginx::AUTOINDEX,
    &daemon::NO_USERNS,
    &daemon::ICC,
    &daemon::NO_LIVE_RESTORE,
    &daemon::NO_NEW_PRIVILEGES,
    &daemon::TCP_NO_TLS,
    &daemon::INSECURE_REGISTRY,
    &host::PORT_OPEN_ON_NETWORK,
    &host::PORT_OPEN_ON_LOOPBACK,
    &host::SSH_PORT_OPEN,
    &host::MODEL_FILE_WORLD_WRITABLE,
    &host::MODEL_FILE_OTHER_READABLE,
    &host::KEY_FILE_OTHER_READABLE,
    &host::KEY_FILE_GROUP_READABLE,
    &host::RUNNING_AS_ROOT,
    &host::DOCKER_SOCKET_WORLD_WRITABLE,
    &host::HOST_CHECK_INCONCLUSIVE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_and_in_the_ranges() {
        let ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "keep ids ordered and unique");
        for r in ALL {
            let n: u32 = r.id.trim_start_matches("AIG").parse().unwrap();
            assert!(
                (400..=589).contains(&n) || (620..=629).contains(&n),
                "{} out of range",
                r.id
            );
            assert_eq!(r.domain, Domain::Deployment);
            let range = match r.name.split('-').next().unwrap() {
                "deploy" => 400..=400,
                "dockerfile" => 401..=439,
                "compose" => 440..=469,
                "k8s" => 470..=539,
                "nginx" => 540..=569,
                "docker" => 570..=589,
                "host" => 620..=629,
                other => panic!("{}: unknown prefix {other}", r.id),
            };
            assert!(range.contains(&n), "{} {} outside its range", r.id, r.name);
        }
    }
}
