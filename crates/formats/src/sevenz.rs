//! 7z archives, member by member, through `sevenz-rust2`.
//!
//! The crate parses the header and decodes the coders; this module holds it
//! to our limits: a memory limit for header buffers and decoder dictionaries
//! (a header can claim a 4 GiB dictionary), one decoding thread, a member
//! count, and a cap on the bytes read from each member (the caller's). Links
//! are recognised from the Unix mode p7zip and 7-Zip 21+ store in the high
//! half of the Windows attributes.

use std::io::{Cursor, Read};

/// The signature at the start of every 7z archive.
pub const MAGIC: [u8; 6] = *b"7z\xbc\xaf\x27\x1c";
/// Memory for header buffers and one decoder's dictionary or model.
pub const MEMORY_LIMIT_KB: usize = 256 * 1024;

/// Does `head` start like a 7z archive?
pub fn looks_like(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

/// What a member is, before its bytes are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberInfo {
    pub name: String,
    pub size: u64,
    pub kind: MemberKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    File,
    Directory,
    /// A symbolic link: its content is the target.
    Symlink,
    /// An "anti-item" (a deletion marker of an update archive).
    Anti,
}

/// Why an archive (or the rest of it) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SevenZError {
    #[error("7z: {0}")]
    Archive(String),
    #[error("7z archive has more than {limit} members")]
    TooManyMembers { limit: usize },
}

/// Unix file type bits in the high half of the attributes (with the
/// `FILE_ATTRIBUTE_UNIX_EXTENSION` flag 0x8000 set).
fn kind_of(e: &sevenz_rust2::ArchiveEntry) -> MemberKind {
    if e.is_anti_item {
        return MemberKind::Anti;
    }
    if e.is_directory {
        return MemberKind::Directory;
    }
    let attrs = e.windows_attributes;
    if e.has_windows_attributes && attrs & 0x8000 != 0 && (attrs >> 16) & 0o170000 == 0o120000 {
        return MemberKind::Symlink;
    }
    MemberKind::File
}

/// Call `each` for every member, in archive order, with a reader over its
/// bytes (decoded lazily; solid blocks are decoded once, front to back).
/// `each` returns `false` to stop early.
pub fn for_each_member(
    data: &[u8],
    max_members: usize,
    mut each: impl FnMut(&MemberInfo, &mut dyn Read) -> bool,
) -> Result<(), SevenZError> {
    use sevenz_rust2::{ArchiveReader, EntryDecision, Password};
    let mut reader =
        ArchiveReader::new_with_memory_limit(Cursor::new(data), Password::empty(), MEMORY_LIMIT_KB)
            .map_err(|e| SevenZError::Archive(e.to_string()))?;
    reader.set_thread_count(1);
    let mut seen = 0usize;
    let mut too_many = false;
    let result = reader.for_each_entries_with_decision(|entry, r| {
        seen += 1;
        if seen > max_members {
            too_many = true;
            return Ok(EntryDecision::Stop);
        }
        let info = MemberInfo {
            name: entry.name.clone(),
            size: entry.size,
            kind: kind_of(entry),
        };
        Ok(if each(&info, r) {
            EntryDecision::Continue
        } else {
            EntryDecision::Stop
        })
    });
    if too_many {
        return Err(SevenZError::TooManyMembers { limit: max_members });
    }
    result.map_err(|e| SevenZError::Archive(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_7z_and_truncated_are_errors_not_panics() {
        assert!(for_each_member(b"PK\x03\x04", 10, |_, _| true).is_err());
        let mut head = MAGIC.to_vec();
        head.extend_from_slice(&[0, 4]);
        for n in 0..head.len() {
            let _ = for_each_member(&head[..n], 10, |_, _| true);
        }
        assert!(for_each_member(&head, 10, |_, _| true).is_err());
    }
}
