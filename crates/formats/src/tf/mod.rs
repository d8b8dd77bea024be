//! TensorFlow SavedModel (`saved_model.pb`), frozen GraphDef (`.pb`) and
//! Keras `keras_metadata.pb` files: recognised by structure, decoded with
//! [`proto`]'s partial schema, and reduced to an inventory of the ops they use.
//!
//! Limits: inputs over [`MAX_INPUT`] (protobuf's own 2 GiB cap) are refused;
//! the inventory lists at most [`MAX_OPS`] node uses (the rest are counted);
//! prost bounds message nesting at 100.

pub mod proto;

use prost::Message;
use std::collections::BTreeSet;

/// Largest protobuf decoded (protobuf messages cannot exceed 2 GiB).
pub const MAX_INPUT: usize = (2 << 30) - 1;
/// Node uses listed in an inventory.
pub const MAX_OPS: usize = 1_000_000;

/// Which TensorFlow file a byte string looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TfKind {
    SavedModel,
    GraphDef,
    KerasMetadata,
}

/// Why a TensorFlow protobuf could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TfError {
    #[error("protobuf larger than 2 GiB")]
    TooLarge,
    #[error("invalid protobuf: {0}")]
    Decode(String),
}

/// A protobuf varint at `pos`: (value, bytes used).
fn varint(data: &[u8], pos: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for i in 0..10 {
        let b = *data.get(pos + i)?;
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// The first length-delimited field 1 of a message, if the message starts with one.
fn first_submessage(data: &[u8]) -> Option<&[u8]> {
    if data.first() != Some(&0x0a) {
        return None;
    }
    let (len, n) = varint(data, 1)?;
    let start = 1 + n;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    data.get(start..end)
}

fn op_name_ok(op: &str) -> bool {
    let mut chars = op.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '>' || c == '.')
}

/// Recognise a TensorFlow protobuf from its first message(s), cheaply: the
/// whole file is decoded only when it is scanned.
pub fn sniff(data: &[u8]) -> Option<TfKind> {
    // SavedModel: saved_model_schema_version = 1, then meta_graphs.
    if data.starts_with(&[0x08, 0x01, 0x12]) {
        let (len, n) = varint(data, 3)?;
        let start = 3 + n;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        let first = data.get(start..end.min(data.len()))?;
        // MetaGraphDef starts with meta_info_def (1) or graph_def (2).
        if matches!(first.first(), Some(0x0a | 0x12)) {
            return Some(TfKind::SavedModel);
        }
        return None;
    }
    let first = first_submessage(data)?;
    if let Ok(node) = proto::NodeDef::decode(first)
        && !node.name.is_empty()
        && op_name_ok(&node.op)
    {
        return Some(TfKind::GraphDef);
    }
    if let Ok(obj) = proto::SavedObject::decode(first)
        && obj.identifier.starts_with("_tf_keras_")
    {
        return Some(TfKind::KerasMetadata);
    }
    None
}

fn check(data: &[u8]) -> Result<(), TfError> {
    if data.len() > MAX_INPUT {
        return Err(TfError::TooLarge);
    }
    Ok(())
}

pub fn decode_saved_model(data: &[u8]) -> Result<proto::SavedModel, TfError> {
    check(data)?;
    proto::SavedModel::decode(data).map_err(|e| TfError::Decode(e.to_string()))
}

pub fn decode_graph(data: &[u8]) -> Result<proto::GraphDef, TfError> {
    check(data)?;
    proto::GraphDef::decode(data).map_err(|e| TfError::Decode(e.to_string()))
}

pub fn decode_keras_metadata(data: &[u8]) -> Result<proto::SavedMetadata, TfError> {
    check(data)?;
    proto::SavedMetadata::decode(data).map_err(|e| TfError::Decode(e.to_string()))
}

/// One node that runs an op.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpUse {
    pub op: String,
    pub node: String,
    /// The library function the node is in; `None` for the main graph.
    pub function: Option<String>,
    /// String attributes (and string lists), e.g. a PyFunc `token` or a
    /// file name, bounded to 256 bytes each; a constant's string elements
    /// are listed under `value`.
    pub strings: Vec<(String, String)>,
    /// The first [`MAX_INPUTS`] inputs, as the graph writes them
    /// (`node`, `node:1`, `^node`).
    pub inputs: Vec<String>,
}

/// Inputs kept per node (checkpoint ops take the path first).
pub const MAX_INPUTS: usize = 4;

/// Every op a graph runs, with where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub uses: Vec<OpUse>,
    /// Uses past [`MAX_OPS`], counted only.
    pub dropped: usize,
    /// Functions the graph's library defines (call ops name them).
    pub functions: BTreeSet<String>,
}

impl Inventory {
    /// Add a graph's nodes and its library's functions.
    pub fn add_graph(&mut self, g: &proto::GraphDef) {
        if let Some(lib) = &g.library {
            for f in &lib.function {
                if let Some(sig) = &f.signature {
                    self.functions.insert(sig.name.clone());
                }
            }
        }
        for n in &g.node {
            self.add(n, None);
        }
        if let Some(lib) = &g.library {
            for f in &lib.function {
                let name = f.signature.as_ref().map(|s| s.name.clone());
                for n in &f.node_def {
                    self.add(n, name.clone());
                }
            }
        }
    }

    fn add(&mut self, n: &proto::NodeDef, function: Option<String>) {
        if self.uses.len() >= MAX_OPS {
            self.dropped += 1;
            return;
        }
        let clip = |b: &[u8]| String::from_utf8_lossy(b.get(..256).unwrap_or(b)).into_owned();
        let mut strings = Vec::new();
        let mut keys: Vec<&String> = n.attr.keys().collect();
        keys.sort();
        for k in keys {
            let Some(v) = n.attr.get(k) else { continue };
            if let Some(s) = &v.s {
                strings.push((k.clone(), clip(s)));
            }
            if let Some(l) = &v.list {
                for s in l.s.iter().take(16) {
                    strings.push((k.clone(), clip(s)));
                }
            }
            if let Some(t) = &v.tensor {
                for s in t.string_val.iter().take(16) {
                    strings.push((k.clone(), clip(s)));
                }
            }
        }
        let inputs = n
            .input
            .iter()
            .take(MAX_INPUTS)
            .map(|i| clip(i.as_bytes()))
            .collect();
        self.uses.push(OpUse {
            op: n.op.clone(),
            node: n.name.clone(),
            function,
            strings,
            inputs,
        });
    }
}

#[cfg(test)]
mod tests;
