//! Reading a file for scanning: memory-mapped when large, so that only the
//! pages a scanner touches are read (a 2 GB checkpoint costs its central
//! directory and its pickle), read into memory when small.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Files smaller than this are read; larger ones are mapped.
const MMAP_THRESHOLD: u64 = 256 * 1024;

/// A file's bytes.
pub enum FileBytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Owned(v) => v,
            FileBytes::Mapped(m) => m,
        }
    }
}

/// Open `path` for scanning.
pub fn open(path: &Path) -> std::io::Result<FileBytes> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len >= MMAP_THRESHOLD
        && let Ok(map) = map(&file)
    {
        return Ok(FileBytes::Mapped(map));
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(64 << 20));
    file.read_to_end(&mut buf)?;
    Ok(FileBytes::Owned(buf))
}

#[allow(unsafe_code)]
fn map(file: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this process. If another
    // process truncates the file while it is mapped, reads past the new end
    // fault (SIGBUS); ripgrep accepts the same trade-off for the same reason:
    // reading multi-GB checkpoints in full would cost their size in memory.
    unsafe { memmap2::Mmap::map(file) }
}
