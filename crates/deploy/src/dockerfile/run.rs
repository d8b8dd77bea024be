//! Checks of RUN scripts: downloads piped into interpreters, unpinned
//! package installs, package caches left behind, world-writable chmod, sudo.

use crate::finding::DeployFinding;
use crate::position::Lines;
use crate::rules::dockerfile as r;

use super::parse::Instruction;
use super::shell::{base, pipelines, program};

const DOWNLOADERS: &[&str] = &["curl", "wget"];
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl", "ruby", "node", "php",
];

pub fn checks(i: &Instruction, lines: &Lines, stage_env: Vec<&str>, out: &mut Vec<DeployFinding>) {
    let script = i.script();
    let cache_mount = i
        .flags
        .iter()
        .any(|(n, v)| n == "mount" && v.contains("type=cache"));
    let evidence = format!("RUN {}", script.lines().next().unwrap_or(""));
    let at = |needle: &str| {
        let end = i.end_line;
        lines.find(i.line, end, needle)
    };
    for pipe in pipelines(&script) {
        pipe_to_shell(&pipe, &at, out, &evidence);
        for cmd in &pipe {
            let Some(p) = program(cmd) else { continue };
            let words = cmd.get(p..).unwrap_or(&[]);
            let prog = words.first().map_or("", |w| base(w));
            if cmd.first().is_some_and(|w| w == "sudo") {
                let (l, c) = at("sudo");
                out.push(DeployFinding::new(
                    &r::USES_SUDO,
                    l,
                    c,
                    "RUN uses sudo",
                    &evidence,
                    prog,
                ));
            }
            if prog == "chmod" {
                chmod(words, &at, out, &evidence);
            }
            install(
                prog,
                words,
                &script,
                cache_mount,
                &stage_env,
                &at,
                out,
                &evidence,
            );
        }
    }
}

fn pipe_to_shell(
    pipe: &[Vec<String>],
    at: &dyn Fn(&str) -> (u32, u32),
    out: &mut Vec<DeployFinding>,
    evidence: &str,
) {
    let prog_of = |cmd: &Vec<String>| {
        program(cmd)
            .and_then(|p| cmd.get(p))
            .map(|w| base(w).to_string())
            .unwrap_or_default()
    };
    let download = pipe
        .iter()
        .position(|c| DOWNLOADERS.contains(&prog_of(c).as_str()));
    let piped = download.is_some_and(|d| {
        pipe.iter()
            .skip(d + 1)
            .any(|c| INTERPRETERS.contains(&prog_of(c).as_str()))
    });
    // `sh -c "$(curl ...)"` and `bash <(curl ...)`.
    let substituted = pipe.iter().any(|c| {
        INTERPRETERS.contains(&prog_of(c).as_str())
            && c.iter().any(|w| {
                DOWNLOADERS
                    .iter()
                    .any(|d| w.contains(&format!("$({d} ")) || w.contains(&format!("<({d} ")))
            })
    });
    if piped || substituted {
        let first = pipe
            .first()
            .and_then(|c| c.first())
            .map_or("", String::as_str);
        let (l, c) = at(DOWNLOADERS
            .iter()
            .find(|d| evidence.contains(*d))
            .copied()
            .unwrap_or(first));
        out.push(DeployFinding::new(
            &r::PIPE_TO_SHELL,
            l,
            c,
            "a download is run by a shell or interpreter without verification",
            evidence,
            "pipe-to-shell",
        ));
    }
}

/// World-writable modes: the "other" digit has the write bit, or symbolic o+w/a+w.
pub fn world_writable_mode(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| c.is_digit(8)) {
        let other = mode.chars().last().and_then(|c| c.to_digit(8)).unwrap_or(0);
        return other & 2 != 0;
    }
    mode.split(',').any(|part| {
        let (who, perm) = match part.find(['+', '=']) {
            Some(p) => (part.get(..p).unwrap_or(""), part.get(p..).unwrap_or("")),
            None => return false,
        };
        (who.contains('o') || who.contains('a')) && perm.contains('w')
    })
}

fn chmod(
    words: &[String],
    at: &dyn Fn(&str) -> (u32, u32),
    out: &mut Vec<DeployFinding>,
    evidence: &str,
) {
    let Some(mode) = words.iter().skip(1).find(|w| !w.starts_with('-')) else {
        return;
    };
    if world_writable_mode(mode) {
        let (l, c) = at("chmod");
        out.push(DeployFinding::new(
            &r::CHMOD_777,
            l,
            c,
            format!("chmod {mode} makes files world-writable"),
            evidence,
            mode,
        ));
    }
}

/// Package manager, the install sub-command position, and the pin check.
fn manager(prog: &str, words: &[String]) -> Option<(&'static str, usize)> {
    let sub = |names: &[&str]| words.iter().position(|w| names.contains(&w.as_str()));
    match prog {
        "apt-get" | "apt" => sub(&["install"]).map(|p| ("apt", p)),
        "apk" => sub(&["add"]).map(|p| ("apk", p)),
        "pip" | "pip3" => sub(&["install"]).map(|p| ("pip", p)),
        "python" | "python3" | "uv" if words.iter().any(|w| w == "pip") => {
            sub(&["install"]).map(|p| ("pip", p))
        }
        "dnf" | "yum" | "microdnf" => sub(&["install"]).map(|p| ("rpm", p)),
        "conda" | "mamba" | "micromamba" => sub(&["install"]).map(|p| ("conda", p)),
        _ => None,
    }
}

fn pinned(kind: &str, pkg: &str) -> bool {
    match kind {
        "pip" => {
            pkg.contains("==")
                || pkg.contains('@')
                || pkg.contains('/')
                || pkg.ends_with(".whl")
                || pkg == "."
        }
        "rpm" => pkg
            .split('-')
            .skip(1)
            .any(|p| p.starts_with(|c: char| c.is_ascii_digit())),
        _ => pkg.contains('='),
    }
}

#[allow(clippy::too_many_arguments)]
fn install(
    prog: &str,
    words: &[String],
    script: &str,
    cache_mount: bool,
    stage_env: &[&str],
    at: &dyn Fn(&str) -> (u32, u32),
    out: &mut Vec<DeployFinding>,
    evidence: &str,
) {
    let Some((kind, sub)) = manager(prog, words) else {
        return;
    };
    let args = words.get(sub + 1..).unwrap_or(&[]);
    // Flags that take a value: their value is not a package.
    let mut skip_next = false;
    let mut unpinned = Vec::new();
    for w in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if w.starts_with('-') {
            let takes_value = matches!(
                w.as_str(),
                "-r" | "--requirement"
                    | "-c"
                    | "--constraint"
                    | "-e"
                    | "--editable"
                    | "-t"
                    | "--target"
                    | "-i"
                    | "--index-url"
                    | "--extra-index-url"
                    | "-f"
                    | "--find-links"
                    | "--repository"
                    | "-X"
                    | "-n"
                    | "--name"
                    | "-p"
                    | "--prefix"
                    | "--channel"
            );
            skip_next = takes_value;
            continue;
        }
        if w.contains('$') || w.starts_with('<') || w.starts_with('>') {
            continue;
        }
        if !pinned(kind, w) {
            unpinned.push(w.as_str());
        }
    }
    let word = words.first().map_or(prog, String::as_str);
    if !unpinned.is_empty() {
        let (l, c) = at(word);
        let list: Vec<&str> = unpinned.iter().take(8).copied().collect();
        out.push(DeployFinding::new(
            &r::PACKAGES_UNPINNED,
            l,
            c,
            format!("{prog} installs without a version: {}", list.join(", ")),
            evidence,
            format!("{kind}:{}", list.join(",")),
        ));
    }
    if cache_mount {
        return;
    }
    let has = |flag: &str| words.iter().any(|w| w == flag);
    let cache_kept = match kind {
        "apt" => !script.contains("/var/lib/apt/lists"),
        "apk" => !has("--no-cache"),
        "pip" => {
            !has("--no-cache-dir") && !stage_env.iter().any(|e| e.contains("PIP_NO_CACHE_DIR"))
        }
        _ => false,
    };
    if cache_kept {
        let (l, c) = at(word);
        let hint = match kind {
            "apt" => "apt lists are not removed (rm -rf /var/lib/apt/lists/*)",
            "apk" => "apk add without --no-cache",
            _ => "pip install without --no-cache-dir",
        };
        out.push(DeployFinding::new(
            &r::PACKAGE_CACHE_KEPT,
            l,
            c,
            hint,
            evidence,
            kind,
        ));
    }
}
