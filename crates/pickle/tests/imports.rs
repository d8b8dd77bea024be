//! Imports, their uses, call sites, decoders and payload capture.

mod common;

use aigis_pickle::{AnomalyKind, ArgRef, CallKind, Callee, ImportOp, Stop};
use common::*;

#[test]
fn global_reduce_is_a_call_with_rendered_args() {
    let p = P::proto(2)
        .call("posix", "system", |p| p.str("echo pwned"))
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(names(&a), ["posix.system"]);
    let imp = &a.imports[0];
    assert_eq!((imp.op, imp.offset, imp.stream), (ImportOp::Global, 2, 0));
    assert!(imp.uses.called && !imp.uses.constructed && !imp.uses.referenced);
    let c = &a.calls[0];
    assert_eq!(c.kind, CallKind::Reduce);
    assert_eq!(c.callee, Callee::Import(0));
    assert_eq!(c.args, "('echo pwned',)");
    assert_eq!(c.offset as usize, p.len() - 2);
}

#[test]
fn stack_global_inst_and_obj_import() {
    let p = P::proto(4)
        .sglobal("os", "system")
        .str("id")
        .tuple1()
        .reduce()
        .pop()
        .mark()
        .str("ls")
        .inst("subprocess", "getoutput")
        .pop()
        .mark()
        .global("builtins", "exec")
        .str("1")
        .obj()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(
        names(&a),
        ["os.system", "subprocess.getoutput", "builtins.exec"]
    );
    let ops: Vec<_> = a.imports.iter().map(|i| i.op).collect();
    assert_eq!(
        ops,
        [ImportOp::StackGlobal, ImportOp::Inst, ImportOp::Global]
    );
    assert!(a.imports.iter().all(|i| i.uses.called));
    let kinds: Vec<_> = a.calls.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [CallKind::Reduce, CallKind::Inst, CallKind::Obj]);
    assert_eq!(args(&a), ["('id',)", "('ls',)", "('1',)"]);
}

#[test]
fn py2_names_are_mapped_below_protocol_3() {
    let p = P::proto(2)
        .call("__builtin__", "eval", |p| p.str("1"))
        .pop()
        .global("copy_reg", "_reconstructor")
        .pop()
        .global("__builtin__", "xrange")
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(
        names(&a),
        ["builtins.eval", "copyreg._reconstructor", "builtins.range"]
    );
    assert_eq!(
        a.imports[0].original,
        Some(("__builtin__".into(), "eval".into()))
    );
    assert_eq!(
        a.imports[2].original,
        Some(("__builtin__".into(), "xrange".into()))
    );
    // Without PROTO the protocol is 0: still mapped.
    let a = run(&P::new().global("__builtin__", "eval").stop().0, &opts());
    assert_eq!(names(&a), ["builtins.eval"]);
    // Protocol 3 and up: taken as written.
    let a = run(&P::proto(3).global("__builtin__", "eval").stop().0, &opts());
    assert_eq!(names(&a), ["__builtin__.eval"]);
    assert_eq!(a.imports[0].original, None);
}

#[test]
fn dotted_names_are_kept_whole() {
    let p = P::proto(4).sglobal("os", "path.os.system").stop();
    let a = run(&p.0, &opts());
    assert_eq!(names(&a), ["os.path.os.system"]);
    assert_eq!(a.imports[0].name, "path.os.system");
}

#[test]
fn stack_global_operands_from_the_memo_are_plain_strings() {
    let p = P::proto(4)
        .str("os")
        .memoize()
        .pop()
        .str("system")
        .memoize()
        .pop()
        .get(0)
        .get(1)
        .stack_global()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(names(&a), ["os.system"]);
    assert!(a.anomalies.is_empty());
}

#[test]
fn stack_global_operands_from_calls_are_computed() {
    // getattr(str, 'join')('', ['o', 's']) as the module name.
    let p = P::proto(4)
        .call("builtins", "str.join", |p| {
            p.str("").mark().str("o").str("s").list()
        })
        .str("system")
        .stack_global()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.kind == AnomalyKind::ComputedGlobal)
    );
    assert!(names(&a).contains(&"<computed>.system".to_string()));
    // A decoded value is concrete, but still computed.
    let p = P::proto(4)
        .call("codecs", "decode", |p| p.bytes(b"os").str("latin1"))
        .str("system")
        .stack_global()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(names(&a), ["codecs.decode", "os.system"]);
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.kind == AnomalyKind::ComputedGlobal)
    );
}

#[test]
fn stack_global_on_known_non_str_is_malformed() {
    let p = P::proto(4).bytes(b"os").str("system").stack_global().stop();
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Malformed { .. }));
    let p = P::proto(4).int(1).str("system").stack_global().stop();
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Malformed { .. }));
}

#[test]
fn extension_codes_are_anomalies_and_continue() {
    let p = P::proto(2)
        .op(0x82)
        .op(7)
        .op(0x83)
        .raw(&300u16.to_le_bytes())
        .op(0x84)
        .raw(&70000i32.to_le_bytes())
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    let codes: Vec<_> = a
        .anomalies
        .iter()
        .filter_map(|x| match x.kind {
            AnomalyKind::Extension { code } => Some(code),
            _ => None,
        })
        .collect();
    assert_eq!(codes, [7, 300, 70000]);
    let p = P::proto(2).op(0x82).op(0).stop();
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Malformed { .. }));
    let p = P::proto(2).op(0x84).raw(&(-1i32).to_le_bytes()).stop();
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Malformed { .. }));
}

#[test]
fn build_on_a_global_patches_it() {
    let p = P::proto(2)
        .global("os", "environ")
        .empty_dict()
        .str("k")
        .str("v")
        .setitem()
        .build()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert!(a.imports[0].uses.build_target);
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.kind == AnomalyKind::BuildOnGlobal { import: 0 })
    );
}

#[test]
fn mutating_a_global_is_a_use() {
    let p = P::proto(2)
        .global("sys", "path")
        .str("/tmp/evil")
        .append()
        .pop()
        .global("os", "environ")
        .str("LD_PRELOAD")
        .str("/tmp/x.so")
        .setitem()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert!(a.imports.iter().all(|i| i.uses.mutated));
    let kinds: Vec<_> = a.anomalies.iter().map(|x| x.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            AnomalyKind::MutateGlobal { import: 0 },
            AnomalyKind::MutateGlobal { import: 1 }
        ]
    );
}

#[test]
fn call_sites_describe_their_arguments() {
    // getattr(collections.OrderedDict, 'fromkeys'), then a call on an
    // OrderedDict() instance's result and a long string argument.
    let long = "x".repeat(aigis_pickle::MAX_ARG_STR + 1);
    let p = P::proto(2)
        .global("builtins", "getattr")
        .mark()
        .global("collections", "OrderedDict")
        .str("fromkeys")
        .tuple()
        .reduce()
        .pop()
        .global("builtins", "getattr")
        .mark()
        .call("collections", "OrderedDict", |p| p)
        .str(&long)
        .int(3)
        .empty_list()
        .none()
        .tuple()
        .reduce()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(a.calls.len(), 3);
    assert_eq!(
        a.calls[0].arg_refs,
        [ArgRef::Import(1), ArgRef::Str("fromkeys".into())]
    );
    assert_eq!(a.calls[0].arg_count, Some(2));
    assert_eq!(
        a.calls[2].arg_refs,
        [
            ArgRef::Result(1),
            ArgRef::Other,
            ArgRef::Other,
            ArgRef::Other
        ]
    );
    assert_eq!(a.calls[2].arg_count, Some(5));
    assert!(a.calls[1].result_uses.referenced);
    assert!(!a.calls[0].result_uses.referenced);
}

#[test]
fn what_happens_to_a_result_is_recorded() {
    // r = OrderedDict(); r[1] = 2; r.__setstate__-style BUILD; f = getattr(...); f()
    let p = P::proto(2)
        .call("collections", "OrderedDict", |p| p)
        .int(1)
        .int(2)
        .setitem()
        .empty_dict()
        .build()
        .pop()
        .global("builtins", "getattr")
        .mark()
        .global("collections", "OrderedDict")
        .str("fromkeys")
        .tuple()
        .reduce()
        .mark()
        .tuple()
        .reduce()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    let u = &a.calls[0].result_uses;
    assert!(u.mutated && u.build_target && !u.called && !u.referenced);
    let u = &a.calls[1].result_uses;
    assert!(u.called && !u.mutated && !u.build_target);
}

#[test]
fn reduce_on_a_reduce_result_is_a_result_callee() {
    // getattr(__import__('os'), 'system')('id')
    let p = P::proto(2)
        .global("builtins", "getattr")
        .mark()
        .call("builtins", "__import__", |p| p.str("os"))
        .str("system")
        .tuple()
        .reduce()
        .mark()
        .str("id")
        .tuple()
        .reduce()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(a.calls.len(), 3);
    assert_eq!(a.calls[2].callee, Callee::Result(1));
    assert_eq!(a.calls[1].args, "(builtins.__import__('os'), 'system')");
}

#[test]
fn newobj_constructs_reduce_calls() {
    let p = P::proto(2)
        .global("collections", "OrderedDict")
        .empty_tuple()
        .newobj()
        .pop()
        .global("collections", "deque")
        .mark()
        .tuple()
        .reduce()
        .pop()
        .global("t", "C")
        .empty_tuple()
        .empty_dict()
        .newobj_ex()
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    let u = |i: usize| &a.imports[i].uses;
    assert!(u(0).constructed && !u(0).called);
    assert!(u(1).called && !u(1).constructed);
    assert!(u(2).constructed);
    assert_eq!(a.calls[2].kind, CallKind::NewObjEx);
    assert_eq!(a.calls[2].args, "((), {})");
    // NEWOBJ on a non-type is what CPython rejects.
    let p = P::proto(2).int(1).empty_tuple().newobj().stop();
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Malformed { .. }));
    let p = P::proto(2).global("t", "C").empty_list().reduce().stop();
    assert!(matches!(run(&p.0, &opts()).stop, Stop::Malformed { .. }));
}

#[test]
fn copyreg_reconstructor_constructs_its_class() {
    let p = P::proto(2)
        .call("copy_reg", "_reconstructor", |p| {
            p.global("evil", "Thing")
                .global("__builtin__", "object")
                .none()
        })
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(
        names(&a),
        ["copyreg._reconstructor", "evil.Thing", "builtins.object"]
    );
    assert!(a.imports[0].uses.called);
    assert!(a.imports[1].uses.constructed);
    assert!(!a.imports[2].uses.constructed && a.imports[2].uses.referenced);
    assert_eq!(a.calls[0].args, "(evil.Thing, builtins.object, None)");
}

#[test]
fn nested_payload_through_base64_is_captured() {
    let inner = P::proto(2).call("posix", "system", |p| p.str("id")).stop();
    let b64 = base64(&inner.0);
    let p = P::proto(2)
        .call("pickle", "loads", |p| {
            p.call("base64", "b64decode", |p| p.str(&b64))
        })
        .stop();
    let a = run(&p.0, &capture());
    assert_eq!(a.stop, Stop::Complete);
    let loads = a
        .calls
        .iter()
        .find(|c| c.callee == Callee::Import(0))
        .unwrap();
    assert_eq!(loads.payloads.len(), 1);
    let decoded = &loads.payloads[0];
    assert_eq!(decoded, &inner.0);
    assert_eq!(
        aigis_pickle::analyze(decoded, &opts()).calls[0].args,
        "('id',)"
    );
    // The decoder call is still a call site.
    assert!(a.calls.iter().any(|c| c.args.contains(&b64)));
}

fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn nested_payload_through_bytesio_is_captured() {
    let inner = P::proto(2).call("posix", "system", |p| p.str("id")).stop();
    let p = P::proto(2)
        .call("torch", "load", |p| {
            p.call("io", "BytesIO", |p| p.bytes(&inner.0))
        })
        .stop();
    let a = run(&p.0, &capture());
    let load = a
        .calls
        .iter()
        .find(|c| matches!(c.callee, Callee::Import(i) if a.imports[i].name == "load"))
        .unwrap();
    assert_eq!(load.payloads, std::slice::from_ref(&inner.0));
    assert!(load.payloads_complete);
    // Without capture, nothing is kept.
    let a = run(&p.0, &opts());
    assert!(a.calls.iter().all(|c| c.payloads.is_empty()));
}

#[test]
fn a_capped_payload_is_not_complete() {
    let big = vec![b'a'; 300];
    let p = P::proto(2)
        .call("pickle", "loads", |p| p.bytes(&big))
        .stop();
    let mut o = capture();
    o.limits.max_capture = 100;
    // (The reader keeps only max_capture bytes of text, so renderings differ.)
    let a = run_slice(&p.0, &o);
    let c = &a.calls[0];
    assert_eq!(c.payloads[0].len(), 100);
    assert!(!c.payloads_complete);
}

#[test]
fn decoders_give_concrete_bytes() {
    let p = P::proto(2)
        .call("t", "f", |p| {
            p.call("binascii", "unhexlify", |p| p.str("6869"))
                .call("_codecs", "encode", |p| p.str("\u{e9}").str("latin1"))
                .call("__builtin__", "bytes", |p| {
                    p.mark().int(104).int(105).list()
                })
                .call("zlib", "decompress", |p| {
                    p.bytes(&[120, 156, 203, 200, 4, 0, 1, 59, 0, 210])
                })
                .call("base64", "urlsafe_b64decode", |p| p.str("_-8="))
                .call("codecs", "decode", |p| p.bytes(b"6869").str("hex"))
                .call("builtins", "bytes.fromhex", |p| p.str("68 69"))
                .call("base64", "b64decode", |p| p.str("YWJ"))
                .global("builtins", "bytes")
                .mark()
                .mark()
                .int(104)
                .list()
                .tuple()
                .newobj()
        })
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    let f = a.calls.last().unwrap();
    assert_eq!(
        f.args,
        r"(b'hi', b'\xe9', b'hi', b'hi', b'\xff\xef', b'hi', b'hi', base64.b64decode('YWJ'), b'h')"
    );
}

#[test]
fn large_args_are_bounded_in_render() {
    let long = "A".repeat(10_000);
    let p = P::proto(2).call("t", "f", |p| p.str(&long)).stop();
    let a = run(&p.0, &opts());
    assert!(a.calls[0].args.chars().count() <= 1100);
    assert!(a.calls[0].args.ends_with('…'));
}
