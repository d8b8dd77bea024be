//! AIG177: a TFLite operator code that no TFLite version defines.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG177",
    name: "tflite-unknown-builtin-operator",
    domain: Domain::Models,
    severity: Severity::Low,
    verdict: Verdict::Unapproved,
    checklist: &["000#2"],
    summary: "TFLite model uses a builtin operator code outside the known BuiltinOperator enum",
    docs: RuleDocs {
        what: "Fires on operator codes whose builtin code (the larger of `builtin_code` and \
               `deprecated_builtin_code`) is negative, is the `PLACEHOLDER_FOR_GREATER_OP_CODES` \
               marker, or lies past the last operator of schema.fbs that aigis knows \
               (`STABLEHLO_CASE`, 209).",
        why: "A stock interpreter refuses such a model; one whose op resolver registers a \
              kernel under that number (`AddBuiltin` takes any code) runs native code \
              chosen by the application, a custom operator that escapes a review of custom \
              names. It may also be an operator newer than this aigis: hence low severity.",
        example: "operator code 3 has builtin code 250, which is not a TFLite builtin operator (2 operators)",
        fix: "Check the LiteRT version that wrote the model; update aigis if the operator is \
              new, otherwise find out which resolver provides the kernel.",
        references: &[
            "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/compiler/mlir/lite/schema/schema.fbs",
        ],
    },
};
