#![no_main]
//! Parse and validate any text as gateway.toml: errors name a key or say
//! why, never panic, and a config that passes validation can route paths.

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match aigis_gateway::GatewayConfig::from_toml(&text, Path::new("/etc/aigis")) {
        Ok(cfg) => {
            let _ = cfg.route_for("/v1/chat/completions");
            let _ = cfg.route_for(&text);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
