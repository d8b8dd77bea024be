//! Dockerfile rules over the instructions of `parse`: stage-aware (the user,
//! health check and base image of the final stage), with RUN scripts split
//! by `shell` for install, download and permission checks.

mod parse;
mod run;
mod shell;

use std::collections::HashMap;

use crate::finding::DeployFinding;
use crate::image::{ImageRef, Pin};
use crate::limits::MAX_CONFIG_BYTES;
use crate::position::Lines;
use crate::rules::dockerfile as r;
use crate::secret;
use parse::{Instruction, split_word};

pub fn analyze(text: &str) -> Vec<DeployFinding> {
    if text.len() > MAX_CONFIG_BYTES {
        return vec![DeployFinding::inconclusive(
            1,
            &format!(
                "too large: {} bytes (the limit is {MAX_CONFIG_BYTES}); not analysed",
                text.len()
            ),
        )];
    }
    let parsed = parse::parse(text);
    let lines = Lines::new(text);
    let mut out = Vec::new();
    if let Some((line, why)) = &parsed.problem {
        out.push(DeployFinding::inconclusive(*line, why));
    }
    let ins = &parsed.instructions;
    let Some(last_from) = ins.iter().rposition(|i| i.keyword == "FROM") else {
        if !ins.is_empty() {
            out.push(DeployFinding::inconclusive(
                1,
                "no FROM instruction: not a Dockerfile that builds",
            ));
        }
        return out;
    };
    from_checks(ins, &mut out);
    final_stage_checks(ins, last_from, &mut out);
    for i in ins {
        match i.keyword.as_str() {
            "ENV" | "ARG" => env_checks(i, &lines, &mut out),
            "ADD" | "COPY" => copy_checks(i, &lines, &mut out),
            "EXPOSE" => expose_checks(i, &lines, &mut out),
            "RUN" => run::checks(i, &lines, stage_env(ins, i), &mut out),
            _ => {}
        }
    }
    out
}

/// Base images: stage names and `ARG` defaults before the first FROM resolved.
fn from_checks(ins: &[Instruction], out: &mut Vec<DeployFinding>) {
    let mut globals: HashMap<String, String> = HashMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut seen_from = false;
    for i in ins {
        if i.keyword == "ARG" && !seen_from {
            for (k, v) in key_values(&i.args) {
                globals.insert(k, v);
            }
        }
        if i.keyword != "FROM" {
            continue;
        }
        seen_from = true;
        let (image, rest) = split_word(&i.args);
        let (as_kw, name) = split_word(rest);
        let image = substitute(image, &globals);
        let is_stage = stages.iter().any(|s| s.eq_ignore_ascii_case(&image));
        if as_kw.eq_ignore_ascii_case("as") && !name.is_empty() {
            stages.push(name.to_string());
        }
        if is_stage || image.eq_ignore_ascii_case("scratch") || image.contains('$') {
            continue;
        }
        let col = 6;
        match ImageRef::parse(&image).pin() {
            Pin::Digest => {}
            Pin::Tag => out.push(DeployFinding::new(
                &r::BASE_IMAGE_NO_DIGEST,
                i.line,
                col,
                format!("base image {image} is pinned by tag only"),
                &format!("FROM {}", i.args),
                &image,
            )),
            Pin::Latest | Pin::None => out.push(DeployFinding::new(
                &r::BASE_IMAGE_UNPINNED,
                i.line,
                col,
                format!("base image {image} has no version tag (or uses latest)"),
                &format!("FROM {}", i.args),
                &image,
            )),
        }
    }
}

fn substitute(word: &str, vars: &HashMap<String, String>) -> String {
    let mut s = word.to_string();
    for (k, v) in vars {
        if v.is_empty() {
            continue;
        }
        s = s
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("${k}"), v);
    }
    s
}

/// USER and HEALTHCHECK of the final stage (a stage built `FROM` an earlier
/// one inherits that stage's user).
fn final_stage_checks(ins: &[Instruction], last_from: usize, out: &mut Vec<DeployFinding>) {
    let Some(from) = ins.get(last_from) else {
        return;
    };
    let mut user: Option<&Instruction> = None;
    let mut stage_start = last_from;
    // Walk back through `FROM <earlier stage>` chains for an inherited USER.
    let mut guard = 0;
    loop {
        let tail = ins.get(stage_start + 1..).unwrap_or(&[]);
        let end = tail
            .iter()
            .position(|i| i.keyword == "FROM")
            .unwrap_or(tail.len());
        if let Some(u) = tail
            .get(..end)
            .unwrap_or(&[])
            .iter()
            .rev()
            .find(|i| i.keyword == "USER")
        {
            user = Some(u);
            break;
        }
        let Some(start) = ins.get(stage_start) else {
            break;
        };
        let (base, _) = split_word(&start.args);
        let parent = ins.get(..stage_start).unwrap_or(&[]).iter().rposition(|i| {
            let (_, rest) = split_word(&i.args);
            let (as_kw, name) = split_word(rest);
            i.keyword == "FROM"
                && as_kw.eq_ignore_ascii_case("as")
                && name.eq_ignore_ascii_case(base)
        });
        guard += 1;
        match parent {
            Some(p) if guard < 64 => stage_start = p,
            _ => break,
        }
    }
    // Images documented to run as an unprivileged user by default.
    let root_image = ins.get(stage_start).map_or("", |i| split_word(&i.args).0);
    let nonroot_base =
        root_image.contains(":nonroot") || root_image.starts_with("cgr.dev/chainguard/");
    match user {
        None if nonroot_base => {}
        None => out.push(DeployFinding::new(
            &r::RUNS_AS_ROOT,
            from.line,
            1,
            "the final stage sets no USER: the container runs as root",
            &format!("FROM {}", from.args),
            "no-user",
        )),
        Some(u) => {
            let name = u.args.split(':').next().unwrap_or("").trim();
            if name == "root" || name == "0" {
                out.push(DeployFinding::new(
                    &r::RUNS_AS_ROOT,
                    u.line,
                    1,
                    format!("the last USER of the final stage is {}", u.args.trim()),
                    &format!("USER {}", u.args),
                    "user-root",
                ));
            }
        }
    }
    let stage = ins.get(last_from..).unwrap_or(&[]);
    let health = stage
        .iter()
        .any(|i| i.keyword == "HEALTHCHECK" && !i.args.trim().eq_ignore_ascii_case("none"));
    if !health {
        out.push(DeployFinding::new(
            &r::NO_HEALTHCHECK,
            from.line,
            1,
            "the final stage declares no HEALTHCHECK",
            &format!("FROM {}", from.args),
            "no-healthcheck",
        ));
    }
}

/// `K=V K2="v 2"` pairs, or the legacy `K V` form (one pair).
pub(crate) fn key_values(args: &str) -> Vec<(String, String)> {
    let (first, rest) = split_word(args);
    if !first.contains('=') {
        return if first.is_empty() {
            Vec::new()
        } else {
            vec![(first.to_string(), unquote(rest))]
        };
    }
    let words = shell::pipelines(args).into_iter().flatten().flatten();
    words
        .filter_map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(t)
        .to_string()
}

fn env_checks(i: &Instruction, lines: &Lines, out: &mut Vec<DeployFinding>) {
    for (k, v) in key_values(&i.args) {
        if secret::is_secret_name(&k) && secret::is_literal_value(&v) {
            let (line, col) = lines.find(i.line, i.end_line, &k);
            out.push(DeployFinding::new(
                &r::SECRET_IN_ENV,
                line,
                col,
                format!(
                    "{} {k} is set to a literal value ({})",
                    i.keyword,
                    secret::redact(&v)
                ),
                &format!("{} {k}=<redacted>", i.keyword),
                &k,
            ));
        }
    }
}

/// Secret files copied in, URLs added, world-writable `--chmod`.
fn copy_checks(i: &Instruction, lines: &Lines, out: &mut Vec<DeployFinding>) {
    let words: Vec<String> = match &i.json {
        Some(w) => w.clone(),
        None => i.args.split_whitespace().map(str::to_string).collect(),
    };
    let sources = words.get(..words.len().saturating_sub(1)).unwrap_or(&[]);
    for src in sources {
        if src.starts_with("<<") {
            continue;
        }
        let (line, col) = lines.find(i.line, i.end_line, src);
        let remote = src.starts_with("http://")
            || src.starts_with("https://")
            || src.starts_with("git@")
            || src.ends_with(".git");
        if i.keyword == "ADD" && remote && i.flag("checksum").is_none() {
            out.push(DeployFinding::new(
                &r::ADD_FROM_URL,
                line,
                col,
                format!("ADD fetches {src} without a checksum"),
                &format!("ADD {}", i.args),
                src,
            ));
        }
        if !remote && i.flag("from").is_none() && secret_file(src) {
            out.push(DeployFinding::new(
                &r::SECRET_FILE_COPIED,
                line,
                col,
                format!("{} copies {src} into the image", i.keyword),
                &format!("{} {}", i.keyword, i.args),
                src,
            ));
        }
    }
    if let Some(mode) = i.flag("chmod")
        && run::world_writable_mode(mode)
    {
        let (line, col) = lines.find(i.line, i.end_line, "--chmod");
        out.push(DeployFinding::new(
            &r::CHMOD_777,
            line,
            col,
            format!("{} --chmod={mode} makes files world-writable", i.keyword),
            &format!("{} --chmod={mode}", i.keyword),
            mode,
        ));
    }
}

fn secret_file(src: &str) -> bool {
    let name = src
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(src)
        .to_ascii_lowercase();
    let env = name == ".env"
        || (name.starts_with(".env.")
            && !["example", "sample", "template", "dist", "defaults"]
                .iter()
                .any(|s| name.ends_with(s)));
    env || name.ends_with(".pem")
        || name.ends_with(".key")
        || name.ends_with(".p12")
        || name.starts_with("id_rsa")
        || name.starts_with("id_ed25519")
        || name.starts_with("id_ecdsa")
        || matches!(
            name.as_str(),
            ".netrc"
                | ".npmrc"
                | ".pypirc"
                | "credentials"
                | ".aws"
                | ".ssh"
                | ".git-credentials"
                | ".dockercfg"
                | "kubeconfig"
        )
}

fn expose_checks(i: &Instruction, lines: &Lines, out: &mut Vec<DeployFinding>) {
    for p in i.args.split_whitespace() {
        let port = p.split('/').next().unwrap_or(p);
        if port.is_empty() || port.contains('$') || port == "443" {
            continue;
        }
        let (line, col) = lines.find(i.line, i.end_line, p);
        let (rule, msg) = if port == "22" {
            (
                &r::EXPOSES_SSH,
                "EXPOSE 22: the image advertises SSH".to_string(),
            )
        } else {
            (
                &r::EXPOSES_NON_TLS_PORT,
                format!("EXPOSE {p}: a port other than 443"),
            )
        };
        out.push(DeployFinding::new(
            rule,
            line,
            col,
            msg,
            &format!("EXPOSE {}", i.args),
            port,
        ));
    }
}

/// ENV names set in the stage of `target` before it (for PIP_NO_CACHE_DIR).
fn stage_env<'a>(ins: &'a [Instruction], target: &Instruction) -> Vec<&'a str> {
    let mut env = Vec::new();
    for i in ins {
        if std::ptr::eq(i, target) {
            break;
        }
        if i.keyword == "FROM" {
            env.clear();
        }
        if i.keyword == "ENV" {
            env.push(i.args.as_str());
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fuzz crash: `EXPOSE /tcp` gave a finding with an empty fingerprint key.
    #[test]
    fn fuzz_crash_expose_without_port_has_no_empty_key() {
        for text in [
            "FROM a\nEXPOSE /tcp 8000\n",
            "FROM a\nENV =x\nRUN chmod '' f\n",
        ] {
            for f in analyze(text) {
                assert!(!f.key.is_empty() && f.line >= 1 && f.column >= 1, "{f:?}");
            }
        }
    }

    #[test]
    fn findings_point_into_continuation_lines() {
        let text = "FROM a:1@sha256:00\nUSER 1\nHEALTHCHECK CMD true\nENV A=1 \\\n    API_KEY=sk-9fK2mQ7xLp3vR8tZ1wY4 \\\n    B=2\nRUN apt-get update \\\n && curl -sSL https://x.io/i | sh\n";
        let got: Vec<_> = analyze(text)
            .iter()
            .map(|f| (f.rule.id, f.line, f.column))
            .collect();
        assert_eq!(got, [("AIG406", 5, 5), ("AIG405", 8, 5)]);
    }
}
