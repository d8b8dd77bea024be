//! Checks a corpus written by `bench/secrets_corpus.py` against its manifest:
//! every planted secret found as its rule, no match on a bait line, no match
//! outside the planted blocks. Prints what is missing or extra; exits 1 if any.
//!
//! `cargo run --release -p aigis-secrets --example corpus_check DIR`

use aigis_secrets::{Kinds, SecretScanner};
use serde_json::Value;
use std::path::Path;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: corpus_check DIR");
    let dir = Path::new(&dir);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest.json"))
            .expect("manifest is JSON");
    let empty = Vec::new();
    let secrets = manifest["secrets"].as_array().unwrap_or(&empty);
    let bait = manifest["bait"].as_array().unwrap_or(&empty);
    let scanner = SecretScanner::new().expect("builtin rules load");
    let mut files: Vec<&str> = secrets.iter().filter_map(|s| s["file"].as_str()).collect();
    files.sort_unstable();
    files.dedup();
    let mut problems = 0;
    for file in files {
        let text = std::fs::read(dir.join(file)).expect("planted file");
        let kinds = if file.ends_with(".ipynb") {
            Kinds::ALL
        } else {
            Kinds::SECRETS
        };
        let found = scanner.scan(&text, kinds);
        let in_file = |e: &&Value| e["file"].as_str() == Some(file);
        for s in secrets.iter().filter(in_file) {
            let (lo, hi) = (
                s["line"].as_u64().unwrap_or(0),
                s["end_line"].as_u64().unwrap_or(0),
            );
            let hit = found.iter().any(|m| {
                Some(m.rule.name) == s["rule"].as_str() && (lo..=hi).contains(&u64::from(m.line))
            });
            if !hit {
                problems += 1;
                println!("missed {file}:{lo}-{hi} {}", s["rule"]);
            }
        }
        for m in &found {
            let line = u64::from(m.line);
            let planted = secrets.iter().filter(in_file).any(|s| {
                let lo = s["line"].as_u64().unwrap_or(0);
                (lo..=s["end_line"].as_u64().unwrap_or(0)).contains(&line)
            });
            let baited = bait
                .iter()
                .filter(in_file)
                .any(|b| b["line"].as_u64() == Some(line));
            if baited || !planted {
                problems += 1;
                println!("extra {file}:{} {} {}", m.line, m.rule.name, m.redacted);
            }
        }
    }
    println!(
        "{} secrets, {} bait, {problems} problems",
        secrets.len(),
        bait.len()
    );
    if problems > 0 {
        std::process::exit(1);
    }
}
