//! A Dockerfile reader: parser directives (`# escape=`), comments, line
//! continuations (comment and blank lines inside them dropped, as BuildKit
//! does), heredocs (`<<EOF`, `<<-"EOF"`), flags (`--from=`), and JSON or
//! shell forms. It only splits text; it evaluates nothing but `ARG`
//! defaults used in `FROM`.

use crate::limits::{MAX_CONTINUATION_LINES, MAX_DOCKERFILE_INSTRUCTIONS};

/// One instruction as written.
#[derive(Clone, Debug, Default)]
pub struct Instruction {
    /// Upper-case keyword (`RUN`, `FROM`...).
    pub keyword: String,
    /// Arguments after the keyword and flags, continuations joined with a space.
    pub args: String,
    /// `--name=value` flags before the arguments (`--mount` may repeat).
    pub flags: Vec<(String, String)>,
    /// The arguments in JSON (exec) form, when they are one.
    pub json: Option<Vec<String>>,
    /// Bodies of heredocs, in order.
    pub heredocs: Vec<String>,
    /// 1-based line of the keyword, and the last physical line of the instruction.
    pub line: u32,
    pub end_line: u32,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Shell text the instruction runs: the arguments, then heredoc bodies.
    pub fn script(&self) -> String {
        let mut s = match &self.json {
            Some(words) => words.join(" "),
            None => self.args.clone(),
        };
        for h in &self.heredocs {
            s.push('\n');
            s.push_str(h);
        }
        s
    }
}

/// The instructions, and what stopped the reading early, if anything.
#[derive(Debug, Default)]
pub struct Parsed {
    pub instructions: Vec<Instruction>,
    pub problem: Option<(u32, String)>,
}

const KEYWORDS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

pub fn parse(text: &str) -> Parsed {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Parsed::default();
    let escape = directives_escape(&lines);
    let mut i = 0usize;
    while let Some(&raw) = lines.get(i) {
        let start = i;
        i += 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if out.instructions.len() >= MAX_DOCKERFILE_INSTRUCTIONS {
            out.problem = Some((
                line_no(start),
                format!(
                    "more than {MAX_DOCKERFILE_INSTRUCTIONS} instructions; the rest was not analysed"
                ),
            ));
            return out;
        }
        let mut joined = String::new();
        let mut cur = trimmed.to_string();
        let mut joins = 0usize;
        loop {
            let t = cur.trim_end();
            match t.strip_suffix(escape) {
                Some(head) => {
                    joined.push_str(head);
                    joined.push(' ');
                }
                None => {
                    joined.push_str(t);
                    break;
                }
            }
            // Continuation: skip comment and blank lines, take the next one.
            let mut next = None;
            while let Some(&l) = lines.get(i) {
                i += 1;
                let lt = l.trim();
                if lt.is_empty() || lt.starts_with('#') {
                    continue;
                }
                next = Some(lt.to_string());
                break;
            }
            joins += 1;
            match next {
                Some(n) if joins <= MAX_CONTINUATION_LINES => cur = n,
                Some(_) => {
                    out.problem = Some((
                        line_no(start),
                        format!(
                            "an instruction continues over more than {MAX_CONTINUATION_LINES} lines"
                        ),
                    ));
                    return out;
                }
                None => break,
            }
        }
        let (kw, rest) = split_word(&joined);
        let keyword = kw.to_ascii_uppercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            if out.problem.is_none() {
                out.problem = Some((
                    line_no(start),
                    format!("unknown instruction '{}'", clip(kw)),
                ));
            }
            continue;
        }
        let (flags, args) = split_flags(rest);
        let mut ins = Instruction {
            json: json_array(args),
            keyword,
            args: args.to_string(),
            flags,
            line: line_no(start),
            ..Instruction::default()
        };
        for (delim, strip_tabs) in heredoc_markers(&ins) {
            let mut body = String::new();
            let mut closed = false;
            while let Some(&l) = lines.get(i) {
                i += 1;
                let cmp = if strip_tabs {
                    l.trim_start_matches('\t')
                } else {
                    l
                };
                if cmp.trim_end() == delim {
                    closed = true;
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            if !closed {
                out.problem = Some((ins.line, format!("heredoc '{delim}' is not terminated")));
            }
            ins.heredocs.push(body);
        }
        ins.end_line = line_no(i.saturating_sub(1)).max(ins.line);
        out.instructions.push(ins);
    }
    out
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index)
        .unwrap_or(u32::MAX - 1)
        .saturating_add(1)
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The escape character from a leading `# escape=` directive (default `\`).
fn directives_escape(lines: &[&str]) -> char {
    for l in lines {
        let Some(body) = l.trim().strip_prefix('#') else {
            return '\\';
        };
        let Some((k, v)) = body.split_once('=') else {
            return '\\';
        };
        if k.trim().eq_ignore_ascii_case("escape") && v.trim() == "`" {
            return '`';
        }
    }
    '\\'
}

/// First whitespace-separated word and the trimmed rest.
pub fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(p) => (
            s.get(..p).unwrap_or(s),
            s.get(p..).unwrap_or("").trim_start(),
        ),
        None => (s, ""),
    }
}

fn split_flags(mut rest: &str) -> (Vec<(String, String)>, &str) {
    let mut flags = Vec::new();
    while rest.starts_with("--") {
        let (word, tail) = split_word(rest);
        let body = word.get(2..).unwrap_or("");
        let (n, v) = body.split_once('=').unwrap_or((body, ""));
        flags.push((n.to_string(), v.to_string()));
        rest = tail;
    }
    (flags, rest)
}

/// `["a", "b"]` as strings; `None` when not a JSON array of strings.
pub fn json_array(s: &str) -> Option<Vec<String>> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(out),
            Some('"') => {}
            Some(_) => return None,
        }
        let mut word = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => word.push('\n'),
                    't' => word.push('\t'),
                    c => word.push(c),
                },
                c => word.push(c),
            }
        }
        out.push(word);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(out),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// Heredoc delimiters of RUN/COPY/ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`).
fn heredoc_markers(ins: &Instruction) -> Vec<(String, bool)> {
    if !matches!(ins.keyword.as_str(), "RUN" | "COPY" | "ADD") || ins.json.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = ins.args.as_str();
    while let Some(p) = rest.find("<<") {
        let after = rest.get(p + 2..).unwrap_or("");
        let (strip, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let after = after.trim_start_matches(['"', '\'']);
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && out.len() < 8 {
            out.push((name, strip));
        }
        rest = after;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_heredocs_and_json() {
        let p = parse(
            "# syntax=docker/dockerfile:1\nFROM a:1 AS b\nRUN apt-get update \\\n  # note\n\n  && apt-get install -y curl\nRUN <<EOF\necho hi\nEOF\nCMD [\"python\", \"-m\", \"x\"]\n",
        );
        assert!(p.problem.is_none());
        let k: Vec<_> = p
            .instructions
            .iter()
            .map(|i| (i.keyword.as_str(), i.line))
            .collect();
        assert_eq!(k, [("FROM", 2), ("RUN", 3), ("RUN", 7), ("CMD", 10)]);
        assert_eq!(
            p.instructions[1].args,
            "apt-get update  && apt-get install -y curl"
        );
        assert_eq!(p.instructions[2].heredocs, ["echo hi\n"]);
        assert_eq!(
            p.instructions[3].json.as_deref(),
            Some(&["python".to_string(), "-m".into(), "x".into()][..])
        );
    }

    #[test]
    fn escape_directive_and_unterminated_heredoc() {
        let p = parse("# escape=`\nFROM a:1\nRUN echo `\n  hi\n");
        assert_eq!(p.instructions[1].args, "echo  hi");
        let p = parse("FROM a:1\nRUN <<EOF\necho\n");
        assert!(p.problem.is_some());
    }
}
