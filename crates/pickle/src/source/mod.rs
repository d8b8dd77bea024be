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

mod reader;
mod slice;

pub(crate) use reader::ReaderSource;
pub(crate) use slice::SliceSource;

use crate::value::Spans;

/// Largest exact read that [`Source::take`] accepts.
pub(crate) const MAX_TAKE: usize = 64 << 10;

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
    /// The next bytes already at hand (possibly none), without consuming
    /// them; `take` of up to their length then succeeds.
    fn window(&self) -> &[u8];
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

#[cfg(test)]
mod tests {
    use std::io::Read;

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
        let mut r = ReaderSource::new(Trickle(data), 1 << 20);
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
        // A short read consumes what there is, alike.
        assert_eq!(s.pos(), 12);
        assert_eq!(r.pos(), 12);
        assert_eq!(s.take(3), Err(Short::End));
        assert_eq!(r.take(3), Err(Short::End));
    }

    #[test]
    fn stream_shows_every_byte_once() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut r = ReaderSource::new(&data[..], 1 << 20);
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
        let mut r = ReaderSource::new(Trickle(&data), 1 << 20);
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
        let mut r = ReaderSource::new(Trickle(data), 1 << 20);
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
        let mut r = ReaderSource::new(Trickle(data), 1 << 20);
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
