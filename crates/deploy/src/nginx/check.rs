//! Effective settings per server block and the nginx rules. Inheritance
//! follows nginx: a directive in a server block replaces the http block's,
//! and any `add_header` in a block replaces every inherited `add_header`.

use aigis_findings::Rule;

use super::parse::Directive;
use crate::finding::DeployFinding;
use crate::rules::nginx as r;

const LEGACY: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"];
/// nginx's default `ssl_protocols` since 1.23.4.
const DEFAULT_PROTOCOLS: &[&str] = &["TLSv1.2", "TLSv1.3"];
const WEAK_CIPHERS: &[&str] = &[
    "RC4",
    "DES",
    "3DES",
    "MD5",
    "NULL",
    "EXPORT",
    "EXP",
    "ANULL",
    "ENULL",
    "ADH",
    "AECDH",
    "ALL",
    "LOW",
    "MEDIUM",
    "DES-CBC3-SHA",
    "IDEA",
    "SEED",
];
const INFERENCE_PATHS: &[&str] = &[
    "/v1",
    "/v2",
    "/predict",
    "/infer",
    "/generate",
    "/completions",
    "/chat",
    "/embeddings",
    "/invocations",
    "/api/generate",
    "/score",
    "/models",
];
const PROXIES: &[&str] = &[
    "proxy_pass",
    "grpc_pass",
    "uwsgi_pass",
    "fastcgi_pass",
    "scgi_pass",
];
const MODEL_UPSTREAMS: &[&str] = &[
    "vllm",
    "triton",
    "tgi",
    "llm",
    "model",
    "inference",
    "predict",
    "ollama",
    "torchserve",
    "serving",
    "kserve",
];

fn children(d: &Directive) -> &[Directive] {
    d.block.as_deref().unwrap_or(&[])
}

fn find<'a>(ds: &'a [Directive], name: &str) -> Option<&'a Directive> {
    ds.iter().rev().find(|d| d.name == name)
}

fn hit(out: &mut Vec<DeployFinding>, rule: &'static Rule, d: &Directive, msg: String, key: String) {
    let place = d
        .origin
        .as_ref()
        .map_or(String::new(), |o| format!(" (in {o})"));
    let evidence = format!("{} {}", d.name, d.args.join(" "));
    out.push(DeployFinding::new(
        rule,
        d.line,
        d.column,
        format!("{msg}{place}"),
        &evidence,
        key,
    ));
}

/// The http-level context inherited by servers.
#[derive(Default, Clone, Copy)]
struct Http<'a> {
    protocols: Option<&'a Directive>,
    ciphers: Option<&'a Directive>,
    headers: Option<&'a [Directive]>,
    limit_req: bool,
}

pub fn run(tree: &[Directive], out: &mut Vec<DeployFinding>) {
    every(tree, &mut |d| {
        let on = d.args.first().map(String::as_str);
        if d.name == "autoindex" && on == Some("on") {
            hit(
                out,
                &r::AUTOINDEX,
                d,
                "autoindex on lists directory contents".into(),
                "autoindex".into(),
            );
        }
        if d.name == "server_tokens" && matches!(on, Some("on" | "build")) {
            hit(
                out,
                &r::SERVER_TOKENS,
                d,
                format!(
                    "server_tokens {} discloses the nginx version",
                    on.unwrap_or("")
                ),
                "server_tokens".into(),
            );
        }
    });
    let https: Vec<&Directive> = tree.iter().filter(|d| d.name == "http").collect();
    for http in &https {
        let body = children(http);
        let ctx = Http {
            protocols: find(body, "ssl_protocols"),
            ciphers: find(body, "ssl_ciphers"),
            headers: body.iter().any(|d| d.name == "add_header").then_some(body),
            limit_req: body.iter().any(|d| d.name == "limit_req"),
        };
        let tokens_off = find(body, "server_tokens").is_some()
            || body
                .iter()
                .filter(|d| d.name == "server")
                .all(|s| find(children(s), "server_tokens").is_some());
        if !tokens_off {
            hit(
                out,
                &r::SERVER_TOKENS,
                http,
                "server_tokens is not set: it defaults to on".into(),
                "server_tokens-default".into(),
            );
        }
        for s in body.iter().filter(|d| d.name == "server") {
            server(s, ctx, out);
        }
    }
    // A fragment (conf.d/*.conf): servers at top level, nothing inherited.
    for s in tree.iter().filter(|d| d.name == "server") {
        server(s, Http::default(), out);
    }
}

fn every<'a>(ds: &'a [Directive], f: &mut dyn FnMut(&'a Directive)) {
    for d in ds {
        f(d);
        every(children(d), f);
    }
}

fn server(s: &Directive, http: Http, out: &mut Vec<DeployFinding>) {
    let body = children(s);
    let name = find(body, "server_name")
        .and_then(|d| d.args.first())
        .map_or("_", String::as_str);
    let listens: Vec<&Directive> = body.iter().filter(|d| d.name == "listen").collect();
    let ssl_on = find(body, "ssl").is_some_and(|d| d.args.first().is_some_and(|a| a == "on"));
    let is_ssl = |l: &Directive| ssl_on || l.args.iter().any(|a| a == "ssl" || a == "quic");
    let tls: Vec<&&Directive> = listens.iter().filter(|l| is_ssl(l)).collect();
    let plain: Vec<&&Directive> = listens
        .iter()
        .filter(|l| !is_ssl(l) && !l.args.first().is_some_and(|a| a.starts_with("unix:")))
        .collect();
    let key = |k: &str| format!("{name}:{k}");
    if let Some(first_tls) = tls.first() {
        let own = find(body, "ssl_protocols").or(http.protocols);
        let protocols: Vec<&str> = own.map_or(DEFAULT_PROTOCOLS.to_vec(), |d| {
            d.args.iter().map(String::as_str).collect()
        });
        let at = own.unwrap_or(first_tls);
        let legacy: Vec<&str> = protocols
            .iter()
            .copied()
            .filter(|p| LEGACY.contains(p))
            .collect();
        if !legacy.is_empty() {
            hit(
                out,
                &r::LEGACY_TLS,
                at,
                format!("server {name} allows {}", legacy.join(", ")),
                key("legacy"),
            );
        }
        if protocols.contains(&"TLSv1.2") {
            let how = if own.is_none() {
                " (nginx's default ssl_protocols)"
            } else {
                ""
            };
            hit(
                out,
                &r::TLS12,
                at,
                format!("server {name} allows TLSv1.2{how}"),
                key("tls12"),
            );
        }
        if let Some(c) = find(body, "ssl_ciphers").or(http.ciphers) {
            let weak = weak_ciphers(c.args.first().map_or("", String::as_str));
            if !weak.is_empty() {
                hit(
                    out,
                    &r::WEAK_CIPHERS,
                    c,
                    format!("server {name}: ssl_ciphers enables {}", weak.join(", ")),
                    key("ciphers"),
                );
            }
        }
        let headers = if body.iter().any(|d| d.name == "add_header") {
            Some(body)
        } else {
            http.headers
        };
        let hsts = headers.is_some_and(|h| {
            h.iter().any(|d| {
                d.name == "add_header"
                    && d.args
                        .first()
                        .is_some_and(|a| a.eq_ignore_ascii_case("Strict-Transport-Security"))
            })
        });
        if !hsts {
            hit(
                out,
                &r::NO_HSTS,
                s,
                format!("TLS server {name} sends no Strict-Transport-Security header"),
                key("hsts"),
            );
        }
    }
    let redirects = redirect_only(body);
    if (listens.is_empty() || !plain.is_empty()) && !redirects && serves(body) {
        let at = plain.first().map_or(s, |l| l);
        let port = at.args.first().map_or("80", String::as_str);
        hit(
            out,
            &r::PLAIN_HTTP,
            at,
            format!("server {name} serves content over plain HTTP (listen {port})"),
            key("plain"),
        );
    }
    let limited = http.limit_req || body.iter().any(|d| d.name == "limit_req");
    for l in body.iter().filter(|d| d.name == "location") {
        location(l, name, limited, out);
    }
}

fn weak_ciphers(spec: &str) -> Vec<String> {
    let mut weak = Vec::new();
    for part in spec.split([':', ' ', ',']) {
        if part.starts_with('!') || part.starts_with('-') || part.is_empty() {
            continue;
        }
        let p = part.trim_start_matches('+').to_ascii_uppercase();
        let bad = WEAK_CIPHERS.contains(&p.as_str())
            || p.contains("RC4")
            || p.split('-').any(|seg| WEAK_CIPHERS.contains(&seg));
        if bad && !weak.contains(&p) {
            weak.push(p);
        }
    }
    weak
}

/// The server only redirects (or refuses): a `return 3xx/4xx` at server level,
/// or in an `if` block at server level.
fn redirect_only(body: &[Directive]) -> bool {
    let is_redirect = |d: &Directive| {
        (d.name == "return" && d.args.first().is_some_and(|c| !c.starts_with('2')))
            || (d.name == "rewrite" && d.args.iter().any(|a| a == "permanent" || a == "redirect"))
    };
    body.iter()
        .any(|d| is_redirect(d) || (d.name == "if" && children(d).iter().any(is_redirect)))
}

/// The server produces content: proxying, a root, or a location doing so.
fn serves(body: &[Directive]) -> bool {
    body.iter().any(|d| {
        PROXIES.contains(&d.name.as_str())
            || d.name == "root"
            || d.name == "alias"
            || (d.name == "return" && d.args.first().is_some_and(|c| c.starts_with('2')))
            || (d.name == "location" && (serves(children(d)) || children(d).is_empty()))
    })
}

fn location(l: &Directive, server: &str, limited: bool, out: &mut Vec<DeployFinding>) {
    let body = children(l);
    let path = l.args.last().map_or("", String::as_str);
    let limited = limited || body.iter().any(|d| d.name == "limit_req");
    let proxy = body.iter().find(|d| PROXIES.contains(&d.name.as_str()));
    if let Some(p) = proxy {
        let target = p
            .args
            .first()
            .map_or("", String::as_str)
            .to_ascii_lowercase();
        let inference = INFERENCE_PATHS
            .iter()
            .any(|i| path.starts_with(i) || path.contains(&format!("{i}/")))
            || MODEL_UPSTREAMS.iter().any(|m| target.contains(m));
        if inference && !limited {
            hit(
                out,
                &r::NO_RATE_LIMIT,
                l,
                format!("server {server}: location {path} proxies to {target} without limit_req"),
                format!("{server}:{path}"),
            );
        }
    }
    for inner in body.iter().filter(|d| d.name == "location") {
        location(inner, server, limited, out);
    }
}
