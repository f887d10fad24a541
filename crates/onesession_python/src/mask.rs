//! Offset-preserving masks for Python 3.12+ syntax that rustpython-parser
//! 0.4 rejects. Each mask replaces bytes with bytes of the same length and
//! keeps every newline, so every range the parser reports on the masked
//! text still points at the same place in the original.
//!
//! - PEP 701 f-strings (the enclosing quote reused inside a replacement
//!   field, backslashes or comments inside one, newlines inside a field of
//!   a single-quoted f-string): the whole literal becomes a plain string
//!   of the same length. Expressions inside it are then not analysed.
//! - PEP 696 type-parameter defaults (`def f[T = int]()`): the `= int`
//!   becomes spaces.
//! - whitespace-only lines with a tab after spaces: the tabs become spaces.
//! - PEP 758 (Python 3.14) `except A, B:` without parentheses: everything
//!   from the first comma to the colon becomes spaces (`except A   :`);
//!   the other exception classes are not analysed, and no rule is about
//!   them.

/// Returns the masked text, or `None` when nothing needed masking.
pub(crate) fn mask_py312(source: &str) -> Option<String> {
    let bytes = source.as_bytes();
    let mut out = bytes.to_vec();
    let mut changed = false;
    let scan = Scanner::new(bytes).scan();

    for fstring in scan.strings.iter().filter(|s| s.needs_py312) {
        blank_string(&mut out, fstring.start, fstring.end);
        changed = true;
    }
    // Blanked, line breaks kept: offsets and line numbers stay.
    let ranges = type_param_defaults(bytes, &scan)
        .into_iter()
        .chain(unparenthesized_excepts(bytes, &scan));
    for range in ranges {
        for b in &mut out[range] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
        changed = true;
    }
    changed |= untab_blank_lines(&mut out);

    // Every replacement swaps whole UTF-8 sequences for ASCII spaces, so
    // the result is valid UTF-8; fall back to "no mask" rather than panic.
    changed.then(|| String::from_utf8(out).ok()).flatten()
}

/// Replaces a string literal by a plain literal of the same byte length.
fn blank_string(out: &mut [u8], start: usize, end: usize) {
    let len = end - start;
    let multiline = out[start..end].contains(&b'\n');
    for b in &mut out[start..end] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
    let span = &mut out[start..end];
    if !multiline {
        span[0] = b'"';
        span[len - 1] = b'"';
    } else if len >= 7 {
        span[..3].copy_from_slice(b"\"\"\"");
        span[len - 3..].copy_from_slice(b"\"\"\"");
    } else {
        // Too short for triple quotes: a parenthesised empty string.
        span[..3].copy_from_slice(b"(\"\"");
        span[len - 1] = b')';
    }
}

fn untab_blank_lines(out: &mut [u8]) -> bool {
    let mut changed = false;
    let mut line_start = 0;
    while line_start < out.len() {
        let line_end = out[line_start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(out.len(), |p| line_start + p);
        let line = &mut out[line_start..line_end];
        let blank = line
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\x0c'));
        if blank && line.contains(&b'\t') && line.contains(&b' ') {
            for b in line.iter_mut().filter(|b| **b == b'\t') {
                *b = b' ';
            }
            changed = true;
        }
        line_start = line_end + 1;
    }
    changed
}

#[derive(Debug)]
struct StringLiteral {
    start: usize,
    end: usize,
    needs_py312: bool,
}

#[derive(Debug, Default)]
struct Scan {
    strings: Vec<StringLiteral>,
    /// Ranges of strings and comments: what is not code (sorted by start).
    non_code: Vec<(usize, usize)>,
}

impl Scan {
    /// `at` is inside a string or a comment.
    fn is_non_code(&self, at: usize) -> bool {
        let i = self.non_code.partition_point(|(s, _)| *s <= at);
        i > 0 && at < self.non_code[i - 1].1
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    scan: Scan,
}

impl<'a> Scanner<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            scan: Scan::default(),
        }
    }

    fn scan(mut self) -> Scan {
        while self.pos < self.bytes.len() {
            self.step_code(None);
        }
        // A string inside an f-string's field ends (and is pushed) before
        // the f-string does: sorted once here for `is_non_code`.
        self.scan.non_code.sort_unstable();
        self.scan
    }

    /// Consumes one unit of code (a comment, a string, or one byte).
    /// `in_field` carries the enclosing f-string's quote when scanning a
    /// replacement field; returns what the unit means for that field.
    fn step_code(&mut self, in_field: Option<&[u8]>) -> FieldEvent {
        let b = self.bytes[self.pos];
        match b {
            b'#' => {
                let start = self.pos;
                while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                    self.pos += 1;
                }
                if in_field.is_none() {
                    self.scan.non_code.push((start, self.pos));
                }
                FieldEvent::Py312
            }
            b'\\' => {
                self.pos += 1;
                FieldEvent::Py312
            }
            b'\n' => {
                self.pos += 1;
                FieldEvent::Newline
            }
            b'\'' | b'"' => {
                let quote = self.quote_at(self.pos);
                let reuse = in_field.is_some_and(|q| q == quote || quote.starts_with(q));
                let inner = self.string(self.pos, self.pos, false);
                if reuse || inner {
                    FieldEvent::Py312
                } else {
                    FieldEvent::Other
                }
            }
            _ if b.is_ascii_alphabetic() => {
                let start = self.pos;
                let mut end = start;
                while end < self.bytes.len()
                    && (self.bytes[end].is_ascii_alphanumeric() || self.bytes[end] == b'_')
                {
                    end += 1;
                }
                let word = &self.bytes[start..end];
                let is_prefix = word.len() <= 2
                    && word
                        .iter()
                        .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f'))
                    && matches!(self.bytes.get(end), Some(b'\'' | b'"'))
                    && (start == 0 || !is_ident_byte(self.bytes[start - 1]));
                if is_prefix {
                    let is_f = word.iter().any(|c| c.eq_ignore_ascii_case(&b'f'));
                    let raw = word.iter().any(|c| c.eq_ignore_ascii_case(&b'r'));
                    let quote = self.quote_at(end);
                    let reuse = in_field.is_some_and(|q| q == quote || quote.starts_with(q));
                    let inner = if is_f {
                        self.fstring(start, end, raw)
                    } else {
                        self.string(start, end, raw)
                    };
                    if reuse || inner {
                        FieldEvent::Py312
                    } else {
                        FieldEvent::Other
                    }
                } else {
                    self.pos = end;
                    FieldEvent::Other
                }
            }
            _ => {
                self.pos += 1;
                FieldEvent::Other
            }
        }
    }

    fn quote_at(&self, at: usize) -> &'static [u8] {
        let rest = &self.bytes[at..];
        if rest.starts_with(b"'''") {
            b"'''"
        } else if rest.starts_with(b"\"\"\"") {
            b"\"\"\""
        } else if rest.starts_with(b"'") {
            b"'"
        } else {
            b"\""
        }
    }

    /// A plain (non-f) string starting at `start` with its quote at
    /// `quote_at`. Returns whether it holds a backslash (which a
    /// replacement field before 3.12 may not).
    fn string(&mut self, start: usize, quote_at: usize, raw: bool) -> bool {
        let quote = self.quote_at(quote_at);
        let mut i = quote_at + quote.len();
        let mut backslash = false;
        while i < self.bytes.len() {
            if self.bytes[i] == b'\\' {
                backslash = true;
                i += 2;
                continue;
            }
            if self.bytes[i..].starts_with(quote) {
                i += quote.len();
                break;
            }
            if self.bytes[i] == b'\n' && quote.len() == 1 {
                break;
            }
            i += 1;
        }
        let _ = raw;
        self.pos = i.min(self.bytes.len());
        self.scan.non_code.push((start, self.pos));
        self.scan.strings.push(StringLiteral {
            start,
            end: self.pos,
            needs_py312: false,
        });
        backslash
    }

    /// An f-string; records whether it needs Python 3.12 to tokenize.
    /// Returns whether it holds a backslash anywhere.
    fn fstring(&mut self, start: usize, quote_at: usize, raw: bool) -> bool {
        let quote = self.quote_at(quote_at);
        let index = self.scan.strings.len();
        self.scan.strings.push(StringLiteral {
            start,
            end: start,
            needs_py312: false,
        });
        let mut needs_py312 = false;
        let mut backslash = false;
        self.pos = quote_at + quote.len();
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if b == b'\\' {
                backslash = true;
                self.pos += if raw { 1 } else { 2 };
                continue;
            }
            if self.bytes[self.pos..].starts_with(quote) {
                self.pos += quote.len();
                break;
            }
            if b == b'\n' && quote.len() == 1 {
                break;
            }
            if b == b'{' {
                if self.bytes.get(self.pos + 1) == Some(&b'{') {
                    self.pos += 2;
                    continue;
                }
                self.pos += 1;
                needs_py312 |= self.field(quote);
                continue;
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.bytes.len());
        // Strings nested in fields were pushed after this one; they are
        // inside it, so only the outer literal matters for masking.
        self.scan.strings.truncate(index + 1);
        self.scan.strings[index].end = self.pos;
        self.scan.strings[index].needs_py312 = needs_py312;
        self.scan.non_code.push((start, self.pos));
        backslash || needs_py312
    }

    /// A replacement field, after its `{`; stops after the matching `}`.
    /// Returns whether it uses syntax only Python 3.12 accepts.
    fn field(&mut self, quote: &'static [u8]) -> bool {
        let mut depth = 0usize;
        let mut py312 = false;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if depth == 0 && self.bytes[self.pos..].starts_with(quote) {
                // An unterminated field: the literal ends here.
                return py312;
            }
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' | b']' => {
                    depth = depth.saturating_sub(1);
                    self.pos += 1;
                }
                b'}' if depth == 0 => {
                    self.pos += 1;
                    return py312;
                }
                b'}' => {
                    depth -= 1;
                    self.pos += 1;
                }
                b':' if depth == 0 => {
                    // Format spec: literal text with nested fields.
                    self.pos += 1;
                    while self.pos < self.bytes.len() {
                        match self.bytes[self.pos] {
                            b'{' => {
                                self.pos += 1;
                                py312 |= self.field(quote);
                            }
                            b'}' => {
                                self.pos += 1;
                                return py312;
                            }
                            b'\n' if quote.len() == 1 => return true,
                            _ if self.bytes[self.pos..].starts_with(quote) => return py312,
                            _ => self.pos += 1,
                        }
                    }
                    return py312;
                }
                _ => match self.step_code(Some(quote)) {
                    FieldEvent::Py312 => py312 = true,
                    FieldEvent::Newline if quote.len() == 1 => py312 = true,
                    _ => {}
                },
            }
        }
        py312
    }
}

enum FieldEvent {
    Py312,
    Newline,
    Other,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// `except A, B:` / `except* A, B:` headers (PEP 758): the range from the
/// first top-level comma to the colon.
fn unparenthesized_excepts(bytes: &[u8], scan: &Scan) -> Vec<std::ops::Range<usize>> {
    let in_non_code = |at: usize| scan.is_non_code(at);
    let mut ranges = Vec::new();
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end = memchr_newline(bytes, line_start);
        let mut i = line_start;
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let is_except = bytes[i..line_end].starts_with(b"except")
            && !in_non_code(i)
            && matches!(bytes.get(i + 6), Some(b' ' | b'\t' | b'*'));
        if is_except {
            let mut j = i + 6;
            if bytes.get(j) == Some(&b'*') {
                j += 1;
            }
            while matches!(bytes.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if bytes.get(j) != Some(&b'(') {
                let mut depth = 0usize;
                let mut comma = None;
                while j < line_end {
                    if !in_non_code(j) {
                        match bytes[j] {
                            b'(' | b'[' | b'{' => depth += 1,
                            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                            b',' if depth == 0 && comma.is_none() => comma = Some(j),
                            b':' if depth == 0 => {
                                if let Some(comma) = comma {
                                    ranges.push(comma..j);
                                }
                                break;
                            }
                            _ => {}
                        }
                    }
                    j += 1;
                }
            }
        }
        line_start = line_end + 1;
    }
    ranges
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |p| from + p)
}

/// Ranges of `= default` inside `def f[...]`, `class C[...]` and
/// `type X[...]` type-parameter lists, outside strings and comments.
fn type_param_defaults(bytes: &[u8], scan: &Scan) -> Vec<std::ops::Range<usize>> {
    let in_non_code = |at: usize| scan.is_non_code(at);
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let keyword = [&b"def"[..], b"class", b"type"]
            .into_iter()
            .find(|k| bytes[i..].starts_with(k));
        let Some(keyword) = keyword else {
            i += 1;
            continue;
        };
        if (i > 0 && is_ident_byte(bytes[i - 1])) || in_non_code(i) {
            i += keyword.len();
            continue;
        }
        let mut j = i + keyword.len();
        if !matches!(bytes.get(j), Some(b' ' | b'\t')) {
            i = j;
            continue;
        }
        while matches!(bytes.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        let name_start = j;
        while j < bytes.len() && is_ident_byte(bytes[j]) {
            j += 1;
        }
        while matches!(bytes.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if j == name_start || bytes.get(j) != Some(&b'[') {
            i = j.max(i + 1);
            continue;
        }
        // Inside the brackets: find `=` at depth 1 and blank to `,`/`]`.
        let mut depth = 0usize;
        let mut default_start = None;
        while j < bytes.len() {
            if in_non_code(j) {
                j += 1;
                continue;
            }
            match bytes[j] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b'}' => depth = depth.saturating_sub(1),
                b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        if let Some(s) = default_start.take() {
                            ranges.push(s..j);
                        }
                        break;
                    }
                }
                b',' if depth == 1 => {
                    if let Some(s) = default_start.take() {
                        ranges.push(s..j);
                    }
                }
                b'=' if depth == 1
                    && default_start.is_none()
                    && bytes.get(j + 1) != Some(&b'=')
                    && !matches!(
                        bytes.get(j.wrapping_sub(1)),
                        Some(b'=' | b'!' | b'<' | b'>')
                    ) =>
                {
                    default_start = Some(j);
                }
                _ => {}
            }
            j += 1;
        }
        i = j.max(i + 1);
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::mask_py312;

    fn masked(src: &str) -> String {
        let out = mask_py312(src).expect("something to mask");
        assert_eq!(out.len(), src.len());
        assert_eq!(
            out.matches('\n').count(),
            src.matches('\n').count(),
            "newlines kept"
        );
        out
    }

    #[test]
    fn masks_fstring_reusing_its_quote() {
        assert_eq!(
            masked("x = f\"{d[\"k\"]}\"\ny = 1\n"),
            "x = \"         \"\ny = 1\n"
        );
    }

    #[test]
    fn masks_fstring_with_backslash_or_comment_in_field() {
        let out = masked("x = f\"{'\\n'.join(a)}\"\n");
        assert!(out.starts_with("x = \"") && !out.contains("join"));
        let out = masked("x = f'''{a # note\n}'''\n");
        assert!(out.starts_with("x = \"\"\"") && out.ends_with("\"\"\"\n"));
    }

    #[test]
    fn masks_pep_758_excepts_without_parentheses() {
        let src =
            "try:\n    pass\nexcept ValueError, TypeError:\n    pass\nexcept (A, B):\n    pass\n";
        assert_eq!(
            masked(src),
            "try:\n    pass\nexcept ValueError           :\n    pass\nexcept (A, B):\n    pass\n"
        );
        assert_eq!(mask_py312("x = 'except A, B:'\n# except A, B:\n"), None);
        assert!(crate::parse_module(src).is_ok());
    }

    #[test]
    fn leaves_ordinary_fstrings_alone() {
        assert_eq!(
            mask_py312("x = f\"{a['k']} {b!r:>{w}}\"\n# f\"{x}\"\n"),
            None
        );
    }

    #[test]
    fn masks_type_parameter_defaults() {
        assert_eq!(
            masked("def f[T = int, U](x: T) -> T: ...\nclass A[T=dict[str, int]]: ...\n"),
            format!(
                "def f[T      , U](x: T) -> T: ...\nclass A[T{}]: ...\n",
                " ".repeat(15)
            )
        );
        assert_eq!(mask_py312("x = a[b == c]\ns = 'def f[T = int]'\n"), None);
    }

    #[test]
    fn replaces_tabs_on_blank_lines_after_spaces() {
        assert_eq!(
            masked("if x:\n    y\n  \t\n    z\n"),
            "if x:\n    y\n   \n    z\n"
        );
        assert_eq!(mask_py312("if x:\n\ty\n"), None);
    }
}
