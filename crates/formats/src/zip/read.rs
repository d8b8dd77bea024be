//! Reading member data: stored members borrowed from the input, deflated
//! ones inflated under a cap, either whole or as a stream.
//!
//! Like miniz, the data starts after the *local* header's name and extra
//! field and its length is the *central* directory's compressed size. The
//! CRC is not checked while reading (PyTorch does not either); call
//! [`Entry::verify`] or [`EntryReader::verify`] to record mismatches.

use std::borrow::Cow;
use std::io::{self, Read};

use flate2::Crc;
use flate2::read::DeflateDecoder;

use super::{
    Archive, Entry, MAX_INITIAL_CAPACITY, METHOD_DEFLATED, METHOD_STORED, RATIO_GRACE, ZipAnomaly,
    ZipAnomalyKind, ZipError,
};
use crate::bytes::slice;

impl<'a> Archive<'a> {
    /// The member's compressed bytes, exactly as a lenient reader takes them.
    fn raw(&self, entry: &Entry<'a>) -> Result<&'a [u8], ZipError> {
        let index = entry.index;
        let start = entry.data_offset.ok_or(ZipError::NoLocalHeader { index })?;
        slice(self.data, start, entry.compressed_size).ok_or(ZipError::DataOutOfBounds { index })
    }

    /// The member's uncompressed bytes, at most `max_len` of them.
    ///
    /// Stored members are borrowed from the input (no copy); deflated ones
    /// are inflated, stopping with [`ZipError::OverLimit`] as soon as more
    /// than `max_len` bytes come out, whatever the entry claims. Other
    /// methods are [`ZipError::UnsupportedMethod`].
    pub fn read(&self, entry: &Entry<'a>, max_len: u64) -> Result<Cow<'a, [u8]>, ZipError> {
        let index = entry.index;
        let over = ZipError::OverLimit {
            index,
            limit: max_len,
        };
        match entry.method {
            METHOD_STORED => {
                let raw = self.raw(entry)?;
                if raw.len() as u64 > max_len {
                    return Err(over);
                }
                Ok(Cow::Borrowed(raw))
            }
            METHOD_DEFLATED => {
                let reserve = entry
                    .uncompressed_size
                    .min(max_len)
                    .min(MAX_INITIAL_CAPACITY);
                let mut out = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
                self.reader(entry, max_len)?
                    .read_to_end(&mut out)
                    .map_err(|e| into_zip_error(e, index))?;
                Ok(Cow::Owned(out))
            }
            method => Err(ZipError::UnsupportedMethod { index, method }),
        }
    }

    /// A streaming reader of the member's uncompressed bytes, for members too
    /// big to hold. It fails with an `io::Error` wrapping
    /// [`ZipError::OverLimit`] rather than yield more than `max_len` bytes,
    /// and with [`ZipError::Ratio`] once a deflated member passes the
    /// archive's ratio limit.
    pub fn reader(&self, entry: &Entry<'a>, max_len: u64) -> Result<EntryReader<'a>, ZipError> {
        let index = entry.index;
        let source = match entry.method {
            METHOD_STORED => Source::Stored(self.raw(entry)?),
            METHOD_DEFLATED => Source::Deflated(DeflateDecoder::new(self.raw(entry)?)),
            method => return Err(ZipError::UnsupportedMethod { index, method }),
        };
        Ok(EntryReader {
            source,
            index,
            max_len,
            max_ratio: self.max_ratio,
            produced: 0,
            crc: Crc::new(),
            expected_crc: entry.crc32,
            expected_len: entry.uncompressed_size,
        })
    }
}

enum Source<'a> {
    Stored(&'a [u8]),
    Deflated(DeflateDecoder<&'a [u8]>),
}

/// Streams one member's uncompressed bytes; see [`Archive::reader`].
pub struct EntryReader<'a> {
    source: Source<'a>,
    index: usize,
    max_len: u64,
    max_ratio: u64,
    produced: u64,
    crc: Crc,
    expected_crc: u32,
    expected_len: u64,
}

impl std::fmt::Debug for EntryReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryReader")
            .field("index", &self.index)
            .field("produced", &self.produced)
            .finish_non_exhaustive()
    }
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for at most one byte past the cap, so crossing it is seen
        // without ever handing the caller a byte beyond it.
        let room = self.max_len.saturating_sub(self.produced).saturating_add(1);
        let want = usize::try_from(room).unwrap_or(usize::MAX).min(buf.len());
        let Some(window) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let (n, consumed) = match &mut self.source {
            Source::Stored(rest) => (rest.read(window)?, None),
            Source::Deflated(decoder) => (decoder.read(window)?, Some(decoder.total_in())),
        };
        let produced = self.produced.saturating_add(n as u64);
        if produced > self.max_len {
            return Err(io::Error::other(ZipError::OverLimit {
                index: self.index,
                limit: self.max_len,
            }));
        }
        if let Some(consumed) = consumed
            && produced > RATIO_GRACE
            && produced > consumed.max(1).saturating_mul(self.max_ratio)
        {
            return Err(io::Error::other(ZipError::Ratio {
                index: self.index,
                limit: self.max_ratio,
                produced,
                consumed,
            }));
        }
        self.produced = produced;
        self.crc.update(window.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// The [`ZipError`] inside an error from [`EntryReader`], or an inflate error.
fn into_zip_error(e: io::Error, index: usize) -> ZipError {
    if let Some(zip) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ZipError>())
    {
        return zip.clone();
    }
    ZipError::Inflate {
        index,
        message: e.to_string(),
    }
}

impl EntryReader<'_> {
    /// After reading to the end: CRC and length mismatches against the
    /// central directory, as anomalies.
    pub fn verify(&self) -> Vec<ZipAnomaly> {
        mismatches(
            self.expected_crc,
            self.crc.sum(),
            self.expected_len,
            self.produced,
        )
    }
}

impl Entry<'_> {
    /// CRC and length mismatches between `data` (as returned by
    /// [`Archive::read`]) and the central directory, as anomalies.
    pub fn verify(&self, data: &[u8]) -> Vec<ZipAnomaly> {
        let mut crc = Crc::new();
        crc.update(data);
        mismatches(
            self.crc32,
            crc.sum(),
            self.uncompressed_size,
            data.len() as u64,
        )
    }
}

fn mismatches(crc_claimed: u32, crc_actual: u32, len_claimed: u64, len: u64) -> Vec<ZipAnomaly> {
    let mut out = Vec::new();
    if crc_claimed != crc_actual {
        out.push(ZipAnomaly::new(
            ZipAnomalyKind::CrcMismatch,
            format!("crc32 is {crc_actual:#010x}, central directory says {crc_claimed:#010x}"),
        ));
    }
    if len_claimed != len {
        out.push(ZipAnomaly::new(
            ZipAnomalyKind::SizeMismatch,
            format!("{len} bytes read, central directory says {len_claimed}"),
        ));
    }
    out
}
