//! What the machine reports: imports with merged uses, call sites, anomalies
//! and persistent ids, each bounded by its limit.
//!
//! The stream driver tries candidate streams after junk; a candidate that
//! turns out to be junk is rolled back with [`Recorder::rollback`].

use std::collections::HashMap;

use crate::{Anomaly, AnomalyKind, CallSite, Import, ImportOp, Limits, Uses};

pub(crate) struct Recorder {
    pub(crate) imports: Vec<Import>,
    index: HashMap<(String, String), usize>,
    pub(crate) calls: Vec<CallSite>,
    pub(crate) calls_dropped: u64,
    pub(crate) anomalies: Vec<Anomaly>,
    pub(crate) anomalies_dropped: u64,
    pub(crate) persistent_ids: Vec<String>,
    pub(crate) persistent_id_count: u64,
    /// Imports and calls made by the current stream.
    pub(crate) activity: u64,
    max_anomalies: usize,
    max_calls: usize,
    max_pids: usize,
}

/// Lengths to roll back to; junk candidates make no imports or calls.
pub(crate) struct Snapshot {
    anomalies: usize,
    anomalies_dropped: u64,
    pids: usize,
    pid_count: u64,
}

impl Recorder {
    pub(crate) fn new(limits: &Limits) -> Self {
        Recorder {
            imports: Vec::new(),
            index: HashMap::new(),
            calls: Vec::new(),
            calls_dropped: 0,
            anomalies: Vec::new(),
            anomalies_dropped: 0,
            persistent_ids: Vec::new(),
            persistent_id_count: 0,
            activity: 0,
            max_anomalies: limits.max_anomalies,
            max_calls: limits.max_calls_recorded,
            max_pids: limits.max_persistent_ids,
        }
    }

    /// Record an import (merged with an earlier one of the same name).
    pub(crate) fn import(
        &mut self,
        module: String,
        name: String,
        original: Option<(String, String)>,
        op: ImportOp,
        offset: u64,
        stream: usize,
    ) -> usize {
        self.activity += 1;
        let key = (module, name);
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.imports.len();
        self.imports.push(Import {
            module: key.0.clone(),
            name: key.1.clone(),
            original,
            op,
            offset,
            uses: Uses::default(),
            stream,
        });
        self.index.insert(key, i);
        i
    }

    pub(crate) fn uses(&mut self, import: usize) -> Option<&mut Uses> {
        self.imports.get_mut(import).map(|i| &mut i.uses)
    }

    /// Uses of a recorded call's result.
    pub(crate) fn result_uses(&mut self, call: Option<usize>) -> Option<&mut Uses> {
        self.calls.get_mut(call?).map(|c| &mut c.result_uses)
    }

    pub(crate) fn name(&self, import: usize) -> Option<(&str, &str)> {
        self.imports
            .get(import)
            .map(|i| (i.module.as_str(), i.name.as_str()))
    }

    /// Whether a call site can still be recorded.
    pub(crate) fn call_room(&self) -> bool {
        self.calls.len() < self.max_calls
    }

    /// Record a call site, or count it when the limit is reached.
    pub(crate) fn call(&mut self, site: Option<CallSite>) -> Option<usize> {
        self.activity += 1;
        match site {
            Some(site) if self.call_room() => {
                self.calls.push(site);
                Some(self.calls.len() - 1)
            }
            _ => {
                self.calls_dropped += 1;
                None
            }
        }
    }

    /// Whether another anomaly will be recorded (so that its detail is worth
    /// rendering).
    pub(crate) fn anomaly_room(&self) -> bool {
        self.anomalies.len() < self.max_anomalies
    }

    pub(crate) fn anomaly(&mut self, offset: u64, kind: AnomalyKind, detail: impl Into<String>) {
        if self.anomalies.len() < self.max_anomalies {
            self.anomalies.push(Anomaly {
                offset,
                kind,
                detail: detail.into(),
            });
        } else {
            self.anomalies_dropped += 1;
        }
    }

    /// Whether a persistent id should be rendered and kept.
    pub(crate) fn pid_room(&self) -> bool {
        self.persistent_ids.len() < self.max_pids
    }

    pub(crate) fn persistent_id(&mut self, rendered: Option<String>) {
        self.persistent_id_count += 1;
        if let Some(r) = rendered.filter(|_| self.pid_room()) {
            self.persistent_ids.push(r);
        }
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            anomalies: self.anomalies.len(),
            anomalies_dropped: self.anomalies_dropped,
            pids: self.persistent_ids.len(),
            pid_count: self.persistent_id_count,
        }
    }

    pub(crate) fn rollback(&mut self, s: Snapshot) {
        self.anomalies.truncate(s.anomalies);
        self.anomalies_dropped = s.anomalies_dropped;
        self.persistent_ids.truncate(s.pids);
        self.persistent_id_count = s.pid_count;
    }
}
