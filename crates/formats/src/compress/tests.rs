use super::*;
use std::io::Write;

const PICKLE: &[u8] =
    b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x8c\x06system\x93.";

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bz2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn lzma_alone(data: &[u8]) -> Vec<u8> {
    let opts = liblzma::stream::LzmaOptions::new_preset(1).unwrap();
    let stream = liblzma::stream::Stream::new_lzma_encoder(&opts).unwrap();
    let mut e = liblzma::write::XzEncoder::new_stream(Vec::new(), stream);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn lz4(data: &[u8]) -> Vec<u8> {
    let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zfile(data: &[u8], extra_space: bool) -> Vec<u8> {
    let mut out = format!("ZF{:<19}", format!("{:#x}", data.len())).into_bytes();
    if extra_space {
        out.push(b' ');
    }
    out.extend(zlib(data));
    out
}

fn decode(c: Compression, input: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    decoder(c, input).read_to_end(&mut out)?;
    Ok(out)
}

fn all_encoded(data: &[u8]) -> Vec<(Compression, Vec<u8>)> {
    vec![
        (Compression::Zlib, zlib(data)),
        (Compression::Gzip, gzip(data)),
        (Compression::Bzip2, bz2(data)),
        (Compression::Xz, xz(data)),
        (Compression::LzmaAlone, lzma_alone(data)),
        (Compression::Lz4Frame, lz4(data)),
        (Compression::JoblibZFile, zfile(data, false)),
    ]
}

#[test]
fn sniff_recognises_every_joblib_prefix() {
    for (c, encoded) in all_encoded(PICKLE) {
        assert_eq!(sniff(&encoded), Some(c), "{c:?}");
    }
}

#[test]
fn sniff_rejects_plain_data_and_bare_x() {
    assert_eq!(sniff(PICKLE), None);
    assert_eq!(sniff(b"xylophone"), None);
    assert_eq!(sniff(b""), None);
    assert_eq!(sniff(b"PK\x03\x04"), None);
}

#[test]
fn every_format_round_trips() {
    for (c, encoded) in all_encoded(PICKLE) {
        assert_eq!(decode(c, &encoded).unwrap(), PICKLE, "{c:?}");
    }
}

#[test]
fn zfile_with_python2_extra_space() {
    let encoded = zfile(PICKLE, true);
    assert_eq!(decode(Compression::JoblibZFile, &encoded).unwrap(), PICKLE);
}

#[test]
fn zfile_too_short_is_an_error() {
    assert!(decode(Compression::JoblibZFile, b"ZF0x5").is_err());
}

#[test]
fn concatenated_gzip_members_are_all_read() {
    let mut two = gzip(b"first ");
    two.extend(gzip(b"second"));
    assert_eq!(decode(Compression::Gzip, &two).unwrap(), b"first second");
}

#[test]
fn concatenated_xz_streams_are_all_read() {
    let mut two = xz(b"first ");
    two.extend(xz(b"second"));
    assert_eq!(decode(Compression::Xz, &two).unwrap(), b"first second");
}

#[test]
fn output_over_limit_is_an_error_not_a_truncation() {
    let data = vec![b'a'; 10_000];
    let limits = Limits {
        max_output: 1000,
        ..Limits::default()
    };
    for (c, encoded) in all_encoded(&data) {
        let mut out = Vec::new();
        let err = decoder_with_limits(c, &encoded[..], limits)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(
            limit_exceeded(&err),
            Some(&LimitExceeded::Output { limit: 1000 }),
            "{c:?}"
        );
        assert!(out.len() <= 1000);
    }
}

#[test]
fn ratio_over_limit_is_an_error() {
    let zeros = vec![0u8; 4 << 20];
    let limits = Limits {
        max_ratio: 100,
        ratio_grace: 1 << 16,
        ..Limits::default()
    };
    for (c, encoded) in all_encoded(&zeros) {
        let err = io::copy(
            &mut decoder_with_limits(c, &encoded[..], limits),
            &mut io::sink(),
        )
        .unwrap_err();
        assert!(
            matches!(
                limit_exceeded(&err),
                Some(LimitExceeded::Ratio { limit: 100, .. })
            ),
            "{c:?}: {err}"
        );
        assert!(err.to_string().contains("ratio"));
    }
}

#[test]
fn ratio_below_grace_is_not_checked() {
    let zeros = vec![0u8; 1 << 16];
    for (c, encoded) in all_encoded(&zeros) {
        assert_eq!(decode(c, &encoded).unwrap().len(), 1 << 16, "{c:?}");
    }
}

#[test]
fn corrupt_input_is_an_error() {
    for (c, mut encoded) in all_encoded(&[b'q'; 5000]) {
        let n = encoded.len();
        encoded.truncate(n / 2);
        assert!(decode(c, &encoded).is_err(), "{c:?}");
    }
}

#[test]
fn lzma_dictionary_over_memlimit_is_an_error() {
    // lzma-alone header: properties, 4 GiB - 1 dictionary, unknown size.
    let mut bomb = vec![0x5d, 0xff, 0xff, 0xff, 0xff];
    bomb.extend_from_slice(&[0xff; 8]);
    bomb.extend_from_slice(&[0; 64]);
    let err = decode(Compression::LzmaAlone, &bomb).unwrap_err();
    assert!(limit_exceeded(&err).is_none());
}

#[test]
fn random_corruption_never_panics() {
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 13) as u8).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (c, encoded) in all_encoded(&data) {
        for _ in 0..300 {
            let mut bytes = encoded.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            let limits = Limits {
                max_output: 1 << 20,
                ..Limits::default()
            };
            let _ = io::copy(
                &mut decoder_with_limits(c, &bytes[..], limits),
                &mut io::sink(),
            );
        }
    }
}

#[test]
fn zstd_frames_decode_under_limits() {
    let payload = b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00idtR.".repeat(50);
    let z = ruzstd::encoding::compress_to_vec(
        &payload[..],
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    assert_eq!(sniff(&z), Some(Compression::Zstd));
    let mut out = Vec::new();
    decoder(Compression::Zstd, &z[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, payload);
    // Over the output limit: the limit error, not the data.
    let small = Limits {
        max_output: 100,
        ..Limits::default()
    };
    let err = decoder_with_limits(Compression::Zstd, &z[..], small)
        .read_to_end(&mut Vec::new())
        .unwrap_err();
    assert!(limit_exceeded(&err).is_some(), "{err}");
    // Concatenated frames decode to the concatenation (as `zstd -d` does),
    // skippable frames in between are skipped; garbage is an error.
    let mut two = z.clone();
    two.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    two.extend_from_slice(&z);
    let mut out = Vec::new();
    decoder(Compression::Zstd, &two[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, [&payload[..], &payload[..]].concat());
    let mut bad_tail = z.clone();
    bad_tail.extend_from_slice(b"junk");
    assert!(
        decoder(Compression::Zstd, &bad_tail[..])
            .read_to_end(&mut Vec::new())
            .is_err()
    );
    assert!(
        decoder(Compression::Zstd, &b"\x28\xb5\x2f\xfd garbage"[..])
            .read_to_end(&mut Vec::new())
            .is_err()
    );
    for n in 0..z.len() {
        let _ = decoder(Compression::Zstd, &z[..n]).read_to_end(&mut Vec::new());
    }
}
