//! Known-answer vectors (read from docs/model-encryption.md, so the document
//! and the code cannot drift), round trips, and every tamper case.

use super::engine::encrypt_with;
use super::format::{self, HEADER_LEN, TAG_LEN};
use super::*;
use proptest::prelude::*;

const DOC: &str = include_str!("../../../../docs/model-encryption.md");

fn key(byte0: u8) -> MasterKey {
    let mut k = Zeroizing::new([0u8; 32]);
    for (i, b) in k.iter_mut().enumerate() {
        *b = byte0.wrapping_add(i as u8);
    }
    MasterKey::new(k)
}

fn opts(segment_size: u32) -> CryptOptions {
    CryptOptions {
        segment_size,
        segments_in_flight: 3,
        overwrite: false,
    }
}

fn encrypt(plain: &[u8], k: &MasterKey, seg: u32) -> Vec<u8> {
    let mut out = Vec::new();
    encrypt_to(&mut &plain[..], plain.len() as u64, &mut out, k, &opts(seg)).unwrap();
    out
}

fn decrypt(ct: &[u8], k: &MasterKey) -> Result<Vec<u8>, CryptError> {
    let mut out = Vec::new();
    decrypt_bytes(ct, &mut out, k, &opts(16)).map(|_| out)
}

/// One vector block of the document: `name: hex` lines, values may wrap.
fn doc_vectors() -> Vec<std::collections::BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut cur: Option<std::collections::BTreeMap<String, String>> = None;
    let mut last_key = String::new();
    for line in DOC.lines() {
        let line = line.trim();
        if line == "```vector" {
            cur = Some(Default::default());
        } else if line == "```" {
            if let Some(v) = cur.take() {
                out.push(v);
            }
        } else if let Some(v) = cur.as_mut() {
            match line.split_once(':') {
                Some((k, val)) => {
                    last_key = k.trim().to_string();
                    v.insert(last_key.clone(), val.trim().to_string());
                }
                None => v.entry(last_key.clone()).or_default().push_str(line),
            }
        }
    }
    out
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

#[test]
fn known_answer_vectors_in_the_document_match_the_code() {
    let vectors = doc_vectors();
    assert_eq!(vectors.len(), 4, "the document has four vectors");
    for v in vectors {
        let name = &v["name"];
        let mk: [u8; 32] = unhex(&v["master_key"]).try_into().unwrap();
        let k = MasterKey::new(Zeroizing::new(mk));
        let salt: [u8; 32] = unhex(&v["salt"]).try_into().unwrap();
        let prefix: [u8; 7] = unhex(&v["nonce_prefix"]).try_into().unwrap();
        let seg: u32 = v["segment_size"].parse().unwrap();
        let plain = unhex(&v["plaintext"]);
        let ct = unhex(&v["ciphertext"]);
        assert_eq!(hex::encode(k.key_id()), v["key_id"], "{name}: key id");
        let okm = format::derive(&k, &salt);
        assert_eq!(hex::encode(&okm[..32]), v["aes_key"], "{name}: AES key");
        assert_eq!(hex::encode(&okm[32..]), v["mac_key"], "{name}: MAC key");
        let mut out = Vec::new();
        encrypt_with(
            &mut &plain[..],
            plain.len() as u64,
            &mut out,
            &k,
            &opts(seg),
            salt,
            prefix,
        )
        .unwrap();
        assert_eq!(hex::encode(&out), hex::encode(&ct), "{name}: ciphertext");
        assert_eq!(
            hex::encode(&ct[..HEADER_LEN]),
            v["header"],
            "{name}: header"
        );
        assert_eq!(decrypt(&ct, &k).unwrap(), plain, "{name}: decrypts");
    }
}

/// Prints the vectors for the document: `cargo test -p aigis-integrity
/// print_vectors -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_vectors() {
    let k = key(0);
    let salt: [u8; 32] = std::array::from_fn(|i| 0x20 + i as u8);
    let prefix: [u8; 7] = std::array::from_fn(|i| 0xa0 + i as u8);
    let cases: [(&str, u32, Vec<u8>); 4] = [
        ("empty", 16, vec![]),
        ("one-full-segment", 16, b"0123456789abcdef".to_vec()),
        ("three-segments", 16, (0u8..40).collect()),
        (
            "default-segment-size",
            format::DEFAULT_SEGMENT_SIZE,
            b"model weights".to_vec(),
        ),
    ];
    for (name, seg, plain) in cases {
        let mut out = Vec::new();
        encrypt_with(
            &mut &plain[..],
            plain.len() as u64,
            &mut out,
            &k,
            &opts(seg),
            salt,
            prefix,
        )
        .unwrap();
        let okm = format::derive(&k, &salt);
        println!(
            "```vector\nname: {name}\nmaster_key: {}\nsalt: {}\nnonce_prefix: {}\nsegment_size: {seg}\nplaintext: {}\nkey_id: {}\naes_key: {}\nmac_key: {}",
            hex::encode(k.bytes()),
            hex::encode(salt),
            hex::encode(prefix),
            hex::encode(&plain),
            hex::encode(k.key_id()),
            hex::encode(&okm[..32]),
            hex::encode(&okm[32..])
        );
        let h = hex::encode(&out);
        println!("header: {}", &h[..HEADER_LEN * 2]);
        println!("ciphertext:");
        for chunk in h.as_bytes().chunks(64) {
            println!("  {}", std::str::from_utf8(chunk).unwrap());
        }
        println!("```\n");
    }
}

#[test]
fn sizes_around_segment_boundaries_round_trip() {
    let k = key(1);
    for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 16 * 7, 16 * 7 + 1, 1000] {
        let plain: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        let ct = encrypt(&plain, &k, 16);
        let segments = len.div_ceil(16).max(1);
        assert_eq!(ct.len(), HEADER_LEN + len + TAG_LEN * segments);
        assert_eq!(decrypt(&ct, &k).unwrap(), plain, "len {len}");
    }
}

#[test]
fn wrong_key_is_named_as_such() {
    let ct = encrypt(b"secret weights", &key(1), 16);
    assert!(matches!(
        decrypt(&ct, &key(2)),
        Err(CryptError::WrongKey { .. })
    ));
}

#[test]
fn every_header_edit_is_detected() {
    let k = key(3);
    let ct = encrypt(&[5u8; 50], &k, 16);
    for i in 0..HEADER_LEN {
        let mut bad = ct.clone();
        bad[i] ^= 0x01;
        let err = decrypt(&bad, &k).unwrap_err();
        let expected = match i {
            0..8 => matches!(err, CryptError::NotEncrypted),
            8 => matches!(err, CryptError::UnsupportedVersion(_)),
            9 => matches!(err, CryptError::UnsupportedSuite(_)),
            10..12 => matches!(err, CryptError::BadHeader(_)),
            12..24 => matches!(err, CryptError::BadHeader(_) | CryptError::HeaderTampered),
            24..40 => matches!(err, CryptError::WrongKey { .. }),
            _ => matches!(err, CryptError::HeaderTampered),
        };
        assert!(expected, "byte {i}: {err}");
        assert!(err.is_authentication_failure());
    }
}

#[test]
fn truncation_and_trailing_data_are_detected() {
    let k = key(4);
    let ct = encrypt(&[9u8; 40], &k, 16);
    for cut in [ct.len() - 1, ct.len() - 24, HEADER_LEN + 32, HEADER_LEN] {
        let err = decrypt(&ct[..cut], &k).unwrap_err();
        assert!(
            matches!(err, CryptError::Truncated { .. }),
            "cut {cut}: {err}"
        );
    }
    assert!(matches!(
        decrypt(&ct[..50], &k),
        Err(CryptError::TruncatedHeader)
    ));
    assert!(matches!(
        decrypt(b"AIGI", &k),
        Err(CryptError::TruncatedHeader)
    ));
    assert!(matches!(
        decrypt(b"PK\x03\x04", &k),
        Err(CryptError::NotEncrypted)
    ));
    let mut longer = ct.clone();
    longer.extend_from_slice(b"junk");
    assert!(matches!(
        decrypt(&longer, &k),
        Err(CryptError::TrailingData { extra: 4 })
    ));
    // The same through a plain stream (no size known in advance).
    let mut sink = Vec::new();
    let err = decrypt_to(&mut &ct[..ct.len() - 3], &mut sink, &k, &opts(16)).unwrap_err();
    assert!(matches!(err, CryptError::Truncated { .. }), "{err}");
    let err = decrypt_to(&mut &longer[..], &mut Vec::new(), &k, &opts(16)).unwrap_err();
    assert!(matches!(err, CryptError::TrailingData { .. }), "{err}");
}

#[test]
fn swapped_segments_are_reported_as_reordered() {
    let k = key(5);
    let plain: Vec<u8> = (0u8..64).collect();
    let ct = encrypt(&plain, &k, 16);
    let seg = |i: usize| HEADER_LEN + i * 32..HEADER_LEN + (i + 1) * 32;
    let mut bad = ct.clone();
    let (a, b) = (ct[seg(1)].to_vec(), ct[seg(2)].to_vec());
    bad[seg(1)].copy_from_slice(&b);
    bad[seg(2)].copy_from_slice(&a);
    let err = decrypt(&bad, &k).unwrap_err();
    assert!(
        matches!(err, CryptError::Reordered { index: 1, found: 2 }),
        "{err}"
    );
}

#[test]
fn a_final_segment_dropped_with_a_forged_length_still_fails() {
    // Without the key the header cannot be re-tagged, so shortening the
    // length field to hide a dropped segment is a header edit.
    let k = key(6);
    let ct = encrypt(&[1u8; 48], &k, 16);
    let mut bad = ct[..HEADER_LEN + 64].to_vec();
    bad[16..24].copy_from_slice(&32u64.to_be_bytes());
    assert!(matches!(decrypt(&bad, &k), Err(CryptError::HeaderTampered)));
}

#[test]
fn hostile_headers_are_errors_not_panics_or_allocations() {
    let k = key(7);
    let mut ct = encrypt(b"x", &k, 16);
    for (seg, len) in [
        (0u32, 0u64),
        (u32::MAX, 1),
        (16, u64::MAX),
        (8 << 20, u64::MAX / 2),
    ] {
        ct[12..16].copy_from_slice(&seg.to_be_bytes());
        ct[16..24].copy_from_slice(&len.to_be_bytes());
        assert!(decrypt(&ct, &k).is_err());
        assert!(Header::parse(&ct).is_err() || Header::parse(&ct).unwrap().encrypted_len().is_ok());
    }
}

#[test]
fn file_decrypt_leaves_no_output_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(8);
    let (plain, enc, dec) = (
        dir.path().join("m.bin"),
        dir.path().join("m.enc"),
        dir.path().join("m.out"),
    );
    std::fs::write(&plain, vec![3u8; 100_000]).unwrap();
    let o = opts(4096);
    encrypt_file(&plain, &enc, &k, &o).unwrap();
    assert!(matches!(
        encrypt_file(&plain, &enc, &k, &o),
        Err(CryptError::Exists(_))
    ));
    let mut bytes = std::fs::read(&enc).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    std::fs::write(&enc, &bytes).unwrap();
    let err = decrypt_file(&enc, &dec, &k, &o).unwrap_err();
    assert!(
        matches!(err, CryptError::SegmentCorrupted { index: 24 }),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "no output and no temporary file: {left:?}");
    bytes[last] ^= 0x80;
    std::fs::write(&enc, &bytes).unwrap();
    decrypt_file(&enc, &dec, &k, &o).unwrap();
    assert_eq!(std::fs::read(&dec).unwrap(), vec![3u8; 100_000]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip(plain in proptest::collection::vec(any::<u8>(), 0..600), seg in 16u32..100, fly in 1usize..5) {
        let k = key(9);
        let mut o = opts(seg);
        o.segments_in_flight = fly;
        let mut ct = Vec::new();
        encrypt_to(&mut &plain[..], plain.len() as u64, &mut ct, &k, &o).unwrap();
        let mut out = Vec::new();
        decrypt_bytes(&ct, &mut out, &k, &o).unwrap();
        prop_assert_eq!(out, plain);
    }

    #[test]
    fn any_bit_flip_is_detected(plain in proptest::collection::vec(any::<u8>(), 0..300), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let k = key(10);
        let mut ct = encrypt(&plain, &k, 16);
        let i = pos.index(ct.len());
        ct[i] ^= 1 << bit;
        let err = decrypt(&ct, &k).unwrap_err();
        prop_assert!(err.is_authentication_failure());
    }

    #[test]
    fn any_truncation_or_extension_is_detected(plain in proptest::collection::vec(any::<u8>(), 0..300), cut in any::<prop::sample::Index>(), extra in proptest::collection::vec(any::<u8>(), 1..40)) {
        let k = key(11);
        let ct = encrypt(&plain, &k, 16);
        let c = cut.index(ct.len());
        prop_assert!(decrypt(&ct[..c], &k).unwrap_err().is_authentication_failure());
        let mut longer = ct.clone();
        longer.extend_from_slice(&extra);
        let is_trailing = matches!(decrypt(&longer, &k), Err(CryptError::TrailingData { .. }));
        prop_assert!(is_trailing);
    }
}

#[test]
fn file_and_stream_engines_read_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(12);
    let o = opts(64);
    for len in [0usize, 1, 64, 65, 64 * 20 + 3] {
        let plain: Vec<u8> = (0..len).map(|i| (i * 31 % 256) as u8).collect();
        let (p, e, d) = (
            dir.path().join("p"),
            dir.path().join("e"),
            dir.path().join("d"),
        );
        for f in [&p, &e, &d] {
            let _ = std::fs::remove_file(f);
        }
        std::fs::write(&p, &plain).unwrap();
        encrypt_file(&p, &e, &k, &o).unwrap();
        assert_eq!(
            decrypt(&std::fs::read(&e).unwrap(), &k).unwrap(),
            plain,
            "len {len}"
        );
        let mut ct = Vec::new();
        encrypt_to(&mut &plain[..], len as u64, &mut ct, &k, &o).unwrap();
        std::fs::write(&e, &ct).unwrap();
        decrypt_file(&e, &d, &k, &o).unwrap();
        assert_eq!(std::fs::read(&d).unwrap(), plain, "len {len}");
    }
}

#[test]
fn file_decrypt_names_reordering_truncation_and_wrong_keys() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(13);
    let o = opts(16);
    let plain: Vec<u8> = (0u8..100).collect();
    let ct = encrypt(&plain, &k, 16);
    let (e, d) = (dir.path().join("e"), dir.path().join("d"));
    let run = |bytes: &[u8], key: &MasterKey| {
        std::fs::write(&e, bytes).unwrap();
        let r = decrypt_file(&e, &d, key, &o);
        assert!(!d.exists(), "no output on failure");
        r.unwrap_err()
    };
    let mut swapped = ct.clone();
    let seg = |i: usize| HEADER_LEN + i * 32..HEADER_LEN + (i + 1) * 32;
    let (a, b) = (ct[seg(3)].to_vec(), ct[seg(5)].to_vec());
    swapped[seg(3)].copy_from_slice(&b);
    swapped[seg(5)].copy_from_slice(&a);
    assert!(matches!(
        run(&swapped, &k),
        CryptError::Reordered { index: 3, found: 5 }
    ));
    assert!(matches!(
        run(&ct[..ct.len() - 1], &k),
        CryptError::Truncated { .. }
    ));
    assert!(matches!(run(&ct[..40], &k), CryptError::TruncatedHeader));
    assert!(matches!(run(&ct, &key(14)), CryptError::WrongKey { .. }));
    let mut flipped = ct.clone();
    flipped[HEADER_LEN + 32 * 6 + 3] ^= 4;
    assert!(matches!(
        run(&flipped, &k),
        CryptError::SegmentCorrupted { index: 6 }
    ));
}
