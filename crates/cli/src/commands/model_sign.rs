//! `aigis model hash | sign | verify`: manifests of digests and OpenSSF
//! model-signing (OMS v1.0) compatible signatures.
//!
//! Exit codes: 0 hashed, signed, or verified; 1 verification failed (with
//! every modified, missing and extra file named, or why the signature is not
//! trusted); 2 bad usage or a model that cannot be read. Private keys come
//! from a key reference (a file), never from a flag's value.

use crate::output::{emit, write_atomic};
use aigis_integrity::hash::{self, HashAlgorithm, HashOptions, Serialization};
use aigis_integrity::sign::{
    self, EcSigningKey, EcVerifyingKey, Problem, SignerIdentity, Trust, VerifyOptions,
};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// model_signing's default signature path (relative to the working directory).
const DEFAULT_SIGNATURE: &str = "model.sig";

#[derive(Args, Debug)]
pub struct CommonHashArgs {
    /// Follow symbolic links to files (refused by default).
    #[arg(long)]
    pub allow_symlinks: bool,
    /// Also leave out these paths (relative to the model directory).
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub ignore_paths: Vec<String>,
    /// Hash .git, .gitattributes, .github and .gitignore too.
    #[arg(long)]
    pub no_ignore_git_paths: bool,
}

#[derive(Args, Debug)]
pub struct HashArgs {
    /// A model file or directory.
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t = HashFormat::Sha256sum)]
    pub format: HashFormat,
    /// BLAKE3 instead of SHA-256 (the text form is then `b3sum`'s).
    #[arg(long)]
    pub blake3: bool,
    /// One digest per SIZE bytes of each file (model_signing's "shards").
    #[arg(long, value_name = "SIZE")]
    pub shard_size: Option<u64>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonHashArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum HashFormat {
    Json,
    Sha256sum,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// A model file or directory.
    pub path: PathBuf,
    /// Private key reference (PEM P-256/P-384, PKCS#8 or SEC1): `file:PATH` or a path.
    #[arg(long, value_name = "REF")]
    pub key: String,
    /// PEM certificates: the signing certificate first, then its chain.
    #[arg(long, value_name = "PEM", num_args = 1..)]
    pub certificate_chain: Vec<PathBuf>,
    /// Where to write the signature (model_signing's default: ./model.sig).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_SIGNATURE)]
    pub signature: PathBuf,
    /// Sign shards of SIZE bytes instead of whole files.
    #[arg(long, value_name = "SIZE")]
    pub shard_size: Option<u64>,
    /// BLAKE3 digests instead of SHA-256.
    #[arg(long)]
    pub blake3: bool,
    #[command(flatten)]
    pub common: CommonHashArgs,
}

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("trust").required(true).args(["key", "certificate"]))]
pub struct VerifyArgs {
    /// A model file or directory.
    pub path: PathBuf,
    /// The signature (Sigstore bundle) to check.
    #[arg(long, value_name = "FILE")]
    pub signature: PathBuf,
    /// PEM public key the model must be signed with.
    #[arg(long, value_name = "PUBKEY.pem")]
    pub key: Option<PathBuf>,
    /// PEM root certificate(s) the signing certificate must chain to.
    #[arg(long, value_name = "ROOT.pem", num_args = 1..)]
    pub certificate: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = crate::cli::SimpleFormat::Text)]
    pub format: crate::cli::SimpleFormat,
    #[command(flatten)]
    pub common: CommonHashArgs,
}

fn hash_options(common: &CommonHashArgs, blake3: bool, shard: Option<u64>) -> HashOptions {
    HashOptions {
        algorithm: if blake3 {
            HashAlgorithm::Blake3
        } else {
            HashAlgorithm::Sha256
        },
        serialization: shard.map_or(Serialization::Files, |shard_size| Serialization::Shards {
            shard_size,
        }),
        allow_symlinks: common.allow_symlinks,
        ignore_git_paths: !common.no_ignore_git_paths,
        ignore_paths: common.ignore_paths.clone(),
    }
}

pub fn hash(args: &HashArgs) -> Result<u8> {
    let opts = hash_options(&args.common, args.blake3, args.shard_size);
    let m = hash::hash_model(&args.path, &opts)
        .with_context(|| format!("cannot hash {}", args.path.display()))?;
    let text = match args.format {
        HashFormat::Json => serde_json::to_string_pretty(&m)?,
        HashFormat::Sha256sum => hash::sha256sum_text(&m, &args.path.to_string_lossy())?,
    };
    emit(&text, args.output.as_deref())?;
    Ok(crate::EXIT_OK)
}

pub fn sign(args: &SignArgs) -> Result<u8> {
    let key = load_signing_key(&args.key)?;
    let mut chain = Vec::new();
    for p in &args.certificate_chain {
        let pem = std::fs::read(p).with_context(|| format!("failed to read {}", p.display()))?;
        chain.extend(sign::certificates_from_pem(&pem).with_context(|| p.display().to_string())?);
    }
    let mut opts = hash_options(&args.common, args.blake3, args.shard_size);
    opts.ignore_paths
        .extend(hash::relative_to_model(&args.path, &args.signature));
    let id = if chain.is_empty() {
        SignerIdentity::Key
    } else {
        SignerIdentity::Certificates(&chain)
    };
    let bundle = sign::sign_model(&args.path, &opts, &key, id)
        .with_context(|| format!("cannot sign {}", args.path.display()))?;
    write_atomic(&args.signature, &bundle)?;
    eprintln!(
        "aigis: signed {} -> {}",
        args.path.display(),
        args.signature.display()
    );
    Ok(crate::EXIT_OK)
}

pub fn verify(args: &VerifyArgs) -> Result<u8> {
    let trust = match &args.key {
        Some(p) => {
            let pem = std::fs::read_to_string(p)
                .with_context(|| format!("failed to read {}", p.display()))?;
            Trust::PublicKey(
                EcVerifyingKey::from_pem(&pem).with_context(|| p.display().to_string())?,
            )
        }
        None => {
            let mut roots = Vec::new();
            for p in &args.certificate {
                let pem =
                    std::fs::read(p).with_context(|| format!("failed to read {}", p.display()))?;
                roots.extend(
                    sign::certificates_from_pem(&pem).with_context(|| p.display().to_string())?,
                );
            }
            Trust::Roots(roots)
        }
    };
    let bytes = read_bounded(&args.signature, sign::MAX_SIGNATURE_BYTES)?;
    let mut opts = VerifyOptions {
        allow_symlinks: args.common.allow_symlinks,
        ignore_paths: args.common.ignore_paths.clone(),
        no_ignore_git_paths: args.common.no_ignore_git_paths,
    };
    opts.ignore_paths
        .extend(hash::relative_to_model(&args.path, &args.signature));
    let v = sign::verify_model(&args.path, &bytes, &trust, &opts)
        .with_context(|| format!("cannot verify {}", args.path.display()))?;
    let shown = args.path.display();
    let text = match args.format {
        crate::cli::SimpleFormat::Json => serde_json::to_string_pretty(&v)?,
        crate::cli::SimpleFormat::Text if v.verified() => format!(
            "verified: {shown} ({} resources, signed by {})",
            v.resources_checked,
            v.signer.as_deref().unwrap_or("the given key")
        ),
        crate::cli::SimpleFormat::Text => {
            let mut t = format!("verification failed: {shown}");
            for p in &v.problems {
                t.push_str("\n  ");
                t.push_str(&describe(p));
            }
            t
        }
    };
    emit(&text, None)?;
    Ok(if v.verified() {
        crate::EXIT_OK
    } else {
        crate::EXIT_FINDINGS
    })
}

fn describe(p: &Problem) -> String {
    match p {
        Problem::MalformedSignature { reason } => format!("malformed signature: {reason}"),
        Problem::WrongKey {
            signed_with,
            expected,
        } => {
            format!("wrong key: signed with key {signed_with}, expected key {expected}")
        }
        Problem::UntrustedCertificate { reason } => format!("untrusted certificate: {reason}"),
        Problem::MissingCertificate => {
            "the signature carries no certificate to check against the root".into()
        }
        Problem::BadSignature => "bad signature: the envelope signature does not verify".into(),
        Problem::Modified { path } => format!("modified: {path}"),
        Problem::Missing { path } => format!("missing: {path}"),
        Problem::Extra { path } => format!("extra: {path}"),
    }
}

fn read_bounded(p: &Path, max: usize) -> Result<Vec<u8>> {
    let len = std::fs::metadata(p)
        .with_context(|| format!("failed to read {}", p.display()))?
        .len();
    if len > max as u64 {
        bail!("{}: signature larger than {max} bytes", p.display());
    }
    std::fs::read(p).with_context(|| format!("failed to read {}", p.display()))
}

/// The signing key from a key reference (`env:`, `file:`, `systemd:`,
/// `vault:`; never the key itself), as PEM (PKCS#8 or SEC1).
fn load_signing_key(reference: &str) -> Result<EcSigningKey> {
    // A value that is not a reference (a pasted key) is never echoed back.
    let parsed = aigis_integrity::keys::KeyRef::parse(reference).context("--key")?;
    let resolved =
        aigis_integrity::keys::resolve(reference).with_context(|| format!("--key {parsed}"))?;
    for w in &resolved.warnings {
        eprintln!("aigis: warning: {w}");
    }
    let bytes = resolved.private_key_bytes()?;
    let pem = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("--key {parsed}: the key is not PEM text"))?;
    EcSigningKey::from_pem(pem).with_context(|| format!("--key {parsed}"))
}
