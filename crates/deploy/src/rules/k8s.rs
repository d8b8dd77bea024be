//! Kubernetes rules (AIG470–AIG539): workloads (Trivy KSV and kube-linter
//! set), Services, Ingresses, RBAC and NetworkPolicies.

use super::{Spec, rule};
use aigis_findings::{Rule, Severity};

const PSS: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
const RBAC: &str = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";

pub static PRIVILEGED: Rule = rule(Spec {
    id: "AIG470",
    name: "k8s-privileged-container",
    severity: Severity::Critical,
    checklist: &["000#13", "002#2"],
    summary: "Container runs privileged",
    what: "Fires on `securityContext.privileged: true` in a container, init container or \
           ephemeral container.",
    why: "A privileged container has all capabilities and host devices and escapes to the \
          node trivially. GPU serving does not need it: the device plugin exposes GPUs.",
    example: "securityContext:\n  privileged: true",
    fix: "Remove `privileged`; request GPUs with `resources.limits: nvidia.com/gpu: 1`.",
    references: &[PSS, "Trivy KSV017", "kube-linter privileged-container"],
});

pub static PRIVILEGE_ESCALATION: Rule = rule(Spec {
    id: "AIG471",
    name: "k8s-privilege-escalation-allowed",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "allowPrivilegeEscalation is not false",
    what: "Fires on a container whose `securityContext.allowPrivilegeEscalation` is not set \
           to false.",
    why: "Without it, setuid binaries and file capabilities let a process gain more privileges \
          than its parent (no_new_privs is off).",
    example: "containers:\n- name: server\n  image: vllm/vllm-openai:v0.6.3",
    fix: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    references: &[
        PSS,
        "Trivy KSV001",
        "kube-linter privilege-escalation-container",
    ],
});

pub static RUN_AS_NON_ROOT_UNSET: Rule = rule(Spec {
    id: "AIG472",
    name: "k8s-run-as-non-root-unset",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2", "002#4"],
    summary: "runAsNonRoot is not true and no non-zero runAsUser is set",
    what: "Fires on a container for which neither its own nor the pod's securityContext sets \
           `runAsNonRoot: true` or a non-zero `runAsUser`.",
    why: "Most ML images (PyTorch, vLLM, Triton) default to root; the kubelet only refuses \
          root when told to.",
    example: "spec:\n  containers:\n  - name: predictor\n    image: kserve/sklearnserver:v0.13.0",
    fix: "Set `securityContext.runAsNonRoot: true` and `runAsUser: 10001` at pod level.",
    references: &[PSS, "Trivy KSV012", "kube-linter run-as-non-root"],
});

pub static RUN_AS_USER_ROOT: Rule = rule(Spec {
    id: "AIG473",
    name: "k8s-run-as-user-root",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "runAsUser is 0 (or runAsGroup/fsGroup 0)",
    what: "Fires on `runAsUser: 0`, `runAsGroup: 0` or `fsGroup: 0` at pod or container level.",
    why: "The container is explicitly root; a kernel or runtime bug becomes a node compromise.",
    example: "securityContext:\n  runAsUser: 0",
    fix: "Use a non-zero UID and GID (10001 is a common choice) and fix file ownership in the \
          image.",
    references: &[PSS, "Trivy KSV105, KSV029"],
});

pub static WRITABLE_ROOT: Rule = rule(Spec {
    id: "AIG474",
    name: "k8s-writable-root-filesystem",
    severity: Severity::Low,
    checklist: &["000#11", "002#2"],
    summary: "readOnlyRootFilesystem is not true",
    what: "Fires on a container without `securityContext.readOnlyRootFilesystem: true`.",
    why: "A writable root filesystem lets an attacker replace the server code or model files \
          and drop tools.",
    example: "securityContext:\n  runAsNonRoot: true",
    fix: "Set `readOnlyRootFilesystem: true` and mount `emptyDir` where the server writes \
          (`/tmp`, cache directories).",
    references: &["Trivy KSV014", "kube-linter no-read-only-root-fs"],
});

pub static DANGEROUS_CAPABILITY: Rule = rule(Spec {
    id: "AIG475",
    name: "k8s-dangerous-capability-added",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "Container adds ALL, SYS_ADMIN, NET_RAW or another powerful capability",
    what: "Fires on `capabilities.add` with ALL, SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, \
           SYS_MODULE, DAC_READ_SEARCH, SYS_RAWIO, BPF, PERFMON or SYS_BOOT.",
    why: "These capabilities are enough to escape a container or sniff and spoof traffic on \
          the node's network.",
    example: "capabilities:\n  add: [\"SYS_ADMIN\"]",
    fix: "Remove them; `drop: [ALL]` and add back only NET_BIND_SERVICE if needed.",
    references: &[
        PSS,
        "Trivy KSV005, KSV022",
        "kube-linter drop-net-raw-capability",
    ],
});

pub static CAPABILITIES_NOT_DROPPED: Rule = rule(Spec {
    id: "AIG476",
    name: "k8s-capabilities-not-dropped",
    severity: Severity::Low,
    checklist: &["000#13", "002#2"],
    summary: "Container does not drop ALL capabilities",
    what: "Fires on a container whose `capabilities.drop` does not contain ALL.",
    why: "The runtime's default set includes NET_RAW, CHOWN, SETUID and others that a model \
          server never needs.",
    example: "securityContext:\n  allowPrivilegeEscalation: false",
    fix: "`securityContext.capabilities.drop: [\"ALL\"]`.",
    references: &[PSS, "Trivy KSV003"],
});

pub static HOST_NETWORK: Rule = rule(Spec {
    id: "AIG477",
    name: "k8s-host-network",
    severity: Severity::High,
    checklist: &["000#11", "002#1", "002#2"],
    summary: "Pod uses the host network (hostNetwork: true)",
    what: "Fires on `hostNetwork: true` in a pod spec.",
    why: "The pod binds on the node's interfaces, bypasses NetworkPolicies and can reach \
          node-local services (kubelet, metadata endpoints).",
    example: "spec:\n  hostNetwork: true",
    fix: "Remove it; use a Service. For NCCL/RDMA use a CNI that exposes the devices instead.",
    references: &[PSS, "Trivy KSV009", "kube-linter host-network"],
});

pub static HOST_PID: Rule = rule(Spec {
    id: "AIG478",
    name: "k8s-host-pid",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "Pod shares the host PID namespace",
    what: "Fires on `hostPID: true`.",
    why: "The pod sees every process on the node and, as root, can read their memory and \
          environment (including other pods' secrets).",
    example: "spec:\n  hostPID: true",
    fix: "Remove `hostPID`.",
    references: &[PSS, "Trivy KSV010", "kube-linter host-pid"],
});

pub static HOST_IPC: Rule = rule(Spec {
    id: "AIG479",
    name: "k8s-host-ipc",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "Pod shares the host IPC namespace",
    what: "Fires on `hostIPC: true` (PyTorch needs shared memory: use an emptyDir with \
           medium Memory instead).",
    why: "Host IPC exposes other processes' shared memory segments to the pod.",
    example: "spec:\n  hostIPC: true",
    fix: "Remove it; mount `emptyDir: {medium: Memory}` at /dev/shm.",
    references: &[PSS, "Trivy KSV008", "kube-linter host-ipc"],
});

pub static HOST_PATH: Rule = rule(Spec {
    id: "AIG480",
    name: "k8s-host-path-volume",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "Pod mounts a hostPath volume",
    what: "Fires on every `hostPath` volume; the message says when it is a sensitive path \
           (`/`, `/etc`, `/var/lib/kubelet`, `/proc`...) or mounted writable.",
    why: "hostPath ties the pod to a node and breaks isolation: writable system paths are a \
          node takeover, readable ones leak credentials. Model caches belong in PVCs.",
    example: "volumes:\n- name: cache\n  hostPath:\n    path: /data/hf-cache",
    fix: "Use a PersistentVolumeClaim or an image volume; if unavoidable mount it readOnly.",
    references: &[PSS, "Trivy KSV023", "kube-linter sensitive-host-mounts"],
});

pub static RUNTIME_SOCKET: Rule = rule(Spec {
    id: "AIG481",
    name: "k8s-container-runtime-socket",
    severity: Severity::Critical,
    checklist: &["000#13", "002#2"],
    summary: "Pod mounts the container runtime socket",
    what: "Fires on a hostPath of `docker.sock`, `containerd.sock` or `crio.sock` (or their \
           directories).",
    why: "The runtime socket gives root on the node and control of every pod on it.",
    example: "hostPath:\n  path: /var/run/docker.sock",
    fix: "Remove the mount; build images with rootless tools (kaniko, buildkit rootless).",
    references: &["Trivy KSV006", "kube-linter docker-sock"],
});

pub static HOST_PORT: Rule = rule(Spec {
    id: "AIG482",
    name: "k8s-host-port",
    severity: Severity::Medium,
    checklist: &["002#1", "000#11"],
    summary: "Container binds a hostPort",
    what: "Fires on `ports[].hostPort` other than 0.",
    why: "hostPort opens the port on the node's address, outside Services and often outside \
          NetworkPolicy enforcement.",
    example: "ports:\n- containerPort: 8000\n  hostPort: 8000",
    fix: "Remove `hostPort` and expose the pod through a ClusterIP Service.",
    references: &[PSS, "Trivy KSV024"],
});

pub static SECCOMP_UNSET: Rule = rule(Spec {
    id: "AIG483",
    name: "k8s-seccomp-profile-unconfined",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "No RuntimeDefault or Localhost seccomp profile (or Unconfined)",
    what: "Fires on a container whose effective `seccompProfile.type` (container, else pod) is \
           unset or `Unconfined`.",
    why: "Without seccomp the whole syscall surface of the kernel is reachable; most container \
          escapes use syscalls the default profile blocks.",
    example: "securityContext:\n  seccompProfile:\n    type: Unconfined",
    fix: "Set `securityContext.seccompProfile.type: RuntimeDefault` at pod level.",
    references: &[PSS, "Trivy KSV030"],
});

pub static SA_TOKEN_AUTOMOUNT: Rule = rule(Spec {
    id: "AIG484",
    name: "k8s-service-account-token-automounted",
    severity: Severity::Low,
    checklist: &["000#13", "002#4"],
    summary: "automountServiceAccountToken is not false",
    what: "Fires on a pod spec that does not set `automountServiceAccountToken: false`.",
    why: "The token lets anyone with code execution in the pod call the Kubernetes API with \
          the pod's permissions; a model server needs none.",
    example: "spec:\n  containers:\n  - name: server",
    fix: "Set `automountServiceAccountToken: false` in the pod spec (or on its ServiceAccount).",
    references: &["Trivy KSV036"],
});

pub static REQUESTS_MISSING: Rule = rule(Spec {
    id: "AIG485",
    name: "k8s-resource-requests-missing",
    severity: Severity::Low,
    checklist: &["000#11"],
    summary: "Container has no CPU or memory request",
    what: "Fires on a container without `resources.requests.cpu` or `resources.requests.memory`.",
    why: "Without requests the scheduler overcommits the node and model servers are evicted \
          first under pressure.",
    example: "resources:\n  limits:\n    nvidia.com/gpu: 1",
    fix: "Set `resources.requests.cpu` and `resources.requests.memory`.",
    references: &["Trivy KSV015, KSV016", "kube-linter unset-cpu-requirements"],
});

pub static LIMITS_MISSING: Rule = rule(Spec {
    id: "AIG486",
    name: "k8s-resource-limits-missing",
    severity: Severity::Medium,
    checklist: &["000#11", "002#2"],
    summary: "Container has no CPU or memory limit",
    what: "Fires on a container without `resources.limits.memory` or `resources.limits.cpu`.",
    why: "One request with a huge input can exhaust node memory and take down other \
          workloads (denial of service).",
    example: "resources:\n  requests:\n    memory: 8Gi",
    fix: "Set `resources.limits.memory` and `resources.limits.cpu`.",
    references: &[
        "Trivy KSV011, KSV018",
        "kube-linter unset-memory-requirements",
    ],
});

pub static IMAGE_UNPINNED: Rule = rule(Spec {
    id: "AIG487",
    name: "k8s-image-unpinned",
    severity: Severity::Medium,
    checklist: &["000#14", "002#1"],
    summary: "Image has no tag or uses `latest`",
    what: "Fires on a container image without a tag or digest, or with the tag `latest`.",
    why: "Nodes may run different code for the same manifest; an upstream change reaches \
          production without review.",
    example: "image: vllm/vllm-openai:latest",
    fix: "Pin a release tag and a digest.",
    references: &["Trivy KSV013", "kube-linter latest-tag"],
});

pub static IMAGE_NO_DIGEST: Rule = rule(Spec {
    id: "AIG488",
    name: "k8s-image-without-digest",
    severity: Severity::Low,
    checklist: &["000#14", "002#1"],
    summary: "Image pinned by tag only, not by digest",
    what: "Fires on `image: name:tag` without `@sha256:`.",
    why: "Tags are mutable; only a digest guarantees the reviewed image is the one running.",
    example: "image: nvcr.io/nvidia/tritonserver:24.08-py3",
    fix: "Append `@sha256:<digest>` (and let a bot update it).",
    references: &[],
});

pub static SECRET_IN_ENV: Rule = rule(Spec {
    id: "AIG489",
    name: "k8s-secret-in-env",
    severity: Severity::High,
    checklist: &["000#6", "002#5"],
    summary: "env sets a credential to a literal value",
    what: "Fires on `env[].value` whose name looks like a credential (TOKEN, PASSWORD, \
           API_KEY...) and whose value is a literal, not `valueFrom.secretKeyRef`.",
    why: "Manifests are committed, rendered into CI logs and readable by everyone who can \
          read the Deployment; Secrets have their own RBAC and can be encrypted at rest.",
    example: "env:\n- name: HF_TOKEN\n  value: hf_live_3kP9xQ2mZ7wL5vR8tY1nB4cD6fG0hJ",
    fix: "`valueFrom: {secretKeyRef: {name: hf, key: token}}` with the Secret managed outside \
          the repository (External Secrets, Sealed Secrets, a vault).",
    references: &["kube-linter env-var-secret"],
});

pub static APPARMOR_UNCONFINED: Rule = rule(Spec {
    id: "AIG490",
    name: "k8s-apparmor-unconfined",
    severity: Severity::Medium,
    checklist: &["000#13", "002#2"],
    summary: "AppArmor profile set to unconfined",
    what: "Fires on `appArmorProfile.type: Unconfined` or the annotation \
           `container.apparmor.security.beta.kubernetes.io/<name>: unconfined`.",
    why: "AppArmor confines file and capability use of the container; turning it off removes \
          a layer that blocks known escapes.",
    example: "securityContext:\n  appArmorProfile:\n    type: Unconfined",
    fix: "Use `RuntimeDefault` (the default) or a Localhost profile.",
    references: &[PSS, "Trivy KSV002"],
});

pub static UNSAFE_SYSCTLS: Rule = rule(Spec {
    id: "AIG491",
    name: "k8s-unsafe-sysctls",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "Pod sets sysctls outside the safe set",
    what: "Fires on `securityContext.sysctls` names outside the Pod Security Standards' safe \
           set (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, \
           net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, \
           net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_*, net.ipv4.tcp_fin_timeout).",
    why: "Unsafe sysctls are not namespaced or can affect the whole node.",
    example: "sysctls:\n- name: kernel.msgmax\n  value: \"65536\"",
    fix: "Remove them or move the tuning to the node configuration.",
    references: &[PSS, "Trivy KSV026"],
});

pub static PROC_MOUNT_UNMASKED: Rule = rule(Spec {
    id: "AIG492",
    name: "k8s-proc-mount-unmasked",
    severity: Severity::High,
    checklist: &["000#13", "002#2"],
    summary: "procMount is Unmasked",
    what: "Fires on `securityContext.procMount: Unmasked`.",
    why: "An unmasked /proc exposes kernel interfaces that the runtime normally hides.",
    example: "securityContext:\n  procMount: Unmasked",
    fix: "Remove `procMount` (Default).",
    references: &[PSS, "Trivy KSV027"],
});

pub static SERVICE_EXPOSED: Rule = rule(Spec {
    id: "AIG500",
    name: "k8s-service-exposes-non-tls-port",
    severity: Severity::Medium,
    checklist: &["002#1", "000#11"],
    summary: "NodePort or LoadBalancer Service exposes a port other than 443",
    what: "Fires on each port other than 443 of a Service of type NodePort or LoadBalancer.",
    why: "The port is reachable from outside the cluster; model servers on 8000/8080 speak \
          plain HTTP and usually no authentication.",
    example: "spec:\n  type: LoadBalancer\n  ports:\n  - port: 8000",
    fix: "Use ClusterIP behind an Ingress or gateway that terminates TLS on 443.",
    references: &["kube-linter exposed-services"],
});

pub static INGRESS_NO_TLS: Rule = rule(Spec {
    id: "AIG501",
    name: "k8s-ingress-without-tls",
    severity: Severity::High,
    checklist: &["002#3", "000#11"],
    summary: "Ingress has no TLS section (or a host not covered by it)",
    what: "Fires on an Ingress without `spec.tls`, or with rule hosts that no TLS entry lists.",
    why: "Prompts, outputs and API keys cross the network in clear text.",
    example: "kind: Ingress\nspec:\n  rules:\n  - host: llm.example.com",
    fix: "Add `spec.tls` with the hosts and a certificate Secret (cert-manager).",
    references: &["https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"],
});

pub static RBAC_WILDCARD: Rule = rule(Spec {
    id: "AIG510",
    name: "k8s-rbac-wildcard",
    severity: Severity::High,
    checklist: &["000#13", "002#4"],
    summary: "Role or ClusterRole grants `*` verbs, resources or API groups",
    what: "Fires on a rule of a Role or ClusterRole with `*` in verbs or resources.",
    why: "Wildcards grant every current and future permission, including secrets, \
          pods/exec and RBAC itself (privilege escalation).",
    example: "rules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]",
    fix: "List the resources and verbs the service needs.",
    references: &[
        RBAC,
        "Trivy KSV044, KSV045, KSV046",
        "kube-linter wildcard-in-rules",
    ],
});

pub static CLUSTER_ADMIN_BINDING: Rule = rule(Spec {
    id: "AIG511",
    name: "k8s-cluster-admin-binding",
    severity: Severity::Critical,
    checklist: &["000#13", "002#4"],
    summary: "A binding grants cluster-admin",
    what: "Fires on a RoleBinding or ClusterRoleBinding whose roleRef is `cluster-admin`.",
    why: "cluster-admin is full control of the cluster; a compromised service account with it \
          owns every workload and secret.",
    example: "roleRef:\n  kind: ClusterRole\n  name: cluster-admin",
    fix: "Bind a Role with only the needed permissions, scoped to one namespace.",
    references: &[RBAC, "kube-linter cluster-admin-role-binding"],
});

pub static RBAC_SECRETS: Rule = rule(Spec {
    id: "AIG512",
    name: "k8s-rbac-secrets-access",
    severity: Severity::Medium,
    checklist: &["000#13", "002#4"],
    summary: "Role grants read access to Secrets",
    what: "Fires on a Role or ClusterRole rule granting get, list or watch on `secrets`.",
    why: "list and watch return every Secret's content in the scope, including other \
          services' credentials and service account tokens.",
    example: "rules:\n- resources: [\"secrets\"]\n  verbs: [\"get\", \"list\"]",
    fix: "Mount the needed Secret into the pod instead of reading it through the API; if \
          needed, restrict with `resourceNames`.",
    references: &[RBAC, "Trivy KSV041", "kube-linter access-to-secrets"],
});

pub static RBAC_POD_EXEC: Rule = rule(Spec {
    id: "AIG513",
    name: "k8s-rbac-pod-exec-or-create",
    severity: Severity::Medium,
    checklist: &["000#13", "002#4"],
    summary: "Role can create pods or exec into them",
    what: "Fires on a Role or ClusterRole rule granting `create` on `pods` or `pods/exec`.",
    why: "Creating pods (with any service account and mounts) or exec-ing into them is \
          equivalent to holding the permissions of those pods.",
    example: "rules:\n- resources: [\"pods/exec\"]\n  verbs: [\"create\"]",
    fix: "Remove the permission from service roles; use a separate, audited break-glass role.",
    references: &[RBAC, "kube-linter access-to-create-pods"],
});

pub static NO_NETWORK_POLICY: Rule = rule(Spec {
    id: "AIG520",
    name: "k8s-model-server-without-network-policy",
    severity: Severity::Medium,
    checklist: &["002#3", "000#11"],
    summary: "Model-serving namespace has no NetworkPolicy in the manifests",
    what: "Fires on a model-serving workload (a KServe InferenceService, or a container whose \
           image or command is vLLM, Triton, TGI, TorchServe, TF Serving, Ray Serve, Ollama or \
           similar) when the same manifest file has no NetworkPolicy for its namespace.",
    why: "Without a policy every pod in the cluster can call the model server directly, \
          skipping the gateway's authentication and rate limits.",
    example: "kind: Deployment\n...\n  image: vllm/vllm-openai:v0.6.3",
    fix: "Add a default-deny NetworkPolicy for the namespace and allow ingress only from the \
          gateway.",
    references: &["Trivy KSV038"],
});
