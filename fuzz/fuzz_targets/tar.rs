#![no_main]
//! Walk any bytes as a tar stream three ways — as given; with every
//! non-zero block's checksum made valid (so the fuzzer gets past headers)
//! and handed out in uneven pieces; and, when `compress::sniff` knows the
//! prefix, through that decoder under small limits — reading member data
//! or leaving it for `next_member` to skip.
//!
//! Asserted, because the reader promises it: member offsets are
//! block-aligned, increasing and inside the stream; a member yields at most
//! its size, exactly its size unless the stream ends, and links, devices
//! and directories have none; names stay under `MAX_NAME_LEN`; error
//! offsets are inside the stream; a sealed stream never has a bad checksum;
//! `is_tar` agrees with the walk; decoded bytes never pass the decoder's
//! limit.

use std::io::{self, Read};

use aigis_formats::compress::{self, LimitExceeded, Limits};
use aigis_formats::tar::{self, MAX_MEMBERS, MAX_NAME_LEN, MAX_PAX_LEN, MemberKind, TarError};
use aigis_fuzz::Uneven;
use libfuzzer_sys::fuzz_target;

const BLOCK: usize = 512;

/// Limits for the decoded walk: small enough to keep runs fast, with the
/// ratio check live.
const LIMITS: Limits = Limits {
    max_output: 1 << 20,
    max_ratio: 64,
    ratio_grace: 1 << 12,
};

/// What the walk may assume about the stream it reads.
#[derive(Clone, Copy)]
struct Stream {
    /// Most bytes the stream can hold; exact when `raw`.
    len: u64,
    /// Straight from the fuzz input: it never fails, and ends at `len`.
    raw: bool,
    /// Every non-zero block has a valid checksum.
    sealed: bool,
}

/// Whether to read every member to its end, or only every other one (and
/// one short read of the rest), so that skipping unread data runs too.
#[derive(Clone, Copy, PartialEq)]
enum Reading {
    All,
    Alternate,
}

/// A copy of `data` where every full, non-zero block carries a valid
/// unsigned checksum (all-zero blocks stay end markers).
fn seal(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    for block in out.chunks_exact_mut(BLOCK) {
        if block.iter().all(|&b| b == 0) {
            continue;
        }
        block[148..156].fill(b' ');
        let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
        block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    }
    out
}

fn check_limit(err: &io::Error, stream: Stream) {
    assert!(!stream.raw, "a raw stream cannot fail: {err}");
    if let Some(limit) = compress::limit_exceeded(err) {
        match limit {
            LimitExceeded::Output { limit } => assert_eq!(*limit, LIMITS.max_output),
            LimitExceeded::Ratio { limit, .. } => assert_eq!(*limit, LIMITS.max_ratio),
        }
    }
}

fn check_error(err: &TarError, stream: Stream) {
    let header_inside = |offset: u64| {
        assert_eq!(offset % BLOCK as u64, 0, "{err}");
        assert!(offset + BLOCK as u64 <= stream.len, "{err}");
    };
    match err {
        TarError::Io(e) => check_limit(e, stream),
        TarError::Truncated { offset } => {
            assert!(*offset <= stream.len, "{err}");
            if stream.raw {
                assert_eq!(*offset, stream.len, "{err}");
            }
        }
        TarError::BadChecksum { offset } => {
            assert!(!stream.sealed, "sealed stream: {err}");
            header_inside(*offset);
        }
        TarError::BadNumber { offset, .. } | TarError::BadPax { offset, .. } => {
            header_inside(*offset)
        }
        TarError::NameTooLong { offset, limit } => {
            assert_eq!(*limit, MAX_NAME_LEN);
            header_inside(*offset);
        }
        TarError::PaxTooLong {
            offset,
            size,
            limit,
        } => {
            assert_eq!(*limit, MAX_PAX_LEN);
            assert!(size > limit);
            header_inside(*offset);
        }
        TarError::TooManyMembers { limit } => {
            assert_eq!(*limit, MAX_MEMBERS);
            assert!(stream.len > MAX_MEMBERS * BLOCK as u64, "{err}");
        }
    }
}

/// Reads one member to its end, or once when `whole` is false.
fn read_member(member: &mut tar::Member<'_, impl Read>, stream: Stream, whole: bool) {
    let data_at = member.offset + BLOCK as u64;
    let mut buf = [0u8; 509];
    let mut total = 0u64;
    loop {
        match member.read(&mut buf) {
            Ok(0) => {
                assert_eq!(total, member.size, "{} ended early", member.name);
                break;
            }
            Ok(n) => {
                assert!(n <= buf.len());
                total += n as u64;
                assert!(total <= member.size, "{} over its size", member.name);
                assert!(data_at + total <= stream.len);
                if !whole {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                assert!(total < member.size);
                if stream.raw {
                    assert_eq!(data_at + total, stream.len);
                }
                break;
            }
            Err(e) => {
                check_limit(&e, stream);
                break;
            }
        }
    }
}

/// Walks to the end; returns whether the first call gave a member.
fn walk(input: impl Read, stream: Stream, reading: Reading) -> bool {
    let mut tr = tar::TarReader::new(input);
    let mut previous: Option<u64> = None;
    let mut count = 0u64;
    let mut first_ok = false;
    let mut ended = false;
    loop {
        let mut member = match tr.next_member() {
            Ok(Some(m)) => m,
            Ok(None) => {
                ended = true;
                break;
            }
            Err(e) => {
                check_error(&e, stream);
                break;
            }
        };
        first_ok |= count == 0;
        assert_eq!(member.offset % BLOCK as u64, 0);
        assert!(member.offset + BLOCK as u64 <= stream.len);
        assert!(previous.is_none_or(|p| member.offset > p));
        previous = Some(member.offset);
        assert!(member.name_raw.len() <= MAX_NAME_LEN);
        assert!(!member.name_raw.contains(&0));
        assert_eq!(member.name, String::from_utf8_lossy(&member.name_raw));
        let link = matches!(member.kind, MemberKind::Symlink | MemberKind::HardLink);
        assert_eq!(member.link_target.is_some(), link);
        if !matches!(member.kind, MemberKind::Regular | MemberKind::Other(_)) {
            assert_eq!(member.size, 0, "{:?} with a size", member.kind);
        }
        match reading {
            Reading::All => read_member(&mut member, stream, true),
            Reading::Alternate if count.is_multiple_of(2) => read_member(&mut member, stream, true),
            Reading::Alternate if count % 4 == 1 => read_member(&mut member, stream, false),
            Reading::Alternate => {}
        }
        count += 1;
    }
    if stream.raw {
        assert!(count <= stream.len / BLOCK as u64);
    }
    if ended {
        assert!(
            matches!(tr.next_member(), Ok(None)),
            "walk resumed after its end"
        );
    }
    first_ok
}

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let raw = Stream {
        len,
        raw: true,
        sealed: false,
    };
    let is_tar = tar::is_tar(data);
    if data.len() < BLOCK {
        assert!(!is_tar);
    }
    if walk(data, raw, Reading::All) {
        assert!(is_tar, "walk read a first header that is_tar rejects");
    }

    let sealed = seal(data);
    let first_nonzero = sealed
        .get(..BLOCK)
        .is_some_and(|b| b.iter().any(|&x| x != 0));
    assert_eq!(tar::is_tar(&sealed), first_nonzero);
    let stream = Stream {
        sealed: true,
        ..raw
    };
    walk(Uneven::new(&sealed), stream, Reading::Alternate);

    if let Some(c) = compress::sniff(data) {
        let decoded = Stream {
            len: LIMITS.max_output,
            raw: false,
            sealed: false,
        };
        walk(
            compress::decoder_with_limits(c, data, LIMITS),
            decoded,
            Reading::All,
        );
    }
});
