//! Jupyter notebooks: cells and the text of their outputs, each piece tied
//! to the line of the raw `.ipynb` file that a code viewer shows.
//!
//! The reader follows nbformat 4 (`cells`, `source`, `outputs`) and the
//! older nbformat 3 layout (`worksheets`, `input`). Outputs keep only text:
//! `stream` text, the `text/*` and JSON representations of `execute_result`
//! and `display_data`, and `error` names, values and tracebacks. Images and
//! other binary payloads (base64) are skipped, never handed to the secret
//! rules. It judges nothing; the scanner runs its rules on what it returns.

pub mod json;

use json::{Json, Spanned};

/// Largest notebook read.
pub const MAX_NOTEBOOK_BYTES: usize = 256 << 20;
/// Most cells read from one notebook.
pub const MAX_CELLS: usize = 100_000;
/// Most outputs read from one cell.
pub const MAX_OUTPUTS: usize = 10_000;

/// Why a file could not be read as a notebook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpynbError {
    /// Not JSON, or broken JSON.
    #[error("invalid JSON at byte {offset}: {reason}")]
    Json { offset: usize, reason: String },
    /// A named limit was passed.
    #[error("over the limit {0}")]
    Limit(&'static str),
    /// JSON, but no notebook layout.
    #[error("not a notebook: {0}")]
    NotNotebook(&'static str),
}

/// What kind of cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Code,
    Markdown,
    Raw,
    Other,
}

/// Text joined from JSON strings, with where each came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// (offset in `text`, raw offset of the string literal's opening quote).
    pieces: Vec<(usize, usize)>,
}

impl Text {
    fn push(&mut self, s: &Spanned) {
        self.pieces.push((self.text.len(), s.start));
        self.text.push_str(&s.value);
    }

    fn push_separator(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// The byte offset in `text` where 1-based line `line` starts.
    pub fn line_offset(&self, line: u32) -> Option<usize> {
        if line <= 1 {
            return Some(0);
        }
        self.text
            .match_indices('\n')
            .nth(usize::try_from(line).ok()?.checked_sub(2)?)
            .map(|(i, _)| i + 1)
    }
}

/// One output of a code cell, reduced to its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// 0-based index among the cell's outputs.
    pub index: usize,
    /// What it is, e.g. `stream stdout`, `execute_result text/plain`, `error`.
    pub label: String,
    pub text: Text,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// 0-based index among the notebook's cells.
    pub index: usize,
    pub kind: CellKind,
    pub source: Text,
    pub outputs: Vec<Output>,
}

/// A parsed notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notebook {
    pub nbformat: u64,
    /// The kernel's language (`metadata.kernelspec.language` or
    /// `language_info.name`), when given.
    pub language: Option<String>,
    pub cells: Vec<Cell>,
    /// Skipped binary output payloads (images and the like).
    pub skipped_binary: usize,
    line_starts: Vec<usize>,
}

impl Notebook {
    /// The 1-based line and column (bytes) in the raw file of byte `offset`
    /// of `text`, which must come from this notebook parsed from `raw`.
    pub fn position(&self, raw: &[u8], text: &Text, offset: usize) -> Option<(u32, u32)> {
        let i = text.pieces.partition_point(|(at, _)| *at <= offset);
        let (at, start) = *text.pieces.get(i.checked_sub(1)?)?;
        let raw_off = json::raw_offset(raw, start, offset - at);
        let line = self.line_starts.partition_point(|&s| s <= raw_off);
        let line_start = *self.line_starts.get(line.checked_sub(1)?)?;
        let line = u32::try_from(line).ok()?;
        let col = u32::try_from(raw_off - line_start + 1).ok()?;
        Some((line, col))
    }
}

/// True when `data` looks like a notebook (a JSON object naming `cells` or
/// `worksheets` and `nbformat` near the start or the end).
pub fn looks_like_notebook(data: &[u8]) -> bool {
    let first = data.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return false;
    }
    let contains = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    contains(b"\"nbformat\"") && (contains(b"\"cells\"") || contains(b"\"worksheets\""))
}

/// Parse a notebook.
pub fn parse(raw: &[u8]) -> Result<Notebook, IpynbError> {
    if raw.len() > MAX_NOTEBOOK_BYTES {
        return Err(IpynbError::Limit("MAX_NOTEBOOK_BYTES"));
    }
    let doc = json::parse(raw)?;
    if !matches!(doc, Json::Object(_)) {
        return Err(IpynbError::NotNotebook("the document is not an object"));
    }
    let nbformat = match doc.get("nbformat") {
        Some(Json::Num(n)) if *n >= 0.0 && *n < 1e6 => *n as u64,
        _ => return Err(IpynbError::NotNotebook("no nbformat number")),
    };
    let mut nb = Notebook {
        nbformat,
        language: language(&doc),
        cells: Vec::new(),
        skipped_binary: 0,
        line_starts: std::iter::once(0)
            .chain(memchr_all(raw).map(|i| i + 1))
            .collect(),
    };
    let cells: Vec<&Json> = if let Some(cells) = doc.get("cells").and_then(Json::as_array) {
        cells.iter().collect()
    } else if let Some(sheets) = doc.get("worksheets").and_then(Json::as_array) {
        sheets
            .iter()
            .filter_map(|s| s.get("cells").and_then(Json::as_array))
            .flatten()
            .collect()
    } else {
        return Err(IpynbError::NotNotebook("no cells"));
    };
    if cells.len() > MAX_CELLS {
        return Err(IpynbError::Limit("MAX_CELLS"));
    }
    for (index, cell) in cells.into_iter().enumerate() {
        let c = read_cell(index, cell, &mut nb.skipped_binary)?;
        nb.cells.push(c);
    }
    Ok(nb)
}

fn memchr_all(raw: &[u8]) -> impl Iterator<Item = usize> + '_ {
    raw.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
}

fn language(doc: &Json) -> Option<String> {
    let meta = doc.get("metadata")?;
    let from_spec = meta
        .get("kernelspec")
        .and_then(|k| k.get("language"))
        .and_then(Json::as_str);
    let from_info = meta
        .get("language_info")
        .and_then(|k| k.get("name"))
        .and_then(Json::as_str);
    from_spec.or(from_info).map(|s| s.value.clone())
}

fn read_cell(index: usize, cell: &Json, skipped: &mut usize) -> Result<Cell, IpynbError> {
    let kind = match cell.get("cell_type").and_then(Json::as_str) {
        Some(s) if s.value == "code" => CellKind::Code,
        Some(s) if s.value == "markdown" => CellKind::Markdown,
        Some(s) if s.value == "raw" => CellKind::Raw,
        _ => CellKind::Other,
    };
    let mut source = Text::default();
    if let Some(src) = cell.get("source").or_else(|| cell.get("input")) {
        append_lines(&mut source, src);
    }
    let mut outputs = Vec::new();
    if let Some(outs) = cell.get("outputs").and_then(Json::as_array) {
        if outs.len() > MAX_OUTPUTS {
            return Err(IpynbError::Limit("MAX_OUTPUTS"));
        }
        for (i, out) in outs.iter().enumerate() {
            outputs.extend(read_output(i, out, skipped));
        }
    }
    Ok(Cell {
        index,
        kind,
        source,
        outputs,
    })
}

/// A string, or a list of strings (nbformat's multiline form), appended.
fn append_lines(text: &mut Text, v: &Json) {
    match v {
        Json::Str(s) => text.push(s),
        Json::Array(items) => {
            for s in items.iter().filter_map(Json::as_str) {
                text.push(s);
            }
        }
        _ => {}
    }
}

/// Every string inside `v` (for JSON output data), one per line.
fn append_all_strings(text: &mut Text, v: &Json) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Json::Str(s) => {
                text.push_separator();
                text.push(s);
            }
            Json::Array(items) => stack.extend(items.iter().rev()),
            Json::Object(members) => stack.extend(members.iter().rev().map(|(_, v)| v)),
            Json::Num(_) | Json::Scalar => {}
        }
    }
}

/// MIME types whose payload is text worth reading.
fn is_text_mime(mime: &str) -> bool {
    (mime.starts_with("text/") || mime == "application/json" || mime.ends_with("+json"))
        && mime != "image/svg+xml"
}

fn read_output(index: usize, out: &Json, skipped: &mut usize) -> Vec<Output> {
    let kind = out
        .get("output_type")
        .and_then(Json::as_str)
        .map_or("", |s| s.value.as_str());
    let mut found = Vec::new();
    match kind {
        "stream" => {
            let name = out
                .get("name")
                .or_else(|| out.get("stream"))
                .and_then(Json::as_str)
                .map_or("stdout", |s| s.value.as_str());
            let mut text = Text::default();
            if let Some(t) = out.get("text") {
                append_lines(&mut text, t);
            }
            found.push(Output {
                index,
                label: format!("stream {name}"),
                text,
            });
        }
        "error" | "pyerr" => {
            let mut text = Text::default();
            for key in ["ename", "evalue"] {
                if let Some(s) = out.get(key).and_then(Json::as_str) {
                    text.push_separator();
                    text.push(s);
                }
            }
            if let Some(tb) = out.get("traceback").and_then(Json::as_array) {
                for line in tb.iter().filter_map(Json::as_str) {
                    text.push_separator();
                    text.push(line);
                }
            }
            found.push(Output {
                index,
                label: "error".into(),
                text,
            });
        }
        _ => {
            // execute_result, display_data (and nbformat 3's pyout): a MIME bundle.
            let data = out.get("data").unwrap_or(out);
            if let Json::Object(members) = data {
                for (mime, v) in members {
                    if is_text_mime(mime) {
                        let mut text = Text::default();
                        if mime.contains("json") {
                            append_all_strings(&mut text, v);
                        } else {
                            append_lines(&mut text, v);
                        }
                        found.push(Output {
                            index,
                            label: format!("{kind} {mime}"),
                            text,
                        });
                    } else if mime.contains('/') {
                        *skipped += 1;
                    }
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests;
