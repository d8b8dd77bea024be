//! The `aigis` binary: argument parsing, configuration, wiring, exit codes.
//!
//! Everything that prints or exits lives here; the libraries return data.

mod cli;
mod commands;
mod config;
mod output;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: parsing Python builds and frees many small tree nodes, and the
/// system allocator spent about a fifth of the code rules' time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, everywhere: 0 nothing at or above `--fail-on`; 1 findings at or
/// above it; 2 usage error, or something could not be scanned.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match commands::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) if output::is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("aigis: error: {}", one_line(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The error and its causes on one line: `failed to read x.toml: permission denied`.
fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}
