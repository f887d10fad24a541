/// A 1-based line and column; the column counts characters, as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourcePosition {
    pub line: usize,
    pub column: usize,
}

/// Maps byte offsets to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self { line_starts }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// Byte offset of the start of the line after `line`, or `len`.
    pub fn line_end(&self, line: usize, len: usize) -> usize {
        self.line_starts.get(line + 1).copied().unwrap_or(len)
    }

    pub fn position(&self, text: &str, offset: usize) -> SourcePosition {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        SourcePosition {
            line: line + 1,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd\n";
        let index = LineIndex::new(text);
        assert_eq!(
            index.position(text, 0),
            SourcePosition { line: 1, column: 1 }
        );
        assert_eq!(
            index.position(text, 5),
            SourcePosition { line: 2, column: 2 }
        );
        assert_eq!(
            index.position(text, 7),
            SourcePosition { line: 3, column: 1 }
        );
        assert_eq!(index.line_of(2), 0);
        assert_eq!(index.line_end(0, text.len()), 3);
    }
}
