//! Digests of files and shards through fixed-size buffers, in parallel.
//!
//! Each job (a whole file, or one shard) owns one buffer of `BUF_SIZE` bytes
//! (`BLAKE3_BUF_SIZE` for BLAKE3, whose chunks are hashed on several cores),
//! so memory stays at about threads x buffer whatever the model size.

use super::walk::FileToHash;
use super::{HashAlgorithm, HashOptions, MAX_RESOURCES, Resource, Serialization};
use crate::Error;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Read size for SHA-256 jobs.
pub const BUF_SIZE: usize = 1 << 20;
/// Read size for BLAKE3 jobs (each read is hashed on every core).
pub const BLAKE3_BUF_SIZE: usize = 4 << 20;

struct Job<'a> {
    file: &'a FileToHash,
    range: Option<(u64, u64)>,
}

pub(crate) fn hash_all(files: &[FileToHash], opts: &HashOptions) -> Result<Vec<Resource>, Error> {
    let mut jobs = Vec::new();
    for f in files {
        match opts.serialization {
            Serialization::Files => jobs.push(Job {
                file: f,
                range: None,
            }),
            Serialization::Shards { shard_size } => {
                let n = f.size.div_ceil(shard_size.max(1));
                if n.saturating_add(jobs.len() as u64) > MAX_RESOURCES as u64 {
                    return Err(Error::Limit(format!("more than {MAX_RESOURCES} shards")));
                }
                let mut start = 0u64;
                while start < f.size {
                    let end = start.saturating_add(shard_size).min(f.size);
                    jobs.push(Job {
                        file: f,
                        range: Some((start, end)),
                    });
                    start = end;
                }
            }
        }
    }
    jobs.par_iter()
        .map(|job| {
            let (digest, size) = hash_job(&job.file.abs, job.range, opts.algorithm)?;
            Ok(Resource {
                path: job.file.rel.clone(),
                range: job.range,
                size: if job.range.is_some() {
                    job.file.size
                } else {
                    size
                },
                digest,
            })
        })
        .collect()
}

enum Hasher {
    Sha256(Box<Sha256>),
    Blake3(Box<blake3::Hasher>),
}

impl Hasher {
    fn new(alg: HashAlgorithm) -> Self {
        match alg {
            HashAlgorithm::Sha256 => Hasher::Sha256(Box::default()),
            HashAlgorithm::Blake3 => Hasher::Blake3(Box::default()),
        }
    }
    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Blake3(h) => {
                h.update_rayon(data);
            }
        }
    }
    fn finish_hex(self) -> String {
        match self {
            Hasher::Sha256(h) => to_hex(&h.finalize()),
            Hasher::Blake3(h) => to_hex(h.finalize().as_bytes()),
        }
    }
}

/// Digest of the whole file (`range` None) or of `start..end`; returns the
/// hex digest and the number of bytes hashed.
fn hash_job(
    path: &Path,
    range: Option<(u64, u64)>,
    alg: HashAlgorithm,
) -> Result<(String, u64), Error> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut remaining = match range {
        Some((start, end)) => {
            f.seek(SeekFrom::Start(start))
                .map_err(|e| Error::io(path, e))?;
            Some(end.saturating_sub(start))
        }
        None => None,
    };
    let cap = match alg {
        HashAlgorithm::Sha256 => BUF_SIZE,
        HashAlgorithm::Blake3 => BLAKE3_BUF_SIZE,
    };
    let mut buf = vec![0u8; cap];
    let mut h = Hasher::new(alg);
    let mut total = 0u64;
    loop {
        let want = match remaining {
            Some(0) => break,
            Some(r) => usize::try_from(r).unwrap_or(cap).min(cap),
            None => cap,
        };
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = read_full(&mut f, chunk).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            if remaining.is_some() {
                return Err(Error::Changed(path.to_path_buf()));
            }
            break;
        }
        h.update(chunk.get(..n).unwrap_or_default());
        total = total.saturating_add(n as u64);
        if let Some(r) = remaining.as_mut() {
            *r = r.saturating_sub(n as u64);
        }
    }
    Ok((h.finish_hex(), total))
}

/// Fill `buf` unless end of file comes first (fewer syscalls than `read`).
fn read_full(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = buf.get_mut(filled..).unwrap_or_default();
        match f.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Lower-case hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}
