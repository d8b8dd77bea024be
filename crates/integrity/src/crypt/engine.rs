//! The streaming engine: reads segments in order, seals or opens a batch of
//! them in parallel while the previous batch is written and the next one
//! read, and writes in order. At most three batches exist at once, each at
//! most [`MAX_BATCH_BYTES`], so memory does not depend on the file size.
//!
//! `decrypt_to` writes each batch only after every segment in it has
//! verified, but earlier batches are already written when a later one fails:
//! callers that must never expose unauthenticated output write to a
//! temporary file and keep it only on success (as `decrypt_file` does).

use super::format::{self, HEADER_LEN, Header, TAG_LEN};
use super::{CryptError, CryptOptions, CryptSummary, MasterKey, REORDER_WINDOW};
use rayon::prelude::*;
use ring::aead::{Aad, Nonce};
use ring::rand::{SecureRandom, SystemRandom};
use std::io::{self, Read, Write};

/// Most bytes of segments in one batch (three batches are alive at once).
pub const MAX_BATCH_BYTES: usize = 16 << 20;

/// Re-reads `len` bytes at an offset of the encrypted input, to diagnose a
/// failing segment (reordered or modified) after its buffer was consumed.
pub(crate) type Reread<'a> = &'a (dyn Fn(u64, &mut [u8]) -> io::Result<()> + Sync);

struct Seg {
    buf: Vec<u8>,
    len: usize,
    index: u64,
}

/// Encrypt `plaintext_len` bytes from `reader` to `writer` with a fresh salt
/// and nonce prefix from the operating system's generator.
pub fn encrypt_to<R: Read + Send, W: Write + Send>(
    reader: &mut R,
    plaintext_len: u64,
    writer: &mut W,
    key: &MasterKey,
    opts: &CryptOptions,
) -> Result<CryptSummary, CryptError> {
    let rng = SystemRandom::new();
    let mut salt = [0u8; format::SALT_LEN];
    let mut prefix = [0u8; format::NONCE_PREFIX_LEN];
    rng.fill(&mut salt).map_err(|_| CryptError::Random)?;
    rng.fill(&mut prefix).map_err(|_| CryptError::Random)?;
    encrypt_with(reader, plaintext_len, writer, key, opts, salt, prefix)
}

/// Encrypt with a given salt and nonce prefix (test vectors; never reuse them).
pub(crate) fn encrypt_with<R: Read + Send, W: Write + Send>(
    reader: &mut R,
    plaintext_len: u64,
    writer: &mut W,
    key: &MasterKey,
    opts: &CryptOptions,
    salt: [u8; format::SALT_LEN],
    nonce_prefix: [u8; format::NONCE_PREFIX_LEN],
) -> Result<CryptSummary, CryptError> {
    let seg = opts.segment_size;
    if !(format::MIN_SEGMENT_SIZE..=format::MAX_SEGMENT_SIZE).contains(&seg) {
        return Err(CryptError::BadSegmentSize(seg));
    }
    let n = format::segment_count(plaintext_len, seg)?;
    let keys = format::file_keys(key, &salt);
    let mut header = Header {
        segment_size: seg,
        plaintext_len,
        key_id: key.key_id(),
        salt,
        nonce_prefix,
        tag: [0; 32],
    };
    header.tag = format::header_tag(&keys.mac, &header.to_bytes());
    let hb = header.to_bytes();
    writer.write_all(&hb).map_err(write_err)?;
    let read = |s: &mut Seg| {
        let want = to_usize(header.plaintext_len_of(s.index))?;
        let got = read_full(reader, slot(&mut s.buf, want)?).map_err(read_err)?;
        if got != want {
            return Err(CryptError::InputChanged);
        }
        s.len = want;
        Ok(())
    };
    let seal = |s: &mut Seg| {
        let nonce = Nonce::assume_unique_for_key(format::nonce(
            &nonce_prefix,
            counter(s.index)?,
            s.index + 1 == n,
        ));
        let (plain, rest) = s.buf.split_at_mut(s.len);
        let tag = keys
            .aead
            .seal_in_place_separate_tag(nonce, Aad::from(&hb[..]), plain)
            .map_err(|_| CryptError::TooLarge)?;
        rest.get_mut(..TAG_LEN)
            .ok_or(CryptError::TooLarge)?
            .copy_from_slice(tag.as_ref());
        s.len += TAG_LEN;
        Ok(())
    };
    let write = |s: &Seg| writer.write_all(&s.buf[..s.len]).map_err(write_err);
    pipeline(n, seg, opts.segments_in_flight, read, seal, write)?;
    let mut probe = [0u8; 1];
    if read_full(reader, &mut probe).map_err(read_err)? != 0 {
        return Err(CryptError::InputChanged);
    }
    writer.flush().map_err(write_err)?;
    Ok(CryptSummary {
        plaintext_len,
        segments: n,
        key_id: header.key_id,
    })
}

/// Decrypt a stream to `writer` (see the module docs on partial output).
pub fn decrypt_to<R: Read + Send, W: Write + Send>(
    reader: &mut R,
    writer: &mut W,
    key: &MasterKey,
    opts: &CryptOptions,
) -> Result<CryptSummary, CryptError> {
    decrypt_core(reader, writer, key, opts, None, None)
}

/// Decrypt an in-memory encrypted file to `writer`.
pub fn decrypt_bytes<W: Write + Send>(
    data: &[u8],
    writer: &mut W,
    key: &MasterKey,
    opts: &CryptOptions,
) -> Result<CryptSummary, CryptError> {
    let reread = |offset: u64, buf: &mut [u8]| {
        let start = usize::try_from(offset).map_err(io::Error::other)?;
        let src = start
            .checked_add(buf.len())
            .and_then(|end| data.get(start..end))
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    };
    let total = u64::try_from(data.len()).map_err(|_| CryptError::TooLarge)?;
    decrypt_core(
        &mut &data[..],
        writer,
        key,
        opts,
        Some(total),
        Some(&reread),
    )
}

/// Decrypt; `total_len` (when known) lets size problems be reported before
/// any segment is opened.
pub(crate) fn decrypt_core<R: Read + Send, W: Write + Send>(
    reader: &mut R,
    writer: &mut W,
    key: &MasterKey,
    opts: &CryptOptions,
    total_len: Option<u64>,
    reread: Option<Reread<'_>>,
) -> Result<CryptSummary, CryptError> {
    let mut hb = [0u8; HEADER_LEN];
    let got = read_full(reader, &mut hb).map_err(read_err)?;
    let header = Header::parse(&hb[..got])?;
    let given = key.key_id();
    if header.key_id != given {
        return Err(CryptError::WrongKey {
            file: hex::encode(header.key_id),
            given: hex::encode(given),
        });
    }
    let keys = format::file_keys(key, &header.salt);
    let signed = &hb[..format::HEADER_SIGNED_LEN];
    ring::hmac::verify(&keys.mac, signed, &header.tag).map_err(|_| CryptError::HeaderTampered)?;
    let expected = header.encrypted_len()?;
    match total_len {
        Some(actual) if actual < expected => {
            return Err(CryptError::Truncated { expected, actual });
        }
        Some(actual) if actual > expected => {
            return Err(CryptError::TrailingData {
                extra: actual - expected,
            });
        }
        _ => {}
    }
    let n = header.segments()?;
    let seg_ct = u64::from(header.segment_size) + TAG_LEN as u64;
    let read = |s: &mut Seg| {
        let want = to_usize(header.plaintext_len_of(s.index))? + TAG_LEN;
        let got = read_full(reader, slot(&mut s.buf, want)?).map_err(read_err)?;
        if got != want {
            let actual = (HEADER_LEN as u64)
                .saturating_add(s.index.saturating_mul(seg_ct))
                .saturating_add(got as u64);
            return Err(CryptError::Truncated { expected, actual });
        }
        s.len = want;
        Ok(())
    };
    let open = |s: &mut Seg| {
        let nonce = format::nonce(&header.nonce_prefix, counter(s.index)?, s.index + 1 == n);
        let nonce = Nonce::assume_unique_for_key(nonce);
        let aad = Aad::from(&hb[..]);
        let plain = keys
            .aead
            .open_in_place(nonce, aad, &mut s.buf[..s.len])
            .map_err(|_| CryptError::SegmentCorrupted { index: s.index })?;
        s.len = plain.len();
        Ok(())
    };
    let write = |s: &Seg| writer.write_all(&s.buf[..s.len]).map_err(write_err);
    let result = pipeline(
        n,
        header.segment_size,
        opts.segments_in_flight,
        read,
        open,
        write,
    );
    if let Err(CryptError::SegmentCorrupted { index }) = result {
        return Err(diagnose(&header, &keys, &hb, index, n, reread));
    }
    result?;
    let mut probe = [0u8; 1];
    if read_full(reader, &mut probe).map_err(read_err)? != 0 {
        return Err(CryptError::TrailingData { extra: 1 });
    }
    writer.flush().map_err(write_err)?;
    Ok(CryptSummary {
        plaintext_len: header.plaintext_len,
        segments: n,
        key_id: header.key_id,
    })
}

/// Tell a segment moved from elsewhere in the file from a modified one by
/// trying the neighbouring counters on a fresh copy of its bytes.
pub(crate) fn diagnose(
    header: &Header,
    keys: &format::FileKeys,
    hb: &[u8; HEADER_LEN],
    index: u64,
    n: u64,
    reread: Option<Reread<'_>>,
) -> CryptError {
    let corrupted = CryptError::SegmentCorrupted { index };
    let Some(reread) = reread else {
        return corrupted;
    };
    let seg_ct = u64::from(header.segment_size) + TAG_LEN as u64;
    let Ok(len) = to_usize(header.plaintext_len_of(index)) else {
        return corrupted;
    };
    let offset = (HEADER_LEN as u64).saturating_add(index.saturating_mul(seg_ct));
    let mut original = vec![0u8; len + TAG_LEN];
    if reread(offset, &mut original).is_err() {
        return corrupted;
    }
    let lo = index.saturating_sub(REORDER_WINDOW);
    let hi = index
        .saturating_add(REORDER_WINDOW)
        .min(n.saturating_sub(1));
    for j in (lo..=hi).filter(|&j| j != index) {
        for last in [false, true] {
            let Ok(ctr) = counter(j) else { continue };
            let nonce =
                Nonce::assume_unique_for_key(format::nonce(&header.nonce_prefix, ctr, last));
            let mut trial = original.clone();
            if keys
                .aead
                .open_in_place(nonce, Aad::from(&hb[..]), &mut trial)
                .is_ok()
            {
                return CryptError::Reordered { index, found: j };
            }
        }
    }
    corrupted
}

/// Read segments `0..n` in batches; process each batch in parallel while the
/// previous one is written and the next one read.
fn pipeline<Rd, P, Wr>(
    n: u64,
    segment_size: u32,
    in_flight: usize,
    mut read: Rd,
    process: P,
    mut write: Wr,
) -> Result<(), CryptError>
where
    Rd: FnMut(&mut Seg) -> Result<(), CryptError> + Send,
    P: Fn(&mut Seg) -> Result<(), CryptError> + Sync,
    Wr: FnMut(&Seg) -> Result<(), CryptError> + Send,
{
    let buf_len = segment_size as usize + TAG_LEN;
    let per_batch = in_flight
        .clamp(1, super::MAX_SEGMENTS_IN_FLIGHT)
        .min((MAX_BATCH_BYTES / buf_len).max(1));
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let mut next = 0u64;
    let mut read_batch = |pool: &mut Vec<Vec<u8>>| -> Result<Vec<Seg>, CryptError> {
        let mut batch = Vec::with_capacity(per_batch);
        while batch.len() < per_batch && next < n {
            let mut s = Seg {
                buf: pool.pop().unwrap_or_default(),
                len: 0,
                index: next,
            };
            read(&mut s)?;
            batch.push(s);
            next += 1;
        }
        Ok(batch)
    };
    let mut ahead = read_batch(&mut pool)?;
    let mut written: Vec<Seg> = Vec::new();
    while !ahead.is_empty() || !written.is_empty() {
        let mut current = std::mem::take(&mut ahead);
        let (processed, io) = rayon::join(
            || {
                let results: Vec<Result<(), CryptError>> =
                    current.par_iter_mut().map(&process).collect();
                results.into_iter().find(Result::is_err).unwrap_or(Ok(()))
            },
            || -> Result<Vec<Seg>, CryptError> {
                for s in written.drain(..) {
                    write(&s)?;
                    pool.push(s.buf);
                }
                read_batch(&mut pool)
            },
        );
        processed?;
        ahead = io?;
        written = current;
    }
    Ok(())
}

/// The first `len` bytes of a reusable buffer (grown once, never shrunk).
fn slot(buf: &mut Vec<u8>, len: usize) -> Result<&mut [u8], CryptError> {
    let need = len.checked_add(TAG_LEN).ok_or(CryptError::TooLarge)?;
    if buf.len() < need {
        buf.resize(need, 0);
    }
    buf.get_mut(..len).ok_or(CryptError::TooLarge)
}

/// Fill `buf` from `r`; fewer bytes only at end of input.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn counter(index: u64) -> Result<u32, CryptError> {
    u32::try_from(index).map_err(|_| CryptError::TooLarge)
}

fn to_usize(n: u64) -> Result<usize, CryptError> {
    usize::try_from(n).map_err(|_| CryptError::TooLarge)
}

pub(crate) fn read_err(source: io::Error) -> CryptError {
    CryptError::Io {
        what: "read".into(),
        source,
    }
}

pub(crate) fn write_err(source: io::Error) -> CryptError {
    CryptError::Io {
        what: "write".into(),
        source,
    }
}
