//! Streams: one pickle, or (multi-stream mode) every pickle in the input.
//!
//! After a STOP, the next bytes are tried as a pickle. A candidate that
//! breaks without importing or calling anything is junk: it is rolled back
//! and the search moves to the next `0x80 0x02..=0x05` (a plausible protocol
//! 2–5 start). A candidate that imported or called something counts even if
//! it then breaks: an unpickler reading it would have run that much.

use crate::machine::{Halt, Machine};
use crate::source::Source;
use crate::value::drop_all;
use crate::{Analysis, AnomalyKind, Options, Stop, Stream};

/// How one stream ended.
fn stop_of(halt: Halt, offset: u64) -> Stop {
    match halt {
        Halt::Truncated => Stop::Truncated { offset },
        Halt::Malformed(reason) => Stop::Malformed { offset, reason },
        Halt::Limit(limit) => Stop::LimitExceeded { offset, limit },
    }
}

/// Run one `load()` from the current position.
fn one_stream<S: Source>(m: &mut Machine<'_, S>) -> Result<(), Halt> {
    m.reset_load();
    m.rec.activity = 0;
    let v = m.run_load()?;
    drop_all(vec![v]);
    Ok(())
}

/// Where a stream ended: just past STOP, or where reading stopped.
fn end_of<S: Source>(m: &Machine<'_, S>, outcome: &Result<(), Halt>) -> u64 {
    if outcome.is_ok() {
        m.stop_end
    } else {
        m.src.pos()
    }
}

pub(crate) fn run<S: Source>(src: S, opts: &Options<'_>) -> Analysis {
    let mut m = Machine::new(src, opts);
    let mut streams = Vec::new();
    let stop = drive(&mut m, opts, &mut streams);
    m.reset_load();
    Analysis {
        streams,
        imports: std::mem::take(&mut m.rec.imports),
        calls: std::mem::take(&mut m.rec.calls),
        calls_dropped: m.rec.calls_dropped,
        anomalies: std::mem::take(&mut m.rec.anomalies),
        anomalies_dropped: m.rec.anomalies_dropped,
        persistent_ids: std::mem::take(&mut m.rec.persistent_ids),
        persistent_id_count: m.rec.persistent_id_count,
        opcodes: m.opcodes,
        stop,
    }
}

fn drive<S: Source>(m: &mut Machine<'_, S>, opts: &Options<'_>, streams: &mut Vec<Stream>) -> Stop {
    let start = m.src.pos();
    let first = one_stream(m);
    streams.push(Stream {
        start,
        end: end_of(m, &first),
        protocol: m.load.max_proto,
    });
    if let Err(h) = first {
        return stop_of(h, m.op_at);
    }
    if !opts.multi_stream {
        return Stop::Complete;
    }
    let mut junk_opcodes = 0u64;
    loop {
        // What a frame held beyond STOP is gone with its unpickler.
        m.src.drop_served();
        if m.src.at_end() {
            return Stop::Complete;
        }
        let junk_start = m.src.pos();
        let mut cand = junk_start;
        loop {
            m.src.keep_from_here();
            let snapshot = m.rec.snapshot();
            let before = m.opcodes;
            m.stream = streams.len();
            let outcome = one_stream(m);
            let real =
                outcome.is_ok() || m.rec.activity > 0 || matches!(outcome, Err(Halt::Limit(_)));
            if real {
                if cand > junk_start {
                    m.rec.anomaly(
                        junk_start,
                        AnomalyKind::TrailingData {
                            len: cand - junk_start,
                        },
                        "bytes between pickles",
                    );
                }
                streams.push(Stream {
                    start: cand,
                    end: end_of(m, &outcome),
                    protocol: m.load.max_proto,
                });
                if streams.len() == 2 {
                    m.rec.anomaly(
                        cand,
                        AnomalyKind::MultipleStreams,
                        "more than one pickle in the input",
                    );
                }
                if let Err(h) = outcome {
                    return stop_of(h, m.op_at);
                }
                if streams.len() > opts.limits.max_streams {
                    return Stop::LimitExceeded {
                        offset: m.src.pos(),
                        limit: "max_streams",
                    };
                }
                break;
            }
            m.rec.rollback(snapshot);
            // Work on junk: opcodes, and bytes scanned (a string validated
            // again by each candidate), at 64 bytes an opcode.
            junk_opcodes += m.opcodes - before + m.src.pos().saturating_sub(cand) / 64;
            if junk_opcodes > opts.limits.max_resync_opcodes {
                return Stop::LimitExceeded {
                    offset: cand,
                    limit: "max_resync_opcodes",
                };
            }
            // A reader may have let go of the bytes: then search from here.
            m.src.abandon_detours();
            m.src.rewind(cand + 1);
            match m.src.seek_proto_start() {
                Some(next) => cand = next,
                None => {
                    let len = m.src.pos() - junk_start;
                    m.rec.anomaly(
                        junk_start,
                        AnomalyKind::TrailingData { len },
                        "bytes after the last pickle",
                    );
                    return Stop::Complete;
                }
            }
        }
    }
}
