//! Kubernetes hardening rules beyond the core workload set: the rest of
//! Trivy's KSV workload checks and kube-linter's probes, namespaces and
//! RBAC escalation verbs. Checks live in `crate::k8s::hardening`.

use super::{Spec, rule};
use aigis_findings::{Rule, Severity};

const PSS: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
const RBAC: &str = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";

pub static HOST_ALIASES: Rule = rule(Spec {
    id: "AIG493",
    name: "k8s-host-aliases",
    severity: Severity::Low,
    checklist: &["000#13"],
    summary: "Pod overrides name resolution with hostAliases",
    what: "Fires on a pod spec with `hostAliases`.",
    why: "Entries written into the pod's /etc/hosts bypass cluster DNS: a model download or a \
          callback can be sent to another address without anyone noticing in DNS logs.",
    example: "hostAliases:\n- ip: 10.0.0.5\n  hostnames: [huggingface.co]",
    fix: "Remove `hostAliases`; fix resolution in DNS (CoreDNS or a private zone).",
    references: &["Trivy KSV007"],
});

pub static LOW_UID: Rule = rule(Spec {
    id: "AIG494",
    name: "k8s-low-uid-or-gid",
    severity: Severity::Low,
    checklist: &["000#13", "002#2"],
    summary: "Container runs with a UID or GID of 10000 or below",
    what: "Fires on a container whose effective `runAsUser` or `runAsGroup` (its own or the \
           pod's) is between 1 and 10000.",
    why: "Low IDs collide with users of the node (system accounts, the first login users); after \
          a container escape the process holds that host user's files.",
    example: "securityContext:\n  runAsUser: 1000",
    fix: "Use an ID above 10000, e.g. `runAsUser: 10001`, `runAsGroup: 10001`.",
    references: &["Trivy KSV020, KSV021"],
});

pub static SELINUX_CUSTOM: Rule = rule(Spec {
    id: "AIG495",
    name: "k8s-selinux-custom-options",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "Custom SELinux user, role or type",
    what: "Fires on `seLinuxOptions` that set `user` or `role`, or a `type` other than \
           container_t, container_init_t or container_kvm_t (pod or container level).",
    why: "A custom SELinux type or role can lift the confinement the runtime applies to \
          containers (the Pod Security Standards' baseline forbids it).",
    example: "securityContext:\n  seLinuxOptions:\n    type: spc_t",
    fix: "Remove `seLinuxOptions` or keep only `level`.",
    references: &[PSS, "Trivy KSV025"],
});

pub static NON_EPHEMERAL_VOLUME: Rule = rule(Spec {
    id: "AIG496",
    name: "k8s-restricted-volume-type",
    severity: Severity::Low,
    checklist: &["000#13", "002#2"],
    summary: "Volume type outside the restricted set",
    what: "Fires on a pod volume whose type is none of configMap, csi, downwardAPI, emptyDir, \
           ephemeral, persistentVolumeClaim, projected or secret (hostPath has its own rule).",
    why: "Other in-tree types (nfs, iscsi, rbd, cephfs, gitRepo, ...) reach storage outside the \
          cluster's access controls; gitRepo even runs git on the node.",
    example: "volumes:\n- name: models\n  nfs: {server: nas, path: /models}",
    fix: "Serve models from a PersistentVolumeClaim (its StorageClass does the mounting).",
    references: &[PSS, "Trivy KSV028"],
});

pub static ROOT_GROUP: Rule = rule(Spec {
    id: "AIG497",
    name: "k8s-root-supplemental-group",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "Pod adds the root group through supplementalGroups",
    what: "Fires on `securityContext.supplementalGroups` containing 0.",
    why: "Membership of GID 0 gives access to files that are group-root on mounted volumes and \
          in the image, defeating a non-root user.",
    example: "securityContext:\n  supplementalGroups: [0]",
    fix: "Use a dedicated group above 10000.",
    references: &["Trivy KSV029, KSV116"],
});

pub static PRIVILEGED_PORT: Rule = rule(Spec {
    id: "AIG498",
    name: "k8s-privileged-container-port",
    severity: Severity::Low,
    checklist: &["000#13", "002#1"],
    summary: "Container listens on a port below 1024",
    what: "Fires on a `containerPort` below 1024.",
    why: "Binding a privileged port needs root or NET_BIND_SERVICE inside the container; a \
          model server can listen on 8000 and let the Service map 443.",
    example: "ports:\n- containerPort: 80",
    fix: "Listen on a high port; map it in the Service (`port: 443`, `targetPort: 8443`).",
    references: &["Trivy KSV117", "kube-linter privileged-ports"],
});

pub static WINDOWS_HOST_PROCESS: Rule = rule(Spec {
    id: "AIG499",
    name: "k8s-windows-host-process",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "Windows HostProcess container",
    what: "Fires on `securityContext.windowsOptions.hostProcess: true` (pod or container).",
    why: "A HostProcess container runs directly on the Windows node with host access.",
    example: "securityContext:\n  windowsOptions:\n    hostProcess: true",
    fix: "Remove `hostProcess`.",
    references: &[PSS, "Trivy KSV103"],
});

pub static PROBES_MISSING: Rule = rule(Spec {
    id: "AIG502",
    name: "k8s-probes-missing",
    severity: Severity::Low,
    checklist: &["000#11"],
    summary: "Container has no readiness or liveness probe",
    what: "Fires on an app container (not init or ephemeral, not a KServe model container, \
           whose probes KServe sets) without `readinessProbe` or `livenessProbe`.",
    why: "Without a readiness probe traffic reaches a model server still loading its weights; \
          without a liveness probe a hung server is never restarted.",
    example: "containers:\n- name: server\n  image: vllm/vllm-openai:v0.6.3",
    fix: "Add `readinessProbe` and `livenessProbe` on the server's health endpoint (`/health`, \
          `/v2/health/ready`).",
    references: &["kube-linter no-readiness-probe, no-liveness-probe"],
});

pub static SYSTEM_NAMESPACE: Rule = rule(Spec {
    id: "AIG503",
    name: "k8s-workload-in-system-namespace",
    severity: Severity::Medium,
    checklist: &["000#13", "002#4"],
    summary: "Workload deployed into kube-system",
    what: "Fires on a workload whose `metadata.namespace` is kube-system.",
    why: "kube-system holds the cluster's own components and their credentials; application \
          pods there share its service accounts and policies.",
    example: "metadata:\n  namespace: kube-system",
    fix: "Deploy into a namespace of its own.",
    references: &["Trivy KSV037"],
});

pub static DEFAULT_NAMESPACE: Rule = rule(Spec {
    id: "AIG504",
    name: "k8s-workload-in-default-namespace",
    severity: Severity::Low,
    checklist: &["000#13"],
    summary: "Workload deployed into the default namespace",
    what: "Fires on a workload whose `metadata.namespace` is `default` (a manifest without a \
           namespace is not reported: Helm and Kustomize set it when applying).",
    why: "The default namespace is shared by everything nobody placed; its policies and quotas \
          are rarely the ones a model server needs.",
    example: "metadata:\n  namespace: default",
    fix: "Deploy into a dedicated namespace with its NetworkPolicy and ResourceQuota.",
    references: &["Trivy KSV110"],
});

pub static RBAC_ESCALATION: Rule = rule(Spec {
    id: "AIG514",
    name: "k8s-rbac-escalation-verbs",
    severity: Severity::High,
    checklist: &["000#13", "002#4"],
    summary: "Role can impersonate, escalate, bind, proxy to nodes or mint tokens",
    what: "Fires on a Role or ClusterRole rule granting `impersonate`, `escalate` or `bind`, or \
           access to `nodes/proxy`, or `create` on `serviceaccounts/token`.",
    why: "Each lets the holder act with more permissions than the role lists: as another user, \
          by granting itself roles, through the kubelet API, or as another service account.",
    example: "rules:\n- resources: [\"users\", \"groups\"]\n  verbs: [\"impersonate\"]",
    fix: "Remove these verbs and resources from service roles.",
    references: &[RBAC, "Trivy KSV043, KSV047, KSV048"],
});

pub static NO_LIMIT_RANGE: Rule = rule(Spec {
    id: "AIG521",
    name: "k8s-namespace-without-limitrange",
    severity: Severity::Low,
    checklist: &["000#13", "000#11"],
    summary: "Namespace defined without a LimitRange",
    what: "Fires on a Namespace in the manifests when no LimitRange for it is in them.",
    why: "A LimitRange gives containers that forget resources default requests and limits, so \
          one runaway pod cannot starve the node's model servers.",
    example: "kind: Namespace\nmetadata:\n  name: models",
    fix: "Add a LimitRange with default requests and limits to the namespace.",
    references: &["Trivy KSV039"],
});

pub static NO_RESOURCE_QUOTA: Rule = rule(Spec {
    id: "AIG522",
    name: "k8s-namespace-without-resourcequota",
    severity: Severity::Low,
    checklist: &["000#13", "000#11"],
    summary: "Namespace defined without a ResourceQuota",
    what: "Fires on a Namespace in the manifests when no ResourceQuota for it is in them.",
    why: "Without a quota one namespace can claim every GPU and all memory of the cluster.",
    example: "kind: Namespace\nmetadata:\n  name: models",
    fix: "Add a ResourceQuota (cpu, memory, `requests.nvidia.com/gpu`, pods).",
    references: &["Trivy KSV040"],
});
