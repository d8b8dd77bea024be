//! `aigis gateway` and `aigis keys`: load and check gateway.toml, run the
//! service with JSON logs on stderr, and manage API keys. Keys are printed
//! once, to stdout, and nowhere else.

use crate::cli::{GatewayArgs, KeysAction, SimpleFormat};
use aigis_gateway::GatewayConfig;
use aigis_gateway::config::parse_duration;
use aigis_gateway::keys::{KeyHasher, KeyInfo, KeyStore};
use anyhow::{Context, Result, bail};
use std::path::Path;

fn load(path: &Path) -> Result<GatewayConfig> {
    GatewayConfig::load(path).with_context(|| format!("{}", path.display()))
}

fn open_store(cfg: &GatewayConfig, path: &Path) -> Result<KeyStore> {
    let hasher = KeyHasher::from_reference(&cfg.key_hash_secret)
        .with_context(|| format!("{}", path.display()))?;
    Ok(KeyStore::open(&cfg.key_store, hasher)?)
}

pub fn run(args: &GatewayArgs) -> Result<u8> {
    let path = &args.file.path;
    let mut cfg = load(path)?;
    if args.check {
        // Also prove the secret resolves and the key store opens with it.
        let keys = open_store(&cfg, path)?.load_table()?.len();
        if let Some(reference) = &cfg.audit.checkpoint_key {
            aigis_audit::CheckpointSigner::from_key_ref(reference)
                .with_context(|| format!("{}: audit.checkpoint_key", path.display()))?;
        }
        // And that JWKS files parse and the introspection secret resolves
        // (no network: remote key sets are fetched when the gateway starts).
        aigis_gateway::tokens::TokenAuth::from_config(&cfg)
            .with_context(|| format!("{}", path.display()))?;
        // And the Redis URL and password reference (no connection is made).
        if let Some(redis) = &cfg.rate_limits.redis {
            aigis_gateway::ratelimit::RedisBackend::new(redis, Default::default())
                .with_context(|| format!("{}", path.display()))?;
        }
        println!(
            "{}: ok ({} routes, {} roles, {keys} keys)",
            path.display(),
            cfg.routes.len(),
            cfg.roles.len()
        );
        return Ok(crate::EXIT_OK);
    }
    init_logging();
    // Connections are served by one single-threaded worker per core
    // (cheaper per request than a work-stealing runtime: no cross-thread
    // wake-ups); this thread accepts, and runs the admin listener and
    // signal handling.
    if cfg.listen.workers.is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cfg.listen.workers = Some(cores.min(aigis_gateway::config::MAX_WORKERS));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let gateway = aigis_gateway::Gateway::from_config(cfg)?;
        let bound = gateway.bind().await?;
        tracing::info!(
            public = ?bound.public_addr(),
            admin = ?bound.admin_addr(),
            keys = gateway.state().keys.load().len(),
            "aigis gateway listening"
        );
        gateway.run(bound).await?;
        anyhow::Ok(())
    })?;
    Ok(crate::EXIT_OK)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AIGIS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

pub fn keys(path: &Path, action: KeysAction) -> Result<u8> {
    let cfg = load(path)?;
    let store = open_store(&cfg, path)?;
    match action {
        KeysAction::Create {
            role,
            expires,
            tenant,
        } => {
            if !cfg.roles.contains_key(&role) {
                bail!("--role {role}: no [roles.{role}] in {}", path.display());
            }
            let expires = expires
                .as_deref()
                .map(parse_duration)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--expires: {e}"))?;
            let (info, key) = store.create(&role, tenant.as_deref(), expires)?;
            eprintln!(
                "created key {} (role {role}); it is shown once, store it now:",
                info.id
            );
            println!("{}", key.0.as_str());
        }
        KeysAction::List { format } => {
            let list = store.list()?;
            match format.format {
                SimpleFormat::Json => println!("{}", serde_json::to_string_pretty(&list)?),
                SimpleFormat::Text => print_list(&list),
            }
        }
        KeysAction::Revoke { id } => {
            store.revoke(&id)?;
            eprintln!("revoked {id}; send SIGHUP to a running gateway to apply");
        }
        KeysAction::Rotate { id, overlap } => {
            let overlap =
                parse_duration(&overlap).map_err(|e| anyhow::anyhow!("--overlap: {e}"))?;
            let (info, key) = store.rotate(&id, overlap)?;
            eprintln!(
                "new key {} replaces {id}; the old key works for {}s more; shown once:",
                info.id,
                overlap.as_secs()
            );
            println!("{}", key.0.as_str());
        }
    }
    Ok(crate::EXIT_OK)
}

fn print_list(list: &[KeyInfo]) {
    let t = |v: Option<i64>| v.map(time).unwrap_or_else(|| "-".into());
    println!(
        "{:<16}  {:<12}  {:<10}  {:<20}  {:<20}  {:<20}",
        "ID", "ROLE", "TENANT", "CREATED", "EXPIRES", "REVOKED"
    );
    for k in list {
        println!(
            "{:<16}  {:<12}  {:<10}  {:<20}  {:<20}  {:<20}",
            k.id,
            k.role,
            k.tenant.as_deref().unwrap_or("-"),
            time(k.created),
            t(k.expires),
            t(k.revoked)
        );
    }
}

fn time(unix: i64) -> String {
    let at =
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(unix).unwrap_or(0));
    let s = aigis_audit::time::Civil::from_system(at).rfc3339();
    s.get(..19).map(|x| format!("{x}Z")).unwrap_or(s)
}
