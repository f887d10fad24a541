use std::fmt;

use serde::{Deserialize, Serialize};

use crate::TextRange;

/// Identifies a file of the project a fix may touch (an index into the
/// engine's file table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub u32);

/// Replace `range` of the original text with `replacement`.
/// An empty range is an insertion, an empty replacement a deletion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub replacement: String,
}

impl Ord for Edit {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.range.start, self.range.end, &self.replacement).cmp(&(
            other.range.start,
            other.range.end,
            &other.replacement,
        ))
    }
}

impl PartialOrd for Edit {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Edit {
    pub fn replace(range: TextRange, replacement: impl Into<String>) -> Self {
        Self {
            range,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Self::replace(at..at, text)
    }

    pub fn delete(range: TextRange) -> Self {
        Self::replace(range, "")
    }

    /// Two edits conflict when their ranges overlap, or when both insert at
    /// the same offset (their order would be arbitrary).
    pub fn conflicts_with(&self, other: &Edit) -> bool {
        let (a, b) = (&self.range, &other.range);
        if a.is_empty() && b.is_empty() {
            return a.start == b.start;
        }
        a.start < b.end && b.start < a.end
            || (a.is_empty() && b.start < a.start && a.start < b.end)
            || (b.is_empty() && a.start < b.start && b.start < a.end)
    }
}

/// How safe a fix is to apply without a person looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// No automatic edit: the finding says what to do.
    Manual,
    /// Behaviour may change; applied only with `--unsafe-fixes` or approval.
    Unsafe,
    /// Behaviour is kept; applied by `fix`.
    Safe,
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Applicability::Manual => "manual",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        })
    }
}

/// Edits that are applied or rejected together. They may span several
/// files (a cross-file transform); within one file they never overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub edits: Vec<(FileId, Edit)>,
}

impl Fix {
    pub fn new(applicability: Applicability, file: FileId, edits: Vec<Edit>) -> Self {
        let mut fix = Self {
            applicability,
            edits: edits.into_iter().map(|e| (file, e)).collect(),
        };
        fix.normalize();
        fix
    }

    pub fn safe(file: FileId, edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Safe, file, edits)
    }

    pub fn unsafe_(file: FileId, edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Unsafe, file, edits)
    }

    /// Sorted by file then position, duplicates removed.
    pub fn normalize(&mut self) {
        self.edits.sort();
        self.edits.dedup();
    }

    /// Joins another fix into this one; the result is as safe as the less
    /// safe of the two.
    pub fn merge(&mut self, other: Fix) {
        self.applicability = self.applicability.min(other.applicability);
        self.edits.extend(other.edits);
        self.normalize();
    }

    /// The files this fix touches, in order, each once.
    pub fn files(&self) -> Vec<FileId> {
        let mut files: Vec<FileId> = self.edits.iter().map(|(f, _)| *f).collect();
        files.dedup();
        files
    }

    pub fn edits_for(&self, file: FileId) -> impl Iterator<Item = &Edit> {
        self.edits
            .iter()
            .filter(move |(f, _)| *f == file)
            .map(|(_, e)| e)
    }

    /// True when any edit of `self` conflicts with any edit of `other` in
    /// the same file.
    pub fn conflicts_with(&self, other: &Fix) -> bool {
        self.edits.iter().any(|(fa, a)| {
            other
                .edits
                .iter()
                .any(|(fb, b)| fa == fb && a.conflicts_with(b))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    OutOfBounds { range: TextRange, len: usize },
    NotCharBoundary { offset: usize },
    Overlap { first: TextRange, second: TextRange },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::OutOfBounds { range, len } => {
                write!(f, "edit {range:?} is outside the text (length {len})")
            }
            EditError::NotCharBoundary { offset } => {
                write!(f, "edit boundary {offset} splits a character")
            }
            EditError::Overlap { first, second } => {
                write!(f, "edits {first:?} and {second:?} overlap")
            }
        }
    }
}

impl std::error::Error for EditError {}

/// Applies non-overlapping edits to `text`. Edits may come in any order;
/// insertions at the same offset keep their given order.
pub fn apply_edits<'a>(
    text: &str,
    edits: impl IntoIterator<Item = &'a Edit>,
) -> Result<String, EditError> {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in edits {
        let range = &edit.range;
        if range.start > range.end || range.end > text.len() {
            return Err(EditError::OutOfBounds {
                range: range.clone(),
                len: text.len(),
            });
        }
        for offset in [range.start, range.end] {
            if !text.is_char_boundary(offset) {
                return Err(EditError::NotCharBoundary { offset });
            }
        }
        if range.start < cursor {
            return Err(EditError::Overlap {
                first: cursor..cursor,
                second: range.clone(),
            });
        }
        out.push_str(&text[cursor..range.start]);
        out.push_str(&edit.replacement);
        cursor = range.end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_edits_in_any_order() {
        let text = "from a import b, c\n";
        let edits = [Edit::delete(15..18), Edit::replace(5..6, "x.y")];
        assert_eq!(apply_edits(text, &edits).unwrap(), "from x.y import b\n");
    }

    #[test]
    fn insertion_and_replacement_touching_do_not_conflict() {
        let insert = Edit::insert(4, "x");
        let replace = Edit::replace(4..6, "y");
        assert!(!insert.conflicts_with(&replace));
        assert!(Edit::insert(3, "a").conflicts_with(&Edit::insert(3, "b")));
        assert!(Edit::insert(5, "a").conflicts_with(&Edit::replace(4..6, "b")));
        assert!(Edit::replace(0..5, "").conflicts_with(&Edit::replace(4..6, "b")));
        assert!(!Edit::replace(0..4, "").conflicts_with(&Edit::replace(4..6, "b")));
    }

    #[test]
    fn rejects_overlap_and_bad_boundaries() {
        let text = "héllo";
        assert!(matches!(
            apply_edits("hello", &[Edit::delete(0..3), Edit::delete(2..4)]),
            Err(EditError::Overlap { .. })
        ));
        assert_eq!(
            apply_edits(text, &[Edit::delete(2..3)]),
            Err(EditError::NotCharBoundary { offset: 2 })
        );
        assert!(matches!(
            apply_edits(text, &[Edit::delete(0..99)]),
            Err(EditError::OutOfBounds { .. })
        ));
    }

    #[test]
    fn merged_fix_takes_the_weaker_applicability() {
        let mut fix = Fix::safe(FileId(1), vec![Edit::delete(0..1)]);
        fix.merge(Fix::unsafe_(FileId(0), vec![Edit::delete(2..3)]));
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(fix.files(), vec![FileId(0), FileId(1)]);
    }
}
