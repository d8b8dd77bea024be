//! The ggml tensor types GGUF files name, with their block layout, and the
//! GGUF metadata value types.

/// A ggml tensor type: elements come in blocks of `block` elements taking
/// `size` bytes (plain types have blocks of one element).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GgmlType {
    pub id: u32,
    pub name: &'static str,
    pub block: u64,
    /// Bytes per block; `None` for types newer than aigis's table of sizes,
    /// whose extent is then not checked.
    pub size: Option<u64>,
}

const fn t(id: u32, name: &'static str, block: u64, size: u64) -> GgmlType {
    GgmlType {
        id,
        name,
        block,
        size: Some(size),
    }
}

/// ggml's `ggml_type` enum (ggml.h) and block sizes (gguf-py `GGML_QUANT_SIZES`).
pub const GGML_TYPES: &[GgmlType] = &[
    t(0, "F32", 1, 4),
    t(1, "F16", 1, 2),
    t(2, "Q4_0", 32, 18),
    t(3, "Q4_1", 32, 20),
    t(6, "Q5_0", 32, 22),
    t(7, "Q5_1", 32, 24),
    t(8, "Q8_0", 32, 34),
    t(9, "Q8_1", 32, 36),
    t(10, "Q2_K", 256, 84),
    t(11, "Q3_K", 256, 110),
    t(12, "Q4_K", 256, 144),
    t(13, "Q5_K", 256, 176),
    t(14, "Q6_K", 256, 210),
    t(15, "Q8_K", 256, 292),
    t(16, "IQ2_XXS", 256, 66),
    t(17, "IQ2_XS", 256, 74),
    t(18, "IQ3_XXS", 256, 98),
    t(19, "IQ1_S", 256, 50),
    t(20, "IQ4_NL", 32, 18),
    t(21, "IQ3_S", 256, 110),
    t(22, "IQ2_S", 256, 82),
    t(23, "IQ4_XS", 256, 136),
    t(24, "I8", 1, 1),
    t(25, "I16", 1, 2),
    t(26, "I32", 1, 4),
    t(27, "I64", 1, 8),
    t(28, "F64", 1, 8),
    t(29, "IQ1_M", 256, 56),
    t(30, "BF16", 1, 2),
    t(34, "TQ1_0", 256, 54),
    t(35, "TQ2_0", 256, 66),
    t(39, "MXFP4", 32, 17),
    t(40, "NVFP4", 64, 36),
    GgmlType {
        id: 41,
        name: "Q1_0",
        block: 1,
        size: None,
    },
    GgmlType {
        id: 42,
        name: "Q2_0",
        block: 1,
        size: None,
    },
];

/// Type ids that ggml once had and removed; current llama.cpp refuses them.
pub const REMOVED_TYPES: &[(u32, &str)] = &[
    (4, "Q4_2"),
    (5, "Q4_3"),
    (31, "Q4_0_4_4"),
    (32, "Q4_0_4_8"),
    (33, "Q4_0_8_8"),
    (36, "IQ4_NL_4_4"),
    (37, "IQ4_NL_4_8"),
    (38, "IQ4_NL_8_8"),
];

/// The ggml type with this id, if it is a current one.
pub fn ggml_type(id: u32) -> Option<GgmlType> {
    GGML_TYPES.iter().copied().find(|t| t.id == id)
}

/// A name for any type id, for messages.
pub fn ggml_type_name(id: u32) -> String {
    match (ggml_type(id), REMOVED_TYPES.iter().find(|(r, _)| *r == id)) {
        (Some(t), _) => t.name.to_string(),
        (None, Some((_, name))) => format!("{name} (removed)"),
        (None, None) => format!("unknown type {id}"),
    }
}

/// GGUF metadata value types.
pub mod value_type {
    pub const U8: u32 = 0;
    pub const I8: u32 = 1;
    pub const U16: u32 = 2;
    pub const I16: u32 = 3;
    pub const U32: u32 = 4;
    pub const I32: u32 = 5;
    pub const F32: u32 = 6;
    pub const BOOL: u32 = 7;
    pub const STRING: u32 = 8;
    pub const ARRAY: u32 = 9;
    pub const U64: u32 = 10;
    pub const I64: u32 = 11;
    pub const F64: u32 = 12;
}

/// The name of a metadata value type (`u32`, `string`, `array`, ...).
pub fn value_type_name(ty: u32) -> &'static str {
    use value_type::*;
    match ty {
        U8 => "u8",
        I8 => "i8",
        U16 => "u16",
        I16 => "i16",
        U32 => "u32",
        I32 => "i32",
        F32 => "f32",
        BOOL => "bool",
        STRING => "string",
        ARRAY => "array",
        U64 => "u64",
        I64 => "i64",
        F64 => "f64",
        _ => "unknown",
    }
}

/// Bytes of a fixed-size value type, `None` for strings, arrays and unknown types.
pub fn fixed_size(ty: u32) -> Option<u64> {
    use value_type::*;
    match ty {
        U8 | I8 | BOOL => Some(1),
        U16 | I16 => Some(2),
        U32 | I32 | F32 => Some(4),
        U64 | I64 | F64 => Some(8),
        _ => None,
    }
}
