//! Code and command execution: `eval`/`exec`/`compile`, shell calls,
//! `subprocess` with `shell=True`, pandas and numexpr expression evaluation.
//!
//! A literal argument is the author's own code: `eval("1+1")` is not
//! reported, a literal shell command only at low severity.

use super::{Hit, split};
use crate::model::{Call, Value};
use crate::rules::{
    dataframe_eval_query_dynamic, dynamic_code_eval, numexpr_evaluate_dynamic, pandas_eval_dynamic,
    shell_call_dynamic_command, shell_call_literal_command, subprocess_shell_true,
};

const CODE_EXEC: &[&str] = &[
    "eval",
    "exec",
    "compile",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
];
/// Calls that always hand their command to a shell.
const SHELL_CALLS: &[&str] = &[
    "os.system",
    "os.popen",
    "posix.system",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "commands.getoutput",
];
pub(crate) const SUBPROCESS: &[&str] = &["run", "call", "Popen", "check_call", "check_output"];

pub(super) fn check(call: &Call, out: &mut Vec<Hit>) {
    let callee = call.callee.as_str();
    if CODE_EXEC.contains(&callee) && call.positional(0).is_some_and(|a| !a.is_literal()) {
        let msg = format!(
            "{callee} on a value that is not a literal: if it can hold caller data, it runs arbitrary code"
        );
        out.push(Hit::at(&dynamic_code_eval::RULE, call, msg, callee));
    }
    if SHELL_CALLS.contains(&callee) {
        shell(call, call.positional(0), callee, out);
    }
    let (module, func) = split(callee);
    if module == "subprocess"
        && SUBPROCESS.contains(&func)
        && call.keyword("shell").is_some_and(|v| v.is_true())
    {
        let cmd = call.arg(0, "args");
        if cmd.is_some_and(|c| !c.is_literal()) {
            let msg = format!(
                "{callee}(shell=True) with a command that is not a literal: shell metacharacters in it run commands"
            );
            out.push(Hit::at(
                &subprocess_shell_true::RULE,
                call,
                msg,
                format!("{callee}(shell=True)"),
            ));
        } else {
            let msg = format!(
                "{callee}(shell=True) with a literal command: prefer an argument list without a shell"
            );
            out.push(Hit::at(
                &shell_call_literal_command::RULE,
                call,
                msg,
                format!("{callee}(shell=True)"),
            ));
        }
    }
    expressions(call, out);
}

fn shell(call: &Call, first: Option<&Value>, callee: &str, out: &mut Vec<Hit>) {
    match first {
        Some(a) if a.is_literal() => {
            let msg = format!(
                "{callee} runs a literal command through the shell: prefer subprocess with an argument list"
            );
            out.push(Hit::at(
                &shell_call_literal_command::RULE,
                call,
                msg,
                callee,
            ));
        }
        _ => {
            let msg = format!(
                "{callee} runs a command built at run time through the shell: caller data in it runs commands"
            );
            out.push(Hit::at(
                &shell_call_dynamic_command::RULE,
                call,
                msg,
                callee,
            ));
        }
    }
}

fn expressions(call: &Call, out: &mut Vec<Hit>) {
    let callee = call.callee.as_str();
    let method = split(callee).1;
    let judged = matches!(callee, "pandas.eval" | "numexpr.evaluate")
        || (matches!(method, "eval" | "query") && callee.contains('.'));
    if !judged {
        return;
    }
    let expr = call.arg(0, "expr");
    let dynamic = expr.is_some_and(|e| !e.is_literal());
    if !dynamic {
        return;
    }
    match callee {
        "pandas.eval" => {
            let msg = "pandas.eval on an expression that is not a literal: with the python engine it evaluates arbitrary code";
            out.push(Hit::at(&pandas_eval_dynamic::RULE, call, msg, callee));
        }
        "numexpr.evaluate" => {
            let msg = "numexpr.evaluate on an expression that is not a literal: numexpr < 2.8.5 evaluates it with eval()";
            out.push(Hit::at(&numexpr_evaluate_dynamic::RULE, call, msg, callee));
        }
        _ => {
            let (receiver, method) = split(callee);
            let receiver = split(receiver).1.to_ascii_lowercase();
            let frame_like = receiver.contains("df") || receiver.contains("frame");
            let built = expr.is_some_and(|e| e.built_string || (e.tainted && frame_like));
            if matches!(method, "eval" | "query") && callee.contains('.') && built {
                let msg = format!(
                    "{callee} (pandas-like DataFrame.{method}) on an expression built at run time: it can reach Python attributes and code"
                );
                out.push(Hit::at(
                    &dataframe_eval_query_dynamic::RULE,
                    call,
                    msg,
                    format!("DataFrame.{method}"),
                ));
            }
        }
    }
}
