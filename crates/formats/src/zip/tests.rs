use super::writer::ZipWriter;
use super::*;
use std::io::Read;

fn kinds(anomalies: &[ZipAnomaly]) -> Vec<ZipAnomalyKind> {
    anomalies.iter().map(|a| a.kind).collect()
}

fn has(anomalies: &[ZipAnomaly], kind: ZipAnomalyKind) -> bool {
    anomalies.iter().any(|a| a.kind == kind)
}

fn torch_like() -> ZipWriter {
    let mut w = ZipWriter::new();
    w.member("archive/data.pkl", b"\x80\x02}q\x00.");
    w.member("archive/byteorder", b"little");
    w.member("archive/data/0", &[7u8; 4096]).deflate();
    w.member("archive/version", b"3\n");
    w
}

#[test]
fn normal_archive_opens_without_anomalies() {
    let bytes = torch_like().build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.entries().len(), 4);
    assert!(archive.anomalies().is_empty(), "{:?}", archive.anomalies());
    for e in archive.entries() {
        assert!(e.anomalies.is_empty(), "{:?}", e.anomalies);
    }
    assert_eq!(archive.prepended_len(), 0);
}

#[test]
fn stored_read_borrows_and_deflated_read_inflates() {
    let bytes = torch_like().build();
    let archive = Archive::parse(&bytes).unwrap();
    let pkl = archive.find("archive/data.pkl").unwrap();
    let data = archive.read(pkl, 1024).unwrap();
    assert!(matches!(data, std::borrow::Cow::Borrowed(_)));
    assert_eq!(&*data, b"\x80\x02}q\x00.");
    assert!(pkl.verify(&data).is_empty());
    let storage = archive.find("archive/data/0").unwrap();
    let data = archive.read(storage, 1 << 20).unwrap();
    assert!(matches!(data, std::borrow::Cow::Owned(_)));
    assert_eq!(&*data, &[7u8; 4096][..]);
    assert!(storage.verify(&data).is_empty());
}

#[test]
fn root_and_find_record_follow_the_first_entrys_folder() {
    let mut w = ZipWriter::new();
    w.member("mymodel/data.pkl", b"x");
    w.member("mymodel/version", b"3");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.root(), Some(&b"mymodel"[..]));
    assert_eq!(archive.find_record("data.pkl").unwrap().index, 0);
    assert!(archive.find_record("missing").is_none());
}

#[test]
fn root_is_none_without_a_folder() {
    let mut w = ZipWriter::new();
    w.member("data.pkl", b"x");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.root(), None);
    assert!(archive.find_record("data.pkl").is_none());
}

#[test]
fn find_ignores_ascii_case_like_miniz() {
    let bytes = torch_like().build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.find("ARCHIVE/Data.PKL").unwrap().index, 0);
}

#[test]
fn crc_mismatch_is_found_only_when_read() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"payload").crc(0xdead_beef);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let e = &archive.entries()[0];
    assert!(e.anomalies.is_empty());
    let data = archive.read(e, 100).unwrap();
    assert_eq!(kinds(&e.verify(&data)), vec![ZipAnomalyKind::CrcMismatch]);
}

#[test]
fn encrypted_flag_is_recorded_and_stored_data_still_read() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"cos\nsystem\n")
        .flags(FLAG_ENCRYPTED);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let e = &archive.entries()[0];
    assert_eq!(kinds(&e.anomalies), vec![ZipAnomalyKind::Encrypted]);
    assert_eq!(&*archive.read(e, 100).unwrap(), b"cos\nsystem\n");
}

#[test]
fn unusual_flags_are_recorded_but_ordinary_ones_are_not() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"1")
        .flags(FLAG_UTF8 | FLAG_DATA_DESCRIPTOR);
    w.member("a/y", b"2").flags(1 << 9);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert!(archive.entries()[0].anomalies.is_empty());
    assert_eq!(
        kinds(&archive.entries()[1].anomalies),
        vec![ZipAnomalyKind::UnusualFlags]
    );
}

#[test]
fn local_name_mismatch_is_recorded() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"x").local_name("a/other.pkl");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let e = &archive.entries()[0];
    assert_eq!(kinds(&e.anomalies), vec![ZipAnomalyKind::LocalNameMismatch]);
    assert_eq!(e.local.as_ref().unwrap().name_raw, b"a/other.pkl");
    // The data offset comes from the local name's length, as in miniz.
    assert_eq!(&*archive.read(e, 10).unwrap(), b"x");
}

#[test]
fn local_size_and_method_mismatch_is_recorded() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"abc").local_sizes(9, 9);
    w.member("a/y", b"abc").local_method(8);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    for e in archive.entries() {
        assert_eq!(
            kinds(&e.anomalies),
            vec![ZipAnomalyKind::LocalHeaderMismatch]
        );
    }
}

#[test]
fn data_descriptor_zero_local_sizes_are_not_a_mismatch() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"abc")
        .flags(FLAG_DATA_DESCRIPTOR)
        .local_sizes(0, 0);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert!(archive.entries()[0].anomalies.is_empty());
}

#[test]
fn two_duplicates_miniz_and_zipfile_both_read_the_last() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"benign");
    w.member("a/data.pkl", b"evil");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let dup: Vec<_> = archive
        .anomalies()
        .iter()
        .filter(|a| a.kind == ZipAnomalyKind::DuplicateName)
        .collect();
    assert_eq!(dup.len(), 1);
    assert!(
        dup[0].detail.contains("torch.load (miniz) reads #1"),
        "{}",
        dup[0].detail
    );
    assert!(
        dup[0].detail.contains("Python zipfile reads #1"),
        "{}",
        dup[0].detail
    );
    let e = archive.find("a/data.pkl").unwrap();
    assert_eq!(&*archive.read(e, 10).unwrap(), b"evil");
}

#[test]
fn four_duplicates_miniz_reads_the_third() {
    // Heap sort is unstable and the binary search probes the middle first:
    // with four equal names miniz lands on entry #2, neither first nor last.
    let mut w = ZipWriter::new();
    for body in [b"0", b"1", b"2", b"3"] {
        w.member("a/data.pkl", body);
    }
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.find("a/data.pkl").unwrap().index, 2);
    let detail = &archive.anomalies()[0].detail;
    assert!(detail.contains("torch.load (miniz) reads #2"), "{detail}");
    assert!(detail.contains("Python zipfile reads #3"), "{detail}");
}

#[test]
fn duplicate_choice_in_detail_matches_find_among_other_names() {
    let mut w = ZipWriter::new();
    let names = [
        "z/b",
        "z/data.pkl",
        "z/a",
        "z/DATA.pkl",
        "z/c",
        "z/data.pkl",
        "z/d",
    ];
    for n in names {
        w.member(n, n.as_bytes());
    }
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let found = archive.find("z/data.pkl").unwrap().index;
    let detail = &archive.anomalies()[0].detail;
    assert!(detail.contains("differing in case"), "{detail}");
    assert!(
        detail.contains(&format!("miniz) reads #{found}")),
        "{detail}"
    );
    assert!(detail.contains("Python zipfile reads #5"), "{detail}");
}

#[test]
fn case_only_duplicates_collide_in_miniz() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"1");
    w.member("a/DATA.PKL", b"2");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(
        kinds(archive.anomalies()),
        vec![ZipAnomalyKind::DuplicateName]
    );
}

#[test]
fn prepended_data_is_recorded_and_offsets_shifted() {
    let junk = b"\x80\x02cposix\nsystem\n...junk before the zip";
    let mut w = torch_like();
    w.prepend(junk);
    let bytes = w.build();
    assert!(!is_zip(&bytes));
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(
        kinds(archive.anomalies()),
        vec![ZipAnomalyKind::PrependedData]
    );
    assert_eq!(archive.prepended_len(), junk.len() as u64);
    let e = archive.find("archive/data/0").unwrap();
    assert_eq!(&*archive.read(e, 1 << 20).unwrap(), &[7u8; 4096][..]);
}

#[test]
fn trailing_data_is_recorded() {
    let mut w = torch_like();
    w.trailing(b"tail");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(
        kinds(archive.anomalies()),
        vec![ZipAnomalyKind::TrailingData]
    );
}

#[test]
fn comment_is_not_trailing_data() {
    let mut w = torch_like();
    w.comment(b"a comment");
    let bytes = w.build();
    assert!(Archive::parse(&bytes).unwrap().anomalies().is_empty());
}

#[test]
fn zip64_entries_and_end_record_are_read() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"hello").zip64();
    w.member("a/data/0", &[1u8; 300]).zip64().deflate();
    w.zip64_end();
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert!(archive.anomalies().is_empty(), "{:?}", archive.anomalies());
    let e = &archive.entries()[1];
    assert!(e.anomalies.is_empty(), "{:?}", e.anomalies);
    assert_eq!(e.uncompressed_size, 300);
    assert_eq!(e.local.as_ref().unwrap().uncompressed_size, 300);
    assert_eq!(&*archive.read(e, 300).unwrap(), &[1u8; 300][..]);
}

#[test]
fn zip64_with_prepended_data() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"hello").zip64();
    w.zip64_end().prepend(b"JUNK");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.prepended_len(), 4);
    assert_eq!(&*archive.read(&archive.entries()[0], 5).unwrap(), b"hello");
}

#[test]
fn truncated_central_directory_keeps_earlier_entries() {
    let mut w = torch_like();
    w.cut_directory(10);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.entries().len(), 3);
    assert!(has(
        archive.anomalies(),
        ZipAnomalyKind::TruncatedCentralDirectory
    ));
    assert!(has(archive.anomalies(), ZipAnomalyKind::EntryCountMismatch));
}

#[test]
fn entry_count_mismatch_hides_extra_entries_from_miniz() {
    let mut w = torch_like();
    w.claimed_entries(2);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(archive.entries().len(), 4);
    assert_eq!(
        kinds(archive.anomalies()),
        vec![ZipAnomalyKind::EntryCountMismatch]
    );
    assert!(archive.find("archive/data.pkl").is_some());
    assert!(archive.find("archive/version").is_none());
}

#[test]
fn huge_claimed_sizes_neither_allocate_nor_read_past_the_end() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"tiny")
        .zip64()
        .sizes(u64::MAX - 5, u64::MAX);
    w.member("a/y", b"tiny")
        .deflate()
        .zip64()
        .sizes(4, u64::MAX);
    w.zip64_end();
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let x = &archive.entries()[0];
    assert!(has(&x.anomalies, ZipAnomalyKind::DataPastEnd));
    assert_eq!(
        archive.read(x, u64::MAX),
        Err(ZipError::DataOutOfBounds { index: 0 })
    );
    // The claimed 16 EiB uncompressed size is never reserved.
    let y = &archive.entries()[1];
    let _ = archive.read(y, 1 << 10);
}

#[test]
fn deflate_bomb_stops_at_the_cap() {
    let mut w = ZipWriter::new();
    w.member("a/bomb", &vec![0u8; 1 << 20]).deflate();
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let e = &archive.entries()[0];
    assert_eq!(
        archive.read(e, 1000),
        Err(ZipError::OverLimit {
            index: 0,
            limit: 1000
        })
    );
    let mut reader = archive.reader(e, 1000).unwrap();
    let mut sink = Vec::new();
    let err = reader.read_to_end(&mut sink).unwrap_err();
    assert!(err.to_string().contains("over limit"), "{err}");
    assert!(sink.len() <= 1000);
}

#[test]
fn deflate_past_the_ratio_limit_is_a_bomb_not_a_read() {
    // 40 MiB of zeros deflate about 1000:1: past the 16 MiB grace the
    // default 100:1 limit stops both the whole read and the stream.
    let mut w = ZipWriter::new();
    w.member("a/bomb", &vec![0u8; 40 << 20]).deflate();
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let e = &archive.entries()[0];
    let err = archive.read(e, u64::MAX).unwrap_err();
    assert!(
        matches!(err, ZipError::Ratio { index: 0, limit: MAX_RATIO, produced, consumed }
            if produced > RATIO_GRACE && produced > consumed * MAX_RATIO),
        "{err:?}"
    );
    assert!(err.to_string().contains("zip bomb"), "{err}");
    let mut sink = Vec::new();
    let err = archive
        .reader(e, u64::MAX)
        .unwrap()
        .read_to_end(&mut sink)
        .unwrap_err();
    assert!(err.to_string().contains("compression ratio"), "{err}");
    // A caller that allows more reads it whole; stored members never trip it.
    let lenient = Archive::parse(&bytes).unwrap().with_max_ratio(2000);
    assert_eq!(lenient.read(e, u64::MAX).unwrap().len(), 40 << 20);
    let mut w = ZipWriter::new();
    w.member("a/zeros", &vec![0u8; 20 << 20]);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert!(archive.read(&archive.entries()[0], u64::MAX).is_ok());
}

#[test]
fn small_redundant_members_are_within_the_grace() {
    let mut w = ZipWriter::new();
    w.member("a/config", &vec![b' '; 1 << 20]).deflate();
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(
        archive.read(&archive.entries()[0], u64::MAX).unwrap().len(),
        1 << 20
    );
}

#[test]
fn stored_over_cap_is_over_limit() {
    let mut w = ZipWriter::new();
    w.member("a/x", &[1u8; 100]);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert_eq!(
        archive.read(&archive.entries()[0], 99),
        Err(ZipError::OverLimit {
            index: 0,
            limit: 99
        })
    );
    assert_eq!(archive.read(&archive.entries()[0], 100).unwrap().len(), 100);
}

#[test]
fn reader_streams_and_verifies() {
    let body: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let mut w = ZipWriter::new();
    w.member("a/big", &body).deflate();
    w.member("a/bad", b"abc").crc(1);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let mut reader = archive.reader(&archive.entries()[0], 1 << 20).unwrap();
    let mut out = Vec::new();
    reader.read_to_end(&mut out).unwrap();
    assert_eq!(out, body);
    assert!(reader.verify().is_empty());
    let mut reader = archive.reader(&archive.entries()[1], 10).unwrap();
    std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
    assert_eq!(kinds(&reader.verify()), vec![ZipAnomalyKind::CrcMismatch]);
}

#[test]
fn overlapping_entries_are_recorded() {
    let mut w = ZipWriter::new();
    w.member("a/data.pkl", b"payload");
    w.member("a/copy.pkl", b"payload").alias_of(0);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert!(has(archive.anomalies(), ZipAnomalyKind::OverlappingEntries));
    assert_eq!(
        &*archive.read(&archive.entries()[1], 10).unwrap(),
        b"payload"
    );
}

#[test]
fn entry_running_into_the_central_directory_overlaps_it() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"abc").sizes(20, 20);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let a = archive
        .anomalies()
        .iter()
        .find(|a| a.kind == ZipAnomalyKind::OverlappingEntries)
        .unwrap();
    assert!(a.detail.contains("central directory"), "{}", a.detail);
}

#[test]
fn unsupported_method_is_recorded_and_read_refused() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"abc").method(12);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let e = &archive.entries()[0];
    assert!(has(&e.anomalies, ZipAnomalyKind::UnsupportedMethod));
    assert_eq!(
        archive.read(e, 10),
        Err(ZipError::UnsupportedMethod {
            index: 0,
            method: 12
        })
    );
    assert!(archive.reader(e, 10).is_err());
}

#[test]
fn stored_size_mismatch_is_recorded() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"abc").sizes(3, 30);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert!(has(
        &archive.entries()[0].anomalies,
        ZipAnomalyKind::StoredSizeMismatch
    ));
}

#[test]
fn unsafe_paths_are_recorded() {
    let mut w = ZipWriter::new();
    for name in ["/etc/passwd", "a/../../x", "C:\\x", "a\\..\\x"] {
        w.member(name, b"x");
    }
    w.member_raw(b"a/nul\0.pkl", b"x");
    w.member("a/ok..name", b"x");
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    let flagged: Vec<bool> = archive
        .entries()
        .iter()
        .map(|e| has(&e.anomalies, ZipAnomalyKind::UnsafePath))
        .collect();
    assert_eq!(flagged, vec![true, true, true, true, true, false]);
}

#[test]
fn bad_local_header_is_recorded_and_read_refused() {
    let mut bytes = torch_like().build();
    bytes[0] = b'X';
    let archive = Archive::parse(&bytes).unwrap();
    let e = &archive.entries()[0];
    assert!(has(&e.anomalies, ZipAnomalyKind::BadLocalHeader));
    assert_eq!(
        archive.read(e, 10),
        Err(ZipError::NoLocalHeader { index: 0 })
    );
}

#[test]
fn zip64_extra_missing_is_recorded() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"abc").sizes(u32::MAX as u64, 3);
    let bytes = w.build();
    let archive = Archive::parse(&bytes).unwrap();
    assert!(has(
        &archive.entries()[0].anomalies,
        ZipAnomalyKind::Zip64ExtraMalformed
    ));
}

#[test]
fn too_many_claimed_entries_is_an_error() {
    let mut w = ZipWriter::new();
    w.member("a/x", b"abc");
    w.zip64_end().claimed_entries(MAX_ENTRIES + 1);
    let bytes = w.build();
    assert_eq!(
        Archive::parse(&bytes).unwrap_err(),
        ZipError::TooManyEntries {
            claimed: MAX_ENTRIES + 1,
            limit: MAX_ENTRIES
        }
    );
}

#[test]
fn no_end_record_is_an_error() {
    assert_eq!(Archive::parse(b"").unwrap_err(), ZipError::NoEndRecord);
    assert_eq!(
        Archive::parse(b"PK\x03\x04 not really").unwrap_err(),
        ZipError::NoEndRecord
    );
}

#[test]
fn central_directory_before_the_input_is_an_error() {
    let mut bytes = torch_like().build();
    let n = bytes.len();
    // Claim a directory far larger than everything before the end record.
    bytes[n - 10..n - 6].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Archive::parse(&bytes),
        Err(ZipError::BadCentralDirectory { .. })
    ));
}

#[test]
fn is_zip_checks_the_local_header_magic() {
    assert!(is_zip(b"PK\x03\x04rest"));
    assert!(!is_zip(b"PK\x05\x06"));
    assert!(!is_zip(b"PK"));
}
