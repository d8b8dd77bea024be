//! Finding a piece of text within a range of lines, for exact positions of
//! findings whose parser kept only the first line (joined continuations,
//! heredocs).

/// The lines of a file, 1-based access.
pub struct Lines<'a>(Vec<&'a str>);

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Lines(text.lines().collect())
    }

    pub fn get(&self, line: u32) -> &'a str {
        let i = usize::try_from(line)
            .unwrap_or(usize::MAX)
            .saturating_sub(1);
        self.0.get(i).copied().unwrap_or("")
    }

    /// First `(line, column)` of `needle` in lines `from..=to`, else `(from, 1)`.
    /// Columns are 1-based, in characters.
    pub fn find(&self, from: u32, to: u32, needle: &str) -> (u32, u32) {
        if !needle.is_empty() {
            let last = u32::try_from(self.0.len())
                .unwrap_or(u32::MAX)
                .min(to.max(from));
            for line in from..=last {
                let text = self.get(line);
                if let Some(p) = text.find(needle) {
                    let col = text.get(..p).map_or(0, |s| s.chars().count());
                    return (line, u32::try_from(col).unwrap_or(0).saturating_add(1));
                }
            }
        }
        (from, 1)
    }
}
