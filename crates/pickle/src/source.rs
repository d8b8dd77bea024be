//! Where the machine's bytes come from: a slice (mmapped files) or a reader
//! (decompressed streams).
//!
//! Both give the same view: a position, small exact reads, lines, and long
//! runs shown in chunks so that a payload is never buffered whole. A slice
//! also lets string values refer to the input instead of copying it.
//!
//! Two extras serve the stream driver and joblib:
//! - rewinding to a remembered position, to resynchronise after junk (a
//!   reader keeps a bounded window for this);
//! - a *detour*: joblib reads array bytes from the file behind the frame that
//!   the pure-Python unpickler already holds in memory; the rest of that frame
//!   is then served first, and reads that cross its end fail as in Python.

use std::io::Read;

use crate::value::Spans;

/// Largest exact read that [`Source::take`] accepts.
pub(crate) const MAX_TAKE: usize = 64 << 10;
/// Read size of the streaming reader.
const CHUNK: usize = 64 << 10;
/// Largest growth of a reader's buffer per read.
const GROW_STEP: usize = 1 << 20;
/// Bytes a reader keeps behind a resynchronisation candidate for rewinding.
const REWIND_WINDOW: usize = 4 << 20;

/// Why a read came up short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Short {
    /// The input ended.
    End,
    /// The read crosses the end of a set-aside frame (Python raises).
    Boundary,
    /// A line longer than allowed.
    TooLong,
}

pub(crate) trait Source: Spans {
    /// Whether string values may refer to the input through [`Source::span`].
    const ZERO_COPY: bool;

    /// Offset of the next byte in the input.
    fn pos(&self) -> u64;
    /// Exactly `n` bytes, `n <= MAX_TAKE`.
    fn take(&mut self, n: usize) -> Result<&[u8], Short>;
    /// A line including its `\n`, at most `max` bytes.
    fn line(&mut self, max: usize) -> Result<&[u8], Short>;
    /// Consume `n` bytes, showing them to `visit` in order, in chunks.
    fn stream(&mut self, n: u64, visit: &mut dyn FnMut(&[u8])) -> Result<(), Short>;
    /// Whether `n` more bytes exist. A reader looks up to `probe` bytes
    /// ahead; past that it consumes them if `consume` allows, else it cannot
    /// tell (None).
    fn has(&mut self, n: u64, consume: bool, probe: usize) -> Option<bool>;
    /// Whether the input is exhausted.
    fn at_end(&mut self) -> bool;
    /// Length of the input, once known.
    fn known_len(&self) -> Option<u64>;
    /// Forget set-aside frames (a junk candidate left them).
    fn abandon_detours(&mut self);

    /// Remember the current position as a place to rewind to.
    fn keep_from_here(&mut self);
    /// Go back to `to` (at or after the remembered position); false if the
    /// bytes are no longer available.
    fn rewind(&mut self, to: u64) -> bool;
    /// Advance to the next `0x80 0x02..=0x05` (a plausible protocol 2–5
    /// start) and return its offset, or consume everything and return None.
    fn seek_proto_start(&mut self) -> Option<u64>;

    /// Set aside the rest of the current frame (`frame_rest` bytes, or the
    /// rest of a frame being served) and read on from behind it.
    fn begin_detour(&mut self, frame_rest: u64, max: usize) -> Result<(), Short>;
    /// Serve the set-aside bytes next, then continue where reading is now.
    fn end_detour(&mut self);
    /// Bytes left of a set-aside frame being served.
    fn served_rest(&self) -> Option<u64>;
    /// Forget a set-aside frame being served (its unpickler returned).
    fn drop_served(&mut self);
}

/// A served range `[pos, end)` after which reading continues at `then`.
#[derive(Clone, Copy, Debug)]
struct Segment {
    end: usize,
    then: usize,
}

pub(crate) struct SliceSource<'a> {
    data: &'a [u8],
    pos: usize,
    segment: Option<Segment>,
    aside: Option<(usize, usize)>,
}

impl<'a> SliceSource<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        SliceSource {
            data,
            pos: 0,
            segment: None,
            aside: None,
        }
    }

    fn limit(&self) -> usize {
        self.segment.map_or(self.data.len(), |s| s.end)
    }

    fn short(&self) -> Short {
        if self.segment.is_some() {
            Short::Boundary
        } else {
            Short::End
        }
    }

    /// Advance to `to`, leaving a served segment when its end is reached.
    fn advance(&mut self, to: usize) {
        self.pos = to;
        if let Some(s) = self.segment
            && to >= s.end
        {
            self.pos = s.then;
            self.segment = None;
        }
    }
}

impl Source for SliceSource<'_> {
    const ZERO_COPY: bool = true;

    fn pos(&self) -> u64 {
        self.pos as u64
    }

    fn take(&mut self, n: usize) -> Result<&[u8], Short> {
        let start = self.pos;
        let end = start
            .checked_add(n)
            .filter(|&e| e <= self.limit())
            .ok_or(self.short())?;
        self.advance(end);
        self.data.get(start..end).ok_or(Short::End)
    }

    fn line(&mut self, max: usize) -> Result<&[u8], Short> {
        let start = self.pos;
        let limit = self.limit();
        let window_end = limit.min(start.saturating_add(max));
        let window = self.data.get(start..window_end).ok_or(Short::End)?;
        match window.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let end = start + i + 1;
                self.advance(end);
                self.data.get(start..end).ok_or(Short::End)
            }
            None if window_end < limit => Err(Short::TooLong),
            None => Err(self.short()),
        }
    }

    fn stream(&mut self, n: u64, visit: &mut dyn FnMut(&[u8])) -> Result<(), Short> {
        let start = self.pos;
        let Some(end) = usize::try_from(n)
            .ok()
            .and_then(|n| start.checked_add(n))
            .filter(|&e| e <= self.limit())
        else {
            // Like a reader, a short run consumes what there is.
            if self.segment.is_none() {
                self.pos = self.data.len();
            }
            return Err(self.short());
        };
        if let Some(bytes) = self.data.get(start..end) {
            visit(bytes);
        }
        self.advance(end);
        Ok(())
    }

    fn has(&mut self, n: u64, _consume: bool, _probe: usize) -> Option<bool> {
        Some((self.limit() - self.pos.min(self.limit())) as u64 >= n)
    }

    fn at_end(&mut self) -> bool {
        self.segment.is_none() && self.pos >= self.data.len()
    }

    fn known_len(&self) -> Option<u64> {
        Some(self.data.len() as u64)
    }

    fn abandon_detours(&mut self) {
        self.segment = None;
        self.aside = None;
    }

    fn keep_from_here(&mut self) {}

    fn rewind(&mut self, to: u64) -> bool {
        match usize::try_from(to) {
            Ok(to) if to <= self.data.len() && self.segment.is_none() && self.aside.is_none() => {
                self.pos = to;
                true
            }
            _ => false,
        }
    }

    fn seek_proto_start(&mut self) -> Option<u64> {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let found = rest.windows(2).position(|w| matches!(w, [0x80, 2..=5]));
        match found {
            Some(i) => {
                self.pos += i;
                Some(self.pos as u64)
            }
            None => {
                self.pos = self.data.len();
                None
            }
        }
    }

    fn begin_detour(&mut self, frame_rest: u64, _max: usize) -> Result<(), Short> {
        if let Some(s) = self.segment.take() {
            self.aside = Some((self.pos, s.end));
            self.pos = s.then;
            return Ok(());
        }
        let end = usize::try_from(frame_rest)
            .ok()
            .and_then(|r| self.pos.checked_add(r))
            .filter(|&e| e <= self.data.len())
            .ok_or(Short::End)?;
        self.aside = Some((self.pos, end));
        self.pos = end;
        Ok(())
    }

    fn end_detour(&mut self) {
        if let Some((start, end)) = self.aside.take()
            && start < end
        {
            self.segment = Some(Segment {
                end,
                then: self.pos,
            });
            self.pos = start;
        }
    }

    fn served_rest(&self) -> Option<u64> {
        self.segment.map(|s| (s.end - self.pos.min(s.end)) as u64)
    }

    fn drop_served(&mut self) {
        if let Some(s) = self.segment.take() {
            self.pos = s.then;
        }
    }
}

impl Spans for SliceSource<'_> {
    fn span(&self, start: u64, len: u64) -> Option<&[u8]> {
        let start = usize::try_from(start).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        self.data.get(start..end)
    }
}

impl<R> Spans for ReaderSource<R> {
    fn span(&self, _start: u64, _len: u64) -> Option<&[u8]> {
        None
    }
}

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
    served: Option<Served>,
    aside: Option<Served>,
}

impl<R: Read> ReaderSource<R> {
    pub(crate) fn new(inner: R) -> Self {
        ReaderSource {
            inner,
            buf: Vec::new(),
            head: 0,
            filled: 0,
            base: 0,
            eof: false,
            keep: None,
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
                Some(d) if d <= self.head && self.head - d <= REWIND_WINDOW => start = d,
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
                .min(need.saturating_add(2 * REWIND_WINDOW));
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
            return Err(Short::End);
        }
        let at = self.head;
        self.head += n;
        self.buf.get(at..at + n).ok_or(Short::End)
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
            if scanned >= max {
                return Err(Short::TooLong);
            }
            if !self.fill(scanned + 1) {
                return Err(Short::End);
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
            return Some(self.fill(n as usize));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns one byte per call, to exercise refills.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((b, rest)), Some(o)) => {
                    *o = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn slice_and_reader_agree_on_takes_and_lines() {
        let data = b"abc\ndefgh\nij";
        let mut s = SliceSource::new(data);
        let mut r = ReaderSource::new(Trickle(data));
        assert_eq!(s.take(2).unwrap(), b"ab");
        assert_eq!(r.take(2).unwrap(), b"ab");
        assert_eq!(s.line(100).unwrap(), b"c\n");
        assert_eq!(r.line(100).unwrap(), b"c\n");
        assert_eq!(s.line(3), Err(Short::TooLong));
        assert_eq!(r.line(3), Err(Short::TooLong));
        assert_eq!(s.line(100).unwrap(), b"defgh\n");
        assert_eq!(r.line(100).unwrap(), b"defgh\n");
        assert_eq!(s.line(100), Err(Short::End));
        assert_eq!(r.line(100), Err(Short::End));
        assert_eq!(s.pos(), 10);
        assert_eq!(r.pos(), 10);
        assert_eq!(s.take(3), Err(Short::End));
        assert_eq!(r.take(3), Err(Short::End));
    }

    #[test]
    fn stream_shows_every_byte_once() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut r = ReaderSource::new(&data[..]);
        let mut sum = 0u64;
        r.stream(199_999, &mut |c| {
            sum += c.iter().map(|&b| b as u64).sum::<u64>()
        })
        .unwrap();
        let want: u64 = data[..199_999].iter().map(|&b| b as u64).sum();
        assert_eq!(sum, want);
        assert_eq!(r.take(1).unwrap(), &data[199_999..]);
        assert_eq!(r.stream(1, &mut |_| {}), Err(Short::End));
    }

    #[test]
    fn seek_proto_start_finds_pairs_across_refills() {
        let mut data = vec![0u8; 100_000];
        data.extend_from_slice(&[0x80, 0x80, 0x04, 1]);
        let mut s = SliceSource::new(&data);
        let mut r = ReaderSource::new(Trickle(&data));
        assert_eq!(s.seek_proto_start(), Some(100_001));
        assert_eq!(r.seek_proto_start(), Some(100_001));
        s.take(1).unwrap();
        r.take(1).unwrap();
        assert_eq!(s.seek_proto_start(), None);
        assert_eq!(r.seek_proto_start(), None);
    }

    #[test]
    fn reader_rewinds_within_its_window() {
        let data = b"0123456789";
        let mut r = ReaderSource::new(Trickle(data));
        r.take(2).unwrap();
        r.keep_from_here();
        r.take(5).unwrap();
        assert!(r.rewind(3));
        assert_eq!(r.take(2).unwrap(), b"34");
        assert!(!r.rewind(1));
    }

    #[test]
    fn detour_serves_the_frame_rest_after_the_data() {
        // Frame rest "ab", then data "XYZ", then "cd".
        let data = b"abXYZcd";
        let mut s = SliceSource::new(data);
        let mut r = ReaderSource::new(Trickle(data));
        for src in [&mut s as &mut dyn FnMutSource, &mut r] {
            src.run();
        }
    }

    /// Object-safe test helper over both sources.
    trait FnMutSource {
        fn run(&mut self);
    }

    impl<T: Source> FnMutSource for T {
        fn run(&mut self) {
            self.begin_detour(2, 100).unwrap();
            assert_eq!(self.take(3).unwrap(), b"XYZ");
            self.end_detour();
            assert_eq!(self.served_rest(), Some(2));
            assert_eq!(self.pos(), 0);
            assert_eq!(self.take(3), Err(Short::Boundary));
            assert_eq!(self.take(2).unwrap(), b"ab");
            assert_eq!(self.pos(), 5);
            assert_eq!(self.take(2).unwrap(), b"cd");
            assert!(self.at_end());
        }
    }
}
