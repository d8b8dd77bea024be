//! Reading the header fields in order: counts (checked against limits and
//! the bytes left), key/values (arrays nested, items kept up to a cap),
//! `general.alignment`, then the tensor infos.

use super::reader::Reader;
use super::types;
use super::{
    ALIGNMENT_KEY, AnomalyKind, Array, Gguf, GgufError, Kv, MAX_ARRAY_DEPTH, MAX_ARRAY_LEN,
    MAX_DIMS, MAX_KEPT_ITEMS, MAX_KVS, MAX_TENSOR_NAME, MAX_TENSORS, TensorInfo, Value, value_type,
    value_type_name,
};

pub(super) fn read_body<'a>(
    r: &mut Reader<'a>,
    g: &mut Gguf<'a>,
    file_len: u64,
) -> Result<(), GgufError> {
    let w = r.len_width();
    let offset = r.pos();
    g.tensor_count = r.len("the tensor count")?;
    g.kv_count = r.len("the key/value count")?;
    // Smallest encodings: a key/value is a key length, a type and one byte;
    // a tensor info is a name length, n_dims, a type and an offset.
    check_count(
        r,
        offset,
        "tensor count",
        g.tensor_count,
        MAX_TENSORS,
        w + 16,
    )?;
    check_count(r, offset + w, "key/value count", g.kv_count, MAX_KVS, w + 5)?;
    for _ in 0..g.kv_count {
        let key = r.string("a key")?;
        let ty_offset = r.pos();
        let ty = r.u32("a value type")?;
        let value = read_value(r, ty, ty_offset, 0)?;
        g.kvs.push(Kv { key, value });
    }
    check_keys(g);
    for _ in 0..g.tensor_count {
        let t = read_tensor_info(r, g)?;
        g.tensors.push(t);
    }
    g.data_start = r.aligned_pos(g.alignment);
    super::layout::check(g, file_len);
    Ok(())
}

/// A count must be under its limit and fit in the bytes left.
fn check_count(
    r: &Reader<'_>,
    offset: u64,
    what: &'static str,
    count: u64,
    limit: u64,
    min_size: u64,
) -> Result<(), GgufError> {
    if count > limit {
        return Err(GgufError::CountOverLimit {
            offset,
            what,
            count,
            limit,
        });
    }
    let need = count.saturating_mul(min_size);
    if need > r.remaining() {
        return Err(r.short(what, need));
    }
    Ok(())
}

/// Smallest encoding of one value of type `ty`.
fn min_value_size(ty: u32, w: u64) -> u64 {
    match ty {
        value_type::STRING => w,
        value_type::ARRAY => 4 + w,
        _ => types::fixed_size(ty).unwrap_or(1),
    }
}

fn read_value<'a>(
    r: &mut Reader<'a>,
    ty: u32,
    ty_offset: u64,
    depth: u32,
) -> Result<Value<'a>, GgufError> {
    use value_type as t;
    const WHAT: &str = "a value";
    Ok(match ty {
        t::U8 => Value::U8(r.u8(WHAT)?),
        t::I8 => Value::I8(r.u8(WHAT)?.cast_signed()),
        t::U16 => Value::U16(r.u16(WHAT)?),
        t::I16 => Value::I16(r.u16(WHAT)?.cast_signed()),
        t::U32 => Value::U32(r.u32(WHAT)?),
        t::I32 => Value::I32(r.u32(WHAT)?.cast_signed()),
        t::F32 => Value::F32(f32::from_bits(r.u32(WHAT)?)),
        t::BOOL => Value::Bool(r.u8(WHAT)?),
        t::STRING => Value::Str(r.string("a string value")?),
        t::U64 => Value::U64(r.u64(WHAT)?),
        t::I64 => Value::I64(r.u64(WHAT)?.cast_signed()),
        t::F64 => Value::F64(f64::from_bits(r.u64(WHAT)?)),
        t::ARRAY => Value::Array(read_array(r, depth)?),
        _ => {
            return Err(GgufError::UnknownValueType {
                offset: ty_offset,
                ty,
            });
        }
    })
}

fn read_array<'a>(r: &mut Reader<'a>, depth: u32) -> Result<Array<'a>, GgufError> {
    let offset = r.pos();
    if depth >= MAX_ARRAY_DEPTH {
        return Err(GgufError::ArrayTooDeep {
            offset,
            limit: MAX_ARRAY_DEPTH,
        });
    }
    let elem_type = r.u32("an array type")?;
    if elem_type > value_type::F64 {
        return Err(GgufError::UnknownValueType {
            offset,
            ty: elem_type,
        });
    }
    let len_offset = r.pos();
    let len = r.len("an array length")?;
    let min = min_value_size(elem_type, r.len_width());
    check_count(r, len_offset, "array length", len, MAX_ARRAY_LEN, min)?;
    let mut items = Vec::new();
    let mut read = 0u64;
    while read < len {
        if let (Some(size), true) = (types::fixed_size(elem_type), items.len() >= MAX_KEPT_ITEMS) {
            r.skip(len - read, size, "array items")?;
            break;
        }
        let v = read_value(r, elem_type, offset, depth + 1)?;
        if items.len() < MAX_KEPT_ITEMS {
            items.push(v);
        }
        read += 1;
    }
    Ok(Array {
        elem_type,
        len,
        items,
    })
}

/// Duplicate keys, and `general.alignment`.
fn check_keys(g: &mut Gguf<'_>) {
    let mut keys: Vec<(&[u8], u64)> = g
        .kvs
        .iter()
        .map(|kv| (kv.key.bytes, kv.key.offset))
        .collect();
    keys.sort_unstable();
    let dups: Vec<(String, u64)> = keys
        .windows(2)
        .filter_map(|w| match w {
            [(a, _), (b, off)] if a == b => Some((String::from_utf8_lossy(b).into_owned(), *off)),
            _ => None,
        })
        .collect();
    for (key, off) in dups {
        g.note(
            AnomalyKind::DuplicateKey,
            off,
            format!(
                "key '{}' appears more than once",
                super::layout::shorten(&key)
            ),
        );
    }
    let Some(kv) = g
        .kvs
        .iter()
        .find(|kv| kv.key.bytes == ALIGNMENT_KEY.as_bytes())
    else {
        return;
    };
    let off = kv.key.offset;
    match kv.value {
        Value::U32(a) if a != 0 && a.is_power_of_two() => g.alignment = u64::from(a),
        ref v => {
            let shown = match v {
                Value::U32(a) => format!("{a}"),
                other => format!("a {} value", value_type_name(other.type_id())),
            };
            g.note(
                AnomalyKind::BadAlignment,
                off,
                format!("general.alignment is {shown}, not a u32 power of two (llama.cpp aborts or refuses the file)"),
            );
        }
    }
}

fn read_tensor_info<'a>(r: &mut Reader<'a>, g: &mut Gguf<'a>) -> Result<TensorInfo<'a>, GgufError> {
    let name = r.string("a tensor name")?;
    if name.bytes.len() > MAX_TENSOR_NAME {
        g.note(
            AnomalyKind::NameTooLong,
            name.offset,
            format!(
                "tensor name of {} bytes, over llama.cpp's {MAX_TENSOR_NAME}",
                name.bytes.len()
            ),
        );
    }
    let n_dims_offset = r.pos();
    let n_dims = r.u32("n_dims")?;
    let dim_width = r.len_width();
    if n_dims > MAX_DIMS {
        g.note(
            AnomalyKind::TooManyDims,
            n_dims_offset,
            format!(
                "tensor '{}' has n_dims {n_dims}, over ggml's {MAX_DIMS}",
                super::layout::shorten(&name.lossy())
            ),
        );
    }
    let kept = n_dims.min(MAX_DIMS);
    let mut dims = Vec::with_capacity(kept as usize);
    for _ in 0..kept {
        dims.push(r.len("a tensor dimension")?);
    }
    r.skip(u64::from(n_dims - kept), dim_width, "tensor dims")?;
    let ggml_type = r.u32("a tensor type")?;
    let offset = r.u64("a tensor offset")?;
    Ok(TensorInfo {
        name,
        n_dims,
        dims,
        ggml_type,
        offset,
        nbytes: None,
    })
}
