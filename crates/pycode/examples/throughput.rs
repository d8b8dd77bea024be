//! Throughput of `analyze` on one large Python file, single-threaded.
//!
//! ```sh
//! find /path/to/site-packages -name '*.py' -size -200k -print0 | xargs -0 cat > /tmp/big.py
//! cargo run --release -p aigis-pycode --example throughput -- /tmp/big.py
//! ```
//! Files that fail to parse as one module still count: the parser recovers.

use std::time::Instant;

const ROUNDS: u32 = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: throughput FILE.py")?;
    let source = std::fs::read_to_string(&path)?;
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let a = aigis_pycode::analyze(&source);
        best = best.min(t.elapsed().as_secs_f64());
        findings = a.findings.len();
        if let Some(p) = a.parse_error {
            eprintln!("parse problem: {p}");
        }
    }
    let mb = source.len() as f64 / 1e6;
    println!(
        "{mb:.1} MB, {findings} findings, best of {ROUNDS}: {:.3} s = {:.1} MB/s on one core",
        best,
        mb / best
    );
    Ok(())
}
