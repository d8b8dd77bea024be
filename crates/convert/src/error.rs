//! One error enum for the converter: a refusal names what in the input was
//! refused and why; only [`ConvertError::Io`] is about the output.

use aigis_formats::{npy::NpyError, zip::ZipError};
use aigis_pickle::rebuild::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// Not a PyTorch checkpoint (zip or legacy), `.npy` or `.npz`.
    #[error("not a PyTorch checkpoint, .npy or .npz file")]
    Unrecognised,
    /// A pickle holds something other than tensors and plain containers.
    #[error("{location}: {refusal}")]
    Pickle { location: String, refusal: Refusal },
    /// The zip container cannot be read.
    #[error("{location}: {source}")]
    Zip { location: String, source: ZipError },
    /// An `.npy` header cannot be read.
    #[error("{location}: {source}")]
    Npy { location: String, source: NpyError },
    /// A record the format requires is missing or malformed.
    #[error("{0}")]
    Layout(String),
    /// A storage's bytes are missing, short, or used inconsistently.
    #[error("storage {key}: {detail}")]
    Storage { key: String, detail: String },
    /// A tensor's view does not fit its storage.
    #[error("tensor {name}: {detail}")]
    View { name: String, detail: String },
    /// Content this converter does not turn into safetensors (a dtype
    /// safetensors lacks, object arrays, storage views).
    #[error("{0}")]
    Unsupported(String),
    /// Two values flatten to the same name.
    #[error("two values are named {0:?}")]
    DuplicateName(String),
    /// Nothing to write.
    #[error("no tensors found")]
    NoTensors,
    /// A named limit of [`crate::Limits`].
    #[error("limit {0} exceeded")]
    LimitExceeded(&'static str),
    /// Writing the output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ConvertError {
    /// True when the input was read and its content refused (as opposed to an
    /// input that is no checkpoint at all, or a failure to write).
    pub fn is_refusal(&self) -> bool {
        !matches!(self, ConvertError::Unrecognised | ConvertError::Io(_))
    }
}
