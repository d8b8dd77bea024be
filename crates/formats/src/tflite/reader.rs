//! FlatBuffers primitives over untrusted bytes: tables found through their
//! vtables, offsets followed, vectors and strings measured — every position
//! checked against the input before it is read, with checked arithmetic.
//!
//! Offsets (`uoffset`) are unsigned and relative to where they are stored,
//! so they only point forward; a vtable is found by subtracting a signed
//! `soffset` from its table. Nothing here recurses or allocates.

use super::{MAX_STRING_LEN, Text, TfliteError};

/// A table: its position and where its vtable says its fields are.
#[derive(Clone, Copy, Debug)]
pub(super) struct Table {
    pub(super) pos: usize,
    vtable: usize,
    /// Bytes of the vtable (4 + 2 per field slot).
    vt_len: usize,
    /// Bytes of the table's inline part, as its vtable declares.
    size: usize,
}

/// A vector: where its first element is and how many there are.
#[derive(Clone, Copy, Debug)]
pub(super) struct Vector {
    pub(super) start: usize,
    pub(super) len: usize,
    elem: usize,
}

impl Vector {
    /// Position of element `i` (inside the input: checked when the vector was read).
    pub(super) fn at(&self, i: usize) -> Option<usize> {
        if i >= self.len {
            return None;
        }
        self.start.checked_add(i.checked_mul(self.elem)?)
    }
}

pub(super) struct Reader<'a> {
    pub(super) data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn oob(&self, what: &'static str, at: usize) -> TfliteError {
        TfliteError::OutOfBounds {
            what,
            at: at as u64,
            len: self.data.len() as u64,
        }
    }

    fn array<const N: usize>(&self, at: usize, what: &'static str) -> Result<[u8; N], TfliteError> {
        at.checked_add(N)
            .and_then(|end| self.data.get(at..end))
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| self.oob(what, at))
    }

    pub(super) fn u8(&self, at: usize, what: &'static str) -> Result<u8, TfliteError> {
        self.array::<1>(at, what).map(|[b]| b)
    }

    pub(super) fn u16(&self, at: usize, what: &'static str) -> Result<u16, TfliteError> {
        self.array(at, what).map(u16::from_le_bytes)
    }

    pub(super) fn u32(&self, at: usize, what: &'static str) -> Result<u32, TfliteError> {
        self.array(at, what).map(u32::from_le_bytes)
    }

    pub(super) fn u64(&self, at: usize, what: &'static str) -> Result<u64, TfliteError> {
        self.array(at, what).map(u64::from_le_bytes)
    }

    /// Follow the `uoffset` stored at `at`.
    pub(super) fn deref(&self, at: usize, what: &'static str) -> Result<usize, TfliteError> {
        let off = self.u32(at, what)?;
        let target = usize::try_from(off)
            .ok()
            .and_then(|o| at.checked_add(o))
            .ok_or_else(|| self.oob(what, at))?;
        if target >= self.data.len() {
            return Err(self.oob(what, target));
        }
        Ok(target)
    }

    /// The table at `pos`, its vtable checked to lie inside the input.
    pub(super) fn table(&self, pos: usize, what: &'static str) -> Result<Table, TfliteError> {
        let soffset = self.u32(pos, what)? as i32;
        let bad = |why| TfliteError::BadVtable {
            what,
            at: pos as u64,
            why,
        };
        let vtable = i64::try_from(pos)
            .ok()
            .and_then(|p| p.checked_sub(i64::from(soffset)))
            .and_then(|v| usize::try_from(v).ok())
            .ok_or(bad("its vtable lies before the start of the file"))?;
        let vt_len = usize::from(self.u16(vtable, what)?);
        let size = usize::from(self.u16(vtable.saturating_add(2), what)?);
        if vt_len < 4 || vt_len % 2 != 0 {
            return Err(bad("its vtable length is not an even number of at least 4"));
        }
        if vtable
            .checked_add(vt_len)
            .is_none_or(|e| e > self.data.len())
        {
            return Err(bad("its vtable runs past the end of the file"));
        }
        if size < 4 || pos.checked_add(size).is_none_or(|e| e > self.data.len()) {
            return Err(bad("its declared size runs past the end of the file"));
        }
        Ok(Table {
            pos,
            vtable,
            vt_len,
            size,
        })
    }

    /// Where field `id` of `t` is stored, if present; `width` bytes of it
    /// must lie inside the table.
    fn field(
        &self,
        t: &Table,
        id: u16,
        width: usize,
        what: &'static str,
    ) -> Result<Option<usize>, TfliteError> {
        let slot = 4 + 2 * usize::from(id);
        if slot + 2 > t.vt_len {
            return Ok(None);
        }
        let fo = usize::from(self.u16(t.vtable + slot, what)?);
        if fo == 0 {
            return Ok(None);
        }
        if fo < 4 || fo.saturating_add(width) > t.size {
            return Err(TfliteError::BadVtable {
                what,
                at: t.pos as u64,
                why: "a field lies outside its table",
            });
        }
        Ok(Some(t.pos + fo))
    }

    pub(super) fn field_u8(
        &self,
        t: &Table,
        id: u16,
        what: &'static str,
    ) -> Result<Option<u8>, TfliteError> {
        self.field(t, id, 1, what)?
            .map(|p| self.u8(p, what))
            .transpose()
    }

    pub(super) fn field_u32(
        &self,
        t: &Table,
        id: u16,
        what: &'static str,
    ) -> Result<Option<u32>, TfliteError> {
        self.field(t, id, 4, what)?
            .map(|p| self.u32(p, what))
            .transpose()
    }

    pub(super) fn field_u64(
        &self,
        t: &Table,
        id: u16,
        what: &'static str,
    ) -> Result<Option<u64>, TfliteError> {
        self.field(t, id, 8, what)?
            .map(|p| self.u64(p, what))
            .transpose()
    }

    /// The object an offset field points at.
    pub(super) fn field_ref(
        &self,
        t: &Table,
        id: u16,
        what: &'static str,
    ) -> Result<Option<usize>, TfliteError> {
        self.field(t, id, 4, what)?
            .map(|p| self.deref(p, what))
            .transpose()
    }

    /// The vector at `pos` of `elem`-byte elements, at most `limit` of them.
    pub(super) fn vector(
        &self,
        pos: usize,
        elem: usize,
        limit: u64,
        what: &'static str,
    ) -> Result<Vector, TfliteError> {
        let len = self.u32(pos, what)?;
        if u64::from(len) > limit {
            return Err(TfliteError::CountOverLimit {
                what,
                at: pos as u64,
                count: len.into(),
                limit,
            });
        }
        let start = pos + 4;
        let claimed = u64::from(len) * elem as u64;
        let available = self.data.len().saturating_sub(start) as u64;
        if claimed > available {
            return Err(TfliteError::Oversized {
                what,
                at: pos as u64,
                claimed,
                available,
            });
        }
        Ok(Vector {
            start,
            len: len as usize,
            elem,
        })
    }

    /// A vector field of `t`, if present.
    pub(super) fn field_vector(
        &self,
        t: &Table,
        id: u16,
        elem: usize,
        limit: u64,
        what: &'static str,
    ) -> Result<Option<Vector>, TfliteError> {
        self.field_ref(t, id, what)?
            .map(|p| self.vector(p, elem, limit, what))
            .transpose()
    }

    /// A string field of `t`: bytes borrowed from the input, NUL-terminated.
    pub(super) fn field_string(
        &self,
        t: &Table,
        id: u16,
        what: &'static str,
    ) -> Result<Option<Text<'a>>, TfliteError> {
        let Some(v) = self.field_vector(t, id, 1, MAX_STRING_LEN, what)? else {
            return Ok(None);
        };
        let end = v.start + v.len;
        if self.u8(end, what)? != 0 {
            return Err(TfliteError::Unterminated {
                what,
                at: end as u64,
            });
        }
        let bytes = self
            .data
            .get(v.start..end)
            .ok_or_else(|| self.oob(what, v.start))?;
        Ok(Some(Text {
            bytes,
            offset: v.start as u64,
        }))
    }

    /// Element `i` of a vector of tables.
    pub(super) fn table_at(
        &self,
        v: &Vector,
        i: usize,
        what: &'static str,
    ) -> Result<Table, TfliteError> {
        let at = v.at(i).ok_or_else(|| self.oob(what, v.start))?;
        let pos = self.deref(at, what)?;
        self.table(pos, what)
    }
}
