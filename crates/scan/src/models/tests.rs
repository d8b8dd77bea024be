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
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in members {
        let offset = u32::try_from(out.len()).expect("small");
        let crc = crc32(data);
        let size = u32::try_from(data.len()).expect("small");
        let name_len = u16::try_from(name.len()).expect("short");
        out.extend_from_slice(b"PK\x03\x04");
        for v in [20u16, 0, 0, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        for v in [20u16, 20, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
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
