//! A parser for the kernel's socket tables `/proc/net/tcp`, `tcp6`, `udp`
//! and `udp6` (one header line, then one socket per line:
//! `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt
//! uid timeout inode ...`). Pure: it takes bytes and returns entries plus the
//! lines it could not read, within named limits; it never panics and never
//! touches the file system (see `sockets` for that).
//!
//! Addresses are printed by the kernel as the 32-bit words of the address in
//! the host's byte order (`0100007F` is 127.0.0.1 on little-endian
//! machines); ports are printed in hexadecimal, already in host order.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Lines read from one table; more is reported as a truncated table.
pub const MAX_TABLE_LINES: usize = 1_000_000;
/// Longest line accepted (real lines are about 150 bytes).
pub const MAX_LINE_BYTES: usize = 1024;
/// Malformed lines described individually (all are counted).
pub const MAX_MALFORMED_KEPT: usize = 8;

/// TCP's LISTEN state in the `st` column.
pub const TCP_LISTEN: u8 = 0x0A;
/// The state the kernel shows for unconnected UDP sockets (TCP_CLOSE).
pub const UDP_UNCONNECTED: u8 = 0x07;

/// Which table a text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Tcp,
    Tcp6,
    Udp,
    Udp6,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Tcp, Table::Tcp6, Table::Udp, Table::Udp6];

    /// The file name under `/proc/net`.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Tcp => "tcp",
            Table::Tcp6 => "tcp6",
            Table::Udp => "udp",
            Table::Udp6 => "udp6",
        }
    }

    pub fn is_tcp(self) -> bool {
        matches!(self, Table::Tcp | Table::Tcp6)
    }

    pub fn is_v6(self) -> bool {
        matches!(self, Table::Tcp6 | Table::Udp6)
    }

    /// `tcp` or `udp`.
    pub fn protocol(self) -> &'static str {
        if self.is_tcp() { "tcp" } else { "udp" }
    }
}

/// One socket of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line in the table.
    pub line: u32,
    pub local: IpAddr,
    pub local_port: u16,
    pub remote: IpAddr,
    pub remote_port: u16,
    pub state: u8,
    pub uid: u32,
    pub inode: u64,
}

impl Entry {
    /// A listening TCP socket, or a bound UDP socket that is not connected
    /// to a peer (a server waiting for datagrams).
    pub fn is_listener(&self, table: Table) -> bool {
        if table.is_tcp() {
            self.state == TCP_LISTEN
        } else {
            self.state == UDP_UNCONNECTED && self.local_port != 0 && self.remote_port == 0
        }
    }
}

/// The outcome of parsing one table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    /// Lines that could not be read: all of them counted ...
    pub malformed: usize,
    /// ... the first [`MAX_MALFORMED_KEPT`] described (line, reason).
    pub examples: Vec<(u32, String)>,
    /// The table had more than [`MAX_TABLE_LINES`] lines.
    pub truncated: bool,
}

/// Parse the text of `table`. A first line starting with `sl` is the header;
/// blank lines are skipped; every other line must be a socket.
pub fn parse(table: Table, text: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        if i >= MAX_TABLE_LINES {
            out.truncated = true;
            break;
        }
        let line = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_line(table, raw) {
            Ok(Some(e)) => out.entries.push(Entry { line, ..e }),
            Ok(None) => {}
            Err(why) => {
                out.malformed = out.malformed.saturating_add(1);
                if out.examples.len() < MAX_MALFORMED_KEPT {
                    out.examples.push((line, why.to_string()));
                }
            }
        }
    }
    out
}

/// `Ok(None)` for the header line.
fn parse_line(table: Table, raw: &[u8]) -> Result<Option<Entry>, &'static str> {
    if raw.len() > MAX_LINE_BYTES {
        return Err("line too long");
    }
    let text = std::str::from_utf8(raw).map_err(|_| "not ASCII text")?;
    let mut fields = text.split_ascii_whitespace();
    let sl = fields.next().ok_or("empty line")?;
    if sl == "sl" {
        return Ok(None);
    }
    let digits = sl.strip_suffix(':').ok_or("slot number has no ':'")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("slot number is not decimal");
    }
    let (local, local_port) = endpoint(table, fields.next().ok_or("no local address")?)?;
    let (remote, remote_port) = endpoint(table, fields.next().ok_or("no remote address")?)?;
    let st = fields.next().ok_or("no state")?;
    if st.len() != 2 || !st.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("state is not two hex digits");
    }
    let state = u8::from_str_radix(st, 16).map_err(|_| "state is not hexadecimal")?;
    // tx_queue:rx_queue, tr:tm->when, retrnsmt: not needed, but must be there.
    for what in ["no queue sizes", "no timer", "no retransmit count"] {
        fields.next().ok_or(what)?;
    }
    let uid = fields
        .next()
        .ok_or("no uid")?
        .parse::<u32>()
        .map_err(|_| "uid is not a decimal number")?;
    fields.next().ok_or("no timeout")?;
    let inode = fields
        .next()
        .ok_or("no inode")?
        .parse::<u64>()
        .map_err(|_| "inode is not a decimal number")?;
    Ok(Some(Entry {
        line: 0,
        local,
        local_port,
        remote,
        remote_port,
        state,
        uid,
        inode,
    }))
}

/// `ADDR:PORT` with ADDR 8 (IPv4 tables) or 32 (IPv6 tables) hex digits.
fn endpoint(table: Table, field: &str) -> Result<(IpAddr, u16), &'static str> {
    let (addr, port) = field.split_once(':').ok_or("address has no ':'")?;
    if port.len() != 4 {
        return Err("port is not four hex digits");
    }
    if !port.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("port is not hexadecimal");
    }
    let port = u16::from_str_radix(port, 16).map_err(|_| "port is not hexadecimal")?;
    let addr = if table.is_v6() {
        if addr.len() != 32 {
            return Err("IPv6 address is not 32 hex digits");
        }
        let mut bytes = [0u8; 16];
        for (k, chunk) in bytes.chunks_exact_mut(4).enumerate() {
            let start = k.checked_mul(8).ok_or("address offset")?;
            let word = addr.get(start..start + 8).ok_or("IPv6 address cut")?;
            chunk.copy_from_slice(&word32(word)?.to_ne_bytes());
        }
        IpAddr::V6(Ipv6Addr::from(bytes))
    } else {
        if addr.len() != 8 {
            return Err("IPv4 address is not 8 hex digits");
        }
        IpAddr::V4(Ipv4Addr::from(word32(addr)?.to_ne_bytes()))
    };
    Ok((addr, port))
}

/// Eight hex digits; `from_str_radix` alone would accept a leading `+`.
fn word32(s: &str) -> Result<u32, &'static str> {
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("address is not hexadecimal");
    }
    u32::from_str_radix(s, 16).map_err(|_| "address is not hexadecimal")
}

/// The address is loopback: `127.0.0.0/8`, `::1`, or IPv4-mapped loopback.
pub fn is_loopback(addr: &IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => a.is_loopback(),
        IpAddr::V6(a) => a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

#[cfg(all(test, target_endian = "little"))]
mod tests {
    use super::*;

    // Real lines (kernel 6.x), with the trailing columns the kernel prints.
    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31337 1 0000000000000000 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0
   2: 0F02000A:0016 0202000A:C35A 01 00000000:00000000 02:0004A2B1 00000000     0        0 2002 4 0000000000000000 20 4 29 10 -1
";

    #[test]
    fn reads_real_ipv4_lines() {
        let p = parse(Table::Tcp, TCP.as_bytes());
        assert_eq!(p.malformed, 0, "{:?}", p.examples);
        assert_eq!(p.entries.len(), 3);
        let e = &p.entries[0];
        assert_eq!(e.local, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(
            (e.local_port, e.uid, e.inode, e.line),
            (8080, 1000, 31337, 2)
        );
        assert!(e.is_listener(Table::Tcp));
        assert_eq!(p.entries[1].local, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert_eq!(p.entries[2].local, "10.0.2.15".parse::<IpAddr>().unwrap());
        assert!(!p.entries[2].is_listener(Table::Tcp), "ESTABLISHED");
    }

    #[test]
    fn reads_real_ipv6_lines() {
        let text = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0CEA 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 4243 1 0000000000000000 100 0 0 10 0
   2: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4244 1 0000000000000000 100 0 0 10 0
";
        let p = parse(Table::Tcp6, text.as_bytes());
        assert_eq!(p.malformed, 0, "{:?}", p.examples);
        assert_eq!(p.entries[0].local, IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(p.entries[0].local_port, 3306);
        assert_eq!(
            p.entries[1].local,
            "::ffff:127.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert!(is_loopback(&p.entries[1].local));
        assert_eq!(p.entries[2].local, IpAddr::V6(Ipv6Addr::UNSPECIFIED));
    }

    #[test]
    fn udp_listeners_are_bound_and_unconnected() {
        let text = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 555 2 0000000000000000 0
  101: 0F02000A:9C40 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        0 556 2 0000000000000000 0
";
        let p = parse(Table::Udp, text.as_bytes());
        assert_eq!(p.entries.len(), 2);
        assert!(p.entries[0].is_listener(Table::Udp));
        assert_eq!(p.entries[0].local, "127.0.0.53".parse::<IpAddr>().unwrap());
        assert!(!p.entries[1].is_listener(Table::Udp), "connected client");
    }

    #[test]
    fn malformed_lines_are_counted_and_described_never_fatal() {
        let text = "  sl  local_address rem_address st
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31337
   1: 0100007F:1F9 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1
   2: 00000000000000000000000001000000:0CEA 00000000:0000 0A a b c 0 0 1
   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  -1 0 7
   x: garbage
   4: 0100007F:+F90 00000000:0000 0A 0 0 0 0 0 1
   6: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0
";
        let p = parse(Table::Tcp, text.as_bytes());
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.malformed, 6);
        assert_eq!(p.examples.len(), 6);
        assert_eq!(
            p.examples[0],
            (3, "port is not four hex digits".to_string())
        );
        assert_eq!(p.examples[1].1, "IPv4 address is not 8 hex digits");
        assert_eq!(p.examples[2].1, "uid is not a decimal number");
        assert_eq!(p.examples[3].1, "slot number is not decimal");
        assert_eq!(p.examples[4].1, "port is not hexadecimal");
        assert_eq!(p.examples[5].1, "no inode");
        let bad_utf8 = parse(Table::Tcp, b"   0: \xff\xfe\n");
        assert_eq!(bad_utf8.examples[0].1, "not ASCII text");
    }

    #[test]
    fn over_long_lines_and_tables_are_bounded() {
        let long = format!("   0: {}\n", "0".repeat(MAX_LINE_BYTES));
        assert_eq!(
            parse(Table::Tcp, long.as_bytes()).examples[0].1,
            "line too long"
        );
        let many = "\n".repeat(MAX_TABLE_LINES + 1);
        assert!(parse(Table::Tcp, many.as_bytes()).truncated);
    }
}
