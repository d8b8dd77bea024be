//! TFLite scanning tests on models written by `aigis_formats::tflite::builder`.

use crate::models::ModelScanner;
use crate::policy::Policy;
use aigis_findings::{FileReport, Verdict};
use aigis_formats::tflite::CUSTOM;
use aigis_formats::tflite::builder::{ModelSpec, SubgraphSpec};

const FULLY_CONNECTED: i32 = 9;
const ADD: i32 = 0;
const SOFTMAX: i32 = 25;

fn model(codes: &[(i32, Option<&str>)]) -> ModelSpec {
    let n = codes.len();
    ModelSpec {
        description: Some("MLIR Converted.".into()),
        codes: codes
            .iter()
            .map(|(c, s)| (*c, s.map(String::from)))
            .collect(),
        subgraphs: vec![SubgraphSpec {
            name: Some("main".into()),
            tensors: (0..=n).map(|i| format!("t{i}")).collect(),
            operators: (0..n).map(|i| (i as u32, vec![i as i32 + 1])).collect(),
        }],
        metadata: vec![("min_runtime_version".into(), 1)],
        buffers: vec![vec![], b"1.14.0\0\0\0\0\0\0\0\0\0\0".to_vec()],
    }
}

fn benign() -> ModelSpec {
    model(&[(FULLY_CONNECTED, None), (ADD, None), (SOFTMAX, None)])
}

fn scan(data: &[u8]) -> FileReport {
    let policy = Policy::new(&[]).unwrap();
    let o = ModelScanner::new(&policy)
        .scan(data, "model.tflite")
        .unwrap();
    FileReport::new("model.tflite", o.format, o.findings)
}

fn ids(r: &FileReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn builtin_only_model_is_clean() {
    let r = scan(&benign().build());
    assert_eq!(r.format, "tflite");
    assert_eq!(r.verdict, Verdict::Clean, "{:?}", r.findings);
    assert!(r.findings.is_empty());
}

#[test]
fn custom_operator_is_named_with_the_operators_that_use_it() {
    let mut m = model(&[(FULLY_CONNECTED, None), (CUSTOM, Some("Exfil"))]);
    m.subgraphs[0].operators.push((1, vec![1]));
    let r = scan(&m.build());
    assert_eq!(ids(&r), ["AIG175"]);
    let f = &r.findings[0];
    assert_eq!(r.verdict, Verdict::Unapproved);
    assert!(
        f.message.contains("custom operator 'Exfil' (2 operators)"),
        "{}",
        f.message
    );
    let e = f.evidence.as_deref().unwrap();
    assert!(
        e.contains("subgraph 0 'main', operator 1, output 't2'"),
        "{e}"
    );
    assert!(f.location.offset.is_some());
}

#[test]
fn stock_runtime_custom_ops_are_not_reported() {
    let m = model(&[
        (CUSTOM, Some("TFLite_Detection_PostProcess")),
        (SOFTMAX, None),
    ]);
    assert_eq!(scan(&m.build()).verdict, Verdict::Clean);
    // MediaPipe's own kernels (its selfie-segmentation and face models use them).
    let m = model(&[
        (CUSTOM, Some("Convolution2DTransposeBias")),
        (CUSTOM, Some("TransformTensorBilinear")),
    ]);
    assert_eq!(scan(&m.build()).verdict, Verdict::Clean);
}

#[test]
fn flex_file_and_python_ops_are_dangerous() {
    let m = model(&[
        (CUSTOM, Some("FlexReadFile")),
        (CUSTOM, Some("FlexWriteFile")),
        (CUSTOM, Some("FlexEagerPyFunc")),
        (CUSTOM, Some("FlexAddV2")),
        (CUSTOM, Some("FlexNoSuchOp")),
    ]);
    let r = scan(&m.build());
    let mut got = ids(&r);
    got.sort_unstable();
    assert_eq!(
        got,
        ["AIG175", "AIG176", "AIG176", "AIG176"],
        "{:?}",
        r.findings
    );
    let read = r
        .findings
        .iter()
        .find(|f| f.message.contains("FlexReadFile"))
        .unwrap();
    assert!(
        read.message.contains("file op ReadFile"),
        "{}",
        read.message
    );
    let py = r
        .findings
        .iter()
        .find(|f| f.message.contains("EagerPyFunc"))
        .unwrap();
    assert!(py.message.contains("Python"));
    let custom = r.findings.iter().find(|f| f.rule_id == "AIG175").unwrap();
    assert!(
        custom
            .message
            .contains("'NoSuchOp', which is not a TensorFlow op")
    );
}

#[test]
fn standard_flex_op_alone_is_clean() {
    let m = model(&[(CUSTOM, Some("FlexRFFT")), (ADD, None)]);
    assert_eq!(scan(&m.build()).verdict, Verdict::Clean);
}

#[test]
fn unknown_builtin_code_is_low() {
    let m = model(&[(250, None), (127, None), (ADD, None)]);
    let r = scan(&m.build());
    assert_eq!(ids(&r), ["AIG177", "AIG177"]);
    assert!(r.findings[0].message.contains("builtin code 127"));
    assert_eq!(r.findings[0].severity, aigis_findings::Severity::Low);
}

#[test]
fn truncated_model_is_inconclusive_and_keeps_what_was_read() {
    let data = model(&[(CUSTOM, Some("Exfil")), (ADD, None)]).build();
    let r = scan(&data[..data.len() - 3]);
    assert_eq!(r.verdict, Verdict::Inconclusive, "{:?}", r.findings);
    assert!(ids(&r).contains(&"AIG120"));
    assert!(
        ids(&r).contains(&"AIG175"),
        "codes read before the break are judged"
    );
}

#[test]
fn broken_root_is_inconclusive() {
    let mut data = benign().build();
    let root = u32::from_le_bytes(data[0..4].try_into().unwrap()) as usize;
    data[root..root + 4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let r = scan(&data);
    assert_eq!(r.format, "tflite");
    assert_eq!(ids(&r), ["AIG120"]);
    assert!(r.findings[0].message.contains("cannot be read"));
}

#[test]
fn tflite_in_a_zip_is_scanned() {
    let m = model(&[(CUSTOM, Some("FlexWriteFile"))]).build();
    let z = crate::models::tests::zip(&[("bundle/model.tflite", &m)]);
    let r = scan(&z);
    assert!(ids(&r).contains(&"AIG176"), "{:?}", r.findings);
}

#[test]
fn inspect_lists_codes_subgraphs_and_metadata() {
    let policy = Policy::new(&[]).unwrap();
    let m = model(&[
        (FULLY_CONNECTED, None),
        (CUSTOM, Some("FlexReadFile")),
        (FULLY_CONNECTED, None),
    ]);
    let ins = ModelScanner::new(&policy).inspect(&m.build(), "m.tflite");
    assert_eq!(ins.format, "tflite");
    let t = &ins.tflite[0];
    assert_eq!(t.schema_version, 3);
    assert_eq!(t.description, "MLIR Converted.");
    let names: Vec<_> = t
        .operator_codes
        .iter()
        .map(|c| (c.name.as_str(), c.operators, c.status))
        .collect();
    assert_eq!(
        names,
        [
            ("FULLY_CONNECTED", 1, "builtin"),
            ("FlexReadFile", 1, "flex: TensorFlow file op"),
            ("FULLY_CONNECTED", 1, "builtin")
        ]
    );
    assert_eq!(t.subgraphs[0].name, "main");
    assert_eq!(t.subgraphs[0].operators, 3);
    assert_eq!(t.metadata[0].name, "min_runtime_version");
    assert_eq!(t.metadata[0].bytes, Some(16));
    assert_eq!(t.end, "complete");
    assert_eq!(t.inline_buffer_bytes, 16);
}
