//! Walking a tar stream (ustar, GNU and pax headers) member by member,
//! giving each member's name, kind, size and a reader confined to its data.
//!
//! Our own reader rather than the `tar` crate, because that crate reads GNU
//! long-name and pax bodies into memory whatever size they claim. Here
//! those bodies are capped ([`MAX_NAME_LEN`], [`MAX_PAX_LEN`]), members are
//! counted ([`MAX_MEMBERS`]), and data is streamed, never buffered. Links
//! and devices are listed with their kind and target, never followed, and
//! nothing is ever written to disk. Like Python's `tarfile`, the walk ends
//! at the first all-zero block or at a clean end of input.

mod header;

#[cfg(test)]
mod tests;

use std::io::{self, Read};

use header::BLOCK;

/// Most members (of any kind) listed before [`TarError::TooManyMembers`].
pub const MAX_MEMBERS: u64 = 1 << 18;
/// Longest member or link name, from any header kind.
pub const MAX_NAME_LEN: usize = 4096;
/// Largest pax extended header body read.
pub const MAX_PAX_LEN: u64 = 1 << 16;

/// Why the walk stopped.
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    /// Reading the underlying stream failed (including a decompression
    /// limit, see [`crate::compress::limit_exceeded`]).
    #[error("reading the tar stream: {0}")]
    Io(#[from] io::Error),
    /// The input ended inside a header or a metadata body.
    #[error("tar stream truncated at offset {offset}")]
    Truncated {
        /// Stream offset where a full block was expected.
        offset: u64,
    },
    /// A header's checksum does not match.
    #[error("bad header checksum at offset {offset}")]
    BadChecksum {
        /// Stream offset of the header.
        offset: u64,
    },
    /// A numeric header field is not octal or base-256, or overflows.
    #[error("bad {field} field at offset {offset}")]
    BadNumber {
        /// Which field.
        field: &'static str,
        /// Stream offset of the header.
        offset: u64,
    },
    /// A name (GNU long name or pax path) is longer than [`MAX_NAME_LEN`].
    #[error("name over {limit} bytes at offset {offset}")]
    NameTooLong {
        /// Stream offset of the header.
        offset: u64,
        /// The limit.
        limit: usize,
    },
    /// A pax header body is larger than [`MAX_PAX_LEN`].
    #[error("pax header of {size} bytes at offset {offset}, over the limit of {limit}")]
    PaxTooLong {
        /// Stream offset of the header.
        offset: u64,
        /// Claimed body size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A pax record is malformed.
    #[error("bad pax record at offset {offset}: {reason}")]
    BadPax {
        /// Stream offset of the header.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// More than [`MAX_MEMBERS`] members.
    #[error("more than {limit} members")]
    TooManyMembers {
        /// The limit.
        limit: u64,
    },
}

/// What a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberKind {
    /// A regular file (type `0`, NUL, or `7` contiguous): has data.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link; see [`Member::link_target`].
    Symlink,
    /// A hard link; see [`Member::link_target`].
    HardLink,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A FIFO.
    Fifo,
    /// Any other type flag (e.g. GNU sparse `S`, or one no tar defines).
    /// It carries `size` bytes of data, read like a regular file's:
    /// `tarfile` treats sparse and unknown types as regular files, so
    /// `torch.load` would load them.
    Other(u8),
}

impl MemberKind {
    fn from_flag(flag: u8) -> MemberKind {
        match flag {
            b'0' | 0 | b'7' => MemberKind::Regular,
            b'1' => MemberKind::HardLink,
            b'2' => MemberKind::Symlink,
            b'3' => MemberKind::CharDevice,
            b'4' => MemberKind::BlockDevice,
            b'5' => MemberKind::Directory,
            b'6' => MemberKind::Fifo,
            other => MemberKind::Other(other),
        }
    }
}

/// True if `head` (at least 512 bytes) starts with a tar header: the ustar
/// magic at offset 257, or a valid checksum for an old v7 header.
pub fn is_tar(head: &[u8]) -> bool {
    head.get(..BLOCK)
        .and_then(|b| <&[u8; BLOCK]>::try_from(b).ok())
        .is_some_and(header::looks_like_header)
}

/// Walks a tar stream; call [`TarReader::next_member`] until it returns
/// `Ok(None)`.
#[derive(Debug)]
pub struct TarReader<R> {
    inner: R,
    /// Stream offset of the next unread byte.
    offset: u64,
    /// Unread data bytes of the current member, then its block padding.
    remaining: u64,
    padding: u64,
    members: u64,
    done: bool,
}

/// One member; reading it yields exactly its data: `size` bytes, none for
/// links, devices, FIFOs and directories.
#[derive(Debug)]
pub struct Member<'r, R> {
    /// The name as stored (after ustar prefix, GNU long name or pax path).
    pub name_raw: Vec<u8>,
    /// The name, lossily decoded as UTF-8.
    pub name: String,
    /// What the member is.
    pub kind: MemberKind,
    /// Data size in bytes: 0 for links, devices, FIFOs and directories,
    /// which carry none in the archive.
    pub size: u64,
    /// For links: the target, as stored; never followed.
    pub link_target: Option<String>,
    /// Stream offset of the member's header.
    pub offset: u64,
    reader: &'r mut TarReader<R>,
}

impl<R: Read> TarReader<R> {
    /// Starts walking `inner` (e.g. a file, or a [`crate::compress`] decoder).
    pub fn new(inner: R) -> Self {
        TarReader {
            inner,
            offset: 0,
            remaining: 0,
            padding: 0,
            members: 0,
            done: false,
        }
    }

    /// The next file, directory, link or device; `Ok(None)` at the end.
    /// Skips whatever the previous member's reader left unread.
    pub fn next_member(&mut self) -> Result<Option<Member<'_, R>>, TarError> {
        if self.done {
            return Ok(None);
        }
        self.skip(self.remaining.saturating_add(self.padding))?;
        self.remaining = 0;
        self.padding = 0;
        let mut long_name = None;
        let mut long_link = None;
        let mut pax = header::Pax::default();
        loop {
            let header_at = self.offset;
            let Some(block) = self.block()? else {
                self.done = true;
                return Ok(None);
            };
            if header::is_zero(&block) {
                self.done = true;
                return Ok(None);
            }
            let raw = header::decode(&block, header_at)?;
            self.members += 1;
            if self.members > MAX_MEMBERS {
                return Err(TarError::TooManyMembers { limit: MAX_MEMBERS });
            }
            match raw.typeflag {
                b'L' => long_name = Some(self.name_body(raw.size, header_at)?),
                b'K' => long_link = Some(self.name_body(raw.size, header_at)?),
                b'x' => pax = header::pax(&self.pax_body(raw.size, header_at)?, header_at)?,
                // Global pax records are read (bounded) but not applied.
                b'g' => drop(self.pax_body(raw.size, header_at)?),
                flag => {
                    return Ok(Some(
                        self.member(raw, flag, header_at, long_name, long_link, pax),
                    ));
                }
            }
        }
    }

    fn member(
        &mut self,
        raw: header::Raw,
        flag: u8,
        offset: u64,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
        pax: header::Pax,
    ) -> Member<'_, R> {
        let kind = MemberKind::from_flag(flag);
        let stored = pax.size.unwrap_or(raw.size);
        let name_raw = pax.path.or(long_name).unwrap_or(raw.name);
        let link = pax.linkpath.or(long_link).unwrap_or(raw.link);
        let link_target = matches!(kind, MemberKind::Symlink | MemberKind::HardLink)
            .then(|| String::from_utf8_lossy(&link).into_owned());
        // Links and devices carry no data in the archive, whatever the
        // size field says; tarfile skips exactly `size` bytes for all
        // other kinds, and so do we.
        let carries_data = !matches!(
            kind,
            MemberKind::HardLink
                | MemberKind::Symlink
                | MemberKind::CharDevice
                | MemberKind::BlockDevice
                | MemberKind::Fifo
                | MemberKind::Directory
        );
        let stored = if carries_data { stored } else { 0 };
        self.remaining = stored;
        self.padding = padding(stored);
        Member {
            name: String::from_utf8_lossy(&name_raw).into_owned(),
            name_raw,
            kind,
            size: stored,
            link_target,
            offset,
            reader: self,
        }
    }

    /// One header block, `None` at a clean end of input.
    fn block(&mut self) -> Result<Option<[u8; BLOCK]>, TarError> {
        let mut block = [0u8; BLOCK];
        let mut filled = 0usize;
        while let Some(rest) = block.get_mut(filled..).filter(|r| !r.is_empty()) {
            match self.inner.read(rest) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.offset = self.offset.saturating_add(filled as u64);
        match filled {
            0 => Ok(None),
            BLOCK => Ok(Some(block)),
            _ => Err(TarError::Truncated {
                offset: self.offset,
            }),
        }
    }

    fn name_body(&mut self, size: u64, offset: u64) -> Result<Vec<u8>, TarError> {
        if size > MAX_NAME_LEN as u64 + 1 {
            return Err(TarError::NameTooLong {
                offset,
                limit: MAX_NAME_LEN,
            });
        }
        let body = self.body(size)?;
        header::bounded_name(&body, offset)
    }

    fn pax_body(&mut self, size: u64, offset: u64) -> Result<Vec<u8>, TarError> {
        if size > MAX_PAX_LEN {
            return Err(TarError::PaxTooLong {
                offset,
                size,
                limit: MAX_PAX_LEN,
            });
        }
        self.body(size)
    }

    /// A metadata body of `size` bytes (already checked against a limit),
    /// then its padding.
    fn body(&mut self, size: u64) -> Result<Vec<u8>, TarError> {
        let mut body = Vec::new();
        (&mut self.inner).take(size).read_to_end(&mut body)?;
        self.offset = self.offset.saturating_add(body.len() as u64);
        if (body.len() as u64) < size {
            return Err(TarError::Truncated {
                offset: self.offset,
            });
        }
        self.skip(padding(size))?;
        Ok(body)
    }

    fn skip(&mut self, n: u64) -> Result<(), TarError> {
        let skipped = io::copy(&mut (&mut self.inner).take(n), &mut io::sink())?;
        self.offset = self.offset.saturating_add(skipped);
        if skipped < n {
            return Err(TarError::Truncated {
                offset: self.offset,
            });
        }
        Ok(())
    }
}

/// Bytes after `size` up to the next block boundary.
fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

impl<R: Read> Read for Member<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = &mut *self.reader;
        let want = usize::try_from(r.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let Some(window) = buf.get_mut(..want) else {
            return Ok(0);
        };
        if window.is_empty() {
            return Ok(0);
        }
        let n = r.inner.read(window)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "tar member data cut short",
            ));
        }
        r.remaining = r.remaining.saturating_sub(n as u64);
        r.offset = r.offset.saturating_add(n as u64);
        Ok(n)
    }
}
