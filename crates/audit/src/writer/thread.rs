//! The writer thread's side: owns the file, redacts, chains, writes,
//! fsyncs, signs checkpoints and rotates. Only `writer` talks to it,
//! through the queue.

use super::{FsyncPolicy, Msg, Shared, WriterConfig};
use crate::file;
use crate::line::{Checkpoint, FORMAT_VERSION, GENESIS_PREV, Gap, Genesis, LineOut, line_hash};
use crate::redact::RedactMemo;
use crate::time::Civil;
use crate::{AuditError, AuditRecord};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

/// Records written between two queue checks at most (bounds a flush delay).
const MAX_BATCH: usize = 1024;
/// How often the thread wakes when idle, for time-based work.
const IDLE_TICK: Duration = Duration::from_millis(250);
/// After a batch, the thread sleeps this long before looking at the queue
/// again, instead of waiting on it: senders only wake a waiting receiver, so
/// a busy gateway pays one wake-up and one write(2) per linger, not per
/// record. Records reach the file at most this much later.
const LINGER: Duration = Duration::from_millis(2);

#[derive(Serialize)]
struct RecordBody<'a> {
    record: &'a AuditRecord,
}
#[derive(Serialize)]
struct GenesisBody<'a> {
    genesis: &'a Genesis,
}
#[derive(Serialize)]
struct GapBody<'a> {
    gap: &'a Gap,
}
#[derive(Serialize)]
struct CheckpointBody<'a> {
    checkpoint: &'a Checkpoint,
    sig: &'a str,
}

/// The thread's state: the open file and where the chain stands.
pub(super) struct Writer {
    cfg: WriterConfig,
    shared: Arc<Shared>,
    out: BufWriter<File>,
    prev: String,
    next_seq: u64,
    bytes: u64,
    date: (i64, u32, u32),
    unsigned: u64,
    first_unsigned: Option<Instant>,
    unsynced_since: Option<Instant>,
    dropped_reported: u64,
    memo: RedactMemo,
}

impl Writer {
    pub(super) fn open(cfg: WriterConfig, shared: Arc<Shared>) -> Result<Writer, AuditError> {
        let path = cfg.path.clone();
        let existing = file::check_existing(&path)?;
        let today = Civil::from_system(SystemTime::now());
        let (prev, next_seq, predecessor, damaged) = match existing {
            None | Some(0) => (GENESIS_PREV.to_string(), 0, None, false),
            Some(len) => {
                let tail = file::read_tail(&path, len)?;
                let next = tail.seq.map_or(0, |s| s.saturating_add(1));
                if tail.damaged {
                    let aside = file::rotated_name(&path);
                    std::fs::rename(&path, &aside).map_err(|e| AuditError::io(&path, e))?;
                    (tail.hash, next, file_name(&aside), true)
                } else {
                    let f = file::open_append(&path)?;
                    let modified = f
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or_else(|_| SystemTime::now());
                    return Ok(Writer {
                        bytes: len,
                        date: Civil::from_system(modified).date(),
                        ..Writer::blank(cfg, shared, f, tail.hash, next)
                    });
                }
            }
        };
        let f = file::open_append(&path)?;
        file::force_private(&path, &f)?;
        let mut w = Writer::blank(cfg, shared, f, prev, next_seq);
        w.date = today.date();
        w.write_genesis(predecessor, damaged)?;
        w.sync()?;
        Ok(w)
    }

    fn blank(cfg: WriterConfig, shared: Arc<Shared>, f: File, prev: String, seq: u64) -> Writer {
        Writer {
            cfg,
            shared,
            out: BufWriter::with_capacity(64 * 1024, f),
            prev,
            next_seq: seq,
            bytes: 0,
            date: (0, 0, 0),
            unsigned: 0,
            first_unsigned: None,
            unsynced_since: None,
            dropped_reported: 0,
            memo: RedactMemo::default(),
        }
    }

    pub(super) fn run(&mut self, rx: &mpsc::Receiver<Msg>) -> Result<(), AuditError> {
        loop {
            match rx.recv_timeout(IDLE_TICK) {
                Ok(msg) => {
                    self.handle(msg)?;
                    let mut n = 1;
                    while n < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(m) => self.handle(m)?,
                            Err(_) => break,
                        }
                        n += 1;
                    }
                    self.flush_buffer()?;
                    self.tick()?;
                    if n < MAX_BATCH {
                        std::thread::sleep(LINGER);
                    }
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return self.finish(),
            }
            self.tick()?;
        }
    }

    fn handle(&mut self, msg: Msg) -> Result<(), AuditError> {
        match msg {
            Msg::Record(mut rec) => {
                self.maybe_rotate()?;
                self.write_gap_if_any()?;
                rec.redact_with(&mut self.memo);
                self.write_line(&RecordBody { record: &rec })?;
                self.shared.written.fetch_add(1, Ordering::Relaxed);
                if self.cfg.fsync == FsyncPolicy::Always {
                    self.sync()?;
                }
                let every = self.cfg.checkpoint_every.unwrap_or(u64::MAX);
                if self.unsigned >= every {
                    self.checkpoint()?;
                }
                Ok(())
            }
            Msg::Flush(done) => {
                self.write_gap_if_any()?;
                self.sync()?;
                let _ = done.send(());
                Ok(())
            }
        }
    }

    /// Time-based work: gap lines, checkpoints, interval fsync, daily rotation.
    fn tick(&mut self) -> Result<(), AuditError> {
        self.write_gap_if_any()?;
        if let (Some(iv), Some(first)) = (self.cfg.checkpoint_interval, self.first_unsigned)
            && first.elapsed() >= iv
        {
            self.checkpoint()?;
        }
        if let (FsyncPolicy::Interval(iv), Some(since)) = (self.cfg.fsync, self.unsynced_since)
            && since.elapsed() >= iv
        {
            self.sync()?;
        }
        self.flush_buffer()
    }

    fn finish(&mut self) -> Result<(), AuditError> {
        self.write_gap_if_any()?;
        if self.unsigned > 0 {
            self.checkpoint()?;
        }
        self.sync()
    }

    fn maybe_rotate(&mut self) -> Result<(), AuditError> {
        let now = Civil::from_system(SystemTime::now());
        let by_size = self.cfg.rotate_bytes.is_some_and(|max| self.bytes >= max);
        let by_day = self.cfg.rotate_daily && now.date() != self.date;
        if !(by_size || by_day) {
            return Ok(());
        }
        if self.unsigned > 0 {
            self.checkpoint()?;
        }
        self.sync()?;
        let path = self.cfg.path.clone();
        let aside = file::rotated_name(&path);
        std::fs::rename(&path, &aside).map_err(|e| AuditError::io(&path, e))?;
        let f = file::open_append(&path)?;
        file::force_private(&path, &f)?;
        self.out = BufWriter::with_capacity(64 * 1024, f);
        self.bytes = 0;
        self.date = now.date();
        self.write_genesis(file_name(&aside), false)?;
        self.sync()?;
        // Make the rename and the new file durable.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| AuditError::io(dir, e))?;
        }
        Ok(())
    }

    fn write_genesis(
        &mut self,
        predecessor: Option<String>,
        damaged: bool,
    ) -> Result<(), AuditError> {
        let g = Genesis {
            version: FORMAT_VERSION,
            created: crate::time::now_rfc3339(),
            predecessor,
            predecessor_damaged: damaged,
        };
        self.write_line(&GenesisBody { genesis: &g })
    }

    fn write_gap_if_any(&mut self) -> Result<(), AuditError> {
        let total = self.shared.dropped.load(Ordering::Relaxed);
        if total <= self.dropped_reported {
            return Ok(());
        }
        let gap = Gap {
            dropped: total - self.dropped_reported,
            time: crate::time::now_rfc3339(),
        };
        self.write_line(&GapBody { gap: &gap })?;
        self.dropped_reported = total;
        Ok(())
    }

    fn checkpoint(&mut self) -> Result<(), AuditError> {
        let Some(signer) = &self.cfg.signer else {
            self.unsigned = 0;
            self.first_unsigned = None;
            return Ok(());
        };
        let c = Checkpoint {
            seq: self.next_seq.saturating_sub(1),
            hash: self.prev.clone(),
            time: crate::time::now_rfc3339(),
            key_id: signer.key_id().to_string(),
            alg: signer.alg().to_string(),
        };
        let sig = signer.sign(&c);
        self.append(&CheckpointBody {
            checkpoint: &c,
            sig: &sig,
        })?;
        self.unsigned = 0;
        self.first_unsigned = None;
        Ok(())
    }

    /// Serialize, chain and buffer one line; every kind but a checkpoint
    /// counts towards the next checkpoint.
    fn write_line<T: Serialize>(&mut self, body: &T) -> Result<(), AuditError> {
        self.append(body)?;
        self.unsigned += 1;
        self.first_unsigned.get_or_insert_with(Instant::now);
        Ok(())
    }

    /// Serialize, chain and buffer one line.
    fn append<T: Serialize>(&mut self, body: &T) -> Result<(), AuditError> {
        let line = LineOut {
            seq: self.next_seq,
            prev: &self.prev,
            body,
        };
        let mut bytes = serde_json::to_vec(&line)
            .map_err(|e| AuditError::Config(format!("cannot serialize audit line: {e}")))?;
        let hash = line_hash(&bytes);
        bytes.push(b'\n');
        self.out
            .write_all(&bytes)
            .map_err(|e| AuditError::io(&self.cfg.path, e))?;
        self.bytes = self.bytes.saturating_add(bytes.len() as u64);
        self.prev = hash;
        self.next_seq = self.next_seq.saturating_add(1);
        self.unsynced_since.get_or_insert_with(Instant::now);
        Ok(())
    }

    fn flush_buffer(&mut self) -> Result<(), AuditError> {
        self.out
            .flush()
            .map_err(|e| AuditError::io(&self.cfg.path, e))
    }

    fn sync(&mut self) -> Result<(), AuditError> {
        self.flush_buffer()?;
        if self.cfg.fsync != FsyncPolicy::Never {
            self.out
                .get_ref()
                .sync_data()
                .map_err(|e| AuditError::io(&self.cfg.path, e))?;
        }
        self.unsynced_since = None;
        Ok(())
    }
}

fn file_name(p: &Path) -> Option<String> {
    p.file_name().map(|n| n.to_string_lossy().into_owned())
}
