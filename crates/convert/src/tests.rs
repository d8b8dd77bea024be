//! Views, names and limits, on hand-built inputs (the end-to-end fixtures
//! are in samples/convert_cases.py, run by the CLI tests).

use super::*;

fn entry(shape: &[u64], strides: &[u64], offset: u64, dtype: Dtype, swap: bool) -> Entry {
    Entry {
        name: "t".into(),
        view: View {
            storage: 0,
            dtype,
            offset,
            shape: shape.to_vec(),
            strides: strides.to_vec(),
            swap,
        },
    }
}

fn written(e: &Entry, storage: &[u8]) -> Vec<u8> {
    layout::check(e, storage.len() as u64).expect("fits");
    let mut out = Vec::new();
    layout::write_view(e, storage, &mut out).expect("writes");
    out
}

#[test]
fn strided_views_are_materialised_row_major() {
    let storage: Vec<u8> = (0..12).collect();
    // A 3x4 u8 matrix transposed: 4x3 with strides (1, 4).
    let t = written(&entry(&[4, 3], &[1, 4], 0, Dtype::U8, false), &storage);
    assert_eq!(t, vec![0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    // Every other element from offset 1, and a broadcast (stride 0) row.
    let s = written(&entry(&[2, 3], &[6, 2], 1, Dtype::U8, false), &storage);
    assert_eq!(s, vec![1, 3, 5, 7, 9, 11]);
    let b = written(&entry(&[2, 2], &[0, 1], 2, Dtype::U8, false), &storage);
    assert_eq!(b, vec![2, 3, 2, 3]);
    // A scalar and an empty tensor.
    assert_eq!(
        written(&entry(&[], &[], 5, Dtype::U8, false), &storage),
        vec![5]
    );
    assert!(written(&entry(&[0, 9], &[9, 1], 99, Dtype::U8, false), &storage).is_empty());
}

#[test]
fn big_endian_elements_are_swapped() {
    let storage = [0x00, 0x01, 0x00, 0x02, 0x00, 0x03];
    let c = written(&entry(&[3], &[1], 0, Dtype::I16, true), &storage);
    assert_eq!(c, vec![0x01, 0x00, 0x02, 0x00, 0x03, 0x00]);
    let s = written(&entry(&[2], &[2], 0, Dtype::I16, true), &storage);
    assert_eq!(s, vec![0x01, 0x00, 0x03, 0x00]);
}

#[test]
fn views_outside_their_storage_are_refused() {
    let cases = [
        (entry(&[4], &[1], 1, Dtype::F32, false), "reaches byte 20"),
        (
            entry(&[2, 2], &[u64::MAX, 1], 0, Dtype::U8, false),
            "overflows",
        ),
        (
            entry(&[u64::MAX, 2], &[1, 1], 0, Dtype::U8, false),
            "overflows",
        ),
        (entry(&[1 << 62], &[1], 0, Dtype::F64, false), "overflows"),
        (
            entry(&[2], &[1, 1], 0, Dtype::U8, false),
            "differ in length",
        ),
    ];
    for (e, want) in cases {
        let err = layout::check(&e, 16).expect_err("refused").to_string();
        assert!(err.contains(want), "{err} should contain {want}");
    }
}

/// A protocol 2 pickle of `{k: v, ...}` where values are ints or nested pickles.
fn dict(items: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut p = b"}(".to_vec();
    for (k, v) in items {
        p.push(b'X');
        p.extend_from_slice(&(k.len() as u32).to_le_bytes());
        p.extend_from_slice(k.as_bytes());
        p.extend_from_slice(v);
    }
    p.push(b'u');
    p
}

fn flat(body: &[u8]) -> Result<flatten::Flat, ConvertError> {
    let mut data = vec![0x80, 2];
    data.extend_from_slice(body);
    data.push(b'.');
    let r = aigis_pickle::rebuild::rebuild(&data, &Default::default()).expect("rebuilds");
    flatten::flatten(&r, "tensor", &Limits::default())
}

#[test]
fn names_join_with_dots_and_collisions_refuse() {
    let f = flat(&dict(&[
        ("epoch", b"K\x03".to_vec()),
        ("opt", dict(&[("lr", b"G\x3f\xe0\0\0\0\0\0\0".to_vec())])),
        ("ids", b"(K\x01K\x02l".to_vec()),
        ("none", b"]".to_vec()),
    ]))
    .unwrap();
    let meta: Vec<_> = f.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(meta, ["epoch=3", "ids.0=1", "ids.1=2", "opt.lr=0.5"]);
    assert_eq!(
        f.skipped,
        vec![("none".to_string(), "an empty container".to_string())]
    );
    let clash = flat(&dict(&[
        ("a.b", b"K\x01".to_vec()),
        ("a", dict(&[("b", b"K\x02".to_vec())])),
    ]));
    assert!(matches!(clash, Err(ConvertError::DuplicateName(n)) if n == "a.b"));
}

#[test]
fn cycles_and_deep_nesting_hit_limits() {
    // A list that contains itself.
    let cyclic = flat(b"]q\x00h\x00a");
    assert!(matches!(
        cyclic,
        Err(ConvertError::LimitExceeded("max_depth"))
    ));
    // Doubling sharing: each list holds the previous one twice.
    let mut body = b"]".to_vec();
    for _ in 0..40 {
        body.extend_from_slice(b"q\x00h\x00h\x00\x86");
    }
    assert!(matches!(
        flat(&body),
        Err(ConvertError::LimitExceeded("max_walk"))
    ));
}

#[test]
fn unrecognised_inputs_and_empty_checkpoints() {
    assert!(matches!(
        plan(b"hello", &Options::default()),
        Err(ConvertError::Unrecognised)
    ));
    assert!(!ConvertError::Unrecognised.is_refusal());
    // A legacy magic number with nothing after it.
    let magic = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";
    let e = plan(magic, &Options::default()).expect_err("refused");
    assert!(e.is_refusal(), "{e}");
    // A dict with no tensors.
    let mut npz_less = vec![0x80, 2];
    npz_less.extend_from_slice(&dict(&[("a", b"K\x01".to_vec())]));
    let e = plan(&npz_less, &Options::default()).expect_err("not a checkpoint");
    assert!(matches!(e, ConvertError::Unrecognised));
}

/// A legacy checkpoint of one bare tensor over storage "0" (f32 values),
/// declaring `numel` elements and storing `count` in the size prefix.
fn legacy(size: &[u32], stride: &[u32], values: &[f32], numel: u8, count: i64) -> Vec<u8> {
    let mut out = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.".to_vec();
    out.extend_from_slice(b"\x80\x02M\xe9\x03.");
    out.extend_from_slice(b"\x80\x02}X\x0d\x00\x00\x00little_endian\x88s.");
    let mut p = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage".to_vec();
    p.extend_from_slice(b"ctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK");
    p.extend_from_slice(&[numel]);
    p.extend_from_slice(b"NtQK\x00(");
    for d in size {
        p.push(b'J');
        p.extend_from_slice(&d.to_le_bytes());
    }
    p.extend_from_slice(b"t(");
    for s in stride {
        p.push(b'J');
        p.extend_from_slice(&s.to_le_bytes());
    }
    p.extend_from_slice(b"t\x89ccollections\nOrderedDict\n)RtR.");
    out.extend_from_slice(&p);
    out.extend_from_slice(b"\x80\x02]X\x01\x00\x00\x000a.");
    out.extend_from_slice(&count.to_le_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[test]
fn legacy_bare_tensor_converts() {
    let data = legacy(&[2, 2], &[1, 2], &[1.0, 2.0, 3.0, 4.0], 4, 4);
    let p = plan(&data, &Options::default()).expect("converts");
    assert_eq!(p.format, "pytorch-legacy");
    assert_eq!(p.tensors.len(), 1);
    assert_eq!(p.tensors[0].name, "tensor");
    let mut out = Vec::new();
    let n = p.write(&mut out).unwrap();
    assert_eq!(n, out.len() as u64);
    let h = aigis_formats::safetensors::parse(&out).unwrap();
    assert!(h.anomalies.is_empty(), "{:?}", h.anomalies);
    let want: Vec<u8> = [1.0f32, 3.0, 2.0, 4.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert_eq!(&out[out.len() - 16..], &want[..]);
}

#[test]
fn legacy_storage_size_must_match() {
    let data = legacy(&[2], &[1], &[1.0, 2.0], 2, 3);
    let e = plan(&data, &Options::default())
        .expect_err("refused")
        .to_string();
    assert!(e.contains("holds 3 elements, the pickle declares 2"), "{e}");
    let cut = legacy(&[2], &[1], &[1.0], 2, 2);
    let e = plan(&cut, &Options::default())
        .expect_err("refused")
        .to_string();
    assert!(e.contains("ends inside its data"), "{e}");
}

#[test]
fn broadcast_views_cannot_blow_up_the_output() {
    // One element viewed as a 2^20 x 2^10 matrix with zero strides: 4 GiB.
    let data = legacy(&[1 << 20, 1 << 10], &[0, 0], &[1.0], 1, 1);
    let e = plan(&data, &Options::default()).expect_err("refused");
    assert!(
        matches!(e, ConvertError::LimitExceeded("max_expansion")),
        "{e}"
    );
    // A small broadcast is fine and materialised.
    let data = legacy(&[3], &[0], &[2.5], 1, 1);
    let p = plan(&data, &Options::default()).expect("converts");
    let mut out = Vec::new();
    p.write(&mut out).unwrap();
    assert_eq!(&out[out.len() - 12..], &2.5f32.to_le_bytes().repeat(3)[..]);
}

/// Regression (fuzz): a descr starting with a multi-byte character was split
/// inside it.
#[test]
fn npy_descr_with_non_ascii_first_character_is_refused() {
    let header = "{'descr': '\u{bb}g8', 'fortran_order': False, 'shape': (1,), }";
    let mut data = b"\x93NUMPY\x03\x00".to_vec();
    let mut text = header.as_bytes().to_vec();
    while !(12 + text.len() + 1).is_multiple_of(64) {
        text.push(b' ');
    }
    text.push(b'\n');
    data.extend_from_slice(&(text.len() as u32).to_le_bytes());
    data.extend_from_slice(&text);
    data.extend_from_slice(&[0; 8]);
    let e = plan(&data, &Options::default()).expect_err("refused");
    assert!(e.is_refusal(), "{e}");
}
