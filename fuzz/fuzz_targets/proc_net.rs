#![no_main]
//! Parse any bytes as a `/proc/net` socket table (the first byte picks tcp,
//! tcp6, udp or udp6): no panic, every entry and malformed line is a line of
//! the input, and the described malformed lines stay within their limit.

use aigis_deploy::host::procnet::{self, MAX_MALFORMED_KEPT, Table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let table = Table::ALL[usize::from(pick) % Table::ALL.len()];
    let parsed = procnet::parse(table, text);
    let lines = text.split(|&b| b == b'\n').count();
    assert!(parsed.entries.len() + parsed.malformed <= lines);
    assert!(parsed.examples.len() <= MAX_MALFORMED_KEPT.min(parsed.malformed));
    for e in &parsed.entries {
        assert!(e.line >= 1 && e.line as usize <= lines);
        assert_eq!(e.local.is_ipv6(), table.is_v6());
        let _ = (e.is_listener(table), procnet::is_loopback(&e.local));
    }
});
