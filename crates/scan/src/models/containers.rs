//! Containers around pickles: zip (PyTorch, TorchScript, npz, plain), tar
//! (legacy PyTorch, wrappers), compressed streams (joblib, .gz) and numpy
//! files. Members are recognised by content; tensor members are sniffed by
//! their first bytes and never read further.

use super::sniff::{self, Kind, SNIFF_LEN};
use super::{ModelScanner, PickleContext, inconclusive};
use crate::rules::models::{
    archive_path_traversal, archive_unusual_layout, npy_object_array, zip_tampering,
};
use aigis_findings::{Finding, Location};
use aigis_formats::zip::{Archive, Entry, ZipAnomaly, ZipAnomalyKind};
use aigis_formats::{compress, npy, tar};
use std::io::{BufReader, Read};

/// Deflated pickle members up to this size are inflated into memory; larger
/// ones are streamed through the pickle machine.
const INFLATE_IN_MEMORY: u64 = 64 << 20;

/// Is there a zip end record near the end (a zip with data prepended, or a
/// polyglot)? Looks only at the last 64 KiB + 22 bytes.
pub fn zip_by_end_record(data: &[u8]) -> bool {
    let tail_len = data.len().min(65_535 + 22);
    let tail = data.get(data.len() - tail_len..).unwrap_or(&[]);
    tail.windows(4).any(|w| w == b"PK\x05\x06") && Archive::parse(data).is_ok()
}

fn anomaly_finding(a: &ZipAnomaly, loc: &Location) -> Option<Finding> {
    use ZipAnomalyKind as K;
    let rule = match a.kind {
        K::UnsafePath => &archive_path_traversal::RULE,
        K::PrependedData
        | K::TrailingData
        | K::CommentTruncated
        | K::MultiDisk
        | K::UnusualFlags
        | K::Zip64RecordMissing => &archive_unusual_layout::RULE,
        K::DuplicateName
        | K::OverlappingEntries
        | K::Encrypted
        | K::LocalNameMismatch
        | K::LocalHeaderMismatch
        | K::StoredSizeMismatch
        | K::CrcMismatch
        | K::SizeMismatch
        | K::EntryCountMismatch
        | K::Zip64ExtraMalformed
        | K::TruncatedCentralDirectory
        | K::BadLocalHeader
        | K::DataPastEnd => &zip_tampering::RULE,
        // Reported when the member is read (it makes that member inconclusive).
        K::UnsupportedMethod => return None,
    };
    let key = format!("{:?}", a.kind);
    Some(
        Finding::new(
            rule,
            loc.clone(),
            format!("{:?}: {}", a.kind, a.detail),
            &key,
        )
        .with_evidence(a.detail.clone()),
    )
}

/// What the archive is, from its member names.
fn zip_format(archive: &Archive<'_>) -> (&'static str, bool) {
    let names = || archive.entries().iter().map(|e| e.name.as_str());
    let torchscript = names().any(|n| n.ends_with("/constants.pkl"))
        || names().any(|n| n.contains("/code/__torch__"));
    if torchscript {
        ("torchscript", true)
    } else if super::keras::is_keras(archive) {
        ("keras", false)
    } else if archive.find_record("data.pkl").is_some() {
        ("pytorch-zip", false)
    } else if archive.entries().iter().all(|e| e.name.ends_with(".npy"))
        && !archive.entries().is_empty()
    {
        ("npz", false)
    } else {
        ("zip", false)
    }
}

/// Scan a zip. `None` when it holds no model content and nothing to report
/// (an ordinary zip of other files is not a model file).
pub fn scan_zip(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> Option<&'static str> {
    let archive = match Archive::parse(data) {
        Ok(a) => a.with_max_ratio(s.limits.max_ratio),
        Err(e) => {
            out.push(inconclusive(
                loc,
                &format!("zip archive cannot be opened: {e}"),
            ));
            return Some("zip");
        }
    };
    let (format, torchscript) = zip_format(&archive);
    let before = out.len();
    out.extend(
        archive
            .anomalies()
            .iter()
            .filter_map(|a| anomaly_finding(a, loc)),
    );
    if format == "keras" {
        super::keras::scan_archive(s, &archive, loc, depth, out);
    }
    let mut found_any = false;
    for (n, entry) in archive.entries().iter().enumerate() {
        let mloc = loc.member(entry.name.clone());
        if n >= s.limits.max_members {
            out.push(inconclusive(
                loc,
                "more archive members than the member limit",
            ));
            break;
        }
        out.extend(
            entry
                .anomalies
                .iter()
                .filter_map(|a| anomaly_finding(a, &mloc)),
        );
        if entry.name.ends_with('/') && entry.uncompressed_size == 0 {
            continue;
        }
        found_any |= scan_zip_entry(s, &archive, entry, &mloc, depth, torchscript, out);
    }
    let nothing = out.get(before..).is_none_or(|new| {
        new.iter()
            .all(|f| f.rule_id == archive_unusual_layout::RULE.id)
    });
    if format == "zip" && !found_any && nothing {
        out.truncate(before);
        return None;
    }
    Some(format)
}

/// Scan one member; true when it held model content.
fn scan_zip_entry(
    s: &ModelScanner<'_>,
    archive: &Archive<'_>,
    entry: &Entry<'_>,
    mloc: &Location,
    depth: u32,
    torchscript: bool,
    out: &mut Vec<Finding>,
) -> bool {
    let head = match member_head(archive, entry) {
        Ok(h) => h,
        Err(e) => {
            out.push(inconclusive(mloc, &format!("member cannot be read: {e}")));
            return true;
        }
    };
    let named_pickle = entry.name.ends_with(".pkl") || entry.name.ends_with(".pickle");
    let mut kind = sniff::detect(&head);
    // The whole member, when it was read to sniff it (not read again below).
    let mut whole = None;
    if kind.is_none()
        && head.len() == SNIFF_LEN
        && named_protobuf(&entry.name)
        && entry.uncompressed_size <= INFLATE_IN_MEMORY
        && let Ok(all) = archive.read(entry, INFLATE_IN_MEMORY)
    {
        // Protobufs have no magic: their first message may be longer than the window.
        kind = sniff::detect(&all);
        whole = Some(all);
    }
    let Some(kind) = kind else {
        s.record_member(mloc, entry.uncompressed_size, "data");
        if named_pickle && !head.is_empty() {
            out.push(inconclusive(mloc, "member named like a pickle is not one"));
        }
        return named_pickle;
    };
    s.record_member(mloc, entry.uncompressed_size, kind_name(kind));
    let bytes = if let Some(all) = whole {
        Ok(all)
    } else if entry.uncompressed_size <= INFLATE_IN_MEMORY
        || entry.method == aigis_formats::zip::METHOD_STORED
    {
        archive.read(entry, s.limits.max_member_bytes)
    } else {
        // Large deflated member: stream it (pickles only; other kinds are read).
        if kind == Kind::Pickle {
            return stream_pickle_member(
                s,
                archive,
                entry,
                mloc,
                depth,
                torchscript,
                named_pickle,
                out,
            );
        }
        archive.read(entry, s.limits.max_member_bytes.min(INFLATE_IN_MEMORY * 4))
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            out.push(inconclusive(mloc, &format!("member cannot be read: {e}")));
            return true;
        }
    };
    out.extend(
        entry
            .verify(&bytes)
            .iter()
            .filter_map(|a| anomaly_finding(a, mloc)),
    );
    if kind == Kind::Pickle {
        scan_member_pickle(s, &bytes, mloc, depth, torchscript, named_pickle, out);
        true
    } else {
        s.scan_blob(&bytes, mloc, depth + 1, false, out).is_some()
    }
}

/// A pickle-looking member. Members not named as pickles may be raw tensor
/// bytes that happen to start like one: if the machine finds no import and no
/// call before the stream breaks, it is data, not a broken pickle.
fn scan_member_pickle(
    s: &ModelScanner<'_>,
    bytes: &[u8],
    mloc: &Location,
    depth: u32,
    torchscript: bool,
    named_pickle: bool,
    out: &mut Vec<Finding>,
) {
    let cx = PickleContext {
        torchscript,
        report_trailing: false,
    };
    let a = aigis_pickle::analyze(bytes, &s.pickle_options(false, false));
    if !named_pickle && is_noise(&a) {
        return;
    }
    s.judge(&a, mloc, depth, cx, out);
}

pub(super) fn is_noise(a: &aigis_pickle::Analysis) -> bool {
    !matches!(a.stop, aigis_pickle::Stop::Complete) && a.imports.is_empty() && a.calls.is_empty()
}

#[allow(clippy::too_many_arguments)]
fn stream_pickle_member(
    s: &ModelScanner<'_>,
    archive: &Archive<'_>,
    entry: &Entry<'_>,
    mloc: &Location,
    depth: u32,
    torchscript: bool,
    named_pickle: bool,
    out: &mut Vec<Finding>,
) -> bool {
    let mut reader = match archive.reader(entry, s.limits.max_member_bytes) {
        Ok(r) => Recording {
            inner: r,
            error: None,
        },
        Err(e) => {
            out.push(inconclusive(mloc, &format!("member cannot be read: {e}")));
            return true;
        }
    };
    let a = aigis_pickle::analyze_reader(&mut reader, &s.pickle_options(false, false));
    // A limit (size, ratio) or corrupt deflate data that ended the stream is
    // said, whatever the pickle looked like so far.
    if let Some(e) = reader
        .error
        .filter(|_| !matches!(a.stop, aigis_pickle::Stop::Complete))
    {
        out.push(inconclusive(
            mloc,
            &format!("member inflation stopped: {e}"),
        ));
    } else if !named_pickle && is_noise(&a) {
        return false;
    }
    let cx = PickleContext {
        torchscript,
        report_trailing: false,
    };
    s.judge(&a, mloc, depth, cx, out);
    true
}

/// The first bytes of a member, without reading the rest.
pub(crate) fn member_head(archive: &Archive<'_>, entry: &Entry<'_>) -> Result<Vec<u8>, String> {
    let mut r = archive.reader(entry, u64::MAX).map_err(|e| e.to_string())?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut r)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    Ok(head)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Zip => "zip",
        Kind::Npy => "npy",
        Kind::Tar => "tar",
        Kind::Compressed(_) => "compressed",
        Kind::LegacyTorch => "pytorch-legacy",
        Kind::Pickle => "pickle",
        Kind::TensorFlow(_) => "tensorflow",
        Kind::Safetensors => "safetensors",
        Kind::Gguf => "gguf",
        Kind::Hdf5 => "hdf5",
        Kind::SevenZip => "7z",
        Kind::Onnx => "onnx",
        Kind::TfLite => "tflite",
    }
}

/// Scan a numpy `.npy`: header checks, and the pickle inside object arrays.
pub fn scan_npy(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> &'static str {
    use aigis_formats::npy::NpyAnomalyKind as K;
    let header = match npy::parse(data) {
        Ok(h) => h,
        Err(e) => {
            out.push(inconclusive(
                loc,
                &format!("npy header cannot be parsed: {e}"),
            ));
            return "npy";
        }
    };
    for a in &header.anomalies {
        let key = format!("{:?}", a.kind);
        match a.kind {
            K::Truncated => out.push(inconclusive(
                loc,
                &format!("npy data truncated: {}", a.detail),
            )),
            K::UnrecognisedDtype if !header.has_object_dtype => out.push(inconclusive(
                loc,
                &format!("npy dtype not recognised: {}", a.detail),
            )),
            _ => out.push(
                Finding::new(
                    &archive_unusual_layout::RULE,
                    loc.clone(),
                    format!("npy {key}: {}", a.detail),
                    &key,
                )
                .with_evidence(a.detail.clone()),
            ),
        }
    }
    if header.has_object_dtype {
        out.push(Finding::new(
            &npy_object_array::RULE,
            loc.clone(),
            format!(
                "object array of dtype {} and shape {:?}: loading it unpickles the data",
                header.descr, header.shape
            ),
            "object-array",
        ));
        let start = usize::try_from(header.data_offset).unwrap_or(usize::MAX);
        let Some(body) = data.get(start..) else {
            out.push(inconclusive(loc, "npy object array has no data section"));
            return "npy";
        };
        let cx = PickleContext {
            torchscript: false,
            report_trailing: false,
        };
        let at = loc.clone();
        let a = aigis_pickle::analyze(body, &s.pickle_options(false, false));
        let shifted = super::shift(a, header.data_offset);
        s.judge(&shifted, &at, depth, cx, out);
    }
    "npy"
}

/// A reader that remembers the error that ended it (a decompression limit,
/// corrupt data), so that an early stop is reported with its real cause.
struct Recording<R> {
    inner: R,
    error: Option<String>,
}

impl<R: Read> Read for Recording<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            self.error.get_or_insert_with(|| e.to_string());
        })
    }
}

/// Scan a compressed stream (joblib's compressors, .gz wrappers): decompress
/// under limits, recognise the content, and stream pickles through the machine.
/// `None` when the content is not a model format.
pub fn scan_compressed(
    s: &ModelScanner<'_>,
    c: compress::Compression,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> Option<&'static str> {
    let limits = compress::Limits {
        max_output: s.limits.max_member_bytes,
        max_ratio: s.limits.max_ratio,
        ..compress::Limits::default()
    };
    let mut r = Recording {
        inner: compress::decoder_with_limits(c, data, limits),
        error: None,
    };
    let mut head = Vec::with_capacity(SNIFF_LEN);
    let _ = (&mut r).take(SNIFF_LEN as u64).read_to_end(&mut head);
    let kind = sniff::detect(&head)?;
    let inner = loc.member(format!("<{c:?} stream>").to_lowercase());
    match kind {
        Kind::Pickle => {
            let stream = std::io::Cursor::new(head).chain(&mut r);
            let a = aigis_pickle::analyze_reader(stream, &s.pickle_options(true, true));
            let cx = PickleContext {
                torchscript: false,
                report_trailing: true,
            };
            let joblib = a
                .imports
                .iter()
                .any(|i| i.module.starts_with("joblib") || i.module.contains("externals.joblib"));
            s.judge(&a, loc, depth, cx, out);
            if let Some(e) = r
                .error
                .take()
                .filter(|_| !matches!(a.stop, aigis_pickle::Stop::Complete))
            {
                out.push(inconclusive(loc, &format!("decompression stopped: {e}")));
            }
            Some(if joblib {
                "joblib"
            } else {
                "compressed-pickle"
            })
        }
        Kind::Tar => {
            let stream = BufReader::new(std::io::Cursor::new(head).chain(&mut r));
            let f = scan_tar_stream(s, stream, loc, depth, out);
            (f != "tar-no-models").then_some(f)
        }
        _ => {
            let mut all = head;
            let cap = s.limits.max_member_bytes.min(1 << 30);
            if let Err(e) = (&mut r).take(cap).read_to_end(&mut all) {
                out.push(inconclusive(&inner, &format!("decompression stopped: {e}")));
                return Some("compressed");
            }
            let format = s.scan_blob(&all, &inner, depth + 1, false, out);
            Some(format.unwrap_or("compressed"))
        }
    }
}

/// Scan a tar archive held in memory (or mapped).
pub fn scan_tar(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> Option<&'static str> {
    let format = scan_tar_stream(s, data, loc, depth, out);
    (format != "tar-no-models").then_some(format)
}

/// Members named like protobufs (TensorFlow graphs, ONNX models), which
/// are sniffed on their whole content when the first window does not decide.
fn named_protobuf(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".pb", ".onnx", ".meta", ".pbtxt"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

fn unsafe_name(name: &str) -> bool {
    name.starts_with('/') || name.split(['/', '\\']).any(|c| c == "..")
}

/// What became of a streamed archive member.
enum Streamed {
    /// Not model content.
    Data,
    /// Sniffed and scanned (or judged noise).
    Scanned,
    /// Could not be read; the archive cannot be read past it.
    Broken,
}

/// Sniff and scan one member of a streamed archive (tar, 7z): pickles are
/// analysed as they stream, other formats read up to the member cap;
/// members named like protobufs are sniffed on their whole content when the
/// first window does not decide.
fn scan_streamed_member(
    s: &ModelScanner<'_>,
    name: &str,
    size: u64,
    mut r: impl Read,
    mloc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> Streamed {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    if let Err(e) = (&mut r).take(SNIFF_LEN as u64).read_to_end(&mut head) {
        out.push(inconclusive(mloc, &format!("member cannot be read: {e}")));
        return Streamed::Broken;
    }
    let mut kind = sniff::detect(&head);
    if kind.is_none()
        && head.len() == SNIFF_LEN
        && named_protobuf(name)
        && size <= INFLATE_IN_MEMORY
    {
        // Protobufs have no magic: their first message may be longer than the window.
        if (&mut r).take(size).read_to_end(&mut head).is_ok() {
            kind = sniff::detect(&head);
        }
    }
    let Some(kind) = kind else {
        s.record_member(mloc, size, "data");
        return Streamed::Data;
    };
    s.record_member(mloc, size, kind_name(kind));
    if kind == Kind::Pickle {
        let stream = std::io::Cursor::new(head).chain(r);
        let a = aigis_pickle::analyze_reader(stream, &s.pickle_options(true, false));
        if member_is_pickle_by_name(name) || !is_noise(&a) {
            let cx = PickleContext {
                torchscript: false,
                report_trailing: false,
            };
            s.judge(&a, mloc, depth, cx, out);
        }
    } else {
        let mut all = head;
        let cap = s.limits.max_member_bytes.min(1 << 30);
        if let Err(e) = r.take(cap).read_to_end(&mut all) {
            out.push(inconclusive(mloc, &format!("member cannot be read: {e}")));
            return Streamed::Broken;
        }
        let _ = s.scan_blob(&all, mloc, depth + 1, false, out);
    }
    Streamed::Scanned
}

/// A member whose name escapes the extraction folder.
fn traversal_finding(name: &str, mloc: &Location) -> Option<Finding> {
    unsafe_name(name).then(|| {
        Finding::new(
            &archive_path_traversal::RULE,
            mloc.clone(),
            format!("member name escapes the extraction folder: {name}"),
            name,
        )
    })
}

/// Scan a 7z archive member by member: names and links are judged like a
/// tar's, member content is sniffed and scanned (pickles streamed, other
/// formats read up to the member cap). `None` when no member is model
/// content and nothing was found.
pub fn scan_7z(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> Option<&'static str> {
    use aigis_formats::sevenz::{self, MemberKind};
    let before = out.len();
    let mut found_any = false;
    let mut findings = Vec::new();
    let result = sevenz::for_each_member(data, s.limits.max_members, |m, r| {
        let mloc = loc.member(m.name.clone());
        findings.extend(traversal_finding(&m.name, &mloc));
        match m.kind {
            MemberKind::Directory | MemberKind::Anti => return true,
            MemberKind::Symlink => {
                let mut target = Vec::new();
                let _ = r.take(4096).read_to_end(&mut target);
                let target = String::from_utf8_lossy(&target).into_owned();
                findings.push(
                    Finding::new(
                        &archive_path_traversal::RULE,
                        mloc.clone(),
                        format!("Symlink member (target '{target}'): extraction creates a link"),
                        &format!("Symlink:{target}"),
                    )
                    .with_evidence(format!("{} -> {target}", m.name)),
                );
                return true;
            }
            MemberKind::File => {}
        }
        match scan_streamed_member(s, &m.name, m.size, r, &mloc, depth, &mut findings) {
            Streamed::Data => true,
            Streamed::Scanned => {
                found_any = true;
                true
            }
            Streamed::Broken => {
                found_any = true;
                false
            }
        }
    });
    out.append(&mut findings);
    if let Err(e) = result {
        out.push(inconclusive(
            loc,
            &format!("7z archive cannot be read to the end: {e}"),
        ));
        found_any = true;
    }
    (found_any || out.len() > before).then_some("7z")
}

/// Walk a tar stream member by member. Returns the format name, or
/// `tar-no-models` when no member was model content and nothing was found.
fn scan_tar_stream<R: Read>(
    s: &ModelScanner<'_>,
    input: R,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> &'static str {
    use aigis_formats::tar::MemberKind;
    let mut tr = tar::TarReader::new(input);
    let before = out.len();
    let mut names = Vec::new();
    let mut found_any = false;
    loop {
        let mut member = match tr.next_member() {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(e) => {
                out.push(inconclusive(
                    loc,
                    &format!("tar archive cannot be read to the end: {e}"),
                ));
                found_any = true;
                break;
            }
        };
        if names.len() >= s.limits.max_members {
            out.push(inconclusive(
                loc,
                "more archive members than the member limit",
            ));
            break;
        }
        let mloc = loc.member(member.name.clone());
        names.push(member.name.clone());
        out.extend(traversal_finding(&member.name, &mloc));
        match member.kind {
            // Unknown type flags are regular files to Python's tarfile.
            MemberKind::Regular | MemberKind::Other(_) => {}
            MemberKind::Directory => continue,
            other => {
                let target = member.link_target.clone().unwrap_or_default();
                let msg = format!(
                    "{other:?} member (target '{target}'): extraction creates a link or device"
                );
                let key = format!("{other:?}:{target}");
                out.push(
                    Finding::new(&archive_path_traversal::RULE, mloc.clone(), msg, &key)
                        .with_evidence(format!("{} -> {target}", member.name)),
                );
                continue;
            }
        }
        let (name, size) = (member.name.clone(), member.size);
        match scan_streamed_member(s, &name, size, &mut member, &mloc, depth, out) {
            Streamed::Data => {}
            Streamed::Scanned | Streamed::Broken => found_any = true,
        }
    }
    let legacy = ["sys_info", "pickle", "storages"]
        .iter()
        .all(|n| names.iter().any(|m| m == n));
    if legacy {
        "pytorch-legacy-tar"
    } else if found_any || out.len() > before {
        "tar"
    } else {
        "tar-no-models"
    }
}

fn member_is_pickle_by_name(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.ends_with(".pkl")
        || base.ends_with(".pickle")
        || matches!(base, "pickle" | "sys_info" | "tensors" | "storages")
}
