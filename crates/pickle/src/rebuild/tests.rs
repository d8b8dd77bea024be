//! Every opcode path, every refusal, the limits.

use super::*;

/// A small pickle writer for the tests.
#[derive(Default)]
struct P(Vec<u8>);

impl P {
    fn new() -> Self {
        P(vec![0x80, 2])
    }
    fn raw(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }
    fn s(self, s: &str) -> Self {
        let n = s.len() as u32;
        self.raw(b"X").raw(&n.to_le_bytes()).raw(s.as_bytes())
    }
    fn int(self, i: u8) -> Self {
        self.raw(&[b'K', i])
    }
    fn global(self, m: &str, n: &str) -> Self {
        self.raw(format!("c{m}\n{n}\n").as_bytes())
    }
    /// `_rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), off, size, stride, False, OrderedDict())`.
    fn tensor(self, key: &str, numel: u8, off: u8, size: &[u8], stride: &[u8]) -> Self {
        let mut p = self
            .global("torch._utils", "_rebuild_tensor_v2")
            .raw(b"(")
            .raw(b"(")
            .s("storage")
            .global("torch", "FloatStorage")
            .s(key)
            .s("cpu")
            .int(numel)
            .raw(b"tQ")
            .int(off)
            .raw(b"(");
        for &d in size {
            p = p.int(d);
        }
        p = p.raw(b"t(");
        for &d in stride {
            p = p.int(d);
        }
        p.raw(b"t\x89")
            .global("collections", "OrderedDict")
            .raw(b")R")
            .raw(b"tR")
    }
    fn stop(self) -> Vec<u8> {
        self.raw(b".").0
    }
}

fn ok(data: &[u8]) -> Rebuilt {
    rebuild(data, &Limits::default()).unwrap_or_else(|e| panic!("refused: {e}"))
}

fn refused(data: &[u8]) -> Refusal {
    rebuild(data, &Limits::default()).expect_err("should be refused")
}

fn root_dict(r: &Rebuilt) -> &Dict {
    match r.root {
        Value::Obj(id) => match r.get(id) {
            Some(Object::Dict(d)) => d,
            other => panic!("root is {other:?}"),
        },
        other => panic!("root is {other:?}"),
    }
}

fn tensor<'a>(r: &'a Rebuilt, v: &Value) -> &'a Tensor {
    match v {
        Value::Obj(id) => match r.get(*id) {
            Some(Object::Tensor(t)) => t,
            other => panic!("not a tensor: {other:?}"),
        },
        other => panic!("not a tensor: {other:?}"),
    }
}

#[test]
fn state_dict_with_metadata_build() {
    let data = P::new()
        .global("collections", "OrderedDict")
        .raw(b")R")
        .raw(b"q\x00(")
        .s("w")
        .tensor("0", 6, 0, &[2, 3], &[3, 1])
        .s("b")
        .tensor("1", 2, 0, &[2], &[1])
        .raw(b"u}(")
        .s("_metadata")
        .global("collections", "OrderedDict")
        .raw(b")Rub")
        .stop();
    let r = ok(&data);
    assert_eq!(r.end, data.len() as u64);
    assert_eq!(r.protocol, 2);
    let d = root_dict(&r);
    assert!(d.ordered);
    assert_eq!(d.attributes_dropped, 1);
    assert_eq!(d.entries.len(), 2);
    let w = tensor(&r, &d.entries[0].1);
    assert_eq!((w.size.clone(), w.stride.clone()), (vec![2, 3], vec![3, 1]));
    let Some(Object::Storage(s)) = r.get(w.storage) else {
        panic!()
    };
    assert_eq!(
        (s.dtype, s.key.as_str(), s.location.as_str(), s.numel),
        (StorageDtype::F32, "0", "cpu", 6)
    );
}

#[test]
fn scalars_strings_and_containers() {
    let data = P::new()
        .raw(b"}q\x01(")
        .s("n")
        .raw(b"N")
        .s("t")
        .raw(b"\x88")
        .s("f")
        .raw(b"\x89")
        .s("i4")
        .raw(b"J\xff\xff\xff\xff")
        .s("i2")
        .raw(b"M\x01\x01")
        .s("long1")
        .raw(b"\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19")
        .s("long4")
        .raw(b"\x8b\x01\x00\x00\x00\xff")
        .s("float")
        .raw(b"G\x3f\xf8\x00\x00\x00\x00\x00\x00")
        .s("tfloat")
        .raw(b"F2.5\n")
        .s("tint")
        .raw(b"I-7\n")
        .s("tbool")
        .raw(b"I01\n")
        .s("tlong")
        .raw(b"L12L\n")
        .s("short")
        .raw(b"\x8c\x02hi")
        .s("u8")
        .raw(b"\x8d\x01\x00\x00\x00\x00\x00\x00\x00x")
        .s("py2")
        .raw(b"U\x02ab")
        .s("py2long")
        .raw(b"T\x01\x00\x00\x00c")
        .s("bytes")
        .raw(b"C\x01\x00")
        .s("bytes4")
        .raw(b"B\x01\x00\x00\x00\x01")
        .s("bytes8")
        .raw(b"\x8e\x00\x00\x00\x00\x00\x00\x00\x00")
        .s("tuples")
        .raw(b")K\x01\x85K\x01K\x02\x86K\x01K\x02K\x03\x87(K\x04t")
        .raw(b"(K\x05K\x06t\x86\x86\x86\x86\x86")
        .s("list")
        .raw(b"]K\x01a(K\x02K\x03e")
        .s("list2")
        .raw(b"(K\x01l")
        .s("dict")
        .raw(b"(X\x01\x00\x00\x00kK\x01d")
        .s("dict2")
        .raw(b"}K\x07K\x08s")
        .s("memo")
        .raw(b"h\x01")
        .s("memo4")
        .raw(b"r\x05\x00\x00\x00j\x05\x00\x00\x00")
        .s("memotext")
        .raw(b"p9\ng9\n")
        .s("memoize")
        .raw(b"\x95\x00\x00\x00\x00\x00\x00\x00\x00K\x09\x94")
        .s("dev")
        .global("torch", "device")
        .raw(b"X\x04\x00\x00\x00cudaK\x00\x86R")
        .s("dtype")
        .raw(b"\x8c\x05torch\x8c\x07float16\x93")
        .raw(b"u")
        .stop();
    let r = ok(&data);
    let d = root_dict(&r);
    let get = |k: &str| {
        d.entries
            .iter()
            .find(|(key, _)| *key == Key::Str(k.into()))
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no {k}"))
    };
    assert_eq!(get("n"), Value::None);
    assert_eq!(get("t"), Value::Bool(true));
    assert_eq!(get("i4"), Value::Int(-1));
    assert_eq!(get("i2"), Value::Int(257));
    assert_eq!(get("long1"), Value::Int(0x1950a86a20f9469cfc6c));
    assert_eq!(get("long4"), Value::Int(-1));
    assert_eq!(get("float"), Value::Float(1.5));
    assert_eq!(get("tfloat"), Value::Float(2.5));
    assert_eq!(get("tint"), Value::Int(-7));
    assert_eq!(get("tbool"), Value::Bool(true));
    assert_eq!(get("tlong"), Value::Int(12));
    // The dict memoized at 1 is the root itself.
    assert_eq!(get("memo"), r.root);
    assert_eq!(get("memoize"), Value::Int(9));
    let obj = |k: &str| match get(k) {
        Value::Obj(id) => r.get(id).cloned().unwrap(),
        v => panic!("{k} is {v:?}"),
    };
    assert_eq!(obj("py2"), Object::Str("ab".into()));
    assert_eq!(obj("bytes8"), Object::Bytes(vec![]));
    assert_eq!(obj("dev"), Object::Device("cuda:0".into()));
    assert_eq!(
        obj("dtype"),
        Object::Global(Global::Dtype(StorageDtype::F16))
    );
    assert!(matches!(obj("list"), Object::List(l) if l.len() == 3));
    assert!(
        matches!(obj("dict2"), Object::Dict(d) if d.entries == vec![(Key::Int(7), Value::Int(8))])
    );
}

#[test]
fn shared_storage_and_parameters() {
    let data = P::new()
        .raw(b"}(")
        .s("a")
        .global("torch._utils", "_rebuild_parameter")
        .tensor("0", 12, 0, &[3, 2], &[1, 3])
        .raw(b"\x88")
        .global("collections", "OrderedDict")
        .raw(b")R\x87R")
        .s("b")
        .tensor("0", 12, 6, &[6], &[1])
        .raw(b"u")
        .stop();
    let r = ok(&data);
    let d = root_dict(&r);
    let a = tensor(&r, &d.entries[0].1);
    let b = tensor(&r, &d.entries[1].1);
    assert!(a.requires_grad);
    assert_eq!(a.stride, vec![1, 3]);
    assert_eq!(b.offset, 6);
}

#[test]
fn refusals_name_the_cause() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            P::new().global("os", "system").stop(),
            "global os.system is not an allowlisted tensor rebuild",
        ),
        (
            P::new().global("torch", "ComplexFloatStorage").stop(),
            "global torch.ComplexFloatStorage",
        ),
        (
            P::new().raw(b"c__builtin__\neval\n").stop(),
            "__builtin__.eval",
        ),
        (
            P::new().raw(b"\x8c\x02os\x8c\x06system\x93").stop(),
            "os.system",
        ),
        (
            P::new().raw(b"K\x01K\x02\x93").stop(),
            "STACK_GLOBAL name is not a str",
        ),
        (P::new().raw(b"(K\x01i").stop(), "opcode INST"),
        (P::new().raw(b"\x8f").stop(), "opcode EMPTY_SET"),
        (P::new().raw(b"K\x010").stop(), "opcode POP"),
        (P::new().raw(b"\x82\x01").stop(), "opcode EXT1"),
        (P::new().raw(b"\xff").stop(), "unknown opcode 0xff"),
        (P::new().raw(b"K\x01)R").stop(), "REDUCE calls a scalar"),
        (P::new().raw(b")))R").stop(), "REDUCE calls a tuple"),
        (
            P::new().global("torch", "FloatStorage").raw(b")R").stop(),
            "not callable here",
        ),
        (
            P::new().global("torch", "device").raw(b")\x81").stop(),
            "NEWOBJ constructs torch.device",
        ),
        (P::new().raw(b"]}b").stop(), "BUILD on a list"),
        (P::new().raw(b"}}b").stop(), "BUILD on a dict"),
        (
            P::new()
                .global("collections", "OrderedDict")
                .raw(b")R]b")
                .stop(),
            "BUILD with a list state",
        ),
        (
            P::new().s("module").raw(b"\x85Q").stop(),
            "persistent id is not a 5-tuple",
        ),
        (
            P::new()
                .s("storage")
                .global("torch", "FloatStorage")
                .s("0")
                .s("cpu")
                .int(1)
                .s("view")
                .raw(b"\x86\x86\x86\x86\x86Q")
                .stop(),
            "persistent id is not a 5-tuple",
        ),
        (
            P::new()
                .raw(b"(")
                .s("storage")
                .global("collections", "OrderedDict")
                .s("0")
                .s("cpu")
                .int(1)
                .raw(b"tQ")
                .stop(),
            "names no allowlisted storage class",
        ),
        (
            P::new()
                .global("torch._utils", "_rebuild_tensor_v2")
                .raw(b"(K\x00K\x00)))\x89}tR")
                .stop(),
            "tensor storage is not a storage",
        ),
        (P::new().raw(b"}]K\x01s").stop(), "dict key that is not"),
        (P::new().raw(b"]K\x01K\x02s").stop(), "not a dict"),
        (P::new().raw(b"}K\x01a").stop(), "not a list"),
        (P::new().raw(b"h\x07").stop(), "memo key 7 was never put"),
        (P::new().raw(b"t").stop(), "could not find MARK"),
        (P::new().raw(b"(\x85").stop(), "stack underflow"),
        (P::new().raw(b"\x8a\x11").stop(), "wider than 128 bits"),
        (
            P::new().raw(b"X\x02\x00\x00\x00\xff\xfe").stop(),
            "not valid UTF-8",
        ),
        (P::new().raw(b"X\x09\x00\x00\x00ab").0, "truncated"),
        (
            P::new().raw(b"\x95\xff\x00\x00\x00\x00\x00\x00\x00").stop(),
            "truncated",
        ),
        (
            P::new().raw(b"I99999999999999999999999\n").stop(),
            "wider than 64 bits",
        ),
        (vec![0x80, 9], "unsupported pickle protocol"),
        (P::new().raw(b"N").0, "truncated"),
    ];
    for (data, want) in cases {
        let e = refused(&data).to_string();
        assert!(e.contains(want), "{e:?} should contain {want:?}");
    }
}

#[test]
fn tensor_argument_checks() {
    let hooks = P::new()
        .global("torch._utils", "_rebuild_tensor_v2")
        .raw(b"(")
        .raw(b"(")
        .s("storage")
        .global("torch", "FloatStorage")
        .s("0")
        .s("cpu")
        .int(1)
        .raw(b"tQK\x00(K\x01t(K\x01t\x89}K\x01K\x02stR")
        .stop();
    assert!(refused(&hooks).to_string().contains("backward hooks"));
    let negative_stride = P::new()
        .global("torch._utils", "_rebuild_tensor")
        .raw(b"(")
        .raw(b"(")
        .s("storage")
        .global("torch", "FloatStorage")
        .s("0")
        .s("cpu")
        .int(1)
        .raw(b"tQK\x00(K\x01t(J\xff\xff\xff\xfftt")
        .raw(b"R")
        .stop();
    assert!(
        refused(&negative_stride)
            .to_string()
            .contains("negative tensor stride")
    );
}

#[test]
fn offset_points_at_the_opcode() {
    let data = P::new().raw(b"N").global("os", "system").stop();
    assert_eq!(refused(&data).offset, 3);
}

#[test]
fn limits_are_enforced() {
    let many = P::new().raw(&b"]".repeat(10)).stop();
    let lim = Limits {
        max_objects: 5,
        ..Limits::default()
    };
    assert_eq!(
        rebuild(&many, &lim).unwrap_err().reason,
        Reason::LimitExceeded("max_objects")
    );
    let lim = Limits {
        max_stack: 4,
        ..Limits::default()
    };
    assert_eq!(
        rebuild(&many, &lim).unwrap_err().reason,
        Reason::LimitExceeded("max_stack")
    );
    let lim = Limits {
        max_opcodes: 3,
        ..Limits::default()
    };
    assert_eq!(
        rebuild(&many, &lim).unwrap_err().reason,
        Reason::LimitExceeded("max_opcodes")
    );
    let list = P::new().raw(b"](").raw(&b"N".repeat(20)).raw(b"e").stop();
    let lim = Limits {
        max_elements: 10,
        ..Limits::default()
    };
    assert_eq!(
        rebuild(&list, &lim).unwrap_err().reason,
        Reason::LimitExceeded("max_elements")
    );
    let text = P::new().s(&"x".repeat(100)).stop();
    let lim = Limits {
        max_text_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(
        rebuild(&text, &lim).unwrap_err().reason,
        Reason::LimitExceeded("max_text_bytes")
    );
    let memo = P::new().raw(b"Nq\x00q\x01q\x02").stop();
    let lim = Limits {
        max_memo: 2,
        ..Limits::default()
    };
    assert_eq!(
        rebuild(&memo, &lim).unwrap_err().reason,
        Reason::LimitExceeded("max_memo")
    );
}

#[test]
fn cycles_and_sharing_cost_nothing() {
    // A list appended to itself, and a dict holding itself: no recursion anywhere.
    let data = P::new()
        .raw(b"]q\x00h\x00a}q\x01K\x01h\x01sh\x01\x86")
        .stop();
    let r = ok(&data);
    assert_eq!(r.objects.len(), 3);
}
