//! Model scanner tests on in-test built files: a tiny pickle assembler and a
//! stored-zip writer, so every sample is readable here, not an opaque blob.

use super::*;
use crate::policy::Policy;
use aigis_findings::{FileReport, Verdict};

/// A minimal pickle assembler (protocol 2+ opcodes).
pub struct P(pub Vec<u8>);

impl P {
    pub fn new(proto: u8) -> P {
        P(vec![0x80, proto])
    }
    pub fn global(mut self, m: &str, n: &str) -> P {
        self.0.push(b'c');
        self.0.extend_from_slice(format!("{m}\n{n}\n").as_bytes());
        self
    }
    pub fn str(mut self, s: &str) -> P {
        self.0.push(0x8c);
        self.0.push(u8::try_from(s.len()).expect("short string"));
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    pub fn bytes(mut self, b: &[u8]) -> P {
        self.0.push(b'B');
        self.0
            .extend_from_slice(&u32::try_from(b.len()).expect("fits").to_le_bytes());
        self.0.extend_from_slice(b);
        self
    }
    pub fn int(mut self, i: u8) -> P {
        self.0.extend_from_slice(&[b'K', i]);
        self
    }
    pub fn op(mut self, op: u8) -> P {
        self.0.push(op);
        self
    }
    pub fn tuple1(self) -> P {
        self.op(0x85)
    }
    pub fn reduce(self) -> P {
        self.op(b'R')
    }
    pub fn stop(self) -> Vec<u8> {
        self.op(b'.').0
    }
}

/// `module.name(arg)` as a complete pickle.
pub fn call(m: &str, n: &str, arg: &str) -> Vec<u8> {
    P::new(2).global(m, n).str(arg).tuple1().reduce().stop()
}

/// A PyTorch-style state dict: OrderedDict of `_rebuild_tensor_v2` calls on
/// persistent storages.
pub fn state_dict() -> Vec<u8> {
    let mut p = P::new(2)
        .global("collections", "OrderedDict")
        .op(b')')
        .reduce()
        .op(b'(');
    for (i, key) in ["weight", "bias"].iter().enumerate() {
        p = p
            .str(key)
            .global("torch._utils", "_rebuild_tensor_v2")
            .op(b'(')
            .op(b'(')
            .str("storage")
            .global("torch", "FloatStorage")
            .str(&i.to_string())
            .str("cpu")
            .int(4)
            .op(b't')
            .op(b'Q')
            .int(0)
            .int(4)
            .op(0x85)
            .int(1)
            .op(0x85)
            .op(0x89)
            .global("collections", "OrderedDict")
            .op(b')')
            .reduce()
            .op(b't')
            .reduce();
    }
    p.op(b'u').stop()
}

/// A zip of stored members (enough for PyTorch's layout).
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(members, false)
}

/// A zip whose members are stored, or all deflated.
pub fn zip_with(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in members {
        let offset = u32::try_from(out.len()).expect("small");
        let crc = crc32(data);
        let size = u32::try_from(data.len()).expect("small");
        let (method, body) = if deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(data).expect("deflate");
            (8u16, e.finish().expect("deflate"))
        } else {
            (0u16, data.to_vec())
        };
        let csize = u32::try_from(body.len()).expect("small");
        let name_len = u16::try_from(name.len()).expect("short");
        out.extend_from_slice(b"PK\x03\x04");
        for v in [20u16, 0, method, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        central.extend_from_slice(b"PK\x01\x02");
        for v in [20u16, 20, 0, method, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&csize.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        for v in [0u16, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).expect("small");
    let count = u16::try_from(members.len()).expect("few");
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&u32::try_from(central.len()).expect("small").to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn scan(data: &[u8]) -> FileReport {
    let policy = Policy::new(&[]).expect("policy");
    let o = ModelScanner::new(&policy)
        .scan(data, "t")
        .expect("recognised as a model");
    FileReport::new("t", o.format, o.findings)
}

fn has(r: &FileReport, rule: &str) -> bool {
    r.findings.iter().any(|f| f.rule_id == rule)
}

#[test]
fn os_system_call_is_malicious_with_decoded_evidence() {
    let r = scan(&call("posix", "system", "echo pwned"));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule_id == "AIG101")
        .expect("AIG101");
    let ev = f.evidence.as_deref().unwrap_or("");
    assert!(
        ev.starts_with("REDUCE at 0x") && ev.contains("posix.system('echo pwned')"),
        "{ev}"
    );
    assert!(f.location.offset.is_some());
}

#[test]
fn state_dict_is_clean() {
    let r = scan(&state_dict());
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
    assert!(has(&r, "AIG100"), "pickle format noted");
}

#[test]
fn unknown_callable_is_unapproved_and_unknown_class_weighs_less() {
    let r = scan(&call("mypkg.utils", "make_model", "resnet"));
    assert_eq!(r.verdict, Verdict::Unapproved);
    assert!(has(&r, "AIG103"));
    let newobj = P::new(2)
        .global("mypkg.model", "Net")
        .op(b')')
        .op(0x81)
        .stop();
    let r = scan(&newobj);
    assert_eq!(r.verdict, Verdict::Unapproved);
    assert!(has(&r, "AIG104") && !has(&r, "AIG103"), "{r:#?}");
}

#[test]
fn nested_pickle_in_loads_is_scanned() {
    let inner = call("os", "system", "id");
    let outer = P::new(2)
        .global("pickle", "loads")
        .bytes(&inner)
        .tuple1()
        .reduce()
        .stop();
    let r = scan(&outer);
    let nested = r
        .findings
        .iter()
        .find(|f| {
            f.rule_id == "AIG101"
                && f.evidence
                    .as_deref()
                    .is_some_and(|e| e.contains("os.system"))
        })
        .expect("inner os.system found");
    assert_eq!(nested.location.members.len(), 1, "{:?}", nested.location);
}

#[test]
fn truncated_stream_keeps_what_ran_before_the_break() {
    let mut data = call("os", "system", "id");
    data.pop();
    data.extend_from_slice(&[b'X', 0xff, 0xff]);
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Malicious);
    assert!(has(&r, "AIG120"), "the break is reported too: {r:#?}");
}

#[test]
fn truncated_benign_pickle_is_inconclusive_not_clean() {
    let mut data = state_dict();
    data.truncate(data.len() / 2);
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Inconclusive, "{r:#?}");
}

#[test]
fn pytorch_zip_is_read_by_content() {
    let sd = state_dict();
    let r = scan(&zip(&[
        ("archive/data.pkl", &sd),
        ("archive/data/0", &[0u8; 16]),
        ("archive/version", b"3\n"),
    ]));
    assert_eq!(r.format, "pytorch-zip");
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
    let evil = call("os", "system", "id");
    let r = scan(&zip(&[
        ("archive/data.pkl", &sd),
        ("archive/weights.bin", &evil),
    ]));
    assert_eq!(
        r.verdict,
        Verdict::Malicious,
        "pickle under another name found: {r:#?}"
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.rule_id == "AIG101")
        .expect("AIG101");
    assert_eq!(f.location.members, vec!["archive/weights.bin".to_string()]);
}

#[test]
fn zip_crc_mismatch_is_reported() {
    let sd = state_dict();
    let mut z = zip(&[("archive/data.pkl", &sd)]);
    // Corrupt one byte of the pickle payload's CRC in the central directory.
    let cd = z
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central dir");
    z[cd + 16] ^= 0xff;
    let r = scan(&z);
    assert!(has(&r, "AIG110"), "{r:#?}");
}

#[test]
fn legacy_torch_file_walks_its_five_pickles() {
    let mut f = vec![
        0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, b'.',
    ];
    f.extend(P::new(2).op(b'M').op(0xe9).op(0x03).stop());
    f.extend(P::new(2).op(b'}').stop());
    f.extend(call("os", "system", "id"));
    f.extend(P::new(2).op(b']').stop());
    f.extend_from_slice(&[0x80, 0x02, 0x01, 0x02, 0x03]);
    let r = scan(&f);
    assert_eq!(r.format, "pytorch-legacy");
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
}

#[test]
fn prose_is_not_a_model() {
    let policy = Policy::new(&[]).expect("policy");
    assert!(
        ModelScanner::new(&policy)
            .scan(b"hello world, not a model\n", "t")
            .is_none()
    );
}

/// `getattr(<global m.n>, attr)` pushed as the callee-to-be (no call yet).
fn getattr_of(p: P, m: &str, n: &str, attr: &str) -> P {
    p.global("builtins", "getattr")
        .op(b'(')
        .global(m, n)
        .str(attr)
        .op(b't')
        .reduce()
}

fn rules_of(r: &FileReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn getattr_on_an_allowed_class_is_judged_as_the_dotted_name() {
    // getattr(collections.OrderedDict, 'fromkeys')(('a',)): the dotted name
    // collections.OrderedDict.fromkeys is not on the allowlist, so the call is
    // unapproved (not malicious: getattr only named it).
    let data = getattr_of(P::new(2), "collections", "OrderedDict", "fromkeys")
        .op(b'(')
        .str("a")
        .op(b'l')
        .tuple1()
        .reduce()
        .stop();
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Unapproved, "{r:#?}");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule_id == "AIG103")
        .expect("AIG103");
    assert!(
        f.message.contains("collections.OrderedDict.fromkeys"),
        "{f:#?}"
    );
    assert!(
        f.evidence
            .as_deref()
            .is_some_and(|e| e.contains("calls collections.OrderedDict.fromkeys(['a'])")),
        "{f:#?}"
    );
    assert!(!rules_of(&r).contains(&"AIG101"), "{r:#?}");
    // Trusting the dotted name makes the file clean.
    let policy = Policy::new(&["collections.OrderedDict.fromkeys".into()]).expect("policy");
    let o = ModelScanner::new(&policy).scan(&data, "t").expect("model");
    let r = FileReport::new("t", o.format, o.findings);
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
}

#[test]
fn getattr_reaching_a_gadget_stays_malicious() {
    // getattr(os, 'system')('id') and getattr(<instance>, 'system') on a denied module.
    let data = getattr_of(P::new(2), "os", "system", "x").stop();
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    let data = P::new(2)
        .global("builtins", "getattr")
        .op(b'(')
        .global("builtins", "__import__")
        .str("os")
        .tuple1()
        .reduce()
        .str("system")
        .op(b't')
        .reduce()
        .str("id")
        .tuple1()
        .reduce()
        .stop();
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    let calls = r.findings.iter().filter(|f| f.rule_id == "AIG101").count();
    assert!(calls >= 2, "getattr and __import__ both reported: {r:#?}");
}

#[test]
fn getattr_with_a_private_name_or_a_patched_result_does_not_fold() {
    for attr in ["__globals__", "_private", "a.b"] {
        let data = getattr_of(P::new(2), "collections", "OrderedDict", attr).stop();
        let r = scan(&data);
        assert_eq!(r.verdict, Verdict::Malicious, "{attr}: {r:#?}");
    }
    // BUILD on the folded result patches the attribute's object.
    let data = getattr_of(P::new(2), "collections", "OrderedDict", "fromkeys")
        .op(b'}')
        .op(b'b')
        .stop();
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
}

#[test]
fn getattr_on_an_instance_is_judged_as_the_class_attribute() {
    // getattr(OrderedDict.__new__(OrderedDict), 'keys') -> collections.OrderedDict.keys
    let data = P::new(2)
        .global("builtins", "getattr")
        .op(b'(')
        .global("collections", "OrderedDict")
        .op(b')')
        .op(0x81)
        .str("keys")
        .op(b't')
        .reduce()
        .stop();
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Unapproved, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.message.contains("collections.OrderedDict.keys")),
        "{r:#?}"
    );
}

#[test]
fn partial_of_an_allowed_function_is_clean_and_of_a_gadget_is_not() {
    // functools.partial(collections.OrderedDict) with the usual BUILD state.
    let partial = |m: &str, n: &str| {
        P::new(2)
            .global("functools", "partial")
            .global(m, n)
            .tuple1()
            .reduce()
            .op(b'(')
            .global(m, n)
            .op(b')')
            .op(b'}')
            .op(b'N')
            .op(b't')
            .op(b'b')
            .stop()
    };
    let r = scan(&partial("collections", "OrderedDict"));
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
    let r = scan(&partial("posix", "system"));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    let r = scan(&partial("mypkg", "helper"));
    assert_eq!(r.verdict, Verdict::Unapproved, "{r:#?}");
    assert!(
        rules_of(&r).contains(&"AIG103"),
        "wrapped means called: {r:#?}"
    );
    // partial handed to something else is not folded.
    let data = P::new(2)
        .global("collections", "OrderedDict")
        .global("functools", "partial")
        .tuple1()
        .reduce()
        .stop();
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
}

/// `torch.storage._load_from_bytes(payload)`.
fn load_from_bytes(payload: &[u8]) -> Vec<u8> {
    P::new(2)
        .global("torch.storage", "_load_from_bytes")
        .bytes(payload)
        .tuple1()
        .reduce()
        .stop()
}

#[test]
fn load_from_bytes_is_judged_by_its_payload() {
    let clean = zip(&[
        ("archive/data.pkl", &state_dict()),
        ("archive/data/0", &[0u8; 16]),
        ("archive/version", b"3\n"),
    ]);
    let r = scan(&load_from_bytes(&clean));
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
    let evil = zip(&[("archive/data.pkl", &call("os", "system", "id"))]);
    let r = scan(&load_from_bytes(&evil));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule_id == "AIG101" && f.message.contains("_load_from_bytes")),
        "the loader itself is reported when its payload is not clean: {r:#?}"
    );
    let r = scan(&load_from_bytes(b"not a model at all"));
    assert_ne!(r.verdict, Verdict::Clean, "{r:#?}");
    // pickle.loads is not cleared by a clean payload: writers never emit it.
    let r = scan(
        &P::new(2)
            .global("pickle", "loads")
            .bytes(&state_dict())
            .tuple1()
            .reduce()
            .stop(),
    );
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
}

#[test]
fn mutating_a_global_and_unusual_opcodes_have_their_own_rules() {
    // sys.path.append('/tmp/x')
    let data = P::new(2)
        .global("sys", "path")
        .str("/tmp/x")
        .op(b'a')
        .stop();
    let r = scan(&data);
    assert!(rules_of(&r).contains(&"AIG114"), "{r:#?}");
    assert_eq!(r.verdict, Verdict::Malicious);
    // PROTO in the middle of a stream.
    let data = P::new(2).op(b'}').op(0x80).op(2).stop();
    let r = scan(&data);
    assert!(rules_of(&r).contains(&"AIG115"), "{r:#?}");
    assert!(!rules_of(&r).contains(&"AIG109"), "{r:#?}");
    assert_eq!(r.verdict, Verdict::Clean);
}

#[test]
fn zstd_wrapped_pickle_is_scanned() {
    let z = ruzstd::encoding::compress_to_vec(
        &call("os", "system", "id")[..],
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    let r = scan(&z);
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    let z = ruzstd::encoding::compress_to_vec(
        &state_dict()[..],
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    assert_eq!(scan(&z).verdict, Verdict::Clean);
    // A second frame decodes after the first: its pickle is read too.
    let mut two = z.clone();
    two.extend(ruzstd::encoding::compress_to_vec(
        &call("os", "system", "id")[..],
        ruzstd::encoding::CompressionLevel::Fastest,
    ));
    let r = scan(&two);
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
}

#[test]
fn deflated_member_past_the_ratio_limit_is_a_likely_bomb() {
    // data.pkl: one 40 MiB bytes object of zeros, deflated about 1000:1.
    let mut pkl = b"\x80\x04\x8e".to_vec();
    pkl.extend_from_slice(&(40u64 << 20).to_le_bytes());
    pkl.resize(pkl.len() + (40 << 20), 0);
    pkl.push(b'.');
    let z = zip_with(
        &[("archive/data.pkl", &pkl), ("archive/version", b"3\n")],
        true,
    );
    let r = scan(&z);
    assert_eq!(r.verdict, Verdict::Inconclusive, "{r:#?}");
    assert!(
        r.findings.iter().any(|f| f
            .message
            .contains("compression ratio over the limit of 100:1")),
        "{r:#?}"
    );
    // A user who raises the limit gets the member read to its end.
    let policy = Policy::new(&[]).expect("policy");
    let mut s = ModelScanner::new(&policy);
    s.limits.max_ratio = 2000;
    let o = s.scan(&z, "t").expect("recognised");
    let r = FileReport::new("t", o.format, o.findings);
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
}

fn hdf5_fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../formats/tests/data/hdf5/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn hdf5_model_config_is_judged_and_dense_attributes_are_inconclusive() {
    let policy = Policy::new(&[]).unwrap();
    let s = ModelScanner::new(&policy);
    let v0 = s.scan(&hdf5_fixture("v0.h5"), "v0.h5").unwrap();
    assert_eq!(v0.format, "keras-h5");
    assert!(v0.findings.is_empty(), "{:?}", v0.findings);
    let empty = s.scan(&hdf5_fixture("empty.h5"), "e.h5").unwrap();
    assert_eq!(empty.format, "hdf5");
    // Dense storage is read: a Lambda there is found...
    let r = scan(&hdf5_fixture("dense_lambda.h5"));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    assert!(has(&r, "AIG162"), "{r:#?}");
    // ...and a layout the reader does not follow is inconclusive.
    let r = scan(&hdf5_fixture("dense_deep.h5"));
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(has(&r, "AIG120"));
    let cut = hdf5_fixture("v3.h5");
    let r = scan(&cut[..cut.len() / 2]);
    assert_eq!(r.verdict, Verdict::Inconclusive);
}

fn seven_zip(members: &[(&str, &[u8])], symlink: Option<(&str, &str)>) -> Vec<u8> {
    use sevenz_rust2::{ArchiveEntry, ArchiveWriter};
    let mut w = ArchiveWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
    w.set_encrypt_header(false);
    for (name, data) in members {
        w.push_archive_entry(ArchiveEntry::new_file(name), Some(*data))
            .unwrap();
    }
    if let Some((name, target)) = symlink {
        let mut e = ArchiveEntry::new_file(name);
        e.has_windows_attributes = true;
        e.windows_attributes = 0x8000 | (0o120777 << 16);
        w.push_archive_entry(e, Some(target.as_bytes())).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn seven_zip_members_are_scanned() {
    let bad = call("os", "system", "id");
    let sd = state_dict();
    let z = seven_zip(
        &[("model/weights.pkl", &sd), ("model/evil.pkl", &bad)],
        None,
    );
    let r = scan(&z);
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.location.members == ["model/evil.pkl"])
    );
    let clean = seven_zip(&[("weights.pkl", &sd), ("README", b"hello")], None);
    assert_eq!(scan(&clean).verdict, Verdict::Clean);
    let z = seven_zip(&[("../../x.pkl", &sd)], Some(("link", "/etc/passwd")));
    let r = scan(&z);
    assert!(has(&r, "AIG112"), "{r:#?}");
    assert!(
        r.findings.iter().any(|f| f.message.contains("/etc/passwd")),
        "{r:#?}"
    );
    // Cut short: inconclusive, never clean.
    let r = scan(&clean[..clean.len() - 20]);
    assert_eq!(r.verdict, Verdict::Inconclusive, "{r:#?}");
}
