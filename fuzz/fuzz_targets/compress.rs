#![no_main]
//! Sniff any bytes, decode them with the sniffed codec under several
//! limits, and force every codec on them regardless of the sniff (input
//! handed out in uneven pieces), reading each output to its end through a
//! small buffer.
//!
//! Asserted, because the module promises it: `sniff` looks at the first 6
//! bytes only and answers only for the documented magic; a decoder never
//! hands out more than `max_output` bytes, nor more than `max_ratio` per
//! input byte once past `ratio_grace`; a limit error names the limit it was
//! built with and numbers consistent with it.

use std::io::{self, Read};

use aigis_formats::compress::{self, Compression, LimitExceeded, Limits};
use aigis_fuzz::Uneven;
use libfuzzer_sys::fuzz_target;

const ALL: [Compression; 8] = [
    Compression::Zlib,
    Compression::Gzip,
    Compression::Bzip2,
    Compression::Xz,
    Compression::LzmaAlone,
    Compression::Lz4Frame,
    Compression::JoblibZFile,
    Compression::Zstd,
];

/// Small output cap and a live ratio check.
const TIGHT: Limits = Limits {
    max_output: 4096,
    max_ratio: 4,
    ratio_grace: 256,
};

/// The sets the sniffed codec runs under: tight; roomy; no output cap, so
/// only the ratio (with no grace) bounds it; and nothing allowed at all.
const SNIFFED: [Limits; 4] = [
    TIGHT,
    Limits {
        max_output: 1 << 20,
        max_ratio: compress::MAX_RATIO,
        ratio_grace: 1 << 16,
    },
    Limits {
        max_output: u64::MAX,
        max_ratio: 64,
        ratio_grace: 0,
    },
    Limits {
        max_output: 0,
        max_ratio: 0,
        ratio_grace: 0,
    },
];

/// Consecutive `Interrupted` errors taken as a hang.
const MAX_INTERRUPTED: u32 = 1000;

/// The magic `sniff` must have seen to answer `c`.
fn has_magic(c: Compression, data: &[u8]) -> bool {
    match c {
        Compression::JoblibZFile => data.starts_with(b"ZF"),
        Compression::Zlib => {
            matches!(data, [0x78, flg, ..] if (0x7800u16 | u16::from(*flg)).is_multiple_of(31))
        }
        Compression::Gzip => data.starts_with(&[0x1f, 0x8b]),
        Compression::Bzip2 => data.starts_with(b"BZ"),
        Compression::LzmaAlone => data.starts_with(&[0x5d, 0x00]),
        Compression::Xz => data.starts_with(b"\xfd7zXZ"),
        Compression::Lz4Frame => data.starts_with(&[0x04, 0x22, 0x4d, 0x18]),
        Compression::Zstd => data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
    }
}

fn check_sniff(data: &[u8]) -> Option<Compression> {
    let sniffed = compress::sniff(data);
    assert_eq!(sniffed, compress::sniff(data.get(..6).unwrap_or(data)));
    match sniffed {
        Some(c) => assert!(has_magic(c, data), "{c:?} without its magic"),
        None => assert!(!ALL.iter().any(|&c| has_magic(c, data)), "magic missed"),
    }
    sniffed
}

/// Reads `decoder` to its end through `buf`, checking every step against
/// `limits` for an input of `input_len` bytes.
fn drain(mut decoder: impl Read, limits: Limits, input_len: u64, buf: &mut [u8]) {
    // The decoder cannot pull more than the input, so this bounds the
    // output the ratio check lets through.
    let consumed_max = input_len.max(1);
    let ratio_cap = limits
        .ratio_grace
        .max(consumed_max.saturating_mul(limits.max_ratio));
    let mut total = 0u64;
    let mut interrupted = 0u32;
    loop {
        let err = match decoder.read(buf) {
            Ok(0) => return,
            Ok(n) => {
                assert!(n <= buf.len());
                total += n as u64;
                assert!(total <= limits.max_output, "{total} over {limits:?}");
                assert!(total <= ratio_cap, "{total} over the ratio, {limits:?}");
                interrupted = 0;
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                interrupted += 1;
                assert!(interrupted < MAX_INTERRUPTED, "decoder keeps interrupting");
                continue;
            }
            Err(e) => e,
        };
        match compress::limit_exceeded(&err) {
            Some(LimitExceeded::Output { limit }) => {
                assert_eq!(*limit, limits.max_output);
                assert!(total <= *limit);
            }
            Some(&LimitExceeded::Ratio {
                limit,
                produced,
                consumed,
            }) => {
                assert_eq!(limit, limits.max_ratio);
                assert!(produced > limits.ratio_grace);
                assert!(produced > consumed.saturating_mul(limit));
                assert!(produced <= limits.max_output);
                assert!(produced >= total);
                assert!((1..=consumed_max).contains(&consumed));
            }
            None => {}
        }
        return;
    }
}

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let sniffed = check_sniff(data);
    if let Some(c) = sniffed {
        for limits in SNIFFED {
            drain(
                compress::decoder_with_limits(c, data, limits),
                limits,
                len,
                &mut [0u8; 4096],
            );
        }
        // The default limits: construction and a first read only, since a
        // bomb may legitimately run to RATIO_GRACE under them.
        let _ = compress::decoder(c, data).read(&mut [0u8; 4096]);
    }
    for c in ALL {
        let input = Uneven::new(data);
        drain(
            compress::decoder_with_limits(c, input, TIGHT),
            TIGHT,
            len,
            &mut [0u8; 61],
        );
    }
});
