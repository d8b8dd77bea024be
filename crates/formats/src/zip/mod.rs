//! A zip reader as lenient as the loaders that attackers target.
//!
//! `torch.load` reads checkpoints through caffe2's `PyTorchStreamReader`,
//! which uses miniz (built with `MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS`): it
//! trusts the central directory, ignores CRCs, looks names up
//! case-insensitively, and computes where member data starts from the local
//! header. Python's `zipfile` additionally forgives data prepended
//! before the archive. This reader accepts everything either of them would
//! and records every oddity as a [`ZipAnomaly`] instead of failing, so the
//! scanner sees what the loader sees and can report the tampering too.
//!
//! It works on a borrowed byte slice (the scanner maps files), so opening a
//! 2 GB checkpoint reads only its directory; stored members are returned as
//! subslices without copying. It must never trust a claimed size for an
//! allocation, never inflate past the caller's cap, and never panic. It
//! never writes or extracts anything: names are data, not paths.

mod lookup;
mod parse;
mod read;
mod records;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod writer;

pub use read::EntryReader;

/// Most central directory entries accepted; more is [`ZipError::TooManyEntries`].
pub const MAX_ENTRIES: u64 = 1 << 18;
/// Longest archive comment, so the furthest back the end record can start.
pub const MAX_COMMENT_LEN: u64 = u16::MAX as u64;
/// Largest initial buffer reserved when inflating, whatever the entry claims.
pub const MAX_INITIAL_CAPACITY: u64 = 1 << 24;
/// Default cap on inflated bytes per compressed byte of one member, checked
/// once past [`RATIO_GRACE`]: a member more than 99% redundant is a likely
/// bomb (Apache POI's `ZipSecureFile` draws the same line). Deflate cannot
/// pass about 1032:1, so a limit above that would catch nothing.
pub const MAX_RATIO: u64 = crate::compress::MAX_RATIO;
/// Inflated bytes below which the ratio is not checked.
pub const RATIO_GRACE: u64 = crate::compress::RATIO_GRACE;

/// Compression method 0: the member bytes are the data.
pub const METHOD_STORED: u16 = 0;
/// Compression method 8: raw deflate, the only other one miniz reads.
pub const METHOD_DEFLATED: u16 = 8;

/// General-purpose flag bit 0: traditional PKWARE encryption.
pub const FLAG_ENCRYPTED: u16 = 1 << 0;
/// General-purpose flag bit 3: sizes and CRC follow the data, local ones are 0.
pub const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
/// General-purpose flag bit 6: strong encryption.
pub const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
/// General-purpose flag bit 11: the name is UTF-8.
pub const FLAG_UTF8: u16 = 1 << 11;
/// General-purpose flag bit 13: the local header values are masked.
pub const FLAG_MASKED_LOCAL: u16 = 1 << 13;
/// Bits that writers set in ordinary archives: deflate options (1, 2), data
/// descriptor (3) and UTF-8 names (11).
pub const ORDINARY_FLAGS: u16 = 0b0110 | FLAG_DATA_DESCRIPTOR | FLAG_UTF8;

/// Why an archive could not be opened or a member not read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ZipError {
    /// No end of central directory record in the last 64 KiB + 22 bytes.
    #[error("no end of central directory record")]
    NoEndRecord,
    /// The end record claims more entries than [`MAX_ENTRIES`].
    #[error("archive claims {claimed} entries, over the limit of {limit}")]
    TooManyEntries {
        /// Entries claimed (or found so far).
        claimed: u64,
        /// The limit, [`MAX_ENTRIES`].
        limit: u64,
    },
    /// The central directory's claimed size and offset place it before the
    /// start of the input or across the end record.
    #[error("central directory (offset {offset}, size {size}) does not fit before the end record")]
    BadCentralDirectory {
        /// Claimed offset.
        offset: u64,
        /// Claimed size.
        size: u64,
    },
    /// The entry's local header is missing or has a bad signature, so the
    /// start of its data is unknown.
    #[error("entry {index}: no valid local header")]
    NoLocalHeader {
        /// Index in [`Archive::entries`].
        index: usize,
    },
    /// The entry's data runs past the end of the input.
    #[error("entry {index}: data runs past the end of the input")]
    DataOutOfBounds {
        /// Index in [`Archive::entries`].
        index: usize,
    },
    /// The compression method is neither stored nor deflate.
    #[error("entry {index}: unsupported compression method {method}")]
    UnsupportedMethod {
        /// Index in [`Archive::entries`].
        index: usize,
        /// The method number from the central directory.
        method: u16,
    },
    /// The member is larger than the caller's cap.
    #[error("entry {index}: over limit, more than {limit} bytes")]
    OverLimit {
        /// Index in [`Archive::entries`].
        index: usize,
        /// The cap that was passed.
        limit: u64,
    },
    /// The member inflates past the ratio limit: a likely zip bomb.
    #[error(
        "entry {index}: compression ratio over the limit of {limit}:1 ({produced} bytes from {consumed}), a likely zip bomb"
    )]
    Ratio {
        /// Index in [`Archive::entries`].
        index: usize,
        /// The ratio limit.
        limit: u64,
        /// Bytes inflated when the limit was crossed.
        produced: u64,
        /// Compressed bytes consumed by then.
        consumed: u64,
    },
    /// The deflate stream is corrupt or cut short.
    #[error("entry {index}: corrupt deflate data: {message}")]
    Inflate {
        /// Index in [`Archive::entries`].
        index: usize,
        /// The decoder's message.
        message: String,
    },
}

/// What kind of oddity an anomaly records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZipAnomalyKind {
    /// Bytes before the first local header; zipfile shifts every offset by
    /// their length, while `torch.load` checks for `PK\x03\x04` at offset 0
    /// and would read such a file as a legacy pickle instead.
    PrependedData,
    /// Bytes after the end record and its comment.
    TrailingData,
    /// The end record's comment length runs past the end of the input.
    CommentTruncated,
    /// A zip64 locator points at no zip64 end record.
    Zip64RecordMissing,
    /// Disk numbers other than 0: a multi-volume archive.
    MultiDisk,
    /// The end record's entry count differs from the entries found; miniz
    /// reads exactly the claimed count, zipfile reads until the directory's
    /// size is consumed.
    EntryCountMismatch,
    /// The central directory ends with a truncated or unsigned header.
    TruncatedCentralDirectory,
    /// Two entries have the same name (exactly, or ignoring ASCII case as
    /// miniz compares); the detail says which one each loader picks.
    DuplicateName,
    /// Two entries' local header and data overlap (or overlap the central
    /// directory): a zip bomb trick, or two names for one payload.
    OverlappingEntries,
    /// Encryption flag bits (0, 6 or 13) are set.
    Encrypted,
    /// General-purpose flag bits outside [`ORDINARY_FLAGS`] are set.
    UnusualFlags,
    /// The local header's name differs from the central directory's;
    /// zipfile refuses this, miniz does not look.
    LocalNameMismatch,
    /// The local header's method or sizes differ from the central ones.
    LocalHeaderMismatch,
    /// A stored entry whose compressed and uncompressed sizes differ
    /// (miniz refuses to open such an archive).
    StoredSizeMismatch,
    /// A compression method other than stored or deflate.
    UnsupportedMethod,
    /// The name is absolute or has a `..` component.
    UnsafePath,
    /// The local header is missing or its signature is wrong.
    BadLocalHeader,
    /// A field marked zip64 (0xFFFFFFFF) has no value in the zip64 extra.
    Zip64ExtraMalformed,
    /// The entry's data runs past the end of the input.
    DataPastEnd,
    /// The CRC-32 of the data read differs from the central directory's.
    CrcMismatch,
    /// The data read is not as long as the central directory says.
    SizeMismatch,
}

/// One oddity, with a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipAnomaly {
    /// What kind of oddity.
    pub kind: ZipAnomalyKind,
    /// Where and what, e.g. which entries and which loader picks which.
    pub detail: String,
}

impl ZipAnomaly {
    pub(crate) fn new(kind: ZipAnomalyKind, detail: impl Into<String>) -> Self {
        ZipAnomaly {
            kind,
            detail: detail.into(),
        }
    }
}

/// What the local header says, where it differs from nothing at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalHeader<'a> {
    /// The name bytes in the local header.
    pub name_raw: &'a [u8],
    /// General-purpose flags in the local header.
    pub flags: u16,
    /// Compression method in the local header.
    pub method: u16,
    /// CRC-32 in the local header (0 with a data descriptor).
    pub crc32: u32,
    /// Compressed size in the local header (0 with a data descriptor).
    pub compressed_size: u64,
    /// Uncompressed size in the local header (0 with a data descriptor).
    pub uncompressed_size: u64,
}

/// One central directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Position in the central directory (miniz's file index).
    pub index: usize,
    /// The name as stored.
    pub name_raw: &'a [u8],
    /// The name, lossily decoded as UTF-8.
    pub name: String,
    /// Compression method ([`METHOD_STORED`], [`METHOD_DEFLATED`], ...).
    pub method: u16,
    /// General-purpose flags from the central directory.
    pub flags: u16,
    /// CRC-32 from the central directory.
    pub crc32: u32,
    /// Compressed size from the central directory (zip64 applied).
    pub compressed_size: u64,
    /// Uncompressed size from the central directory (zip64 applied).
    pub uncompressed_size: u64,
    /// Local header offset as stored, before the prepended-data shift.
    pub local_header_offset: u64,
    /// The local header, if one with a valid signature is there.
    pub local: Option<LocalHeader<'a>>,
    /// Where the member data starts in the input, if the local header is valid.
    pub data_offset: Option<u64>,
    /// Oddities of this entry found while opening.
    pub anomalies: Vec<ZipAnomaly>,
}

/// An opened archive borrowing the input bytes.
#[derive(Clone)]
pub struct Archive<'a> {
    data: &'a [u8],
    entries: Vec<Entry<'a>>,
    anomalies: Vec<ZipAnomaly>,
    prepended: u64,
    /// Entry indices in miniz's sorted order (the first `claimed` entries).
    miniz_order: Vec<usize>,
    /// Inflated bytes per compressed byte allowed past [`RATIO_GRACE`].
    max_ratio: u64,
}

impl std::fmt::Debug for Archive<'_> {
    // Not derived: the input may be gigabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("input_len", &self.data.len())
            .field("entries", &self.entries.len())
            .field("anomalies", &self.anomalies)
            .field("prepended", &self.prepended)
            .finish_non_exhaustive()
    }
}

impl<'a> Archive<'a> {
    /// The entries in central directory order.
    pub fn entries(&self) -> &[Entry<'a>] {
        &self.entries
    }

    /// Archive-level oddities (per-entry ones are in [`Entry::anomalies`]).
    pub fn anomalies(&self) -> &[ZipAnomaly] {
        &self.anomalies
    }

    /// Bytes found before the archive proper; offsets have been shifted by it.
    pub fn prepended_len(&self) -> u64 {
        self.prepended
    }

    /// Sets the most inflated bytes per compressed byte a member may yield
    /// once past [`RATIO_GRACE`] (default [`MAX_RATIO`]); more is
    /// [`ZipError::Ratio`].
    #[must_use]
    pub fn with_max_ratio(mut self, max_ratio: u64) -> Self {
        self.max_ratio = max_ratio.max(1);
        self
    }
}

/// True if `head` starts with a local file header signature, the same test
/// `torch.load` applies (`_is_zipfile` compares the first four bytes).
///
/// A zip with data prepended fails this test but still opens with
/// [`Archive::parse`] (and with Python's `zipfile`); the scanner should try
/// `Archive::parse` on any file it cannot otherwise classify, since such a
/// polyglot is read by `torch.load` as a legacy pickle and by other tools as
/// a zip.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}
