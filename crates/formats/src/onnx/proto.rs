//! The part of ONNX's `onnx-ml.proto` (IR version 14, onnx 1.23) that aigis
//! decodes, as hand-derived prost messages with the real field numbers.
//!
//! Only what a scan needs is declared: every other field (node inputs and
//! outputs, value infos, types, shapes, and above all tensor contents —
//! `raw_data`, `float_data`, ...) is an unknown field to prost, which skips
//! it by advancing past its length without copying. Strings are decoded as
//! bytes: protobuf's C++ runtime does not reject invalid UTF-8 in proto2
//! `string` fields, so neither may we. [`text`] shows them.
//!
//! `wire::Schema` mirrors which of these fields are messages and strings;
//! keep the two in step (a test encodes every message and walks it).

use std::borrow::Cow;

/// Bytes of a string field, shown as text (invalid UTF-8 replaced).
pub fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// `ModelProto`: the top-level message of an `.onnx` file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    #[prost(int64, tag = "1")]
    pub ir_version: i64,
    #[prost(bytes = "vec", tag = "2")]
    pub producer_name: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub producer_version: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub domain: Vec<u8>,
    #[prost(int64, tag = "5")]
    pub model_version: i64,
    #[prost(bytes = "vec", tag = "6")]
    pub doc_string: Vec<u8>,
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
    #[prost(message, repeated, tag = "14")]
    pub metadata_props: Vec<StringStringEntryProto>,
    #[prost(message, repeated, tag = "20")]
    pub training_info: Vec<TrainingInfoProto>,
    #[prost(message, repeated, tag = "25")]
    pub functions: Vec<FunctionProto>,
}

/// `GraphProto`; inputs, outputs, value infos and quantization annotations
/// are skipped.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    #[prost(bytes = "vec", tag = "2")]
    pub name: Vec<u8>,
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    #[prost(bytes = "vec", tag = "10")]
    pub doc_string: Vec<u8>,
    #[prost(message, repeated, tag = "15")]
    pub sparse_initializer: Vec<SparseTensorProto>,
    #[prost(message, repeated, tag = "16")]
    pub metadata_props: Vec<StringStringEntryProto>,
}

/// `NodeProto`; inputs, outputs, overload, device configurations, and the
/// doc string and `metadata_props` are skipped: exporters fill the last two
/// with a stack trace and scope names per node (PyTorch's dynamo exporter),
/// which would cost more than the graph itself. Model, graph, function and
/// tensor metadata are kept.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeProto {
    #[prost(bytes = "vec", tag = "3")]
    pub name: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub op_type: Vec<u8>,
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
    #[prost(bytes = "vec", tag = "7")]
    pub domain: Vec<u8>,
}

/// `AttributeProto`: the string, tensor and graph values (subgraphs of
/// If/Loop/Scan); numeric lists and type protos are skipped.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributeProto {
    #[prost(bytes = "vec", tag = "1")]
    pub name: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub s: Vec<u8>,
    #[prost(message, optional, boxed, tag = "5")]
    pub t: Option<Box<TensorProto>>,
    #[prost(message, optional, boxed, tag = "6")]
    pub g: Option<Box<GraphProto>>,
    #[prost(message, repeated, tag = "10")]
    pub tensors: Vec<TensorProto>,
    #[prost(message, repeated, tag = "11")]
    pub graphs: Vec<GraphProto>,
    #[prost(int32, tag = "20")]
    pub r#type: i32,
    #[prost(message, optional, boxed, tag = "22")]
    pub sparse_tensor: Option<Box<SparseTensorProto>>,
    #[prost(message, repeated, tag = "23")]
    pub sparse_tensors: Vec<SparseTensorProto>,
}

/// `AttributeProto.AttributeType` values used here.
pub mod attribute_type {
    pub const STRING: i32 = 3;
    pub const GRAPH: i32 = 5;
}

/// `TensorProto` without its contents: shape, type, name and where the
/// data lives. `raw_data` (9) and the typed data fields (4, 5, 6, 7, 10, 11)
/// are skipped; `wire` counts their bytes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    #[prost(int64, repeated, tag = "1")]
    pub dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    pub data_type: i32,
    #[prost(bytes = "vec", tag = "8")]
    pub name: Vec<u8>,
    #[prost(message, repeated, tag = "13")]
    pub external_data: Vec<StringStringEntryProto>,
    #[prost(int32, tag = "14")]
    pub data_location: i32,
    #[prost(message, repeated, tag = "16")]
    pub metadata_props: Vec<StringStringEntryProto>,
}

/// `TensorProto.DataLocation::EXTERNAL`.
pub const DATA_LOCATION_EXTERNAL: i32 = 1;

/// `SparseTensorProto`: values and indices are tensors (possibly external).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SparseTensorProto {
    #[prost(message, optional, tag = "1")]
    pub values: Option<TensorProto>,
    #[prost(message, optional, tag = "2")]
    pub indices: Option<TensorProto>,
}

/// `FunctionProto`: a model-local function (IR version 8+).
#[derive(Clone, PartialEq, prost::Message)]
pub struct FunctionProto {
    #[prost(bytes = "vec", tag = "1")]
    pub name: Vec<u8>,
    #[prost(message, repeated, tag = "7")]
    pub node: Vec<NodeProto>,
    #[prost(bytes = "vec", tag = "8")]
    pub doc_string: Vec<u8>,
    #[prost(message, repeated, tag = "9")]
    pub opset_import: Vec<OperatorSetIdProto>,
    #[prost(bytes = "vec", tag = "10")]
    pub domain: Vec<u8>,
    #[prost(message, repeated, tag = "11")]
    pub attribute_proto: Vec<AttributeProto>,
    #[prost(bytes = "vec", tag = "13")]
    pub overload: Vec<u8>,
    #[prost(message, repeated, tag = "14")]
    pub metadata_props: Vec<StringStringEntryProto>,
}

/// `TrainingInfoProto`: two more graphs that a training runtime executes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TrainingInfoProto {
    #[prost(message, optional, tag = "1")]
    pub initialization: Option<GraphProto>,
    #[prost(message, optional, tag = "2")]
    pub algorithm: Option<GraphProto>,
}

/// `OperatorSetIdProto`: an imported opset (domain and version).
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorSetIdProto {
    #[prost(bytes = "vec", tag = "1")]
    pub domain: Vec<u8>,
    #[prost(int64, tag = "2")]
    pub version: i64,
}

/// `StringStringEntryProto`: metadata and external-data entries.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringStringEntryProto {
    #[prost(bytes = "vec", tag = "1")]
    pub key: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}
