//! Converting pickle-based checkpoints and numpy files to safetensors
//! without executing anything.
//!
//! A PyTorch checkpoint (zip or legacy format) is reconstructed through
//! `aigis_pickle::rebuild`, which builds only plain containers, scalars and
//! allowlisted tensor rebuilds and refuses anything else with the reason. The
//! result is flattened to tensor names (see [`flatten`]), every tensor view
//! is checked against its storage, and the safetensors file is written
//! tensor by tensor from the input's bytes: memory stays bounded by the
//! pickle, not by the tensor data. `.npy` and `.npz` files are read through
//! `aigis_formats::npy` (object and structured dtypes are refused).
//!
//! It never prints, never touches the file system and never decides exit
//! codes: [`plan`] reads, [`Plan::write`] writes to any `Write`.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod dtype;
mod error;
pub mod flatten;
mod layout;
mod numpy;
mod torch;
mod write;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::BTreeMap;

pub use dtype::Dtype;
pub use error::ConvertError;

/// Tensors in one output file.
pub const MAX_TENSORS: usize = 1 << 19;
/// Nesting of containers followed when flattening names.
pub const MAX_DEPTH: usize = 256;
/// Values visited when flattening (a shared container is visited once per path).
pub const MAX_WALK: usize = 1 << 21;
/// Bytes of one flattened name (the safetensors parser's own limit).
pub const MAX_NAME_LEN: usize = aigis_formats::safetensors::MAX_NAME_LEN;
/// Bytes inflated from one compressed zip member into memory (PyTorch
/// stores members uncompressed and they are read in place;
/// `np.savez_compressed` deflates them).
pub const MAX_MEMBER_BYTES: u64 = 4 << 30;
/// Bytes of a checkpoint's pickle (`data.pkl`); real ones are kilobytes to
/// a few megabytes, the tensor data lives outside it.
pub const MAX_PICKLE_BYTES: u64 = 256 << 20;
/// Longest string kept as a `__metadata__` value; longer ones are skipped.
pub const MAX_METADATA_VALUE: usize = 4096;
/// `__metadata__` entries kept; further ones are skipped.
pub const MAX_METADATA_ENTRIES: usize = 4096;
/// Skipped values listed by name (all are counted).
pub const MAX_SKIPPED_LISTED: usize = 32;
/// Tensor data written per input byte, past [`EXPANSION_GRACE`]: views may
/// overlap (tied weights, stride-0 broadcasts), so a small checkpoint could
/// otherwise declare terabytes of output.
pub const MAX_EXPANSION: u64 = 16;
/// Tensor data always allowed, whatever the input's length.
pub const EXPANSION_GRACE: u64 = 1 << 20;
/// Bytes of the JSON header (the safetensors library's own limit).
pub const MAX_HEADER_BYTES: u64 = aigis_formats::safetensors::MAX_HEADER_LEN;

/// Named limits.
#[derive(Clone, Debug)]
pub struct Limits {
    pub pickle: aigis_pickle::rebuild::Limits,
    pub max_tensors: usize,
    pub max_depth: usize,
    pub max_walk: usize,
    pub max_member_bytes: u64,
    pub max_pickle_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            pickle: aigis_pickle::rebuild::Limits::default(),
            max_tensors: MAX_TENSORS,
            max_depth: MAX_DEPTH,
            max_walk: MAX_WALK,
            max_member_bytes: MAX_MEMBER_BYTES,
            max_pickle_bytes: MAX_PICKLE_BYTES,
        }
    }
}

/// How to convert.
#[derive(Clone, Debug)]
pub struct Options {
    /// Name of a tensor that is the whole checkpoint (`torch.save(t)`) or a
    /// whole `.npy` file.
    pub name: String,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            name: "tensor".into(),
            limits: Limits::default(),
        }
    }
}

/// Where one output tensor's elements are: a strided view of a storage.
/// Sizes, strides and offset are in elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub storage: usize,
    pub dtype: Dtype,
    pub offset: u64,
    pub shape: Vec<u64>,
    pub strides: Vec<u64>,
    /// The storage is big-endian; elements are swapped on the way out.
    pub swap: bool,
}

/// One output tensor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub view: View,
}

/// A value that is not written, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub name: String,
    pub why: String,
}

/// What will be written: tensors sorted by name, metadata, and what was left out.
#[derive(Debug)]
pub struct Plan<'a> {
    /// `pytorch-zip`, `pytorch-legacy`, `npy` or `npz`.
    pub format: &'static str,
    storages: Vec<Cow<'a, [u8]>>,
    pub tensors: Vec<Entry>,
    pub metadata: BTreeMap<String, String>,
    /// The first [`MAX_SKIPPED_LISTED`] values left out.
    pub skipped: Vec<Skipped>,
    pub skipped_count: usize,
}

/// What a conversion did, for the command's output.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub format: &'static str,
    pub tensors: usize,
    /// Bytes of tensor data written.
    pub data_bytes: u64,
    /// Bytes of the whole safetensors file.
    pub file_bytes: u64,
    pub metadata: usize,
    pub skipped: Vec<Skipped>,
    pub skipped_count: usize,
}

/// Read `data` (the whole input) and decide what to write, refusing
/// anything that is not tensors and plain values.
pub fn plan<'a>(data: &'a [u8], opts: &Options) -> Result<Plan<'a>, ConvertError> {
    let mut plan = if data.starts_with(aigis_formats::npy::MAGIC) {
        numpy::plan_npy(data, opts)?
    } else if aigis_formats::zip::is_zip(data) {
        let archive =
            aigis_formats::zip::Archive::parse(data).map_err(|source| ConvertError::Zip {
                location: "zip".into(),
                source,
            })?;
        if archive.find_record("data.pkl").is_some() {
            torch::plan_zip(&archive, opts)?
        } else {
            numpy::plan_npz(&archive, opts)?
        }
    } else if torch::is_legacy(data) {
        torch::plan_legacy(data, opts)?
    } else {
        return Err(ConvertError::Unrecognised);
    };
    if plan.tensors.is_empty() {
        return Err(ConvertError::NoTensors);
    }
    if plan.tensors.len() > opts.limits.max_tensors {
        return Err(ConvertError::LimitExceeded("max_tensors"));
    }
    plan.tensors.sort_by(|a, b| a.name.cmp(&b.name));
    let mut total = 0u64;
    for v in &plan.tensors {
        layout::check(v, plan.storage_len(v.view.storage))?;
        total = total.saturating_add(layout::byte_len(&v.view).unwrap_or(u64::MAX));
    }
    let allowed = (data.len() as u64)
        .saturating_mul(MAX_EXPANSION)
        .saturating_add(EXPANSION_GRACE);
    if total > allowed {
        return Err(ConvertError::LimitExceeded("max_expansion"));
    }
    Ok(plan)
}

impl Plan<'_> {
    fn storage_len(&self, i: usize) -> u64 {
        self.storages.get(i).map_or(0, |s| s.len() as u64)
    }

    /// Write the safetensors file; returns its length.
    pub fn write(&self, out: &mut dyn std::io::Write) -> Result<u64, ConvertError> {
        write::write(self, out)
    }

    /// Counts for the output line, given the written file length.
    pub fn summary(&self, file_bytes: u64) -> Summary {
        Summary {
            format: self.format,
            tensors: self.tensors.len(),
            data_bytes: self
                .tensors
                .iter()
                .map(|t| layout::byte_len(&t.view).unwrap_or(0))
                .fold(0u64, u64::saturating_add),
            file_bytes,
            metadata: self.metadata.len(),
            skipped: self.skipped.clone(),
            skipped_count: self.skipped_count,
        }
    }

    fn skip(&mut self, name: &str, why: impl Into<String>) {
        self.skipped_count += 1;
        if self.skipped.len() < MAX_SKIPPED_LISTED {
            self.skipped.push(Skipped {
                name: name.to_string(),
                why: why.into(),
            });
        }
    }
}
