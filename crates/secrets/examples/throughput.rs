//! Scans a generated 100 MB source-like buffer and prints MB/s.
//!
//! `cargo run --release -p aigis-secrets --example throughput [MB | PATH...]`
//!
//! With paths instead of a size, the files under them (recursively) are
//! concatenated and scanned instead, e.g. a Python installation's sources.
//!
//! The filler is Python-like ML code with the words the generic rules key on
//! (`token`, `password`, `secret`, `api_key`) and a few planted secrets, so
//! the prefilter hits and windows are exercised, not only skipped.

use aigis_secrets::{Kinds, MAX_INPUT, SecretScanner};
use std::time::Instant;

const LINES: &[&str] = &[
    "import torch\n",
    "from transformers import AutoTokenizer, AutoModelForCausalLM\n",
    "tokenizer = AutoTokenizer.from_pretrained(model_name, use_fast=True)\n",
    "    inputs = tokenizer(batch[\"text\"], return_tensors=\"pt\", padding=True)\n",
    "    max_tokens = config.get(\"max_tokens\", 4096)\n",
    "def train(model, loader, optimizer, epochs: int = 3) -> float:\n",
    "    for step, batch in enumerate(loader):\n",
    "        loss = model(**batch).loss / accumulation_steps\n",
    "        loss.backward()\n",
    "    password = os.environ[\"DB_PASSWORD\"]\n",
    "    api_key = os.getenv(\"OPENAI_API_KEY\")\n",
    "    # the secret sauce is a cosine schedule with warmup\n",
    "    logger.info(\"epoch %d step %d loss %.4f\", epoch, step, loss.item())\n",
    "    mask = attention_mask.unsqueeze(-1).expand(hidden.size()).float()\n",
    "class Trainer(BaseTrainer):\n",
    "    \"\"\"Fine-tunes a causal language model on tokenized chunks.\"\"\"\n",
    "    self.eos_token_id = tokenizer.eos_token_id\n",
    "\n",
    "    return {\"accuracy\": acc, \"f1\": f1_score(labels, preds, average=\"macro\")}\n",
    "SECRET_NAME = \"prod/ml/feature-store\"\n",
];

/// Piece size of the small-files measurement.
const SMALL_FILE: usize = 4096;

fn corpus(bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 256);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut n = 0u64;
    while out.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let line = LINES[(x % LINES.len() as u64) as usize];
        out.extend_from_slice(line.as_bytes());
        n += 1;
        if n.is_multiple_of(50_000) {
            let planted = format!(
                "HF_TOKEN = \"hf_{}\"\n",
                "oQFnxkIBUBDxTntOVCJMEfnVmhWfwTRNSk"
            );
            out.extend_from_slice(planted.as_bytes());
        }
    }
    out
}

fn read_tree(path: &std::path::Path, out: &mut Vec<u8>) {
    if let Ok(dir) = std::fs::read_dir(path) {
        let mut entries: Vec<_> = dir.flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            read_tree(&e, out);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        out.extend_from_slice(&bytes);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = match args.first().map(|a| a.parse::<usize>()) {
        Some(Ok(mb)) => corpus(mb << 20),
        None => corpus(100 << 20),
        Some(Err(_)) => {
            let mut out = Vec::new();
            for a in &args {
                read_tree(std::path::Path::new(a), &mut out);
            }
            out
        }
    };
    let mb = text.len() >> 20;
    let scanner = SecretScanner::new().expect("builtin rules load");
    for (label, kinds) in [
        ("secrets", Kinds::SECRETS),
        ("secrets+personal", Kinds::ALL),
    ] {
        let t = Instant::now();
        let mut by_rule = std::collections::BTreeMap::<&str, usize>::new();
        for chunk in text.chunks(MAX_INPUT) {
            for m in scanner.scan(chunk, kinds) {
                *by_rule.entry(m.rule.name).or_default() += 1;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let found: usize = by_rule.values().sum();
        let rate = text.len() as f64 / (1u64 << 20) as f64 / secs;
        println!("{label}: {mb} MiB in {secs:.3} s = {rate:.1} MiB/s ({found} matches)");
        println!("  {by_rule:?}");
    }
    // Many small files: the fixed cost of a scan (per-rule state, caches).
    let t = Instant::now();
    let mut found = 0;
    for chunk in text.chunks(SMALL_FILE) {
        found += scanner.scan(chunk, Kinds::SECRETS).len();
    }
    let secs = t.elapsed().as_secs_f64();
    let rate = text.len() as f64 / (1u64 << 20) as f64 / secs;
    let per = secs * 1e6 / text.len().div_ceil(SMALL_FILE) as f64;
    println!(
        "secrets in {SMALL_FILE}-byte pieces: {rate:.1} MiB/s, {per:.1} us per piece ({found} matches)"
    );
}
