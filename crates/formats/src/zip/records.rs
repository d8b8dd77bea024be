//! The fixed-layout records of APPNOTE.TXT: end of central directory (and
//! its zip64 locator and record), central directory file headers and local
//! file headers, plus the zip64 extended-information extra field.
//!
//! Decoding only: these functions take byte slices and return plain values
//! or `None` when a record is short or its signature is wrong. Deciding
//! what that means (an error or an anomaly) is the caller's job.

use crate::bytes::{slice, u16_at, u32_at, u64_at};

pub(super) const LOCAL_SIG: u32 = 0x0403_4b50;
pub(super) const LOCAL_LEN: u64 = 30;
pub(super) const CENTRAL_SIG: u32 = 0x0201_4b50;
pub(super) const CENTRAL_LEN: u64 = 46;
const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD_LEN: u64 = 22;
const LOCATOR_SIG: u32 = 0x0706_4b50;
const LOCATOR_LEN: u64 = 20;
const EOCD64_SIG: u32 = 0x0606_4b50;
const EOCD64_LEN: u64 = 56;
const ZIP64_EXTRA_ID: u16 = 0x0001;
/// A 32-bit size or offset with this value defers to the zip64 extra field.
pub(super) const ZIP64_MARK: u32 = u32::MAX;
const ZIP64_MARK_16: u16 = u16::MAX;

/// The end of central directory, with zip64 values applied when present.
#[derive(Debug, Clone)]
pub(super) struct EndRecord {
    /// Offset of the 32-bit EOCD record in the input.
    pub position: u64,
    /// Bytes of zip64 record and locator sitting just before `position`.
    pub zip64_len: u64,
    pub disk: u32,
    pub cd_disk: u32,
    pub entries: u64,
    pub cd_size: u64,
    pub cd_offset: u64,
    pub comment_len: u64,
    /// A zip64 locator was found but no zip64 record where it points.
    pub zip64_missing: bool,
}

/// Finds the last EOCD signature with a full record after it, searching no
/// further back than the longest possible comment (as miniz and zipfile do).
pub(super) fn find_end(data: &[u8], max_comment: u64) -> Option<EndRecord> {
    let len = data.len() as u64;
    let last = len.checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(max_comment);
    let mut pos = last;
    loop {
        if read_u32(data, pos) == Some(EOCD_SIG) {
            return decode_end(data, pos);
        }
        if pos == first {
            return None;
        }
        pos -= 1;
    }
}

fn decode_end(data: &[u8], pos: u64) -> Option<EndRecord> {
    let rec = slice(data, pos, EOCD_LEN)?;
    let mut end = EndRecord {
        position: pos,
        zip64_len: 0,
        disk: u32::from(u16_at(rec, 4)?),
        cd_disk: u32::from(u16_at(rec, 6)?),
        entries: u64::from(u16_at(rec, 10)?),
        cd_size: u64::from(u32_at(rec, 12)?),
        cd_offset: u64::from(u32_at(rec, 16)?),
        comment_len: u64::from(u16_at(rec, 20)?),
        zip64_missing: false,
    };
    let Some(locator_pos) = pos.checked_sub(LOCATOR_LEN) else {
        return Some(end);
    };
    let Some(locator) = slice(data, locator_pos, LOCATOR_LEN) else {
        return Some(end);
    };
    if u32_at(locator, 0) != Some(LOCATOR_SIG) {
        return Some(end);
    }
    // zipfile reads the zip64 record just before the locator, which also
    // works when data was prepended; the locator's own offset is a fallback.
    let before = locator_pos.checked_sub(EOCD64_LEN);
    let claimed = u64_at(locator, 8);
    let record = [before, claimed]
        .into_iter()
        .flatten()
        .find_map(|at| decode_end64(data, at));
    match record {
        Some(r) => {
            end.disk = r.disk;
            end.cd_disk = r.cd_disk;
            end.entries = r.entries;
            end.cd_size = r.cd_size;
            end.cd_offset = r.cd_offset;
            end.zip64_len = LOCATOR_LEN + EOCD64_LEN;
        }
        None => end.zip64_missing = true,
    }
    Some(end)
}

struct End64 {
    disk: u32,
    cd_disk: u32,
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
}

fn decode_end64(data: &[u8], at: u64) -> Option<End64> {
    let rec = slice(data, at, EOCD64_LEN)?;
    if u32_at(rec, 0)? != EOCD64_SIG {
        return None;
    }
    Some(End64 {
        disk: u32_at(rec, 16)?,
        cd_disk: u32_at(rec, 20)?,
        entries: u64_at(rec, 32)?,
        cd_size: u64_at(rec, 40)?,
        cd_offset: u64_at(rec, 48)?,
    })
}

/// One central directory file header, zip64 values applied.
#[derive(Debug, Clone)]
pub(super) struct CentralHeader<'a> {
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub local_offset: u64,
    pub disk: u32,
    pub name: &'a [u8],
    /// A size or offset was marked zip64 but the extra field lacked it.
    pub zip64_malformed: bool,
    /// Total length of this header including name, extra and comment.
    pub record_len: u64,
}

/// Decodes the central header at the start of `cd`; `None` when the
/// signature is wrong or the header or its variable fields are cut short.
pub(super) fn decode_central(cd: &[u8]) -> Option<CentralHeader<'_>> {
    if u32_at(cd, 0)? != CENTRAL_SIG {
        return None;
    }
    let name_len = u64::from(u16_at(cd, 28)?);
    let extra_len = u64::from(u16_at(cd, 30)?);
    let comment_len = u64::from(u16_at(cd, 32)?);
    let name = slice(cd, CENTRAL_LEN, name_len)?;
    let extra = slice(cd, CENTRAL_LEN + name_len, extra_len)?;
    let record_len = CENTRAL_LEN + name_len + extra_len + comment_len;
    slice(cd, 0, record_len)?;
    let mut header = CentralHeader {
        flags: u16_at(cd, 8)?,
        method: u16_at(cd, 10)?,
        crc32: u32_at(cd, 16)?,
        compressed_size: u64::from(u32_at(cd, 20)?),
        uncompressed_size: u64::from(u32_at(cd, 24)?),
        disk: u32::from(u16_at(cd, 34)?),
        local_offset: u64::from(u32_at(cd, 42)?),
        name,
        zip64_malformed: false,
        record_len,
    };
    let raw_disk = u16_at(cd, 34)?;
    let mut wanted = Zip64Wanted {
        uncompressed: header.uncompressed_size == u64::from(ZIP64_MARK),
        compressed: header.compressed_size == u64::from(ZIP64_MARK),
        offset: header.local_offset == u64::from(ZIP64_MARK),
        disk: raw_disk == ZIP64_MARK_16,
    };
    if wanted.any() {
        let values = zip64_values(extra, &mut wanted);
        header.zip64_malformed = wanted.any();
        if let Some(v) = values.uncompressed {
            header.uncompressed_size = v;
        }
        if let Some(v) = values.compressed {
            header.compressed_size = v;
        }
        if let Some(v) = values.offset {
            header.local_offset = v;
        }
        if let Some(v) = values.disk {
            header.disk = v;
        }
    }
    Some(header)
}

/// One local file header, zip64 sizes applied.
#[derive(Debug, Clone)]
pub(super) struct LocalRecord<'a> {
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub name: &'a [u8],
    /// Offset of the member data relative to the start of the header.
    pub data_start: u64,
}

/// Decodes the local header at `at`; `None` when it is short or its
/// signature is wrong.
pub(super) fn decode_local(data: &[u8], at: u64) -> Option<LocalRecord<'_>> {
    let head = slice(data, at, LOCAL_LEN)?;
    if u32_at(head, 0)? != LOCAL_SIG {
        return None;
    }
    let name_len = u64::from(u16_at(head, 26)?);
    let extra_len = u64::from(u16_at(head, 28)?);
    let name = slice(data, at.checked_add(LOCAL_LEN)?, name_len)?;
    let extra_at = at.checked_add(LOCAL_LEN + name_len)?;
    // A cut extra field still lets miniz compute the data offset; only the
    // zip64 sizes in it are lost.
    let extra = slice(data, extra_at, extra_len).unwrap_or_default();
    let mut local = LocalRecord {
        flags: u16_at(head, 6)?,
        method: u16_at(head, 8)?,
        crc32: u32_at(head, 14)?,
        compressed_size: u64::from(u32_at(head, 18)?),
        uncompressed_size: u64::from(u32_at(head, 22)?),
        name,
        data_start: LOCAL_LEN + name_len + extra_len,
    };
    let mut wanted = Zip64Wanted {
        uncompressed: local.uncompressed_size == u64::from(ZIP64_MARK),
        compressed: local.compressed_size == u64::from(ZIP64_MARK),
        offset: false,
        disk: false,
    };
    if wanted.any() {
        let values = zip64_values(extra, &mut wanted);
        if let Some(v) = values.uncompressed {
            local.uncompressed_size = v;
        }
        if let Some(v) = values.compressed {
            local.compressed_size = v;
        }
    }
    Some(local)
}

/// Which fields the zip64 extra must supply, in APPNOTE order.
struct Zip64Wanted {
    uncompressed: bool,
    compressed: bool,
    offset: bool,
    disk: bool,
}

impl Zip64Wanted {
    fn any(&self) -> bool {
        self.uncompressed || self.compressed || self.offset || self.disk
    }
}

#[derive(Default)]
struct Zip64Values {
    uncompressed: Option<u64>,
    compressed: Option<u64>,
    offset: Option<u64>,
    disk: Option<u32>,
}

/// Reads the zip64 extra field; clears each `wanted` flag it satisfies.
fn zip64_values(extra: &[u8], wanted: &mut Zip64Wanted) -> Zip64Values {
    let mut values = Zip64Values::default();
    let mut at = 0usize;
    while let (Some(id), Some(size)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let body_at = at + 4;
        let Some(body) = extra.get(body_at..body_at + usize::from(size)) else {
            break;
        };
        if id == ZIP64_EXTRA_ID {
            let mut pos = 0usize;
            let mut take = |flag: &mut bool| -> Option<u64> {
                if !*flag {
                    return None;
                }
                let v = u64_at(body, pos)?;
                pos += 8;
                *flag = false;
                Some(v)
            };
            values.uncompressed = take(&mut wanted.uncompressed);
            values.compressed = take(&mut wanted.compressed);
            values.offset = take(&mut wanted.offset);
            if wanted.disk
                && let Some(d) = u32_at(body, pos)
            {
                values.disk = Some(d);
                wanted.disk = false;
            }
            break;
        }
        at = body_at + usize::from(size);
    }
    values
}

fn read_u32(data: &[u8], at: u64) -> Option<u32> {
    u32_at(data, usize::try_from(at).ok()?)
}
