//! `aigis model encrypt`, `decrypt` and `keygen`: resolve the key reference,
//! call aigis-integrity, print warnings to stderr, choose the exit code
//! (0 done, 1 authentication failure, 2 usage or I/O).

use crate::cli::{CryptArgs, ModelAction};
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use aigis_integrity::crypt::{self, CryptError, CryptOptions, MasterKey};
use aigis_integrity::keys;
use anyhow::{Context, Result, bail};
use std::path::Path;

pub fn run(action: ModelAction) -> Result<u8> {
    match action {
        ModelAction::Encrypt(args) => crypt_file(&args, true),
        ModelAction::Decrypt(args) => crypt_file(&args, false),
        ModelAction::Keygen { file } => {
            keys::keygen(&file)?;
            println!(
                "wrote a new 256-bit key to {0} (use --key file:{0})",
                file.display()
            );
            Ok(EXIT_OK)
        }
        other => bail!("internal: {other:?} routed to model_crypt"),
    }
}

fn crypt_file(args: &CryptArgs, encrypt: bool) -> Result<u8> {
    // A value that is not a reference (a pasted key) is never echoed back.
    let reference = keys::KeyRef::parse(&args.key).context("--key")?;
    let resolved = keys::resolve(&args.key).with_context(|| format!("--key {reference}"))?;
    for w in &resolved.warnings {
        eprintln!("aigis: warning: {w}");
    }
    let key = MasterKey::new(resolved.raw_key_256()?);
    drop(resolved);
    let opts = CryptOptions {
        overwrite: args.force,
        ..CryptOptions::default()
    };
    let result = if encrypt {
        crypt::encrypt_file(&args.input, &args.output, &key, &opts)
    } else {
        crypt::decrypt_file(&args.input, &args.output, &key, &opts)
    };
    match result {
        Ok(_) => Ok(EXIT_OK),
        Err(e) => Ok(report(&e, &args.input)),
    }
}

/// One line naming the path and the reason; exit 1 when the input failed
/// authentication, 2 otherwise.
fn report(e: &CryptError, input: &Path) -> u8 {
    match e {
        // These already name their path.
        CryptError::Io { .. } | CryptError::NotAFile(_) | CryptError::Exists(_) => {
            eprintln!("aigis: error: {e}");
        }
        _ => eprintln!("aigis: error: {}: {e}", input.display()),
    }
    if e.is_authentication_failure() {
        EXIT_FINDINGS
    } else {
        EXIT_ERROR
    }
}
