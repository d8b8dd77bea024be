//! TensorFlow protobufs built in-test with the same prost messages.

use crate::models::ModelScanner;
use crate::policy::Policy;
use aigis_findings::{FileReport, Verdict};
use aigis_formats::tf::proto::*;
use prost::Message;
use std::collections::HashMap;

fn node(name: &str, op: &str) -> NodeDef {
    NodeDef {
        name: name.into(),
        op: op.into(),
        input: Vec::new(),
        device: String::new(),
        attr: HashMap::new(),
    }
}

fn graph(ops: &[(&str, &str)], functions: &[(&str, &[(&str, &str)])]) -> GraphDef {
    GraphDef {
        node: ops.iter().map(|(n, o)| node(n, o)).collect(),
        library: Some(FunctionDefLibrary {
            function: functions
                .iter()
                .map(|(f, nodes)| FunctionDef {
                    signature: Some(OpDef {
                        name: f.to_string(),
                    }),
                    node_def: nodes.iter().map(|(n, o)| node(n, o)).collect(),
                })
                .collect(),
        }),
    }
}

fn saved_model(g: GraphDef) -> Vec<u8> {
    SavedModel {
        saved_model_schema_version: 1,
        meta_graphs: vec![MetaGraphDef {
            meta_info_def: Some(MetaInfoDef {
                meta_graph_version: "v2.20.0".into(),
                tags: vec!["serve".into()],
                tensorflow_version: "2.20.0".into(),
            }),
            graph_def: Some(g),
            asset_file_def: vec![],
        }],
    }
    .encode_to_vec()
}

fn scan(data: &[u8]) -> FileReport {
    let policy = Policy::new(&[]).unwrap();
    let o = ModelScanner::new(&policy)
        .scan(data, "saved_model.pb")
        .unwrap();
    FileReport::new("saved_model.pb", o.format, o.findings)
}

fn benign() -> GraphDef {
    graph(
        &[
            ("x", "Placeholder"),
            ("w", "VarHandleOp"),
            ("call", "StatefulPartitionedCall"),
            ("saver/SaveV2", "SaveV2"),
            ("saver/RestoreV2", "RestoreV2"),
        ],
        &[
            (
                "__inference_serve_42",
                &[
                    ("MatMul", "MatMul"),
                    ("Relu", "Relu"),
                    ("inner", "__inference_layer_7"),
                ],
            ),
            ("__inference_layer_7", &[("Identity", "Identity")]),
        ],
    )
}

#[test]
fn standard_savedmodel_is_clean() {
    let r = scan(&saved_model(benign()));
    assert_eq!(r.format, "tf-savedmodel");
    assert_eq!(r.verdict, Verdict::Clean, "{r:#?}");
    assert!(r.findings.is_empty(), "{r:#?}");
}

#[test]
fn file_python_and_custom_ops_are_reported_with_their_nodes() {
    let mut g = benign();
    g.node.push(node("leak", "ReadFile"));
    g.node.push(node("leak2", "ReadFile"));
    g.node.push(node("cb", "EagerPyFunc"));
    if let Some(lib) = &mut g.library {
        lib.function[0]
            .node_def
            .push(node("dec", "Acme>FastDecode"));
    }
    let r = scan(&saved_model(g.clone()));
    assert_eq!(r.verdict, Verdict::Unapproved, "{r:#?}");
    let by = |id: &str| r.findings.iter().find(|f| f.rule_id == id).unwrap();
    assert!(by("AIG171").message.contains("ReadFile (and 1 more nodes)"));
    assert!(
        by("AIG171")
            .evidence
            .as_deref()
            .unwrap()
            .contains("node 'leak'")
    );
    assert!(by("AIG172").message.contains("EagerPyFunc"));
    let custom = by("AIG170");
    assert!(
        custom
            .evidence
            .as_deref()
            .unwrap()
            .contains("in function '__inference_serve_42'"),
        "{custom:#?}"
    );
    // The same graph frozen as a GraphDef.
    let r = scan(&g.encode_to_vec());
    assert_eq!(r.format, "tf-graphdef");
    assert_eq!(r.findings.len(), 3, "{r:#?}");
}

#[test]
fn keras_metadata_lambda_is_judged() {
    let meta = SavedMetadata {
        nodes: vec![SavedObject {
            node_id: 1,
            node_path: "root.layer-0".into(),
            identifier: "_tf_keras_layer".into(),
            metadata: r#"{"class_name": "Dense", "config": {"name": "d",
                "activation": {"module": "os", "class_name": "function", "config": "system"}}}"#
                .into(),
        }],
    };
    let r = scan(&meta.encode_to_vec());
    assert_eq!(r.format, "keras-metadata");
    assert_eq!(r.verdict, Verdict::Malicious, "{r:#?}");
}

#[test]
fn truncated_savedmodel_is_inconclusive() {
    let mut data = saved_model(benign());
    data.truncate(data.len() - 5);
    let r = scan(&data);
    assert_eq!(r.verdict, Verdict::Inconclusive, "{r:#?}");
}

#[test]
fn checkpoint_paths_that_leave_the_directory() {
    for (p, bad) in [
        ("model", false),
        ("variables/variables", false),
        ("ckpt-..-1", false),
        ("/etc/cron.d/x", true),
        ("C:\\Users\\x", true),
        ("\\\\host\\share", true),
        ("~/.ssh/id_rsa", true),
        ("a/../../b", true),
        ("gs://bucket/ckpt", true),
    ] {
        assert_eq!(super::escaping_path(p).is_some(), bad, "{p}");
    }
}

#[test]
fn graphs_in_archives_are_sniffed_past_the_first_window() {
    // A first node longer than the sniffing window (a long device string).
    let mut g = graph(&[("x", "Placeholder"), ("leak", "ReadFile")], &[]);
    g.node[0].device = "/job:worker/".repeat(600);
    for pb in [saved_model(g.clone()), g.encode_to_vec()] {
        assert!(pb.len() > super::super::sniff::SNIFF_LEN);
        let z = crate::models::tests::zip(&[("export/model.pb", &pb)]);
        let r = scan(&z);
        assert!(r.findings.iter().any(|f| f.rule_id == "AIG171"), "{r:#?}");
    }
}
