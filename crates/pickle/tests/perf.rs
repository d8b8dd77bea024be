//! Timings and peak memory of the two reference inputs. Ignored by default;
//! run in release mode:
//!
//! ```sh
//! cargo test -p aigis-pickle --release --test perf -- --ignored --nocapture
//! ```
//!
//! Peak memory is the growth of the process's resident high-water mark
//! (`VmHWM`, reset through `/proc/self/clear_refs`) over the analysis.

mod common;

use std::time::Instant;

use aigis_pickle::{Analysis, Stop, analyze, analyze_reader};
use common::*;

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `f`, printing its time and how far the peak RSS rose above the RSS
/// before it.
fn measure(label: &str, f: impl FnOnce() -> Analysis) -> Analysis {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kib("VmRSS:").unwrap_or(0);
    let start = Instant::now();
    let a = f();
    let took = start.elapsed();
    let peak = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "{label}: {:.1} ms, peak +{:.1} MiB ({} opcodes)",
        took.as_secs_f64() * 1e3,
        peak.saturating_sub(before) as f64 / 1024.0,
        a.opcodes
    );
    a
}

/// Protocol 4, a list of three million ints appended in batches of 1000,
/// framed as CPython frames (about 64 KiB).
fn three_million_ints() -> Vec<u8> {
    let mut body = P::new().empty_list().memoize();
    for batch in 0..3000i32 {
        body = body.mark();
        for i in 0..1000 {
            body = body
                .op(b'J')
                .raw(&(100_000 + batch * 1000 + i).to_le_bytes());
        }
        body = body.appends();
    }
    let body = body.stop().0;
    let mut out = P::proto(4).0;
    // Frame at opcode boundaries: batches are 5002 bytes, 13 to a frame.
    let mut at = 0;
    while at < body.len() {
        let mut end = (at + 13 * 5002).min(body.len());
        if at == 0 {
            end += 2;
        }
        let end = end.min(body.len());
        out.extend(P::new().frame((end - at) as u64).raw(&body[at..end]).0);
        at = end;
    }
    out
}

/// `numpy.core.multiarray._reconstruct` plus BUILD with one 256 MiB
/// BINBYTES8 payload, written outside frames as CPython does.
fn big_array() -> Vec<u8> {
    let n: usize = 256 << 20;
    let head = P::new()
        .sglobal("numpy.core.multiarray", "_reconstruct")
        .sglobal("numpy", "ndarray")
        .int(0)
        .tuple1()
        .bytes(b"b")
        .tuple3()
        .reduce()
        .mark()
        .int(1)
        .int(n as i64 / 8)
        .tuple1()
        .sglobal("numpy", "dtype")
        .str("f8")
        .fals()
        .tru()
        .tuple3()
        .reduce()
        .fals();
    let mut out = P::proto(4).frame(head.len() as u64).raw(&head.0).0;
    out.push(0x8e);
    out.extend_from_slice(&(n as u64).to_le_bytes());
    out.resize(out.len() + n, 0x3f);
    let tail = P::new().tuple().build().stop();
    out.extend(tail.0);
    out
}

#[test]
#[ignore = "timing; run in release with --ignored --nocapture"]
fn perf_three_million_ints() {
    let data = three_million_ints();
    println!("3M ints: {:.1} MB", data.len() as f64 / 1e6);
    let a = measure("3M ints, slice", || analyze(&data, &opts()));
    assert_eq!(a.stop, Stop::Complete);
    let a = measure("3M ints, reader", || analyze_reader(&data[..], &opts()));
    assert_eq!(a.stop, Stop::Complete);
}

#[test]
#[ignore = "timing; run in release with --ignored --nocapture"]
fn perf_256_mib_array() {
    let data = big_array();
    println!("array: {:.1} MB", data.len() as f64 / 1e6);
    let a = measure("256 MiB array, slice", || analyze(&data, &opts()));
    assert_eq!(a.stop, Stop::Complete);
    let a = measure("256 MiB array, reader", || {
        analyze_reader(&data[..], &opts())
    });
    assert_eq!(a.stop, Stop::Complete);
}
