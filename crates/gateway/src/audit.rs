//! The logging phase's output: one [`AuditRecord`] (aigis-audit's type) per
//! request, handed to an [`AuditSink`]. Records hold who, what, where and
//! how it ended — never bodies, headers or credentials.
//!
//! [`ChainedSink`] is the real one: aigis-audit's writer thread, which
//! redacts every string field, chains each line to the previous one by
//! SHA-256, signs checkpoints, fsyncs and rotates per `[audit]`, and whose
//! files `aigis audit-log verify` checks. Handing a record over never does
//! I/O on the request's thread; when the queue is full the record either
//! waits for room off the async executor (`when_full = "block"`) or is
//! counted and written into the chain as a gap (`"drop"`).
//! [`StdoutSink`] (`audit_log = "-"`) writes plain, unchained JSON lines for
//! a log collector; [`MemorySink`] keeps records for tests.

use crate::config::GatewayConfig;
use aigis_audit::{AuditLog, CheckpointSigner, WhenFull, WriterConfig};
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

pub use aigis_audit::{AuditRecord, Decision};

/// Where audit records go.
pub trait AuditSink: Send + Sync {
    fn record(&self, record: AuditRecord);
    /// Why the sink can no longer write, once it cannot.
    fn failure(&self) -> Option<String> {
        None
    }
    /// Records lost since start (queue full with `drop`, or writer stopped).
    fn lost(&self) -> u64 {
        0
    }
}

/// aigis-audit's hash-chained log.
pub struct ChainedSink {
    log: AuditLog,
    block: bool,
    /// Records refused because the writer had stopped.
    stopped_lost: AtomicU64,
}

impl ChainedSink {
    /// Open (or resume) the log at `config.audit_log` with the `[audit]`
    /// settings, resolving the checkpoint key. Key-file warnings (mode too
    /// open) come back as text for the caller to log.
    pub fn open(config: &GatewayConfig) -> Result<(ChainedSink, Vec<String>), crate::Error> {
        let a = &config.audit;
        let path = &config.audit_log;
        let mut warnings = Vec::new();
        let signer = match &a.checkpoint_key {
            Some(reference) => {
                let (signer, w) = CheckpointSigner::from_key_ref(reference)
                    .map_err(|e| crate::Error::invalid("audit.checkpoint_key", e.to_string()))?;
                warnings.extend(w.iter().map(|w| format!("audit.checkpoint_key: {w}")));
                Some(signer)
            }
            None => None,
        };
        let mut cfg = WriterConfig::new(path);
        cfg.fsync = a.fsync_policy()?;
        cfg.rotate_bytes = a.rotate_bytes;
        cfg.rotate_daily = a.rotate_daily;
        cfg.checkpoint_every = Some(a.checkpoint_every);
        cfg.checkpoint_interval = Some(a.checkpoint_interval.0);
        cfg.signer = signer;
        cfg.queue = a.queue;
        let block = a.blocks_when_full();
        cfg.when_full = if block {
            WhenFull::Block
        } else {
            WhenFull::Drop
        };
        let log = AuditLog::open(cfg)
            .map_err(|e| crate::Error::Io(path.clone(), format!("audit log: {e}")))?;
        let sink = ChainedSink {
            log,
            block,
            stopped_lost: AtomicU64::new(0),
        };
        Ok((sink, warnings))
    }

    /// Wait until every record handed over so far is on disk.
    pub fn flush(&self) -> Result<(), String> {
        self.log.flush().map_err(|e| e.to_string())
    }
}

impl AuditSink for ChainedSink {
    fn record(&self, record: AuditRecord) {
        let result = match self.log.try_log(record) {
            Ok(None) => return,
            Ok(Some(record)) if self.block => wait_for_room(|| self.log.log(record)),
            // `drop`: the writer counts it and writes the gap.
            Ok(Some(record)) => self.log.log(record),
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.stopped_lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn failure(&self) -> Option<String> {
        if self.log.is_running() {
            return None;
        }
        Some(
            self.log
                .error()
                .unwrap_or_else(|| "audit writer stopped".to_string()),
        )
    }

    fn lost(&self) -> u64 {
        self.log.dropped() + self.stopped_lost.load(Ordering::Relaxed)
    }
}

/// Run a call that may block on a full queue without stalling the async
/// executor's other tasks: on tokio's multi-threaded runtime the worker
/// hands its other tasks off first; elsewhere (a current-thread runtime,
/// tests) it simply blocks.
fn wait_for_room<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// `audit_log = "-"`: one plain JSON line per record on standard output,
/// written by a background thread. No chain, no checkpoints: for a log
/// collector that keeps its own integrity.
pub struct StdoutSink {
    tx: std::sync::mpsc::SyncSender<String>,
}

/// Lines queued for the standard-output writer before requests wait.
pub const STDOUT_QUEUE: usize = 65_536;

impl StdoutSink {
    pub fn open() -> Result<StdoutSink, crate::Error> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(STDOUT_QUEUE);
        std::thread::Builder::new()
            .name("aigis-audit-stdout".into())
            .spawn(move || {
                let mut out = std::io::BufWriter::new(std::io::stdout());
                while let Ok(line) = rx.recv() {
                    let mut ok = out.write_all(line.as_bytes()).is_ok();
                    while let Ok(more) = rx.try_recv() {
                        ok &= out.write_all(more.as_bytes()).is_ok();
                    }
                    if !(ok && out.flush().is_ok()) {
                        tracing::error!("audit log write to standard output failed");
                    }
                }
            })
            .map_err(|e| crate::Error::Io("-".into(), e.to_string()))?;
        Ok(StdoutSink { tx })
    }
}

impl AuditSink for StdoutSink {
    fn record(&self, mut record: AuditRecord) {
        record.redact();
        if let Ok(mut line) = serde_json::to_string(&record) {
            line.push('\n');
            let _ = wait_for_room(|| self.tx.send(line));
        }
    }
}

/// Keeps records in memory (tests, and embedding).
#[derive(Default)]
pub struct MemorySink(pub Mutex<Vec<AuditRecord>>);

impl AuditSink for MemorySink {
    fn record(&self, record: AuditRecord) {
        if let Ok(mut v) = self.0.lock() {
            v.push(record);
        }
    }
}

/// Open the sink the configuration names.
pub fn open_sink(
    config: &GatewayConfig,
) -> Result<(std::sync::Arc<dyn AuditSink>, Vec<String>), crate::Error> {
    if config.audit_log.as_os_str() == "-" {
        return Ok((std::sync::Arc::new(StdoutSink::open()?), Vec::new()));
    }
    let (sink, warnings) = ChainedSink::open(config)?;
    Ok((std::sync::Arc::new(sink), warnings))
}
