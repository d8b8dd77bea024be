//! TFLite reader tests on models written by `builder`: what is read, the
//! builtin-code rule, and hostile layouts (cut files, offsets out of range,
//! huge vector lengths, broken vtables, unterminated strings).

use super::builder::{Field, ModelSpec, SubgraphSpec, TableSpec, finish};
use super::reader::Reader;
use super::*;

fn spec() -> ModelSpec {
    ModelSpec {
        description: Some("MLIR Converted.".into()),
        codes: vec![
            (9, None),
            (0, None),
            (CUSTOM, Some("MyOp".into())),
            (150, None),
        ],
        subgraphs: vec![SubgraphSpec {
            name: Some("main".into()),
            tensors: vec![
                "input".into(),
                "dense/BiasAdd".into(),
                "add".into(),
                "out".into(),
            ],
            operators: vec![(0, vec![1]), (1, vec![2]), (2, vec![3]), (3, vec![3])],
        }],
        metadata: vec![("min_runtime_version".into(), 1)],
        buffers: vec![vec![], b"1.5.0\0\0\0\0\0\0\0\0\0\0\0".to_vec(), vec![7; 64]],
    }
}

/// Position of field `id` of the root table, and the bytes.
fn root_field(data: &[u8], id: u16) -> usize {
    let r = Reader { data };
    let root = r.deref(0, "root").expect("root");
    let t = r.table(root, "model").expect("table");
    r.field_ref(&t, id, "field").expect("ok").expect("present")
}

fn put_u32(data: &mut [u8], at: usize, v: u32) {
    data[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn benign_model_is_read() {
    let data = spec().build();
    assert!(looks_like(&data));
    let m = parse(&data).expect("parses");
    assert_eq!(m.stop, None);
    assert_eq!(m.version, 3);
    assert_eq!(
        m.description.map(|d| d.lossy().into_owned()).as_deref(),
        Some("MLIR Converted.")
    );
    let codes: Vec<i32> = m.operator_codes.iter().map(OperatorCode::code).collect();
    assert_eq!(codes, [9, 0, 32, 150]);
    assert!(m.operator_codes[2].is_custom());
    assert_eq!(
        m.operator_codes[2].custom_code.map(|t| t.bytes),
        Some(&b"MyOp"[..])
    );
    let g = &m.subgraphs[0];
    assert_eq!(g.name.map(|t| t.bytes), Some(&b"main"[..]));
    assert_eq!(g.tensor_count, 4);
    let outs: Vec<_> = g
        .operators
        .iter()
        .map(|o| o.output.map(|t| t.bytes))
        .collect();
    assert_eq!(outs[0], Some(&b"dense/BiasAdd"[..]));
    assert_eq!(m.operator_count(), 4);
    assert_eq!(
        m.metadata[0].name.map(|t| t.bytes),
        Some(&b"min_runtime_version"[..])
    );
    assert_eq!(m.metadata[0].buffer, 1);
    assert_eq!(m.buffers.len(), 3);
    assert_eq!(m.buffers[0], BufferData::Empty);
    assert_eq!(m.buffers[2].size(), 64);
    for t in [m.operator_codes[2].custom_code, g.name]
        .into_iter()
        .flatten()
    {
        let at = t.offset as usize;
        assert_eq!(&data[at..at + t.bytes.len()], t.bytes);
    }
}

#[test]
fn builtin_code_is_the_larger_of_the_two_fields() {
    let code = |deprecated: i8, builtin: i32| OperatorCode {
        deprecated_builtin_code: deprecated,
        builtin_code: builtin,
        custom_code: None,
        version: 1,
        offset: 0,
    };
    // Old converters wrote only the byte; new ones cap it at 127.
    assert_eq!(code(25, 0).code(), 25);
    assert_eq!(code(127, 150).code(), 150);
    assert_eq!(code(32, 0).code(), CUSTOM);
    assert_eq!(builtin_name(25), Some("SOFTMAX"));
    assert_eq!(builtin_name(209), Some("STABLEHLO_CASE"));
    assert_eq!(builtin_name(210), None);
    assert_eq!(builtin_name(-1), None);
}

#[test]
fn every_truncation_is_an_error_never_a_panic() {
    let data = spec().build();
    for cut in 0..data.len() {
        let short = &data[..cut];
        match parse(short) {
            Err(_) => {}
            Ok(m) => assert!(m.stop.is_some(), "cut at {cut} parsed completely"),
        }
    }
}

#[test]
fn every_byte_changed_is_parsed_without_panic() {
    let data = spec().build();
    for at in 0..data.len() {
        for v in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let mut d = data.clone();
            d[at] = v;
            let _ = parse(&d);
        }
    }
}

#[test]
fn identifier_and_root_offset_are_checked() {
    assert_eq!(
        parse(b"\x0c\0\0\0TFL2....").unwrap_err(),
        TfliteError::BadIdentifier
    );
    assert_eq!(parse(b"").unwrap_err(), TfliteError::BadIdentifier);
    let mut d = spec().build();
    put_u32(&mut d, 0, 0xffff_fff0);
    assert!(!looks_like(&d));
    assert!(matches!(parse(&d), Err(TfliteError::OutOfBounds { .. })));
    assert!(!looks_like(b"\x04\0\0\0TFL3"));
}

#[test]
fn huge_vector_lengths_are_refused_before_allocation() {
    let data = spec().build();
    let codes = root_field(&data, 1);
    let mut d = data.clone();
    put_u32(&mut d, codes, u32::MAX);
    let m = parse(&d).expect("root is fine");
    assert!(matches!(
        m.stop,
        Some(TfliteError::CountOverLimit {
            limit: MAX_OPERATOR_CODES,
            ..
        })
    ));
    let mut d = data.clone();
    put_u32(&mut d, codes, 60_000);
    let m = parse(&d).expect("root is fine");
    assert!(
        matches!(m.stop, Some(TfliteError::Oversized { .. })),
        "{:?}",
        m.stop
    );
    let buffers = root_field(&data, 4);
    let mut d = data.clone();
    put_u32(&mut d, buffers, 1 << 30);
    assert!(parse(&d).expect("root").stop.is_some());
}

#[test]
fn offsets_out_of_bounds_are_errors() {
    let data = spec().build();
    let subgraphs = root_field(&data, 2);
    let mut d = data.clone();
    // The first subgraph's offset, pointed past the end.
    put_u32(&mut d, subgraphs + 4, 0x7fff_0000);
    let m = parse(&d).expect("root");
    assert!(
        matches!(m.stop, Some(TfliteError::OutOfBounds { .. })),
        "{:?}",
        m.stop
    );
    assert_eq!(
        m.operator_codes.len(),
        4,
        "codes read before the break are kept"
    );
}

#[test]
fn vtable_before_the_file_is_an_error() {
    let mut d = spec().build();
    let root = u32::from_le_bytes(d[0..4].try_into().unwrap()) as usize;
    put_u32(&mut d, root, (root as u32) + 100);
    assert!(matches!(parse(&d), Err(TfliteError::BadVtable { .. })));
    // A vtable 2 GiB past the table: out of the file.
    put_u32(&mut d, root, i32::MIN as u32);
    assert!(matches!(parse(&d), Err(TfliteError::OutOfBounds { .. })));
}

#[test]
fn unterminated_custom_code_is_an_error() {
    let mut d = spec().build();
    let at = d
        .windows(5)
        .position(|w| w == b"MyOp\0")
        .expect("custom code");
    d[at + 4] = b'!';
    let m = parse(&d).expect("root");
    assert!(
        matches!(m.stop, Some(TfliteError::Unterminated { .. })),
        "{:?}",
        m.stop
    );
}

#[test]
fn operator_with_a_missing_code_is_an_error() {
    let mut s = spec();
    s.subgraphs[0].operators.push((9, vec![0]));
    let data = s.build();
    let m = parse(&data).expect("root");
    assert!(matches!(
        m.stop,
        Some(TfliteError::BadOpcodeIndex {
            index: 9,
            count: 4,
            ..
        })
    ));
}

#[test]
fn external_buffers_are_checked_against_the_file_length() {
    let buffer = |offset: u64, size: u64| {
        TableSpec::new()
            .with(1, Field::U64(offset))
            .with(2, Field::U64(size))
    };
    let model = |b: TableSpec| {
        finish(
            &TableSpec::new()
                .with(0, Field::U32(3))
                .with(4, Field::Tables(vec![b])),
            IDENTIFIER,
        )
    };
    let d = model(buffer(8, 16));
    let m = parse(&d).expect("parses");
    assert_eq!(m.stop, None);
    assert_eq!(
        m.buffers,
        [BufferData::External {
            offset: 8,
            size: 16
        }]
    );
    let d = model(buffer(64, 1 << 40));
    assert!(matches!(
        parse(&d).expect("root").stop,
        Some(TfliteError::BufferOutOfRange { .. })
    ));
    let d = model(buffer(u64::MAX, 2));
    assert!(matches!(
        parse(&d).expect("root").stop,
        Some(TfliteError::BufferOutOfRange { .. })
    ));
    // Offset 1 means "no external data" in the schema.
    let d = model(buffer(1, 1 << 40));
    assert_eq!(parse(&d).expect("parses").buffers, [BufferData::Empty]);
}

#[test]
fn a_vector_of_one_shared_table_costs_its_length_only() {
    // 50 000 operator-code offsets, all to one empty table: linear work,
    // memory for what was read only.
    let n = 50_000u32;
    let mut d = Vec::new();
    d.extend_from_slice(&16u32.to_le_bytes()); // root table at 16
    d.extend_from_slice(IDENTIFIER);
    d.extend_from_slice(&[8, 0, 8, 0, 0, 0, 4, 0]); // vtable: field 1 at +4
    d.extend_from_slice(&8i32.to_le_bytes()); // root table: vtable 8 before
    d.extend_from_slice(&4u32.to_le_bytes()); // operator_codes at 24
    d.extend_from_slice(&n.to_le_bytes());
    let table = 28 + 4 * n + 4;
    for i in 0..n {
        d.extend_from_slice(&(table - (28 + 4 * i)).to_le_bytes());
    }
    d.extend_from_slice(&[4, 0, 4, 0]); // the shared table's vtable: no fields
    d.extend_from_slice(&4i32.to_le_bytes());
    let m = parse(&d).expect("parses");
    assert_eq!(m.stop, None);
    assert_eq!(m.operator_codes.len(), n as usize);
    assert!(
        m.operator_codes
            .iter()
            .all(|c| c.code() == 0 && c.version == 1)
    );
}
