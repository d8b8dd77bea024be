//! `[audit]`: how the audit log (the top-level `audit_log` path) is written —
//! fsync policy, rotation, signed checkpoints, what happens when the writer
//! falls behind or fails. Every field has a default, so the section may be
//! left out.

use super::Dur;
use crate::Error;
use serde::Deserialize;

/// Largest audit queue that may be configured (records).
pub const MAX_AUDIT_QUEUE: usize = 1 << 20;

/// The `[audit]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// `"always"` (every line), `"never"` (the OS decides), or a duration
    /// such as `"1s"` (at most this long after a line is written).
    pub fsync: String,
    /// Rotate when the file reaches this many bytes.
    pub rotate_bytes: Option<u64>,
    /// Rotate when the UTC date changes.
    pub rotate_daily: bool,
    /// Key reference to an ECDSA P-256/P-384 private key (PKCS#8 PEM) that
    /// signs checkpoints; without it the chain is written unsigned.
    pub checkpoint_key: Option<String>,
    /// Sign a checkpoint after this many lines...
    pub checkpoint_every: u64,
    /// ...or this long after the first unsigned line.
    pub checkpoint_interval: Dur,
    /// Records queued for the writer thread.
    pub queue: usize,
    /// When the queue is full: `"block"` (requests wait for the disk; with
    /// `listen.workers`, the worker that waits serves none of its other
    /// connections meanwhile) or `"drop"` (counted, and written into the
    /// chain as a gap).
    pub when_full: String,
    /// When the writer has stopped (disk full, file removed): `"refuse"`
    /// (503 to every request, `/readyz` fails) or `"continue"` (serve
    /// unaudited, counting the lost records).
    pub on_failure: String,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            fsync: "1s".to_string(),
            rotate_bytes: None,
            rotate_daily: false,
            checkpoint_key: None,
            checkpoint_every: 1000,
            checkpoint_interval: Dur::secs(60),
            queue: aigis_audit::DEFAULT_QUEUE,
            when_full: "block".to_string(),
            on_failure: "refuse".to_string(),
        }
    }
}

impl AuditSettings {
    /// The fsync policy, or an error naming the key.
    pub fn fsync_policy(&self) -> Result<aigis_audit::FsyncPolicy, Error> {
        use aigis_audit::FsyncPolicy;
        match self.fsync.trim() {
            "always" => Ok(FsyncPolicy::Always),
            "never" => Ok(FsyncPolicy::Never),
            other => super::parse_duration(other)
                .map(FsyncPolicy::Interval)
                .map_err(|e| {
                    Error::invalid(
                        "audit.fsync",
                        format!("\"always\", \"never\" or a duration: {e}"),
                    )
                }),
        }
    }

    /// Whether a full queue makes requests wait.
    pub fn blocks_when_full(&self) -> bool {
        self.when_full == "block"
    }

    /// Whether a stopped writer makes the gateway refuse requests.
    pub fn refuses_on_failure(&self) -> bool {
        self.on_failure == "refuse"
    }

    pub(super) fn validate(&self) -> Result<(), Error> {
        self.fsync_policy()?;
        if !matches!(self.when_full.as_str(), "block" | "drop") {
            return Err(Error::invalid(
                "audit.when_full",
                "must be \"block\" or \"drop\"",
            ));
        }
        if !matches!(self.on_failure.as_str(), "refuse" | "continue") {
            return Err(Error::invalid(
                "audit.on_failure",
                "must be \"refuse\" or \"continue\"",
            ));
        }
        if self.queue == 0 || self.queue > MAX_AUDIT_QUEUE {
            return Err(Error::invalid(
                "audit.queue",
                format!("must be between 1 and {MAX_AUDIT_QUEUE}"),
            ));
        }
        if self.checkpoint_every == 0 {
            return Err(Error::invalid(
                "audit.checkpoint_every",
                "must be at least 1",
            ));
        }
        if self.rotate_bytes == Some(0) {
            return Err(Error::invalid("audit.rotate_bytes", "must be at least 1"));
        }
        if let Some(k) = &self.checkpoint_key {
            aigis_integrity::keys::KeyRef::parse(k)
                .map_err(|e| Error::invalid("audit.checkpoint_key", e.to_string()))?;
        }
        Ok(())
    }
}
