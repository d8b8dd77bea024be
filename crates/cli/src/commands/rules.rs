//! `aigis rules` and `aigis rule ID`.

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
