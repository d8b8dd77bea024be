//! A source over `std::io::Read`: a bounded buffer refilled in chunks, with a
//! window kept for rewinding and set-aside bytes served first (joblib).

use std::io::Read;

use super::{Short, Source};
use crate::value::Spans;

/// Read size.
const CHUNK: usize = 64 << 10;
/// Largest growth of the buffer per read.
const GROW_STEP: usize = 1 << 20;

/// Bytes held in memory and served before the underlying reader.
struct Served {
    bytes: Vec<u8>,
    start: u64,
    at: usize,
}

impl Served {
    fn rest(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }
}

pub(crate) struct ReaderSource<R> {
    inner: R,
    buf: Vec<u8>,
    /// `buf[head..filled]` is unread; `buf[..head]` is kept only for rewinding.
    head: usize,
    filled: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    eof: bool,
    keep: Option<u64>,
    /// Bytes kept behind `keep` for rewinding.
    window: usize,
    served: Option<Served>,
    aside: Option<Served>,
}

impl<R: Read> ReaderSource<R> {
    /// A reader source keeping up to `window` bytes for rewinding.
    pub(crate) fn new(inner: R, window: usize) -> Self {
        ReaderSource {
            inner,
            buf: Vec::new(),
            head: 0,
            filled: 0,
            base: 0,
            eof: false,
            keep: None,
            window,
            served: None,
            aside: None,
        }
    }

    fn serving(&self) -> bool {
        self.served.as_ref().is_some_and(|s| s.rest() > 0)
    }

    fn avail(&self) -> usize {
        self.filled - self.head
    }

    /// Drop bytes no longer needed, and make space for `want` more bytes.
    fn make_room(&mut self, want: usize) {
        let mut start = self.head;
        if let Some(k) = self.keep {
            match k
                .checked_sub(self.base)
                .and_then(|d| usize::try_from(d).ok())
            {
                Some(d) if d <= self.head && self.head - d <= self.window => start = d,
                _ => self.keep = None,
            }
        }
        if start > 0 {
            self.buf.copy_within(start..self.filled, 0);
            self.filled -= start;
            self.head -= start;
            self.base += start as u64;
        }
        let need = self.filled.saturating_add(want.max(CHUNK));
        if self.buf.len() < need {
            // Grow geometrically so that a kept rewind window is not copied
            // again on every refill.
            let doubled = self
                .buf
                .len()
                .saturating_mul(2)
                .min(need.saturating_add(self.window.saturating_mul(2)));
            self.buf.resize(need.max(doubled), 0);
        }
    }

    /// Ensure `want` unread bytes; false if the input ends first.
    fn fill(&mut self, want: usize) -> bool {
        while self.avail() < want {
            if self.eof {
                return false;
            }
            // Grow with the data that actually arrives, not with the claim.
            let missing = (want - self.avail()).min(GROW_STEP);
            if self.filled == self.buf.len() || self.buf.len() - self.filled < missing {
                self.make_room(missing);
            }
            let Some(space) = self.buf.get_mut(self.filled..) else {
                return false;
            };
            match self.inner.read(space) {
                Ok(0) => self.eof = true,
                Ok(k) => self.filled += k.min(space.len()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // An I/O error ends the input: what was read still counts.
                Err(_) => self.eof = true,
            }
        }
        true
    }
}

impl<R: Read> Source for ReaderSource<R> {
    const ZERO_COPY: bool = false;

    fn pos(&self) -> u64 {
        match &self.served {
            Some(s) if s.rest() > 0 => s.start + s.at as u64,
            _ => self.base + self.head as u64,
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], Short> {
        if self.serving() {
            let s = self.served.as_mut().ok_or(Short::End)?;
            if n > s.rest() {
                return Err(Short::Boundary);
            }
            let at = s.at;
            s.at += n;
            return s.bytes.get(at..at + n).ok_or(Short::End);
        }
        if !self.fill(n) {
            // A short read consumes what there is.
            self.head = self.filled;
            return Err(Short::End);
        }
        let at = self.head;
        self.head += n;
        self.buf.get(at..at + n).ok_or(Short::End)
    }

    fn window(&self) -> &[u8] {
        if self.serving() {
            return &[];
        }
        self.buf.get(self.head..self.filled).unwrap_or_default()
    }

    fn line(&mut self, max: usize) -> Result<&[u8], Short> {
        if self.serving() {
            let s = self.served.as_mut().ok_or(Short::End)?;
            let rest = s.bytes.get(s.at..).unwrap_or_default();
            let i = rest.iter().take(max).position(|&b| b == b'\n');
            return match i {
                Some(i) => {
                    let at = s.at;
                    s.at += i + 1;
                    s.bytes.get(at..at + i + 1).ok_or(Short::End)
                }
                None if rest.len() > max => Err(Short::TooLong),
                None => Err(Short::Boundary),
            };
        }
        let mut scanned = 0;
        loop {
            let unread = self
                .buf
                .get(self.head + scanned..self.filled)
                .unwrap_or_default();
            if let Some(i) = unread.iter().position(|&b| b == b'\n') {
                let len = scanned + i + 1;
                if len > max {
                    return Err(Short::TooLong);
                }
                let at = self.head;
                self.head += len;
                return self.buf.get(at..at + len).ok_or(Short::End);
            }
            scanned = self.avail();
            if !self.fill(scanned + 1) {
                self.head = self.filled;
                return Err(Short::End);
            }
            if scanned >= max {
                return Err(Short::TooLong);
            }
        }
    }

    fn stream(&mut self, n: u64, visit: &mut dyn FnMut(&[u8])) -> Result<(), Short> {
        if self.serving() {
            let s = self.served.as_mut().ok_or(Short::End)?;
            let n = usize::try_from(n)
                .ok()
                .filter(|&n| n <= s.rest())
                .ok_or(Short::Boundary)?;
            if let Some(bytes) = s.bytes.get(s.at..s.at + n) {
                visit(bytes);
            }
            s.at += n;
            return Ok(());
        }
        let mut left = n;
        while left > 0 {
            if self.avail() == 0 && !self.fill(1) {
                return Err(Short::End);
            }
            let k = self
                .avail()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            if let Some(bytes) = self.buf.get(self.head..self.head + k) {
                visit(bytes);
            }
            self.head += k;
            left -= k as u64;
        }
        Ok(())
    }

    fn has(&mut self, n: u64, consume: bool, probe: usize) -> Option<bool> {
        if self.serving() {
            return Some(self.served.as_ref().is_some_and(|s| s.rest() as u64 >= n));
        }
        if n <= probe as u64 {
            let there = self.fill(n as usize);
            if !there && consume {
                self.head = self.filled;
            }
            return Some(there);
        }
        consume.then(|| self.stream(n, &mut |_| {}).is_ok())
    }

    fn at_end(&mut self) -> bool {
        !self.serving() && !self.fill(1)
    }

    fn known_len(&self) -> Option<u64> {
        self.eof.then_some(self.base + self.filled as u64)
    }

    fn abandon_detours(&mut self) {
        self.served = None;
        self.aside = None;
    }

    fn keep_from_here(&mut self) {
        self.keep = (!self.serving()).then(|| self.pos());
    }

    fn rewind(&mut self, to: u64) -> bool {
        let ok = self.served.is_none()
            && self.aside.is_none()
            && self.keep.is_some_and(|k| to >= k)
            && to >= self.base
            && to - self.base <= self.filled as u64;
        if ok {
            self.head = (to - self.base) as usize;
        }
        ok
    }

    fn seek_proto_start(&mut self) -> Option<u64> {
        self.served = None;
        loop {
            if !self.fill(2) {
                self.head = self.filled;
                return None;
            }
            let unread = self.buf.get(self.head..self.filled).unwrap_or_default();
            match unread.windows(2).position(|w| matches!(w, [0x80, 2..=5])) {
                Some(i) => {
                    self.head += i;
                    return Some(self.pos());
                }
                // Keep the last byte: it may be the 0x80 of a pair.
                None => self.head = self.filled - 1,
            }
        }
    }

    fn begin_detour(&mut self, frame_rest: u64, max: usize) -> Result<(), Short> {
        if self.serving() {
            self.aside = self.served.take();
            return Ok(());
        }
        self.served = None;
        let n = usize::try_from(frame_rest)
            .ok()
            .filter(|&n| n <= max)
            .ok_or(Short::TooLong)?;
        let start = self.pos();
        let mut bytes = Vec::with_capacity(n.min(CHUNK));
        self.stream(n as u64, &mut |chunk| bytes.extend_from_slice(chunk))?;
        self.aside = Some(Served {
            bytes,
            start,
            at: 0,
        });
        Ok(())
    }

    fn end_detour(&mut self) {
        self.served = self.aside.take();
    }

    fn served_rest(&self) -> Option<u64> {
        self.served
            .as_ref()
            .filter(|s| s.rest() > 0)
            .map(|s| s.rest() as u64)
    }

    fn drop_served(&mut self) {
        self.served = None;
    }
}

impl<R> Spans for ReaderSource<R> {
    fn span(&self, _start: u64, _len: u64) -> Option<&[u8]> {
        None
    }
}
