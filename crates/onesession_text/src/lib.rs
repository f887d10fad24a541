//! Text edits, fixes and line positions.
//!
//! Fixes are data: an [`Edit`] replaces a byte range of the original text,
//! a [`Fix`] groups edits (possibly in several files) with an
//! [`Applicability`]. Nothing here knows about Python.

mod edit;
mod line_index;

pub use edit::{apply_edits, Applicability, Edit, EditError, FileId, Fix};
pub use line_index::{LineIndex, SourcePosition};

/// A half-open byte range `[start, end)` into a source text.
pub type TextRange = std::ops::Range<usize>;
