//! The engine: one aho-corasick pass over the input finds where the rules'
//! keywords occur (leftmost-longest, plus the keywords inside the one found;
//! two keywords that only partly overlap in the text yield the first); each rule with a hit runs its regex over windows around
//! those hits (the keyword's line, plus the lines the rule asks for, cut to
//! its byte reach), merged so that no byte is searched twice by one rule.
//! Rules without keywords (personal data) search the whole input. Anchored
//! rules (the generic assignments, whose keywords are common words) instead
//! run once at each keyword hit, anchored there: most hits (`tokenizer`)
//! fail within a few bytes.
//!
//! Matches are then checked (placeholders, entropy, the rule's checks),
//! overlaps resolved, allow comments applied, lines numbered.

use crate::checks::{self, BEFORE_CONTEXT, Candidate};
use crate::matches::{SecretMatch, number_lines, resolve_overlaps};
use crate::registry::registry;
use crate::spec::RuleSpec;
use crate::windows::{merge, window};
use crate::{
    Kinds, MAX_INPUT, MAX_MATCHES, REGEX_DFA_LIMIT, REGEX_SIZE_LIMIT, SecretsError, allow,
};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use aigis_findings::Rule;
use regex_automata::meta::{Cache, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, PatternID};
use std::collections::HashMap;
use std::sync::Mutex;

/// Candidates (before overlap resolution) kept per input at most.
const MAX_CANDIDATES: usize = 4 * MAX_MATCHES;
/// Sets of regex caches kept for reuse (about one per scanning thread).
const MAX_POOLED: usize = 64;
/// How far back a `key` of an anchored rule is extended over identifier bytes.
const MAX_KEY_PREFIX: usize = 40;

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
    /// For each keyword, the other keywords inside it, with their offsets:
    /// the automaton reports the longest keyword at a position, and these
    /// are dispatched with it (`auth_token` also hits `token`).
    inner: Vec<Vec<(usize, usize)>>,
    /// Byte length of each keyword.
    keywords_len: Vec<usize>,
    /// Rules without keywords: they search the whole input.
    always: Vec<usize>,
    /// Regex caches of finished scans, reused by the next ones (making them
    /// costs more than scanning a small file).
    pool: Mutex<Vec<Vec<Option<Work>>>>,
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
    let regex = Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            Regex::config()
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(REGEX_DFA_LIMIT),
        )
        .build(&spec.pattern)
        .map_err(|source| SecretsError::Regex {
            id: spec.id.clone(),
            source: Box::new(source),
        })?;
    let group = |name: &str| regex.group_info().to_index(PatternID::ZERO, name);
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

/// Per-scan state of one rule: its regex cache and captures, made on first use.
struct Work {
    cache: Cache,
    caps: Captures,
}

/// What one scan accumulates.
struct Scan<'t> {
    text: &'t [u8],
    work: Vec<Option<Work>>,
    /// Windows of each windowed rule, in order, merged.
    windows: Vec<Vec<(usize, usize)>>,
    /// For each anchored rule, where its last match ended (hits before it are skipped).
    next: Vec<usize>,
    found: Vec<SecretMatch>,
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
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)?;
        let inner = patterns
            .iter()
            .map(|outer| {
                let mut found = Vec::new();
                for (k, kw) in patterns.iter().enumerate() {
                    if kw.len() < outer.len() {
                        found.extend(outer.match_indices(kw).map(|(at, _)| (k, at)));
                    }
                }
                found
            })
            .collect();
        Ok(SecretScanner {
            rules,
            keywords,
            keyword_rules,
            inner,
            keywords_len: patterns.iter().map(|p| p.len()).collect(),
            always,
            pool: Mutex::new(Vec::new()),
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
        let n = self.rules.len();
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut st = Scan {
            text,
            work: pooled.unwrap_or_else(|| (0..n).map(|_| None).collect()),
            windows: vec![Vec::new(); n],
            next: vec![0; n],
            found: Vec::new(),
        };
        for hit in self.keywords.find_iter(text) {
            let k = hit.pattern().as_usize();
            self.dispatch(k, hit.start(), kinds, &mut st);
            for &(inner, at) in self.inner.get(k).map_or(&[][..], Vec::as_slice) {
                self.dispatch(inner, hit.start() + at, kinds, &mut st);
            }
        }
        for &i in &self.always {
            if self.enabled(i, kinds) {
                st.windows[i] = vec![(0, text.len())];
            }
        }
        for i in 0..n {
            for w in std::mem::take(&mut st.windows[i]) {
                self.search(i, w, Anchored::No, &mut st);
            }
        }
        if let Ok(mut pool) = self.pool.lock()
            && pool.len() < MAX_POOLED
        {
            pool.push(std::mem::take(&mut st.work));
        }
        let mut kept = resolve_overlaps(st.found);
        kept.retain(|m| !allow::allowed(text, m.start));
        kept.truncate(MAX_MATCHES);
        number_lines(text, &mut kept);
        kept
    }

    /// Keyword `k` occurs at `start`: hands the hit to its enabled rules.
    fn dispatch(&self, k: usize, start: usize, kinds: Kinds, st: &mut Scan<'_>) {
        let (Some(rules), Some(kw)) = (self.keyword_rules.get(k), self.keywords_len.get(k)) else {
            return;
        };
        for &i in rules {
            if self.enabled(i, kinds) {
                self.on_hit(i, start, start + kw, st);
            }
        }
    }

    fn on_hit(&self, i: usize, s: usize, e: usize, st: &mut Scan<'_>) {
        let spec = self.rules[i].spec;
        if spec.anchored {
            if s >= st.next[i] {
                let end = s
                    .saturating_add(spec.window_bytes as usize)
                    .min(st.text.len());
                self.search(i, (s, end), Anchored::Yes, st);
            }
            return;
        }
        let list = &mut st.windows[i];
        if list.last().is_some_and(|last| s >= last.0 && e <= last.1) {
            return;
        }
        merge(list, window(spec, st.text, s, e));
    }

    /// Runs rule `i` over `span` (once if anchored, else to the span's end).
    fn search(&self, i: usize, span: (usize, usize), anchored: Anchored, st: &mut Scan<'_>) {
        let c = &self.rules[i];
        let work = st.work[i].get_or_insert_with(|| Work {
            cache: c.regex.create_cache(),
            caps: c.regex.create_captures(),
        });
        let (mut pos, end) = (span.0, span.1.min(st.text.len()));
        while pos < end && st.found.len() < MAX_CANDIDATES {
            let input = Input::new(st.text).range(pos..end).anchored(anchored);
            c.regex
                .search_captures_with(&mut work.cache, &input, &mut work.caps);
            let Some(m) = work.caps.get_match() else {
                break;
            };
            pos = m.end().max(pos + 1);
            st.next[i] = m.end();
            if let Some(found) = candidate(c, st.text, &work.caps) {
                st.found.push(found);
            }
            if anchored == Anchored::Yes {
                break;
            }
        }
    }
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_.-".contains(&b)
}

fn candidate(c: &Compiled, text: &[u8], caps: &Captures) -> Option<SecretMatch> {
    let span = |i: Option<usize>| i.and_then(|k| caps.get_group(k));
    let secret = span(Some(c.secret))?;
    let bytes = text.get(secret.range())?;
    let spec = c.spec;
    if bytes.is_empty() || spec.min_length.is_some_and(|n| bytes.len() < n) {
        return None;
    }
    let group = |i: Option<usize>| span(i).and_then(|s| text.get(s.range()));
    let key = span(c.key).and_then(|k| {
        let mut start = k.start;
        if spec.anchored {
            let floor = start.saturating_sub(MAX_KEY_PREFIX);
            while start > floor && text.get(start - 1).copied().is_some_and(is_key_byte) {
                start -= 1;
            }
        }
        text.get(start..k.end)
    });
    let cand = Candidate {
        secret: bytes,
        key,
        user: group(c.user),
        key_quote: group(c.key_quote),
        value_quote: group(c.value_quote),
        sep: group(c.sep),
        before: text
            .get(secret.start.saturating_sub(BEFORE_CONTEXT)..secret.start)
            .unwrap_or(&[]),
    };
    // Cheapest first: the rule's structural checks, then entropy, then placeholders.
    if !spec.checks.iter().all(|&k| checks::passes(k, &cand)) {
        return None;
    }
    if spec.min_entropy.is_some_and(|e| checks::entropy(bytes) < e) {
        return None;
    }
    if !spec.personal && checks::is_placeholder(bytes) {
        return None;
    }
    Some(SecretMatch::new(
        c.rule,
        spec.specificity,
        secret.start,
        bytes,
    ))
}
