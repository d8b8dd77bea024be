//! nginx rules (AIG540–AIG569), judged on the effective settings of each
//! server block (http-level values inherited, includes resolved).

use super::{Spec, rule};
use aigis_findings::{Rule, Severity};

const MOZ: &str = "https://wiki.mozilla.org/Security/Server_Side_TLS";
const SSL_MOD: &str = "https://nginx.org/en/docs/http/ngx_http_ssl_module.html";

pub static LEGACY_TLS: Rule = rule(Spec {
    id: "AIG540",
    name: "nginx-legacy-tls-protocol",
    severity: Severity::High,
    checklist: &["002#3", "000#11"],
    summary: "TLS server allows SSLv3, TLSv1 or TLSv1.1",
    what: "Fires on a TLS server block whose effective `ssl_protocols` (its own, else the \
           http block's, else nginx's default) includes SSLv2, SSLv3, TLSv1 or TLSv1.1.",
    why: "These protocols have known attacks (POODLE, BEAST) and are deprecated by RFC 8996.",
    example: "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;",
    fix: "`ssl_protocols TLSv1.3;` (or `TLSv1.2 TLSv1.3` where old clients must be served).",
    references: &[MOZ, "RFC 8996", SSL_MOD],
});

pub static TLS12: Rule = rule(Spec {
    id: "AIG541",
    name: "nginx-tls12-enabled",
    severity: Severity::Low,
    checklist: &["002#3"],
    summary: "TLS server allows TLSv1.2 (the baseline asks for TLS 1.3 only)",
    what: "Fires on a TLS server block whose effective `ssl_protocols` includes TLSv1.2 (also \
           when unset: nginx's default enables it).",
    why: "TLS 1.2 is still safe with good ciphers, but its negotiation allows weaker suites \
          and lacks 1.3's encrypted handshake; the baseline requires TLS 1.3.",
    example: "ssl_protocols TLSv1.2 TLSv1.3;",
    fix: "`ssl_protocols TLSv1.3;` when all clients support it.",
    references: &[MOZ, SSL_MOD],
});

pub static WEAK_CIPHERS: Rule = rule(Spec {
    id: "AIG542",
    name: "nginx-weak-tls-ciphers",
    severity: Severity::High,
    checklist: &["002#3"],
    summary: "ssl_ciphers enables weak suites (RC4, DES, 3DES, MD5, NULL, EXPORT, aNULL)",
    what: "Fires on an effective `ssl_ciphers` that names RC4, DES, 3DES, MD5, NULL, EXPORT, \
           aNULL, eNULL, ADH/AECDH or `ALL`/`LOW`/`MEDIUM` without excluding them with `!`.",
    why: "These suites are broken or unauthenticated; a downgrade exposes the traffic.",
    example: "ssl_ciphers ALL:RC4+RSA:+HIGH;",
    fix: "Use Mozilla's intermediate or modern cipher list.",
    references: &[MOZ],
});

pub static NO_HSTS: Rule = rule(Spec {
    id: "AIG543",
    name: "nginx-hsts-missing",
    severity: Severity::Medium,
    checklist: &["002#3"],
    summary: "TLS server sends no Strict-Transport-Security header",
    what: "Fires on a TLS server block where no `add_header Strict-Transport-Security` is in \
           effect (remember `add_header` in a block replaces all inherited ones).",
    why: "Without HSTS a browser's first plain-HTTP request can be intercepted and the session \
          downgraded (SSL stripping).",
    example: "server { listen 443 ssl; ssl_certificate ...; }",
    fix: "`add_header Strict-Transport-Security \"max-age=63072000\" always;`",
    references: &["RFC 6797", MOZ],
});

pub static SERVER_TOKENS: Rule = rule(Spec {
    id: "AIG544",
    name: "nginx-server-tokens-on",
    severity: Severity::Low,
    checklist: &["000#11", "000#14"],
    summary: "server_tokens is on (nginx version disclosed)",
    what: "Fires on `server_tokens on` or `build`, and on an http block that leaves it at the \
           default (on).",
    why: "The exact version in headers and error pages tells attackers which CVEs apply.",
    example: "server_tokens on;",
    fix: "`server_tokens off;` in the http block.",
    references: &["https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens"],
});

pub static PLAIN_HTTP: Rule = rule(Spec {
    id: "AIG545",
    name: "nginx-plain-http-serving",
    severity: Severity::High,
    checklist: &["002#1", "002#3"],
    summary: "A plain-HTTP server block serves content instead of redirecting",
    what: "Fires on a server block listening without `ssl` (port 80 or any port) that does \
           anything but `return 301/302/307/308` to https (proxying, serving files).",
    why: "Prompts, completions and credentials travel in clear text; only HTTPS on 443 should \
          be reachable.",
    example: "server { listen 80; location / { proxy_pass http://vllm:8000; } }",
    fix: "Make the port-80 server only `return 301 https://$host$request_uri;`.",
    references: &[MOZ],
});

pub static NO_RATE_LIMIT: Rule = rule(Spec {
    id: "AIG546",
    name: "nginx-inference-without-rate-limit",
    severity: Severity::Medium,
    checklist: &["000#4", "002#3"],
    summary: "Inference location proxied without limit_req",
    what: "Fires on a location that proxies (`proxy_pass`, `grpc_pass`, `uwsgi_pass`, \
           `fastcgi_pass`) to a model API (paths such as /v1/, /v2/models, /predict, /infer, \
           /generate, /completions, /chat, /embeddings, or an upstream named like a model \
           server) with no `limit_req` in effect.",
    why: "Inference is expensive: without rate limits one client can exhaust GPUs (denial of \
          service, cost) or run model extraction at full speed.",
    example: "location /v1/ { proxy_pass http://vllm; }",
    fix: "Define `limit_req_zone $binary_remote_addr zone=infer:10m rate=5r/s;` and add \
          `limit_req zone=infer burst=10;` in the location.",
    references: &["https://nginx.org/en/docs/http/ngx_http_limit_req_module.html"],
});

pub static AUTOINDEX: Rule = rule(Spec {
    id: "AIG547",
    name: "nginx-autoindex-on",
    severity: Severity::Medium,
    checklist: &["000#11"],
    summary: "autoindex on lists directory contents",
    what: "Fires on `autoindex on`.",
    why: "Directory listings expose model files, checkpoints and configuration to anyone who \
          can reach the server.",
    example: "location /models/ { autoindex on; }",
    fix: "`autoindex off;` (the default) and serve only named files.",
    references: &["https://nginx.org/en/docs/http/ngx_http_autoindex_module.html"],
});
