//! A source over bytes in memory: reads are slices, skipping is free, and
//! string values can refer to the input.

use super::{Short, Source};
use crate::value::Spans;

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

    #[inline(always)]
    fn limit(&self) -> usize {
        self.segment.map_or(self.data.len(), |s| s.end)
    }

    /// A read that comes up short: like a reader, it consumes what there is
    /// (inside a served segment it fails where it stands).
    fn short(&mut self) -> Short {
        if self.segment.is_some() {
            Short::Boundary
        } else {
            self.pos = self.data.len();
            Short::End
        }
    }

    /// Advance to `to`, leaving a served segment when its end is reached.
    #[inline(always)]
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

    #[inline(always)]
    fn pos(&self) -> u64 {
        self.pos as u64
    }

    #[inline(always)]
    fn take(&mut self, n: usize) -> Result<&[u8], Short> {
        let start = self.pos;
        let Some(end) = start.checked_add(n).filter(|&e| e <= self.limit()) else {
            return Err(self.short());
        };
        self.advance(end);
        self.data.get(start..end).ok_or(Short::End)
    }

    #[inline(always)]
    fn window(&self) -> &[u8] {
        self.data.get(self.pos..self.limit()).unwrap_or_default()
    }

    fn line(&mut self, max: usize) -> Result<&[u8], Short> {
        let start = self.pos;
        let limit = self.limit();
        let window_end = limit.min(start.saturating_add(max));
        let window = self.data.get(start..window_end).unwrap_or_default();
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
            return Err(self.short());
        };
        if let Some(bytes) = self.data.get(start..end) {
            visit(bytes);
        }
        self.advance(end);
        Ok(())
    }

    fn has(&mut self, n: u64, consume: bool, _probe: usize) -> Option<bool> {
        let there = (self.limit() - self.pos.min(self.limit())) as u64 >= n;
        if !there && consume {
            self.short();
        }
        Some(there)
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
