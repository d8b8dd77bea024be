//! An nginx configuration reader: tokens (words, quoted strings with
//! escapes, `;`, `{`, `}`, `#` comments), directives with their blocks, and
//! `include` spliced in place through an [`IncludeLoader`] (bounded depth,
//! bounded file count, a file already on the include chain is not read again).

use super::{IncludeLoader, Included};
use crate::limits::{
    MAX_CONFIG_BYTES, MAX_INCLUDE_DEPTH, MAX_INCLUDED_FILES, MAX_NGINX_DEPTH, MAX_NGINX_DIRECTIVES,
};

/// One directive, positioned in the analysed (root) file.
#[derive(Clone, Debug, Default)]
pub struct Directive {
    pub name: String,
    pub args: Vec<String>,
    /// Line and column in the root file: the directive itself, or the
    /// `include` that brought it in.
    pub line: u32,
    pub column: u32,
    /// `file:line` of the directive when it comes from an included file.
    pub origin: Option<String>,
    pub block: Option<Vec<Directive>>,
}

/// Standard include files that only define MIME types or CGI parameters:
/// when missing from a repository they are not a reason to be inconclusive.
const HARMLESS_INCLUDES: &[&str] = &[
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "scgi_params",
    "uwsgi_params",
    "proxy_params",
    "koi-utf",
    "koi-win",
    "win-utf",
];

/// A token with its 1-based line and column.
type Token = (Tok, u32, u32);

#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    Semi,
    Open,
    Close,
}

/// Tokens with their 1-based line and column, or the position of an error.
// The flush macro resets `quoted` after its last use too.
#[allow(unused_assignments)]
fn tokenize(text: &str) -> Result<Vec<Token>, (u32, String)> {
    let mut out = Vec::new();
    let (mut line, mut col) = (1u32, 0u32);
    let mut chars = text.chars().peekable();
    let mut word = String::new();
    let mut start = (1, 1);
    let mut quoted = false;
    macro_rules! flush {
        () => {
            if !word.is_empty() || quoted {
                out.push((Tok::Word(std::mem::take(&mut word)), start.0, start.1));
                quoted = false;
            }
        };
    }
    while let Some(c) = chars.next() {
        if c == '\n' {
            line = line.saturating_add(1);
            col = 0;
        } else {
            col = col.saturating_add(1);
        }
        match c {
            '#' if word.is_empty() => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        line = line.saturating_add(1);
                        col = 0;
                        break;
                    }
                }
            }
            '"' | '\'' if word.is_empty() => {
                start = (line, col);
                quoted = true;
                let mut closed = false;
                while let Some(n) = chars.next() {
                    if n == '\n' {
                        line = line.saturating_add(1);
                        col = 0;
                    } else {
                        col = col.saturating_add(1);
                    }
                    if n == c {
                        closed = true;
                        break;
                    }
                    if n == '\\'
                        && let Some(e) = chars.next()
                    {
                        col = col.saturating_add(1);
                        word.push(e);
                        continue;
                    }
                    word.push(n);
                }
                if !closed {
                    return Err((start.0, "unterminated quoted string".into()));
                }
                flush!();
            }
            ';' | '{' | '}' => {
                flush!();
                let t = match c {
                    ';' => Tok::Semi,
                    '{' => Tok::Open,
                    _ => Tok::Close,
                };
                out.push((t, line, col));
            }
            c if c.is_whitespace() => flush!(),
            '\\' => {
                if word.is_empty() {
                    start = (line, col);
                }
                word.push(c);
                if let Some(n) = chars.next() {
                    col = col.saturating_add(1);
                    word.push(n);
                }
            }
            _ => {
                if word.is_empty() {
                    start = (line, col);
                }
                word.push(c);
            }
        }
        if out.len() > MAX_NGINX_DIRECTIVES.saturating_mul(8) {
            return Err((line, format!("more than {MAX_NGINX_DIRECTIVES} directives")));
        }
    }
    flush!();
    Ok(out)
}

/// Parser state shared across included files.
pub struct Reader<'l> {
    loader: &'l dyn IncludeLoader,
    /// Identities of the files on the current include chain.
    chain: Vec<String>,
    files_read: usize,
    directives: usize,
    /// Problems: line in the root file and why.
    pub problems: Vec<(u32, String)>,
}

impl<'l> Reader<'l> {
    pub fn new(loader: &'l dyn IncludeLoader) -> Self {
        Reader {
            loader,
            chain: Vec::new(),
            files_read: 0,
            directives: 0,
            problems: Vec::new(),
        }
    }

    /// Parse `text`; `site` is the root-file position of the include that
    /// brought it (None for the root file), `name` its shown name.
    pub fn parse(&mut self, text: &str, site: Option<(u32, u32, &str)>) -> Vec<Directive> {
        let at = |line: u32| site.map_or(line, |s| s.0);
        if text.len() > MAX_CONFIG_BYTES {
            self.problems.push((
                at(1),
                format!(
                    "too large: {} bytes (the limit is {MAX_CONFIG_BYTES})",
                    text.len()
                ),
            ));
            return Vec::new();
        }
        let toks = match tokenize(text) {
            Ok(t) => t,
            Err((line, why)) => {
                let place = site.map_or(String::new(), |s| format!("{}:{line}: ", s.2));
                self.problems.push((at(line), format!("{place}{why}")));
                return Vec::new();
            }
        };
        let mut pos = 0;
        let out = self.block(&toks, &mut pos, 0, site);
        if pos < toks.len() {
            let line = toks.get(pos).map_or(1, |t| t.1);
            self.problems.push((at(line), "unbalanced '}'".into()));
        }
        out
    }

    fn block(
        &mut self,
        toks: &[(Tok, u32, u32)],
        pos: &mut usize,
        depth: usize,
        site: Option<(u32, u32, &str)>,
    ) -> Vec<Directive> {
        let mut out = Vec::new();
        let mut words: Vec<(String, u32, u32)> = Vec::new();
        while let Some((t, line, col)) = toks.get(*pos) {
            *pos += 1;
            match t {
                Tok::Word(w) => words.push((w.clone(), *line, *col)),
                Tok::Close => {
                    if depth == 0 {
                        *pos -= 1;
                        return out;
                    }
                    if !words.is_empty() {
                        self.problem(site, *line, "directive not terminated by ';'");
                    }
                    return out;
                }
                Tok::Semi | Tok::Open => {
                    let Some(((name, l, c), args)) =
                        words.split_first().map(|(f, r)| (f.clone(), r.to_vec()))
                    else {
                        self.problem(site, *line, "unexpected ';' or '{'");
                        continue;
                    };
                    words.clear();
                    self.directives += 1;
                    if self.directives > MAX_NGINX_DIRECTIVES {
                        self.problem(site, l, &format!("more than {MAX_NGINX_DIRECTIVES} directives; the rest was not analysed"));
                        *pos = toks.len();
                        return out;
                    }
                    let mut d = Directive {
                        name,
                        args: args.into_iter().map(|a| a.0).collect(),
                        line: site.map_or(l, |s| s.0),
                        column: site.map_or(c, |s| s.1),
                        origin: site.map(|s| format!("{}:{l}", s.2)),
                        block: None,
                    };
                    if *t == Tok::Open {
                        if depth + 1 > MAX_NGINX_DEPTH {
                            self.problem(
                                site,
                                l,
                                &format!("blocks nested deeper than {MAX_NGINX_DEPTH}"),
                            );
                            *pos = toks.len();
                            return out;
                        }
                        let inner = self.block(toks, pos, depth + 1, site);
                        d.block = Some(inner);
                        out.push(d);
                    } else if d.name == "include" {
                        let (sl, sc) = (d.line, d.column);
                        out.extend(self.include(&d, (sl, sc)));
                    } else {
                        out.push(d);
                    }
                }
            }
        }
        if depth > 0 {
            let line = toks.last().map_or(1, |t| t.1);
            self.problem(site, line, "block not closed by '}'");
        } else if !words.is_empty() {
            let line = words.first().map_or(1, |w| w.1);
            self.problem(site, line, "directive not terminated by ';'");
        }
        out
    }

    fn problem(&mut self, site: Option<(u32, u32, &str)>, line: u32, why: &str) {
        match site {
            Some((l, _, name)) => self.problems.push((l, format!("{name}:{line}: {why}"))),
            None => self.problems.push((line, why.to_string())),
        }
    }

    fn include(&mut self, d: &Directive, site: (u32, u32)) -> Vec<Directive> {
        let Some(pattern) = d.args.first() else {
            return Vec::new();
        };
        if self.chain.len() >= MAX_INCLUDE_DEPTH {
            self.problems.push((
                site.0,
                format!("include {pattern}: includes nested deeper than {MAX_INCLUDE_DEPTH}"),
            ));
            return Vec::new();
        }
        let files: Vec<Included> = match self.loader.load(pattern) {
            Ok(f) => f,
            Err(why) => {
                let base = pattern.rsplit('/').next().unwrap_or(pattern);
                if !HARMLESS_INCLUDES.contains(&base) {
                    self.problems
                        .push((site.0, format!("include {pattern} not resolved: {why}")));
                }
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for f in files {
            if self.chain.contains(&f.id) {
                continue;
            }
            self.files_read += 1;
            if self.files_read > MAX_INCLUDED_FILES {
                self.problems.push((
                    site.0,
                    format!("more than {MAX_INCLUDED_FILES} included files; the rest was not read"),
                ));
                break;
            }
            self.chain.push(f.id.clone());
            let inner = self.parse(&f.text, Some((site.0, site.1, &f.name)));
            self.chain.pop();
            out.extend(inner);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nginx::NoIncludes;

    #[test]
    fn directives_blocks_quotes_comments() {
        let mut r = Reader::new(&NoIncludes);
        let d = r.parse(
            "http { # c\n  server { listen 443 ssl; add_header X \"a; b\" always; }\n}\n",
            None,
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let server = &d[0].block.as_ref().unwrap()[0];
        assert_eq!((server.name.as_str(), server.line), ("server", 2));
        let add = &server.block.as_ref().unwrap()[1];
        assert_eq!(add.args, ["X", "a; b", "always"]);
        assert_eq!(add.column, 28);
    }

    #[test]
    fn unbalanced_and_unterminated_are_problems() {
        for bad in ["http {", "}", "server { listen 80 }", "a \"b"] {
            let mut r = Reader::new(&NoIncludes);
            r.parse(bad, None);
            assert!(!r.problems.is_empty(), "{bad}");
        }
    }
}
