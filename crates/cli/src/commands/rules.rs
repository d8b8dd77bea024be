//! `aigis rules`, `aigis rules check` and `aigis rule ID`.

use crate::cli::SimpleFormat;
use crate::output::emit;
use anyhow::{Result, bail};

pub fn list(format: SimpleFormat) -> Result<u8> {
    let rules = aigis_scan::rules::all();
    let text = match format {
        SimpleFormat::Text => aigis_render::render_rules_table(&rules),
        SimpleFormat::Json => serde_json::to_string_pretty(&rules)?,
    };
    emit(&text, None)?;
    Ok(crate::EXIT_OK)
}

pub fn show(id: &str, format: SimpleFormat) -> Result<u8> {
    let Some(rule) = aigis_scan::rules::find(id) else {
        bail!("no rule '{id}' (see `aigis rules`)");
    };
    let text = match format {
        SimpleFormat::Text => aigis_render::render_rule(rule),
        SimpleFormat::Json => serde_json::to_string_pretty(rule)?,
    };
    emit(&text, None)?;
    Ok(crate::EXIT_OK)
}

/// Every data-driven rule against its own examples.
pub fn check() -> Result<u8> {
    let problems = aigis_scan::rules::check();
    let count = aigis_scan::rules::all().len();
    if problems.is_empty() {
        emit(&format!("{count} rules: every example checks out\n"), None)?;
        return Ok(crate::EXIT_OK);
    }
    let mut text = String::new();
    for p in &problems {
        text.push_str(p);
        text.push('\n');
    }
    emit(&text, None)?;
    Ok(crate::EXIT_FINDINGS)
}
