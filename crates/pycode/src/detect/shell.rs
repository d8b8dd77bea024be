//! Shell lines of notebooks (`!cmd`, `%pip ...`): downloads piped into an
//! interpreter, pip installs over plain HTTP or from extra indexes, and
//! world-writable permissions. Token-based, no shell parsing.

use super::Hit;
use crate::model::Span;
use crate::rules::{
    chmod_world_writable, pip_extra_index_url, pip_insecure_index, shell_pipe_to_interpreter,
};

const FETCHERS: &[&str] = &["curl", "wget"];
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "python", "python3", "perl", "ruby", "node",
];
const WORLD_MODES: &[&str] = &["777", "666", "o+w", "a+w", "a+rwx", "o+rwx", "ugo+rwx"];

/// Hits on one shell command; spans are byte offsets into `command`.
pub(crate) fn scan_shell(command: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    for segment in split_commands(command) {
        pipe_to_interpreter(command, segment, &mut out);
        pip(command, segment, &mut out);
        chmod(command, segment, &mut out);
    }
    out
}

/// Byte ranges of `;`, `&&` and `||` separated commands (pipes stay joined).
fn split_commands(command: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    let bytes = command.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let two = bytes.get(i..i + 2);
        let sep = if bytes.get(i) == Some(&b';') || bytes.get(i) == Some(&b'\n') {
            1
        } else if two == Some(b"&&") || two == Some(b"||") {
            2
        } else {
            0
        };
        if sep > 0 {
            spans.push(Span { start, end: i });
            start = i + sep;
            i += sep;
        } else {
            i += 1;
        }
    }
    spans.push(Span {
        start,
        end: bytes.len(),
    });
    spans
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '<')
        .map(|w| w.trim_start_matches(['!', '%']))
        .filter(|w| !w.is_empty())
        .collect()
}

fn hit(rule: &'static aigis_findings::Rule, seg: Span, message: String, key: &str) -> Hit {
    Hit {
        rule,
        span: seg,
        message,
        key: key.to_string(),
    }
}

fn pipe_to_interpreter(command: &str, seg: Span, out: &mut Vec<Hit>) {
    let text = command.get(seg.start..seg.end).unwrap_or("");
    let stages: Vec<Vec<&str>> = text.split('|').map(words).collect();
    let fetch = stages
        .iter()
        .position(|s| s.iter().any(|w| FETCHERS.contains(w)));
    let Some(fetch) = fetch else { return };
    let piped = stages
        .iter()
        .skip(fetch + 1)
        .find_map(|s| interpreter_in(s));
    // `bash <(curl ...)` and `python -c "$(curl ...)"` have the fetcher inside the interpreter's stage.
    let wrapped = stages.get(fetch).and_then(|s| {
        s.first()
            .filter(|w| INTERPRETERS.contains(&base(w)))
            .copied()
    });
    if let Some(interp) = piped.or(wrapped) {
        let msg = format!(
            "a download is run by {interp} as it arrives: whoever controls the URL or the network runs code here"
        );
        out.push(hit(
            &shell_pipe_to_interpreter::RULE,
            seg,
            msg,
            &format!("fetch|{interp}"),
        ));
    }
}

fn interpreter_in<'a>(stage: &[&'a str]) -> Option<&'a str> {
    stage
        .iter()
        .find(|w| INTERPRETERS.contains(&base(w)))
        .copied()
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn pip(command: &str, seg: Span, out: &mut Vec<Hit>) {
    let text = command.get(seg.start..seg.end).unwrap_or("");
    let w = words(text);
    let is_pip = w.iter().any(|x| matches!(base(x), "pip" | "pip3")) && w.contains(&"install");
    if !is_pip {
        return;
    }
    for (i, word) in w.iter().enumerate() {
        let next = w.get(i + 1).copied().unwrap_or("");
        let (flag, value) = word.split_once('=').unwrap_or((word, next));
        if matches!(
            flag,
            "--index-url" | "-i" | "--extra-index-url" | "-f" | "--find-links"
        ) && value.starts_with("http://")
        {
            let msg = format!(
                "pip {flag} {value} fetches packages over plain HTTP: anyone on the path can swap them"
            );
            out.push(hit(
                &pip_insecure_index::RULE,
                seg,
                msg,
                &format!("pip {flag} http"),
            ));
        } else if flag == "--trusted-host" {
            let msg = format!("pip --trusted-host {value} turns off TLS checks for that host");
            out.push(hit(
                &pip_insecure_index::RULE,
                seg,
                msg,
                "pip --trusted-host",
            ));
        } else if word.starts_with("http://") {
            let msg =
                format!("pip installs {word} over plain HTTP: anyone on the path can swap it");
            out.push(hit(&pip_insecure_index::RULE, seg, msg, "pip install http"));
        }
        if flag == "--extra-index-url" {
            let msg = "pip --extra-index-url: pip picks the highest version from any index, so a public package of the same name can win (dependency confusion)".to_string();
            out.push(hit(
                &pip_extra_index_url::RULE,
                seg,
                msg,
                "pip --extra-index-url",
            ));
        }
    }
}

fn chmod(command: &str, seg: Span, out: &mut Vec<Hit>) {
    let text = command.get(seg.start..seg.end).unwrap_or("");
    let w = words(text);
    if !w.iter().any(|x| base(x) == "chmod") {
        return;
    }
    if let Some(mode) = w.iter().find(|x| WORLD_MODES.contains(x)) {
        let msg = format!(
            "chmod {mode} makes files writable by every user: any process can change code or models"
        );
        out.push(hit(
            &chmod_world_writable::RULE,
            seg,
            msg,
            &format!("chmod {mode}"),
        ));
    }
}
