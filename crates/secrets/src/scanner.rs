//! The engine: one aho-corasick pass over the input finds where the rules'
//! keywords occur; each rule with a hit runs its regex over windows around
//! those hits (the keyword's line, plus the lines the rule asks for, cut to
//! its byte reach), merged so that no byte is searched twice by one rule.
//! Rules without keywords (personal data) search the whole input.
//!
//! Matches are then checked (placeholders, entropy, the rule's checks),
//! overlaps resolved, allow comments applied, lines numbered.

use crate::checks::{self, BEFORE_CONTEXT, Candidate};
use crate::matches::{SecretMatch, number_lines, resolve_overlaps};
use crate::registry::registry;
use crate::spec::RuleSpec;
use crate::{
    Kinds, MAX_INPUT, MAX_MATCHES, REGEX_DFA_LIMIT, REGEX_SIZE_LIMIT, SecretsError, allow,
};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use aigis_findings::Rule;
use regex::bytes::{Captures, Regex, RegexBuilder};
use std::collections::HashMap;

/// Candidates (before overlap resolution) kept per input at most.
const MAX_CANDIDATES: usize = 4 * MAX_MATCHES;
/// A window cut inside a token is extended by at most this many bytes to the token's end.
const MAX_TOKEN_EXTEND: usize = 512;

struct Compiled {
    rule: &'static Rule,
    spec: &'static RuleSpec,
    regex: Regex,
    secret: usize,
    key: Option<usize>,
    user: Option<usize>,
    key_quote: Option<usize>,
    value_quote: Option<usize>,
    sep: Option<usize>,
}

/// The compiled builtin rules. Build once ([`SecretScanner::new`]) and share:
/// it is `Send + Sync` and scanning takes `&self`.
pub struct SecretScanner {
    rules: Vec<Compiled>,
    keywords: AhoCorasick,
    /// For each keyword of the automaton, the rules that list it.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: they search the whole input.
    always: Vec<usize>,
}

impl std::fmt::Debug for SecretScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretScanner")
            .field("rules", &self.rules.len())
            .field("keywords", &self.keyword_rules.len())
            .finish()
    }
}

fn compile(rule: &'static Rule, spec: &'static RuleSpec) -> Result<Compiled, SecretsError> {
    let regex = RegexBuilder::new(&spec.pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .build()
        .map_err(|source| SecretsError::Regex {
            id: spec.id.clone(),
            source,
        })?;
    let group = |name: &str| regex.capture_names().position(|n| n == Some(name));
    let secret = group("secret").ok_or_else(|| SecretsError::Invalid {
        id: spec.id.clone(),
        problem: "pattern has no `secret` group".into(),
    })?;
    Ok(Compiled {
        rule,
        spec,
        secret,
        key: group("key"),
        user: group("user"),
        key_quote: group("kq"),
        value_quote: group("vq"),
        sep: group("sep"),
        regex,
    })
}

impl SecretScanner {
    /// Compiles the builtin rules. Fails only if the embedded rule data is broken.
    pub fn new() -> Result<Self, SecretsError> {
        let reg = registry()?;
        let mut rules = Vec::with_capacity(reg.specs.len());
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut patterns: Vec<&str> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, (spec, rule)) in reg.specs.iter().zip(&reg.rules).enumerate() {
            rules.push(compile(rule, spec)?);
            if spec.keywords.is_empty() {
                always.push(i);
            }
            for kw in &spec.keywords {
                let k = *index.entry(kw.as_str()).or_insert_with(|| {
                    patterns.push(kw);
                    keyword_rules.push(Vec::new());
                    patterns.len() - 1
                });
                keyword_rules[k].push(i);
            }
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)?;
        Ok(SecretScanner {
            rules,
            keywords,
            keyword_rules,
            always,
        })
    }

    fn enabled(&self, i: usize, kinds: Kinds) -> bool {
        self.rules.get(i).is_some_and(|c| {
            if c.spec.personal {
                kinds.personal_data
            } else {
                kinds.secrets
            }
        })
    }

    /// Finds the secrets (and, if asked, personal data) in `text`, sorted by
    /// offset. Only the first [`MAX_INPUT`] bytes are scanned and at most
    /// [`MAX_MATCHES`] matches returned. A match whose line, or the line
    /// above, says `aigis: allow-secret <reason>` is dropped.
    pub fn scan(&self, text: &[u8], kinds: Kinds) -> Vec<SecretMatch> {
        let text = text.get(..MAX_INPUT).unwrap_or(text);
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.rules.len()];
        for hit in self.keywords.find_overlapping_iter(text) {
            let Some(rules) = self.keyword_rules.get(hit.pattern().as_usize()) else {
                continue;
            };
            for &i in rules {
                if !self.enabled(i, kinds) {
                    continue;
                }
                let list = &mut windows[i];
                if list
                    .last()
                    .is_some_and(|last| hit.start() >= last.0 && hit.end() <= last.1)
                {
                    continue;
                }
                let w = window(self.rules[i].spec, text, hit.start(), hit.end());
                merge(list, w);
            }
        }
        for &i in &self.always {
            if self.enabled(i, kinds) {
                windows[i] = vec![(0, text.len())];
            }
        }
        let mut found = Vec::new();
        for (i, list) in windows.iter().enumerate() {
            for &(start, end) in list {
                self.search(&self.rules[i], text, start, end, &mut found);
            }
        }
        let mut kept = resolve_overlaps(found);
        kept.retain(|m| !allow::allowed(text, m.start));
        kept.truncate(MAX_MATCHES);
        number_lines(text, &mut kept);
        kept
    }

    fn search(
        &self,
        c: &Compiled,
        text: &[u8],
        start: usize,
        end: usize,
        out: &mut Vec<SecretMatch>,
    ) {
        let Some(hay) = text.get(..end) else {
            return;
        };
        let mut pos = start;
        while pos <= end && out.len() < MAX_CANDIDATES {
            let Some(caps) = c.regex.captures_at(hay, pos) else {
                break;
            };
            let Some(whole) = caps.get(0) else {
                break;
            };
            pos = whole.end().max(pos + 1);
            if let Some(m) = candidate(c, text, &caps) {
                out.push(m);
            }
        }
    }
}

fn candidate(c: &Compiled, text: &[u8], caps: &Captures<'_>) -> Option<SecretMatch> {
    let secret = caps.get(c.secret)?;
    let bytes = secret.as_bytes();
    let spec = c.spec;
    if bytes.is_empty() || spec.min_length.is_some_and(|n| bytes.len() < n) {
        return None;
    }
    if !spec.personal && checks::is_placeholder(bytes) {
        return None;
    }
    if spec.min_entropy.is_some_and(|e| checks::entropy(bytes) < e) {
        return None;
    }
    let group = |i: Option<usize>| i.and_then(|k| caps.get(k)).map(|m| m.as_bytes());
    let cand = Candidate {
        secret: bytes,
        key: group(c.key),
        user: group(c.user),
        key_quote: group(c.key_quote),
        value_quote: group(c.value_quote),
        sep: group(c.sep),
        before: text
            .get(secret.start().saturating_sub(BEFORE_CONTEXT)..secret.start())
            .unwrap_or(&[]),
    };
    if !spec.checks.iter().all(|&k| checks::passes(k, &cand)) {
        return None;
    }
    Some(SecretMatch::new(
        c.rule,
        spec.specificity,
        secret.start(),
        bytes,
    ))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-+/=.".contains(&b)
}

/// The bytes a rule searches around a keyword hit at `s..e`: from the start
/// of the line `lines_before` above to the end of the line `lines_after`
/// below, each side cut to the rule's byte reach.
fn window(spec: &RuleSpec, text: &[u8], s: usize, e: usize) -> (usize, usize) {
    let reach = spec.window_bytes as usize;
    let lo = s.saturating_sub(reach);
    let mut start = s;
    for i in 0..=spec.lines_before {
        let upto = if i == 0 {
            start
        } else {
            start.saturating_sub(1)
        };
        match text.get(lo..upto).and_then(|t| memchr::memrchr(b'\n', t)) {
            Some(p) => start = lo + p + 1,
            None => {
                start = lo;
                break;
            }
        }
    }
    let hi = e.saturating_add(reach).min(text.len());
    let mut end = e;
    for i in 0..=spec.lines_after {
        let from = if i == 0 { end } else { end + 1 };
        match text.get(from..hi).and_then(|t| memchr::memchr(b'\n', t)) {
            Some(p) => end = from + p,
            None => {
                end = hi;
                break;
            }
        }
    }
    // A reach that stops inside a token would cut a secret short: finish the token.
    let limit = end.saturating_add(MAX_TOKEN_EXTEND).min(text.len());
    while end < limit && text.get(end).copied().is_some_and(is_token_byte) {
        end += 1;
    }
    (start, end)
}

/// Appends `w` to windows sorted by start, merging it into the last one if they touch.
fn merge(list: &mut Vec<(usize, usize)>, w: (usize, usize)) {
    if let Some(last) = list.last_mut()
        && w.0 <= last.1
        && w.1 >= last.0
    {
        *last = (last.0.min(w.0), last.1.max(w.1));
        return;
    }
    list.push(w);
}
