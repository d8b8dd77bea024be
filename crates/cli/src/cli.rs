//! Command-line surface (clap derive). Flags only; no secrets ever come from here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "aigis", version, about = "The AI/ML security baseline in one binary", long_about = None)]
pub struct Cli {
    /// Use this configuration file instead of discovering aigis.toml / pyproject.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and directories (models, Python code, notebooks, secrets, deployment files,
    /// dependencies) and report findings; with --host, this machine too.
    Scan(ScanArgs),
    /// List every rule, or check the data-driven rules against their examples.
    Rules {
        #[command(subcommand)]
        action: Option<RulesAction>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Explain one rule: what, why, example, fix, checklist items.
    Rule {
        /// Rule id (AIG101) or name (pickle-dangerous-call).
        id: String,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Show or check the resolved configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Manage the offline advisory database of the dependency audit.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Work with model files.
    Model {
        #[command(subcommand)]
        action: ModelAction,
    },
    /// Work with the gateway's tamper-evident audit log.
    AuditLog {
        #[command(subcommand)]
        action: AuditLogAction,
    },
    /// Run the gateway: TLS, API keys, roles and rate limits in front of model servers.
    #[command(after_help = GATEWAY_HELP)]
    Gateway(GatewayArgs),
    /// Manage the gateway's API keys (stored as keyed hashes; a key is printed once).
    Keys {
        #[command(flatten)]
        file: GatewayFile,
        #[command(subcommand)]
        action: KeysAction,
    },
}

const GATEWAY_HELP: &str =
    "Signals: SIGHUP reloads API keys and the TLS certificate (connections stay \
open); SIGTERM or Ctrl-C stops accepting and drains in-flight requests (limits.shutdown_grace).

Exit status: 0 clean shutdown or a valid --check; 2 bad configuration or start-up failure.";

/// The gateway configuration file.
#[derive(Args, Debug)]
pub struct GatewayFile {
    /// gateway.toml to use.
    #[arg(
        short = 'c',
        long = "gateway-config",
        value_name = "FILE",
        env = "AIGIS_GATEWAY_CONFIG",
        default_value = "gateway.toml",
        global = true
    )]
    pub path: PathBuf,
}

/// `aigis gateway -c gateway.toml [--check]`.
#[derive(Args, Debug)]
pub struct GatewayArgs {
    #[command(flatten)]
    pub file: GatewayFile,
    /// Validate the configuration (and the key-hash secret and key store) and exit.
    #[arg(long)]
    pub check: bool,
}

#[derive(Subcommand, Debug)]
pub enum KeysAction {
    /// Create a key and print it once.
    Create {
        /// The role the key acts as (a [roles.NAME] in gateway.toml).
        #[arg(long)]
        role: String,
        /// Lifetime, e.g. 90d, 12h (default: no expiry).
        #[arg(long, value_name = "DURATION")]
        expires: Option<String>,
        /// Tenant for per-tenant limits and quotas.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// List keys: id, role, tenant, created, expires, revoked (never the key).
    List {
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Revoke a key now (takes effect at the gateway's next SIGHUP or start).
    Revoke { id: String },
    /// Replace a key: print the new one; the old one works until the overlap ends.
    Rotate {
        id: String,
        #[arg(long, default_value = "24h", value_name = "DURATION")]
        overlap: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditLogAction {
    /// Check the hash chain (and, with --public-key, the checkpoint
    /// signatures) of audit log files, oldest first for a rotation chain.
    /// Exit 0 intact, 1 broken, 2 unreadable file or bad usage.
    Verify {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// PEM public key (P-256/P-384 SubjectPublicKeyInfo) the checkpoints
        /// must be signed with; without it signatures are not checked.
        #[arg(long, value_name = "PATH")]
        public_key: Option<PathBuf>,
        #[command(flatten)]
        format: FormatArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesAction {
    /// Check that every example of the secret rules fires its rule and every
    /// negative example fires none (exit 1 on a problem).
    Check,
}

#[derive(Subcommand, Debug)]
pub enum DbAction {
    /// Import OSV advisories (PyPI): from OSV's all.zip online, or --from a
    /// local all.zip, directory of OSV .json files, or one .json record.
    Update {
        #[arg(long, value_name = "PATH")]
        from: Option<PathBuf>,
    },
    /// Print the database's location, age and record count (exit 1 when
    /// older than max-age, 2 when there is none).
    Status {
        #[command(flatten)]
        format: FormatArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigAction {
    /// Print the settings after defaults, files, environment and flags.
    Show,
}

#[derive(Subcommand, Debug)]
pub enum ModelAction {
    /// Show what a model file contains without loading it.
    Inspect {
        file: PathBuf,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Convert a pickle-based PyTorch checkpoint (zip or legacy), .npy or
    /// .npz file to safetensors, rebuilding only tensors and plain values.
    Convert(ConvertArgs),
    /// Hash a model file or directory: SHA-256 (or BLAKE3) of every file.
    Hash(crate::commands::model_sign::HashArgs),
    /// Sign a model (OpenSSF model-signing compatible signature).
    Sign(crate::commands::model_sign::SignArgs),
    /// Verify a model against its signature (exit 1 when it does not verify).
    Verify(crate::commands::model_sign::VerifyArgs),
    /// Encrypt a file with streaming AES-256-GCM (docs/model-encryption.md).
    #[command(after_help = CRYPT_HELP)]
    Encrypt(CryptArgs),
    /// Decrypt a file written by `aigis model encrypt`; OUTPUT appears only
    /// if every segment verifies.
    #[command(after_help = CRYPT_HELP)]
    Decrypt(CryptArgs),
    /// Write a new random 256-bit key to FILE (mode 0600; never overwrites).
    Keygen { file: PathBuf },
}

const CRYPT_HELP: &str =
    "Key references: env:NAME (hex or base64; or the file named by NAME_FILE), \
file:PATH, systemd:NAME ($CREDENTIALS_DIRECTORY/NAME), vault:MOUNT/PATH#FIELD (KV v2; VAULT_ADDR, \
VAULT_TOKEN or VAULT_ROLE_ID + VAULT_SECRET_ID, VAULT_NAMESPACE, VAULT_CACERT).

Exit status: 0 done; 1 the input failed authentication (wrong key, modified, truncated, \
reordered, not an encrypted file); 2 bad usage or an I/O error.";

/// `aigis model encrypt|decrypt IN OUT --key REF`.
#[derive(Args, Debug)]
pub struct CryptArgs {
    /// The file to read.
    pub input: PathBuf,
    /// The file to write (atomically: a temporary file, then a rename).
    pub output: PathBuf,
    /// Where the key is: env:NAME, file:PATH, systemd:NAME or vault:MOUNT/PATH#FIELD
    /// (never the key itself).
    #[arg(long, value_name = "REF")]
    pub key: String,
    /// Overwrite OUTPUT if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The checkpoint to convert.
    pub input: PathBuf,
    /// The safetensors file to write (atomically).
    pub output: PathBuf,
    /// Overwrite OUTPUT if it exists.
    #[arg(long)]
    pub force: bool,
    /// Name of a tensor that is the whole input (a bare tensor or an .npy file).
    #[arg(long, default_value = "tensor", value_name = "NAME")]
    pub name: String,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Args, Debug)]
pub struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimpleFormat::Text)]
    pub format: SimpleFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SimpleFormat {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Args, Debug, Default)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format [default: text].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Scan only these domains (comma-separated): models, code, notebooks, secrets, deployment, dependencies.
    #[arg(long, value_delimiter = ',', value_name = "DOMAINS")]
    pub only: Vec<String>,
    /// Report only findings whose fingerprints are not in this earlier JSON report.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Do not fail (exit 2) because a file was inconclusive.
    #[arg(long)]
    pub allow_inconclusive: bool,
    /// Do not fail because a file uses unapproved (not allowlisted) imports.
    #[arg(long)]
    pub allow_unapproved: bool,
    /// Also check unpinned dependency ranges against advisories (AIG601).
    #[arg(long)]
    pub check_ranges: bool,
    /// Also list files that came out clean (text format).
    #[arg(long)]
    pub show_clean: bool,
    /// Also check this host (Linux): listening TCP/UDP sockets other than 443,
    /// permissions of model and key files under the paths, running as root,
    /// docker's daemon.json and socket.
    #[arg(long)]
    pub host: bool,
    /// For tests only: read the host checks' proc/, etc/ and var/run/ below DIR
    /// instead of / (a fixture tree). Implies nothing without --host.
    #[arg(long, hide = true, env = "AIGIS_HOST_ROOT", value_name = "DIR")]
    pub host_root: Option<PathBuf>,
    /// Colour: auto, always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}
