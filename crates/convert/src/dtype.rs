//! Element types a converted tensor can have, by their safetensors names.

use aigis_pickle::rebuild::StorageDtype;

/// A safetensors dtype this converter writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Dtype {
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
    #[serde(rename = "BOOL")]
    Bool,
}

impl Dtype {
    /// The name in a safetensors header.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F64 => "F64",
            Dtype::F32 => "F32",
            Dtype::F16 => "F16",
            Dtype::BF16 => "BF16",
            Dtype::I64 => "I64",
            Dtype::I32 => "I32",
            Dtype::I16 => "I16",
            Dtype::I8 => "I8",
            Dtype::U64 => "U64",
            Dtype::U32 => "U32",
            Dtype::U16 => "U16",
            Dtype::U8 => "U8",
            Dtype::Bool => "BOOL",
        }
    }

    /// Bytes per element.
    pub fn size(self) -> u64 {
        match self {
            Dtype::F64 | Dtype::I64 | Dtype::U64 => 8,
            Dtype::F32 | Dtype::I32 | Dtype::U32 => 4,
            Dtype::F16 | Dtype::BF16 | Dtype::I16 | Dtype::U16 => 2,
            Dtype::I8 | Dtype::U8 | Dtype::Bool => 1,
        }
    }

    /// numpy's type string body (`f4`, `b1`) as in an `.npy` descr.
    pub(crate) fn from_numpy(code: &str) -> Option<Dtype> {
        Some(match code {
            "f8" => Dtype::F64,
            "f4" => Dtype::F32,
            "f2" => Dtype::F16,
            "i8" => Dtype::I64,
            "i4" => Dtype::I32,
            "i2" => Dtype::I16,
            "i1" => Dtype::I8,
            "u8" => Dtype::U64,
            "u4" => Dtype::U32,
            "u2" => Dtype::U16,
            "u1" => Dtype::U8,
            "b1" => Dtype::Bool,
            _ => return None,
        })
    }
}

impl From<StorageDtype> for Dtype {
    fn from(d: StorageDtype) -> Dtype {
        match d {
            StorageDtype::F64 => Dtype::F64,
            StorageDtype::F32 => Dtype::F32,
            StorageDtype::F16 => Dtype::F16,
            StorageDtype::BF16 => Dtype::BF16,
            StorageDtype::I64 => Dtype::I64,
            StorageDtype::I32 => Dtype::I32,
            StorageDtype::I16 => Dtype::I16,
            StorageDtype::I8 => Dtype::I8,
            StorageDtype::U8 => Dtype::U8,
            StorageDtype::Bool => Dtype::Bool,
        }
    }
}
