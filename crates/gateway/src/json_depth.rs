//! JSON nesting depth, checked over bytes without building a tree: the
//! parser that runs afterwards (serde_json, and the model server's) then never
//! sees a body nested deeper than `limits.max_json_depth`.
//!
//! The scanner is incremental (`feed` any split of the input) and tracks only
//! the depth and whether it is inside a string, so its memory is constant.
//! Brackets inside strings do not count; escapes are honoured. It does not
//! validate JSON: the parser after it does.

/// Incremental depth scanner.
#[derive(Clone, Debug)]
pub struct DepthScanner {
    max: u32,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

/// The input nests deeper than allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeep {
    /// Byte offset (within everything fed) of the bracket that crossed the limit.
    pub offset: u64,
}

impl DepthScanner {
    pub fn new(max: u32) -> DepthScanner {
        DepthScanner {
            max,
            depth: 0,
            in_string: false,
            escaped: false,
        }
    }

    /// Scan the next bytes; `base` is the offset of `chunk[0]`.
    pub fn feed(&mut self, chunk: &[u8], base: u64) -> Result<(), TooDeep> {
        for (i, &b) in chunk.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'[' | b'{' => {
                    self.depth = self.depth.saturating_add(1);
                    if self.depth > self.max {
                        let offset = base.saturating_add(u64::try_from(i).unwrap_or(u64::MAX));
                        return Err(TooDeep { offset });
                    }
                }
                b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Check a whole buffer.
pub fn check_depth(bytes: &[u8], max: u32) -> Result<(), TooDeep> {
    DepthScanner::new(max).feed(bytes, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_at_limit_passes_and_one_more_fails() {
        assert!(check_depth(b"[[[1]]]", 3).is_ok());
        assert_eq!(check_depth(b"[[[[1]]]]", 3), Err(TooDeep { offset: 3 }));
        assert!(check_depth(br#"{"a":{"b":[1,2]}}"#, 3).is_ok());
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        assert!(check_depth(br#"{"a":"[[[[[[\"[[[["}"#, 1).is_ok());
        assert!(check_depth(br#"["\\", [[1]]]"#, 2).is_err());
    }

    #[test]
    fn split_feeding_matches_whole() {
        let doc = br#"{"x":[{"y":"]]\"[["},[[[2]]]]}"#;
        for max in 1..7 {
            let whole = check_depth(doc, max).is_ok();
            for cut in 0..doc.len() {
                let mut s = DepthScanner::new(max);
                let (a, b) = doc.split_at(cut);
                let split = s.feed(a, 0).and_then(|_| s.feed(b, cut as u64)).is_ok();
                assert_eq!(whole, split, "max {max} cut {cut}");
            }
        }
    }

    #[test]
    fn hundred_thousand_open_brackets_are_rejected_early() {
        let doc = vec![b'['; 100_000];
        assert_eq!(check_depth(&doc, 64), Err(TooDeep { offset: 64 }));
    }
}
