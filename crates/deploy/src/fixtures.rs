//! Per-rule fixtures: for every rule, a configuration that must fire it and
//! a close variant that must not. The test at the end checks both, and that
//! every rule of the crate has a pair.

use crate::ConfigKind::{
    self, Compose as C, DaemonJson as J, Dockerfile as D, Kubernetes as K, Nginx as N,
};

pub struct Fixture {
    pub rule: &'static str,
    pub kind: ConfigKind,
    pub positive: &'static str,
    pub negative: &'static str,
}

const fn f(
    rule: &'static str,
    kind: ConfigKind,
    positive: &'static str,
    negative: &'static str,
) -> Fixture {
    Fixture {
        rule,
        kind,
        positive,
        negative,
    }
}

pub static FIXTURES: &[Fixture] = &[
    f(
        "AIG400",
        D,
        "FROM a:1\nRUN <<EOF\necho never closed\n",
        "FROM a:1\nRUN <<EOF\necho closed\nEOF\n",
    ),
    f(
        "AIG401",
        D,
        "FROM python:3.12-slim\nCMD [\"python\"]\n",
        "FROM python:3.12-slim\nUSER 10001\n",
    ),
    f(
        "AIG401",
        D,
        "FROM python:3.12-slim AS b\nUSER app\nFROM b\nUSER root\n",
        "FROM python:3.12-slim AS b\nUSER app\nFROM b\nCMD x\n",
    ),
    f(
        "AIG401",
        D,
        "FROM gcr.io/distroless/python3-debian12 AS b\nFROM b\n",
        "FROM gcr.io/distroless/python3-debian12:nonroot AS b\nFROM b\n",
    ),
    f(
        "AIG402",
        D,
        "FROM pytorch/pytorch:latest\n",
        "FROM pytorch/pytorch:2.4.1-cuda12.1-cudnn9-runtime\n",
    ),
    f(
        "AIG402",
        D,
        "ARG BASE=python\nFROM ${BASE}\n",
        "FROM golang:1.23 AS build\nFROM build\n",
    ),
    f(
        "AIG403",
        D,
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n",
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04@sha256:0f3e\n",
    ),
    f(
        "AIG404",
        D,
        "FROM a:1\nADD https://example.com/model.bin /models/\n",
        "FROM a:1\nADD --checksum=sha256:24454f830c https://example.com/model.bin /models/\n",
    ),
    f(
        "AIG405",
        D,
        "FROM a:1\nRUN curl -fsSL https://example.com/i.sh | bash\n",
        "FROM a:1\nRUN curl -fsSLo i.sh https://example.com/i.sh && sha256sum -c i.sh.sha256 && sh i.sh\n",
    ),
    f(
        "AIG405",
        D,
        "FROM a:1\nRUN sh -c \"$(wget -qO- https://x.io/i.sh)\"\n",
        "FROM a:1\nRUN wget -qO- https://x.io/data.json | jq .\n",
    ),
    f(
        "AIG406",
        D,
        "FROM a:1\nENV HF_TOKEN=hf_live_3kP9xQ2mZ7wL5vR8tY1nB4cD6fG0hJ\n",
        "FROM a:1\nENV HF_TOKEN_FILE=/run/secrets/hf TOKENIZERS_PARALLELISM=false\n",
    ),
    f(
        "AIG406",
        D,
        "FROM a:1\nARG DB_PASSWORD=s3cr3t-Pa55w0rd\n",
        "FROM a:1\nARG DB_PASSWORD\nENV DB_PASSWORD=${DB_PASSWORD}\n",
    ),
    f(
        "AIG407",
        D,
        "FROM a:1\nCOPY .env /app/.env\n",
        "FROM a:1\nCOPY .env.example /app/.env.example\n",
    ),
    f(
        "AIG407",
        D,
        "FROM a:1\nCOPY [\"id_rsa\", \"/root/.ssh/\"]\n",
        "FROM a:1\nCOPY --from=keys /out/app /app\n",
    ),
    f(
        "AIG408",
        D,
        "FROM a:1\nEXPOSE 8000\n",
        "FROM a:1\nEXPOSE 443/tcp\n",
    ),
    f(
        "AIG409",
        D,
        "FROM a:1\nEXPOSE 443 22/tcp\n",
        "FROM a:1\nEXPOSE 443 2222\n",
    ),
    f(
        "AIG410",
        D,
        "FROM a:1\nRUN pip install --no-cache-dir torch transformers==4.44.2\n",
        "FROM a:1\nRUN pip install --no-cache-dir -r requirements.txt torch==2.4.1\n",
    ),
    f(
        "AIG410",
        D,
        "FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n  && rm -rf /var/lib/apt/lists/*\n",
        "FROM a:1\nRUN apt-get update && apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
    ),
    f(
        "AIG411",
        D,
        "FROM a:1\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n",
        "FROM a:1\nRUN apt-get update && apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
    ),
    f(
        "AIG411",
        D,
        "FROM a:1\nRUN pip install torch==2.4.1\n",
        "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install torch==2.4.1\n",
    ),
    f(
        "AIG412",
        D,
        "FROM a:1\nUSER 1\n",
        "FROM a:1\nHEALTHCHECK CMD curl -fsS http://localhost/health || exit 1\n",
    ),
    f(
        "AIG413",
        D,
        "FROM a:1\nRUN chmod -R 777 /models\n",
        "FROM a:1\nRUN chmod -R 755 /models && chmod 1755 /data\n",
    ),
    f(
        "AIG413",
        D,
        "FROM a:1\nCOPY --chmod=o+w model.bin /m/\n",
        "FROM a:1\nCOPY --chmod=644 model.bin /m/\n",
    ),
    f(
        "AIG414",
        D,
        "FROM a:1\nRUN sudo apt-get install -y git=1:2.39\n",
        "FROM a:1\nRUN apt-get install -y git=1:2.39 # no sudo here\n",
    ),
    f(
        "AIG440",
        C,
        "services:\n  t:\n    privileged: true\n",
        "services:\n  t:\n    privileged: false\n",
    ),
    f(
        "AIG441",
        C,
        "services:\n  t:\n    network_mode: host\n",
        "services:\n  t:\n    network_mode: bridge\n",
    ),
    f(
        "AIG442",
        C,
        "services:\n  t:\n    ipc: host\n",
        "services:\n  t:\n    ipc: shareable\n    shm_size: 8gb\n",
    ),
    f(
        "AIG443",
        C,
        "services:\n  t:\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
        "services:\n  t:\n    volumes:\n      - models:/models:ro\n",
    ),
    f(
        "AIG444",
        C,
        "services:\n  t:\n    volumes:\n      - type: bind\n        source: /etc\n        target: /host-etc\n",
        "services:\n  t:\n    volumes:\n      - ./models:/models:ro\n      - type: volume\n        source: cache\n        target: /cache\n",
    ),
    f(
        "AIG445",
        C,
        "services:\n  t:\n    cap_add: [SYS_ADMIN]\n",
        "services:\n  t:\n    cap_drop: [ALL]\n",
    ),
    f(
        "AIG446",
        C,
        "services:\n  t:\n    image: a:1\n",
        "services:\n  t:\n    read_only: true\n",
    ),
    f(
        "AIG447",
        C,
        "services:\n  t:\n    ports:\n      - \"8000:8000\"\n",
        "services:\n  t:\n    ports:\n      - \"127.0.0.1:8000:8000\"\n      - \"443:8443\"\n      - target: 8000\n        published: 8000\n        host_ip: 127.0.0.1\n",
    ),
    f(
        "AIG448",
        C,
        "services:\n  t:\n    environment:\n      POSTGRES_PASSWORD: s3cr3t-Pa55w0rd\n",
        "services:\n  t:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n",
    ),
    f(
        "AIG448",
        C,
        "services:\n  t:\n    environment:\n      - OPENAI_API_KEY=sk-proj-9fK2mQ7xLp3vR8tZ1wY4\n",
        "services:\n  t:\n    environment:\n      - OPENAI_API_KEY\n      - MODEL_NAME=llama-3\n",
    ),
    f(
        "AIG449",
        C,
        "services:\n  t:\n    image: a:1\n",
        "services:\n  t:\n    deploy:\n      resources:\n        limits:\n          memory: 16g\n",
    ),
    f(
        "AIG450",
        C,
        "services:\n  t:\n    security_opt:\n      - seccomp=unconfined\n",
        "services:\n  t:\n    security_opt:\n      - no-new-privileges:true\n",
    ),
    f(
        "AIG451",
        C,
        "services:\n  t:\n    image: nvcr.io/nvidia/tritonserver:latest\n",
        "services:\n  t:\n    image: nvcr.io/nvidia/tritonserver:24.08-py3\n  b:\n    build: .\n    image: app\n",
    ),
    f("AIG470", K, POD_PRIV, POD_GOOD),
    f("AIG471", K, POD_PRIV, POD_GOOD),
    f("AIG472", K, POD_PRIV, POD_GOOD),
    f("AIG473", K, POD_ROOT, POD_GOOD),
    f("AIG474", K, POD_PRIV, POD_GOOD),
    f("AIG475", K, POD_PRIV, POD_GOOD),
    f("AIG476", K, POD_PRIV, POD_GOOD),
    f("AIG477", K, POD_HOST, POD_GOOD),
    f("AIG478", K, POD_HOST, POD_GOOD),
    f("AIG479", K, POD_HOST, POD_GOOD),
    f("AIG480", K, POD_HOST, POD_GOOD),
    f("AIG481", K, POD_HOST, POD_GOOD),
    f("AIG482", K, POD_HOST, POD_GOOD),
    f("AIG483", K, POD_PRIV, POD_GOOD),
    f("AIG484", K, POD_PRIV, POD_GOOD),
    f("AIG485", K, POD_PRIV, POD_GOOD),
    f("AIG486", K, POD_PRIV, POD_GOOD),
    f("AIG487", K, POD_PRIV, POD_GOOD),
    f("AIG488", K, POD_HOST, POD_GOOD),
    f("AIG489", K, POD_PRIV, POD_GOOD),
    f("AIG490", K, POD_ROOT, POD_GOOD),
    f("AIG491", K, POD_ROOT, POD_GOOD),
    f("AIG492", K, POD_ROOT, POD_GOOD),
    f("AIG493", K, POD_ODD, POD_GOOD),
    f("AIG494", K, POD_ODD, POD_GOOD),
    f("AIG495", K, POD_ODD, POD_GOOD),
    f(
        "AIG495",
        K,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: a:1\n    securityContext:\n      seLinuxOptions: {user: system_u}\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: a:1\n    securityContext:\n      seLinuxOptions: {type: container_t, level: \"s0:c1\"}\n",
    ),
    f("AIG496", K, POD_ODD, POD_GOOD),
    f("AIG497", K, POD_ODD, POD_GOOD),
    f("AIG498", K, POD_ODD, POD_GOOD),
    f("AIG499", K, POD_ODD, POD_GOOD),
    f(
        "AIG500",
        K,
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n  ports:\n  - port: 8000\n",
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n  ports:\n  - port: 443\n---\napiVersion: v1\nkind: Service\nmetadata: {name: t}\nspec:\n  ports:\n  - port: 8000\n",
    ),
    f(
        "AIG501",
        K,
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n  - host: llm.example.com\n",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  tls:\n  - hosts: [\"*.example.com\"]\n    secretName: tls\n  rules:\n  - host: llm.example.com\n",
    ),
    f("AIG502", K, POD_PRIV, POD_GOOD),
    f(
        "AIG502",
        K,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: a:1\n    readinessProbe: {tcpSocket: {port: 8000}}\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: fetch\n    image: a:1\n",
    ),
    f("AIG503", K, POD_ODD, POD_GOOD),
    f(
        "AIG504",
        K,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers: []\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: models}\nspec:\n  containers: []\n",
    ),
    f(
        "AIG510",
        K,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n",
        RBAC_GOOD,
    ),
    f(
        "AIG511",
        K,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: kserve\n  namespace: kserve\n",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\nroleRef:\n  kind: Role\n  name: model-reader\n",
    ),
    f(
        "AIG512",
        K,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [\"secrets\"]\n  verbs: [\"get\", \"list\"]\n",
        RBAC_GOOD,
    ),
    f(
        "AIG513",
        K,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [\"pods/exec\"]\n  verbs: [\"create\"]\n",
        RBAC_GOOD,
    ),
    f(
        "AIG514",
        K,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [\"users\", \"serviceaccounts\"]\n  verbs: [\"impersonate\"]\n",
        RBAC_GOOD,
    ),
    f(
        "AIG514",
        K,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [\"nodes/proxy\"]\n  verbs: [\"get\"]\n",
        RBAC_GOOD,
    ),
    f(
        "AIG520",
        K,
        ISVC,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: models}\nspec:\n  podSelector: {}\n---\napiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m, namespace: models}\nspec:\n  predictor:\n    automountServiceAccountToken: false\n",
    ),
    f("AIG521", K, NAMESPACE_BARE, NAMESPACE_GOOD),
    f("AIG522", K, NAMESPACE_BARE, NAMESPACE_GOOD),
    f(
        "AIG540",
        N,
        "http { server_tokens off; server { listen 443 ssl; ssl_protocols TLSv1 TLSv1.2; add_header Strict-Transport-Security max-age=1; } }",
        NGINX_GOOD,
    ),
    f(
        "AIG541",
        N,
        "http { server_tokens off; server { listen 443 ssl; add_header Strict-Transport-Security max-age=1; } }",
        NGINX_GOOD,
    ),
    f(
        "AIG542",
        N,
        "http { server_tokens off; ssl_ciphers ALL:RC4+RSA:+HIGH; server { listen 443 ssl; ssl_protocols TLSv1.3; add_header Strict-Transport-Security max-age=1; } }",
        NGINX_GOOD,
    ),
    f(
        "AIG543",
        N,
        "http { server_tokens off; add_header Strict-Transport-Security max-age=1; server { listen 443 ssl; ssl_protocols TLSv1.3; add_header X-Frame-Options DENY; } }",
        NGINX_GOOD,
    ),
    f(
        "AIG544",
        N,
        "http { server { listen 443 ssl; ssl_protocols TLSv1.3; add_header Strict-Transport-Security max-age=1; } }",
        NGINX_GOOD,
    ),
    f(
        "AIG545",
        N,
        "http { server_tokens off; server { listen 80; location / { proxy_pass http://vllm:8000; limit_req zone=a; } } }",
        NGINX_GOOD,
    ),
    f(
        "AIG546",
        N,
        "server { listen 443 ssl; ssl_protocols TLSv1.3; add_header Strict-Transport-Security max-age=1; location /v1/ { proxy_pass http://backend; } }",
        NGINX_GOOD,
    ),
    f(
        "AIG547",
        N,
        "server { listen 443 ssl; location /models/ { autoindex on; } }",
        "server { listen 443 ssl; location /models/ { autoindex off; } }",
    ),
    f("AIG570", J, "{ \"icc\": false }", DAEMON_GOOD),
    f("AIG571", J, "{ \"icc\": true }", DAEMON_GOOD),
    f("AIG572", J, "{ \"live-restore\": false }", DAEMON_GOOD),
    f("AIG573", J, "{ }", DAEMON_GOOD),
    f(
        "AIG574",
        J,
        "{ \"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://0.0.0.0:2375\"] }",
        DAEMON_GOOD,
    ),
    f(
        "AIG575",
        J,
        "{ \"insecure-registries\": [\"registry.local:5000\"] }",
        DAEMON_GOOD,
    ),
];

const POD_PRIV: &str = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: server
    image: vllm/vllm-openai
    env:
    - name: HF_TOKEN
      value: hf_live_3kP9xQ2mZ7wL5vR8tY1nB4cD6fG0hJ
    securityContext:
      privileged: true
      capabilities:
        add: [\"SYS_ADMIN\"]
";

const POD_ROOT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations: {}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/server: unconfined
    spec:
      securityContext:
        runAsUser: 0
        sysctls:
        - name: kernel.msgmax
          value: \"65536\"
      containers:
      - name: server
        image: a:1@sha256:00
        securityContext:
          procMount: Unmasked
";

/// The less common KSV findings, all in one pod.
const POD_ODD: &str = "apiVersion: v1
kind: Pod
metadata: {name: p, namespace: kube-system}
spec:
  hostAliases:
  - ip: 10.0.0.5
    hostnames: [huggingface.co]
  securityContext:
    runAsUser: 1000
    supplementalGroups: [0]
    seLinuxOptions: {type: spc_t}
    windowsOptions: {hostProcess: true}
  volumes:
  - name: models
    nfs: {server: nas, path: /models}
  containers:
  - name: web
    image: a:1
    ports:
    - containerPort: 80
";

const NAMESPACE_BARE: &str = "apiVersion: v1
kind: Namespace
metadata: {name: models}
";

const NAMESPACE_GOOD: &str = "apiVersion: v1
kind: Namespace
metadata: {name: models}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: models}
spec:
  limits:
  - type: Container
    default: {cpu: \"1\", memory: 1Gi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: models}
spec:
  hard: {requests.nvidia.com/gpu: \"4\"}
";

const POD_HOST: &str = "apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          hostPID: true
          hostIPC: true
          volumes:
          - name: sock
            hostPath: {path: /var/run/docker.sock}
          - name: cache
            hostPath: {path: /data/hf-cache}
          containers:
          - name: job
            image: nvcr.io/nvidia/tritonserver:24.08-py3
            ports:
            - containerPort: 8000
              hostPort: 8000
";

const POD_GOOD: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  template:
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      volumes:
      - name: cache
        persistentVolumeClaim: {claimName: hf}
      containers:
      - name: server
        image: vllm/vllm-openai:v0.6.3@sha256:00aa
        env:
        - name: HF_TOKEN
          valueFrom: {secretKeyRef: {name: hf, key: token}}
        - name: TOKENIZERS_PARALLELISM
          value: \"false\"
        ports:
        - containerPort: 8000
        readinessProbe: {httpGet: {path: /health, port: 8000}}
        livenessProbe: {httpGet: {path: /health, port: 8000}}
        resources:
          requests: {cpu: \"4\", memory: 16Gi}
          limits: {cpu: \"8\", memory: 32Gi, nvidia.com/gpu: 1}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: [ALL]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  podSelector: {}
";

const RBAC_GOOD: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules:
- apiGroups: [\"\"]
  resources: [\"configmaps\"]
  verbs: [\"get\", \"list\"]
- apiGroups: [\"\"]
  resources: [\"secrets\"]
  resourceNames: [\"x\"]
  verbs: [\"update\"]
";

const ISVC: &str = "apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: m, namespace: models}
spec:
  predictor:
    model:
      modelFormat: {name: sklearn}
      storageUri: gs://bucket/model
";

const NGINX_GOOD: &str = "http {
  server_tokens off;
  ssl_protocols TLSv1.3;
  ssl_ciphers HIGH:!aNULL:!MD5:!RC4;
  limit_req_zone $binary_remote_addr zone=infer:10m rate=5r/s;
  add_header Strict-Transport-Security \"max-age=63072000\" always;
  server {
    listen 80;
    return 301 https://$host$request_uri;
  }
  server {
    listen 443 ssl;
    location /v1/ { limit_req zone=infer burst=10; proxy_pass http://vllm:8000; }
    location /models/ { autoindex off; }
  }
}
";

const DAEMON_GOOD: &str = "{
  \"userns-remap\": \"default\",
  \"icc\": false,
  \"live-restore\": true,
  \"no-new-privileges\": true,
  \"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://10.0.0.5:2376\"],
  \"tlsverify\": true, \"tlscacert\": \"/etc/docker/ca.pem\", \"tlscert\": \"c.pem\", \"tlskey\": \"k.pem\"
}";

fn run(kind: ConfigKind, text: &str) -> Vec<crate::DeployFinding> {
    match kind {
        ConfigKind::Nginx => crate::analyze_nginx(text, &crate::NoIncludes),
        k => crate::analyze(k, std::path::Path::new("x"), text),
    }
}

#[test]
fn every_rule_has_a_positive_and_a_negative_fixture_that_behave() {
    // Host rules are checked against fixture trees in `host::tests`.
    for r in crate::rules()
        .iter()
        .filter(|r| !r.name.starts_with("host-"))
    {
        assert!(
            FIXTURES.iter().any(|f| f.rule == r.id),
            "{} has no fixture",
            r.id
        );
    }
    for f in FIXTURES {
        let pos = run(f.kind, f.positive);
        assert!(
            pos.iter().any(|x| x.rule.id == f.rule),
            "{} positive did not fire: {:#?}\n{}",
            f.rule,
            pos.iter()
                .map(|x| (x.rule.id, &x.message))
                .collect::<Vec<_>>(),
            f.positive
        );
        let neg = run(f.kind, f.negative);
        let wrong: Vec<_> = neg
            .iter()
            .filter(|x| x.rule.id == f.rule || x.rule.id == "AIG400")
            .map(|x| (x.rule.id, x.line, &x.message))
            .collect();
        assert!(
            wrong.is_empty(),
            "{} negative fired: {wrong:#?}\n{}",
            f.rule,
            f.negative
        );
        for x in &pos {
            assert!(
                x.line >= 1 && x.line as usize <= f.positive.lines().count().max(1),
                "{}: line {} out of range",
                x.rule.id,
                x.line
            );
        }
    }
}
