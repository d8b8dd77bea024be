//! A sound pre-check that lets most modules skip the parser: every rule
//! fires on a call whose resolved callee ends in a name written in the code
//! (`load` in `t.load(f)`, `torch` in `import torch as t`) or on keyword
//! arguments, decorators and `except` handlers that are also written there.
//! [`could_fire`] reads the identifiers of the code (never of strings or
//! comments) and says whether the words some rule needs are all present; when
//! they are not, no rule can fire whatever the parse, so the module is clean.
//!
//! The scanner is our own, small and linear: it only has to find where
//! strings, comments and f-string interpolations begin and end. Whenever the
//! text leaves what it understands (an unterminated string, unbalanced
//! brackets, a non-ASCII character in code, f-strings nested too deeply) it
//! answers "could fire", and the full analysis decides. Soundness is checked
//! by tests over every fixture and by the `pycode` fuzz target, which asserts
//! that a module this check clears gets no finding from [`crate::analyze`].

use crate::detect::{deser, disclosure, exec, frameworks};
use crate::syntax::ROUTE_DECORATORS;
use foldhash::HashMap;
use std::sync::OnceLock;

/// f-strings nested in f-string interpolations before the check gives up.
const MAX_FSTRING_DEPTH: usize = 32;
/// Brackets open at once before the check gives up.
const MAX_BRACKETS: usize = 4_096;
/// Longest identifier looked up (longer ones are no trigger word).
const MAX_WORD_LEN: usize = 40;

/// Whether some rule could fire on `source`; `false` is a proof that none can.
pub fn could_fire(source: &str) -> bool {
    if has_bare_cr(source.as_bytes()) {
        // A lone `\r` ends lines for Python (old Mac files); the scanner
        // only follows `\n` and `\r\n`.
        return true;
    }
    match Scanner::new(source).run() {
        Some(seen) => seen.any_clause(source),
        None => true,
    }
}

/// Whether a `\r` stands anywhere but before a `\n`.
fn has_bare_cr(src: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', src).any(|i| src.get(i + 1) != Some(&b'\n'))
}

/// Words of the detectors that are written out here because the detectors
/// match them as parts of dotted callees (see each `detect` module).
const MODULE_WORDS: &[&str] = &[
    "shelve",
    "pandas",
    "joblib",
    "marshal",
    "numpy",
    "torch",
    "yaml",
    "builtins",
    "os",
    "posix",
    "subprocess",
    "commands",
    "numexpr",
    "keras",
    "tf_keras",
    "tensorflow",
    "tarfile",
    "urllib3",
    "streamlit",
    "traceback",
    "request",
];
const CALL_WORDS: &[&str] = &[
    "open",
    "read_pickle",
    "allow_pickle",
    "PackageImporter",
    "unsafe_load",
    "full_load",
    "unsafe_load_all",
    "full_load_all",
    "load_all",
    "system",
    "popen",
    "getoutput",
    "getstatusoutput",
    "shell",
    "evaluate",
    "Lambda",
    "load_model",
    "safe_mode",
    "enable_unsafe_deserialization",
    "read_file",
    "write_file",
    "gfile",
    "load_op_library",
    "load_library",
    "register_custom_ops_library",
    "trust_remote_code",
    "extract",
    "extractall",
    "verify",
    "disable_warnings",
    "run",
    "run_server",
    "FastAPI",
    "Starlette",
    "launch",
    "share",
    "set_option",
    "host",
    "server_name",
    "serve",
    "Config",
    "except",
    "print",
    "True",
    "False",
];

/// Every list of words the clauses ask about.
const VOCABULARY: &[&[&str]] = &[
    MODULE_WORDS,
    CALL_WORDS,
    deser::PICKLE_MODULES,
    deser::PICKLE_FUNCS,
    exec::SUBPROCESS,
    frameworks::HF_DOWNLOADS,
    disclosure::LOG_METHODS,
    disclosure::REQUEST_PARTS,
    disclosure::RESPONSES,
    disclosure::SCORE_MARKERS,
];

/// Word -> bit index, and which (length, first byte) pairs occur among the
/// words: most identifiers are rejected by the pair without hashing.
struct Index {
    bits: HashMap<&'static str, u8>,
    shapes: [[bool; 128]; MAX_WORD_LEN + 1],
}

/// Built once.
fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut bits = HashMap::default();
        let mut shapes = [[false; 128]; MAX_WORD_LEN + 1];
        for word in VOCABULARY.iter().flat_map(|list| list.iter().copied()) {
            let next = u8::try_from(bits.len()).unwrap_or(u8::MAX);
            bits.entry(word).or_insert(next);
            if let Some(row) = shapes.get_mut(word.len())
                && let Some(first) = word.bytes().next()
                && let Some(cell) = row.get_mut(usize::from(first & 0x7f))
            {
                *cell = true;
            }
        }
        Index { bits, shapes }
    })
}

impl Index {
    fn get(&self, word: &str) -> Option<&u8> {
        let first = word.bytes().next()?;
        let shaped = self
            .shapes
            .get(word.len())
            .and_then(|row| row.get(usize::from(first & 0x7f)))
            .copied()
            .unwrap_or(false);
        if shaped { self.bits.get(word) } else { None }
    }
}

/// What the scan found.
#[derive(Default)]
struct Seen {
    words: [u64; 4],
    /// `eval`/`exec`/`compile` not after a dot, other than an empty call.
    bare_exec: bool,
    /// `.eval`/`.query` imported, or named without being called.
    eval_query: bool,
    /// `.eval(...)`/`.query(...)` called with arguments.
    eval_query_call: bool,
    /// A string literal inside the arguments of such a call.
    eval_query_string: bool,
    /// An identifier that could name a DataFrame (see [`frame_like`]).
    frame_like: bool,
    /// A plain string that could be (part of) a Hub id `org/name`: it has a
    /// slash and no colon, or an escape that could make one.
    hub_like_string: bool,
    /// A route word on a decorator line.
    route: bool,
}

impl Seen {
    fn set(&mut self, bit: u8) {
        if let Some(w) = self.words.get_mut(usize::from(bit / 64)) {
            *w |= 1 << (bit % 64);
        }
    }

    fn has(&self, word: &str) -> bool {
        let Some(&bit) = index().bits.get(word) else {
            // Not in the vocabulary: a programming error; stay sound.
            return true;
        };
        self.words
            .get(usize::from(bit / 64))
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    fn any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.has(w))
    }

    /// One clause per detector condition; see `crate::detect`.
    fn any_clause(&self, source: &str) -> bool {
        let h = |w: &str| self.has(w);
        if (self.any(deser::PICKLE_MODULES) && self.any(deser::PICKLE_FUNCS))
            || (h("shelve") && h("open"))
            || (h("pandas") && h("read_pickle"))
            || (h("joblib") && h("load"))
            || (h("marshal") && self.any(&["load", "loads"]))
            || (h("numpy") && h("load") && h("allow_pickle"))
            || (h("torch") && (h("load") || h("PackageImporter")))
            || (h("yaml")
                && self.any(&[
                    "load",
                    "load_all",
                    "unsafe_load",
                    "full_load",
                    "unsafe_load_all",
                    "full_load_all",
                ]))
        {
            return true;
        }
        if self.bare_exec
            || h("builtins")
            || self.eval_query
            || (self.eval_query_call && (h("pandas") || self.eval_query_string || self.frame_like))
            || (h("os") && self.any(&["system", "popen"]))
            || (h("posix") && h("system"))
            || (h("subprocess") && self.any(&["getoutput", "getstatusoutput"]))
            || (h("commands") && h("getoutput"))
            || (h("subprocess") && h("shell") && h("True") && self.any(exec::SUBPROCESS))
            || (h("numexpr") && h("evaluate"))
        {
            return true;
        }
        if ((h("keras") || h("tf_keras"))
            && (h("Lambda") || (h("load_model") && h("safe_mode") && h("False"))))
            || h("enable_unsafe_deserialization")
            || (h("tensorflow") && self.any(&["read_file", "write_file", "gfile"]))
            || self.any(&[
                "load_op_library",
                "load_library",
                "register_custom_ops_library",
            ])
            || (h("trust_remote_code") && h("True"))
            || (self.any(frameworks::HF_DOWNLOADS) && self.hub_like_string)
        {
            return true;
        }
        if (h("tarfile") && self.any(&["extract", "extractall"]))
            || (h("verify") && h("False"))
            || (h("disable_warnings") && h("urllib3"))
            || (h("debug") && h("True") && self.any(&["run", "run_server", "FastAPI", "Starlette"]))
            || (h("launch") && h("share") && h("True"))
            || (h("streamlit") && h("set_option"))
            || (self.any(&["host", "server_name"])
                && self.any(&["run", "run_server", "launch", "serve", "Config"]))
        {
            return true;
        }
        let leaks = h("except") || h("traceback");
        (self.any(disclosure::RESPONSES) && leaks)
            || (self.route && (leaks || self.any(disclosure::SCORE_MARKERS)))
            || ((h("print") || self.any(disclosure::LOG_METHODS))
                && ((h("request") && self.any(disclosure::REQUEST_PARTS))
                    || names_a_secret(source)))
    }
}

/// Whether any word of `source` (code or not: a superset) could be a secret
/// name to `disclosure::is_secret_name`.
fn names_a_secret(source: &str) -> bool {
    const NEEDLES: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "apikey",
        "credential",
        "api_key",
        "access_key",
        "private_key",
    ];
    let lower = source.to_ascii_lowercase();
    if NEEDLES
        .iter()
        .any(|n| memchr::memmem::find(lower.as_bytes(), n.as_bytes()).is_some())
    {
        return true;
    }
    memchr::memmem::find_iter(lower.as_bytes(), b"token").any(|at| {
        let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        let bytes = lower.as_bytes();
        let start = bytes[..at]
            .iter()
            .rposition(|b| !word(b))
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(|b| !word(b))
            .map_or(bytes.len(), |i| at + i);
        lower.get(start..end).is_none_or(disclosure::is_secret_name)
    })
}

/// Whether an identifier could make a receiver DataFrame-like to
/// `detect::exec` (it contains `df` or `frame`, in any case).
fn frame_like(word: &str) -> bool {
    let b = word.as_bytes();
    b.windows(2).any(|w| w.eq_ignore_ascii_case(b"df"))
        || b.windows(5).any(|w| w.eq_ignore_ascii_case(b"frame"))
}

/// Where the scanner is inside f-strings: each entry is an f-string's
/// literal part or one of its interpolations.
#[derive(Clone, Copy)]
enum Frame {
    /// Literal text of an f-string (or of a format spec when `spec`).
    Literal {
        quote: u8,
        triple: bool,
        raw: bool,
        spec: bool,
    },
    /// Code inside `{...}` of an f-string, with its own bracket depth.
    Interpolation { depth: u32 },
}

struct Scanner<'a> {
    text: &'a str,
    src: &'a [u8],
    pos: usize,
    frames: Vec<Frame>,
    /// Bracket depth of top-level code.
    depth: u32,
    /// Brackets open, innermost last (across frames).
    open: Vec<u8>,
    /// A `.` came right before, and what stood before it.
    dot: Dot,
    /// The last token could end an operand (a name, literal or closing
    /// bracket), so a `.` after it is an attribute access.
    atom_end: bool,
    line_start: bool,
    in_import: bool,
    in_decorator: bool,
    /// The next `(` opens the arguments of `.eval`/`.query`.
    eval_query_open: bool,
    /// Frames and bracket depth inside those arguments.
    eval_query_args: Option<(usize, u32)>,
    seen: Seen,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dot {
    None,
    /// After an operand: `x.name`.
    Attr,
    /// After a keyword, an operator or nothing: a syntax error.
    Stray,
}

/// Python's keywords: a `.` after one is no attribute access.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Follows {
    Nothing,
    /// `name = ...`: an assignment target (an attribute so assigned binds
    /// nothing the resolver follows).
    Assigned,
    EmptyCall,
    Call,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            text,
            src: text.as_bytes(),
            pos: 0,
            frames: Vec::new(),
            depth: 0,
            open: Vec::new(),
            dot: Dot::None,
            atom_end: false,
            line_start: true,
            in_import: false,
            in_decorator: false,
            eval_query_open: false,
            eval_query_args: None,
            seen: Seen::default(),
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    /// `None`: the text left what the scanner understands.
    fn run(mut self) -> Option<Seen> {
        while self.pos < self.src.len() {
            match self.frames.last().copied() {
                Some(Frame::Literal {
                    quote,
                    triple,
                    raw,
                    spec,
                }) => self.literal(quote, triple, raw, spec)?,
                _ => self.code()?,
            }
        }
        // End of input inside an f-string or a bracket: not understood.
        (self.frames.is_empty() && self.depth == 0).then_some(self.seen)
    }

    fn end_logical_line(&mut self) {
        self.line_start = true;
        self.in_import = false;
        self.in_decorator = false;
        self.dot = Dot::None;
        self.atom_end = false;
    }

    /// One step of code (top level or an interpolation).
    fn code(&mut self) -> Option<()> {
        let b = self.at(self.pos);
        let interp = matches!(self.frames.last(), Some(Frame::Interpolation { .. }));
        match b {
            b' ' | b'\t' | b'\r' | 0x0c => {
                // Indentation makes runs of blanks common: skip them at once.
                let rest = self.src.get(self.pos..)?;
                self.pos += rest
                    .iter()
                    .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | 0x0c))
                    .unwrap_or(rest.len());
            }
            b'\n' => {
                self.pos += 1;
                if !interp && self.depth == 0 {
                    self.end_logical_line();
                }
            }
            b'\\' => {
                // Line continuation only.
                let next = self.at(self.pos + 1);
                if next == b'\n' {
                    self.pos += 2;
                } else if next == b'\r' && self.at(self.pos + 2) == b'\n' {
                    self.pos += 3;
                } else {
                    return None;
                }
            }
            b'#' => {
                if interp && !self.enclosing_triple() {
                    return None;
                }
                let rest = self.src.get(self.pos..)?;
                self.pos += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            }
            b'\'' | b'"' => {
                self.significant();
                self.note_string();
                self.string(0, self.pos)?;
                self.atom_end = true;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.identifier()?,
            b'0'..=b'9' => {
                self.significant();
                self.number();
                self.atom_end = true;
            }
            b'.' if self.at(self.pos + 1).is_ascii_digit() => {
                self.significant();
                self.number();
                self.atom_end = true;
            }
            b'.' => {
                // After an operand, an attribute; elsewhere (after a keyword
                // or an operator) a stray dot that the parser's recovery may
                // drop, leaving a bare name.
                let dot = if self.atom_end { Dot::Attr } else { Dot::Stray };
                self.significant();
                self.dot = dot;
                self.pos += 1;
            }
            b'(' | b'[' | b'{' => {
                self.significant();
                self.pos += 1;
                if self.open.len() >= MAX_BRACKETS {
                    return None;
                }
                self.open.push(b);
                *self.depth_mut() = self.depth_mut().checked_add(1)?;
                if std::mem::take(&mut self.eval_query_open) && self.eval_query_args.is_none() {
                    self.eval_query_args = Some((self.frames.len(), *self.depth_mut()));
                }
            }
            b')' | b']' => {
                self.significant();
                self.pos += 1;
                self.close_bracket(b)?;
                self.atom_end = true;
            }
            b'}' => {
                self.significant();
                self.pos += 1;
                match self.frames.last() {
                    Some(Frame::Interpolation { depth: 0 }) => {
                        self.frames.pop();
                    }
                    _ => self.close_bracket(b)?,
                }
                self.atom_end = true;
            }
            b':' if matches!(self.frames.last(), Some(Frame::Interpolation { depth: 0 })) => {
                self.pos += 1;
                let Some(Frame::Literal {
                    quote, triple, raw, ..
                }) = self.frames.iter().rev().nth(1).copied()
                else {
                    return None;
                };
                self.push(Frame::Literal {
                    quote,
                    triple,
                    raw,
                    spec: true,
                })?;
            }
            b';' if !interp && self.depth == 0 => {
                self.pos += 1;
                self.end_logical_line();
            }
            b'@' if self.line_start && !interp && self.depth == 0 => {
                self.significant();
                self.in_decorator = true;
                self.pos += 1;
            }
            // Non-ASCII, and control characters the lexer may treat as
            // blanks (a NUL before a decorator: fuzz crash-760231c9).
            0x80.. | 0x00..=0x08 | 0x0e..=0x1f | 0x7f => return None,
            _ => {
                self.significant();
                self.pos += 1;
            }
        }
        Some(())
    }

    fn significant(&mut self) {
        self.line_start = false;
        self.dot = Dot::None;
        self.atom_end = false;
    }

    fn depth_mut(&mut self) -> &mut u32 {
        match self.frames.last_mut() {
            Some(Frame::Interpolation { depth }) => depth,
            _ => &mut self.depth,
        }
    }

    fn push(&mut self, frame: Frame) -> Option<()> {
        (self.frames.len() < MAX_FSTRING_DEPTH).then(|| self.frames.push(frame))
    }

    /// Whether the innermost f-string is triple-quoted.
    fn enclosing_triple(&self) -> bool {
        self.frames.iter().rev().find_map(|f| match f {
            Frame::Literal { triple, .. } => Some(*triple),
            Frame::Interpolation { .. } => None,
        }) == Some(true)
    }

    /// A numeric literal, consumed only as far as Python's number syntax
    /// goes: letters after it start a new name, never swallowed (`.3launch(`
    /// must show `launch`: fuzz crash-a902689a; `1.compile(x)` a bare
    /// `compile`).
    fn number(&mut self) {
        let digit = |b: u8| b.is_ascii_digit() || b == b'_';
        let leading_dot = self.at(self.pos) == b'.';
        if leading_dot {
            self.pos += 1;
        } else if self.at(self.pos) == b'0'
            && matches!(
                self.at(self.pos + 1),
                b'x' | b'X' | b'o' | b'O' | b'b' | b'B'
            )
        {
            self.pos += 2;
            while self.at(self.pos).is_ascii_hexdigit() || self.at(self.pos) == b'_' {
                self.pos += 1;
            }
            return;
        }
        while digit(self.at(self.pos)) {
            self.pos += 1;
        }
        if !leading_dot && self.at(self.pos) == b'.' {
            self.pos += 1;
            while digit(self.at(self.pos)) {
                self.pos += 1;
            }
        }
        let sign = usize::from(matches!(self.at(self.pos + 1), b'+' | b'-'));
        if matches!(self.at(self.pos), b'e' | b'E') && self.at(self.pos + 1 + sign).is_ascii_digit()
        {
            self.pos += 1 + sign;
            while digit(self.at(self.pos)) {
                self.pos += 1;
            }
        }
        if matches!(self.at(self.pos), b'j' | b'J') {
            self.pos += 1;
        }
    }

    fn identifier(&mut self) -> Option<()> {
        let start = self.pos;
        let rest = self.src.get(start..)?;
        let len = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(rest.len());
        self.pos += len;
        if self.at(self.pos) >= 0x80 {
            return None;
        }
        // ASCII only, so the slice is on character boundaries.
        let word = self.text.get(start..self.pos)?;
        if matches!(self.at(self.pos), b'\'' | b'"') {
            // A string prefix, or a name directly before a string (an error).
            self.significant();
            self.note_string();
            self.string(prefix_flags(word)?, self.pos)?;
            self.atom_end = true;
            return Some(());
        }
        let attr = self.dot == Dot::Attr;
        // Where a parser could read an attribute (an attribute dot, or a
        // stray one it may keep).
        let dotted = self.dot != Dot::None;
        let first = self.line_start;
        self.significant();
        self.atom_end = !KEYWORDS.contains(&word) || matches!(word, "True" | "False" | "None");
        if first && (word == "import" || word == "from") {
            self.in_import = true;
        }
        if self.in_decorator && ROUTE_DECORATORS.contains(&word) {
            self.seen.route = true;
        }
        if matches!(word, "eval" | "query" | "exec" | "compile") {
            let follows = self.call_follows();
            if !attr && follows != Follows::EmptyCall && matches!(word, "eval" | "exec" | "compile")
            {
                self.seen.bare_exec = true;
            }
            if matches!(word, "eval" | "query") {
                // The DataFrame rule needs a built string among the
                // arguments or a frame-like receiver (see `detect::exec`).
                match follows {
                    _ if self.in_import && !dotted => self.seen.eval_query = true,
                    _ if !dotted => {}
                    Follows::EmptyCall | Follows::Assigned => {}
                    Follows::Call => {
                        self.seen.eval_query_call = true;
                        self.eval_query_open = true;
                    }
                    Follows::Nothing => self.seen.eval_query = true,
                }
            }
        }
        if let Some(&bit) = index().get(word) {
            self.seen.set(bit);
        }
        if !self.seen.frame_like && word.len() >= 2 && frame_like(word) {
            self.seen.frame_like = true;
        }
        Some(())
    }

    /// What follows a name: a call with or without arguments, or neither.
    fn call_follows(&self) -> Follows {
        let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c);
        let mut i = self.pos;
        while blank(self.at(i)) {
            i += 1;
        }
        if self.at(i) == b'=' && self.at(i + 1) != b'=' {
            return Follows::Assigned;
        }
        if self.at(i) != b'(' {
            return Follows::Nothing;
        }
        i += 1;
        while blank(self.at(i)) {
            i += 1;
        }
        if self.at(i) == b')' {
            Follows::EmptyCall
        } else {
            Follows::Call
        }
    }

    /// Strings met inside the arguments of an `.eval(`/`.query(` call.
    fn note_string(&mut self) {
        if self.eval_query_args.is_some() {
            self.seen.eval_query_string = true;
        }
    }

    /// A closing bracket: it must match the last one opened (mismatches are
    /// left to the parser's recovery, which the scanner does not follow).
    fn close_bracket(&mut self, close: u8) -> Option<()> {
        let want = match self.open.pop()? {
            b'(' => b')',
            b'[' => b']',
            _ => b'}',
        };
        if want != close {
            return None;
        }
        *self.depth_mut() = self.depth_mut().checked_sub(1)?;
        self.close_args();
        Some(())
    }

    /// After a closing bracket: leave the `.eval(`/`.query(` arguments when
    /// their parenthesis closed.
    fn close_args(&mut self) {
        let here = (self.frames.len(), *self.depth_mut());
        if let Some((frames, depth)) = self.eval_query_args
            && here.0 == frames
            && here.1 < depth
        {
            self.eval_query_args = None;
        }
    }

    /// A string starting at `at` (its opening quote) with prefix `flags`.
    fn string(&mut self, flags: u8, at: usize) -> Option<()> {
        let quote = self.at(at);
        let triple = self.at(at + 1) == quote && self.at(at + 2) == quote;
        self.pos = at + if triple { 3 } else { 1 };
        let raw = flags & RAW != 0;
        if flags & FORMAT != 0 {
            return self.push(Frame::Literal {
                quote,
                triple,
                raw,
                spec: false,
            });
        }
        // A plain string: skip to its end. A backslash always keeps the
        // next character from closing it (raw strings included).
        let start = self.pos;
        let end = loop {
            let rest = self.src.get(self.pos..)?;
            let i = memchr::memchr3(quote, b'\\', b'\n', rest)?;
            let c = *rest.get(i)?;
            self.pos += i + 1;
            match c {
                b'\\' => self.pos += 1,
                b'\n' if !triple => return None,
                b'\n' => {}
                _ if !triple => break self.pos - 1,
                _ if self.at(self.pos) == quote && self.at(self.pos + 1) == quote => {
                    self.pos += 2;
                    break self.pos - 3;
                }
                _ => {}
            }
        };
        if !self.seen.hub_like_string {
            let content = self.src.get(start..end)?;
            self.seen.hub_like_string = memchr::memchr(b'\\', content).is_some()
                || (memchr::memchr(b'/', content).is_some()
                    && memchr::memchr(b':', content).is_none());
        }
        Some(())
    }

    /// One step of an f-string's literal text.
    fn literal(&mut self, quote: u8, triple: bool, raw: bool, spec: bool) -> Option<()> {
        let b = self.at(self.pos);
        let next = self.at(self.pos + 1);
        match b {
            b'\\' => {
                if matches!(next, b'{' | b'}') {
                    return None;
                }
                if !raw && next == b'N' && self.at(self.pos + 2) == b'{' {
                    // A named escape `\N{...}`: its braces are not an
                    // interpolation. It must close before the line or the
                    // string does, or the scanner gives up.
                    let rest = self.src.get(self.pos..)?;
                    let end = memchr::memchr3(b'}', b'\n', quote, rest)?;
                    if rest.get(end) != Some(&b'}') {
                        return None;
                    }
                    self.pos += end + 1;
                } else {
                    self.pos += 2;
                }
            }
            b'{' if next == b'{' && !spec => self.pos += 2,
            b'{' => {
                self.pos += 1;
                self.push(Frame::Interpolation { depth: 0 })?;
            }
            b'}' if spec => {
                // Ends the format spec and the interpolation it belongs to.
                self.pos += 1;
                self.frames.pop();
                match self.frames.pop() {
                    Some(Frame::Interpolation { depth: 0 }) => {}
                    _ => return None,
                }
            }
            b'}' if next == b'}' => self.pos += 2,
            b'}' => return None,
            b'\n' if !triple => return None,
            _ if b == quote => {
                if spec {
                    return None;
                }
                if !triple {
                    self.pos += 1;
                    self.frames.pop();
                    self.atom_end = true;
                } else if next == quote && self.at(self.pos + 2) == quote {
                    self.pos += 3;
                    self.frames.pop();
                    self.atom_end = true;
                } else {
                    self.pos += 1;
                }
            }
            _ => self.pos += 1,
        }
        Some(())
    }
}

const RAW: u8 = 1;
const FORMAT: u8 = 2;

/// The flags of a string prefix (`r`, `b`, `u`, `f`, `t` and their pairs);
/// `None` for a name that is no prefix.
fn prefix_flags(word: &str) -> Option<u8> {
    let lower = word.to_ascii_lowercase();
    let flags = match lower.as_str() {
        "r" | "br" | "rb" => RAW,
        "b" | "u" => 0,
        "f" | "t" => FORMAT,
        "fr" | "rf" | "tr" | "rt" => RAW | FORMAT,
        _ => return None,
    };
    Some(flags)
}

#[cfg(test)]
#[path = "prefilter_tests.rs"]
mod tests;
