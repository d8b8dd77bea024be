//! `TestApp`: a gateway built in-process against the test model server,
//! with a temporary key store, an in-memory audit sink and keys per role.
#![allow(dead_code)]

pub mod upstream;

use aigis_gateway::audit::{AuditRecord, AuditSink, ChainedSink, MemorySink};
use aigis_gateway::context::ClientAddr;
use aigis_gateway::keys::{KeyHasher, KeyStore};
use aigis_gateway::{Gateway, GatewayConfig};
use axum::body::Body;
use http::{Request, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

pub const HASH_SECRET: [u8; 32] = [42; 32];

pub fn base_config(upstream: SocketAddr) -> String {
    format!(
        r#"
key_store = "keys.db"
key_hash_secret = "env:AIGIS_TEST_UNUSED"
audit_log = "audit.jsonl"

[listen]
public = "127.0.0.1:0"
admin = "127.0.0.1:0"

[limits]
max_json_depth = 8
body_read_timeout = "2s"

[[routes]]
name = "chat"
path_prefix = "/v1/"
models = ["demo"]
upstream = "http://{upstream}"
timeout = "1s"
max_body_bytes = 4096

[[routes]]
name = "kserve"
path_prefix = "/v2/"
upstream = "http://{upstream}"

[roles.analyst]
models = ["demo"]
routes = ["chat", "kserve"]
methods = ["POST", "GET"]

[roles.viewer]
models = ["demo"]
routes = ["kserve"]
methods = ["GET"]

[roles.secure]
models = ["*"]
routes = ["*"]
methods = ["*"]
require_mfa = true
"#
    )
}

/// The error (`key: why`) of the base config with `extra` appended.
pub fn config_error(extra: &str) -> String {
    let text = format!("{}\n{extra}\n", base_config("127.0.0.1:9".parse().unwrap()));
    GatewayConfig::from_toml(&text, std::path::Path::new("/tmp"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_else(|| panic!("accepted: {extra}"))
}

pub struct TestAppBuilder {
    extra: String,
    replace: Vec<(String, String)>,
    keys: Vec<(String, Option<String>)>,
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    chained: bool,
}

/// Records kept in memory and, optionally, also written to the real
/// hash-chained log (`audit_log` in the config's directory).
pub struct TeeSink {
    pub memory: MemorySink,
    pub chained: Option<ChainedSink>,
}

impl AuditSink for TeeSink {
    fn record(&self, record: AuditRecord) {
        if let Some(c) = &self.chained {
            c.record(record.clone());
        }
        self.memory.record(record);
    }
    fn failure(&self) -> Option<String> {
        self.chained.as_ref().and_then(|c| c.failure())
    }
    fn lost(&self) -> u64 {
        self.chained.as_ref().map_or(0, |c| c.lost())
    }
}

pub struct TestApp {
    pub gateway: Gateway,
    pub audit: Arc<TeeSink>,
    /// role -> key
    pub keys: HashMap<String, String>,
    pub upstream: upstream::Upstream,
    pub dir: tempfile::TempDir,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            extra: String::new(),
            replace: Vec::new(),
            keys: Vec::new(),
            tls: None,
            chained: false,
        }
    }

    pub fn key(&self, role: &str) -> &str {
        &self.keys[role]
    }

    /// Send through the in-process router as if from 192.0.2.1.
    pub async fn send(&self, mut req: Request<Body>) -> Response<Body> {
        req.extensions_mut()
            .insert(ClientAddr("192.0.2.1:5555".parse().unwrap()));
        aigis_gateway::app::router(self.gateway.state())
            .oneshot(req)
            .await
            .unwrap()
    }

    pub fn records(&self) -> Vec<AuditRecord> {
        self.audit.memory.0.lock().unwrap().clone()
    }

    /// The chained audit log's path (see [`TestAppBuilder::chained_audit`]).
    pub fn audit_path(&self) -> std::path::PathBuf {
        self.gateway.state().config.audit_log.clone()
    }

    /// Wait until the chained log has everything handed to it.
    pub fn flush_audit(&self) {
        if let Some(c) = &self.audit.chained {
            c.flush().unwrap();
        }
    }
}

impl TestAppBuilder {
    /// Append TOML (new tables) to the base config.
    pub fn config(mut self, extra: &str) -> Self {
        self.extra.push_str(extra);
        self
    }
    /// Replace text in the base config.
    pub fn replace(mut self, from: &str, to: &str) -> Self {
        self.replace.push((from.into(), to.into()));
        self
    }
    /// Create a key for `role` (and tenant).
    pub fn with_key(mut self, role: &str, tenant: Option<&str>) -> Self {
        self.keys.push((role.into(), tenant.map(String::from)));
        self
    }
    /// Also write the real hash-chained audit log.
    pub fn chained_audit(mut self) -> Self {
        self.chained = true;
        self
    }
    pub fn tls(mut self, cert: std::path::PathBuf, key: std::path::PathBuf) -> Self {
        self.tls = Some((cert, key));
        self
    }

    pub async fn build(self) -> TestApp {
        self.build_with(|_| {}).await
    }

    /// Build, after `prepare` has run on the (empty) config directory.
    pub async fn build_with(self, prepare: impl FnOnce(&std::path::Path)) -> TestApp {
        let upstream = upstream::start().await;
        let dir = tempfile::tempdir().unwrap();
        prepare(dir.path());
        let mut text = base_config(upstream.addr);
        for (a, b) in &self.replace {
            assert!(text.contains(a.as_str()), "base config lacks {a}");
            text = text.replace(a.as_str(), b);
        }
        text.push_str(&self.extra);
        if let Some((c, k)) = &self.tls {
            text.push_str(&format!("\n[tls]\ncert = {:?}\nkey = {:?}\n", c, k));
        }
        let config = GatewayConfig::from_toml(&text, dir.path()).unwrap();
        let hasher = KeyHasher::new(&HASH_SECRET).unwrap();
        let store = KeyStore::open(&config.key_store, hasher.clone()).unwrap();
        let mut keys = HashMap::new();
        for (role, tenant) in &self.keys {
            let (_, key) = store.create(role, tenant.as_deref(), None).unwrap();
            keys.insert(role.clone(), key.0.to_string());
        }
        let table = store.load_table().unwrap();
        let chained = self.chained.then(|| ChainedSink::open(&config).unwrap().0);
        let audit = Arc::new(TeeSink {
            memory: MemorySink::default(),
            chained,
        });
        let gateway = Gateway::from_parts(config, table, hasher, audit.clone()).unwrap();
        TestApp {
            gateway,
            audit,
            keys,
            upstream,
            dir,
        }
    }
}

pub fn post_json(path: &str, key: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::post(path).header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("authorization", format!("Bearer {k}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

pub async fn body_string(resp: Response<Body>) -> String {
    use http_body_util::BodyExt;
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}
