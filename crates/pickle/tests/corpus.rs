//! Replays a directory of inputs (a fuzz corpus) in a debug build, where
//! arithmetic overflow panics, and checks that the slice and the reader
//! agree on each. Ignored by default:
//!
//! ```sh
//! AIGIS_PICKLE_CORPUS=fuzz/corpus/pickle cargo test -p aigis-pickle --test corpus -- --ignored
//! ```

mod common;

use aigis_pickle::{Options, analyze, analyze_reader};

fn everything(_: &str, _: &str) -> bool {
    true
}

#[test]
#[ignore = "needs AIGIS_PICKLE_CORPUS"]
fn replay_corpus() {
    let Ok(dir) = std::env::var("AIGIS_PICKLE_CORPUS") else {
        return;
    };
    let multi = Options {
        multi_stream: true,
        joblib_arrays: true,
        capture_args_of: &everything,
        ..Options::default()
    };
    let mut n = 0;
    let mut differ = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        // A running fuzzer may remove files meanwhile.
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        for o in [&Options::default(), &multi] {
            let a = analyze(&data, o);
            let b = analyze_reader(&data[..], o);
            // Known: a streaming reader cannot confirm a frame declared far
            // past a STOP in multi-stream mode.
            let known = matches!(
                b.stop,
                aigis_pickle::Stop::LimitExceeded {
                    limit: "max_set_aside",
                    ..
                }
            );
            if a != b && !known {
                if differ.len() < 3 {
                    println!("{}\n slice:  {a:?}\n reader: {b:?}", path.display());
                }
                differ.push(path.display().to_string());
            }
        }
        n += 1;
    }
    println!(
        "{n} inputs, {} where slice and reader differ (besides known cases)",
        differ.len()
    );
    for d in differ.iter().take(20) {
        println!("  {d}");
    }
}

#[test]
#[ignore = "needs AIGIS_PICKLE_ONE"]
fn replay_one() {
    let Ok(path) = std::env::var("AIGIS_PICKLE_ONE") else {
        return;
    };
    let data = std::fs::read(path).unwrap();
    let from: usize = std::env::var("AIGIS_PICKLE_FROM")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let multi = std::env::var("AIGIS_PICKLE_MULTI").is_ok();
    let o = Options {
        multi_stream: multi,
        joblib_arrays: true,
        capture_args_of: &everything,
        ..Options::default()
    };
    println!("slice:  {:?}", analyze(&data[from..], &o));
    println!("reader: {:?}", analyze_reader(&data[from..], &o));
}
