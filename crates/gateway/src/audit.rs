//! The logging phase's output: one [`AuditRecord`] per request, handed to
//! an [`AuditSink`]. Records hold who, what, where and how it ended — never
//! bodies, headers or credentials; free-text fields pass through [`redact`].
//!
//! Not built here (aigis-audit will provide it and be wired in later): the
//! hash chain linking records, signed checkpoints, fsync policy and rotation.
//! [`JsonLineSink`] is the plain interim sink: one JSON line per record, file
//! mode 0600, written by a background thread so that requests never wait on
//! the disk (the channel is bounded; when it is full, requests wait).

use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Records queued for the writer thread before requests wait.
pub const AUDIT_QUEUE: usize = 65_536;
/// Longest free-text value kept in a record (characters).
pub const MAX_FIELD_CHARS: usize = 128;

/// One request, as audited.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AuditRecord {
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    pub request_id: String,
    /// Key id or token subject; absent when unauthenticated.
    pub identity: Option<String>,
    pub role: Option<String>,
    pub tenant: Option<String>,
    pub model: Option<String>,
    pub route: Option<String>,
    pub method: String,
    pub client: Option<String>,
    pub status: u16,
    pub latency_ms: f64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// allowed, unauthenticated, denied, limited, rejected, error.
    pub decision: String,
    pub reason: Option<String>,
    /// downstream, upstream or internal, for failures.
    pub fault: Option<String>,
}

/// Where audit records go. aigis-audit's hash-chained writer will implement this.
pub trait AuditSink: Send + Sync {
    fn record(&self, record: &AuditRecord);
}

/// Interim sink: JSON lines to a file (0600, append) or standard output.
pub struct JsonLineSink {
    tx: SyncSender<String>,
}

impl JsonLineSink {
    /// `-` means standard output.
    pub fn open(path: &Path) -> Result<JsonLineSink, crate::Error> {
        let out: Box<dyn Write + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::stdout())
        } else {
            use std::os::unix::fs::OpenOptionsExt;
            let f = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| crate::Error::Io(path.to_path_buf(), e.to_string()))?;
            Box::new(f)
        };
        let (tx, rx) = sync_channel(AUDIT_QUEUE);
        std::thread::Builder::new()
            .name("aigis-audit".into())
            .spawn(move || write_loop(rx, out))
            .map_err(|e| crate::Error::Io(path.to_path_buf(), e.to_string()))?;
        Ok(JsonLineSink { tx })
    }
}

fn write_loop(rx: Receiver<String>, out: Box<dyn Write + Send>) {
    let mut out = std::io::BufWriter::new(out);
    while let Ok(line) = rx.recv() {
        let mut ok = out.write_all(line.as_bytes()).is_ok();
        // Drain what is queued, then flush: one write(2) per burst.
        while let Ok(more) = rx.try_recv() {
            ok &= out.write_all(more.as_bytes()).is_ok();
        }
        ok &= out.flush().is_ok();
        if !ok {
            tracing::error!("audit log write failed");
        }
    }
}

impl AuditSink for JsonLineSink {
    fn record(&self, record: &AuditRecord) {
        if let Ok(mut line) = serde_json::to_string(record) {
            line.push('\n');
            if self.tx.send(line).is_err() {
                tracing::error!("audit writer stopped; record lost");
            }
        }
    }
}

/// Keeps records in memory (tests, and embedding).
#[derive(Default)]
pub struct MemorySink(pub Mutex<Vec<AuditRecord>>);

impl AuditSink for MemorySink {
    fn record(&self, record: &AuditRecord) {
        if let Ok(mut v) = self.0.lock() {
            v.push(record.clone());
        }
    }
}

/// Shorten and scrub a client-influenced value (a model name from a body):
/// anything shaped like an aigis key, a bearer token or a long opaque
/// string is replaced by `[redacted]`.
pub fn redact(value: &str) -> String {
    let looks_secret = value.contains(crate::keys::KEY_PREFIX)
        || value.to_ascii_lowercase().contains("bearer")
        || value.starts_with("eyJ")
        || (value.len() >= 32
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_=+/.".contains(&b))
            && !value.contains('/'));
    if looks_secret {
        return "[redacted]".to_string();
    }
    value.chars().take(MAX_FIELD_CHARS).collect()
}

/// Format Unix time (milliseconds) as RFC 3339 UTC.
pub fn rfc3339_millis(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let ms = unix_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_millis(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(
            rfc3339_millis(1_796_212_800_000),
            "2026-12-02T12:00:00.000Z"
        );
    }

    #[test]
    fn redaction_hides_key_shaped_values() {
        assert_eq!(redact("aig_0123456789abcdef_xyz"), "[redacted]");
        assert_eq!(redact("eyJhbGciOiJIUzI1NiJ9.e30.x"), "[redacted]");
        assert_eq!(
            redact("sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "[redacted]"
        );
        assert_eq!(redact("llama-3-8b-instruct"), "llama-3-8b-instruct");
        assert_eq!(redact(&"org/model-".repeat(50)).len(), MAX_FIELD_CHARS);
    }

    #[test]
    fn file_sink_writes_lines_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let sink = JsonLineSink::open(&path).unwrap();
        let rec = AuditRecord {
            time: rfc3339_millis(0),
            request_id: "r1".into(),
            identity: None,
            role: None,
            tenant: None,
            model: None,
            route: None,
            method: "GET".into(),
            client: None,
            status: 401,
            latency_ms: 0.1,
            bytes_in: 0,
            bytes_out: 10,
            decision: "unauthenticated".into(),
            reason: None,
            fault: None,
        };
        sink.record(&rec);
        drop(sink);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let text = loop {
            let t = std::fs::read_to_string(&path).unwrap();
            if !t.is_empty() || std::time::Instant::now() > deadline {
                break t;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let back: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(back["request_id"], "r1");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
