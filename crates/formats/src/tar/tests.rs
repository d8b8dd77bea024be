use super::*;
use std::io::Cursor;

/// A header block: ustar unless `v7`, checksum filled in.
fn header(name: &str, flag: u8, size: u64, link: &str, v7: bool) -> [u8; BLOCK] {
    let mut b = [0u8; BLOCK];
    b[..name.len()].copy_from_slice(name.as_bytes());
    b[100..107].copy_from_slice(b"0000644");
    b[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    b[156] = flag;
    b[157..157 + link.len()].copy_from_slice(link.as_bytes());
    if !v7 {
        b[257..263].copy_from_slice(b"ustar\0");
        b[263..265].copy_from_slice(b"00");
    }
    seal(&mut b);
    b
}

fn seal(b: &mut [u8; BLOCK]) {
    b[148..156].copy_from_slice(b"        ");
    let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
    b[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
}

#[derive(Default)]
struct TarWriter(Vec<u8>);

impl TarWriter {
    fn entry(&mut self, name: &str, flag: u8, data: &[u8], link: &str) -> &mut Self {
        self.0
            .extend_from_slice(&header(name, flag, data.len() as u64, link, false));
        self.data(data)
    }
    fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.entry(name, b'0', data, "")
    }
    fn data(&mut self, data: &[u8]) -> &mut Self {
        self.0.extend_from_slice(data);
        self.0
            .extend(std::iter::repeat_n(0, padding(data.len() as u64) as usize));
        self
    }
    fn raw(&mut self, block: [u8; BLOCK]) -> &mut Self {
        self.0.extend_from_slice(&block);
        self
    }
    fn pax(&mut self, records: &[(&str, &str)]) -> &mut Self {
        let mut body = String::new();
        for (k, v) in records {
            let rest = format!(" {k}={v}\n");
            let mut len = rest.len() + 1;
            if (len + rest.len()).to_string().len() + rest.len() != len {
                len = format!("{}{rest}", rest.len() + 2).len();
            }
            body.push_str(&format!("{len}{rest}"));
        }
        self.entry("././@PaxHeader", b'x', body.as_bytes(), "")
    }
    fn end(&mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0u8; 2 * BLOCK]);
        std::mem::take(&mut self.0)
    }
}

/// (name, kind, size, link target, data) of every member.
type Listing = Vec<(String, MemberKind, u64, Option<String>, Vec<u8>)>;

fn list(bytes: &[u8]) -> Result<Listing, TarError> {
    let mut r = TarReader::new(Cursor::new(bytes));
    let mut out = Vec::new();
    while let Some(mut m) = r.next_member()? {
        let mut data = Vec::new();
        m.read_to_end(&mut data)?;
        out.push((m.name.clone(), m.kind, m.size, m.link_target.clone(), data));
    }
    Ok(out)
}

#[test]
fn regular_members_have_names_sizes_and_confined_readers() {
    let bytes = TarWriter::default()
        .file("model/data.pkl", b"\x80\x02.")
        .file("model/weights.bin", &[9u8; 700])
        .end();
    let members = list(&bytes).unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].0, "model/data.pkl");
    assert_eq!(members[0].4, b"\x80\x02.");
    assert_eq!((members[1].2, members[1].4.len()), (700, 700));
}

#[test]
fn unread_members_are_skipped() {
    let bytes = TarWriter::default()
        .file("a", &[1u8; 1000])
        .file("b", b"second")
        .end();
    let mut r = TarReader::new(Cursor::new(&bytes));
    let mut first = r.next_member().unwrap().unwrap();
    let mut two = [0u8; 2];
    first.read_exact(&mut two).unwrap();
    let mut second = r.next_member().unwrap().unwrap();
    let mut data = Vec::new();
    second.read_to_end(&mut data).unwrap();
    assert_eq!(
        (second.name.as_str(), data.as_slice()),
        ("b", &b"second"[..])
    );
    assert!(r.next_member().unwrap().is_none());
}

#[test]
fn links_and_devices_are_listed_not_followed() {
    let bytes = TarWriter::default()
        .entry("evil", b'2', b"", "/etc/passwd")
        .entry("hard", b'1', b"", "../../x")
        .entry("dev", b'3', b"", "")
        .entry("blk", b'4', b"", "")
        .entry("fifo", b'6', b"", "")
        .entry("dir/", b'5', b"", "")
        .end();
    let members = list(&bytes).unwrap();
    let kinds: Vec<MemberKind> = members.iter().map(|m| m.1).collect();
    assert_eq!(
        kinds,
        vec![
            MemberKind::Symlink,
            MemberKind::HardLink,
            MemberKind::CharDevice,
            MemberKind::BlockDevice,
            MemberKind::Fifo,
            MemberKind::Directory
        ]
    );
    assert_eq!(members[0].3.as_deref(), Some("/etc/passwd"));
    assert_eq!(members[1].3.as_deref(), Some("../../x"));
    assert!(members.iter().all(|m| m.2 == 0 && m.4.is_empty()));
}

#[test]
fn link_with_a_size_carries_no_data_like_tarfile() {
    let mut w = TarWriter::default();
    w.raw(header("l", b'2', 5, "t", false));
    let bytes = w.file("next", b"ok").end();
    let members = list(&bytes).unwrap();
    assert_eq!(members[1].0, "next");
}

/// Found by the `tar` fuzz target: an unknown type's reader yielded its
/// data while `size` said 0. `tarfile.extractfile` returns such a member's
/// data as a regular file's, so its size and data must both be reported.
#[test]
fn unknown_and_sparse_types_report_their_size_and_data() {
    let bytes = TarWriter::default()
        .entry("pickle", b'Z', b"payload", "")
        .entry("sparse", b'S', b"xy", "")
        .file("next", b"ok")
        .end();
    let members = list(&bytes).unwrap();
    assert_eq!(members[0].1, MemberKind::Other(b'Z'));
    assert_eq!(
        (members[0].2, members[0].4.as_slice()),
        (7, &b"payload"[..])
    );
    assert_eq!(members[1].1, MemberKind::Other(b'S'));
    assert_eq!((members[1].2, members[1].4.as_slice()), (2, &b"xy"[..]));
    assert_eq!(members[2].0, "next");
}

#[test]
fn gnu_long_name_and_link_apply_to_the_next_member() {
    let long = "d/".repeat(100) + "data.pkl";
    let bytes = TarWriter::default()
        .entry("././@LongLink", b'L', format!("{long}\0").as_bytes(), "")
        .entry("././@LongLink", b'K', b"target", "")
        .entry("short", b'2', b"", "x")
        .end();
    let members = list(&bytes).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0, long);
    assert_eq!(members[0].3.as_deref(), Some("target"));
}

#[test]
fn pax_path_and_size_apply_to_the_next_member() {
    let mut w = TarWriter::default();
    w.pax(&[("path", "pax/name.pkl"), ("size", "3"), ("mtime", "1.5")]);
    w.raw(header("short", b'0', 0, "", false)).data(b"abc");
    let bytes = w.end();
    let members = list(&bytes).unwrap();
    assert_eq!(members[0].0, "pax/name.pkl");
    assert_eq!(members[0].4, b"abc");
}

#[test]
fn ustar_prefix_joins_the_name() {
    let mut b = header("data.pkl", b'0', 0, "", false);
    b[345..350].copy_from_slice(b"model");
    seal(&mut b);
    let bytes = TarWriter::default().raw(b).end();
    assert_eq!(list(&bytes).unwrap()[0].0, "model/data.pkl");
}

#[test]
fn long_name_over_limit_is_an_error() {
    let long = vec![b'a'; MAX_NAME_LEN + 10];
    let bytes = TarWriter::default().entry("L", b'L', &long, "").end();
    assert!(matches!(list(&bytes), Err(TarError::NameTooLong { .. })));
}

#[test]
fn pax_over_limit_is_an_error_before_reading_it() {
    let mut w = TarWriter::default();
    w.raw(header("p", b'x', MAX_PAX_LEN + 1, "", false));
    let bytes = w.end();
    assert!(matches!(list(&bytes), Err(TarError::PaxTooLong { .. })));
}

#[test]
fn malformed_pax_is_an_error() {
    let bytes = TarWriter::default()
        .entry("p", b'x', b"999 path=x\n", "")
        .file("f", b"")
        .end();
    assert!(matches!(list(&bytes), Err(TarError::BadPax { .. })));
}

#[test]
fn too_many_members_is_an_error() {
    // An endless stream of directory headers, generated, not stored.
    struct Dirs([u8; BLOCK], usize);
    impl Read for Dirs {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(BLOCK - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 = (self.1 + n) % BLOCK;
            Ok(n)
        }
    }
    let mut r = TarReader::new(Dirs(header("d/", b'5', 0, "", false), 0));
    let err = loop {
        match r.next_member() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("endless stream ended"),
            Err(e) => break e,
        }
    };
    assert!(matches!(
        err,
        TarError::TooManyMembers { limit: MAX_MEMBERS }
    ));
}

#[test]
fn bad_checksum_is_an_error() {
    let mut b = header("a", b'0', 0, "", false);
    b[0] = b'b';
    let bytes = TarWriter::default().raw(b).end();
    assert!(matches!(
        list(&bytes),
        Err(TarError::BadChecksum { offset: 0 })
    ));
}

#[test]
fn bad_size_field_is_an_error() {
    let mut b = header("a", b'0', 0, "", false);
    b[124..135].copy_from_slice(b"0000000009x");
    seal(&mut b);
    let bytes = TarWriter::default().raw(b).end();
    assert!(matches!(
        list(&bytes),
        Err(TarError::BadNumber { field: "size", .. })
    ));
}

#[test]
fn base256_size_is_read() {
    let mut b = header("a", b'0', 0, "", false);
    b[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
    seal(&mut b);
    let bytes = TarWriter::default().raw(b).data(b"four").end();
    assert_eq!(list(&bytes).unwrap()[0].4, b"four");
}

#[test]
fn truncated_header_is_an_error() {
    let bytes = TarWriter::default().file("a", b"x").end();
    assert!(matches!(
        list(&bytes[..BLOCK + 100]),
        Err(TarError::Truncated { .. }) | Err(TarError::Io(_))
    ));
    assert!(matches!(
        list(&bytes[..100]),
        Err(TarError::Truncated { offset: 100 })
    ));
}

#[test]
fn truncated_member_data_is_an_error() {
    let bytes = TarWriter::default().file("a", &[1u8; 1000]).end();
    let err = list(&bytes[..BLOCK + 10]).unwrap_err();
    assert!(
        matches!(err, TarError::Io(ref e) if e.kind() == io::ErrorKind::UnexpectedEof),
        "{err}"
    );
}

#[test]
fn huge_claimed_size_streams_until_the_input_ends() {
    let mut b = header("a", b'0', 0, "", false);
    b[124..136].copy_from_slice(&[
        0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
    seal(&mut b);
    let bytes = TarWriter::default().raw(b).data(b"tiny").end();
    let mut r = TarReader::new(Cursor::new(&bytes));
    let m = r.next_member().unwrap().unwrap();
    assert_eq!(m.size, u64::MAX);
    assert!(matches!(r.next_member(), Err(TarError::Truncated { .. })));
}

#[test]
fn end_of_input_without_zero_blocks_ends_cleanly() {
    let mut bytes = TarWriter::default().file("a", b"x").end();
    bytes.truncate(2 * BLOCK);
    assert_eq!(list(&bytes).unwrap().len(), 1);
}

#[test]
fn v7_header_without_magic_is_read() {
    let bytes = TarWriter::default()
        .raw(header("old", 0, 0, "", true))
        .end();
    assert_eq!(list(&bytes).unwrap()[0].1, MemberKind::Regular);
}

#[test]
fn is_tar_checks_magic_or_v7_checksum() {
    assert!(is_tar(&header("a", b'0', 0, "", false)));
    assert!(is_tar(&header("a", b'0', 0, "", true)));
    assert!(!is_tar(&[0u8; BLOCK]));
    let mut bad = header("a", b'0', 0, "", true);
    bad[0] = b'z';
    assert!(!is_tar(&bad));
    assert!(!is_tar(b"ustar"));
}

#[test]
fn gzipped_tar_through_the_compress_decoder() {
    use std::io::Write;
    let tar = TarWriter::default().file("m/data.pkl", b"\x80\x02.").end();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&tar).unwrap();
    let gz = e.finish().unwrap();
    let c = crate::compress::sniff(&gz).unwrap();
    let mut r = TarReader::new(crate::compress::decoder(c, &gz[..]));
    let m = r.next_member().unwrap().unwrap();
    assert_eq!(m.name, "m/data.pkl");
}

#[test]
fn random_corruption_never_panics() {
    let base = TarWriter::default()
        .pax(&[("path", "p/x"), ("size", "5")])
        .file("ignored", b"hello")
        .entry("././@LongLink", b'L', b"long/name\0", "")
        .file("f", &[3u8; 700])
        .entry("s", b'2', b"", "t")
        .end();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let mut bytes = base.clone();
        for _ in 0..(next() % 8 + 1) {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = next() as u8;
        }
        let cut = (next() % (bytes.len() as u64 + 1)) as usize;
        let _ = list(&bytes[..cut]);
    }
}
