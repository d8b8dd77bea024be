//! Fetching the bytes a reference names: environment, files, systemd
//! credentials (Vault is in `vault.rs`). Files are opened once, checked to be
//! regular, size-limited, and their permissions inspected on the same handle.

use super::{EnvSource, KeyError, KeyRef, KeyWarning, MAX_KEY_BYTES, ProcessEnv, Resolved, vault};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Resolve a reference against the process environment. See [`resolve_in`].
pub fn resolve(reference: &str) -> Result<Resolved, KeyError> {
    resolve_in(reference, &ProcessEnv)
}

/// Resolve a reference, reading variables (the key's own, `CREDENTIALS_DIRECTORY`,
/// `VAULT_*`) from `env`.
pub fn resolve_in(reference: &str, env: &dyn EnvSource) -> Result<Resolved, KeyError> {
    let source = KeyRef::parse(reference)?;
    let mut warnings = Vec::new();
    let (material, from_file) = match &source {
        KeyRef::Env(name) => from_env(name, env, &mut warnings)?,
        KeyRef::File(path) => (read_key_file(path, &mut warnings)?, true),
        KeyRef::Systemd(name) => {
            let dir = env
                .var_os("CREDENTIALS_DIRECTORY")
                .filter(|d| !d.is_empty())
                .ok_or_else(|| KeyError::NoCredentialsDirectory(name.clone()))?;
            (
                read_key_file(&PathBuf::from(dir).join(name), &mut warnings)?,
                true,
            )
        }
        KeyRef::Vault { mount, path, field } => (vault::fetch(env, mount, path, field)?, false),
    };
    if material.is_empty() {
        return Err(KeyError::Empty {
            what: source.to_string(),
        });
    }
    Ok(Resolved::new(source, material, from_file, warnings))
}

fn from_env(
    name: &str,
    env: &dyn EnvSource,
    warnings: &mut Vec<KeyWarning>,
) -> Result<(Zeroizing<Vec<u8>>, bool), KeyError> {
    let file_var = format!("{name}_FILE");
    match (env.var_os(name), env.var_os(&file_var)) {
        (Some(_), Some(_)) => Err(KeyError::EnvAmbiguous(name.to_string())),
        (None, None) => Err(KeyError::EnvMissing(name.to_string())),
        (None, Some(path)) => Ok((read_key_file(Path::new(&path), warnings)?, true)),
        (Some(value), None) => {
            let value = Zeroizing::new(
                value
                    .into_string()
                    .map_err(|_| KeyError::EnvNotUnicode(name.to_string()))?,
            );
            if value.len() > MAX_KEY_BYTES {
                return Err(KeyError::TooLarge {
                    what: format!("env:{name}"),
                });
            }
            Ok((Zeroizing::new(value.as_bytes().to_vec()), false))
        }
    }
}

/// Read a key file: regular, at most [`MAX_KEY_BYTES`]; warns when group or
/// others have any access to it.
pub(crate) fn read_key_file(
    path: &Path,
    warnings: &mut Vec<KeyWarning>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(KeyError::NotAFile(path.to_path_buf()));
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        warnings.push(KeyWarning::LooseFilePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(
        usize::try_from(meta.len()).unwrap_or(0).min(MAX_KEY_BYTES) + 1,
    ));
    // Read one byte past the limit to tell "exactly at the limit" from "over".
    let limit = u64::try_from(MAX_KEY_BYTES).unwrap_or(u64::MAX) + 1;
    file.take(limit).read_to_end(&mut buf).map_err(io)?;
    if buf.len() > MAX_KEY_BYTES {
        return Err(KeyError::TooLarge {
            what: path.display().to_string(),
        });
    }
    Ok(buf)
}
