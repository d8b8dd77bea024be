//! The writer: a bounded queue in front of one thread that owns the file.
//!
//! Callers hand over records with [`AuditLog::log`], which never does I/O:
//! it queues (blocking or dropping when the queue is full, per
//! [`WhenFull`]). Drops are counted ([`AuditLog::dropped`]) and written into
//! the chain as a `gap` line as soon as the writer catches up, so a gap is
//! visible both to metrics and to `verify`. The thread redacts, chains,
//! writes, fsyncs per [`FsyncPolicy`], signs checkpoints and rotates.
//!
//! No async runtime is needed: from tokio, use [`WhenFull::Drop`] (never
//! blocks) or call `log` inside `spawn_blocking` with [`WhenFull::Block`].
//!
//! When writing fails (disk full, file removed from under it), the thread
//! records the error, stops, and every later `log` returns
//! [`AuditError::Stopped`]; the caller chooses whether to fail closed.

mod thread;

use crate::sign::CheckpointSigner;
use crate::{AuditError, AuditRecord};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use thread::Writer;

/// Default queue capacity (records).
pub const DEFAULT_QUEUE: usize = 8192;

/// When data reaches the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// After every line.
    Always,
    /// At most this long after a line is written.
    Interval(Duration),
    /// Left to the operating system.
    Never,
}

/// What `log` does when the queue is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFull {
    /// Wait for room (back-pressure on requests).
    Block,
    /// Drop the record, count it, and write a `gap` line later.
    Drop,
}

/// How to write the log.
#[derive(Debug)]
pub struct WriterConfig {
    pub path: PathBuf,
    pub fsync: FsyncPolicy,
    /// Rotate when the file reaches this many bytes.
    pub rotate_bytes: Option<u64>,
    /// Rotate when the UTC date changes.
    pub rotate_daily: bool,
    /// Sign a checkpoint after this many lines...
    pub checkpoint_every: Option<u64>,
    /// ...or this long after the first unsigned line, whichever comes first.
    pub checkpoint_interval: Option<Duration>,
    /// No signer: the chain is still written, without checkpoints.
    pub signer: Option<CheckpointSigner>,
    pub queue: usize,
    pub when_full: WhenFull,
}

impl WriterConfig {
    /// Defaults: fsync every second, checkpoints every 1000 lines or 60 s
    /// (when a signer is set), no rotation, a queue of [`DEFAULT_QUEUE`]
    /// that drops when full.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        WriterConfig {
            path: path.into(),
            fsync: FsyncPolicy::Interval(Duration::from_secs(1)),
            rotate_bytes: None,
            rotate_daily: false,
            checkpoint_every: Some(1000),
            checkpoint_interval: Some(Duration::from_secs(60)),
            signer: None,
            queue: DEFAULT_QUEUE,
            when_full: WhenFull::Drop,
        }
    }
}

/// What happened to a record handed to [`AuditLog::log`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submitted {
    Queued,
    /// The queue was full ([`WhenFull::Drop`]); counted and recorded as a gap.
    Dropped,
}

enum Msg {
    Record(Box<AuditRecord>),
    Flush(mpsc::Sender<()>),
}

#[derive(Default)]
struct Shared {
    dropped: AtomicU64,
    written: AtomicU64,
    stopped: AtomicBool,
    error: Mutex<Option<String>>,
}

/// Handle to a running audit log; cheap to share behind an `Arc`.
pub struct AuditLog {
    tx: Option<SyncSender<Msg>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    when_full: WhenFull,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("dropped", &self.dropped())
            .field("written", &self.written())
            .finish_non_exhaustive()
    }
}

impl AuditLog {
    /// Open (or resume) the log and start the writer thread.
    pub fn open(cfg: WriterConfig) -> Result<AuditLog, AuditError> {
        if cfg.queue == 0 {
            return Err(AuditError::Config(
                "queue capacity must be at least 1".into(),
            ));
        }
        let when_full = cfg.when_full;
        let (tx, rx) = mpsc::sync_channel(cfg.queue);
        let shared = Arc::new(Shared::default());
        let mut writer = Writer::open(cfg, shared.clone())?;
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("aigis-audit".into())
            .spawn(move || {
                if let Err(e) = writer.run(&rx)
                    && let Ok(mut slot) = thread_shared.error.lock()
                {
                    *slot = Some(e.to_string());
                }
                thread_shared.stopped.store(true, Ordering::SeqCst);
            })
            .map_err(|e| AuditError::io(Path::new("aigis-audit thread"), e))?;
        Ok(AuditLog {
            tx: Some(tx),
            shared,
            thread: Some(thread),
            when_full,
        })
    }

    /// Queue one record (no I/O on the caller's thread).
    pub fn log(&self, record: AuditRecord) -> Result<Submitted, AuditError> {
        let tx = self.tx.as_ref().ok_or(AuditError::Stopped)?;
        let msg = Msg::Record(Box::new(record));
        match self.when_full {
            WhenFull::Block => tx
                .send(msg)
                .map(|_| Submitted::Queued)
                .map_err(|_| self.stopped()),
            WhenFull::Drop => match tx.try_send(msg) {
                Ok(()) => Ok(Submitted::Queued),
                Err(TrySendError::Full(_)) => {
                    self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                    Ok(Submitted::Dropped)
                }
                Err(TrySendError::Disconnected(_)) => Err(self.stopped()),
            },
        }
    }

    /// Queue one record if there is room, whatever the [`WhenFull`] policy;
    /// when the queue is full the record comes back (not counted as a
    /// drop), so that an async caller can wait for room off its executor
    /// and then call [`AuditLog::log`].
    pub fn try_log(&self, record: AuditRecord) -> Result<Option<AuditRecord>, AuditError> {
        let tx = self.tx.as_ref().ok_or(AuditError::Stopped)?;
        match tx.try_send(Msg::Record(Box::new(record))) {
            Ok(()) => Ok(None),
            Err(TrySendError::Full(Msg::Record(r))) => Ok(Some(*r)),
            // Only a record was sent; a flush message cannot come back.
            Err(TrySendError::Full(Msg::Flush(_))) => Ok(None),
            Err(TrySendError::Disconnected(_)) => Err(self.stopped()),
        }
    }

    /// Wait until everything queued so far is written and synced to disk.
    pub fn flush(&self) -> Result<(), AuditError> {
        let tx = self.tx.as_ref().ok_or(AuditError::Stopped)?;
        let (done_tx, done_rx) = mpsc::channel();
        tx.send(Msg::Flush(done_tx)).map_err(|_| self.stopped())?;
        done_rx.recv().map_err(|_| self.stopped())
    }

    /// Records dropped because the queue was full, since start.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Record lines written, since start.
    pub fn written(&self) -> u64 {
        self.shared.written.load(Ordering::Relaxed)
    }

    /// Whether the writer thread is still writing (false once it stopped
    /// on an error).
    pub fn is_running(&self) -> bool {
        !self.shared.stopped.load(Ordering::SeqCst)
    }

    /// The writer's error, if it stopped on one.
    pub fn error(&self) -> Option<String> {
        self.shared.error.lock().ok().and_then(|e| e.clone())
    }

    /// Stop: write what is queued, a final checkpoint, fsync, and join.
    pub fn close(mut self) -> Result<(), AuditError> {
        self.shutdown();
        match self.error() {
            Some(e) => Err(AuditError::Config(format!("audit writer failed: {e}"))),
            None => Ok(()),
        }
    }

    fn stopped(&self) -> AuditError {
        match self.error() {
            Some(e) => AuditError::Config(format!("audit writer failed: {e}")),
            None => AuditError::Stopped,
        }
    }

    fn shutdown(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        self.shutdown();
    }
}
