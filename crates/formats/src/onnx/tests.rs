//! ONNX decoding tests on models built here with prost (plus raw fields the
//! structs do not declare, written by `wire::write`).

use super::wire::write;
use super::*;

fn entry(k: &str, v: &str) -> StringStringEntryProto {
    StringStringEntryProto {
        key: k.into(),
        value: v.into(),
    }
}

fn node(op: &str, domain: &str) -> NodeProto {
    NodeProto {
        name: format!("{op}_0").into(),
        op_type: op.into(),
        domain: domain.into(),
        ..NodeProto::default()
    }
}

fn model(nodes: Vec<NodeProto>) -> ModelProto {
    ModelProto {
        ir_version: 8,
        producer_name: "pytorch".into(),
        graph: Some(GraphProto {
            node: nodes,
            name: "main".into(),
            ..GraphProto::default()
        }),
        opset_import: vec![OperatorSetIdProto {
            domain: vec![],
            version: 17,
        }],
        ..ModelProto::default()
    }
}

/// A float tensor with `n` floats of raw data appended as field 9.
fn tensor_with_raw(name: &str, n: usize) -> Vec<u8> {
    let t = TensorProto {
        dims: vec![n as i64],
        data_type: 1,
        name: name.into(),
        ..TensorProto::default()
    };
    let mut b = t.encode_to_vec();
    write::bytes(&mut b, 9, &vec![0x3f; n * 4]);
    b
}

#[test]
fn decodes_nodes_attributes_subgraphs_and_skips_raw_data() {
    let body = model(vec![node("Relu", "")]);
    let mut graph = body.graph.clone().unwrap_or_default();
    let sub = model(vec![node("Add", "")]).graph;
    graph.node.push(NodeProto {
        attribute: vec![AttributeProto {
            name: "then_branch".into(),
            r#type: attribute_type::GRAPH,
            g: sub.map(Box::new),
            ..AttributeProto::default()
        }],
        ..node("If", "")
    });
    let mut g = graph.encode_to_vec();
    write::bytes(&mut g, 5, &tensor_with_raw("w", 1000));
    let mut m = ModelProto {
        graph: None,
        ..body
    }
    .encode_to_vec();
    write::bytes(&mut m, 7, &g);
    let d = decode(&m).expect("decodes");
    let graph = d.model.graph.expect("graph");
    assert_eq!(graph.node.len(), 2);
    assert_eq!(graph.initializer.len(), 1);
    assert_eq!(declared_bytes(&graph.initializer[0]), Some(4000));
    assert_eq!(d.counts.inline_tensor_bytes, 4000);
    let then = graph.node[1].attribute[0].g.as_ref().expect("subgraph");
    assert_eq!(text(&then.node[0].op_type), "Add");
    assert!(looks_like_model(&m));
}

#[test]
fn every_declared_field_is_in_the_walk_schema() {
    // One of everything: each message counted once, each string once.
    let s = |x: &str| -> Vec<u8> { x.into() };
    let tensor = TensorProto {
        dims: vec![1, 2],
        data_type: 1,
        name: s("t"),
        external_data: vec![entry("location", "w.bin")],
        data_location: 1,
        metadata_props: vec![entry("k", "v")],
    };
    let sparse = SparseTensorProto {
        values: Some(tensor.clone()),
        indices: Some(tensor.clone()),
    };
    let attr = AttributeProto {
        name: s("a"),
        s: s("b"),
        t: Some(Box::new(tensor.clone())),
        g: Some(Box::default()),
        tensors: vec![tensor.clone()],
        graphs: vec![GraphProto::default()],
        r#type: 5,
        sparse_tensor: Some(Box::new(sparse.clone())),
        sparse_tensors: vec![sparse.clone()],
    };
    let node = NodeProto {
        name: s("n"),
        op_type: s("o"),
        attribute: vec![attr.clone()],
        domain: s("d"),
    };
    let graph = GraphProto {
        node: vec![node.clone()],
        name: s("g"),
        initializer: vec![tensor.clone()],
        doc_string: s("doc"),
        sparse_initializer: vec![sparse.clone()],
        metadata_props: vec![entry("k", "v")],
    };
    let m = ModelProto {
        ir_version: 10,
        producer_name: s("p"),
        producer_version: s("1"),
        domain: s("x"),
        model_version: 1,
        doc_string: s("d"),
        graph: Some(graph.clone()),
        opset_import: vec![OperatorSetIdProto {
            domain: s("ai.onnx"),
            version: 21,
        }],
        metadata_props: vec![entry("k", "v")],
        training_info: vec![TrainingInfoProto {
            initialization: Some(graph.clone()),
            algorithm: Some(GraphProto::default()),
        }],
        functions: vec![FunctionProto {
            name: s("f"),
            node: vec![node.clone()],
            doc_string: s("d"),
            opset_import: vec![OperatorSetIdProto::default()],
            domain: s("local"),
            attribute_proto: vec![attr.clone()],
            overload: s("o"),
            metadata_props: vec![entry("k", "v")],
        }],
    };
    let bytes = m.encode_to_vec();
    let d = decode(&bytes).expect("decodes");
    assert_eq!(d.model, m, "round trip keeps every declared field");
    // Counted independently by re-encoding each message kind.
    let count_msgs = |m: &ModelProto| -> u64 {
        fn t(_: &TensorProto) -> u64 {
            2 // its external_data and metadata entries
        }
        fn sp(s: &SparseTensorProto) -> u64 {
            s.values.as_ref().map_or(0, |x| 1 + t(x)) + s.indices.as_ref().map_or(0, |x| 1 + t(x))
        }
        fn a(x: &AttributeProto) -> u64 {
            x.t.as_ref().map_or(0, |y| 1 + t(y))
                + x.g.as_ref().map_or(0, |y| 1 + g(y))
                + x.tensors.iter().map(|y| 1 + t(y)).sum::<u64>()
                + x.graphs.iter().map(|y| 1 + g(y)).sum::<u64>()
                + x.sparse_tensor.as_ref().map_or(0, |y| 1 + sp(y))
                + x.sparse_tensors.iter().map(|y| 1 + sp(y)).sum::<u64>()
        }
        fn n(x: &NodeProto) -> u64 {
            x.attribute.iter().map(|y| 1 + a(y)).sum::<u64>()
        }
        fn g(x: &GraphProto) -> u64 {
            x.node.iter().map(|y| 1 + n(y)).sum::<u64>()
                + x.initializer.iter().map(|y| 1 + t(y)).sum::<u64>()
                + x.sparse_initializer.iter().map(|y| 1 + sp(y)).sum::<u64>()
                + x.metadata_props.len() as u64
        }
        m.graph.as_ref().map_or(0, |y| 1 + g(y))
            + m.opset_import.len() as u64
            + m.metadata_props.len() as u64
            + m.training_info
                .iter()
                .map(|ti| {
                    1 + ti.initialization.as_ref().map_or(0, |y| 1 + g(y))
                        + ti.algorithm.as_ref().map_or(0, |y| 1 + g(y))
                })
                .sum::<u64>()
            + m.functions
                .iter()
                .map(|f| {
                    1 + f.node.iter().map(|y| 1 + n(y)).sum::<u64>()
                        + f.opset_import.len() as u64
                        + f.attribute_proto.iter().map(|y| 1 + a(y)).sum::<u64>()
                        + f.metadata_props.len() as u64
                })
                .sum::<u64>()
    };
    assert_eq!(d.counts.messages, count_msgs(&m));
    assert!(d.counts.text_bytes > 0);
    assert_eq!(d.counts.inline_tensor_bytes, 0);
}

#[test]
fn sniffing_accepts_models_and_prefixes_but_not_other_formats() {
    let m = model(vec![node("Conv", ""), node("Relu", "")]).encode_to_vec();
    assert!(looks_like_model(&m));
    // Every prefix that reaches into the graph is still a model.
    let graph_at = m.iter().position(|&b| b == 0x3a).expect("graph key");
    for cut in graph_at + 2..m.len() {
        assert!(looks_like_model(&m[..cut]), "prefix of {cut} bytes");
    }
    assert!(!looks_like_model(&m[..graph_at]), "no graph yet");
    for other in [
        &b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00"[..],
        b"PK\x03\x04\x14\x00\x00\x00",
        b"import os\nos.system('id')\n",
        b"(dp0\nS'a'\np1\nI1\ns.",
        b"\x08\x00:\x00", // IR version 0
        b"\x08\x07",      // no graph
        b"",
        b"{\"format\": \"pt\"}",
    ] {
        assert!(!looks_like_model(other), "{other:?}");
    }
    // A graph whose first field is not a GraphProto field.
    assert!(!looks_like_model(b"\x08\x07\x3a\x02\x08\x01"));
}

#[test]
fn a_prefix_ending_in_a_long_doc_string_is_still_a_model() {
    let mut m = model(vec![node("Relu", "")]);
    m.doc_string = vec![b'd'; 10_000];
    let b = m.encode_to_vec();
    assert!(looks_like_model(&b[..4096]));
    // But not a prefix that ends in the producer name.
    let mut m = model(vec![]);
    m.producer_name = vec![b'p'; 10_000];
    assert!(!looks_like_model(&m.encode_to_vec()[..4096]));
}

#[test]
fn field_order_does_not_matter_to_sniffing() {
    let m = model(vec![node("Relu", "")]);
    let mut b = Vec::new();
    write::bytes(
        &mut b,
        7,
        &m.graph.clone().unwrap_or_default().encode_to_vec(),
    );
    write::key(&mut b, 1, 0);
    write::varint(&mut b, 9);
    assert!(looks_like_model(&b));
    assert_eq!(decode(&b).expect("decodes").model.ir_version, 9);
}

#[test]
fn truncated_model_is_an_error_with_the_offset() {
    let mut m = model(vec![node("Relu", "")]).encode_to_vec();
    write::bytes(&mut m, 6, b"a doc string");
    let cut = &m[..m.len() - 3];
    match decode(cut) {
        Err(OnnxError::Truncated { offset }) => assert!(offset < cut.len() as u64),
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_node_flood_hits_the_message_limit_before_prost_allocates() {
    // Each `0a 00` is a whole NodeProto to prost.
    let mut g = Vec::new();
    for _ in 0..5000 {
        write::bytes(&mut g, 1, b"");
    }
    let mut m = vec![0x08, 0x08];
    write::bytes(&mut m, 7, &g);
    let limits = Limits {
        max_decoded_bytes: 1000 * std::mem::size_of::<NodeProto>() as u64,
        ..Limits::default()
    };
    match decode_with_limits(&m, &limits) {
        Err(OnnxError::LimitExceeded { limit, offset }) => {
            assert_eq!(limit, limits.max_decoded_bytes);
            // Inside the graph, before its thousandth node (the graph's own
            // struct is paid for first).
            assert!((5..5 + 2 * 1000).contains(&offset), "{offset}");
        }
        other => panic!("{other:?}"),
    }
    let d = decode(&m).expect("under the default limit");
    assert_eq!(d.counts.messages, 5001);
}

#[test]
fn deeply_nested_subgraphs_are_refused() {
    let mut g = GraphProto::default();
    for _ in 0..40 {
        g = GraphProto {
            node: vec![NodeProto {
                attribute: vec![AttributeProto {
                    g: Some(Box::new(g)),
                    ..AttributeProto::default()
                }],
                ..node("If", "")
            }],
            ..GraphProto::default()
        };
    }
    let m = ModelProto {
        graph: Some(g),
        ..model(vec![])
    }
    .encode_to_vec();
    match decode(&m) {
        Err(OnnxError::TooDeep { limit, .. }) => assert_eq!(limit, MAX_DEPTH),
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_and_dims_count_against_the_limit() {
    let mut m = model(vec![]);
    m.doc_string = vec![b'x'; 5000];
    let limits = Limits {
        max_decoded_bytes: 4000,
        ..Limits::default()
    };
    assert!(matches!(
        decode_with_limits(&m.encode_to_vec(), &limits),
        Err(OnnxError::LimitExceeded { limit: 4000, .. })
    ));
    let mut m = model(vec![]);
    if let Some(g) = m.graph.as_mut() {
        g.initializer.push(TensorProto {
            dims: vec![1; 3000],
            ..TensorProto::default()
        });
    }
    let bytes = m.encode_to_vec();
    let counts = decode(&bytes).expect("decodes").counts;
    assert_eq!(counts.dim_values, 3000);
    assert!(counts.decoded_bytes > 3000 * 8);
    let limits = Limits {
        max_decoded_bytes: 3000 * 8,
        ..Limits::default()
    };
    assert!(matches!(
        decode_with_limits(&bytes, &limits),
        Err(OnnxError::LimitExceeded { .. })
    ));
}

#[test]
fn groups_bad_varints_and_wrong_wire_types_are_malformed() {
    let mut m = model(vec![]).encode_to_vec();
    m.extend_from_slice(&[0x4b]); // field 9, start group
    assert!(matches!(decode(&m), Err(OnnxError::Malformed { .. })));
    let mut m = model(vec![]).encode_to_vec();
    m.extend_from_slice(&[0x10; 1]);
    m.extend_from_slice(&[0xff; 11]);
    assert!(matches!(decode(&m), Err(OnnxError::Malformed { .. })));
    // op_type (a string) sent as a varint: the walk skips it, prost refuses.
    let mut g = Vec::new();
    write::bytes(&mut g, 1, &[0x20, 0x05]);
    let mut m = vec![0x08, 0x08];
    write::bytes(&mut m, 7, &g);
    assert!(matches!(decode(&m), Err(OnnxError::Decode(_))));
}

#[test]
fn invalid_utf8_names_decode_as_bytes() {
    let m = model(vec![node("Re\u{0}lu", "\u{7f}")]);
    let mut b = m.encode_to_vec();
    // Corrupt the 'R' of the op type (after the node name) into a lone continuation byte.
    let at = b.windows(2).rposition(|w| w == b"Re").expect("op type");
    b[at] = 0x80;
    let d = decode(&b).expect("decodes");
    let op = d.model.graph.expect("graph").node[0].op_type.clone();
    assert_eq!(text(&op), "\u{fffd}e\u{0}lu");
}

#[test]
fn external_data_entries_are_parsed_and_checked() {
    let t = TensorProto {
        data_location: DATA_LOCATION_EXTERNAL,
        external_data: vec![
            entry("location", "weights.bin"),
            entry("offset", "4096"),
            entry("length", "-1"),
            entry("checksum", "abc"),
            entry("location", "other.bin"),
        ],
        ..TensorProto::default()
    };
    assert!(is_external(&t));
    let e = external_data(&t);
    assert_eq!(e.location.as_deref(), Some("other.bin"));
    assert_eq!(e.offset, Some(4096));
    assert_eq!(e.length, None);
    assert_eq!(e.problems.len(), 2, "{:?}", e.problems);
}

#[test]
fn declared_bytes_handles_sub_byte_types_and_overflow() {
    let t = |data_type, dims: Vec<i64>| TensorProto {
        data_type,
        dims,
        ..TensorProto::default()
    };
    assert_eq!(declared_bytes(&t(22, vec![3])), Some(2), "int4 rounds up");
    assert_eq!(declared_bytes(&t(1, vec![])), Some(4), "scalar");
    assert_eq!(declared_bytes(&t(8, vec![2])), None, "strings");
    assert_eq!(declared_bytes(&t(1, vec![-1])), None);
    assert_eq!(declared_bytes(&t(11, vec![i64::MAX, i64::MAX])), None);
}

#[test]
fn oversized_input_is_refused_before_walking() {
    let limits = Limits {
        max_file_bytes: 4,
        ..Limits::default()
    };
    assert!(matches!(
        decode_with_limits(&model(vec![]).encode_to_vec(), &limits),
        Err(OnnxError::TooLarge { limit: 4, .. })
    ));
}
