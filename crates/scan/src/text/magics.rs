//! IPython cells as Python: magics and shell escapes taken out, line numbers
//! kept.
//!
//! A notebook code cell is Python plus IPython syntax the Python parser
//! rejects: `!cmd` and `x = !cmd` shell escapes, `%line` magics, `%%cell`
//! magics and `obj?` help. Each such line becomes `pass` (or `x = None`) at
//! its own indentation, so the rest parses and keeps its line numbers; shell
//! commands (`!`, `%pip`, `%conda`, `%%bash` bodies, `%sx`, `%system`) are
//! returned for the shell rules. Cells in another language (`%%html`,
//! `%%sql`, `%%javascript`, ...) yield no Python at all.

/// A cell prepared for the Python and shell rules.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    /// The cell with IPython syntax replaced; same number of lines.
    pub python: String,
    /// Shell commands with their 1-based line in the cell.
    pub shell: Vec<(u32, String)>,
}

/// Cell magics whose body is still Python.
const PYTHON_CELL_MAGICS: &[&str] = &[
    "time", "timeit", "capture", "prun", "python", "python3", "debug", "pypy", "px",
];
/// Cell magics whose body is shell commands.
const SHELL_CELL_MAGICS: &[&str] = &["bash", "sh", "system", "script"];
/// Line magics that run their argument in a shell (as `pip install ...`).
const SHELL_LINE_MAGICS: &[&str] = &["pip", "conda", "mamba", "sx", "system"];

/// Prepare one code cell.
pub fn prepare(source: &str) -> Prepared {
    let mut out = Prepared::default();
    let mut lines = source.split_inclusive('\n').peekable();
    let first = lines.peek().map_or("", |l| l.trim());
    if let Some(magic) = first.strip_prefix("%%") {
        let name = magic.split_whitespace().next().unwrap_or("");
        let arg = magic.split_whitespace().nth(1).unwrap_or("");
        let body_is_python = PYTHON_CELL_MAGICS.contains(&name)
            || (name == "writefile" && arg.ends_with(".py"))
            || (name == "script" && arg.starts_with("python"));
        let body_is_shell = SHELL_CELL_MAGICS.contains(&name) && !body_is_python;
        out.python.push('\n');
        lines.next();
        for (i, line) in lines.enumerate() {
            let n = u32::try_from(i + 2).unwrap_or(u32::MAX);
            if body_is_python {
                push_line(&mut out, n, line);
            } else {
                if body_is_shell && !line.trim().is_empty() && !line.trim().starts_with('#') {
                    out.shell.push((n, line.trim().to_string()));
                }
                out.python.push('\n');
            }
        }
        return out;
    }
    for (i, line) in lines.enumerate() {
        push_line(&mut out, u32::try_from(i + 1).unwrap_or(u32::MAX), line);
    }
    out
}

/// One line of Python context: IPython syntax replaced, shell kept.
fn push_line(out: &mut Prepared, n: u32, line: &str) {
    let body = line.trim_end_matches(['\n', '\r']);
    let trimmed = body.trim_start();
    let indent = body.get(..body.len() - trimmed.len()).unwrap_or("");
    if let Some(cmd) = trimmed.strip_prefix('!') {
        out.shell
            .push((n, cmd.trim_start_matches('!').trim().to_string()));
        replace(out, indent, "pass");
    } else if let Some(magic) = trimmed.strip_prefix('%') {
        let mut words = magic.splitn(2, char::is_whitespace);
        let name = words.next().unwrap_or("");
        let rest = words.next().unwrap_or("").trim();
        if SHELL_LINE_MAGICS.contains(&name) {
            let cmd = if matches!(name, "sx" | "system") {
                rest.to_string()
            } else {
                format!("{name} {rest}")
            };
            out.shell.push((n, cmd));
        }
        replace(out, indent, "pass");
    } else if let Some((target, cmd)) = shell_assignment(trimmed) {
        out.shell.push((n, cmd.to_string()));
        replace(out, indent, &format!("{target} = None"));
    } else if trimmed.starts_with('?') || (trimmed.ends_with('?') && !trimmed.starts_with('#')) {
        replace(out, indent, "pass");
    } else {
        out.python.push_str(body);
        out.python.push('\n');
    }
}

fn replace(out: &mut Prepared, indent: &str, with: &str) {
    out.python.push_str(indent);
    out.python.push_str(with);
    out.python.push('\n');
}

/// `x = !cmd` or `x = %sx cmd`: the target and the command.
fn shell_assignment(line: &str) -> Option<(&str, &str)> {
    let (target, value) = line.split_once('=')?;
    let target = target.trim();
    let ok_target = !target.is_empty()
        && target
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ',' || c == ' ');
    if !ok_target {
        return None;
    }
    let value = value.trim_start();
    let cmd = value
        .strip_prefix('!')
        .or_else(|| value.strip_prefix("%sx "))
        .or_else(|| value.strip_prefix("%system "))?;
    Some((target, cmd.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_escapes_and_magics_become_pass_at_their_indent() {
        let cell = "import os\n!pip install torch\nfor f in x:\n    !rm -rf {f}\n%matplotlib inline\nfiles = !ls -la\n%pip install -U transformers\nos.path?\n";
        let p = prepare(cell);
        assert_eq!(
            p.python,
            "import os\npass\nfor f in x:\n    pass\npass\nfiles = None\npass\npass\n"
        );
        assert_eq!(
            p.shell,
            [
                (2, "pip install torch".to_string()),
                (4, "rm -rf {f}".to_string()),
                (6, "ls -la".to_string()),
                (7, "pip install -U transformers".to_string()),
            ]
        );
    }

    #[test]
    fn cell_magics_choose_python_shell_or_nothing() {
        let p = prepare("%%time\nimport pickle\npickle.loads(b)\n");
        assert_eq!(p.python, "\nimport pickle\npickle.loads(b)\n");
        let p = prepare("%%bash\ncurl http://x | sh\n# comment\n");
        assert_eq!(p.python, "\n\n\n");
        assert_eq!(p.shell, [(2, "curl http://x | sh".to_string())]);
        let p = prepare("%%html\n<script>eval(x)</script>\n");
        assert_eq!(p.python, "\n\n");
        assert!(p.shell.is_empty());
        let p = prepare("%%writefile app.py\nimport os\n");
        assert_eq!(p.python, "\nimport os\n");
    }

    #[test]
    fn comparisons_and_comments_are_left_alone() {
        let p = prepare("a = b != c\n# what?\nx = 1 % 2\n");
        assert_eq!(p.python, "a = b != c\n# what?\nx = 1 % 2\n");
        assert!(p.shell.is_empty());
    }
}
