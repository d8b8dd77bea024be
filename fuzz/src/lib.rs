//! Helpers shared by the fuzz targets.

use std::io::Read;

/// A reader that hands out its bytes 1 to 7 at a time, so that every
/// refill and partial-read path of the reader under test runs.
pub struct Uneven<'a> {
    data: &'a [u8],
    step: usize,
}

impl<'a> Uneven<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Uneven { data, step: 1 }
    }
}

impl Read for Uneven<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        if let Some(dst) = out.get_mut(..n) {
            dst.copy_from_slice(head);
        }
        self.data = rest;
        self.step = self.step % 7 + 1;
        Ok(n)
    }
}
