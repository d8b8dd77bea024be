//! `keygen`: a new random 256-bit key in a file only its owner can read.

use super::KeyError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::{SecureRandom, SystemRandom};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use zeroize::Zeroizing;

/// Write a new random 256-bit key to `path` as one line of standard base64,
/// created with mode 0600 and `O_EXCL` (an existing file, or a symlink in its
/// place, is refused). Use it as `--key file:PATH`.
///
/// If writing fails after the file was created, the partial file is removed.
pub fn keygen(path: &Path) -> Result<(), KeyError> {
    let mut key = Zeroizing::new([0u8; 32]);
    SystemRandom::new()
        .fill(&mut key[..])
        .map_err(|_| KeyError::Random)?;
    let mut line = Zeroizing::new(STANDARD.encode(&key[..]));
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => KeyError::Exists(path.to_path_buf()),
            _ => KeyError::Io {
                path: path.to_path_buf(),
                source,
            },
        })?;
    let written = file
        .write_all(line.as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(source) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(KeyError::Io {
            path: path.to_path_buf(),
            source,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keygen_writes_a_private_decodable_key_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.key");
        keygen(&path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let bytes = std::fs::read(&path).unwrap();
        let key = super::super::decode::decode_raw_key_256(&bytes).unwrap();
        assert_ne!(&key[..], &[0u8; 32]);
        assert!(matches!(keygen(&path), Err(KeyError::Exists(_))));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "the first key survives"
        );
        let other = dir.path().join("other.key");
        keygen(&other).unwrap();
        assert_ne!(std::fs::read(&other).unwrap(), bytes);
    }

    #[test]
    fn keygen_refuses_a_symlink_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        let link = dir.path().join("link.key");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(keygen(&link), Err(KeyError::Exists(_))));
        assert!(!target.exists());
    }
}
