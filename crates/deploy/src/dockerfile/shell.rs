//! Just enough shell splitting to judge RUN lines: words (quotes removed)
//! grouped into simple commands, grouped into pipelines. No expansion, no
//! evaluation; `$(...)` and `<(...)` stay inside their word.

/// A pipeline: its commands in order, each a list of words.
pub type Pipeline = Vec<Vec<String>>;

/// Pipelines of `script` (separated by `&&`, `||`, `;`, `&` and newlines).
pub fn pipelines(script: &str) -> Vec<Pipeline> {
    let mut out: Vec<Pipeline> = Vec::new();
    let mut pipe: Pipeline = Vec::new();
    let mut cmd: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let mut quote: Option<char> = None;
    let mut depth = 0u32;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                in_word = true;
            }
            '(' if word.ends_with('$') || word.ends_with('<') || depth > 0 => {
                depth += 1;
                word.push(c);
            }
            ')' if depth > 0 => {
                depth -= 1;
                word.push(c);
            }
            _ if depth > 0 => word.push(c),
            ' ' | '\t' => end_word(&mut word, &mut in_word, &mut cmd),
            '|' | '&' | ';' | '\n' => {
                end_word(&mut word, &mut in_word, &mut cmd);
                let doubled = (c == '|' || c == '&') && chars.peek() == Some(&c);
                if doubled {
                    chars.next();
                }
                if !cmd.is_empty() {
                    pipe.push(std::mem::take(&mut cmd));
                }
                if (c != '|' || doubled) && !pipe.is_empty() {
                    out.push(std::mem::take(&mut pipe));
                }
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut cmd);
    if !cmd.is_empty() {
        pipe.push(cmd);
    }
    if !pipe.is_empty() {
        out.push(pipe);
    }
    out
}

fn end_word(word: &mut String, in_word: &mut bool, cmd: &mut Vec<String>) {
    if *in_word || !word.is_empty() {
        cmd.push(std::mem::take(word));
    }
    *in_word = false;
}

/// The command's program after wrappers (`sudo`, `env X=1`, `exec`) and
/// variable assignments: its index in `cmd`.
pub fn program(cmd: &[String]) -> Option<usize> {
    let mut i = 0;
    while let Some(w) = cmd.get(i) {
        let assignment = w.contains('=') && !w.starts_with('-') && !w.starts_with('=');
        if matches!(
            w.as_str(),
            "sudo" | "env" | "exec" | "nohup" | "time" | "command"
        ) || assignment
            || (w.starts_with('-') && i > 0)
        {
            i += 1;
            continue;
        }
        return Some(i);
    }
    None
}

/// The program's base name (`/usr/bin/curl` → `curl`).
pub fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pipelines_and_keeps_substitutions() {
        let p = pipelines(
            "curl -fsSL 'https://x/y.sh' | sudo bash && echo \"a b\"; sh -c \"$(wget -qO- u)\"",
        );
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[0],
            vec![
                vec!["curl", "-fsSL", "https://x/y.sh"],
                vec!["sudo", "bash"]
            ]
        );
        assert_eq!(p[1], vec![vec!["echo", "a b"]]);
        assert_eq!(p[2][0][2], "$(wget -qO- u)");
        assert_eq!(
            program(&p[0][1].iter().map(|s| s.to_string()).collect::<Vec<_>>()),
            Some(1)
        );
    }
}
