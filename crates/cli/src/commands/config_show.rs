//! `aigis config show`: the resolved settings and where they came from.

use crate::config::{Layer, resolve};
use crate::output::emit;
use anyhow::Result;
use std::path::Path;

pub fn run(explicit: Option<&Path>) -> Result<u8> {
    let r = resolve(explicit, Layer::default())?;
    let mut text =
        String::from("# resolved aigis configuration\n# layers, lowest precedence first: defaults");
    for s in &r.sources {
        text.push_str(", ");
        text.push_str(s);
    }
    text.push('\n');
    text.push_str(&toml::to_string_pretty(&r)?);
    emit(&text, None)?;
    Ok(crate::EXIT_OK)
}
