//! A small zip writer for tests: normal archives and tampered ones (wrong
//! CRC, flags, mismatched local headers, zip64, prepended bytes, cut
//! directories, absurd sizes). Test-only; it favours knobs over speed.

use std::io::Write;

use flate2::Compression;
use flate2::write::DeflateEncoder;

#[derive(Clone, Default)]
pub(super) struct Member {
    name: Vec<u8>,
    data: Vec<u8>,
    deflate: bool,
    method: Option<u16>,
    flags: u16,
    crc: Option<u32>,
    local_name: Option<Vec<u8>>,
    local_method: Option<u16>,
    compressed_size: Option<u64>,
    uncompressed_size: Option<u64>,
    local_sizes: Option<(u64, u64)>,
    zip64: bool,
    /// Point the central entry at another member's local header.
    alias_of: Option<usize>,
}

impl Member {
    pub fn deflate(&mut self) -> &mut Self {
        self.deflate = true;
        self
    }
    pub fn method(&mut self, method: u16) -> &mut Self {
        self.method = Some(method);
        self
    }
    pub fn flags(&mut self, flags: u16) -> &mut Self {
        self.flags = flags;
        self
    }
    pub fn crc(&mut self, crc: u32) -> &mut Self {
        self.crc = Some(crc);
        self
    }
    pub fn local_name(&mut self, name: &str) -> &mut Self {
        self.local_name = Some(name.as_bytes().to_vec());
        self
    }
    pub fn local_method(&mut self, method: u16) -> &mut Self {
        self.local_method = Some(method);
        self
    }
    /// Central (and, unless overridden, local) sizes to claim.
    pub fn sizes(&mut self, compressed: u64, uncompressed: u64) -> &mut Self {
        self.compressed_size = Some(compressed);
        self.uncompressed_size = Some(uncompressed);
        self
    }
    pub fn local_sizes(&mut self, compressed: u64, uncompressed: u64) -> &mut Self {
        self.local_sizes = Some((compressed, uncompressed));
        self
    }
    pub fn zip64(&mut self) -> &mut Self {
        self.zip64 = true;
        self
    }
    pub fn alias_of(&mut self, index: usize) -> &mut Self {
        self.alias_of = Some(index);
        self
    }
}

#[derive(Default)]
pub(super) struct ZipWriter {
    members: Vec<Member>,
    prepend: Vec<u8>,
    trailing: Vec<u8>,
    comment: Vec<u8>,
    zip64_end: bool,
    claimed_entries: Option<u64>,
    cut_directory: usize,
}

impl ZipWriter {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn member(&mut self, name: &str, data: &[u8]) -> &mut Member {
        self.member_raw(name.as_bytes(), data)
    }
    pub fn member_raw(&mut self, name: &[u8], data: &[u8]) -> &mut Member {
        self.members.push(Member {
            name: name.to_vec(),
            data: data.to_vec(),
            ..Member::default()
        });
        let last = self.members.len() - 1;
        &mut self.members[last]
    }
    pub fn prepend(&mut self, bytes: &[u8]) -> &mut Self {
        self.prepend = bytes.to_vec();
        self
    }
    pub fn trailing(&mut self, bytes: &[u8]) -> &mut Self {
        self.trailing = bytes.to_vec();
        self
    }
    pub fn comment(&mut self, bytes: &[u8]) -> &mut Self {
        self.comment = bytes.to_vec();
        self
    }
    pub fn zip64_end(&mut self) -> &mut Self {
        self.zip64_end = true;
        self
    }
    pub fn claimed_entries(&mut self, n: u64) -> &mut Self {
        self.claimed_entries = Some(n);
        self
    }
    /// Drop this many bytes from the end of the central directory.
    pub fn cut_directory(&mut self, n: usize) -> &mut Self {
        self.cut_directory = n;
        self
    }

    pub fn build(&self) -> Vec<u8> {
        let mut out = self.prepend.clone();
        let base = out.len();
        let mut offsets = Vec::new();
        let mut bodies = Vec::new();
        for m in &self.members {
            let body = if m.deflate {
                let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
                enc.write_all(&m.data).unwrap();
                enc.finish().unwrap()
            } else {
                m.data.clone()
            };
            let offset = (out.len() - base) as u64;
            if m.alias_of.is_none() {
                write_local(&mut out, m, &body);
            }
            offsets.push(offset);
            bodies.push(body);
        }
        let cd_start = (out.len() - base) as u64;
        for (i, m) in self.members.iter().enumerate() {
            let offset = offsets[m.alias_of.unwrap_or(i)];
            write_central(&mut out, m, &bodies[i], offset);
        }
        out.truncate(out.len() - self.cut_directory);
        let cd_size = (out.len() - base) as u64 - cd_start;
        let count = self.claimed_entries.unwrap_or(self.members.len() as u64);
        if self.zip64_end {
            let record_at = (out.len() - base) as u64;
            put32(&mut out, 0x0606_4b50);
            put64(&mut out, 44);
            put16(&mut out, 45);
            put16(&mut out, 45);
            put32(&mut out, 0);
            put32(&mut out, 0);
            put64(&mut out, count);
            put64(&mut out, count);
            put64(&mut out, cd_size);
            put64(&mut out, cd_start);
            put32(&mut out, 0x0706_4b50);
            put32(&mut out, 0);
            put64(&mut out, record_at);
            put32(&mut out, 1);
        }
        let small = |v: u64| if self.zip64_end { u32::MAX } else { v as u32 };
        put32(&mut out, 0x0605_4b50);
        put16(&mut out, 0);
        put16(&mut out, 0);
        let count16 = if self.zip64_end {
            u16::MAX
        } else {
            count as u16
        };
        put16(&mut out, count16);
        put16(&mut out, count16);
        put32(&mut out, small(cd_size));
        put32(&mut out, small(cd_start));
        put16(&mut out, self.comment.len() as u16);
        out.extend_from_slice(&self.comment);
        out.extend_from_slice(&self.trailing);
        out
    }
}

fn crc_of(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

fn method_of(m: &Member) -> u16 {
    m.method.unwrap_or(if m.deflate { 8 } else { 0 })
}

fn write_local(out: &mut Vec<u8>, m: &Member, body: &[u8]) {
    let (csize, usize_) = m.local_sizes.unwrap_or((
        m.compressed_size.unwrap_or(body.len() as u64),
        m.uncompressed_size.unwrap_or(m.data.len() as u64),
    ));
    let name = m.local_name.as_ref().unwrap_or(&m.name);
    let mut extra = Vec::new();
    if m.zip64 {
        put16(&mut extra, 1);
        put16(&mut extra, 16);
        put64(&mut extra, usize_);
        put64(&mut extra, csize);
    }
    put32(out, 0x0403_4b50);
    put16(out, if m.zip64 { 45 } else { 20 });
    put16(out, m.flags);
    put16(out, m.local_method.unwrap_or(method_of(m)));
    put16(out, 0);
    put16(out, 0);
    put32(out, m.crc.unwrap_or(crc_of(&m.data)));
    put32(out, if m.zip64 { u32::MAX } else { csize as u32 });
    put32(out, if m.zip64 { u32::MAX } else { usize_ as u32 });
    put16(out, name.len() as u16);
    put16(out, extra.len() as u16);
    out.extend_from_slice(name);
    out.extend_from_slice(&extra);
    out.extend_from_slice(body);
}

fn write_central(out: &mut Vec<u8>, m: &Member, body: &[u8], offset: u64) {
    let csize = m.compressed_size.unwrap_or(body.len() as u64);
    let usize_ = m.uncompressed_size.unwrap_or(m.data.len() as u64);
    let mut extra = Vec::new();
    if m.zip64 {
        put16(&mut extra, 1);
        put16(&mut extra, 24);
        put64(&mut extra, usize_);
        put64(&mut extra, csize);
        put64(&mut extra, offset);
    }
    put32(out, 0x0201_4b50);
    put16(out, if m.zip64 { 45 } else { 20 });
    put16(out, if m.zip64 { 45 } else { 20 });
    put16(out, m.flags);
    put16(out, method_of(m));
    put16(out, 0);
    put16(out, 0);
    put32(out, m.crc.unwrap_or(crc_of(&m.data)));
    put32(out, if m.zip64 { u32::MAX } else { csize as u32 });
    put32(out, if m.zip64 { u32::MAX } else { usize_ as u32 });
    put16(out, m.name.len() as u16);
    put16(out, extra.len() as u16);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put32(out, 0);
    put32(out, if m.zip64 { u32::MAX } else { offset as u32 });
    out.extend_from_slice(&m.name);
    out.extend_from_slice(&extra);
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
