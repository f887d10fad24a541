//! How a change is shown to a person: a unified diff with line numbers,
//! three lines of context, and the changed words highlighted.

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

/// ANSI styles, or none.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    color: bool,
}

impl Palette {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn cyan(&self, text: &str) -> String {
        self.paint("36", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// The diff of one file for a terminal: `old new │ line`.
pub fn file_diff(path: &str, old: &str, new: &str, palette: Palette) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let _ = writeln!(out, "{}", palette.bold(&format!("--- {path}")));
    for group in diff.grouped_ops(3) {
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let (sign, paint): (&str, fn(&Palette, &str) -> String) = match change.tag() {
                    ChangeTag::Delete => ("-", Palette::red),
                    ChangeTag::Insert => ("+", Palette::green),
                    ChangeTag::Equal => (" ", Palette::dim),
                };
                let old_no = change
                    .old_index()
                    .map_or(String::new(), |i| (i + 1).to_string());
                let new_no = change
                    .new_index()
                    .map_or(String::new(), |i| (i + 1).to_string());
                let mut line = String::new();
                for (emphasized, value) in change.iter_strings_lossy() {
                    let value = value.trim_end_matches(['\n', '\r']);
                    if emphasized && change.tag() != ChangeTag::Equal {
                        // Changed words: underlined and bold within the line.
                        line.push_str(&palette.paint("1;4", value));
                    } else {
                        line.push_str(value);
                    }
                }
                let gutter = palette.dim(&format!("{old_no:>4} {new_no:>4} │"));
                let body = if change.tag() == ChangeTag::Equal {
                    line
                } else {
                    paint(&palette, &format!("{sign}{line}"))
                };
                let body = if change.tag() == ChangeTag::Equal {
                    format!(" {body}")
                } else {
                    body
                };
                let _ = writeln!(out, "{gutter}{body}");
            }
        }
        let _ = writeln!(out, "{}", palette.dim("     ┈┈┈┈"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_and_marks_changes() {
        let out = file_diff("x.py", "a\nb\nc\n", "a\nB\nc\n", Palette::new(false));
        assert!(out.starts_with("--- x.py\n"), "{out}");
        assert!(out.contains("   2      │-b\n"), "{out}");
        assert!(out.contains("        2 │+B\n"), "{out}");
        assert!(out.contains("   1    1 │ a\n"), "{out}");
    }

    #[test]
    fn colour_highlights_changed_words() {
        let out = file_diff(
            "x.py",
            "use old_name here\n",
            "use new_name here\n",
            Palette::new(true),
        );
        assert!(out.contains("\x1b[1;4m"), "{out:?}");
    }
}
