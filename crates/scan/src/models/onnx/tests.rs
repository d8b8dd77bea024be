//! ONNX scanning tests on models built here with the prost structs (and a
//! few raw protobuf fields), scanned in memory or from a temporary folder
//! when external data must be resolved on disk.

use crate::models::ModelScanner;
use crate::models::tests::{call, zip};
use crate::policy::Policy;
use aigis_findings::{FileReport, Verdict};
use aigis_formats::onnx::{
    AttributeProto, DATA_LOCATION_EXTERNAL, FunctionProto, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, attribute_type,
};
use prost::Message;

fn entry(k: &str, v: &[u8]) -> StringStringEntryProto {
    StringStringEntryProto {
        key: k.into(),
        value: v.to_vec(),
    }
}

fn node(name: &str, op: &str, domain: &str) -> NodeProto {
    NodeProto {
        name: name.into(),
        op_type: op.into(),
        domain: domain.into(),
        ..NodeProto::default()
    }
}

fn str_attr(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        s: v.into(),
        r#type: attribute_type::STRING,
        ..AttributeProto::default()
    }
}

fn weight(name: &str, dims: Vec<i64>) -> TensorProto {
    TensorProto {
        dims,
        data_type: 1,
        name: name.into(),
        ..TensorProto::default()
    }
}

fn external(name: &str, location: &str, offset: u64, length: u64) -> TensorProto {
    TensorProto {
        data_location: DATA_LOCATION_EXTERNAL,
        external_data: vec![
            entry("location", location.as_bytes()),
            entry("offset", offset.to_string().as_bytes()),
            entry("length", length.to_string().as_bytes()),
        ],
        ..weight(name, vec![(length / 4) as i64])
    }
}

fn model(nodes: Vec<NodeProto>, initializer: Vec<TensorProto>) -> ModelProto {
    ModelProto {
        ir_version: 9,
        producer_name: "pytorch".into(),
        producer_version: "2.4.0".into(),
        graph: Some(GraphProto {
            node: nodes,
            name: "main_graph".into(),
            initializer,
            ..GraphProto::default()
        }),
        opset_import: vec![OperatorSetIdProto {
            domain: vec![],
            version: 17,
        }],
        ..ModelProto::default()
    }
}

fn tiny_cnn() -> ModelProto {
    model(
        vec![
            node("/conv/Conv", "Conv", ""),
            node("/relu/Relu", "Relu", ""),
            node("/fc/Gemm", "Gemm", ""),
        ],
        vec![
            weight("conv.weight", vec![4, 3, 3, 3]),
            weight("fc.weight", vec![10, 256]),
        ],
    )
}

fn scan_at(m: &ModelProto, path: &str) -> FileReport {
    let policy = Policy::new(&[]).expect("policy");
    let o = ModelScanner::new(&policy)
        .scan(&m.encode_to_vec(), path)
        .expect("recognised as a model");
    assert_eq!(o.format, "onnx");
    FileReport::new(path, o.format, o.findings)
}

fn scan(m: &ModelProto) -> FileReport {
    scan_at(m, "model.onnx")
}

fn rules(r: &FileReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn benign_cnn_is_clean_without_findings() {
    let r = scan(&tiny_cnn());
    assert_eq!(r.verdict, Verdict::Clean);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn custom_domain_operator_is_one_finding_per_operator() {
    let mut m = tiny_cnn();
    if let Some(g) = m.graph.as_mut() {
        g.node.push(node("a", "Exfil", "evil.ops"));
        g.node.push(node("b", "Exfil", "evil.ops"));
        g.node.push(node("ms", "FusedMatMul", "com.microsoft"));
    }
    let r = scan(&m);
    assert_eq!(r.verdict, Verdict::Unapproved);
    assert_eq!(rules(&r), ["AIG150"], "com.microsoft is known");
    let f = &r.findings[0];
    assert!(
        f.message.contains("'Exfil'") && f.message.contains("2 nodes"),
        "{}",
        f.message
    );
    assert!(
        f.evidence
            .as_deref()
            .unwrap_or("")
            .contains("node 'a' in graph 'main_graph'")
    );
}

#[test]
fn non_standard_operator_in_the_default_domain() {
    let mut m = tiny_cnn();
    if let Some(g) = m.graph.as_mut() {
        g.node.push(node("r", "ReadFileOp", "ai.onnx"));
    }
    assert_eq!(rules(&scan(&m)), ["AIG153"]);
}

#[test]
fn pyop_naming_a_gadget_is_malicious_and_an_unknown_module_unapproved() {
    let mut py = node("py1", "PyOp", "pyopmulti_1");
    py.attribute = vec![str_attr("module", "os"), str_attr("class_name", "system")];
    let r = scan(&model(vec![py.clone()], vec![]));
    assert_eq!(r.verdict, Verdict::Malicious);
    assert_eq!(rules(&r), ["AIG152"]);
    let evidence = r.findings[0].evidence.clone().unwrap_or_default();
    assert_eq!(
        evidence,
        "node 'py1' in graph 'main_graph': module=\"os\" class_name=\"system\""
    );
    py.attribute = vec![
        str_attr("module", "mymodule"),
        str_attr("class_name", "Multi_1"),
    ];
    let r = scan(&model(vec![py], vec![]));
    assert_eq!(rules(&r), ["AIG151"]);
    assert!(r.findings[0].message.contains("mymodule.Multi_1"));
    let mut train = node("p", "PythonOp", "com.microsoft");
    train.attribute = vec![str_attr("func_name", "mypkg.CustomFn")];
    assert_eq!(rules(&scan(&model(vec![train], vec![]))), ["AIG151"]);
}

#[test]
fn subgraphs_of_control_flow_are_walked() {
    let inner = GraphProto {
        node: vec![node("deep", "Exfil", "evil.ops")],
        name: "then".into(),
        ..GraphProto::default()
    };
    let mut if_node = node("if0", "If", "");
    if_node.attribute = vec![AttributeProto {
        name: "then_branch".into(),
        r#type: attribute_type::GRAPH,
        g: Some(Box::new(inner)),
        ..AttributeProto::default()
    }];
    let r = scan(&model(vec![if_node], vec![]));
    assert_eq!(rules(&r), ["AIG150"]);
    let evidence = r.findings[0].evidence.clone().unwrap_or_default();
    assert!(evidence.contains("then_branch of node 'if0'"), "{evidence}");
}

#[test]
fn calls_to_model_local_functions_are_not_custom_ops_but_their_bodies_are_checked() {
    let mut m = model(vec![node("call", "Block", "pkg.local")], vec![]);
    m.functions = vec![FunctionProto {
        name: "Block".into(),
        domain: "pkg.local".into(),
        node: vec![node("inner", "Relu", ""), node("bad", "Exfil", "evil.ops")],
        ..FunctionProto::default()
    }];
    let r = scan(&m);
    assert_eq!(rules(&r), ["AIG150"]);
    assert!(r.findings[0].message.contains("'Exfil'"));
}

#[test]
fn external_data_escaping_the_folder_is_malicious() {
    for location in ["../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini"] {
        let m = model(vec![], vec![external("w", location, 0, 16)]);
        let r = scan(&m);
        assert_eq!(r.verdict, Verdict::Malicious, "{location}");
        assert_eq!(rules(&r), ["AIG154"], "{location}");
    }
}

/// Write `m` as `model.onnx` in a new temporary folder with `files`.
fn on_disk(m: &ModelProto, files: &[(&str, usize)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, size) in files {
        std::fs::write(dir.path().join(name), vec![0u8; *size]).expect("write");
    }
    let path = dir.path().join("model.onnx");
    std::fs::write(&path, m.encode_to_vec()).expect("write");
    let path = path.display().to_string();
    (dir, path)
}

#[test]
fn external_data_next_to_the_model_is_resolved_on_disk() {
    let m = model(
        vec![],
        vec![
            external("w", "w.bin", 0, 64),
            external("b", "w.bin", 64, 16),
        ],
    );
    let (_d, path) = on_disk(&m, &[("w.bin", 80)]);
    assert!(scan_at(&m, &path).findings.is_empty());
    let (_d, path) = on_disk(&m, &[("w.bin", 70)]);
    let r = scan_at(&m, &path);
    assert_eq!(rules(&r), ["AIG155"]);
    assert!(
        r.findings[0]
            .message
            .contains("up to byte 80 of a 70-byte file")
    );
    let (_d, path) = on_disk(&m, &[]);
    assert_eq!(rules(&scan_at(&m, &path)), ["AIG155"]);
}

#[cfg(unix)]
#[test]
fn symlinked_external_data_leaving_the_folder_is_traversal() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret");
    std::fs::write(&secret, [0u8; 64]).expect("write");
    let m = model(vec![], vec![external("w", "w.bin", 0, 16)]);
    let (d, path) = on_disk(&m, &[]);
    std::os::unix::fs::symlink(&secret, d.path().join("w.bin")).expect("symlink");
    let r = scan_at(&m, &path);
    assert_eq!(rules(&r), ["AIG154"]);
    assert!(r.findings[0].message.contains("symlink"));
}

#[test]
fn metadata_pickles_are_scanned_raw_and_base64() {
    let evil = call("posix", "system", "echo pwned");
    let b64 = base64(&evil);
    for value in [evil.clone(), b64.into_bytes()] {
        let mut m = tiny_cnn();
        m.metadata_props = vec![entry("config", &value)];
        let r = scan(&m);
        assert_eq!(r.verdict, Verdict::Malicious);
        let ids = rules(&r);
        assert!(
            ids.contains(&"AIG156") && ids.contains(&"AIG101"),
            "{ids:?}"
        );
        let inner = r
            .findings
            .iter()
            .find(|f| f.rule_id == "AIG101")
            .expect("AIG101");
        assert_eq!(inner.location.members, ["<model metadata_props['config']>"]);
    }
}

#[test]
fn code_in_doc_strings_is_flagged_but_method_calls_are_not() {
    let mut m = tiny_cnn();
    m.doc_string = b"Exported after model.eval(); see README".to_vec();
    assert!(scan(&m).findings.is_empty());
    m.doc_string = b"__import__('os').system('echo pwned')".to_vec();
    assert_eq!(rules(&scan(&m)), ["AIG157"]);
}

#[test]
fn truncated_model_is_inconclusive_not_clean() {
    let bytes = tiny_cnn().encode_to_vec();
    let policy = Policy::new(&[]).expect("policy");
    let cut = &bytes[..bytes.len() - 7];
    let o = ModelScanner::new(&policy)
        .scan(cut, "m.onnx")
        .expect("recognised");
    let r = FileReport::new("m.onnx", o.format, o.findings);
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(
        r.findings[0].message.contains("truncated"),
        "{}",
        r.findings[0].message
    );
}

#[test]
fn onnx_inside_a_zip_is_scanned_as_a_member() {
    let mut m = tiny_cnn();
    if let Some(g) = m.graph.as_mut() {
        g.node.push(node("a", "Exfil", "evil.ops"));
    }
    let z = zip(&[("export/model.onnx", &m.encode_to_vec())]);
    let policy = Policy::new(&[]).expect("policy");
    let o = ModelScanner::new(&policy).scan(&z, "m.zip").expect("zip");
    let f = o
        .findings
        .iter()
        .find(|f| f.rule_id == "AIG150")
        .expect("AIG150");
    assert_eq!(f.location.members, ["export/model.onnx"]);
}

/// Members are sniffed by their first 4 KiB: a doc string longer than that
/// before the graph must not hide the model.
#[test]
fn long_doc_string_does_not_hide_a_model_in_an_archive() {
    let mut m = tiny_cnn();
    m.doc_string = vec![b'x'; 8192];
    if let Some(g) = m.graph.as_mut() {
        g.node.push(node("a", "Exfil", "evil.ops"));
    }
    let z = zip(&[("model.onnx", &m.encode_to_vec())]);
    let policy = Policy::new(&[]).expect("policy");
    let o = ModelScanner::new(&policy).scan(&z, "m.zip").expect("zip");
    assert!(
        o.findings.iter().any(|f| f.rule_id == "AIG150"),
        "{:?}",
        o.findings
    );
}

#[test]
fn inspect_lists_ops_domains_initializers_and_external_data() {
    let mut m = tiny_cnn();
    if let Some(g) = m.graph.as_mut() {
        g.node.push(node("ms", "FusedMatMul", "com.microsoft"));
        g.initializer.push(external("e", "weights.bin", 0, 8));
    }
    m.metadata_props = vec![entry("author", b"aigis")];
    let policy = Policy::new(&[]).expect("policy");
    let ins = ModelScanner::new(&policy).inspect(&m.encode_to_vec(), "m.onnx");
    let o = ins.onnx.first().expect("onnx info");
    assert_eq!((o.ir_version, o.producer.as_str()), (9, "pytorch 2.4.0"));
    assert_eq!(
        (o.nodes, o.initializers, o.external_initializers),
        (4, 3, 1)
    );
    assert_eq!(o.initializer_bytes, 4 * (108 + 2560) + 8);
    assert!(
        o.ops
            .iter()
            .any(|x| x.op_type == "FusedMatMul" && x.status == "runtime contrib")
    );
    assert!(o.domains.iter().any(|d| d.domain == "com.microsoft"));
    let e = o.external_data.first().expect("external");
    assert_eq!((e.location.as_str(), e.tensors), ("weights.bin", 1));
    assert_eq!(o.metadata.first().map(|t| t.value.as_str()), Some("aigis"));
}

#[test]
fn non_models_are_not_taken_for_onnx() {
    let policy = Policy::new(&[]).expect("policy");
    let s = ModelScanner::new(&policy);
    for data in [
        &b"hello world, this is text\n"[..],
        b"\x08\x01\x10\x02",
        &[0u8; 64],
    ] {
        assert!(s.scan(data, "x").is_none(), "{data:?}");
    }
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[test]
fn tokens_in_onnx_metadata_and_doc_strings_are_secrets() {
    let token = ["hf_", "oQFnxkIBUBDxTntOVCJMEfnVmhWfwTRNSk"].concat();
    let policy = Policy::new(&[]).expect("policy");
    let mut s = ModelScanner::new(&policy);
    s.secrets = true;
    let mut m = tiny_cnn();
    m.metadata_props = vec![entry("hub_token", token.as_bytes())];
    m.doc_string = format!("exported with HF_TOKEN={token}").into_bytes();
    let o = s.scan(&m.encode_to_vec(), "m.onnx").expect("recognised");
    let r = FileReport::new("m.onnx", o.format, o.findings);
    assert_eq!(rules(&r), ["AIG313", "AIG313"], "{:?}", r.findings);
    assert!(
        r.findings
            .iter()
            .any(|f| f.message.contains("model metadata_props['hub_token']"))
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.message.contains("model doc_string"))
    );
    assert!(r.findings.iter().all(|f| !f.message.contains(&token)));
    assert!(scan(&m).findings.is_empty());
}
