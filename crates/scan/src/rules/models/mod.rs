//! Rules of the model scanner: one file each, metadata and docs only; the
//! detection code that fires them lives in `crate::models`.

pub mod archive_path_traversal;
pub mod archive_unusual_layout;
pub mod chat_template_sandbox_escape;
pub mod chat_template_suspicious_access;
pub mod gguf_invalid_header;
pub mod keras_dangerous_callable;
pub mod keras_embedded_code;
pub mod keras_external_callable;
pub mod keras_lambda_dangerous;
pub mod keras_lambda_layer;
pub mod keras_torch_module_wrapper;
pub mod npy_object_array;
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
pub mod safetensors_duplicate_key;
pub mod safetensors_invalid_header;
pub mod safetensors_metadata_payload;
pub mod scan_inconclusive;
pub mod tf_custom_op;
pub mod tf_file_op;
pub mod tf_python_op;
pub mod zip_tampering;
