//! Where the time of the code rules goes: lexing, parsing and the whole
//! analysis, each over every `.py` file under the given directories.
//!
//!     cargo run --release -p aigis-pycode --example phases -- DIR...
//!
//! `PHASE=lex|parse|analyze` runs one phase; `ROUNDS=N` (default 5) rounds
//! each, of which the fastest is reported.

use std::time::Instant;

fn main() {
    let mut sources = Vec::new();
    for dir in std::env::args().skip(1) {
        collect(std::path::Path::new(&dir), &mut sources);
    }
    let bytes: usize = sources.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    println!("{} files, {mb:.1} MB", sources.len());
    // The fastest of several rounds: the least disturbed by other load.
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let time = |name: &str, f: &dyn Fn(&str) -> usize| {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..rounds {
            let start = Instant::now();
            n = sources.iter().map(|s| f(s)).sum();
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!("{name:<10} {best:>7.3} s  {:>6.1} MB/s  ({n})", mb / best);
    };
    let only = std::env::var("PHASE").unwrap_or_default();
    let time = |name: &str, f: &dyn Fn(&str) -> usize| {
        if only.is_empty() || only == name {
            time(name, f)
        }
    };
    time("lex", &|s| {
        let mut lexer = ruff_python_parser::lexer::lex(s, ruff_python_parser::Mode::Module);
        let mut n = 0;
        while lexer.next_token() != ruff_python_ast::token::TokenKind::EndOfFile {
            n += 1;
        }
        n
    });
    time("parse", &|s| {
        ruff_python_parser::parse_unchecked_source(s, ruff_python_ast::PySourceType::Python)
            .syntax()
            .body
            .len()
    });
    time("analyze", &|s| aigis_pycode::analyze(s).findings.len());
}

fn collect(dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "py")
            && let Ok(s) = std::fs::read_to_string(&p)
        {
            out.push(s);
        }
    }
}
