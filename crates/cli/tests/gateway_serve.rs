//! The README's gateway walk-through as a new user runs it, with real
//! processes: create a key, start `aigis gateway` in front of a model
//! server, see a request allowed and one refused, stop the gateway with
//! SIGTERM, and prove the audit log intact with `aigis audit-log verify`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

fn aigis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aigis"));
    c.env("XDG_CONFIG_HOME", "/nonexistent")
        .env("AIGIS_KEY_HASH_SECRET", SECRET)
        .env_remove("AIGIS_GATEWAY_CONFIG");
    c
}

fn run(args: &[&str], dir: &Path) -> Output {
    aigis().args(args).current_dir(dir).output().expect("runs")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A model server that answers every request with a small JSON body.
fn upstream() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let body = r#"{"choices":[]}"#;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nserver: demo/1.0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// One HTTP/1.1 request; the status code.
fn post(port: u16, key: Option<&str>) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = r#"{"model":"demo","messages":[]}"#;
    let auth = key
        .map(|k| format!("x-api-key: {k}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n{auth}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_allow_refuse_stop_and_verify_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (public, admin, up) = (free_port(), free_port(), upstream());
    std::fs::write(
        d.join("gateway.toml"),
        format!(
            r#"
key_store = "keys.db"
key_hash_secret = "env:AIGIS_KEY_HASH_SECRET"
audit_log = "audit.jsonl"
[listen]
public = "127.0.0.1:{public}"
admin = "127.0.0.1:{admin}"
[[routes]]
name = "chat"
path_prefix = "/v1/"
upstream = "http://127.0.0.1:{up}"
[roles.analyst]
models = ["*"]
routes = ["chat"]
methods = ["POST"]
"#
        ),
    )
    .unwrap();
    let o = run(&["keys", "create", "--role", "analyst"], d);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let key = String::from_utf8(o.stdout).unwrap().trim().to_string();

    let child = aigis()
        .args(["gateway", "-c", "gateway.toml"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut gw = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", public)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the gateway did not start listening"
        );
        assert!(gw.0.try_wait().unwrap().is_none(), "the gateway exited");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(post(public, Some(&key)), 200);
    assert_eq!(post(public, None), 401);
    assert_eq!(post(public, Some("aig_0000000000000000_wrong")), 401);

    let pid = gw.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = gw.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let mut logs = String::new();
    if let Some(mut e) = gw.0.stderr.take() {
        let _ = e.read_to_string(&mut logs);
    }
    assert!(
        !logs.contains(&key[20..]),
        "key material in the logs: {logs}"
    );

    let o = run(&["audit-log", "verify", "audit.jsonl"], d);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout.contains("3 records"), "{stdout}");
    let text = std::fs::read_to_string(d.join("audit.jsonl")).unwrap();
    assert!(!text.contains(&key[20..]), "{text}");
    assert_eq!(text.matches("\"decision\":\"allow\"").count(), 1, "{text}");
    assert_eq!(text.matches("\"decision\":\"deny\"").count(), 2, "{text}");
}
