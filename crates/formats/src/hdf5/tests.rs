use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/hdf5/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const CONFIG: &[u8] = br#"{"class_name": "Sequential", "config": {"name": "s"}}"#;

fn strings(root: &Root, name: &str) -> Vec<Vec<u8>> {
    match &root.get(name).unwrap_or_else(|| panic!("no {name}")).value {
        Value::Strings(s) => s.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn check_common(root: &Root) {
    assert_eq!(
        root.get("model_config")
            .and_then(|a| a.value.as_single_string()),
        Some(CONFIG)
    );
    assert_eq!(strings(root, "fixed"), vec![b"fixed-str".to_vec()]);
    assert_eq!(
        strings(root, "names"),
        vec![b"layer_a".to_vec(), b"layer_b".to_vec()]
    );
    assert!(matches!(
        root.get("number").map(|a| &a.value),
        Some(Value::Other {
            class: 1,
            size: 4,
            elements: 1
        })
    ));
}

#[test]
fn superblock_v0_written_by_h5py() {
    let root = read_root(&fixture("v0.h5")).unwrap();
    assert_eq!(root.superblock_version, 0);
    check_common(&root);
    assert!(!root.dense_read && root.dense_unread.is_none());
}

#[test]
fn superblock_v3_with_ohdr_headers() {
    let root = read_root(&fixture("v3.h5")).unwrap();
    assert_eq!(root.superblock_version, 3);
    check_common(&root);
}

#[test]
fn user_block_before_the_superblock() {
    let data = fixture("userblock.h5");
    assert_eq!(find_superblock(&data), Some(512));
    let root = read_root(&data).unwrap();
    assert_eq!(root.superblock_offset, 512);
    check_common(&root);
}

#[test]
fn continuation_chunks_are_followed() {
    let root = read_root(&fixture("continuation.h5")).unwrap();
    check_common(&root);
    assert_eq!(strings(&root, "a0"), vec![b"first".to_vec()]);
    assert_eq!(strings(&root, "a5"), vec![vec![b'x'; 300]]);
    let root = read_root(&fixture("continuation_v3.h5")).unwrap();
    assert_eq!(root.attributes.len(), 8);
    assert_eq!(strings(&root, "a7"), vec![vec![b'y'; 200]]);
}

#[test]
fn dense_storage_is_read_through_the_name_index_and_fractal_heap() {
    let root = read_root(&fixture("dense.h5")).unwrap();
    assert!(root.dense_read, "{root:?}");
    assert_eq!(root.dense_unread, None);
    assert_eq!(root.attributes.len(), 13);
    assert_eq!(
        root.get("model_config")
            .and_then(|a| a.value.as_single_string()),
        Some(CONFIG)
    );
    assert_eq!(strings(&root, "a11"), vec![b"v".to_vec()]);
}

#[test]
fn every_truncation_is_an_error_or_a_partial_read() {
    for name in [
        "v0.h5",
        "v3.h5",
        "userblock.h5",
        "continuation.h5",
        "continuation_v3.h5",
        "dense.h5",
        "dense_indirect.h5",
    ] {
        let data = fixture(name);
        for n in 0..data.len() {
            let _ = read_root(data.get(..n).unwrap());
        }
    }
}

#[test]
fn flipped_bytes_never_panic() {
    // Every byte of the headers set to values that stress lengths and offsets.
    for name in ["v0.h5", "v3.h5", "continuation.h5", "dense.h5"] {
        let data = fixture(name);
        for i in 0..data.len().min(4096) {
            for v in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut d = data.clone();
                d[i] = v;
                let _ = read_root(&d);
            }
        }
    }
}

#[test]
fn not_hdf5() {
    assert_eq!(read_root(b"PK\x03\x04"), Err(Error::NoSignature));
    assert!(!looks_like(&[0u8; 2048]));
}

#[test]
fn a_continuation_loop_is_malformed() {
    // A v1 root header whose only message continues into itself.
    let mut f = vec![0u8; 256];
    f[..8].copy_from_slice(SIGNATURE);
    f[13] = 8; // offsets
    f[14] = 8; // lengths
    // root symbol table entry at 24 + 4*8 = 56: link name offset, header address.
    f[64..72].copy_from_slice(&128u64.to_le_bytes());
    // Object header v1 at 128: version 1, 1 message, size 24.
    f[128] = 1;
    f[130] = 1;
    f[136..140].copy_from_slice(&24u32.to_le_bytes());
    // Continuation message (type 0x10, 16 bytes) at 144 pointing at 144.
    f[144] = 0x10;
    f[146] = 16;
    f[152..160].copy_from_slice(&144u64.to_le_bytes());
    f[160..168].copy_from_slice(&24u64.to_le_bytes());
    let e = read_root(&f).unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e}");
}

#[test]
fn dense_storage_with_a_root_indirect_block() {
    let root = read_root(&fixture("dense_indirect.h5")).unwrap();
    assert!(root.dense_read, "{:?}", root.dense_unread);
    assert_eq!(root.attributes.len(), 21);
    assert_eq!(
        root.get("model_config")
            .and_then(|a| a.value.as_single_string()),
        Some(CONFIG)
    );
    assert_eq!(strings(&root, "a19"), vec![vec![b'z'; 1000]]);
}

#[test]
fn a_deeper_name_index_is_reported_unread() {
    let root = read_root(&fixture("dense_deep.h5")).unwrap();
    assert!(!root.dense_read);
    let why = root.dense_unread.expect("not read");
    assert!(why.contains("deeper"), "{why}");
}
