//! Manifests of digests for a model file or a model directory, in the shape
//! the OpenSSF model-signing (OMS v1.0) predicate uses: one digest per file
//! (`files`) or per fixed-size shard of each file (`shards`), named by the
//! path relative to the model root with forward slashes, and ordered the way
//! Python's `PurePosixPath` orders them (component by component).
//!
//! Hashing reads through fixed buffers (never a whole file), runs files and
//! shards in parallel on rayon's pool, refuses symbolic links unless allowed
//! and always refuses fifos, sockets and devices. Nothing here prints.

mod digest;
mod text;
mod walk;

pub use text::{sha256sum_line, sha256sum_text};
pub use walk::{DEFAULT_IGNORED, normalise_ignore, relative_to_model};

/// Lower-case hex of a digest.
pub fn digest_hex(bytes: &[u8]) -> String {
    digest::to_hex(bytes)
}

use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// At most this many files in one model (a named limit, not a tuning knob).
pub const MAX_FILES: usize = 1_000_000;
/// At most this many bytes in one relative path name.
pub const MAX_PATH_LEN: usize = 4096;
/// At most this many directory levels below the model root.
pub const MAX_DEPTH: usize = 128;
/// Smallest and largest shard sizes accepted (also from signatures).
pub const MIN_SHARD_SIZE: u64 = 1;
pub const MAX_SHARD_SIZE: u64 = 1 << 40;
/// At most this many resources (files or shards) in one manifest.
pub const MAX_RESOURCES: usize = 4_000_000;
/// model_signing's default shard size (1 GB, decimal).
pub const DEFAULT_SHARD_SIZE: u64 = 1_000_000_000;

/// The digest algorithm of every resource.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    Sha256,
    Blake3,
}

impl HashAlgorithm {
    /// The name model_signing writes as `hash_type`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Blake3 => "blake3",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(HashAlgorithm::Sha256),
            "blake3" => Some(HashAlgorithm::Blake3),
            _ => None,
        }
    }
}

/// How a model is cut into resources.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Serialization {
    /// One digest per file.
    Files,
    /// One digest per `shard_size` bytes of each file; empty files have no
    /// shard (and so do not appear), as in model_signing.
    Shards { shard_size: u64 },
}

/// What to hash and how.
#[derive(Clone, Debug)]
pub struct HashOptions {
    pub algorithm: HashAlgorithm,
    pub serialization: Serialization,
    /// Follow symbolic links to files (links to directories are listed by
    /// model_signing's walk but neither followed nor hashed; so here).
    pub allow_symlinks: bool,
    /// Ignore `.git`, `.gitattributes`, `.github`, `.gitignore` at the root.
    pub ignore_git_paths: bool,
    /// More paths to leave out, relative to the model root (a directory
    /// leaves out everything below it).
    pub ignore_paths: Vec<String>,
}

impl Default for HashOptions {
    fn default() -> Self {
        HashOptions {
            algorithm: HashAlgorithm::Sha256,
            serialization: Serialization::Files,
            allow_symlinks: false,
            ignore_git_paths: true,
            ignore_paths: Vec::new(),
        }
    }
}

/// One hashed resource: a whole file, or the bytes `start..end` of one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Path relative to the model root, forward slashes; "." when the model
    /// is a single file (model_signing's name for it).
    pub path: String,
    /// The byte range for a shard; `None` for a whole file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub range: Option<(u64, u64)>,
    /// Size of the whole file in bytes.
    pub size: u64,
    /// Lower-case hex digest.
    pub digest: String,
}

impl Resource {
    /// The OMS resource name: the path, or `path:start:end` for a shard.
    pub fn name(&self) -> String {
        match self.range {
            None => self.path.clone(),
            Some((s, e)) => format!("{}:{s}:{e}", self.path),
        }
    }
}

/// A model's manifest: what was hashed, how, and every resource's digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The last component of the model path (informative only).
    pub model_name: String,
    pub algorithm: HashAlgorithm,
    pub serialization: Serialization,
    pub allow_symlinks: bool,
    /// The ignore list in effect, relative to the root, sorted.
    pub ignore_paths: Vec<String>,
    /// Sorted like model_signing sorts them (see `resource_order`).
    pub resources: Vec<Resource>,
}

impl Manifest {
    /// Total bytes covered by the resources.
    pub fn total_bytes(&self) -> u64 {
        self.resources
            .iter()
            .map(|r| match r.range {
                Some((s, e)) => e.saturating_sub(s),
                None => r.size,
            })
            .fold(0u64, u64::saturating_add)
    }
}

/// Hash a model file or directory.
pub fn hash_model(model: &Path, opts: &HashOptions) -> Result<Manifest, Error> {
    if let Serialization::Shards { shard_size } = opts.serialization
        && !(MIN_SHARD_SIZE..=MAX_SHARD_SIZE).contains(&shard_size)
    {
        return Err(Error::InvalidOption(format!(
            "shard size {shard_size} is outside {MIN_SHARD_SIZE}..={MAX_SHARD_SIZE}"
        )));
    }
    let listing = walk::list_files(model, opts)?;
    let mut resources = digest::hash_all(&listing.files, opts)?;
    resources.sort_by(resource_order);
    Ok(Manifest {
        model_name: model_name(model),
        algorithm: opts.algorithm,
        serialization: opts.serialization,
        allow_symlinks: opts.allow_symlinks,
        ignore_paths: listing.ignore_paths,
        resources,
    })
}

/// model_signing sorts `PurePosixPath`s component by component, then shard
/// start and end as integers ("a/b" sorts before "a-b/c").
pub fn resource_order(a: &Resource, b: &Resource) -> std::cmp::Ordering {
    a.path
        .split('/')
        .cmp(b.path.split('/'))
        .then_with(|| a.range.cmp(&b.range))
}

/// The informative model name: the last path component, as model_signing
/// takes it (resolving `.` and `..` through the file system).
fn model_name(model: &Path) -> String {
    let last = model.file_name().map(|n| n.to_string_lossy().into_owned());
    match last {
        Some(n) if !n.is_empty() && n != ".." => n,
        _ => std::fs::canonicalize(model)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
