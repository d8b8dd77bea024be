//! Hostile input: frames, truncation, absurd lengths, depth, memo DAGs,
//! streams and junk, limits.

mod common;

use std::time::Instant;

use aigis_pickle::{AnomalyKind, Limits, Options, Stop};
use common::*;

#[test]
fn frame_straddle_is_an_anomaly_and_reading_goes_on() {
    // The frame [11, 21) ends inside the string argument read at 19..24.
    let p = P::proto(4)
        .frame(10)
        .call("t", "f", |p| p.str("hello"))
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(args(&a), ["('hello',)"]);
    let s: Vec<_> = a
        .anomalies
        .iter()
        .filter(|x| x.kind == AnomalyKind::FrameStraddle)
        .collect();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].offset, 17);
}

#[test]
fn frame_inside_an_unfinished_frame_is_an_anomaly() {
    let p = P::proto(4).frame(12).none().frame(2).pop().none().stop();
    let a = run(&p.0, &opts());
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.kind == AnomalyKind::FrameStraddle && x.detail.contains("inside"))
    );
}

#[test]
fn truncated_stream_keeps_earlier_calls() {
    let p = P::proto(2)
        .call("posix", "system", |p| p.str("id"))
        .global("os", "remove");
    let cut = &p.0[..p.len() - 3];
    let a = run(cut, &opts());
    assert_eq!(names(&a), ["posix.system"]);
    assert_eq!(a.calls.len(), 1);
    assert!(matches!(a.stop, Stop::Truncated { .. }));
}

#[test]
fn absurd_lengths_do_not_allocate() {
    let start = Instant::now();
    let p = P::proto(4)
        .op(0x8e)
        .raw(&(1u64 << 62).to_le_bytes())
        .raw(b"abc");
    assert_eq!(run(&p.0, &opts()).stop, Stop::Truncated { offset: 2 });
    let p = P::proto(4).op(0x8e).raw(&u64::MAX.to_le_bytes());
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Malformed { .. }));
    let p = P::proto(4).op(0x8d).raw(&(1u64 << 40).to_le_bytes());
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Truncated { .. }));
    let p = P::proto(4).op(0x8b).raw(&i32::MAX.to_le_bytes());
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Truncated { .. }));
    // The reader confirms a FRAME's bytes only a few MiB ahead.
    let p = P::proto(4).frame(1 << 60).none().stop();
    assert!(matches!(
        run_slice(&p.0, &opts()).stop,
        Stop::Truncated { .. }
    ));
    let p = P::proto(4).frame(1 << 20).none().stop();
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Truncated { .. }));
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn deep_nesting_is_bounded() {
    // ( ] ( ] ... then APPENDS: each list goes into the one below.
    let mut p = P::proto(2).empty_list();
    for _ in 0..100_000 {
        p = p.mark().empty_list();
    }
    for _ in 0..100_000 {
        p = p.appends();
    }
    let a = run(&p.stop().0, &opts());
    assert_eq!(
        a.stop,
        Stop::LimitExceeded {
            offset: a.opcodes_offset(),
            limit: "max_value_depth"
        }
    );
    // The same with tuples.
    let mut p = P::proto(2).none();
    for _ in 0..100_000 {
        p = p.tuple1();
    }
    let a = run(&p.stop().0, &opts());
    assert!(matches!(
        a.stop,
        Stop::LimitExceeded {
            limit: "max_value_depth",
            ..
        }
    ));
}

trait Offset {
    fn opcodes_offset(&self) -> u64;
}

impl Offset for aigis_pickle::Analysis {
    fn opcodes_offset(&self) -> u64 {
        match self.stop {
            Stop::LimitExceeded { offset, .. } => offset,
            _ => u64::MAX,
        }
    }
}

#[test]
fn deep_chain_built_by_mutation_drops_and_renders_without_recursion() {
    // L0 = []; L1 = []; L0.append(L1); L2 = []; L1.append(L2); ... through the memo.
    let n = 200_000;
    let mut p = P::proto(2).empty_list().put(0).pop();
    for i in 0..n {
        p = p.get(i).empty_list().put(i + 1).append().pop();
    }
    let p = p.call("t", "f", |p| p.get(0)).stop();
    let a = run_slice(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert!(a.calls[0].args.starts_with("([[[["));
    assert!(a.calls[0].args.len() < 200);
}

#[test]
fn cycles_render_and_free() {
    let p = P::proto(2)
        .empty_list()
        .put(0)
        .get(0)
        .append()
        .call("t", "f", |p| p.get(0))
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert!(a.calls[0].args.starts_with("([[[["));
}

#[test]
fn billion_laughs_render_is_bounded() {
    let start = Instant::now();
    let mut p = P::proto(2).str("lol").put(0).pop();
    for i in 1..=80 {
        p = p.get(i - 1).dup().tuple2().put(i).pop();
    }
    let mut p = p.global("t", "f").mark();
    for _ in 0..50 {
        p = p.get(80);
    }
    let p = p.tuple().reduce().stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert!(a.calls[0].args.chars().count() <= 1100);
    assert!(start.elapsed().as_secs() < 2);
}

#[test]
fn big_list_keeps_a_bounded_prefix() {
    let mut p = P::proto(4).global("t", "f").mark().empty_list();
    for batch in 0..100 {
        p = p.mark();
        for i in 0..1000 {
            p = p.int(batch * 1000 + i);
        }
        p = p.appends();
    }
    let p = p.tuple().reduce().stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert!(a.calls[0].args.starts_with("([0, 1, 2, 3"));
}

#[test]
fn multi_stream_with_junk_between() {
    let one = P::proto(2).call("t", "one", |p| p.int(1)).stop();
    let two = P::proto(4).call("t", "two", |p| p.int(2)).stop();
    let data = [&one.0[..], b"JUNK\x80\x02\xff", &two.0, b"tail"].concat();
    let a = run(&data, &multi());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(names(&a), ["t.one", "t.two"]);
    assert_eq!(a.streams.len(), 2);
    assert_eq!(a.streams[1].start as usize, one.len() + 7);
    assert_eq!(a.imports[1].stream, 1);
    let trailing: Vec<_> = a
        .anomalies
        .iter()
        .filter_map(|x| match x.kind {
            AnomalyKind::TrailingData { len } => Some((x.offset, len)),
            _ => None,
        })
        .collect();
    assert_eq!(
        trailing,
        [
            (one.len() as u64, 7),
            ((one.len() + 7 + two.len()) as u64, 4)
        ]
    );
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.kind == AnomalyKind::MultipleStreams)
    );
    // Single-stream mode stops after the first STOP; the end tells where.
    let a = run(&data, &opts());
    assert_eq!(names(&a), ["t.one"]);
    assert_eq!(a.streams[0].end as usize, one.len());
    assert!(a.anomalies.is_empty());
}

#[test]
fn resynchronised_stream_that_breaks_after_an_import_counts() {
    let one = P::proto(2).none().stop();
    let evil = P::proto(2).call("posix", "system", |p| p.str("id"));
    let data = [&one.0[..], b"\x00\x00", &evil.0[..evil.len() - 1]].concat();
    let a = run(&data, &multi());
    assert_eq!(names(&a), ["posix.system"]);
    assert!(matches!(a.stop, Stop::Truncated { .. }));
    assert_eq!(a.streams.len(), 2);
}

#[test]
fn plain_pickles_back_to_back() {
    let one = P::new().none().stop();
    let data = [&one.0[..], &one.0, &one.0].concat();
    let a = run(&data, &multi());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(a.streams.len(), 3);
}

fn limited(f: impl FnOnce(&mut Limits)) -> Options<'static> {
    let mut o = Options::default();
    f(&mut o.limits);
    o
}

#[test]
fn limits_stop_analysis_by_name() {
    let p = P::proto(2).none().put(0).put(1).put(2).stop();
    let a = run(&p.0, &limited(|l| l.max_memo = 2));
    assert!(matches!(
        a.stop,
        Stop::LimitExceeded {
            limit: "max_memo",
            ..
        }
    ));
    let a = run(&p.0, &limited(|l| l.max_opcodes = 3));
    assert!(matches!(
        a.stop,
        Stop::LimitExceeded {
            limit: "max_opcodes",
            ..
        }
    ));
    let p = P::proto(2).mark().mark().mark().none().stop();
    let a = run(&p.0, &limited(|l| l.max_stack = 3));
    assert!(matches!(
        a.stop,
        Stop::LimitExceeded {
            limit: "max_stack",
            ..
        }
    ));
    let p = P::new().line(b'I', &"1".repeat(100)).stop();
    let a = run(&p.0, &limited(|l| l.max_line = 50));
    assert!(matches!(
        a.stop,
        Stop::LimitExceeded {
            limit: "max_line",
            ..
        }
    ));
    let mut p = P::proto(2);
    for _ in 0..5 {
        p = p.call("t", "f", |p| p);
    }
    let a = run(&p.stop().0, &limited(|l| l.max_calls_recorded = 2));
    assert_eq!((a.calls.len(), a.calls_dropped), (2, 3));
    assert!(a.imports[0].uses.called);
}

#[test]
fn junk_resync_work_is_bounded() {
    let one = P::new().none().stop();
    let junk: Vec<u8> = std::iter::repeat_n(*b"\x80\x02(", 20_000)
        .flatten()
        .collect();
    let data = [&one.0[..], &junk].concat();
    let start = Instant::now();
    let mut o = limited(|l| l.max_resync_opcodes = 1_000_000);
    o.multi_stream = true;
    let a = run_slice(&data, &o);
    assert!(matches!(
        a.stop,
        Stop::LimitExceeded {
            limit: "max_resync_opcodes",
            ..
        }
    ));
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn repeated_decoding_of_a_memoized_string_is_bounded() {
    let b64 = "QUFB".repeat(1 << 18); // 1 MiB of base64
    let mut p = P::proto(4)
        .global("base64", "b64decode")
        .put(0)
        .pop()
        .str(&b64)
        .put(1)
        .pop();
    for _ in 0..1000 {
        p = p.get(0).get(1).tuple1().reduce().pop();
    }
    let a = run_slice(
        &p.none().stop().0,
        &limited(|l| l.max_decode_total = 16 << 20),
    );
    assert_eq!(a.stop, Stop::Complete);
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.detail.contains("decoder work limit"))
    );
    // Decoded results before the limit are concrete bytes.
    assert!(a.calls[1].args.starts_with("('QUFB"));
}

#[test]
fn repeated_builds_on_a_memoized_joblib_wrapper_stay_cheap() {
    let mut p = P::proto(4)
        .sglobal("joblib.numpy_pickle", "NumpyArrayWrapper")
        .empty_tuple()
        .newobj()
        .put(0)
        .empty_dict()
        .str("shape")
        .int(0)
        .tuple1()
        .setitem()
        .str("dtype")
        .sglobal("numpy", "dtype")
        .str("f8")
        .fals()
        .tru()
        .tuple3()
        .reduce()
        .setitem()
        .put(1)
        .build()
        .pop();
    for _ in 0..100_000 {
        p = p.get(0).get(1).build().pop();
    }
    let a = run(&p.none().stop().0, &joblib());
    assert_eq!(a.stop, Stop::Complete);
}

#[test]
fn computed_stack_global_storm_keeps_a_bounded_record() {
    let mut p = P::proto(4).call("t", "name", |p| p).put(0).pop();
    for _ in 0..100_000 {
        p = p.str("os").get(0).stack_global().pop();
    }
    let a = run(&p.none().stop().0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(a.anomalies.len() as u64 + a.anomalies_dropped, 100_000);
    assert_eq!(names(&a), ["t.name", "os.<computed>"]);
}

/// Found by fuzzing (slice and reader disagreed on where a stream ended).
#[test]
fn short_reads_end_the_stream_at_the_same_place() {
    // A counted string longer than what is left.
    let p = P::proto(0).none().op(b'U').op(0x73).raw(b"User\r");
    assert!(matches!(
        run(&p.0, &opts()).stop,
        Stop::Truncated { offset: 3 }
    ));
    // STOP inside a frame declared past the end of the input.
    let p = P::proto(4).frame(1000).none().stop().raw(&[0; 20]);
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Truncated { offset: 2 });
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.detail.starts_with("STOP before the end"))
    );
    // A text line that runs into the end of the input.
    let p = P::proto(0).line(b'I', "1").raw(b"I12");
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Truncated { .. }));
}

/// Runs of scalars are read in one go: limits still stop at the opcode that
/// crosses them, at its own offset.
#[test]
fn scalar_runs_stop_at_the_opcode_that_crosses_a_limit() {
    let mut p = P::proto(2);
    for i in 0..10 {
        p = p.int(i);
    }
    let p = p.stop();
    // PROTO is opcode 1; the K at offset 10 would be the sixth.
    let a = run(&p.0, &limited(|l| l.max_opcodes = 5));
    assert_eq!(
        a.stop,
        Stop::LimitExceeded {
            offset: 10,
            limit: "max_opcodes"
        }
    );
    // Three values fill the stack; the fourth K, at offset 8, does not fit.
    let a = run(&p.0, &limited(|l| l.max_stack = 3));
    assert_eq!(
        a.stop,
        Stop::LimitExceeded {
            offset: 8,
            limit: "max_stack"
        }
    );
}

#[test]
fn scalar_runs_stop_at_a_frame_end_and_see_a_straddling_argument() {
    // The frame [11, 17) ends inside the third int's argument (16..20).
    let p = P::proto(4)
        .frame(6)
        .int(1)
        .int(2)
        .int(70_000)
        .op(b'0')
        .op(b'0')
        .op(b'0')
        .none()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    let s: Vec<_> = a
        .anomalies
        .iter()
        .filter(|x| x.kind == AnomalyKind::FrameStraddle)
        .collect();
    assert_eq!(s.len(), 1, "{:?}", a.anomalies);
    assert_eq!(s[0].offset, 15);
}

#[test]
fn appends_of_scalars_and_nodes_to_a_full_list_judge_every_node() {
    // A list past its keep limit, then a batch of numbers with a call in
    // the middle: the call is still seen, and the stream completes.
    let mut p = P::proto(2).op(b']');
    for _ in 0..5 {
        p = p.mark();
        for i in 0..1000 {
            p = p.int(i).none().binfloat(0.5).op(0x88);
        }
        p = p.op(b'e');
    }
    p = p
        .mark()
        .int(1)
        .call("os", "system", |p| p.str("id"))
        .int(2)
        .op(b'e');
    let a = run(&p.stop().0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(names(&a), ["os.system"]);
    assert_eq!(args(&a), ["('id',)"]);
}
