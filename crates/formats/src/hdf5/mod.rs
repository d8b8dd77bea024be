//! HDF5: the root group's attributes, read without the HDF5 library.
//!
//! Legacy Keras `.h5` models keep the whole model as JSON in the root
//! group's `model_config` attribute (and the compile settings in
//! `training_config`); h5py writes them as variable-length strings, whose
//! bytes live in a global heap collection. That is all this reader serves:
//!
//! - the superblock (versions 0–3, found at 0 or after a user block of
//!   512 · 2ⁿ bytes), for the sizes of offsets and lengths and the root
//!   group's object header;
//! - the root object header (version 1, or version 2 `OHDR` with its
//!   `OCHK` continuation chunks), for its attribute messages;
//! - each attribute's datatype and dataspace, and its value when it is a
//!   string (fixed-length inline, or variable-length through the global
//!   heap); other values are described, not decoded.
//!
//! Attributes kept in dense storage (which HDF5 uses past eight attributes
//! in files written with the newest format) are read through the name
//! index, a version 2 B-tree whose root is a leaf, from a fractal heap whose
//! root is a direct block or an indirect block of direct blocks; deeper
//! trees and heaps, and "huge" heap objects, are not followed, and
//! [`Root::dense_unread`] says so, so that a caller can report the file as
//! not fully read. Checksums are not verified: a corrupt file is read as far
//! as its structure allows.
//!
//! Every address is checked against the input, every count against a named
//! limit, every product with checked arithmetic; continuation chains are
//! bounded and cannot loop.

use crate::bytes::slice;
use std::collections::HashMap;

#[cfg(test)]
mod tests;

/// The format signature, at the start of the superblock.
pub const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";
/// Object header chunks read (the first plus its continuations).
pub const MAX_CHUNKS: usize = 256;
/// Messages read from one object header.
pub const MAX_MESSAGES: usize = 65_536;
/// Attributes kept from the root group.
pub const MAX_ATTRIBUTES: usize = 4096;
/// String elements decoded from one attribute.
pub const MAX_ELEMENTS: u64 = 65_536;
/// Bytes of string values decoded from the whole file.
pub const MAX_VALUE_BYTES: u64 = 256 << 20;
/// Objects indexed in one global heap collection.
pub const MAX_HEAP_OBJECTS: usize = 1 << 20;
/// Global heap collections indexed in one file.
pub const MAX_COLLECTIONS: usize = 4096;
/// Dataspace rank accepted (HDF5's own limit).
pub const MAX_RANK: u8 = 32;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("no HDF5 signature")]
    NoSignature,
    #[error("{what} at byte {at} runs past the end of the file")]
    Truncated { what: &'static str, at: u64 },
    #[error("{what} at byte {at}: {detail}")]
    Malformed {
        what: &'static str,
        at: u64,
        detail: String,
    },
    #[error("{what} version {version} is not supported")]
    Unsupported { what: &'static str, version: u8 },
    #[error("{what} exceeds the limit of {limit}")]
    Limit { what: &'static str, limit: u64 },
}

/// The root group's attributes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Root {
    pub superblock_version: u8,
    /// Where the superblock is (the size of the user block before it).
    pub superblock_offset: u64,
    pub attributes: Vec<Attribute>,
    /// The root keeps attributes in dense storage (a fractal heap indexed
    /// by a version 2 B-tree), and they were read.
    pub dense_read: bool,
    /// The root keeps attributes in dense storage that could not be read
    /// (a layout this reader does not follow, or a broken one), and why.
    pub dense_unread: Option<String>,
    /// Attribute messages that are shared (stored elsewhere), not read.
    pub shared_attributes: usize,
}

impl Root {
    /// Keep one more attribute, under [`MAX_ATTRIBUTES`].
    fn add(&mut self, a: Attribute) -> Result<(), Error> {
        if self.attributes.len() >= MAX_ATTRIBUTES {
            return Err(Error::Limit {
                what: "root attributes",
                limit: MAX_ATTRIBUTES as u64,
            });
        }
        self.attributes.push(a);
        Ok(())
    }

    /// The attribute called `name`.
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// One attribute of the root group.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub value: Value,
}

/// An attribute's value, as far as it is decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// String elements (one for a scalar), fixed or variable length,
    /// with their padding removed.
    Strings(Vec<Vec<u8>>),
    /// Any other datatype: its HDF5 class number, element size and count.
    Other { class: u8, size: u32, elements: u64 },
    /// A string attribute whose value could not be read, and why.
    Unreadable(String),
}

impl Value {
    /// The only string of a scalar (or one-element) string attribute.
    pub fn as_single_string(&self) -> Option<&[u8]> {
        match self {
            Value::Strings(v) if v.len() == 1 => v.first().map(Vec::as_slice),
            _ => None,
        }
    }
}

/// Is there an HDF5 superblock at the start of `data` (or after a user block)?
pub fn looks_like(data: &[u8]) -> bool {
    find_superblock(data).is_some()
}

/// The offset of the superblock: 0, 512, 1024, 2048, ...
pub fn find_superblock(data: &[u8]) -> Option<u64> {
    let mut at: u64 = 0;
    loop {
        if slice(data, at, 8)? == SIGNATURE {
            return Some(at);
        }
        at = if at == 0 { 512 } else { at.checked_mul(2)? };
    }
}

/// Read the root group's attributes.
pub fn read_root(data: &[u8]) -> Result<Root, Error> {
    let sb = find_superblock(data).ok_or(Error::NoSignature)?;
    let mut r = Reader {
        data,
        base: sb,
        offset_size: 8,
        length_size: 8,
        heaps: HashMap::new(),
        value_bytes: 0,
    };
    let (version, root_header) = r.superblock(sb)?;
    let mut root = Root {
        superblock_version: version,
        superblock_offset: sb,
        ..Root::default()
    };
    let messages = r.object_header(root_header)?;
    for m in messages {
        match m.kind {
            MSG_ATTRIBUTE if m.flags & FLAG_SHARED != 0 => root.shared_attributes += 1,
            MSG_ATTRIBUTE => {
                let a = r.attribute(&m)?;
                root.add(a)?;
            }
            MSG_ATTRIBUTE_INFO => {
                if let Some(info) = r.attribute_info(&m)? {
                    match r.dense_attributes(&info) {
                        Ok(attrs) => {
                            root.dense_read = true;
                            for a in attrs {
                                root.add(a)?;
                            }
                        }
                        Err(e) => root.dense_unread = Some(e.to_string()),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(root)
}

const MSG_NIL: u16 = 0x00;
const MSG_CONTINUATION: u16 = 0x10;
const MSG_ATTRIBUTE: u16 = 0x0c;
const MSG_ATTRIBUTE_INFO: u16 = 0x15;
/// Header message flag: the message is shared (stored elsewhere).
const FLAG_SHARED: u8 = 0x02;

/// A header message: its type, flags and where its data is.
struct Message {
    kind: u16,
    flags: u8,
    /// Absolute offset of the data in the input.
    at: u64,
    len: u64,
}

struct Reader<'a> {
    data: &'a [u8],
    /// Addresses in the file are relative to the superblock.
    base: u64,
    offset_size: u8,
    length_size: u8,
    /// Global heap collections indexed so far: object index → (start, len).
    heaps: HashMap<u64, HashMap<u16, (u64, u64)>>,
    value_bytes: u64,
}

/// A cursor over the input with bounded little-endian reads.
struct Cursor<'a> {
    data: &'a [u8],
    pos: u64,
    what: &'static str,
}

impl Cursor<'_> {
    fn bytes(&mut self, n: u64) -> Result<&[u8], Error> {
        let b = slice(self.data, self.pos, n).ok_or(Error::Truncated {
            what: self.what,
            at: self.pos,
        })?;
        self.pos = self.pos.saturating_add(n);
        Ok(b)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.bytes(1)?.first().copied().unwrap_or(0))
    }

    /// An unsigned little-endian integer of `n` bytes (n ≤ 8).
    fn uint(&mut self, n: u8) -> Result<u64, Error> {
        let b = self.bytes(u64::from(n))?;
        Ok(b.iter()
            .rev()
            .fold(0u64, |acc, &x| acc.wrapping_shl(8) | u64::from(x)))
    }

    fn skip(&mut self, n: u64) -> Result<(), Error> {
        self.bytes(n).map(|_| ())
    }
}

impl<'a> Reader<'a> {
    fn cursor(&self, at: u64, what: &'static str) -> Cursor<'a> {
        Cursor {
            data: self.data,
            pos: at,
            what,
        }
    }

    /// A file address (relative to the base) as an input offset; `None`
    /// for the undefined address (all bits set).
    fn address(&self, raw: u64, what: &'static str) -> Result<Option<u64>, Error> {
        let undefined = if self.offset_size >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * u32::from(self.offset_size))) - 1
        };
        if raw == undefined {
            return Ok(None);
        }
        let at = self.base.checked_add(raw).ok_or(Error::Malformed {
            what,
            at: raw,
            detail: "address overflows".into(),
        })?;
        if at >= self.data.len() as u64 {
            return Err(Error::Truncated { what, at });
        }
        Ok(Some(at))
    }

    fn required_address(&self, raw: u64, what: &'static str) -> Result<u64, Error> {
        self.address(raw, what)?.ok_or(Error::Malformed {
            what,
            at: raw,
            detail: "undefined address".into(),
        })
    }

    /// Parse the superblock; returns its version and the root object
    /// header's offset.
    fn superblock(&mut self, at: u64) -> Result<(u8, u64), Error> {
        let mut c = self.cursor(at, "superblock");
        c.skip(8)?;
        let version = c.u8()?;
        let sizes = |o: u8, l: u8| -> Result<(u8, u8), Error> {
            for (what, v) in [("size of offsets", o), ("size of lengths", l)] {
                if !matches!(v, 2 | 4 | 8) {
                    return Err(Error::Malformed {
                        what,
                        at,
                        detail: format!("{v} bytes"),
                    });
                }
            }
            Ok((o, l))
        };
        match version {
            0 | 1 => {
                c.skip(4)?; // free-space, root entry, reserved, shared header versions
                let (o, l) = sizes(c.u8()?, c.u8()?)?;
                (self.offset_size, self.length_size) = (o, l);
                c.skip(1 + 2 + 2 + 4)?; // reserved, group K values, flags
                if version == 1 {
                    c.skip(4)?; // indexed storage K, reserved
                }
                c.skip(4 * u64::from(o))?; // base, free space, end of file, driver
                // The root group's symbol table entry.
                c.skip(u64::from(o))?; // link name offset
                let header = c.uint(o)?;
                c.skip(4 + 4 + 16)?; // cache type, reserved, scratch pad
                Ok((
                    version,
                    self.required_address(header, "root object header")?,
                ))
            }
            2 | 3 => {
                let (o, l) = sizes(c.u8()?, c.u8()?)?;
                (self.offset_size, self.length_size) = (o, l);
                c.skip(1)?; // flags
                c.skip(3 * u64::from(o))?; // base, extension, end of file
                let header = c.uint(o)?;
                c.skip(4)?; // checksum
                Ok((
                    version,
                    self.required_address(header, "root object header")?,
                ))
            }
            v => Err(Error::Unsupported {
                what: "superblock",
                version: v,
            }),
        }
    }

    /// Every message of the object header at `at`, continuations followed.
    fn object_header(&self, at: u64) -> Result<Vec<Message>, Error> {
        let mut c = self.cursor(at, "object header");
        let first = c.bytes(4)?;
        let v2 = first == b"OHDR";
        // (start, length) of chunks still to read.
        let mut chunks: Vec<(u64, u64)> = Vec::new();
        let mut creation_order = false;
        if v2 {
            let version = c.u8()?;
            if version != 2 {
                return Err(Error::Unsupported {
                    what: "object header",
                    version,
                });
            }
            let flags = c.u8()?;
            if flags & 0x20 != 0 {
                c.skip(16)?; // access, modification, change, birth times
            }
            if flags & 0x10 != 0 {
                c.skip(4)?; // attribute phase change values
            }
            creation_order = flags & 0x04 != 0;
            let size = c.uint(1 << (flags & 0x03))?;
            // The first chunk's checksum follows its `size` bytes.
            chunks.push((c.pos, size));
        } else {
            let version = first.first().copied().unwrap_or(0);
            if version != 1 {
                return Err(Error::Malformed {
                    what: "object header",
                    at,
                    detail: format!("neither OHDR nor version 1 (first byte {version})"),
                });
            }
            c.skip(4)?; // reference count
            let size = c.uint(4)?;
            chunks.push((at.saturating_add(16), size));
        }
        let mut messages = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut read = 0usize;
        while let Some((start, len)) = chunks.pop() {
            read += 1;
            if read > MAX_CHUNKS {
                return Err(Error::Limit {
                    what: "object header chunks",
                    limit: MAX_CHUNKS as u64,
                });
            }
            if !seen.insert(start) {
                return Err(Error::Malformed {
                    what: "object header continuation",
                    at: start,
                    detail: "chunks form a loop".into(),
                });
            }
            let end = start.checked_add(len).ok_or(Error::Truncated {
                what: "object header chunk",
                at: start,
            })?;
            if end > self.data.len() as u64 {
                return Err(Error::Truncated {
                    what: "object header chunk",
                    at: start,
                });
            }
            let mut c = self.cursor(start, "object header message");
            // A gap shorter than a message header may end a chunk.
            let header = if v2 { 4 } else { 8 };
            while c.pos.saturating_add(header) <= end {
                let (kind, size, flags) = if v2 {
                    let kind = u16::from(c.u8()?);
                    let size = c.uint(2)?;
                    let flags = c.u8()?;
                    if creation_order {
                        c.skip(2)?;
                    }
                    (kind, size, flags)
                } else {
                    let kind = c.uint(2)? as u16;
                    let size = c.uint(2)?;
                    let flags = c.u8()?;
                    c.skip(3)?;
                    (kind, size, flags)
                };
                let m = Message {
                    kind,
                    flags,
                    at: c.pos,
                    len: size,
                };
                c.skip(size)?;
                if c.pos > end {
                    return Err(Error::Truncated {
                        what: "object header message",
                        at: m.at,
                    });
                }
                self.take(m, &mut messages, &mut chunks, v2)?;
            }
        }
        Ok(messages)
    }

    /// Keep a message, or queue the chunk a continuation message names.
    fn take(
        &self,
        m: Message,
        messages: &mut Vec<Message>,
        chunks: &mut Vec<(u64, u64)>,
        v2: bool,
    ) -> Result<(), Error> {
        if messages.len() >= MAX_MESSAGES {
            return Err(Error::Limit {
                what: "object header messages",
                limit: MAX_MESSAGES as u64,
            });
        }
        match m.kind {
            MSG_NIL => {}
            MSG_CONTINUATION => {
                let mut c = self.cursor(m.at, "continuation message");
                let raw = c.uint(self.offset_size)?;
                let len = c.uint(self.length_size)?;
                let at = self.required_address(raw, "continuation chunk")?;
                if v2 {
                    let mut s = self.cursor(at, "continuation chunk");
                    if s.bytes(4)? != b"OCHK" {
                        return Err(Error::Malformed {
                            what: "continuation chunk",
                            at,
                            detail: "no OCHK signature".into(),
                        });
                    }
                    // Signature and checksum around the messages.
                    chunks.push((at.saturating_add(4), len.saturating_sub(8)));
                } else {
                    chunks.push((at, len));
                }
            }
            _ => messages.push(m),
        }
        Ok(())
    }

    /// The fractal heap and name index of an attribute info message, when
    /// the object keeps attributes in dense storage.
    fn attribute_info(&self, m: &Message) -> Result<Option<(u64, u64)>, Error> {
        let mut c = self.cursor(m.at, "attribute info message");
        let _version = c.u8()?;
        let flags = c.u8()?;
        if flags & 0x01 != 0 {
            c.skip(2)?;
        }
        let heap = c.uint(self.offset_size)?;
        let index = c.uint(self.offset_size)?;
        let Some(heap) = self.address(heap, "attribute fractal heap")? else {
            return Ok(None);
        };
        let index = self.required_address(index, "attribute name index")?;
        Ok(Some((heap, index)))
    }

    /// Every attribute in dense storage: the name index's records give the
    /// heap IDs, the fractal heap holds the attribute messages.
    fn dense_attributes(
        &mut self,
        &(heap_at, index_at): &(u64, u64),
    ) -> Result<Vec<Attribute>, Error> {
        let heap = self.fractal_heap(heap_at)?;
        let ids = self.name_index(index_at)?;
        let mut attrs = Vec::new();
        for id in ids {
            let (at, len) = heap.locate(self, &id)?;
            let m = Message {
                kind: MSG_ATTRIBUTE,
                flags: 0,
                at,
                len,
            };
            attrs.push(self.attribute(&m)?);
        }
        Ok(attrs)
    }

    /// The heap IDs in the records of a version 2 B-tree of attribute names
    /// (record type 8) whose root node is a leaf.
    fn name_index(&self, at: u64) -> Result<Vec<[u8; 8]>, Error> {
        let mut c = self.cursor(at, "attribute name index");
        if c.bytes(4)? != b"BTHD" {
            return Err(malformed("attribute name index", at, "no BTHD signature"));
        }
        c.skip(1)?; // version
        let kind = c.u8()?;
        c.skip(4)?; // node size
        let record_size = c.uint(2)?;
        let depth = c.uint(2)?;
        c.skip(2)?; // split and merge percents
        let root = c.uint(self.offset_size)?;
        let records = c.uint(2)?;
        if kind != 8 || record_size < 8 {
            return Err(malformed(
                "attribute name index",
                at,
                "not an attribute name index",
            ));
        }
        if depth != 0 {
            return Err(malformed(
                "attribute name index",
                at,
                "B-tree deeper than one leaf (not read)",
            ));
        }
        if records > MAX_ATTRIBUTES as u64 {
            return Err(Error::Limit {
                what: "dense attributes",
                limit: MAX_ATTRIBUTES as u64,
            });
        }
        let Some(leaf) = self.address(root, "attribute name index leaf")? else {
            return Ok(Vec::new());
        };
        let mut c = self.cursor(leaf, "attribute name index leaf");
        if c.bytes(4)? != b"BTLF" {
            return Err(malformed(
                "attribute name index leaf",
                leaf,
                "no BTLF signature",
            ));
        }
        c.skip(2)?; // version, type
        let mut ids = Vec::new();
        for _ in 0..records {
            let record = c.bytes(record_size)?;
            let mut id = [0u8; 8];
            id.copy_from_slice(record.get(..8).unwrap_or(&[0; 8]));
            ids.push(id);
        }
        Ok(ids)
    }

    fn fractal_heap(&self, at: u64) -> Result<FractalHeap, Error> {
        let (o, l) = (self.offset_size, self.length_size);
        let mut c = self.cursor(at, "fractal heap");
        if c.bytes(4)? != b"FRHP" {
            return Err(malformed("fractal heap", at, "no FRHP signature"));
        }
        c.skip(1)?; // version
        let id_len = c.uint(2)?;
        let filters_len = c.uint(2)?;
        let flags = c.u8()?;
        let max_managed = c.uint(4)?;
        c.skip(u64::from(l) + u64::from(o))?; // next huge id, huge object B-tree
        c.skip(u64::from(l) + u64::from(o))?; // free space, free-space manager
        c.skip(8 * u64::from(l))?; // managed space .. number of tiny objects
        let width = c.uint(2)?;
        let start_block = c.uint(l)?;
        let max_direct = c.uint(l)?;
        let max_heap_bits = c.uint(2)?;
        c.skip(2)?; // starting rows
        let root = c.uint(o)?;
        let rows = c.uint(2)?;
        if filters_len != 0 {
            return Err(malformed(
                "fractal heap",
                at,
                "filtered (compressed) heap blocks are not read",
            ));
        }
        if id_len != 8
            || width == 0
            || width > 65_536
            || !start_block.is_power_of_two()
            || max_heap_bits > 64
            || max_heap_bits == 0
        {
            return Err(malformed("fractal heap", at, "unusual heap parameters"));
        }
        Ok(FractalHeap {
            at,
            checksummed: flags & 0x02 != 0,
            max_managed,
            width,
            start_block,
            max_direct,
            offset_bytes: max_heap_bits.div_ceil(8),
            root: self.required_address(root, "fractal heap root block")?,
            rows,
        })
    }

    fn attribute(&mut self, m: &Message) -> Result<Attribute, Error> {
        let end = m.at.saturating_add(m.len);
        let mut c = self.cursor(m.at, "attribute message");
        let version = c.u8()?;
        let flags = c.u8()?;
        let name_len = c.uint(2)?;
        let type_len = c.uint(2)?;
        let space_len = c.uint(2)?;
        let pad = |n: u64| if version == 1 { n.div_ceil(8) * 8 } else { n };
        match version {
            1 | 2 => {}
            3 => c.skip(1)?, // name encoding
            v => {
                return Err(Error::Unsupported {
                    what: "attribute message",
                    version: v,
                });
            }
        }
        let name_bytes = c.bytes(name_len)?;
        let name_end = name_bytes
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(name_bytes.len());
        let name = String::from_utf8_lossy(name_bytes.get(..name_end).unwrap_or_default()).into();
        c.skip(pad(name_len) - name_len)?;
        let type_at = c.pos;
        c.skip(pad(type_len))?;
        let space_at = c.pos;
        c.skip(pad(space_len))?;
        let data_at = c.pos;
        if data_at > end {
            return Err(Error::Truncated {
                what: "attribute message",
                at: m.at,
            });
        }
        let value = if version >= 2 && flags & 0x03 != 0 {
            // A committed (shared) datatype or dataspace: not followed.
            Value::Unreadable("shared datatype or dataspace".into())
        } else {
            let dtype = self.datatype(type_at, type_len)?;
            let elements = self.dataspace(space_at)?;
            self.value(&dtype, elements, data_at, end - data_at)?
        };
        Ok(Attribute { name, value })
    }

    fn datatype(&self, at: u64, len: u64) -> Result<Datatype, Error> {
        let mut c = self.cursor(at, "datatype");
        if len < 8 {
            return Err(Error::Truncated {
                what: "datatype",
                at,
            });
        }
        let head = c.u8()?;
        let bits = c.bytes(3)?;
        let bits = u32::from(bits.first().copied().unwrap_or(0))
            | u32::from(bits.get(1).copied().unwrap_or(0)) << 8;
        let size = c.uint(4)? as u32;
        let class = head & 0x0f;
        Ok(match class {
            3 => Datatype::FixedString {
                size,
                space_padded: bits & 0x0f == 2,
            },
            9 if bits & 0x0f == 1 => Datatype::VarString,
            _ => Datatype::Other { class, size },
        })
    }

    /// The number of elements a dataspace holds.
    fn dataspace(&self, at: u64) -> Result<u64, Error> {
        let mut c = self.cursor(at, "dataspace");
        let version = c.u8()?;
        let rank = c.u8()?;
        let _flags = c.u8()?;
        match version {
            1 => c.skip(5)?,
            2 => {
                if c.u8()? == 2 {
                    return Ok(0); // null dataspace
                }
            }
            v => {
                return Err(Error::Unsupported {
                    what: "dataspace",
                    version: v,
                });
            }
        }
        if rank > MAX_RANK {
            return Err(Error::Malformed {
                what: "dataspace",
                at,
                detail: format!("rank {rank}"),
            });
        }
        let mut n: u64 = 1;
        for _ in 0..rank {
            let d = c.uint(self.length_size)?;
            n = n.checked_mul(d).ok_or(Error::Malformed {
                what: "dataspace",
                at,
                detail: "element count overflows".into(),
            })?;
        }
        Ok(n)
    }

    fn value(&mut self, t: &Datatype, n: u64, at: u64, avail: u64) -> Result<Value, Error> {
        let (size, fixed) = match *t {
            Datatype::Other { class, size } => {
                return Ok(Value::Other {
                    class,
                    size,
                    elements: n,
                });
            }
            Datatype::FixedString { size, .. } => (u64::from(size), true),
            Datatype::VarString => (4 + u64::from(self.offset_size) + 4, false),
        };
        if n > MAX_ELEMENTS {
            return Err(Error::Limit {
                what: "string attribute elements",
                limit: MAX_ELEMENTS,
            });
        }
        let total = n.saturating_mul(size);
        if total > avail {
            return Err(Error::Truncated {
                what: "attribute data",
                at,
            });
        }
        let mut out = Vec::new();
        let mut c = self.cursor(at, "attribute data");
        for _ in 0..n {
            let bytes = if fixed {
                let raw = c.bytes(size)?;
                let space = matches!(
                    t,
                    Datatype::FixedString {
                        space_padded: true,
                        ..
                    }
                );
                let keep = if space {
                    raw.iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1)
                } else {
                    raw.iter().position(|&b| b == 0).unwrap_or(raw.len())
                };
                raw.get(..keep).unwrap_or_default().to_vec()
            } else {
                let len = c.uint(4)?;
                let heap = c.uint(self.offset_size)?;
                let index = c.uint(4)?;
                if len == 0 {
                    Vec::new()
                } else {
                    match self.heap_object(heap, index)? {
                        Some((start, obj_len)) => {
                            // The sequence length counts characters (bytes) of
                            // the base type; it cannot exceed the object.
                            let take = len.min(obj_len);
                            slice(self.data, start, take)
                                .ok_or(Error::Truncated {
                                    what: "global heap object",
                                    at: start,
                                })?
                                .to_vec()
                        }
                        None => {
                            return Ok(Value::Unreadable(format!(
                                "global heap object {index} is missing"
                            )));
                        }
                    }
                }
            };
            self.value_bytes = self.value_bytes.saturating_add(bytes.len() as u64);
            if self.value_bytes > MAX_VALUE_BYTES {
                return Err(Error::Limit {
                    what: "attribute string bytes",
                    limit: MAX_VALUE_BYTES,
                });
            }
            out.push(bytes);
        }
        Ok(Value::Strings(out))
    }

    /// Where object `index` of the global heap collection at `raw` is.
    fn heap_object(&mut self, raw: u64, index: u64) -> Result<Option<(u64, u64)>, Error> {
        let at = self.required_address(raw, "global heap collection")?;
        if !self.heaps.contains_key(&at) {
            if self.heaps.len() >= MAX_COLLECTIONS {
                return Err(Error::Limit {
                    what: "global heap collections",
                    limit: MAX_COLLECTIONS as u64,
                });
            }
            let objects = self.index_collection(at)?;
            self.heaps.insert(at, objects);
        }
        let Ok(index) = u16::try_from(index) else {
            return Ok(None);
        };
        Ok(self
            .heaps
            .get(&at)
            .and_then(|objects| objects.get(&index))
            .copied())
    }

    fn index_collection(&self, at: u64) -> Result<HashMap<u16, (u64, u64)>, Error> {
        let mut c = self.cursor(at, "global heap collection");
        if c.bytes(4)? != b"GCOL" {
            return Err(Error::Malformed {
                what: "global heap collection",
                at,
                detail: "no GCOL signature".into(),
            });
        }
        c.skip(4)?; // version, reserved
        let size = c.uint(self.length_size)?;
        let end = at
            .checked_add(size)
            .filter(|&e| e <= self.data.len() as u64)
            .ok_or(Error::Truncated {
                what: "global heap collection",
                at,
            })?;
        let mut objects = HashMap::new();
        // Each object: index, reference count, reserved, size, data padded to 8.
        let header = 8 + u64::from(self.length_size);
        while c.pos.saturating_add(header) <= end {
            let index = c.uint(2)? as u16;
            c.skip(6)?;
            let len = c.uint(self.length_size)?;
            if index == 0 {
                break; // free space: the rest of the collection
            }
            let start = c.pos;
            let padded = len.checked_next_multiple_of(8).ok_or(Error::Truncated {
                what: "global heap object",
                at: start,
            })?;
            if start.saturating_add(len) > end {
                return Err(Error::Truncated {
                    what: "global heap object",
                    at: start,
                });
            }
            if objects.len() >= MAX_HEAP_OBJECTS {
                return Err(Error::Limit {
                    what: "global heap objects",
                    limit: MAX_HEAP_OBJECTS as u64,
                });
            }
            objects.insert(index, (start, len));
            c.pos = start.saturating_add(padded);
        }
        Ok(objects)
    }
}

enum Datatype {
    FixedString { size: u32, space_padded: bool },
    VarString,
    Other { class: u8, size: u32 },
}

fn malformed(what: &'static str, at: u64, detail: &str) -> Error {
    Error::Malformed {
        what,
        at,
        detail: detail.into(),
    }
}

/// The parts of a fractal heap header needed to find managed objects.
struct FractalHeap {
    at: u64,
    /// Direct blocks end with a checksum (and their header has one).
    checksummed: bool,
    max_managed: u64,
    width: u64,
    start_block: u64,
    max_direct: u64,
    /// Bytes of a block offset (and of a heap ID's offset field).
    offset_bytes: u64,
    root: u64,
    /// Rows of the root indirect block; 0 when the root is a direct block.
    rows: u64,
}

impl FractalHeap {
    /// Bytes of a heap ID's length field: enough for the smaller of the
    /// largest direct block and the largest managed object.
    fn length_bytes(&self) -> u64 {
        let max = self.max_direct.min(self.max_managed).max(1);
        u64::from(64 - max.leading_zeros()).div_ceil(8)
    }

    /// The input range of the object a heap ID names.
    fn locate(&self, r: &Reader<'_>, id: &[u8; 8]) -> Result<(u64, u64), Error> {
        let kind = (id.first().copied().unwrap_or(0) >> 4) & 0x03;
        if kind != 0 {
            return Err(malformed(
                "fractal heap ID",
                self.at,
                "huge or tiny objects are not read",
            ));
        }
        let field = |from: u64, n: u64| -> u64 {
            id.iter()
                .skip(from as usize)
                .take(n as usize)
                .rev()
                .fold(0u64, |acc, &b| acc.wrapping_shl(8) | u64::from(b))
        };
        if 1 + self.offset_bytes + self.length_bytes() > 8 {
            return Err(malformed(
                "fractal heap ID",
                self.at,
                "ID fields do not fit",
            ));
        }
        let offset = field(1, self.offset_bytes);
        let len = field(1 + self.offset_bytes, self.length_bytes());
        let (block, block_offset, block_size) = self.direct_block(r, offset)?;
        let header =
            5 + u64::from(r.offset_size) + self.offset_bytes + if self.checksummed { 4 } else { 0 };
        let within = offset - block_offset;
        if within < header || within.saturating_add(len) > block_size {
            return Err(malformed(
                "fractal heap ID",
                self.at,
                "object outside its block",
            ));
        }
        let start = block.saturating_add(within);
        if start.saturating_add(len) > r.data.len() as u64 {
            return Err(Error::Truncated {
                what: "fractal heap object",
                at: start,
            });
        }
        Ok((start, len))
    }

    /// The direct block holding heap offset `offset`: (input offset, its
    /// offset in the heap, its size).
    fn direct_block(&self, r: &Reader<'_>, offset: u64) -> Result<(u64, u64, u64), Error> {
        let check = |at: u64| -> Result<u64, Error> {
            let mut c = r.cursor(at, "fractal heap direct block");
            if c.bytes(4)? != b"FHDB" {
                return Err(malformed(
                    "fractal heap direct block",
                    at,
                    "no FHDB signature",
                ));
            }
            Ok(at)
        };
        if self.rows == 0 {
            return Ok((check(self.root)?, 0, self.start_block));
        }
        // Root indirect block: rows of `width` blocks, sizes doubling from row 2.
        let mut c = r.cursor(self.root, "fractal heap indirect block");
        if c.bytes(4)? != b"FHIB" {
            return Err(malformed(
                "fractal heap indirect block",
                self.root,
                "no FHIB signature",
            ));
        }
        c.skip(1 + u64::from(r.offset_size) + self.offset_bytes)?;
        let mut heap_offset = 0u64;
        for row in 0..self.rows.min(64) {
            let size = if row < 2 {
                self.start_block
            } else {
                self.start_block
                    .checked_shl((row - 1) as u32)
                    .unwrap_or(u64::MAX)
            };
            if size > self.max_direct {
                break; // indirect rows: not followed
            }
            for _ in 0..self.width {
                let raw = c.uint(r.offset_size)?;
                let end = heap_offset.saturating_add(size);
                if (heap_offset..end).contains(&offset) {
                    let at = r.required_address(raw, "fractal heap direct block")?;
                    return Ok((check(at)?, heap_offset, size));
                }
                heap_offset = end;
            }
        }
        Err(malformed(
            "fractal heap ID",
            self.at,
            "offset beyond the direct blocks read",
        ))
    }
}
