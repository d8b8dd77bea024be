//! Each opcode family, checked through the rendered arguments of a call that
//! receives the values, and the stack discipline of CPython's `_pickle.c`.

mod common;

use aigis_pickle::Stop;
use common::*;

/// `t.f(<values>)`, returning the rendered arguments.
fn render_args(values: impl FnOnce(P) -> P) -> String {
    let p = P::proto(2).call("t", "f", values).stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete, "{:?}", a.stop);
    a.calls[0].args.clone()
}

fn malformed(p: &P) -> String {
    match run(&p.0, &opts()).stop {
        Stop::Malformed { reason, .. } => reason,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn binary_ints() {
    let got = render_args(|p| {
        p.int(5)
            .int(300)
            .int(-7)
            .int(70000)
            .int(1 << 40)
            .op(0x8a)
            .op(0)
            .op(0x8b)
            .raw(&2i32.to_le_bytes())
            .raw(&[0xff, 0x7f])
            .op(0x8a)
            .op(9)
            .raw(&[0, 0, 0, 0, 0, 0, 0, 0, 1])
    });
    assert_eq!(
        got,
        "(5, 300, -7, 70000, 1099511627776, 0, 32767, 18446744073709551616)"
    );
}

#[test]
fn text_ints_bools_and_longs() {
    let got = render_args(|p| {
        p.line(b'I', "00")
            .line(b'I', "01")
            .line(b'I', "42")
            .line(b'I', "010")
            .line(b'I', "-3\r")
            .line(b'L', "123L")
            .line(b'L', "99999999999999999999")
    });
    assert_eq!(got, "(False, True, 42, 8, -3, 123, 99999999999999999999)");
}

#[test]
fn bad_text_int_is_malformed() {
    let p = P::proto(0).line(b'I', "12x").stop();
    assert!(malformed(&p).contains("int"));
    let p = P::new().raw(b"I\n.");
    assert!(malformed(&p).contains("truncated"));
}

#[test]
fn floats() {
    let got = render_args(|p| {
        p.line(b'F', "1.5")
            .line(b'F', "-2e-5")
            .binfloat(0.25)
            .binfloat(1e16)
    });
    assert_eq!(got, "(1.5, -2e-05, 0.25, 1e+16)");
    let p = P::proto(0).line(b'F', "1.5\r").stop();
    assert!(malformed(&p).contains("float"));
}

#[test]
fn text_strings_follow_quoting_and_escapes() {
    let got = render_args(|p| {
        p.line(b'S', r"'a\nb'")
            .line(b'S', r#""it's""#)
            .line(b'S', r"'\xe9'")
            .line(b'V', r"caf\u00e9 \x")
    });
    assert_eq!(got, r#"('a\nb', "it's", 'é', 'café \\x')"#);
    assert!(malformed(&P::proto(0).line(b'S', "'abc\"").stop()).contains("quoted"));
    assert!(malformed(&P::proto(0).line(b'S', "'abc'\r").stop()).contains("quoted"));
    assert!(malformed(&P::proto(0).line(b'S', r"'\x4'").stop()).contains("escape"));
    assert!(malformed(&P::proto(0).line(b'V', r"\u12").stop()).contains("decode"));
}

#[test]
fn binary_strings_and_bytes() {
    let long = "x".repeat(300);
    let got = render_args(|p| {
        p.op(b'U')
            .op(3)
            .raw(b"ab\xe9")
            .op(b'T')
            .raw(&2u32.to_le_bytes())
            .raw(b"hi")
            .str("é")
            .op(0x8d)
            .raw(&1u64.to_le_bytes())
            .raw(b"z")
            .bytes(b"\x00'")
            .binbytes8(b"q")
            .op(0x96)
            .raw(&1u64.to_le_bytes())
            .raw(b"r")
            .str(&long)
    });
    assert!(
        got.starts_with(r#"('abé', 'hi', 'é', 'z', b"\x00'", b'q', bytearray(b'r'), 'xxx"#),
        "{got}"
    );
    assert!(got.ends_with("')"));
}

#[test]
fn invalid_utf8_in_binunicode_is_malformed() {
    let p = P::proto(2).op(0x8c).op(1).raw(b"\xff").stop();
    assert!(malformed(&p).contains("utf-8"));
    // Lone surrogates pass (`surrogatepass`).
    let got = render_args(|p| p.str_bytes(b"\xed\xa0\x80"));
    assert_eq!(got, r"('\ud800',)");
}

#[test]
fn singletons() {
    assert_eq!(
        render_args(|p| p.none().tru().fals()),
        "(None, True, False)"
    );
}

#[test]
fn containers() {
    let got = render_args(|p| {
        p.empty_list()
            .int(1)
            .append()
            .mark()
            .int(2)
            .int(3)
            .appends()
            .mark()
            .str("k")
            .int(1)
            .dict()
            .str("j")
            .int(2)
            .setitem()
            .mark()
            .str("i")
            .int(3)
            .setitems()
            .empty_set()
            .mark()
            .int(7)
            .additems()
            .mark()
            .int(8)
            .frozenset()
            .int(1)
            .tuple1()
            .int(1)
            .int(2)
            .tuple2()
            .int(1)
            .int(2)
            .int(3)
            .tuple3()
            .empty_tuple()
            .mark()
            .int(4)
            .list()
            .mark()
            .int(5)
            .int(6)
            .tuple()
    });
    assert_eq!(
        got,
        "([1, 2, 3], {'k': 1, 'j': 2, 'i': 3}, {7}, frozenset({8}), (1,), (1, 2), (1, 2, 3), (), [4], (5, 6))"
    );
}

#[test]
fn odd_dict_and_unhashable_keys_are_malformed() {
    let p = P::proto(2).mark().int(1).dict().stop();
    assert!(malformed(&p).contains("odd number"));
    let p = P::proto(2)
        .empty_dict()
        .empty_list()
        .int(1)
        .setitem()
        .stop();
    assert!(malformed(&p).contains("unhashable"));
    let p = P::proto(2).empty_tuple().int(1).int(2).setitem().stop();
    assert!(malformed(&p).contains("item assignment"));
    let p = P::proto(2).int(1).int(2).append().stop();
    assert!(malformed(&p).contains("append"));
}

#[test]
fn stack_discipline() {
    // POP with nothing above the mark pops the mark itself.
    let got = render_args(|p| {
        p.int(1)
            .mark()
            .pop()
            .int(2)
            .dup()
            .mark()
            .int(9)
            .int(9)
            .pop_mark()
    });
    assert_eq!(got, "(1, 2, 2)");
    // Underflow: a pop cannot cross a mark.
    let p = P::proto(2).int(1).mark().tuple1().stop();
    assert!(malformed(&p).contains("MARK"));
    let p = P::proto(2).pop().stop();
    assert!(malformed(&p).contains("underflow"));
    let p = P::proto(2).int(1).tuple().stop();
    assert!(malformed(&p).contains("could not find MARK"));
    // STOP needs a value above the mark.
    let p = P::proto(2).int(1).mark().stop();
    assert!(malformed(&p).contains("MARK"));
}

#[test]
fn memo_forms() {
    let got = render_args(|p| {
        p.str("a")
            .line(b'p', "7")
            .pop()
            .str("b")
            .put(3)
            .pop()
            .str("c")
            .put(70000)
            .pop()
            .str("d")
            .memoize()
            .pop()
            .line(b'g', "7")
            .get(3)
            .get(70000)
            .get(3)
    });
    // MEMOIZE uses the number of entries (3) as its key, replacing 'b'.
    assert_eq!(got, "('a', 'd', 'c', 'd')");
    let got = render_args(|p| p.str("x").memoize().str("y").memoize().pop().pop().get(1));
    assert_eq!(got, "('y',)");
}

#[test]
fn memo_misses_and_bad_keys_are_malformed() {
    let p = P::proto(2).get(5).stop();
    assert!(malformed(&p).contains("Memo value not found"));
    let p = P::proto(0).none().line(b'p', "-1").stop();
    assert!(malformed(&p).contains("negative"));
    let p = P::proto(0).line(b'p', "1").stop();
    assert!(malformed(&p).contains("underflow"));
}

#[test]
fn memo_values_are_shared_not_copied() {
    // A list appended after it was memoized shows the change through GET.
    let got = render_args(|p| p.empty_list().put(0).int(1).append().pop().get(0));
    assert_eq!(got, "([1],)");
}

#[test]
fn proto_and_unknown_opcodes() {
    assert!(malformed(&P::proto(6).none().stop()).contains("unsupported pickle protocol: 6"));
    assert!(malformed(&P::proto(2).op(0xff)).contains("invalid load key, '\\xff'"));
    assert!(malformed(&P::proto(2).op(b'z')).contains("invalid load key, 'z'"));
    let a = run(&P::proto(2).none().op(0x80).op(3).stop().0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(a.streams[0].protocol, 3);
    assert!(
        a.anomalies
            .iter()
            .any(|x| x.detail.contains("PROTO 3 after"))
    );
}

#[test]
fn frames_are_transparent() {
    let body = P::new().call("t", "f", |p| p.int(1)).stop();
    let p = P::proto(4).frame(body.len() as u64).raw(&body.0);
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(args(&a), ["(1,)"]);
    assert!(a.anomalies.is_empty());
    // A FRAME whose bytes are missing is a truncated pickle.
    let p = P::proto(4).frame(1000).none().stop();
    assert!(matches!(
        run(&p.0, &opts()).stop,
        Stop::Truncated { offset: 2 }
    ));
}

#[test]
fn persistent_ids_are_recorded() {
    let p = P::proto(2)
        .mark()
        .str("storage")
        .global("torch", "FloatStorage")
        .str("0")
        .tuple()
        .binpersid()
        .pop()
        .line(b'P', "abc")
        .stop();
    let a = run(&p.0, &opts());
    assert_eq!(a.stop, Stop::Complete);
    assert_eq!(a.persistent_id_count, 2);
    assert_eq!(
        a.persistent_ids,
        ["('storage', torch.FloatStorage, '0')", "'abc'"]
    );
    assert!(a.imports[0].uses.referenced);
    let p = P::proto(0).line(b'P', "\u{e9}").stop();
    assert!(malformed(&p).contains("ASCII"));
}

#[test]
fn buffers() {
    let a = run(&P::proto(5).op(0x97).op(0x98).stop().0, &opts());
    let ok = run(&P::proto(5).bytes(b"x").op(0x98).stop().0, &opts());
    assert_eq!(ok.stop, Stop::Complete);
    assert!(malformed(&P::proto(5).int(1).op(0x98).stop()).contains("bytes-like"));
    assert_eq!(a.stop, Stop::Complete);
    assert!(a.anomalies.iter().any(|x| x.detail.contains("NEXT_BUFFER")));
    let p = P::proto(5).op(0x98).stop();
    assert!(malformed(&p).contains("underflow"));
}
