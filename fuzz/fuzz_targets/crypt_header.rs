#![no_main]
//! The decryptor on any bytes: header parsing and whole-file decryption
//! under a fixed key (the document's vector key, so the seeds are valid
//! files and mutations reach the segments). Then a tamper oracle: with the
//! first byte as a mode, encrypt the rest and check that a bit flip, a
//! truncation, an extension or two swapped segments always fail to decrypt
//! and that the untouched file decrypts to the plaintext.

use aigis_integrity::crypt::{self, CryptOptions, Header, MasterKey};
use libfuzzer_sys::fuzz_target;

fn key() -> MasterKey {
    MasterKey::from_array(std::array::from_fn(|i| i as u8))
}

fuzz_target!(|data: &[u8]| {
    let k = key();
    let opts = CryptOptions {
        segments_in_flight: 2,
        ..CryptOptions::default()
    };
    let _ = Header::parse(data);
    let _ = crypt::decrypt_bytes(data, &mut std::io::sink(), &k, &opts);

    let [mode, seg, pos_hi, pos_lo, fly, plain @ ..] = data else { return };
    let opts = CryptOptions {
        segment_size: 16 + u32::from(*seg),
        segments_in_flight: 1 + usize::from(*fly % 4),
        overwrite: false,
    };
    let ct = crypt::encrypt_with_fixed_randomness_for_tests(plain, &k, &opts, [9; 32], [3; 7]);
    let mut out = Vec::new();
    crypt::decrypt_bytes(&ct, &mut out, &k, &opts).expect("untouched file decrypts");
    assert_eq!(out, plain);
    let pos = usize::from(*pos_hi) << 8 | usize::from(*pos_lo);
    let mut bad = ct.clone();
    match mode % 4 {
        0 => bad[pos % ct.len()] ^= 1 << (pos % 8),
        1 => bad.truncate(pos % ct.len()),
        2 => bad.push(*fly),
        _ => {
            let seg_ct = opts.segment_size as usize + 16;
            let header = 111;
            if ct.len() < header + 2 * seg_ct {
                return;
            }
            let (a, b) = bad[header..].split_at_mut(seg_ct);
            a.swap_with_slice(&mut b[..seg_ct]);
        }
    }
    let err = crypt::decrypt_bytes(&bad, &mut std::io::sink(), &k, &opts)
        .expect_err("a tampered file must not decrypt");
    assert!(err.is_authentication_failure(), "{err}");
});
