//! Opening an archive: end record, prepended-data shift, central directory
//! walk, local headers, and the anomalies found on the way.
//!
//! Only the directory and the 30-byte local headers are touched here; member
//! data is never read or decompressed while opening.

use super::records::{self, CentralHeader, EndRecord, LocalRecord};
use super::{
    Archive, Entry, FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_MASKED_LOCAL,
    FLAG_STRONG_ENCRYPTION, LocalHeader, MAX_COMMENT_LEN, MAX_ENTRIES, METHOD_DEFLATED,
    METHOD_STORED, ORDINARY_FLAGS, ZipAnomaly, ZipAnomalyKind as Kind, ZipError, lookup,
};
use crate::bytes::slice;

impl<'a> Archive<'a> {
    /// Opens the archive in `data`: finds the end record, shifts offsets by
    /// any prepended data, reads the central directory and every local
    /// header. Oddities become anomalies; only an archive whose directory
    /// cannot be located, or which has more than [`MAX_ENTRIES`] entries,
    /// is an error.
    pub fn parse(data: &'a [u8]) -> Result<Archive<'a>, ZipError> {
        let end = records::find_end(data, MAX_COMMENT_LEN).ok_or(ZipError::NoEndRecord)?;
        if end.entries > MAX_ENTRIES {
            return Err(ZipError::TooManyEntries {
                claimed: end.entries,
                limit: MAX_ENTRIES,
            });
        }
        let mut anomalies = end_anomalies(data, &end);
        let bad_cd = ZipError::BadCentralDirectory {
            offset: end.cd_offset,
            size: end.cd_size,
        };
        // Like zipfile: the directory ends where the end records begin, and
        // any difference from its claimed offset is data prepended before.
        let cd_end = end
            .position
            .checked_sub(end.zip64_len)
            .ok_or(bad_cd.clone())?;
        let cd_start = cd_end.checked_sub(end.cd_size).ok_or(bad_cd.clone())?;
        let prepended = cd_start.checked_sub(end.cd_offset).ok_or(bad_cd.clone())?;
        if prepended > 0 {
            anomalies.push(ZipAnomaly::new(
                Kind::PrependedData,
                format!("{prepended} bytes before the archive; offsets shifted by that much"),
            ));
        }
        let cd = slice(data, cd_start, end.cd_size).ok_or(bad_cd)?;
        let entries = read_central(data, cd, prepended, &mut anomalies)?;
        let found = entries.len() as u64;
        if found != end.entries {
            let miniz = if end.entries > found {
                "miniz (torch.load) refuses the archive".to_string()
            } else {
                format!("miniz (torch.load) sees only the first {}", end.entries)
            };
            anomalies.push(ZipAnomaly::new(
                Kind::EntryCountMismatch,
                format!(
                    "end record claims {} entries, central directory holds {found}; {miniz}",
                    end.entries
                ),
            ));
        }
        anomalies.extend(overlaps(&entries, prepended, cd_start, cd_end));
        let visible = usize::try_from(end.entries.min(found)).unwrap_or(usize::MAX);
        let miniz_order = lookup::miniz_order(&entries, visible);
        anomalies.extend(lookup::duplicates(&entries, &miniz_order));
        Ok(Archive {
            data,
            entries,
            anomalies,
            prepended,
            miniz_order,
            max_ratio: super::MAX_RATIO,
        })
    }
}

fn end_anomalies(data: &[u8], end: &EndRecord) -> Vec<ZipAnomaly> {
    let mut anomalies = Vec::new();
    let len = data.len() as u64;
    let record_end = end
        .position
        .saturating_add(22)
        .saturating_add(end.comment_len);
    if record_end < len {
        anomalies.push(ZipAnomaly::new(
            Kind::TrailingData,
            format!("{} bytes after the end record", len - record_end),
        ));
    } else if record_end > len {
        anomalies.push(ZipAnomaly::new(
            Kind::CommentTruncated,
            format!("comment claims {} bytes, input ends first", end.comment_len),
        ));
    }
    if end.zip64_missing {
        anomalies.push(ZipAnomaly::new(
            Kind::Zip64RecordMissing,
            "zip64 locator without a zip64 end record; using 32-bit values",
        ));
    }
    if end.disk != 0 || end.cd_disk != 0 {
        anomalies.push(ZipAnomaly::new(
            Kind::MultiDisk,
            format!(
                "disk {} with central directory on disk {}",
                end.disk, end.cd_disk
            ),
        ));
    }
    anomalies
}

/// Walks the central directory until its bytes run out; stops at the first
/// header that is cut short or unsigned, as a lenient reader would.
fn read_central<'a>(
    data: &'a [u8],
    cd: &'a [u8],
    prepended: u64,
    anomalies: &mut Vec<ZipAnomaly>,
) -> Result<Vec<Entry<'a>>, ZipError> {
    let most = (cd.len() as u64 / records::CENTRAL_LEN).min(MAX_ENTRIES);
    let mut entries = Vec::with_capacity(usize::try_from(most).unwrap_or(0));
    let mut at = 0usize;
    while let Some(rest) = cd.get(at..).filter(|r| !r.is_empty()) {
        let Some(header) = records::decode_central(rest) else {
            anomalies.push(ZipAnomaly::new(
                Kind::TruncatedCentralDirectory,
                format!(
                    "no complete central header at directory offset {at} ({} bytes left)",
                    rest.len()
                ),
            ));
            break;
        };
        if entries.len() as u64 >= MAX_ENTRIES {
            return Err(ZipError::TooManyEntries {
                claimed: entries.len() as u64 + 1,
                limit: MAX_ENTRIES,
            });
        }
        let step = usize::try_from(header.record_len).unwrap_or(usize::MAX);
        entries.push(build_entry(data, header, entries.len(), prepended));
        at = at.saturating_add(step);
    }
    Ok(entries)
}

fn build_entry<'a>(
    data: &'a [u8],
    h: CentralHeader<'a>,
    index: usize,
    prepended: u64,
) -> Entry<'a> {
    let mut anomalies = central_anomalies(&h);
    let local_at = h.local_offset.checked_add(prepended);
    let local = local_at.and_then(|at| records::decode_local(data, at));
    let mut data_offset = None;
    match (&local, local_at) {
        (Some(l), Some(at)) => {
            anomalies.extend(local_anomalies(&h, l));
            data_offset = at.checked_add(l.data_start);
            let data_end = data_offset.and_then(|d| d.checked_add(h.compressed_size));
            if data_end.is_none_or(|e| e > data.len() as u64) {
                anomalies.push(ZipAnomaly::new(
                    Kind::DataPastEnd,
                    format!(
                        "{} bytes of data claimed at offset {}, input is {} bytes",
                        h.compressed_size,
                        data_offset.unwrap_or(u64::MAX),
                        data.len()
                    ),
                ));
            }
        }
        _ => anomalies.push(ZipAnomaly::new(
            Kind::BadLocalHeader,
            format!("no local header signature at offset {}", h.local_offset),
        )),
    }
    Entry {
        index,
        name: String::from_utf8_lossy(h.name).into_owned(),
        name_raw: h.name,
        method: h.method,
        flags: h.flags,
        crc32: h.crc32,
        compressed_size: h.compressed_size,
        uncompressed_size: h.uncompressed_size,
        local_header_offset: h.local_offset,
        local: local.map(|l| LocalHeader {
            name_raw: l.name,
            flags: l.flags,
            method: l.method,
            crc32: l.crc32,
            compressed_size: l.compressed_size,
            uncompressed_size: l.uncompressed_size,
        }),
        data_offset,
        anomalies,
    }
}

fn central_anomalies(h: &CentralHeader<'_>) -> Vec<ZipAnomaly> {
    let mut out = Vec::new();
    let encryption = h.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_LOCAL);
    if encryption != 0 {
        out.push(ZipAnomaly::new(
            Kind::Encrypted,
            format!(
                "encryption flags {encryption:#06x}; miniz's extract (torch.load's getRecord) and \
                 zipfile refuse the entry, offset-based reads (get_record_offset, mmap=True) take \
                 the bytes anyway"
            ),
        ));
    }
    let unusual = h.flags & !(ORDINARY_FLAGS | encryption);
    if unusual != 0 {
        out.push(ZipAnomaly::new(
            Kind::UnusualFlags,
            format!("general-purpose flags {unusual:#06x}"),
        ));
    }
    if h.method != METHOD_STORED && h.method != METHOD_DEFLATED {
        out.push(ZipAnomaly::new(
            Kind::UnsupportedMethod,
            format!("compression method {}; miniz reads only 0 and 8", h.method),
        ));
    }
    if h.method == METHOD_STORED && h.compressed_size != h.uncompressed_size {
        out.push(ZipAnomaly::new(
            Kind::StoredSizeMismatch,
            format!(
                "stored entry with compressed size {} and uncompressed size {}",
                h.compressed_size, h.uncompressed_size
            ),
        ));
    }
    if let Some(why) = unsafe_path(h.name) {
        out.push(ZipAnomaly::new(Kind::UnsafePath, why));
    }
    if h.zip64_malformed {
        out.push(ZipAnomaly::new(
            Kind::Zip64ExtraMalformed,
            "a field is marked zip64 but the zip64 extra field lacks it",
        ));
    }
    out
}

fn local_anomalies(h: &CentralHeader<'_>, l: &LocalRecord<'_>) -> Vec<ZipAnomaly> {
    let mut out = Vec::new();
    if l.name != h.name {
        out.push(ZipAnomaly::new(
            Kind::LocalNameMismatch,
            format!(
                "local header names {:?}, central directory {:?}; zipfile refuses this, miniz reads it",
                String::from_utf8_lossy(l.name),
                String::from_utf8_lossy(h.name)
            ),
        ));
    }
    // With a data descriptor (or masked values) the local fields may be 0.
    let deferred = l.flags & (FLAG_DATA_DESCRIPTOR | FLAG_MASKED_LOCAL) != 0;
    let differs = |local: u64, central: u64| local != central && !(deferred && local == 0);
    let mut fields = Vec::new();
    if l.method != h.method {
        fields.push(format!("method {} vs {}", l.method, h.method));
    }
    if differs(l.compressed_size, h.compressed_size) {
        fields.push(format!(
            "compressed size {} vs {}",
            l.compressed_size, h.compressed_size
        ));
    }
    if differs(l.uncompressed_size, h.uncompressed_size) {
        fields.push(format!(
            "uncompressed size {} vs {}",
            l.uncompressed_size, h.uncompressed_size
        ));
    }
    if differs(u64::from(l.crc32), u64::from(h.crc32)) {
        fields.push(format!("crc32 {:#010x} vs {:#010x}", l.crc32, h.crc32));
    }
    if !fields.is_empty() {
        out.push(ZipAnomaly::new(
            Kind::LocalHeaderMismatch,
            format!("local vs central: {}", fields.join(", ")),
        ));
    }
    out
}

/// Why a name would escape an extraction directory, if it would.
fn unsafe_path(name: &[u8]) -> Option<String> {
    let shown = String::from_utf8_lossy(name);
    let absolute = matches!(name.first(), Some(b'/' | b'\\'))
        || matches!(name, [drive, b':', ..] if drive.is_ascii_alphabetic());
    if absolute {
        return Some(format!("absolute path {shown:?}"));
    }
    if name
        .split(|b| *b == b'/' || *b == b'\\')
        .any(|part| part == b"..")
    {
        return Some(format!("parent-directory component in {shown:?}"));
    }
    if name.contains(&0) {
        return Some(format!("NUL byte in {shown:?}"));
    }
    None
}

/// Pairs of entries (or an entry and the central directory) whose byte
/// ranges overlap, reported once per later-starting range.
fn overlaps(entries: &[Entry<'_>], prepended: u64, cd_start: u64, cd_end: u64) -> Vec<ZipAnomaly> {
    // (start, end, owner); owner None is the central directory.
    let mut spans: Vec<(u64, u64, Option<usize>)> = entries
        .iter()
        .filter_map(|e| {
            let start = e.local_header_offset.checked_add(prepended)?;
            let end = e.data_offset?.saturating_add(e.compressed_size);
            Some((start, end, Some(e.index)))
        })
        .collect();
    spans.push((cd_start, cd_end, None));
    spans.sort_unstable();
    let name = |owner: Option<usize>| match owner {
        Some(i) => format!("entry #{i}"),
        None => "the central directory".to_string(),
    };
    let mut out = Vec::new();
    let mut reach: Option<(u64, Option<usize>)> = None;
    for (start, end, owner) in spans {
        if let Some((far, far_owner)) = reach {
            if start < far {
                out.push(ZipAnomaly::new(
                    Kind::OverlappingEntries,
                    format!("{} overlaps {}", name(owner), name(far_owner)),
                ));
            }
            if end > far {
                reach = Some((end, owner));
            }
        } else {
            reach = Some((end, owner));
        }
    }
    out
}
