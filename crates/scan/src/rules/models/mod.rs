//! Rules of the model scanner: one file each, metadata and docs only; the
//! detection code that fires them lives in `crate::models`.

pub mod archive_path_traversal;
pub mod archive_unusual_layout;
pub mod npy_object_array;
pub mod onnx_custom_operator_domain;
pub mod onnx_external_data_traversal;
pub mod onnx_external_data_unresolved;
pub mod onnx_metadata_code;
pub mod onnx_metadata_pickle;
pub mod onnx_python_operator;
pub mod onnx_python_operator_dangerous_call;
pub mod onnx_unknown_standard_operator;
pub mod pickle_build_on_global;
pub mod pickle_computed_global;
pub mod pickle_dangerous_call;
pub mod pickle_dangerous_global;
pub mod pickle_extension_registry;
pub mod pickle_frame_straddle;
pub mod pickle_global_mutation;
pub mod pickle_serialization;
pub mod pickle_trailing_data;
pub mod pickle_unapproved_call;
pub mod pickle_unapproved_class;
pub mod pickle_unusual_opcode;
pub mod scan_inconclusive;
pub mod zip_tampering;
