use super::*;

/// An .npy file as numpy writes it: header padded with spaces and a newline
/// so the data starts on a 64-byte boundary.
fn npy(version: (u8, u8), dict: &str, data: &[u8]) -> Vec<u8> {
    let len_bytes = if version.0 == 1 { 2 } else { 4 };
    let dict = dict.as_bytes();
    let unpadded = 8 + len_bytes + dict.len() + 1;
    let pad = (64 - unpadded % 64) % 64;
    let header_len = dict.len() + pad + 1;
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&[version.0, version.1]);
    if len_bytes == 2 {
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
    }
    out.extend_from_slice(dict);
    out.extend(std::iter::repeat_n(b' ', pad));
    out.push(b'\n');
    out.extend_from_slice(data);
    out
}

fn dict(descr: &str, shape: &str) -> String {
    format!("{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}")
}

fn kinds(h: &Header) -> Vec<NpyAnomalyKind> {
    h.anomalies.iter().map(|a| a.kind).collect()
}

#[test]
fn v1_header_parses() {
    let file = npy((1, 0), &dict("'<f8'", "(3, 4)"), &[0u8; 96]);
    let h = parse(&file).unwrap();
    assert_eq!(h.version, (1, 0));
    assert_eq!(h.descr, Descr::Simple("<f8".into()));
    assert!(!h.fortran_order);
    assert_eq!(h.shape, vec![3, 4]);
    assert_eq!(h.data_offset, 128);
    assert!(!h.has_object_dtype);
    assert_eq!((h.item_size, h.data_len), (Some(8), Some(96)));
    assert!(h.anomalies.is_empty(), "{:?}", h.anomalies);
}

#[test]
fn v2_header_parses() {
    let file = npy((2, 0), &dict("'<i4'", "(5,)"), &[0u8; 20]);
    let h = parse(&file).unwrap();
    assert_eq!(
        (h.version, h.data_offset, h.data_len),
        ((2, 0), 128, Some(20))
    );
    assert!(h.anomalies.is_empty());
}

#[test]
fn v3_header_is_utf8() {
    let file = npy((3, 0), &dict("[('é', '<f4')]", "(2,)"), &[0u8; 8]);
    let h = parse(&file).unwrap();
    let Descr::Structured(fields) = &h.descr else {
        panic!()
    };
    assert_eq!(fields[0].name, "é");
    assert_eq!(h.data_len, Some(8));
    let mut bad = file.clone();
    let at = bad.iter().position(|&b| b == 0xc3).unwrap();
    bad[at] = 0xff;
    assert_eq!(parse(&bad).unwrap_err(), NpyError::NotUtf8);
}

#[test]
fn v1_header_is_latin1() {
    let mut file = npy((1, 0), &dict("[('X', '<f4')]", "(2,)"), &[0u8; 8]);
    let at = file.iter().position(|&b| b == b'X').unwrap();
    file[at] = 0xe9;
    let h = parse(&file).unwrap();
    let Descr::Structured(fields) = &h.descr else {
        panic!()
    };
    assert_eq!(fields[0].name, "é");
}

#[test]
fn object_descr_means_pickle_data() {
    for descr in [
        "'|O'", "'O'", "'<O8'", "'object'", "'T'", "' i4, O'", "'(2,)O'",
    ] {
        let file = npy((1, 0), &dict(descr, "(2,)"), b"\x80\x02.");
        let h = parse(&file).unwrap();
        assert!(h.has_object_dtype, "{descr}");
        assert_eq!(h.data_len, None);
        assert!(h.anomalies.is_empty(), "{descr}: {:?}", h.anomalies);
    }
}

#[test]
fn structured_dtype_with_nested_object_field_means_pickle_data() {
    let descr = "[('a', '<i4'), ('n', [('x', '|u1'), ('y', '|O', (2,))])]";
    let h = parse(&npy((1, 0), &dict(descr, "(3,)"), b"")).unwrap();
    assert!(h.has_object_dtype);
}

#[test]
fn structured_item_size_sums_fields_titles_and_subarrays() {
    let descr = "[('a', '|u1'), ('', '|V7'), (('t', 'c'), '<f8'), ('m', '<f4', (2, 3))]";
    let h = parse(&npy((1, 0), &dict(descr, "(2,)"), &[0u8; 2 * 40])).unwrap();
    assert_eq!(h.item_size, Some(1 + 7 + 8 + 24));
    let Descr::Structured(fields) = &h.descr else {
        panic!()
    };
    assert_eq!(fields[2].title.as_deref(), Some("t"));
    assert_eq!(fields[3].shape, Some(vec![2, 3]));
    assert!(h.anomalies.is_empty(), "{:?}", h.anomalies);
}

#[test]
fn flexible_and_datetime_sizes() {
    for (descr, size) in [
        ("'<U3'", 12),
        ("'|S5'", 5),
        ("'<M8[ns]'", 8),
        ("'|b1'", 1),
        ("'<c16'", 16),
    ] {
        let h = parse(&npy((1, 0), &dict(descr, "()"), &vec![0u8; size])).unwrap();
        assert_eq!(h.item_size, Some(size as u64), "{descr}");
        assert!(h.anomalies.is_empty(), "{descr}: {:?}", h.anomalies);
    }
}

#[test]
fn truncated_data_is_an_anomaly() {
    let h = parse(&npy((1, 0), &dict("'<f8'", "(3, 4)"), &[0u8; 95])).unwrap();
    assert_eq!(kinds(&h), vec![NpyAnomalyKind::Truncated]);
}

#[test]
fn trailing_data_is_an_anomaly() {
    let h = parse(&npy((1, 0), &dict("'<f8'", "(1,)"), &[0u8; 9])).unwrap();
    assert_eq!(kinds(&h), vec![NpyAnomalyKind::TrailingData]);
}

#[test]
fn parse_head_uses_the_given_file_length() {
    let file = npy((1, 0), &dict("'<f8'", "(1000,)"), b"");
    let h = parse_head(&file, 128 + 8000).unwrap();
    assert!(h.anomalies.is_empty());
}

#[test]
fn absurd_shape_overflow_is_an_error() {
    let shape = "(4294967296, 4294967296, 16)";
    assert!(matches!(
        parse(&npy((1, 0), &dict("'<f8'", shape), b"")),
        Err(NpyError::DataTooLarge(_))
    ));
    let huge = "(99999999999999999999999999999999999999999999,)";
    assert!(matches!(
        parse(&npy((1, 0), &dict("'<f8'", huge), b"")),
        Err(NpyError::BadShape(_) | NpyError::DataTooLarge(_))
    ));
}

#[test]
fn data_over_limit_is_an_error() {
    let shape = format!("({},)", MAX_DATA_LEN / 8 + 1);
    assert!(matches!(
        parse(&npy((1, 0), &dict("'<f8'", &shape), b"")),
        Err(NpyError::DataTooLarge(_))
    ));
}

#[test]
fn absurd_shape_with_object_dtype_still_parses() {
    let h = parse(&npy(
        (1, 0),
        &dict("'|O'", "(4294967296, 4294967296, 16)"),
        b".",
    ))
    .unwrap();
    assert!(h.has_object_dtype);
}

#[test]
fn header_over_limit_is_an_error() {
    let mut file = MAGIC.to_vec();
    file.extend_from_slice(&[2, 0]);
    file.extend_from_slice(&(MAX_HEADER_LEN as u32 + 1).to_le_bytes());
    assert_eq!(
        parse(&file).unwrap_err(),
        NpyError::HeaderTooLong {
            len: MAX_HEADER_LEN + 1,
            limit: MAX_HEADER_LEN
        }
    );
}

#[test]
fn header_over_numpy_limit_is_an_anomaly() {
    let long = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }}{}",
        " ".repeat(NUMPY_MAX_HEADER_SIZE)
    );
    let h = parse(&npy((2, 0), &long, &[0u8; 8])).unwrap();
    assert_eq!(kinds(&h), vec![NpyAnomalyKind::HeaderOverNumpyLimit]);
}

#[test]
fn truncated_header_is_an_error() {
    let file = npy((1, 0), &dict("'<f8'", "(1,)"), b"");
    assert!(matches!(
        parse(&file[..40]),
        Err(NpyError::HeaderTruncated {
            claimed: 118,
            available: 30
        })
    ));
    assert_eq!(parse(&file[..9]).unwrap_err(), NpyError::TooShort);
}

#[test]
fn bad_magic_and_versions_are_errors() {
    assert_eq!(
        parse(b"\x93NUMPX\x01\x00\x00\x00").unwrap_err(),
        NpyError::BadMagic
    );
    assert_eq!(
        parse(b"\x93NUMPY\x04\x00\x00\x00").unwrap_err(),
        NpyError::UnsupportedVersion { major: 4, minor: 0 }
    );
}

#[test]
fn duplicate_key_last_wins() {
    let text = "{'descr': '|O', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}";
    let h = parse(&npy((1, 0), text, &[0u8; 8])).unwrap();
    assert!(!h.has_object_dtype);
    assert_eq!(kinds(&h), vec![NpyAnomalyKind::DuplicateKey]);
}

#[test]
fn python2_long_suffix_only_before_version_3() {
    let text = dict("'<f8'", "(2L, 1L)");
    let h = parse(&npy((1, 0), &text, &[0u8; 16])).unwrap();
    assert_eq!(h.shape, vec![2, 1]);
    assert_eq!(kinds(&h), vec![NpyAnomalyKind::Python2Long]);
    assert!(matches!(
        parse(&npy((3, 0), &text, &[0u8; 16])),
        Err(NpyError::Syntax { .. })
    ));
}

#[test]
fn keys_must_be_exactly_the_three() {
    let missing = "{'descr': '<f8', 'shape': (1,)}";
    assert!(matches!(
        parse(&npy((1, 0), missing, b"")),
        Err(NpyError::BadKeys(_))
    ));
    let extra = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}";
    assert!(matches!(
        parse(&npy((1, 0), extra, b"")),
        Err(NpyError::BadKeys(_))
    ));
    assert!(matches!(
        parse(&npy((1, 0), "['descr']", b"")),
        Err(NpyError::BadKeys(_))
    ));
}

#[test]
fn fortran_order_must_be_bool() {
    let text = "{'descr': '<f8', 'fortran_order': 1, 'shape': (1,)}";
    assert_eq!(
        parse(&npy((1, 0), text, b"")).unwrap_err(),
        NpyError::BadFortranOrder
    );
}

#[test]
fn shape_must_be_a_tuple_of_non_negative_ints() {
    for shape in ["(3)", "[3]", "(-1,)", "('a',)"] {
        assert!(
            matches!(
                parse(&npy((1, 0), &dict("'<f8'", shape), b"")),
                Err(NpyError::BadShape(_))
            ),
            "{shape}"
        );
    }
    let many = format!("({})", "1,".repeat(MAX_DIMS + 1));
    assert!(matches!(
        parse(&npy((1, 0), &dict("'<f8'", &many), b"")),
        Err(NpyError::BadShape(_))
    ));
}

#[test]
fn deep_nesting_is_an_error() {
    let deep = format!("{}'<f8'{}", "[".repeat(100), "]".repeat(100));
    assert_eq!(
        parse(&npy((1, 0), &dict(&deep, "(1,)"), b"")).unwrap_err(),
        NpyError::TooDeep {
            limit: MAX_LITERAL_DEPTH
        }
    );
}

#[test]
fn too_many_nodes_is_an_error() {
    let wide = format!("({})", "0,".repeat(MAX_LITERAL_NODES + 1));
    let mut text = dict("'<f8'", "(1,)");
    text.insert_str(1, &format!("'x': {wide}, "));
    assert_eq!(
        parse(&npy((2, 0), &text, b"")).unwrap_err(),
        NpyError::TooManyNodes {
            limit: MAX_LITERAL_NODES
        }
    );
}

#[test]
fn unrecognised_dtype_is_an_anomaly() {
    let h = parse(&npy((1, 0), &dict("'<x9'", "(1,)"), b"")).unwrap();
    assert!(!h.has_object_dtype);
    assert_eq!((h.item_size, h.data_len), (None, None));
    assert_eq!(kinds(&h), vec![NpyAnomalyKind::UnrecognisedDtype]);
}

#[test]
fn misaligned_data_is_an_anomaly() {
    let text = dict("'<f8'", "(1,)");
    let mut file = MAGIC.to_vec();
    file.extend_from_slice(&[1, 0]);
    file.extend_from_slice(&(text.len() as u16).to_le_bytes());
    file.extend_from_slice(text.as_bytes());
    file.extend_from_slice(&[0u8; 8]);
    let h = parse(&file).unwrap();
    assert_eq!(kinds(&h), vec![NpyAnomalyKind::Misaligned]);
}

#[test]
fn python_literal_forms_numpy_accepts() {
    let text = "{\"descr\": '<' \"f8\", # comment\n 'fortran_order': True, 'shape': (0x2, 1_0)}";
    let h = parse(&npy((1, 0), text, &[0u8; 160])).unwrap();
    assert_eq!(h.descr, Descr::Simple("<f8".into()));
    assert!(h.fortran_order);
    assert_eq!(h.shape, vec![2, 10]);
}

#[test]
fn scalar_shape_is_one_item() {
    let h = parse(&npy((1, 0), &dict("'<f4'", "()"), &[0u8; 4])).unwrap();
    assert_eq!((h.shape.len(), h.data_len), (0, Some(4)));
}

#[test]
fn syntax_errors_are_errors_not_panics() {
    for text in [
        "{",
        "{'descr': '<f8",
        "{'descr' '<f8'}",
        "{'a': os.system}",
        "{'a': 1.5}",
        "",
        "{'a': '\\x4'}",
    ] {
        assert!(
            matches!(parse(&npy((1, 0), text, b"")), Err(NpyError::Syntax { .. })),
            "{text:?}"
        );
    }
}

#[test]
fn descr_displays_as_numpy_writes_it() {
    let d = "[('a', '<f8'), (('t', 'b'), '|O', (2,)), ('c', [('x', '<i4')])]";
    let file = npy((1, 0), &dict(d, "(1,)"), &[0u8; 64]);
    let h = parse(&file).unwrap();
    assert_eq!(h.descr.to_string(), d);
    assert_eq!(Descr::Simple("|O".into()).to_string(), "'|O'");
    let sub = Descr::Subarray {
        base: Box::new(Descr::Simple("<f4".into())),
        shape: vec![2, 3],
    };
    assert_eq!(sub.to_string(), "('<f4', (2, 3))");
}
