//! File to file: the input must be a regular file; the output is written to
//! a temporary file in the output's directory and renamed into place only
//! when everything succeeded, so a failed or interrupted decryption never
//! leaves unauthenticated plaintext (or a half-written file) at the final
//! path. The temporary file is created with mode 0600 and removed on error.
//! Outputs are not fsync'ed (like `age` and `openssl enc`).

use super::positional;
use super::{CryptError, CryptOptions, CryptSummary, MasterKey};
use std::fs::File;
use std::path::Path;
use tempfile::NamedTempFile;

/// Encrypt the file `input` to `output`.
pub fn encrypt_file(
    input: &Path,
    output: &Path,
    key: &MasterKey,
    opts: &CryptOptions,
) -> Result<CryptSummary, CryptError> {
    let (file, len) = open_regular(input)?;
    let tmp = temp_beside(output, opts.overwrite)?;
    let summary = positional::encrypt_at(&file, len, tmp.as_file(), key, opts)
        .map_err(|e| with_paths(e, input, output))?;
    persist(tmp, output, opts.overwrite)?;
    Ok(summary)
}

/// Decrypt the file `input` to `output`; `output` appears only if every
/// segment verified.
pub fn decrypt_file(
    input: &Path,
    output: &Path,
    key: &MasterKey,
    opts: &CryptOptions,
) -> Result<CryptSummary, CryptError> {
    let (file, len) = open_regular(input)?;
    let tmp = temp_beside(output, opts.overwrite)?;
    let summary = positional::decrypt_at(&file, len, tmp.as_file(), key, opts)
        .map_err(|e| with_paths(e, input, output))?;
    persist(tmp, output, opts.overwrite)?;
    Ok(summary)
}

fn open_regular(path: &Path) -> Result<(File, u64), CryptError> {
    let io = |source| CryptError::Io {
        what: path.display().to_string(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(CryptError::NotAFile(path.to_path_buf()));
    }
    Ok((file, meta.len()))
}

fn temp_beside(output: &Path, overwrite: bool) -> Result<NamedTempFile, CryptError> {
    if !overwrite && output.symlink_metadata().is_ok() {
        return Err(CryptError::Exists(output.to_path_buf()));
    }
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".aigis-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|source| CryptError::Io {
            what: dir.display().to_string(),
            source,
        })
}

fn persist(tmp: NamedTempFile, output: &Path, overwrite: bool) -> Result<(), CryptError> {
    let result = if overwrite {
        tmp.persist(output)
    } else {
        tmp.persist_noclobber(output)
    };
    result.map(drop).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            CryptError::Exists(output.to_path_buf())
        } else {
            CryptError::Io {
                what: output.display().to_string(),
                source: e.error,
            }
        }
    })
}

/// Name the file behind an engine I/O error.
fn with_paths(e: CryptError, input: &Path, output: &Path) -> CryptError {
    match e {
        CryptError::Io { what, source } => {
            let path = if what == "write" { output } else { input };
            CryptError::Io {
                what: path.display().to_string(),
                source,
            }
        }
        other => other,
    }
}
