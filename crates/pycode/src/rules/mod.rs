//! The rules of the Python scanner: one file each, metadata and docs only;
//! the detection code that fires them lives in `crate::detect`.

use aigis_findings::Rule;

pub mod asgi_debug_enabled;
pub mod chmod_world_writable;
pub mod dataframe_eval_query_dynamic;
pub mod dynamic_code_eval;
pub mod exception_detail_in_response;
pub mod flask_debug_enabled;
pub mod gradio_public_share;
pub mod hf_download_unpinned_revision;
pub mod joblib_load;
pub mod keras_lambda_layer_in_code;
pub mod keras_load_model_unsafe_mode;
pub mod keras_unsafe_deserialization_enabled;
pub mod marshal_load;
pub mod native_op_library_load;
pub mod numexpr_evaluate_dynamic;
pub mod numpy_load_allow_pickle;
pub mod pandas_eval_dynamic;
pub mod pickle_deserialization;
pub mod pip_extra_index_url;
pub mod pip_insecure_index;
pub mod prediction_scores_returned;
pub mod sensitive_data_logged;
pub mod server_binds_all_interfaces;
pub mod shell_call_dynamic_command;
pub mod shell_call_literal_command;
pub mod shell_pipe_to_interpreter;
pub mod streamlit_insecure_option;
pub mod subprocess_shell_true;
pub mod tarfile_extract_unfiltered;
pub mod tf_io_path_from_input;
pub mod tls_verify_disabled;
pub mod tls_warnings_disabled;
pub mod torch_load_weights_only_default;
pub mod torch_load_weights_only_false;
pub mod torch_package_importer;
pub mod trust_remote_code_enabled;
pub mod yaml_unsafe_load;

/// Every rule, sorted by id.
pub static ALL: &[&Rule] = &[
    &pickle_deserialization::RULE,
    &joblib_load::RULE,
    &marshal_load::RULE,
    &numpy_load_allow_pickle::RULE,
    &torch_load_weights_only_false::RULE,
    &torch_load_weights_only_default::RULE,
    &torch_package_importer::RULE,
    &yaml_unsafe_load::RULE,
    &keras_lambda_layer_in_code::RULE,
    &keras_load_model_unsafe_mode::RULE,
    &keras_unsafe_deserialization_enabled::RULE,
    &tf_io_path_from_input::RULE,
    &native_op_library_load::RULE,
    &trust_remote_code_enabled::RULE,
    &hf_download_unpinned_revision::RULE,
    &dynamic_code_eval::RULE,
    &shell_call_dynamic_command::RULE,
    &shell_call_literal_command::RULE,
    &subprocess_shell_true::RULE,
    &pandas_eval_dynamic::RULE,
    &dataframe_eval_query_dynamic::RULE,
    &numexpr_evaluate_dynamic::RULE,
    &tarfile_extract_unfiltered::RULE,
    &tls_verify_disabled::RULE,
    &tls_warnings_disabled::RULE,
    &flask_debug_enabled::RULE,
    &asgi_debug_enabled::RULE,
    &gradio_public_share::RULE,
    &streamlit_insecure_option::RULE,
    &server_binds_all_interfaces::RULE,
    &sensitive_data_logged::RULE,
    &exception_detail_in_response::RULE,
    &prediction_scores_returned::RULE,
    &shell_pipe_to_interpreter::RULE,
    &pip_insecure_index::RULE,
    &pip_extra_index_url::RULE,
    &chmod_world_writable::RULE,
];
