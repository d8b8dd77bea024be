//! A cursor over the GGUF header in either byte order, with the width of
//! lengths and counts that the version implies (u32 in v1, u64 after).
//!
//! Every read checks the bytes left first. A length that asks for more than
//! is left becomes [`GgufError::Oversized`] when it is more than the whole
//! input could hold (a forged field: the llama.cpp parser CVE shape), and
//! [`GgufError::Truncated`] otherwise (the input was cut short).

use super::{Endian, GgufError, Text};

pub(super) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    endian: Endian,
    /// Lengths and counts are u64 (v2, v3) rather than u32 (v1).
    wide: bool,
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8], pos: usize, endian: Endian, wide: bool) -> Self {
        Reader {
            data,
            pos,
            endian,
            wide,
        }
    }

    pub(super) fn pos(&self) -> u64 {
        self.pos as u64
    }

    pub(super) fn remaining(&self) -> u64 {
        self.data.len().saturating_sub(self.pos) as u64
    }

    /// Bytes a length or count field takes in this version.
    pub(super) fn len_width(&self) -> u64 {
        if self.wide { 8 } else { 4 }
    }

    /// The error for a claim of `claimed` bytes when fewer remain.
    pub(super) fn short(&self, what: &'static str, claimed: u64) -> GgufError {
        let available = self.remaining();
        if claimed > self.data.len() as u64 {
            GgufError::Oversized {
                offset: self.pos(),
                what,
                claimed,
                available,
            }
        } else {
            GgufError::Truncated {
                offset: self.pos(),
                what,
            }
        }
    }

    /// `n` bytes, borrowed from the input.
    pub(super) fn bytes(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], GgufError> {
        if n > self.remaining() {
            return Err(self.short(what, n));
        }
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.pos.checked_add(n))
            .ok_or_else(|| self.short(what, n))?;
        let out = self
            .data
            .get(self.pos..end)
            .ok_or_else(|| self.short(what, n))?;
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], GgufError> {
        let b = self.bytes(N as u64, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        if self.endian == Endian::Big {
            out.reverse();
        }
        // `out` is now little-endian either way.
        Ok(out)
    }

    pub(super) fn u8(&mut self, what: &'static str) -> Result<u8, GgufError> {
        self.array::<1>(what).map(|[b]| b)
    }

    pub(super) fn u16(&mut self, what: &'static str) -> Result<u16, GgufError> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, GgufError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self, what: &'static str) -> Result<u64, GgufError> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// A length or count: u64, or u32 in v1.
    pub(super) fn len(&mut self, what: &'static str) -> Result<u64, GgufError> {
        if self.wide {
            self.u64(what)
        } else {
            self.u32(what).map(u64::from)
        }
    }

    /// A GGUF string: a length, then that many bytes (not checked as UTF-8:
    /// llama.cpp does not either).
    pub(super) fn string(&mut self, what: &'static str) -> Result<Text<'a>, GgufError> {
        let n = self.len(what)?;
        let offset = self.pos();
        let bytes = self.bytes(n, what)?;
        Ok(Text { bytes, offset })
    }

    /// Skip `count` items of `size` bytes each.
    pub(super) fn skip(
        &mut self,
        count: u64,
        size: u64,
        what: &'static str,
    ) -> Result<(), GgufError> {
        let n = count.checked_mul(size).ok_or(GgufError::Oversized {
            offset: self.pos(),
            what,
            claimed: u64::MAX,
            available: self.remaining(),
        })?;
        self.bytes(n, what).map(|_| ())
    }

    /// Move to the next multiple of `align` (the data section start).
    pub(super) fn aligned_pos(&self, align: u64) -> Option<u64> {
        let pos = self.pos();
        let rem = pos.checked_rem(align)?;
        if rem == 0 {
            Some(pos)
        } else {
            pos.checked_add(align - rem)
        }
    }
}
