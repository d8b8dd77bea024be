//! One module per subcommand; each returns the exit code.

mod config_show;
mod convert;
mod inspect;
mod model_crypt;
mod rules;
mod scan;

use crate::cli::{Cli, Command, ConfigAction, ModelAction, RulesAction};
use anyhow::Result;

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::run(cli.config.as_deref(), args),
        Command::Rules {
            action: Some(RulesAction::Check),
            ..
        } => rules::check(),
        Command::Rules {
            action: None,
            format,
        } => rules::list(format.format),
        Command::Rule { id, format } => rules::show(&id, format.format),
        Command::Config {
            action: ConfigAction::Show,
        } => config_show::run(cli.config.as_deref()),
        Command::Model {
            action: ModelAction::Inspect { file, format },
        } => inspect::run(&file, format.format),
        Command::Model {
            action: ModelAction::Convert(args),
        } => convert::run(&args),
        Command::Model {
            action:
                action
                @ (ModelAction::Encrypt(_) | ModelAction::Decrypt(_) | ModelAction::Keygen { .. }),
        } => model_crypt::run(action),
    }
}
