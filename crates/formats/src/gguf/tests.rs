use super::*;

/// A writer of GGUF fields in either byte order and length width.
pub(crate) struct W {
    pub big: bool,
    pub wide: bool,
    pub buf: Vec<u8>,
}

impl W {
    pub fn new(version: u32, big: bool) -> W {
        let mut w = W {
            big,
            wide: version >= 2,
            buf: MAGIC.to_vec(),
        };
        w.u32(version);
        w
    }
    pub fn u32(&mut self, v: u32) -> &mut W {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.buf.extend_from_slice(&b);
        self
    }
    pub fn u64(&mut self, v: u64) -> &mut W {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.buf.extend_from_slice(&b);
        self
    }
    pub fn len(&mut self, v: u64) -> &mut W {
        if self.wide {
            self.u64(v)
        } else {
            self.u32(v as u32)
        }
    }
    pub fn str(&mut self, s: &str) -> &mut W {
        self.len(s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
        self
    }
    pub fn kv_str(&mut self, k: &str, v: &str) -> &mut W {
        self.str(k).u32(value_type::STRING).str(v)
    }
    pub fn kv_u32(&mut self, k: &str, v: u32) -> &mut W {
        self.str(k).u32(value_type::U32).u32(v)
    }
    pub fn kv_strs(&mut self, k: &str, v: &[&str]) -> &mut W {
        self.str(k)
            .u32(value_type::ARRAY)
            .u32(value_type::STRING)
            .len(v.len() as u64);
        for s in v {
            self.str(s);
        }
        self
    }
    pub fn tensor(&mut self, name: &str, dims: &[u64], ty: u32, offset: u64) -> &mut W {
        self.str(name).u32(dims.len() as u32);
        for d in dims {
            self.len(*d);
        }
        self.u32(ty).u64(offset)
    }
    /// Pad to `align` and append `data_len` zero bytes of tensor data.
    pub fn data(&mut self, align: usize, data_len: usize) -> Vec<u8> {
        while !self.buf.len().is_multiple_of(align) {
            self.buf.push(0);
        }
        let mut out = self.buf.clone();
        out.extend(std::iter::repeat_n(0u8, data_len));
        out
    }
}

pub(crate) const TEMPLATE: &str = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}";

/// A small valid v3 file: 4 keys, an F32 [4, 2] at 0 and a Q4_0 [32] at 32.
pub(crate) fn valid(big: bool) -> Vec<u8> {
    let mut w = W::new(3, big);
    w.len(2).len(4);
    w.kv_str("general.architecture", "llama")
        .kv_u32("general.alignment", 32)
        .kv_str("tokenizer.chat_template", TEMPLATE)
        .kv_strs("tokenizer.ggml.tokens", &["<s>", "</s>", "a"]);
    w.tensor("token_embd.weight", &[4, 2], 0, 0)
        .tensor("blk.0.attn_q.weight", &[32], 2, 32);
    w.data(32, 32 + 18)
}

fn kinds(g: &Gguf<'_>) -> Vec<AnomalyKind> {
    g.anomalies.iter().map(|a| a.kind).collect()
}

#[test]
fn valid_file_in_both_byte_orders() {
    for big in [false, true] {
        let f = valid(big);
        let g = parse(&f).expect("parses");
        assert_eq!(g.stop, None);
        assert_eq!(kinds(&g), vec![], "{:?}", g.anomalies);
        assert_eq!(g.endian, if big { Endian::Big } else { Endian::Little });
        assert_eq!((g.version, g.tensor_count, g.kv_count), (3, 2, 4));
        assert_eq!(g.tensors[0].nbytes, Some(32));
        assert_eq!(g.tensors[1].nbytes, Some(18));
        assert_eq!(g.data_start.map(|d| d % 32), Some(0));
        match g.get("tokenizer.chat_template") {
            Some(Value::Str(t)) => assert_eq!(t.lossy(), TEMPLATE),
            other => panic!("{other:?}"),
        }
        match g.get("tokenizer.ggml.tokens") {
            Some(Value::Array(a)) => assert_eq!((a.len, a.items.len()), (3, 3)),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn version_1_uses_32_bit_lengths_and_dims() {
    let mut w = W::new(1, false);
    w.len(1).len(1).kv_str("general.name", "v1");
    w.tensor("w", &[8], 0, 0);
    let f = w.data(32, 32);
    let g = parse(&f).unwrap();
    assert_eq!((g.version, g.stop.clone(), kinds(&g)), (1, None, vec![]));
    assert_eq!(g.tensors[0].dims, vec![8]);
}

#[test]
fn bad_magic_and_versions() {
    assert_eq!(parse(b"GGML\x03\0\0\0").err(), Some(GgufError::BadMagic));
    assert!(matches!(
        parse(b"GGUF\x09\0\0\0"),
        Err(GgufError::UnsupportedVersion { version: 9 })
    ));
    assert!(matches!(parse(b"GGUF"), Err(GgufError::Truncated { .. })));
}

#[test]
fn huge_counts_are_refused_before_allocation() {
    // CVE-2024-21836 / -23605 shape: counts that overflow allocations.
    let mut w = W::new(3, false);
    w.u64(u64::MAX).u64(0);
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::CountOverLimit { .. })
    ));
    let mut w = W::new(3, false);
    w.u64(0).u64(MAX_KVS);
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::Oversized { .. })
    ));
    // More than the file holds, whatever was cut: a forged count.
    let mut w = W::new(3, false);
    w.u64(1000).u64(0);
    w.buf.extend(std::iter::repeat_n(0u8, 24 * 10));
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::Oversized { .. })
    ));
    // Within the file's length but past its end: cut short.
    let mut w = W::new(3, false);
    w.u64(11).u64(0);
    w.buf.extend(std::iter::repeat_n(0u8, 24 * 10));
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::Truncated { .. })
    ));
}

#[test]
fn huge_string_and_array_lengths_are_refused() {
    // CVE-2024-23496 shape: a string length near u64::MAX.
    let mut w = W::new(3, false);
    w.u64(0).u64(1).u64(u64::MAX - 1);
    w.buf.extend_from_slice(&[0; 64]);
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::Oversized { .. })
    ));
    // CVE-2024-21825 shape: an array whose length times element size overflows.
    let mut w = W::new(3, false);
    w.u64(0)
        .u64(1)
        .str("k")
        .u32(value_type::ARRAY)
        .u32(value_type::U64)
        .u64(1 << 61);
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::CountOverLimit { .. })
    ));
    let mut w = W::new(3, false);
    w.u64(0)
        .u64(1)
        .str("k")
        .u32(value_type::ARRAY)
        .u32(value_type::U64)
        .u64(MAX_ARRAY_LEN);
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::Oversized { .. })
    ));
}

#[test]
fn unknown_types_and_deep_arrays_stop_parsing() {
    let mut w = W::new(3, false);
    w.u64(0).u64(1).str("k").u32(13).u32(0);
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::UnknownValueType { ty: 13, .. })
    ));
    let mut w = W::new(3, false);
    w.u64(0).u64(1).str("k").u32(value_type::ARRAY);
    for _ in 0..MAX_ARRAY_DEPTH + 1 {
        w.u32(value_type::ARRAY).u64(1);
    }
    w.u32(0).u64(0);
    assert!(matches!(
        parse(&w.buf).unwrap().stop,
        Some(GgufError::ArrayTooDeep { .. })
    ));
    // Nested arrays within the limit are fine.
    let mut w = W::new(3, false);
    w.u64(0)
        .u64(1)
        .str("k")
        .u32(value_type::ARRAY)
        .u32(value_type::ARRAY)
        .u64(2);
    w.u32(value_type::U8).u64(3);
    w.buf.extend_from_slice(&[1, 2, 3]);
    w.u32(value_type::STRING).u64(1).str("x");
    let g = parse(&w.buf).unwrap();
    assert_eq!(g.stop, None);
}

#[test]
fn long_fixed_arrays_are_skipped_not_stored() {
    let mut w = W::new(3, false);
    w.u64(0)
        .u64(1)
        .str("k")
        .u32(value_type::ARRAY)
        .u32(value_type::F32)
        .u64(100_000);
    w.buf.extend(std::iter::repeat_n(0u8, 400_000));
    let g = parse(&w.buf).unwrap();
    assert_eq!(g.stop, None);
    match &g.kvs[0].value {
        Value::Array(a) => assert_eq!((a.len, a.items.len()), (100_000, MAX_KEPT_ITEMS)),
        other => panic!("{other:?}"),
    }
}

fn one_tensor(dims: &[u64], ty: u32, offset: u64, data: usize) -> Vec<u8> {
    let mut w = W::new(3, false);
    w.u64(1).u64(0).tensor("t", dims, ty, offset);
    w.data(32, data)
}

#[test]
fn tensor_info_checks() {
    let k = |f: Vec<u8>| kinds(&parse(&f).unwrap());
    assert_eq!(k(one_tensor(&[8], 0, 0, 32)), vec![]);
    assert_eq!(
        k(one_tensor(&[1, 1, 1, 1, 1], 0, 0, 32)),
        vec![AnomalyKind::TooManyDims]
    );
    // CVE-2024-21802 shape: dims whose product overflows.
    assert_eq!(
        k(one_tensor(&[1 << 40, 1 << 40], 0, 0, 32)),
        vec![AnomalyKind::DimsOverflow]
    );
    assert_eq!(
        k(one_tensor(&[u64::MAX], 0, 0, 32)),
        vec![AnomalyKind::DimsOverflow]
    );
    assert_eq!(k(one_tensor(&[8], 99, 0, 32)), vec![AnomalyKind::BadType]);
    assert_eq!(
        k(one_tensor(&[32], 4, 0, 32)),
        vec![AnomalyKind::BadType],
        "removed Q4_2"
    );
    assert_eq!(
        k(one_tensor(&[33], 2, 0, 64)),
        vec![AnomalyKind::BlockMisfit]
    );
    assert_eq!(k(one_tensor(&[8], 0, 4, 64)), vec![AnomalyKind::Unaligned]);
    assert_eq!(
        k(one_tensor(&[8], 0, 0, 16)),
        vec![AnomalyKind::DataPastEnd]
    );
    assert_eq!(
        k(one_tensor(&[8], 0, 1 << 40, 32)),
        vec![AnomalyKind::DataPastEnd]
    );
    assert_eq!(
        k(one_tensor(&[8], 0, u64::MAX - 31, 32)),
        vec![AnomalyKind::OffsetOverflow]
    );
}

#[test]
fn huge_n_dims_is_refused_without_a_loop() {
    let mut w = W::new(3, false);
    w.u64(1).u64(0).str("t").u32(u32::MAX);
    w.buf.extend_from_slice(&[0; 64]);
    let g = parse(&w.buf).unwrap();
    assert_eq!(kinds(&g), vec![AnomalyKind::TooManyDims]);
    assert!(matches!(g.stop, Some(GgufError::Oversized { .. })));
}

#[test]
fn duplicates_overlaps_alignment_and_names() {
    let mut w = W::new(3, false);
    w.u64(3).u64(3);
    w.kv_u32("general.alignment", 64)
        .kv_str("a", "1")
        .kv_str("a", "2");
    w.tensor("x", &[16], 0, 0)
        .tensor("x", &[16], 0, 64)
        .tensor(&"n".repeat(64), &[16], 0, 0);
    let f = w.data(64, 128);
    let g = parse(&f).unwrap();
    assert_eq!(g.alignment, 64);
    assert_eq!(
        kinds(&g),
        vec![
            AnomalyKind::DuplicateKey,
            AnomalyKind::NameTooLong,
            AnomalyKind::DuplicateTensor,
            AnomalyKind::Overlap
        ]
    );
    for bad in [0u32, 48] {
        let mut w = W::new(3, false);
        w.u64(0).u64(1).kv_u32("general.alignment", bad);
        let g = parse(&w.buf).unwrap();
        assert_eq!(
            (kinds(&g), g.alignment),
            (vec![AnomalyKind::BadAlignment], 32)
        );
    }
    let mut w = W::new(3, false);
    w.u64(0).u64(1).kv_str("general.alignment", "32");
    assert_eq!(
        kinds(&parse(&w.buf).unwrap()),
        vec![AnomalyKind::BadAlignment]
    );
}

#[test]
fn every_prefix_and_byte_flip_is_handled() {
    let f = valid(false);
    for n in 0..f.len() {
        let g = parse(&f[..n]);
        if n < f.len() - 50 {
            assert!(
                g.map(|g| g.stop.is_some() || !g.anomalies.is_empty())
                    .unwrap_or(true),
                "{n}"
            );
        }
    }
    for i in 0..f.len() {
        for x in [0x01, 0x80, 0xff] {
            let mut g = f.clone();
            g[i] ^= x;
            let _ = parse(&g);
        }
    }
}
