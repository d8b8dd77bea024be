//! Sniffing and decoding the stream wrappers around pickles: joblib's
//! compressors (zlib, gzip, bz2, xz, lzma-alone, lz4 frame, and the old
//! `ZF` z-file) and compressed tarballs.
//!
//! Every decoder is wrapped in a [`LimitedReader`] that fails — never
//! silently truncates — once the output passes a byte limit or the
//! output/input ratio passes a zip-bomb limit; the error says which. xz and
//! lzma decoders also run under a memory limit, so a claimed dictionary
//! size cannot exhaust memory. Decoding is streaming: nothing here holds
//! more than a decoder's window. It must not guess: data that matches no
//! magic is `None`, and the caller scans it as it is.
//!
//! Magic prefixes are joblib's (`joblib/compressor.py`, 1.6): zlib `x`,
//! gzip `1f 8b`, bz2 `BZ`, xz `fd 37 7a 58 5a`, lzma `5d 00`, lz4
//! `04 22 4d 18`, and `ZF` for files from joblib < 0.10. joblib tests
//! `ZF` first, then the others in that order.

use std::io::{self, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Default cap on decompressed bytes (4 GiB).
pub const MAX_DECOMPRESSED: u64 = 4 << 30;
/// Default cap on decompressed bytes per compressed byte, checked once past
/// [`RATIO_GRACE`]: output more than 99% redundant is a likely bomb (Apache
/// POI's `ZipSecureFile` draws the same line). Deflate itself cannot pass
/// about 1032:1, so a limit of 1024 would let a deflate bomb through.
pub const MAX_RATIO: u64 = 100;
/// Output below which the ratio is not checked: small, highly repetitive
/// payloads are normal and harmless.
pub const RATIO_GRACE: u64 = 16 << 20;
/// Memory the xz/lzma decoder may use (dictionary and state).
pub const LZMA_MEMLIMIT: u64 = 256 << 20;
/// Bytes of `ZF` header before the zlib data: the prefix and the length
/// written as hex, left-justified to `len(hex(2**64))` = 19 characters.
pub const ZFILE_HEADER_LEN: usize = 21;

/// A recognised stream wrapper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// A zlib stream (joblib `'zlib'`, `.z`).
    Zlib,
    /// gzip, possibly several members (joblib `'gzip'`, `.gz`, `.tar.gz`).
    Gzip,
    /// bzip2, possibly several streams (joblib `'bz2'`).
    Bzip2,
    /// xz container (joblib `'xz'`).
    Xz,
    /// Legacy lzma-alone format (joblib `'lzma'`).
    LzmaAlone,
    /// lz4 frame format (joblib `'lz4'`).
    Lz4Frame,
    /// joblib < 0.10 z-file: `ZF`, a hex length, then a zlib stream.
    JoblibZFile,
    /// Zstandard frames (`.zst`, `.tar.zst`), possibly several.
    Zstd,
}

/// Which limit a [`LimitedReader`] hit; carried inside the `io::Error` it
/// returns (see [`limit_exceeded`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    /// More decompressed bytes than the output limit.
    #[error("decompressed data over the limit of {limit} bytes")]
    Output {
        /// The output limit in bytes.
        limit: u64,
    },
    /// Decompressed/compressed ratio over the limit: a likely bomb.
    #[error("compression ratio over the limit of {limit}:1 ({produced} bytes from {consumed})")]
    Ratio {
        /// The ratio limit.
        limit: u64,
        /// Bytes produced so far.
        produced: u64,
        /// Compressed bytes consumed so far.
        consumed: u64,
    },
}

/// The limits a decoder runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most decompressed bytes.
    pub max_output: u64,
    /// Most decompressed bytes per compressed byte, once past `ratio_grace`.
    pub max_ratio: u64,
    /// Output below which the ratio is not checked.
    pub ratio_grace: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_output: MAX_DECOMPRESSED,
            max_ratio: MAX_RATIO,
            ratio_grace: RATIO_GRACE,
        }
    }
}

/// The wrapper `head` starts with, tested in joblib's order. Needs the
/// first 6 bytes; zlib also needs a valid two-byte header (deflate, check
/// bits right), since `x` alone starts too many other things.
pub fn sniff(head: &[u8]) -> Option<Compression> {
    if head.starts_with(b"ZF") {
        return Some(Compression::JoblibZFile);
    }
    match head {
        [0x78, flg, ..] if (0x7800u16 | u16::from(*flg)).is_multiple_of(31) => {
            Some(Compression::Zlib)
        }
        [0x1f, 0x8b, ..] => Some(Compression::Gzip),
        [b'B', b'Z', ..] => Some(Compression::Bzip2),
        [0x5d, 0x00, ..] => Some(Compression::LzmaAlone),
        [0xfd, b'7', b'z', b'X', b'Z', ..] => Some(Compression::Xz),
        [0x04, 0x22, 0x4d, 0x18, ..] => Some(Compression::Lz4Frame),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Compression::Zstd),
        _ => None,
    }
}

/// Zstandard through the pure-Rust `ruzstd` decoder, which refuses frames
/// whose window is over its own limit (100 MiB) instead of allocating it.
/// Frames are decoded one after another, as `zstd -d` does (concatenated
/// frames decode to the concatenation); skippable frames are skipped.
fn zstd<'a>(input: impl Read + Send + 'a) -> Box<dyn Read + Send + 'a> {
    Box::new(ZstdFrames {
        source: input,
        frame: ruzstd::decoding::FrameDecoder::new(),
        in_frame: false,
        done: false,
    })
}

struct ZstdFrames<R: Read> {
    source: R,
    frame: ruzstd::decoding::FrameDecoder,
    /// A frame has been started and may have bytes left.
    in_frame: bool,
    done: bool,
}

fn zstd_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

impl<R: Read> ZstdFrames<R> {
    /// Start the next frame; `false` at the end of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        loop {
            let mut first = [0u8; 1];
            if self.source.read(&mut first)? == 0 {
                return Ok(false);
            }
            let chained = (&first[..]).chain(&mut self.source);
            match self.frame.init(chained) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let want = u64::from(length);
                    let skipped = io::copy(&mut (&mut self.source).take(want), &mut io::sink())?;
                    if skipped < want {
                        return Err(zstd_error("skippable frame runs past the end"));
                    }
                }
                Err(e) => return Err(zstd_error(e)),
            }
        }
    }
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.done {
                return Ok(0);
            }
            if !self.in_frame {
                if !self.next_frame()? {
                    self.done = true;
                    return Ok(0);
                }
                self.in_frame = true;
            }
            while self.frame.can_collect() < buf.len() && !self.frame.is_finished() {
                let more = buf.len() - self.frame.can_collect();
                self.frame
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(more))
                    .map_err(zstd_error)?;
            }
            let n = self.frame.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.frame.is_finished() {
                self.in_frame = false;
            }
        }
    }
}

/// A decoder for `c` over `input` under the default [`Limits`].
pub fn decoder<'a>(c: Compression, input: impl Read + Send + 'a) -> Box<dyn Read + Send + 'a> {
    decoder_with_limits(c, input, Limits::default())
}

/// A decoder for `c` over `input` under `limits`. Construction never fails:
/// a decoder that cannot start (or a `ZF` header that cannot be read)
/// returns its error from the first `read`.
pub fn decoder_with_limits<'a>(
    c: Compression,
    input: impl Read + Send + 'a,
    limits: Limits,
) -> Box<dyn Read + Send + 'a> {
    let consumed = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: input,
        consumed: Arc::clone(&consumed),
    };
    let inner: Box<dyn Read + Send + 'a> = match c {
        Compression::Zlib => Box::new(flate2::read::ZlibDecoder::new(counted)),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(counted)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(counted)),
        Compression::Lz4Frame => Box::new(lz4_flex::frame::FrameDecoder::new(counted)),
        Compression::Xz => lzma(
            counted,
            liblzma::stream::Stream::new_stream_decoder(
                LZMA_MEMLIMIT,
                liblzma::stream::CONCATENATED,
            ),
        ),
        Compression::LzmaAlone => lzma(
            counted,
            liblzma::stream::Stream::new_lzma_decoder(LZMA_MEMLIMIT),
        ),
        Compression::JoblibZFile => zfile(counted),
        Compression::Zstd => zstd(counted),
    };
    Box::new(LimitedReader {
        inner,
        consumed,
        produced: 0,
        limits,
    })
}

/// The [`LimitExceeded`] inside an error from a decoder, if that is the cause.
pub fn limit_exceeded(err: &io::Error) -> Option<&LimitExceeded> {
    err.get_ref()?.downcast_ref::<LimitExceeded>()
}

fn lzma<'a>(
    input: impl Read + Send + 'a,
    stream: Result<liblzma::stream::Stream, liblzma::stream::Error>,
) -> Box<dyn Read + Send + 'a> {
    match stream {
        Ok(s) => Box::new(liblzma::read::XzDecoder::new_stream(input, s)),
        Err(e) => Box::new(Failing(Some(io::Error::other(e)))),
    }
}

/// Skips the `ZF` header (and the extra space joblib <= 0.8.4 wrote under
/// Python 2) and decodes the zlib stream after it.
fn zfile<'a>(mut input: impl Read + Send + 'a) -> Box<dyn Read + Send + 'a> {
    let mut head = [0u8; ZFILE_HEADER_LEN + 1];
    if let Err(e) = input.read_exact(&mut head) {
        return Box::new(Failing(Some(e)));
    }
    let next: Vec<u8> = match head.last() {
        Some(b' ') | None => Vec::new(),
        Some(&b) => vec![b],
    };
    Box::new(flate2::read::ZlibDecoder::new(
        Cursor::new(next).chain(input),
    ))
}

/// Counts the compressed bytes the decoder pulls.
struct Counting<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A reader that returns one error, then end of stream.
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}

/// Wraps a decoder and fails once its output passes the [`Limits`].
pub struct LimitedReader<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
    produced: u64,
    limits: Limits,
}

impl<R> std::fmt::Debug for LimitedReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LimitedReader")
            .field("produced", &self.produced)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Read for LimitedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Never hand out a byte past the output limit: ask for one byte
        // beyond it at most, and fail if it comes.
        let room = self
            .limits
            .max_output
            .saturating_sub(self.produced)
            .saturating_add(1);
        let want = usize::try_from(room).unwrap_or(usize::MAX).min(buf.len());
        let Some(window) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let n = self.inner.read(window)?;
        let produced = self.produced.saturating_add(n as u64);
        if produced > self.limits.max_output {
            return Err(io::Error::other(LimitExceeded::Output {
                limit: self.limits.max_output,
            }));
        }
        let consumed = self.consumed.load(Ordering::Relaxed).max(1);
        if produced > self.limits.ratio_grace
            && produced > consumed.saturating_mul(self.limits.max_ratio)
        {
            return Err(io::Error::other(LimitExceeded::Ratio {
                limit: self.limits.max_ratio,
                produced,
                consumed,
            }));
        }
        self.produced = produced;
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
