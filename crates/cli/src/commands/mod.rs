//! One module per subcommand; each returns the exit code.

mod audit_log;
mod config_show;
mod convert;
mod db;
mod gateway;
mod inspect;
mod model_crypt;
pub mod model_sign;
mod rules;
mod scan;

use crate::cli::{AuditLogAction, Cli, Command, ConfigAction, DbAction, ModelAction, RulesAction};
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
        Command::Db {
            action: DbAction::Update { from },
        } => db::update(cli.config.as_deref(), from.as_deref()),
        Command::Db {
            action: DbAction::Status { format },
        } => db::status(cli.config.as_deref(), format.format),
        Command::Model {
            action: ModelAction::Inspect { file, format },
        } => inspect::run(&file, format.format),
        Command::Model {
            action: ModelAction::Convert(args),
        } => convert::run(&args),
        Command::Model {
            action: ModelAction::Hash(a),
        } => model_sign::hash(&a),
        Command::Model {
            action: ModelAction::Sign(a),
        } => model_sign::sign(&a),
        Command::Model {
            action: ModelAction::Verify(a),
        } => model_sign::verify(&a),
        Command::Model {
            action:
                action
                @ (ModelAction::Encrypt(_) | ModelAction::Decrypt(_) | ModelAction::Keygen { .. }),
        } => model_crypt::run(action),
        Command::AuditLog {
            action:
                AuditLogAction::Verify {
                    files,
                    public_key,
                    format,
                },
        } => audit_log::verify(&files, public_key.as_deref(), format.format),
        Command::Gateway(args) => gateway::run(&args),
        Command::Keys { file, action } => gateway::keys(&file.path, action),
    }
}
