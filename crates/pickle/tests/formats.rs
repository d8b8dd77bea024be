//! Real-world shapes: PyTorch state dicts and joblib files with arrays,
//! assembled the way those libraries write them.

mod common;

use aigis_pickle::{Callee, Stop};
use common::*;

/// One `torch._utils._rebuild_tensor_v2(persistent_load(('storage', ...)), ...)`
/// as `torch.save` writes it with protocol 2 (memo numbering left out).
fn tensor(p: P, key: &str, storage: &str) -> P {
    p.str(key)
        .global("torch._utils", "_rebuild_tensor_v2")
        .mark()
        .mark()
        .str("storage")
        .global("torch", "FloatStorage")
        .str(storage)
        .str("cpu")
        .int(6)
        .tuple()
        .binpersid()
        .int(0)
        .int(2)
        .int(3)
        .tuple2()
        .int(3)
        .int(1)
        .tuple2()
        .fals()
        .global("collections", "OrderedDict")
        .empty_tuple()
        .reduce()
        .tuple()
        .reduce()
}

#[test]
fn pytorch_state_dict() {
    let p = P::proto(2)
        .global("collections", "OrderedDict")
        .empty_tuple()
        .reduce()
        .mark();
    let p = tensor(p, "conv.weight", "0");
    let p = tensor(p, "conv.bias", "1");
    let p = p
        .setitems()
        .empty_dict()
        .str("_metadata")
        .global("collections", "OrderedDict")
        .empty_tuple()
        .reduce()
        .setitem()
        .build()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(
        names(&a),
        [
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch.FloatStorage"
        ]
    );
    assert!(a.imports[0].uses.called && a.imports[1].uses.called);
    assert!(a.imports[2].uses.referenced && !a.imports[2].uses.called);
    assert_eq!(a.persistent_id_count, 2);
    assert_eq!(
        a.persistent_ids[0],
        "('storage', torch.FloatStorage, '0', 'cpu', 6)"
    );
    let rebuild: Vec<_> = a
        .calls
        .iter()
        .filter(|c| c.callee == Callee::Import(1))
        .collect();
    assert_eq!(rebuild.len(), 2);
    assert_eq!(
        rebuild[0].args,
        "(persistent_load(('storage', torch.FloatStorage, '0', 'cpu', 6)), 0, (2, 3), (3, 1), False, collections.OrderedDict())"
    );
    assert!(a.anomalies.is_empty());
}

/// joblib >= 1.2 layout pieces.
struct Array<'a> {
    shape: &'a [i64],
    typestr: &'a str,
    raw: &'a [u8],
    alignment: Option<i64>,
}

/// Opcodes for `NumpyArrayWrapper` via NEWOBJ plus its BUILD state.
fn wrapper(p: P, a: &Array<'_>) -> P {
    let mut p = p
        .sglobal("joblib.numpy_pickle", "NumpyArrayWrapper")
        .empty_tuple()
        .newobj()
        .empty_dict()
        .mark()
        .str("subclass")
        .sglobal("numpy", "ndarray")
        .str("shape");
    p = p.mark();
    for &d in a.shape {
        p = p.int(d);
    }
    p = p
        .tuple()
        .str("order")
        .str("C")
        .str("dtype")
        .sglobal("numpy", "dtype")
        .str(a.typestr)
        .fals()
        .tru()
        .tuple3()
        .reduce()
        .mark()
        .int(3)
        .str("<")
        .none()
        .none()
        .none()
        .int(-1)
        .int(-1)
        .int(0)
        .tuple()
        .build()
        .str("allow_mmap")
        .tru();
    if let Some(al) = a.alignment {
        p = p.str("numpy_array_alignment_bytes").int(al);
    }
    p.setitems().build()
}

/// Padding byte and padding as `write_array` writes them at file offset `pos`.
fn padding(pos: usize) -> Vec<u8> {
    let n = 16 - (pos + 1) % 16;
    let mut v = vec![n as u8];
    v.extend(std::iter::repeat_n(0xff, n));
    v
}

/// `joblib.dump({'a': array, 'b': 7})` with protocol 4 and frames.
fn joblib_file(a: &Array<'_>, after: impl FnOnce(P) -> P) -> Vec<u8> {
    let head = wrapper(P::new().empty_dict().memoize().str("a").memoize(), a);
    let mut out = P::proto(4).frame(head.len() as u64).raw(&head.0).0;
    if a.alignment.is_some() {
        out.extend(padding(out.len()));
    }
    out.extend_from_slice(a.raw);
    let tail = after(P::new().setitem().str("b").int(7).setitem()).stop();
    out.extend(P::new().frame(tail.len() as u64).raw(&tail.0).0);
    out
}

fn f8(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| (i as f64).to_le_bytes()).collect()
}

#[test]
fn joblib_array_bytes_are_skipped() {
    let raw = f8(6);
    let arr = Array {
        shape: &[2, 3],
        typestr: "f8",
        raw: &raw,
        alignment: Some(16),
    };
    let data = joblib_file(&arr, |p| p);
    let a = run(&data, &joblib());
    assert_eq!(a.stop, Stop::Complete, "{:?}", a.anomalies);
    assert_eq!(
        names(&a),
        [
            "joblib.numpy_pickle.NumpyArrayWrapper",
            "numpy.ndarray",
            "numpy.dtype"
        ]
    );
    assert!(a.imports[0].uses.constructed);
    assert!(a.anomalies.is_empty());
    // Without joblib mode the raw bytes are taken for opcodes.
    let a = run(&data, &opts());
    assert_ne!(a.stop, Stop::Complete);
}

#[test]
fn joblib_before_1_2_has_no_padding() {
    let raw = f8(4);
    let arr = Array {
        shape: &[4],
        typestr: "f8",
        raw: &raw,
        alignment: None,
    };
    let a = run(&joblib_file(&arr, |p| p), &joblib());
    assert_eq!(a.stop, Stop::Complete);
}

#[test]
fn joblib_unicode_and_empty_arrays() {
    let raw = vec![0u8; 2 * 5 * 4];
    let arr = Array {
        shape: &[2],
        typestr: "U5",
        raw: &raw,
        alignment: Some(16),
    };
    assert_eq!(
        run(&joblib_file(&arr, |p| p), &joblib()).stop,
        Stop::Complete
    );
    let arr = Array {
        shape: &[0, 3],
        typestr: "i8",
        raw: &[],
        alignment: Some(16),
    };
    assert_eq!(
        run(&joblib_file(&arr, |p| p), &joblib()).stop,
        Stop::Complete
    );
}

#[test]
fn joblib_payload_after_the_array_is_seen() {
    let raw = f8(6);
    let arr = Array {
        shape: &[2, 3],
        typestr: "f8",
        raw: &raw,
        alignment: Some(16),
    };
    let data = joblib_file(&arr, |p| p.call("posix", "system", |p| p.str("id")).pop());
    let a = run(&data, &joblib());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(args(&a).last().unwrap(), "('id',)");
}

#[test]
fn joblib_object_array_is_a_nested_pickle() {
    let inner = P::proto(5).call("posix", "system", |p| p.str("id")).stop();
    let head = wrapper(
        P::new().empty_dict().memoize().str("a").memoize(),
        &Array {
            shape: &[1],
            typestr: "O8",
            raw: &[],
            alignment: Some(16),
        },
    );
    let mut data = P::proto(4).frame(head.len() as u64).raw(&head.0).0;
    data.extend_from_slice(&inner.0);
    data.extend(P::new().setitem().stop().0);
    let a = run(&data, &joblib());
    assert_eq!(a.stop, Stop::Complete);
    assert!(names(&a).contains(&"posix.system".to_string()));
    assert_eq!(args(&a).last().unwrap(), "('id',)");
}

#[test]
fn joblib_reads_array_bytes_from_behind_the_frame() {
    // The wrapper's BUILD is in the middle of a frame: joblib reads the array
    // from after the frame, then unpickles the rest of the frame.
    let raw = f8(2);
    let arr = Array {
        shape: &[2],
        typestr: "f8",
        raw: &raw,
        alignment: None,
    };
    let head = wrapper(P::new().empty_dict().memoize().str("a").memoize(), &arr);
    let rest = P::new()
        .setitem()
        .call("posix", "system", |p| p.str("id"))
        .pop()
        .stop();
    let frame = [&head.0[..], &rest.0].concat();
    let mut data = P::proto(4).frame(frame.len() as u64).raw(&frame).0;
    data.extend_from_slice(&raw);
    let a = run(&data, &joblib());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(args(&a).last().unwrap(), "('id',)");
}

#[test]
fn joblib_undeterminable_count_halts() {
    // The shape comes from a call: its value is unknown.
    let p = P::proto(4)
        .sglobal("joblib.numpy_pickle", "NumpyArrayWrapper")
        .empty_tuple()
        .newobj()
        .empty_dict()
        .str("shape")
        .call("t", "shape", |p| p)
        .setitem()
        .build()
        .stop();
    match run(&p.0, &joblib()).stop {
        Stop::Malformed { reason, .. } => assert!(reason.contains("cannot determine"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // A negative dimension is what numpy rejects.
    let arr = Array {
        shape: &[-1],
        typestr: "f8",
        raw: &[],
        alignment: None,
    };
    assert!(matches!(
        run(&joblib_file(&arr, |p| p), &joblib()).stop,
        Stop::Malformed { .. }
    ));
}

#[test]
fn joblib_array_cut_short_is_truncated() {
    let raw = f8(6);
    let arr = Array {
        shape: &[2, 3],
        typestr: "f8",
        raw: &raw,
        alignment: Some(16),
    };
    let data = joblib_file(&arr, |p| p);
    let cut = &data[..data.len() - 30];
    assert!(matches!(run(cut, &joblib()).stop, Stop::Truncated { .. }));
}

/// `numpy.dtype(typestr, False, True)` with a version-3 state.
fn dtype(p: P, typestr: &str, fields: impl FnOnce(P) -> P, elsize: i64) -> P {
    let p = p
        .sglobal("numpy", "dtype")
        .str(typestr)
        .fals()
        .tru()
        .tuple3()
        .reduce();
    fields(p.mark().int(3).str("|").none().none())
        .int(elsize)
        .int(1)
        .int(0)
        .tuple()
        .build()
}

/// A wrapper whose dtype is a structured `V16` with fields `a` and `b`.
fn structured(b_type: &str) -> P {
    let fields = |p: P| {
        p.empty_dict()
            .str("a")
            .mark()
            .apply(|p| dtype(p, "f8", |p| p.none(), -1))
            .int(0)
            .tuple()
            .setitem()
            .str("b")
            .mark()
            .apply(|p| dtype(p, b_type, |p| p.none(), -1))
            .int(8)
            .tuple()
            .setitem()
    };
    P::new()
        .sglobal("joblib.numpy_pickle", "NumpyArrayWrapper")
        .empty_tuple()
        .newobj()
        .empty_dict()
        .mark()
        .str("shape")
        .int(2)
        .tuple1()
        .str("dtype")
        .apply(|p| dtype(p, "V16", fields, 16))
        .setitems()
        .build()
}

trait Apply {
    fn apply(self, f: impl FnOnce(P) -> P) -> P;
}

impl Apply for P {
    fn apply(self, f: impl FnOnce(P) -> P) -> P {
        f(self)
    }
}

#[test]
fn joblib_structured_dtypes() {
    // Plain fields: 2 * 16 raw bytes.
    let mut data = P::proto(4).raw(&structured("i8").0).0;
    data.extend_from_slice(&[0u8; 32]);
    data.push(b'.');
    let a = run(&data, &joblib());
    assert_eq!(a.stop, Stop::Complete, "{:?}", a.stop);
    // An object field: the array is a nested pickle.
    let inner = P::proto(5).call("posix", "system", |p| p.str("id")).stop();
    let mut data = P::proto(4).raw(&structured("O8").0).0;
    data.extend_from_slice(&inner.0);
    data.push(b'.');
    let a = run(&data, &joblib());
    assert_eq!(a.stop, Stop::Complete, "{:?}", a.stop);
    assert_eq!(args(&a).last().unwrap(), "('id',)");
}
