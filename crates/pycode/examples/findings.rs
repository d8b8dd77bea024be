//! Print the findings of Python files (or notebook shell lines with `--shell`).
//!
//! `cargo run -p aigis-pycode --example findings -- FILE.py...`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shell = args.iter().any(|a| a == "--shell");
    for path in args.iter().filter(|a| *a != "--shell") {
        let text = String::from_utf8_lossy(&std::fs::read(path)?).into_owned();
        let findings = if shell {
            let mut out = Vec::new();
            for (i, line) in text.lines().enumerate() {
                out.extend(aigis_pycode::analyze_shell(line, u32::try_from(i + 1)?));
            }
            out
        } else {
            let a = aigis_pycode::analyze(&text);
            if let Some(p) = a.parse_error {
                println!("{path}: parse problem {p}");
            }
            a.findings
        };
        for f in findings {
            println!(
                "{path}:{}:{} {} {} [{}] {}",
                f.line, f.column, f.rule.id, f.rule.name, f.key, f.message
            );
        }
    }
    Ok(())
}
