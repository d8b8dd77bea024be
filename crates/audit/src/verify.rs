//! The verifier: reads one or more files (a rotation chain, oldest first)
//! line by line within size limits and says whether the chain is intact or
//! where it first breaks. Nothing after the first break is trusted, so only
//! the first problem is reported (the rest of the file is read only to tell
//! missing lines from reordered ones).
//!
//! Without a public key the chain is checked and checkpoints are checked
//! for consistency with it, but their signatures are not (the report says
//! so): anyone able to rewrite the whole file can rebuild a consistent
//! chain, and only the signatures stop that.

use crate::AuditError;
use crate::line::{GENESIS_PREV, Kind, Line, LineError, MAX_LINE_BYTES, line_hash, parse_line};
use crate::sign::{CheckpointVerifier, SigProblem};
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

pub use crate::problem::Problem;

/// Lines read in all files together at most, by default.
pub const MAX_LINES: u64 = 100_000_000;

/// Limits and the optional checkpoint key.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    pub max_line_bytes: usize,
    pub max_lines: u64,
    pub key: Option<CheckpointVerifier>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_line_bytes: MAX_LINE_BYTES,
            max_lines: MAX_LINES,
            key: None,
        }
    }
}

/// What one file holds (up to the first problem).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    pub lines: u64,
    pub records: u64,
    pub checkpoints: u64,
    /// Records the writer reported as dropped (`gap` lines).
    pub dropped: u64,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    /// The genesis links to a predecessor that was not given to `verify`.
    pub continues_from: Option<String>,
    /// Lines after the last checkpoint: not covered by a signature.
    pub unsigned_tail: u64,
}

/// The verdict over all files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub intact: bool,
    /// Whether checkpoint signatures were checked (a key was given).
    pub signatures_checked: bool,
    pub files: Vec<FileReport>,
    pub problem: Option<Problem>,
}

impl Report {
    pub fn records(&self) -> u64 {
        self.files.iter().map(|f| f.records).sum()
    }
    pub fn checkpoints(&self) -> u64 {
        self.files.iter().map(|f| f.checkpoints).sum()
    }
}

/// Verify `paths` in order as one chain. I/O errors (a file that cannot be
/// opened or read) are errors; anything wrong with the contents is a
/// [`Problem`] in the report.
pub fn verify<P: AsRef<Path>>(paths: &[P], opts: &VerifyOptions) -> Result<Report, AuditError> {
    let mut report = Report {
        intact: true,
        signatures_checked: opts.key.is_some(),
        files: Vec::new(),
        problem: None,
    };
    let mut chain = ChainState::default();
    for p in paths {
        let path = p.as_ref();
        let (fr, problem) = verify_file(path, opts, &mut chain)?;
        report.files.push(fr);
        if let Some(pr) = problem {
            report.intact = false;
            report.problem = Some(pr);
            break;
        }
    }
    Ok(report)
}

/// Where the chain stands between lines and files.
#[derive(Default)]
struct ChainState {
    prev: Option<String>,
    next_seq: Option<u64>,
    lines_total: u64,
}

fn verify_file(
    path: &Path,
    opts: &VerifyOptions,
    chain: &mut ChainState,
) -> Result<(FileReport, Option<Problem>), AuditError> {
    let f = File::open(path).map_err(|e| AuditError::io(path, e))?;
    let mut reader = BufReader::with_capacity(256 * 1024, f);
    let mut fr = FileReport {
        path: path.to_path_buf(),
        ..FileReport::default()
    };
    let mut buf = Vec::with_capacity(1024);
    let mut n: u64 = 0;
    let limit = u64::try_from(opts.max_line_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    loop {
        buf.clear();
        let got = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut buf)
            .map_err(|e| AuditError::io(path, e))?;
        if got == 0 {
            break;
        }
        n += 1;
        chain.lines_total += 1;
        if let Some(p) = check_raw(path, n, &buf, chain, &mut reader, opts, &mut fr) {
            return Ok((fr, Some(p)));
        }
    }
    if n == 0 {
        return Ok((fr, Some(Problem::Empty { path: path.into() })));
    }
    Ok((fr, None))
}

/// Size, completeness and shape of one raw line, then the chain checks.
fn check_raw(
    path: &Path,
    n: u64,
    buf: &[u8],
    chain: &mut ChainState,
    reader: &mut BufReader<File>,
    opts: &VerifyOptions,
    fr: &mut FileReport,
) -> Option<Problem> {
    let path_buf = || path.to_path_buf();
    if chain.lines_total > opts.max_lines {
        return Some(Problem::TooManyLines {
            path: path_buf(),
            line: n,
            max: opts.max_lines,
        });
    }
    let complete = buf.last() == Some(&b'\n');
    let bytes = if complete {
        buf.get(..buf.len() - 1).unwrap_or(&[])
    } else {
        buf
    };
    if !complete && bytes.len() > opts.max_line_bytes {
        return Some(Problem::LineTooLong {
            path: path_buf(),
            line: n,
            max: opts.max_line_bytes,
        });
    }
    let line = match parse_line(bytes, opts.max_line_bytes) {
        Ok(l) => l,
        Err(_) if !complete => {
            return Some(Problem::Truncated {
                path: path_buf(),
                line: n,
            });
        }
        Err(LineError::NotUtf8) => {
            return Some(Problem::NotJson {
                path: path_buf(),
                line: n,
                why: "not UTF-8".into(),
            });
        }
        Err(LineError::NotJson(why)) => {
            return Some(Problem::NotJson {
                path: path_buf(),
                line: n,
                why: format!("not JSON: {why}"),
            });
        }
        Err(e) => {
            return Some(Problem::Malformed {
                path: path_buf(),
                line: n,
                why: e.to_string(),
            });
        }
    };
    if !complete {
        return Some(Problem::Truncated {
            path: path_buf(),
            line: n,
        });
    }
    check_line(path, n, &line, bytes, chain, reader, opts, fr)
}

/// Check one parsed line against the chain and update the state.
#[allow(clippy::too_many_arguments)]
fn check_line(
    path: &Path,
    n: u64,
    line: &Line,
    bytes: &[u8],
    chain: &mut ChainState,
    rest: &mut BufReader<File>,
    opts: &VerifyOptions,
    fr: &mut FileReport,
) -> Option<Problem> {
    let kind = line.kind();
    if n == 1 && kind != Kind::Genesis {
        return Some(Problem::Malformed {
            path: path.into(),
            line: n,
            why: "first line is not a genesis line".into(),
        });
    }
    if n > 1 && kind == Kind::Genesis {
        return Some(Problem::Malformed {
            path: path.into(),
            line: n,
            why: "genesis line inside a file".into(),
        });
    }
    if let Some(expected) = chain.next_seq
        && line.seq != expected
    {
        let (line_no, found) = (n, line.seq);
        return Some(
            if found > expected && !seq_appears_later(rest, expected, found, opts) {
                Problem::Missing {
                    path: path.into(),
                    line: line_no,
                    expected_seq: expected,
                    found_seq: found,
                }
            } else {
                Problem::Reordered {
                    path: path.into(),
                    line: line_no,
                    expected_seq: expected,
                    found_seq: found,
                }
            },
        );
    }
    match (&chain.prev, n) {
        (Some(expected), 1) if *expected != line.prev => {
            return Some(Problem::NotLinked {
                path: path.into(),
                expected_prev: expected.clone(),
                found_prev: line.prev.clone(),
            });
        }
        (Some(expected), _) if *expected != line.prev => {
            return Some(Problem::HashMismatch {
                path: path.into(),
                line: n,
                seq: line.seq,
                expected_prev: expected.clone(),
                found_prev: line.prev.clone(),
            });
        }
        (None, _) if line.prev != GENESIS_PREV => {
            let name = line.genesis.as_ref().and_then(|g| g.predecessor.clone());
            fr.continues_from = Some(name.unwrap_or_else(|| line.prev.clone()));
        }
        _ => {}
    }
    match kind {
        Kind::Record => {
            fr.records += 1;
            if let Some(r) = &line.record {
                if fr.first_time.is_none() {
                    fr.first_time = Some(r.time.clone());
                }
                fr.last_time = Some(r.time.clone());
            }
            fr.unsigned_tail += 1;
        }
        Kind::Gap => {
            fr.dropped = fr
                .dropped
                .saturating_add(line.gap.as_ref().map_or(0, |g| g.dropped));
            fr.unsigned_tail += 1;
        }
        Kind::Genesis => fr.unsigned_tail += 1,
        Kind::Checkpoint => {
            if let Some(p) = check_checkpoint(path, n, line, opts) {
                return Some(p);
            }
            fr.checkpoints += 1;
            fr.unsigned_tail = 0;
        }
    }
    fr.lines = n;
    fr.first_seq.get_or_insert(line.seq);
    fr.last_seq = Some(line.seq);
    chain.prev = Some(line_hash(bytes));
    chain.next_seq = Some(line.seq.saturating_add(1));
    None
}

fn check_checkpoint(path: &Path, n: u64, line: &Line, opts: &VerifyOptions) -> Option<Problem> {
    let (Some(c), Some(sig)) = (&line.checkpoint, &line.sig) else {
        return None;
    };
    let bad = |why: String| {
        Some(Problem::BadCheckpoint {
            path: path.into(),
            line: n,
            seq: line.seq,
            why,
        })
    };
    if c.hash != line.prev {
        return bad("its hash is not the hash of the line before it".into());
    }
    if c.seq.checked_add(1) != Some(line.seq) {
        return bad(format!(
            "it covers seq {} but follows seq {}",
            c.seq,
            line.seq.saturating_sub(1)
        ));
    }
    let key = opts.key.as_ref()?;
    key.verify(c, sig).err().map(|p| {
        let why = match p {
            SigProblem::WrongKey {
                signed_by,
                verifying,
            } => {
                format!("signed by key {signed_by}, but the given public key is {verifying}")
            }
            SigProblem::WrongAlg(a) => format!("algorithm {a} does not match the key"),
            SigProblem::Invalid => "invalid signature (forged or altered checkpoint)".into(),
        };
        Problem::BadSignature {
            path: path.into(),
            line: n,
            seq: line.seq,
            why,
        }
    })
}

/// After a seq jump from `expected` to `found`: does a line with a seq in
/// between come later in the file (reordered) or not (missing)? Reads the
/// rest of the file within the line limits; unparseable lines are skipped.
fn seq_appears_later(
    rest: &mut BufReader<File>,
    expected: u64,
    found: u64,
    opts: &VerifyOptions,
) -> bool {
    let mut buf = Vec::new();
    let limit = u64::try_from(opts.max_line_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    for _ in 0..opts.max_lines {
        buf.clear();
        match rest.take(limit).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        let bytes = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if let Ok(l) = parse_line(bytes, opts.max_line_bytes)
            && (expected..found).contains(&l.seq)
        {
            return true;
        }
    }
    false
}
