//! File to file with positional I/O: every segment's place in the input and
//! the output is known from its index, so each worker reads, seals or opens,
//! and writes its own segment (`pread`/`pwrite`), and the copying in and out
//! of the kernel runs on every core, not only the encryption. Segments go in
//! windows of `segments_in_flight`; buffers are pooled (one per segment in
//! flight, default 8 MiB in all), whatever the file size. A failing
//! segment stops the run at the end of its window, and the lowest failing
//! index is reported. Same format and checks as the streaming engine.

use super::engine::{diagnose, read_err, write_err};
use super::format::{self, HEADER_LEN, Header, TAG_LEN};
use super::{CryptError, CryptOptions, CryptSummary, MasterKey};
use rayon::prelude::*;
use ring::aead::{Aad, Nonce};
use ring::rand::{SecureRandom, SystemRandom};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;
use zeroize::Zeroizing;

pub(crate) fn encrypt_at(
    input: &File,
    len: u64,
    output: &File,
    key: &MasterKey,
    opts: &CryptOptions,
) -> Result<CryptSummary, CryptError> {
    let seg = opts.segment_size;
    if !(format::MIN_SEGMENT_SIZE..=format::MAX_SEGMENT_SIZE).contains(&seg) {
        return Err(CryptError::BadSegmentSize(seg));
    }
    let rng = SystemRandom::new();
    let mut salt = [0u8; format::SALT_LEN];
    let mut nonce_prefix = [0u8; format::NONCE_PREFIX_LEN];
    rng.fill(&mut salt).map_err(|_| CryptError::Random)?;
    rng.fill(&mut nonce_prefix)
        .map_err(|_| CryptError::Random)?;
    let n = format::segment_count(len, seg)?;
    let keys = format::file_keys(key, &salt);
    let mut header = Header {
        segment_size: seg,
        plaintext_len: len,
        key_id: key.key_id(),
        salt,
        nonce_prefix,
        tag: [0; 32],
    };
    header.tag = format::header_tag(&keys.mac, &header.to_bytes());
    let hb = header.to_bytes();
    output.write_all_at(&hb, 0).map_err(write_err)?;
    let seg_ct = u64::from(seg) + TAG_LEN as u64;
    for_segments(n, seg, opts.segments_in_flight, |i, buf| {
        let plen = to_usize(header.plaintext_len_of(i))?;
        let plain = buf.get_mut(..plen).ok_or(CryptError::TooLarge)?;
        input
            .read_exact_at(plain, i * u64::from(seg))
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => CryptError::InputChanged,
                _ => read_err(e),
            })?;
        let nonce = format::nonce(&nonce_prefix, counter(i)?, i + 1 == n);
        let tag = keys
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&hb[..]),
                plain,
            )
            .map_err(|_| CryptError::TooLarge)?;
        let sealed = buf.get_mut(..plen + TAG_LEN).ok_or(CryptError::TooLarge)?;
        sealed[plen..].copy_from_slice(tag.as_ref());
        output
            .write_all_at(sealed, HEADER_LEN as u64 + i * seg_ct)
            .map_err(write_err)
    })?;
    if input.metadata().map_err(read_err)?.len() != len {
        return Err(CryptError::InputChanged);
    }
    Ok(CryptSummary {
        plaintext_len: len,
        segments: n,
        key_id: header.key_id,
    })
}

pub(crate) fn decrypt_at(
    input: &File,
    len: u64,
    output: &File,
    key: &MasterKey,
    opts: &CryptOptions,
) -> Result<CryptSummary, CryptError> {
    let mut hb = [0u8; HEADER_LEN];
    let head = to_usize(len.min(HEADER_LEN as u64))?;
    input.read_exact_at(&mut hb[..head], 0).map_err(read_err)?;
    let header = Header::parse(&hb[..head])?;
    let given = key.key_id();
    if header.key_id != given {
        return Err(CryptError::WrongKey {
            file: hex::encode(header.key_id),
            given: hex::encode(given),
        });
    }
    let keys = format::file_keys(key, &header.salt);
    ring::hmac::verify(&keys.mac, &hb[..format::HEADER_SIGNED_LEN], &header.tag)
        .map_err(|_| CryptError::HeaderTampered)?;
    let expected = header.encrypted_len()?;
    if len < expected {
        return Err(CryptError::Truncated {
            expected,
            actual: len,
        });
    }
    if len > expected {
        return Err(CryptError::TrailingData {
            extra: len - expected,
        });
    }
    let n = header.segments()?;
    let seg = header.segment_size;
    let seg_ct = u64::from(seg) + TAG_LEN as u64;
    for_segments(n, seg, opts.segments_in_flight, |i, buf| {
        let ct_len = to_usize(header.plaintext_len_of(i))? + TAG_LEN;
        let ct = buf.get_mut(..ct_len).ok_or(CryptError::TooLarge)?;
        input
            .read_exact_at(ct, HEADER_LEN as u64 + i * seg_ct)
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => CryptError::Truncated {
                    expected,
                    actual: len,
                },
                _ => read_err(e),
            })?;
        let nonce = format::nonce(&header.nonce_prefix, counter(i)?, i + 1 == n);
        let Ok(plain) =
            keys.aead
                .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(&hb[..]), ct)
        else {
            let reread = |off: u64, b: &mut [u8]| input.read_exact_at(b, off);
            return Err(diagnose(&header, &keys, &hb, i, n, Some(&reread)));
        };
        output
            .write_all_at(plain, i * u64::from(seg))
            .map_err(write_err)
    })?;
    Ok(CryptSummary {
        plaintext_len: header.plaintext_len,
        segments: n,
        key_id: header.key_id,
    })
}

/// Run `f(index, buffer)` for segments `0..n`, a window at a time; the first
/// error by index wins. Buffers come from a small pool (at most one per
/// segment in flight), so segments do not each fault in fresh pages; they
/// are zeroised when the run ends.
fn for_segments<F>(n: u64, seg: u32, window: usize, f: F) -> Result<(), CryptError>
where
    F: Fn(u64, &mut Vec<u8>) -> Result<(), CryptError> + Sync,
{
    let window = window.clamp(1, super::MAX_SEGMENTS_IN_FLIGHT) as u64;
    let buf_len = seg as usize + TAG_LEN;
    let pool: Mutex<Vec<Zeroizing<Vec<u8>>>> = Mutex::new(Vec::new());
    let take = || {
        let reused = pool.lock().ok().and_then(|mut p| p.pop());
        reused.unwrap_or_else(|| Zeroizing::new(vec![0u8; buf_len]))
    };
    let give = |buf| {
        if let Ok(mut p) = pool.lock() {
            p.push(buf);
        }
    };
    let mut start = 0u64;
    while start < n {
        let count = to_usize(window.min(n - start))?;
        let results: Vec<Result<(), CryptError>> = (0..count)
            .into_par_iter()
            .map(|k| {
                let mut buf = take();
                let r = f(start + k as u64, &mut buf);
                give(buf);
                r
            })
            .collect();
        if let Some(e) = results.into_iter().find_map(Result::err) {
            return Err(e);
        }
        start += count as u64;
    }
    Ok(())
}

fn counter(index: u64) -> Result<u32, CryptError> {
    u32::try_from(index).map_err(|_| CryptError::TooLarge)
}

fn to_usize(n: u64) -> Result<usize, CryptError> {
    usize::try_from(n).map_err(|_| CryptError::TooLarge)
}
