use super::proto::*;
use super::*;
use std::collections::HashMap;

fn node(name: &str, op: &str, attrs: &[(&str, &[u8])]) -> NodeDef {
    NodeDef {
        name: name.into(),
        op: op.into(),
        input: Vec::new(),
        device: String::new(),
        attr: attrs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    AttrValue {
                        s: Some(v.to_vec()),
                        ..AttrValue::default()
                    },
                )
            })
            .collect::<HashMap<_, _>>(),
    }
}

fn graph() -> GraphDef {
    GraphDef {
        node: vec![
            node("x", "Placeholder", &[]),
            node("read", "ReadFile", &[]),
            node("py", "PyFunc", &[("token", b"pyfunc_0")]),
        ],
        library: Some(FunctionDefLibrary {
            function: vec![FunctionDef {
                signature: Some(OpDef {
                    name: "__inference_f_12".into(),
                }),
                node_def: vec![node("w", "WriteFile", &[])],
            }],
        }),
    }
}

#[test]
fn graphdef_and_saved_model_are_recognised_and_inventoried() {
    let g = graph().encode_to_vec();
    assert_eq!(sniff(&g), Some(TfKind::GraphDef));
    let sm = SavedModel {
        saved_model_schema_version: 1,
        meta_graphs: vec![MetaGraphDef {
            meta_info_def: Some(MetaInfoDef {
                meta_graph_version: "v2".into(),
                tags: vec!["serve".into()],
                tensorflow_version: "2.20.0".into(),
            }),
            graph_def: Some(graph()),
            asset_file_def: vec![],
        }],
    }
    .encode_to_vec();
    assert_eq!(sniff(&sm), Some(TfKind::SavedModel));
    let m = decode_saved_model(&sm).unwrap();
    let mut inv = Inventory::default();
    inv.add_graph(m.meta_graphs[0].graph_def.as_ref().unwrap());
    let ops: Vec<_> = inv.uses.iter().map(|u| u.op.as_str()).collect();
    assert_eq!(ops, ["Placeholder", "ReadFile", "PyFunc", "WriteFile"]);
    assert_eq!(inv.uses[3].function.as_deref(), Some("__inference_f_12"));
    assert_eq!(
        inv.uses[2].strings,
        [("token".to_string(), "pyfunc_0".to_string())]
    );
    assert!(inv.functions.contains("__inference_f_12"));
}

#[test]
fn keras_metadata_is_recognised() {
    let meta = SavedMetadata {
        nodes: vec![SavedObject {
            node_id: 0,
            node_path: "root".into(),
            identifier: "_tf_keras_sequential".into(),
            metadata: "{\"class_name\": \"Sequential\"}".into(),
        }],
    }
    .encode_to_vec();
    assert_eq!(sniff(&meta), Some(TfKind::KerasMetadata));
    assert_eq!(decode_keras_metadata(&meta).unwrap().nodes.len(), 1);
}

#[test]
fn text_and_truncations_are_not_tensorflow_or_fail_cleanly() {
    assert_eq!(sniff(b"\nhello world\n"), None);
    assert_eq!(sniff(b""), None);
    let g = graph().encode_to_vec();
    for n in 0..g.len() {
        let _ = sniff(&g[..n]);
        let _ = decode_graph(&g[..n]);
    }
    assert!(decode_graph(&g[..g.len() - 3]).is_err());
}

#[test]
fn const_strings_and_inputs_are_kept_numeric_content_is_not() {
    let mut c = node("save/Const", "Const", &[]);
    c.attr.insert(
        "value".into(),
        AttrValue {
            tensor: Some(TensorProto {
                dtype: 7,
                string_val: vec![b"/etc/x".to_vec()],
            }),
            ..AttrValue::default()
        },
    );
    let mut save = node("save/SaveV2", "SaveV2", &[]);
    save.input = (0..6).map(|i| format!("in{i}")).collect();
    let g = GraphDef {
        node: vec![c, save],
        library: None,
    };
    let mut inv = Inventory::default();
    inv.add_graph(&decode_graph(&g.encode_to_vec()).unwrap());
    assert_eq!(
        inv.uses[0].strings,
        vec![("value".to_string(), "/etc/x".to_string())]
    );
    assert_eq!(inv.uses[1].inputs.len(), MAX_INPUTS);
    assert_eq!(inv.uses[1].inputs[0], "in0");
}
