//! Text helpers at AST ranges.

use onesession_text::{Edit, TextRange};

/// Offset of the start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Offset just past the newline ending the line holding `offset`.
pub fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The leading whitespace of the line holding `offset`.
pub fn indentation_at(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = &text[start..];
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// An edit that removes item `index` of a comma-separated list whose item
/// ranges are `items` (in source order), with the comma that belongs to it.
pub fn remove_list_item(items: &[TextRange], index: usize) -> Edit {
    let item = &items[index];
    if let Some(next) = items.get(index + 1) {
        Edit::delete(item.start..next.start)
    } else if index > 0 {
        Edit::delete(items[index - 1].end..item.end)
    } else {
        Edit::delete(item.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onesession_text::apply_edits;

    #[test]
    fn removes_items_with_their_comma() {
        let text = "f(a, b, c)";
        let items = [2..3, 5..6, 8..9];
        let out = |i| apply_edits(text, &[remove_list_item(&items, i)]).unwrap();
        assert_eq!(out(0), "f(b, c)");
        assert_eq!(out(1), "f(a, c)");
        assert_eq!(out(2), "f(a, b)");
        assert_eq!(
            apply_edits(
                "f(a)",
                &[remove_list_item(std::slice::from_ref(&(2..3)), 0)]
            )
            .unwrap(),
            "f()"
        );
    }

    #[test]
    fn lines_and_indentation() {
        let text = "a\n    b = 1\n";
        assert_eq!(line_start(text, 8), 2);
        assert_eq!(line_end(text, 8), text.len());
        assert_eq!(indentation_at(text, 8), "    ");
    }
}
