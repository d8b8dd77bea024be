//! The walk over a `Model`: the root table, then operator codes, subgraphs
//! (operators and the names of their first outputs), the description,
//! buffers (sizes and places only), metadata and the signature count, in
//! that order, so that what is read before a broken table is kept.
//!
//! Field ids are schema.fbs's (a union takes two ids: type and value).

use super::reader::{Reader, Table, Vector};
use super::*;

mod model {
    pub const VERSION: u16 = 0;
    pub const OPERATOR_CODES: u16 = 1;
    pub const SUBGRAPHS: u16 = 2;
    pub const DESCRIPTION: u16 = 3;
    pub const BUFFERS: u16 = 4;
    pub const METADATA: u16 = 6;
    pub const SIGNATURE_DEFS: u16 = 7;
}
mod opcode {
    pub const DEPRECATED_BUILTIN_CODE: u16 = 0;
    pub const CUSTOM_CODE: u16 = 1;
    pub const VERSION: u16 = 2;
    pub const BUILTIN_CODE: u16 = 3;
}
mod subgraph {
    pub const TENSORS: u16 = 0;
    pub const OPERATORS: u16 = 3;
    pub const NAME: u16 = 4;
}
mod operator {
    pub const OPCODE_INDEX: u16 = 0;
    pub const OUTPUTS: u16 = 2;
}
const TENSOR_NAME: u16 = 3;
mod buffer {
    pub const DATA: u16 = 0;
    pub const OFFSET: u16 = 1;
    pub const SIZE: u16 = 2;
}
mod metadata {
    pub const NAME: u16 = 0;
    pub const BUFFER: u16 = 1;
}

/// Bytes of an offset or a 32-bit scalar in a vector.
const WORD: usize = 4;

pub(super) fn model(data: &[u8]) -> Result<Tflite<'_>, TfliteError> {
    let r = Reader { data };
    let root = r.deref(0, "the root offset")?;
    let t = r.table(root, "the Model table")?;
    let mut m = Tflite {
        root: root as u64,
        ..Tflite::default()
    };
    if let Err(e) = body(&r, &t, &mut m) {
        m.stop = Some(e);
    }
    Ok(m)
}

fn body<'a>(r: &Reader<'a>, t: &Table, m: &mut Tflite<'a>) -> Result<(), TfliteError> {
    m.version = r
        .field_u32(t, model::VERSION, "Model.version")?
        .unwrap_or(0);
    operator_codes(r, t, m)?;
    subgraphs(r, t, m)?;
    m.description = r.field_string(t, model::DESCRIPTION, "Model.description")?;
    buffers(r, t, m)?;
    metadata(r, t, m)?;
    let sigs = "Model.signature_defs";
    if let Some(v) = r.field_vector(t, model::SIGNATURE_DEFS, WORD, MAX_SIGNATURES, sigs)? {
        m.signature_defs = v.len as u64;
    }
    Ok(())
}

fn operator_codes<'a>(r: &Reader<'a>, t: &Table, m: &mut Tflite<'a>) -> Result<(), TfliteError> {
    let what = "an OperatorCode";
    let Some(v) = r.field_vector(t, model::OPERATOR_CODES, WORD, MAX_OPERATOR_CODES, what)? else {
        return Ok(());
    };
    for i in 0..v.len {
        let c = r.table_at(&v, i, what)?;
        let deprecated = r.field_u8(&c, opcode::DEPRECATED_BUILTIN_CODE, what)?;
        m.operator_codes.push(OperatorCode {
            deprecated_builtin_code: deprecated.unwrap_or(0) as i8,
            builtin_code: r.field_u32(&c, opcode::BUILTIN_CODE, what)?.unwrap_or(0) as i32,
            custom_code: r.field_string(&c, opcode::CUSTOM_CODE, "OperatorCode.custom_code")?,
            version: r
                .field_u32(&c, opcode::VERSION, what)?
                .map_or(1, |v| v as i32),
            offset: c.pos as u64,
        });
    }
    Ok(())
}

fn subgraphs<'a>(r: &Reader<'a>, t: &Table, m: &mut Tflite<'a>) -> Result<(), TfliteError> {
    let what = "a SubGraph";
    let Some(v) = r.field_vector(t, model::SUBGRAPHS, WORD, MAX_SUBGRAPHS, what)? else {
        return Ok(());
    };
    let mut budget = MAX_OPERATORS;
    for i in 0..v.len {
        let g = r.table_at(&v, i, what)?;
        let tensors =
            r.field_vector(&g, subgraph::TENSORS, WORD, MAX_TENSORS, "SubGraph.tensors")?;
        m.subgraphs.push(Subgraph {
            name: r.field_string(&g, subgraph::NAME, "SubGraph.name")?,
            tensor_count: tensors.map_or(0, |v| v.len as u64),
            operators: Vec::new(),
        });
        let what = "an Operator";
        let Some(ops) = r.field_vector(&g, subgraph::OPERATORS, WORD, budget, what)? else {
            continue;
        };
        budget -= ops.len as u64;
        for j in 0..ops.len {
            let op = operator(r, &ops, j, tensors.as_ref(), m.operator_codes.len(), i)?;
            if let Some(s) = m.subgraphs.last_mut() {
                s.operators.push(op);
            }
        }
    }
    Ok(())
}

fn operator<'a>(
    r: &Reader<'a>,
    ops: &Vector,
    j: usize,
    tensors: Option<&Vector>,
    codes: usize,
    subgraph: usize,
) -> Result<Operator<'a>, TfliteError> {
    let what = "an Operator";
    let o = r.table_at(ops, j, what)?;
    let index = r.field_u32(&o, operator::OPCODE_INDEX, what)?.unwrap_or(0);
    if usize::try_from(index).is_ok_and(|i| i >= codes) {
        return Err(TfliteError::BadOpcodeIndex {
            subgraph,
            operator: j,
            index,
            count: codes,
        });
    }
    let outputs = "Operator.outputs";
    let first = match r.field_vector(&o, operator::OUTPUTS, WORD, MAX_OPERATOR_OUTPUTS, outputs)? {
        Some(v) => v.at(0).map(|p| r.u32(p, outputs)).transpose()?,
        None => None,
    };
    // The name is a label only: an output index that names no tensor leaves
    // the operator unnamed (the runtime rejects such a model anyway).
    let output = match (first, tensors) {
        (Some(idx), Some(ts)) if (idx as usize) < ts.len => {
            let tensor = r.table_at(ts, idx as usize, "a Tensor")?;
            r.field_string(&tensor, TENSOR_NAME, "Tensor.name")?
        }
        _ => None,
    };
    Ok(Operator {
        opcode_index: index,
        output,
        offset: o.pos as u64,
    })
}

fn buffers(r: &Reader<'_>, t: &Table, m: &mut Tflite<'_>) -> Result<(), TfliteError> {
    let what = "a Buffer";
    let Some(v) = r.field_vector(t, model::BUFFERS, WORD, MAX_BUFFERS, what)? else {
        return Ok(());
    };
    let len = r.data.len() as u64;
    for index in 0..v.len {
        let b = r.table_at(&v, index, what)?;
        let data = r.field_vector(&b, buffer::DATA, 1, u64::from(u32::MAX), "Buffer.data")?;
        let offset = r.field_u64(&b, buffer::OFFSET, what)?.unwrap_or(0);
        let size = r.field_u64(&b, buffer::SIZE, what)?.unwrap_or(0);
        let place = match data {
            Some(d) if d.len > 0 => BufferData::Inline {
                offset: d.start as u64,
                size: d.len as u64,
            },
            // The schema: an offset of 0 or 1 means "no external data".
            _ if offset > 1 => {
                if offset.checked_add(size).is_none_or(|end| end > len) {
                    return Err(TfliteError::BufferOutOfRange {
                        index,
                        offset,
                        size,
                        len,
                    });
                }
                BufferData::External { offset, size }
            }
            _ => BufferData::Empty,
        };
        m.buffers.push(place);
    }
    Ok(())
}

fn metadata<'a>(r: &Reader<'a>, t: &Table, m: &mut Tflite<'a>) -> Result<(), TfliteError> {
    let what = "a Metadata entry";
    let Some(v) = r.field_vector(t, model::METADATA, WORD, MAX_METADATA, what)? else {
        return Ok(());
    };
    for i in 0..v.len {
        let e = r.table_at(&v, i, what)?;
        m.metadata.push(Metadata {
            name: r.field_string(&e, metadata::NAME, "Metadata.name")?,
            buffer: r.field_u32(&e, metadata::BUFFER, what)?.unwrap_or(0),
        });
    }
    Ok(())
}
