//! Where the time of the code rules goes: lexing, parsing and the whole
//! analysis, each over every `.py` file under the given directories.
//!
//!     cargo run --release -p aigis-pycode --example phases -- DIR...
//!
//! `PHASE=lex|parse|analyze|prefilter|prefiltered` runs one phase; `ROUNDS=N`
//! (default 5) rounds each, of which the fastest is reported. `prefilter` is
//! `could_fire` alone, `prefiltered` the analysis as the scanner runs it
//! (parsing only the files `could_fire` keeps). Before timing, every file is
//! checked: one that `could_fire` clears must get no finding from `analyze`
//! (the program exits 1 otherwise); `CHECK=0` skips that check.

use std::time::Instant;

fn main() {
    let mut sources = Vec::new();
    for dir in std::env::args().skip(1) {
        collect(std::path::Path::new(&dir), &mut sources);
    }
    let bytes: usize = sources.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    println!("{} files, {mb:.1} MB", sources.len());
    let kept: usize = sources
        .iter()
        .filter(|s| aigis_pycode::could_fire(s))
        .map(String::len)
        .sum();
    println!(
        "could_fire keeps {:.1} MB ({:.0}%)",
        kept as f64 / 1e6,
        100.0 * kept as f64 / bytes.max(1) as f64
    );
    let check = std::env::var("CHECK").map_or(true, |c| c != "0");
    let unsound = sources
        .iter()
        .filter(|_| check)
        .filter(|s| !aigis_pycode::could_fire(s) && !aigis_pycode::analyze(s).findings.is_empty())
        .count();
    if unsound > 0 {
        eprintln!("UNSOUND: {unsound} files cleared by could_fire have findings");
        std::process::exit(1);
    }
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
    time("prefilter", &|s| usize::from(aigis_pycode::could_fire(s)));
    time("prefiltered", &|s| {
        aigis_pycode::analyze_prefiltered(s).findings.len()
    });
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
