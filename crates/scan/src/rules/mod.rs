//! The rule registry: every rule aigis has, in one hand-written list.
//!
//! `aigis rules`, `aigis rule ID`, SARIF rule descriptors and the docs all read
//! this list; scanners refer to the statics directly.

pub mod models;

use aigis_findings::Rule;

/// Every rule, ordered by id.
pub static RULES: &[&Rule] = &[
    &models::pickle_serialization::RULE,
    &models::pickle_dangerous_call::RULE,
    &models::pickle_dangerous_global::RULE,
    &models::pickle_unapproved_call::RULE,
    &models::pickle_unapproved_class::RULE,
    &models::pickle_computed_global::RULE,
    &models::pickle_extension_registry::RULE,
    &models::pickle_build_on_global::RULE,
    &models::pickle_frame_straddle::RULE,
    &models::pickle_trailing_data::RULE,
    &models::zip_tampering::RULE,
    &models::archive_unusual_layout::RULE,
    &models::archive_path_traversal::RULE,
    &models::npy_object_array::RULE,
    &models::pickle_global_mutation::RULE,
    &models::pickle_unusual_opcode::RULE,
    &models::scan_inconclusive::RULE,
    &models::safetensors_invalid_header::RULE,
    &models::safetensors_duplicate_key::RULE,
    &models::safetensors_metadata_payload::RULE,
    &models::gguf_invalid_header::RULE,
    &models::chat_template_sandbox_escape::RULE,
    &models::chat_template_suspicious_access::RULE,
    &models::gguf_metadata_payload::RULE,
    &models::onnx_custom_operator_domain::RULE,
    &models::onnx_python_operator::RULE,
    &models::onnx_python_operator_dangerous_call::RULE,
    &models::onnx_unknown_standard_operator::RULE,
    &models::onnx_external_data_traversal::RULE,
    &models::onnx_external_data_unresolved::RULE,
    &models::onnx_metadata_pickle::RULE,
    &models::onnx_metadata_code::RULE,
    &models::keras_external_callable::RULE,
    &models::keras_lambda_layer::RULE,
    &models::keras_lambda_dangerous::RULE,
    &models::keras_dangerous_callable::RULE,
    &models::keras_torch_module_wrapper::RULE,
    &models::keras_embedded_code::RULE,
    &models::tf_custom_op::RULE,
    &models::tf_file_op::RULE,
    &models::tf_python_op::RULE,
    &models::tflite_custom_operator::RULE,
    &models::tflite_flex_dangerous_operator::RULE,
    &models::tflite_unknown_builtin_operator::RULE,
    &models::model_repo_remote_code::RULE,
    &models::model_repo_remote_code_other_repo::RULE,
    &models::model_repo_summary::RULE,
];

/// Every rule of every scanner: the model rules above, the code rules
/// (`aigis-pycode`), the secret rules (`aigis-secrets`, built from data) and
/// the dependency audit's rules (`aigis-deps`) and the deployment rules
/// (`aigis-deploy`).
fn every() -> impl Iterator<Item = &'static Rule> {
    RULES
        .iter()
        .copied()
        .chain(aigis_pycode::rules().iter().copied())
        .chain(aigis_secrets::rules().iter())
        .chain(aigis_deps::rules().iter().copied())
        .chain(aigis_deploy::rules().iter().copied())
}

/// The rule with this id or name (case-insensitive), if any.
pub fn find(id_or_name: &str) -> Option<&'static Rule> {
    every()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name.eq_ignore_ascii_case(id_or_name))
}

/// Every rule, as owned copies ordered by id (renderers take a slice).
pub fn all() -> Vec<Rule> {
    let mut rules: Vec<Rule> = every().copied().collect();
    rules.sort_by_key(|r| r.id);
    rules
}

/// Problems with the data-driven rules' own examples (`aigis rules check`):
/// each example must fire its rule and each negative example none.
pub fn check() -> Vec<String> {
    aigis_secrets::check_rules()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for r in every() {
            assert!(ids.insert(r.id), "duplicate id {}", r.id);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(
                r.id.starts_with("AIG") && r.id.len() == 6,
                "bad id {}",
                r.id
            );
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "name not kebab-case: {}",
                r.name
            );
        }
        let mut sorted: Vec<_> = RULES.iter().map(|r| r.id).collect();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            RULES.iter().map(|r| r.id).collect::<Vec<_>>(),
            "keep ids ordered"
        );
    }

    #[test]
    fn every_rule_is_documented_and_mapped_to_the_checklist() {
        for r in every() {
            let d = &r.docs;
            for (section, text) in [
                ("what", d.what),
                ("why", d.why),
                ("example", d.example),
                ("fix", d.fix),
            ] {
                // Secret rules' examples are masked (no whole token in docs).
                let least = if section == "example" { 3 } else { 10 };
                assert!(text.trim().len() > least, "{} has no {section}", r.id);
            }
            assert!(!r.summary.is_empty(), "{} has no summary", r.id);
            assert!(!r.checklist.is_empty(), "{} serves no checklist item", r.id);
            for item in r.checklist {
                let (seed, n) = item.split_once('#').unwrap_or(("", ""));
                assert!(
                    matches!(seed, "000" | "002"),
                    "{}: bad checklist {item}",
                    r.id
                );
                assert!(
                    n.parse::<u8>().is_ok_and(|n| (1..=15).contains(&n)),
                    "{}: bad checklist {item}",
                    r.id
                );
            }
        }
    }

    #[test]
    fn find_accepts_id_or_name() {
        assert_eq!(
            find("aig101").map(|r| r.name),
            Some("pickle-dangerous-call")
        );
        assert_eq!(find("pickle-dangerous-call").map(|r| r.id), Some("AIG101"));
        assert!(find("AIG999").is_none());
    }
}
