//! Reading opcode arguments: fixed-size fields, text lines, and the FRAME
//! and PROTO opcodes, with the frame bookkeeping every read goes through.
//!
//! A read that crosses the end of the current frame is recorded once per
//! frame as a straddle and goes on, as `pickle.loads` does.

use super::{Halt, Machine, Step, malformed};
use crate::AnomalyKind;
use crate::opcode::HIGHEST_PROTOCOL;
use crate::source::Source;

impl<S: Source> Machine<'_, S> {
    /// Note a read of `n` bytes at the current position against the frame.
    #[inline(always)]
    pub(super) fn note_frame(&mut self, start: u64, n: u64) {
        let Some(end) = self.load.frame_end else {
            return;
        };
        if start >= end {
            self.load.frame_end = None;
        } else if start.saturating_add(n) > end && !self.load.straddle_noted {
            self.load.straddle_noted = true;
            let detail = format!(
                "opcode at {} reads past the frame ending at {end}",
                self.op_at
            );
            self.rec
                .anomaly(self.op_at, AnomalyKind::FrameStraddle, detail);
        }
    }

    #[inline(always)]
    pub(super) fn arg_u8(&mut self) -> Result<u8, Halt> {
        Ok(self.arg_array::<1>()?[0])
    }

    #[inline(always)]
    pub(super) fn arg_array<const N: usize>(&mut self) -> Result<[u8; N], Halt> {
        let start = self.src.pos();
        self.note_frame(start, N as u64);
        let b = self.src.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b.get(..N).unwrap_or(&[0; N]));
        Ok(out)
    }

    /// A little-endian unsigned length of `width` bytes, at most i64::MAX as
    /// CPython's `calc_binsize` requires.
    pub(super) fn arg_size(&mut self, width: usize) -> Result<u64, Halt> {
        let v = match width {
            1 => u64::from(self.arg_u8()?),
            4 => u64::from(u32::from_le_bytes(self.arg_array::<4>()?)),
            _ => u64::from_le_bytes(self.arg_array::<8>()?),
        };
        if v > i64::MAX as u64 {
            return malformed("size exceeds the system's maximum size");
        }
        Ok(v)
    }

    /// Read a text line and parse it (without its `\n`).
    pub(super) fn line_with<T>(&mut self, parse: impl FnOnce(&[u8]) -> T) -> Result<T, Halt> {
        let start = self.src.pos();
        let (len, out) = {
            let line = self.src.line(self.lim.max_line)?;
            let body = line.get(..line.len().saturating_sub(1)).unwrap_or_default();
            (line.len(), parse(body))
        };
        self.note_frame(start, len as u64);
        Ok(out)
    }

    /// A line that must hold something besides its `\n` (`len < 2` is
    /// `bad_readline` in CPython).
    pub(super) fn nonempty_line_with<T>(
        &mut self,
        parse: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, Halt> {
        let out = self.line_with(|l| (!l.is_empty()).then(|| parse(l)))?;
        out.map_or_else(
            || malformed("pickle data was truncated (empty argument line)"),
            Ok,
        )
    }

    pub(super) fn op_proto(&mut self) -> Step {
        let p = self.arg_u8()?;
        if p > HIGHEST_PROTOCOL {
            return malformed(format!("unsupported pickle protocol: {p}"));
        }
        if !self.load.fresh {
            let detail = format!("PROTO {p} after the first opcode");
            self.rec.anomaly(self.op_at, AnomalyKind::Unusual, detail);
        }
        self.load.proto = p;
        self.load.max_proto = self.load.max_proto.max(p);
        Ok(())
    }

    pub(super) fn op_frame(&mut self) -> Step {
        let n = u64::from_le_bytes(self.arg_array::<8>()?);
        if n > i64::MAX as u64 {
            return malformed("FRAME length exceeds system's maximum");
        }
        if self.src.served_rest().is_some() {
            // joblib's pure-Python unpickler holds this frame in memory.
            return malformed("beginning of a new frame before end of current frame");
        }
        let pos = self.src.pos();
        if self.load.frame_end.is_some_and(|e| pos < e) {
            let detail = format!(
                "FRAME at {} inside the frame ending at {}",
                self.op_at,
                self.load.frame_end.unwrap_or(0)
            );
            self.rec
                .anomaly(self.op_at, AnomalyKind::FrameStraddle, detail);
        }
        // Whether the frame's bytes exist is settled when reading reaches the
        // end of the input or STOP (a reader cannot look far ahead).
        let end = pos.saturating_add(n);
        self.load.promise = match self.load.promise {
            Some((e, at)) if e > pos => Some((e.max(end), at)),
            _ => Some((end, self.op_at)),
        };
        self.load.frame_end = Some(end);
        self.load.straddle_noted = false;
        Ok(())
    }

    /// Bytes left in the current frame after the position.
    pub(super) fn frame_rest(&self) -> u64 {
        if let Some(r) = self.src.served_rest() {
            return r;
        }
        let pos = self.src.pos();
        self.load.frame_end.map_or(0, |e| e.saturating_sub(pos))
    }
}
