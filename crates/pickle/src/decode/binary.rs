//! Binary-to-text codecs as CPython implements them (`binascii`, `base64`,
//! `bytes.fromhex`) and bounded zlib/gzip inflation. Each returns the bytes
//! and whether they are all of the output; `None` where CPython raises.

use std::io::Read;

use super::translate;

const B64_PAD: u8 = b'=';

pub(super) fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `binascii.a2b_base64` (not strict): characters outside the alphabet are
/// skipped; a complete pad sequence ends the data; a partial final quad is an
/// error unless the input was cut short anyway.
pub(super) fn a2b_base64(s: &[u8], complete: bool, cap: usize) -> Option<(Vec<u8>, bool)> {
    let mut out = Vec::with_capacity((s.len() / 4 * 3).min(cap));
    let (mut quad, mut left, mut pads) = (0u8, 0u8, 0u8);
    for &c in s {
        if out.len() >= cap {
            return Some((out, false));
        }
        if c == B64_PAD {
            pads += 1;
            if quad >= 2 && quad + pads >= 4 {
                return Some((out, complete));
            }
            continue;
        }
        let Some(v) = b64_value(c) else { continue };
        pads = 0;
        match quad {
            0 => {
                quad = 1;
                left = v;
            }
            1 => {
                quad = 2;
                out.push((left << 2) | (v >> 4));
                left = v & 0x0f;
            }
            2 => {
                quad = 3;
                out.push((left << 4) | (v >> 2));
                left = v & 0x03;
            }
            _ => {
                quad = 0;
                out.push((left << 6) | v);
            }
        }
    }
    if quad != 0 && complete {
        return None;
    }
    Some((out, complete))
}

pub(super) fn unhexlify(s: &[u8], complete: bool, cap: usize) -> Option<(Vec<u8>, bool)> {
    if complete && !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity((s.len() / 2).min(cap));
    for pair in s.chunks_exact(2) {
        if out.len() >= cap {
            return Some((out, false));
        }
        let hi = char::from(*pair.first()?).to_digit(16)?;
        let lo = char::from(*pair.get(1)?).to_digit(16)?;
        out.push((hi * 16 + lo) as u8);
    }
    Some((out, complete))
}

/// `bytes.fromhex`: pairs of hex digits, ASCII whitespace between pairs.
pub(super) fn fromhex(s: &[u8], complete: bool, cap: usize) -> Option<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while s
            .get(i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        {
            i += 1;
        }
        let Some(&h) = s.get(i) else { break };
        if out.len() >= cap {
            return Some((out, false));
        }
        let hi = char::from(h).to_digit(16)?;
        let lo = match s.get(i + 1) {
            Some(&l) => char::from(l).to_digit(16)?,
            None if !complete => return Some((out, false)),
            None => return None,
        };
        out.push((hi * 16 + lo) as u8);
        i += 2;
    }
    Some((out, complete))
}

pub(super) fn b32decode(
    s: &[u8],
    casefold: bool,
    map01: Option<u8>,
    cap: usize,
) -> Option<(Vec<u8>, bool)> {
    if !s.len().is_multiple_of(8) {
        return None;
    }
    let mut s = s.to_vec();
    if let Some(m) = map01 {
        translate(&mut s, &[(b'0', b'O'), (b'1', m)]);
    }
    if casefold {
        s.make_ascii_uppercase();
    }
    let l = s.len();
    let stripped = s.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    let padchars = l - stripped;
    if ![0, 1, 3, 4, 6].contains(&padchars) {
        return None;
    }
    let mut out = Vec::new();
    let mut acc: u64 = 0;
    for quanta in s.get(..stripped)?.chunks(8) {
        acc = 0;
        for &c in quanta {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'2'..=b'7' => c - b'2' + 26,
                _ => return None,
            };
            acc = (acc << 5) | u64::from(v);
        }
        out.extend_from_slice(acc.to_be_bytes().get(3..)?);
    }
    if padchars > 0 && !out.is_empty() {
        acc <<= 5 * padchars as u64;
        let last = acc.to_be_bytes();
        let leftover = (43 - 5 * padchars) / 8;
        let keep = out.len() - 5;
        out.truncate(keep);
        out.extend_from_slice(last.get(3..3 + leftover)?);
    }
    let complete = out.len() <= cap;
    out.truncate(cap);
    Some((out, complete))
}

const B85_ALPHABET: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

pub(super) fn b85decode(s: &[u8], cap: usize) -> Option<(Vec<u8>, bool)> {
    let padding = (5 - s.len() % 5) % 5;
    let mut padded = s.to_vec();
    padded.extend(std::iter::repeat_n(b'~', padding));
    let mut out = Vec::new();
    for chunk in padded.chunks(5) {
        if out.len() > cap {
            break;
        }
        let mut acc: u64 = 0;
        for &c in chunk {
            let v = B85_ALPHABET.iter().position(|&a| a == c)?;
            acc = acc * 85 + v as u64;
        }
        out.extend_from_slice(&u32::try_from(acc).ok()?.to_be_bytes());
    }
    if out.len() > cap {
        out.truncate(cap);
        return Some((out, false));
    }
    out.truncate(out.len() - padding);
    Some((out, true))
}

pub(super) fn a85decode(s: &[u8], cap: usize) -> Option<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    let mut curr: Vec<u8> = Vec::with_capacity(5);
    for &x in s.iter().chain(b"uuuu".iter()) {
        if out.len() > cap {
            out.truncate(cap);
            return Some((out, false));
        }
        match x {
            b'!'..=b'u' => {
                curr.push(x);
                if curr.len() == 5 {
                    let acc = curr
                        .iter()
                        .fold(0u64, |acc, &c| acc * 85 + u64::from(c - 33));
                    out.extend_from_slice(&u32::try_from(acc).ok()?.to_be_bytes());
                    curr.clear();
                }
            }
            b'z' if curr.is_empty() => out.extend_from_slice(&[0; 4]),
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b => {}
            _ => return None,
        }
    }
    let padding = 4 - curr.len();
    out.truncate(out.len().saturating_sub(padding));
    Some((out, true))
}

/// `zlib.decompress(data, wbits)`, at most `cap` bytes of output.
pub(super) fn inflate(data: &[u8], wbits: i64, cap: usize) -> Option<(Vec<u8>, bool)> {
    use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};
    let reader: Box<dyn Read + '_> = match wbits {
        9..=15 => Box::new(ZlibDecoder::new(data)),
        -15..=-9 => Box::new(DeflateDecoder::new(data)),
        25..=31 => Box::new(GzDecoder::new(data)),
        40..=47 if data.starts_with(&[0x1f, 0x8b]) => Box::new(GzDecoder::new(data)),
        40..=47 => Box::new(ZlibDecoder::new(data)),
        _ => return None,
    };
    let mut out = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(limit).read_to_end(&mut out).ok()?;
    let complete = out.len() <= cap;
    out.truncate(cap);
    Some((out, complete))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_like_binascii() {
        let d = |s: &[u8]| a2b_base64(s, true, 1 << 20).map(|(b, _)| b);
        assert_eq!(d(b"ZWNobyBwd25lZA==").unwrap(), b"echo pwned");
        assert_eq!(d(b"ZWNo\nbyBw d25lZA==junk").unwrap(), b"echo pwned");
        assert_eq!(d(b"ZWNobyBwd25lZA"), None);
        assert_eq!(d(b"Z"), None);
        assert_eq!(d(b"").unwrap(), b"");
        // Cut short: decode what is there.
        assert_eq!(
            a2b_base64(b"ZWNobyBwd25", false, 100).unwrap(),
            (b"echo pwn".to_vec(), false)
        );
        assert_eq!(
            a2b_base64(b"ZWNobyBwd25lZA==", true, 4).unwrap(),
            (b"echo".to_vec(), false)
        );
    }

    #[test]
    fn other_codecs() {
        assert_eq!(unhexlify(b"6869", true, 10).unwrap().0, b"hi");
        assert_eq!(unhexlify(b"686", true, 10), None);
        assert_eq!(fromhex(b"68 69\t", true, 10).unwrap().0, b"hi");
        assert_eq!(fromhex(b"6 869", true, 10), None);
        assert_eq!(b32decode(b"NBUQ====", false, None, 10).unwrap().0, b"hi");
        assert_eq!(b32decode(b"NBUQ===", false, None, 10), None);
        assert_eq!(b85decode(b"Xk~0{Zv", 10).unwrap().0, b"hello");
        assert_eq!(a85decode(b"BOu!rDZ", 10).unwrap().0, b"hello");
        assert_eq!(a85decode(b"z", 10).unwrap().0, vec![0; 4]);
        let z = [120, 156, 203, 200, 4, 0, 1, 59, 0, 210];
        assert_eq!(inflate(&z, 15, 10).unwrap(), (b"hi".to_vec(), true));
        assert_eq!(inflate(&z, 15, 1).unwrap(), (b"h".to_vec(), false));
        assert_eq!(inflate(b"garbage", 15, 10), None);
    }
}
