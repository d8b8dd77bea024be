use super::*;

/// A file: length, header (padded to 8 like the reference writer), data.
fn file(header: &str, data_len: usize) -> Vec<u8> {
    let mut h = header.as_bytes().to_vec();
    while !h.len().is_multiple_of(8) {
        h.push(b' ');
    }
    let mut out = (h.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&h);
    out.extend(std::iter::repeat_n(0u8, data_len));
    out
}

fn kinds(h: &Header) -> Vec<AnomalyKind> {
    h.anomalies.iter().map(|a| a.kind).collect()
}

const GOOD: &str = r#"{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]},"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#;

#[test]
fn well_formed_file_has_no_anomalies() {
    let f = file(GOOD, 32);
    assert!(looks_like(&f));
    let h = parse(&f).expect("parses");
    assert_eq!(kinds(&h), vec![]);
    assert_eq!(h.tensors.len(), 2);
    assert_eq!(h.tensors[0].name, "b");
    assert_eq!(h.tensors[0].shape, vec![2, 2]);
    assert_eq!(h.tensors[0].file_offset, Some(h.data_start + 16));
    assert_eq!(
        h.metadata,
        vec![("format".into(), MetaValue::Str("pt".into()))]
    );
    assert_eq!(h.trailing, None);
}

#[test]
fn empty_header_and_null_metadata_are_fine() {
    let h = parse(&file("{}", 0)).expect("parses");
    assert!(h.anomalies.is_empty() && h.tensors.is_empty());
    let h = parse(&file(r#"{"__metadata__":null}"#, 0)).expect("parses");
    assert!(h.anomalies.is_empty());
}

#[test]
fn header_length_with_a_pickle_like_first_byte_is_still_safetensors() {
    // 0x80 = 128-byte header: the first byte is pickle's PROTO opcode.
    let mut header = String::from(r#"{"__metadata__":{"note":""#);
    while header.len() < 125 {
        header.push('x');
    }
    header.push_str("\"}}");
    let f = file(&header, 0);
    assert_eq!(f[0], 0x80);
    assert!(looks_like(&f));
    assert!(parse(&f).is_ok());
}

#[test]
fn length_limits_and_truncation_are_errors() {
    assert_eq!(
        parse(b"\x01\x00"),
        Err(SafetensorsError::TooShort { len: 2 })
    );
    let mut f = (MAX_HEADER_LEN + 1).to_le_bytes().to_vec();
    f.extend_from_slice(b"{}");
    assert!(matches!(
        parse(&f),
        Err(SafetensorsError::HeaderTooLarge { .. })
    ));
    let mut f = u64::MAX.to_le_bytes().to_vec();
    f.extend_from_slice(b"{}");
    assert!(matches!(
        parse(&f),
        Err(SafetensorsError::HeaderTooLarge { .. })
    ));
    let mut f = 100u64.to_le_bytes().to_vec();
    f.extend_from_slice(b"{\"a\":");
    assert_eq!(
        parse(&f),
        Err(SafetensorsError::HeaderTruncated {
            len: 100,
            available: 5
        })
    );
}

#[test]
fn non_json_or_non_object_headers_are_errors() {
    assert!(matches!(
        parse(&file("[1, 2]", 0)),
        Err(SafetensorsError::NotAnObject)
    ));
    assert!(matches!(
        parse(&file("{\"a\": }", 0)),
        Err(SafetensorsError::Json(_))
    ));
    assert!(matches!(
        parse(&file("{} {}", 0)),
        Err(SafetensorsError::Json(_))
    ));
    let mut bad_utf8 = file(r#"{"__metadata__":{"k":"vv"}}"#, 0);
    let at = bad_utf8.iter().position(|b| *b == b'v').unwrap();
    bad_utf8[at] = 0xff;
    assert!(matches!(parse(&bad_utf8), Err(SafetensorsError::Json(_))));
}

#[test]
fn duplicate_keys_are_anomalies_not_silently_merged() {
    let h = parse(&file(
        r#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#,
        8,
    ))
    .unwrap();
    assert_eq!(kinds(&h), vec![AnomalyKind::DuplicateKey]);
    assert_eq!(h.tensors.len(), 2);
    let h = parse(&file(
        r#"{"__metadata__":{"k":"1","k":"2"},"a":{"dtype":"U8","dtype":"I8","shape":[1],"data_offsets":[0,1]}}"#,
        1,
    ))
    .unwrap();
    assert_eq!(
        kinds(&h),
        vec![AnomalyKind::DuplicateKey, AnomalyKind::DuplicateKey]
    );
}

#[test]
fn entry_problems_are_reported() {
    let h = parse(&file(
        r#"{"a":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]},"b":"x","c":{"dtype":"U8","shape":[-1],"data_offsets":[1,2]},"d":{"dtype":"U8","shape":[1],"data_offsets":[2]}}"#,
        3,
    ))
    .unwrap();
    let k = kinds(&h);
    assert!(k.contains(&AnomalyKind::UnknownDtype), "{k:?}");
    assert_eq!(
        k.iter().filter(|k| **k == AnomalyKind::BadEntry).count(),
        3,
        "{:?}",
        h.anomalies
    );
}

#[test]
fn size_mismatch_and_overflow() {
    let h = parse(&file(
        r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
        8,
    ))
    .unwrap();
    assert_eq!(kinds(&h), vec![AnomalyKind::SizeMismatch]);
    let h = parse(&file(
        r#"{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
        8,
    ))
    .unwrap();
    assert!(kinds(&h).contains(&AnomalyKind::SizeOverflow));
    let h = parse(&file(
        r#"{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#,
        2,
    ))
    .unwrap();
    assert!(
        kinds(&h).contains(&AnomalyKind::SizeOverflow),
        "12 bits is not whole bytes"
    );
    let h = parse(&file(
        r#"{"a":{"dtype":"U8","shape":[0],"data_offsets":[5,2]}}"#,
        5,
    ))
    .unwrap();
    assert!(kinds(&h).contains(&AnomalyKind::SizeMismatch));
}

#[test]
fn gaps_overlaps_trailing_bytes_and_truncation() {
    let gap = r#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}}"#;
    assert_eq!(
        kinds(&parse(&file(gap, 12)).unwrap()),
        vec![AnomalyKind::Gap]
    );
    let overlap = r#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#;
    assert_eq!(
        kinds(&parse(&file(overlap, 8)).unwrap()),
        vec![AnomalyKind::Overlap]
    );
    let h = parse(&file(GOOD, 40)).unwrap();
    assert_eq!(kinds(&h), vec![AnomalyKind::TrailingBytes]);
    assert_eq!(h.trailing, Some((h.data_start + 32, 8)));
    let h = parse(&file(GOOD, 20)).unwrap();
    assert_eq!(kinds(&h), vec![AnomalyKind::DataPastEnd]);
    let late = r#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[18446744073709551611,18446744073709551615]}}"#;
    let k = kinds(&parse(&file(late, 4)).unwrap());
    assert!(
        k.contains(&AnomalyKind::Gap) && k.contains(&AnomalyKind::DataPastEnd),
        "{k:?}"
    );
}

#[test]
fn bad_metadata_is_reported() {
    let h = parse(&file(r#"{"__metadata__":{"n":1,"o":{"x":[1]}}}"#, 0)).unwrap();
    assert_eq!(
        kinds(&h),
        vec![AnomalyKind::BadMetadata, AnomalyKind::BadMetadata]
    );
    let h = parse(&file(r#"{"__metadata__":[1]}"#, 0)).unwrap();
    assert_eq!(kinds(&h), vec![AnomalyKind::BadMetadata]);
}

#[test]
fn structural_limits_are_fatal() {
    let dims = vec!["1"; MAX_RANK + 1].join(",");
    let f = file(
        &format!(r#"{{"a":{{"dtype":"U8","shape":[{dims}],"data_offsets":[0,1]}}}}"#),
        1,
    );
    assert!(matches!(parse(&f), Err(SafetensorsError::Json(_))));
    // Deep nesting is skipped without recursion: an anomaly, not a crash.
    let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let h = parse(&file(&deep, 0)).unwrap();
    assert_eq!(kinds(&h), vec![AnomalyKind::BadEntry]);
    let deep = format!(
        r#"{{"__metadata__":{{"k":{}1{}}}}}"#,
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    );
    let h = parse(&file(&deep, 0)).unwrap();
    assert_eq!(kinds(&h), vec![AnomalyKind::BadMetadata]);
    let long = format!(r#"{{"{}":1}}"#, "k".repeat(MAX_NAME_LEN + 1));
    assert!(matches!(
        parse(&file(&long, 0)),
        Err(SafetensorsError::Json(_))
    ));
}

#[test]
fn anomalies_are_capped() {
    let entries: Vec<String> = (0..MAX_ANOMALIES + 10)
        .map(|i| {
            format!(
                r#""t{i}":{{"dtype":"??","shape":[1],"data_offsets":[{i},{}]}}"#,
                i + 1
            )
        })
        .collect();
    let h = parse(&file(
        &format!("{{{}}}", entries.join(",")),
        MAX_ANOMALIES + 10,
    ))
    .unwrap();
    assert_eq!(h.anomalies.len(), MAX_ANOMALIES);
    assert_eq!(h.anomalies_omitted, 10);
}

#[test]
fn every_prefix_and_byte_flip_is_handled() {
    let f = file(GOOD, 32);
    for n in 0..f.len() {
        let _ = parse(&f[..n]);
    }
    for i in 0..f.len() {
        let mut g = f.clone();
        g[i] ^= 0x41;
        let _ = parse(&g);
    }
}
