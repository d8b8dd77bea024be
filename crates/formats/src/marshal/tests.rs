use super::*;

/// `marshal.dumps((lambda x: __import__('os').system('echo pwned') or x).__code__)`
/// written by CPython 3.11.7.
const PY311_LAMBDA: &str = "e30100000000000000000000000300000003000000f34a00000097007401000000000000000000006401a6010000ab010000000000000000a00100000000000000000000000000000000000000006402a6010000ab01000000000000000070017c00530029034eda026f73fa0a6563686f2070776e65642902da0a5f5f696d706f72745f5fda0673797374656d2901da0178730100000020fa083c737472696e673efa083c6c616d6264613e720800000003000000732100000080008d4a9074d10c1cd40c1cd70c23d20c23a04cd10c31d40c31d00c36b0518000f300000000";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn short(s: &str) -> Vec<u8> {
    let mut v = vec![b'z', s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

fn small_tuple(items: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![b')', items.len() as u8];
    for i in items {
        v.extend_from_slice(i);
    }
    v
}

fn bytes(b: &[u8]) -> Vec<u8> {
    let mut v = vec![b's'];
    v.extend_from_slice(&(b.len() as u32).to_le_bytes());
    v.extend_from_slice(b);
    v
}

/// A Python 3.8–3.10 code object: six ints, then the objects.
fn py38_code(names: &[&str], consts: Vec<Vec<u8>>, inner_name: &str) -> Vec<u8> {
    let mut v = vec![b'c'];
    for i in [1u32, 0, 0, 1, 2, 67] {
        v.extend_from_slice(&i.to_le_bytes());
    }
    v.extend(bytes(&[0x74, 0, 0x64, 1]));
    v.extend(small_tuple(&consts));
    v.extend(small_tuple(
        &names.iter().map(|n| short(n)).collect::<Vec<_>>(),
    ));
    v.extend(small_tuple(&[short("x")]));
    v.extend(small_tuple(&[]));
    v.extend(small_tuple(&[]));
    v.extend(short("<string>"));
    v.extend(short(inner_name));
    v.extend_from_slice(&1u32.to_le_bytes());
    v.extend(bytes(b""));
    v
}

#[test]
fn real_py311_lambda_lists_its_names_and_constants() {
    let (layout, code) = read_code(&hex(PY311_LAMBDA)).unwrap();
    assert_eq!(layout, Layout::Py311);
    assert_eq!(code.name, "<lambda>");
    assert_eq!(code.all_names(), ["__import__", "system"]);
    assert_eq!(code.all_strings(), ["os", "echo pwned"]);
    assert_eq!(code.varnames, ["x"]);
}

#[test]
fn py38_layout_with_a_nested_code_object() {
    let inner = py38_code(&["os", "popen"], vec![short("id")], "inner");
    let outer = py38_code(&["tf"], vec![vec![b'N'], inner], "<lambda>");
    let (layout, code) = read_code(&outer).unwrap();
    assert_eq!(layout, Layout::Py38);
    assert_eq!(code.all_names(), ["tf", "os", "popen"]);
    assert_eq!(code.all_strings(), ["id"]);
}

#[test]
fn references_reuse_earlier_objects() {
    // consts: ('curl x', <ref to it>); names: ('system',) flagged for reference.
    let mut s = short("curl x");
    s[0] |= FLAG_REF;
    let mut c = py38_code(&["system"], vec![s, vec![b'r', 0, 0, 0, 0]], "f");
    c[0] = b'c';
    let (_, code) = read_code(&c).unwrap();
    assert_eq!(code.consts.len(), 2);
    assert_eq!(code.consts[1], Obj::Str("curl x".into()));
}

#[test]
fn broken_input_is_an_error_not_a_panic() {
    let good = hex(PY311_LAMBDA);
    for n in 0..good.len() {
        assert!(read_code(&good[..n]).is_err(), "prefix {n}");
    }
    assert_eq!(read_code(b"N"), Err(MarshalError::NotCode));
    assert!(matches!(
        read_code(b"\x01"),
        Err(MarshalError::UnknownType(1, 0))
    ));
    // A tuple claiming 2^31-1 items in a short input.
    assert!(read_code(b"(\xff\xff\xff\x7f").is_err());
    // A reference to nothing.
    assert!(read_code(b"r\x05\x00\x00\x00").is_err());
}

#[test]
fn deep_nesting_stops_at_the_limit() {
    let mut v = Vec::new();
    for _ in 0..(MAX_DEPTH + 10) {
        v.extend_from_slice(&[b')', 1]);
    }
    v.push(b'N');
    assert_eq!(read_code(&v), Err(MarshalError::Limit("MAX_DEPTH")));
}

#[test]
fn repeated_references_do_not_multiply_work() {
    // A tuple of 1000 strings referenced 60,000 times: listing stays bounded.
    let mut big = vec![b'(' | FLAG_REF];
    big.extend_from_slice(&1000u32.to_le_bytes());
    for i in 0..1000 {
        big.extend(short(&format!("s{i}")));
    }
    let mut consts = vec![b'('];
    consts.extend_from_slice(&60_001u32.to_le_bytes());
    consts.extend(big);
    for _ in 0..60_000 {
        consts.extend_from_slice(&[b'r', 0, 0, 0, 0]);
    }
    let mut c = vec![b'c'];
    for i in [1u32, 0, 0, 1, 2, 67] {
        c.extend_from_slice(&i.to_le_bytes());
    }
    c.extend(bytes(&[0x74, 0]));
    c.extend(consts);
    for _ in 0..3 {
        c.extend(small_tuple(&[]));
    }
    c.extend(small_tuple(&[]));
    c.extend(short("f"));
    c.extend(short("f"));
    c.extend_from_slice(&1u32.to_le_bytes());
    c.extend(bytes(b""));
    let (_, code) = read_code(&c).unwrap();
    let strings = code.all_strings();
    assert_eq!(strings.len(), 1000);
}
