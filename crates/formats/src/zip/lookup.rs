//! Finding a member by name the way `torch.load` does, and reporting
//! duplicate names with the copy each loader would pick.
//!
//! PyTorch opens archives with `mz_zip_reader_init(.., flags = 0)`, so miniz
//! heap-sorts the central directory by ASCII-lowercased name and
//! `mz_zip_reader_locate_file` binary-searches that order. Two consequences
//! an attacker can use: names differing only in ASCII case collide, and
//! among equal names the winner is whichever the (unstable) heap sort and
//! the binary search happen to land on — not simply the first or the last.
//! We replay both algorithms exactly rather than guess. Python's `zipfile`
//! instead keeps a dict, so the last exact-case duplicate wins there.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{Archive, Entry, ZipAnomaly, ZipAnomalyKind};

/// miniz's `mz_zip_reader_filename_less` / `mz_zip_filename_compare`:
/// bytewise on ASCII-lowercased names, a proper prefix sorting first.
fn miniz_cmp(a: &[u8], b: &[u8]) -> Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// Entry indices `0..visible` in the order miniz's heap sort leaves them
/// (`mz_zip_reader_sort_central_dir_offsets_by_filename`).
pub(super) fn miniz_order(entries: &[Entry<'_>], visible: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..visible.min(entries.len())).collect();
    let size = idx.len();
    if size <= 1 {
        return idx;
    }
    let less = |idx: &[usize], l: usize, r: usize| -> bool {
        let name = |i: usize| {
            idx.get(i)
                .and_then(|&e| entries.get(e))
                .map_or(&[][..], |e| e.name_raw)
        };
        miniz_cmp(name(l), name(r)) == Ordering::Less
    };
    let sift = |idx: &mut Vec<usize>, mut root: usize, end: usize| loop {
        let mut child = root * 2 + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(idx, child, child + 1) {
            child += 1;
        }
        if !less(idx, root, child) {
            break;
        }
        idx.swap(root, child);
        root = child;
    };
    let mut start = (size - 2) / 2;
    loop {
        sift(&mut idx, start, size);
        if start == 0 {
            break;
        }
        start -= 1;
    }
    let mut end = size - 1;
    while end > 0 {
        idx.swap(end, 0);
        sift(&mut idx, 0, end);
        end -= 1;
    }
    idx
}

/// miniz's `mz_zip_locate_file_binary_search` over the sorted order.
fn miniz_search(entries: &[Entry<'_>], order: &[usize], name: &[u8]) -> Option<usize> {
    let (mut lo, mut hi) = (0usize, order.len());
    // Same probe sequence as miniz's signed l/h loop: m = l + (h - l) / 2
    // over the inclusive range [l, h], here written half-open as [lo, hi).
    while lo < hi {
        let mid = lo + (hi - 1 - lo) / 2;
        let index = *order.get(mid)?;
        match miniz_cmp(entries.get(index)?.name_raw, name) {
            Ordering::Equal => return Some(index),
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
        }
    }
    None
}

/// One anomaly per group of names that collide under miniz's comparison.
pub(super) fn duplicates(entries: &[Entry<'_>], order: &[usize]) -> Vec<ZipAnomaly> {
    let mut groups: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    for e in entries {
        groups
            .entry(e.name_raw.to_ascii_lowercase())
            .or_default()
            .push(e.index);
    }
    let mut found: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    found.sort_unstable();
    found
        .into_iter()
        .filter_map(|group| duplicate_anomaly(entries, order, &group))
        .collect()
}

fn duplicate_anomaly(
    entries: &[Entry<'_>],
    order: &[usize],
    group: &[usize],
) -> Option<ZipAnomaly> {
    let first = entries.get(*group.first()?)?;
    let case_only = group
        .iter()
        .filter_map(|&i| entries.get(i))
        .any(|e| e.name_raw != first.name_raw);
    let listed: Vec<String> = group.iter().map(|i| format!("#{i}")).collect();
    let miniz = match miniz_search(entries, order, first.name_raw) {
        Some(i) => format!("torch.load (miniz) reads #{i}"),
        None => "miniz does not see these entries".to_string(),
    };
    // zipfile's dict keeps the last entry with exactly this spelling.
    let zipfile = group
        .iter()
        .rev()
        .find(|&&i| entries.get(i).is_some_and(|e| e.name_raw == first.name_raw))
        .map_or(String::new(), |i| format!(", Python zipfile reads #{i}"));
    Some(ZipAnomaly::new(
        ZipAnomalyKind::DuplicateName,
        format!(
            "{:?} is named by entries {}{}; {miniz}{zipfile}",
            first.name,
            listed.join(", "),
            if case_only {
                " (differing in case)"
            } else {
                ""
            },
        ),
    ))
}

impl<'a> Archive<'a> {
    /// The entry `torch.load` would read for `name`: miniz's case-insensitive
    /// binary search over its sorted directory, duplicates resolved exactly
    /// as miniz resolves them. Entries beyond the end record's claimed count
    /// are invisible to miniz and never returned.
    pub fn find(&self, name: impl AsRef<[u8]>) -> Option<&Entry<'a>> {
        let index = miniz_search(&self.entries, &self.miniz_order, name.as_ref())?;
        self.entries.get(index)
    }

    /// The top-level folder PyTorch takes records from: the part of the
    /// first central directory name before its first `/` (any name works,
    /// e.g. `archive` or `mymodel`). `None` if that name has no `/`, which
    /// PyTorch rejects.
    pub fn root(&self) -> Option<&'a [u8]> {
        let first = self.entries.first()?.name_raw;
        let slash = first.iter().position(|&b| b == b'/')?;
        first.get(..slash)
    }

    /// The entry PyTorch reads for `record` (e.g. `data.pkl`), that is
    /// `find(root + "/" + record)`.
    pub fn find_record(&self, record: &str) -> Option<&Entry<'a>> {
        let mut name = self.root()?.to_vec();
        name.push(b'/');
        name.extend_from_slice(record.as_bytes());
        self.find(name)
    }
}
