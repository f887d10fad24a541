//! Parsing with one lexing pass that also yields the comments, and an
//! offset-preserving fallback for Python 3.12+ syntax.

use std::fmt;

use onesession_text::TextRange;
use rustpython_parser::ast::{Mod, Suite};
use rustpython_parser::lexer::lex;
use rustpython_parser::{parse_tokens, Mode, Tok};

use crate::mask::mask_py312;

/// A parsed module with what the AST does not hold.
#[derive(Debug)]
pub struct ParsedModule {
    pub body: Suite,
    /// `(range, text)` of every comment, in order.
    pub comments: Vec<(TextRange, String)>,
    /// Suppression comments, by the byte offset where the comment starts.
    pub suppressions: Vec<(usize, Suppression)>,
    /// True when Python 3.12+ syntax was masked to parse the file: the
    /// masked literals' insides were not analysed.
    pub masked: bool,
}

/// `# onesession: ignore` (every rule) or `# onesession: ignore[DB101, DB104]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    All,
    Rules(Vec<String>),
}

impl Suppression {
    pub fn covers(&self, rule: &str) -> bool {
        match self {
            Suppression::All => true,
            Suppression::Rules(rules) => rules.iter().any(|r| r == rule),
        }
    }
}

/// A file that does not parse: where, and the parser's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Parses `source` as a module. When the parser rejects it, Python 3.12+
/// forms it does not know are masked (same length, same newlines) and the
/// masked text is parsed instead; ranges stay valid for `source`.
pub fn parse_module(source: &str) -> Result<ParsedModule, SyntaxError> {
    match parse_text(source) {
        Ok((body, comments)) => Ok(ParsedModule::new(body, comments, false)),
        Err(first) => {
            let Some(masked) = mask_py312(source) else {
                return Err(first);
            };
            let (body, comments) = parse_text(&masked)?;
            // Comments must come from the original text: a masked f-string
            // could otherwise hide or invent a suppression.
            let comments = comments
                .into_iter()
                .map(|(range, _)| {
                    let text = source.get(range.clone()).unwrap_or_default().to_owned();
                    (range, text)
                })
                .collect();
            Ok(ParsedModule::new(body, comments, true))
        }
    }
}

type Comments = Vec<(TextRange, String)>;

fn parse_text(source: &str) -> Result<(Suite, Comments), SyntaxError> {
    // Tokens stream from the lexer into the parser (collecting them first
    // copied every token once more), and comments are taken on the way.
    // After an error the lexer repeats it forever: stop at the first one
    // (the parser reports it).
    let mut comments = Vec::new();
    let mut failed = false;
    let tokens = lex(source, Mode::Module)
        .take_while(|token| !std::mem::replace(&mut failed, token.is_err()))
        .inspect(|token| {
            if let Ok((Tok::Comment(text), range)) = token {
                comments.push((
                    range.start().to_usize()..range.end().to_usize(),
                    text.clone(),
                ));
            }
        });
    match parse_tokens(tokens, Mode::Module, "<module>") {
        Ok(Mod::Module(module)) => Ok((module.body, comments)),
        Ok(_) => Err(SyntaxError {
            offset: 0,
            message: "not a module".into(),
        }),
        Err(error) => Err(SyntaxError {
            offset: error.offset.to_usize().min(source.len()),
            message: describe(&error.error),
        }),
    }
}

fn describe(error: &rustpython_parser::ParseErrorType) -> String {
    use rustpython_parser::ParseErrorType as E;
    match error {
        E::Eof => "unexpected end of file".into(),
        E::ExtraToken(tok) => format!("unexpected token {tok}"),
        E::InvalidToken => "invalid token".into(),
        E::UnrecognizedToken(tok, expected) => match expected {
            Some(expected) => format!("unexpected {tok}, expected {expected}"),
            None => format!("unexpected {tok}"),
        },
        E::Lexical(error) => format!("{error}"),
    }
}

impl ParsedModule {
    fn new(body: Suite, comments: Comments, masked: bool) -> Self {
        let suppressions = comments
            .iter()
            .filter_map(|(range, text)| Some((range.start, parse_suppression(text)?)))
            .collect();
        Self {
            body,
            comments,
            suppressions,
            masked,
        }
    }
}

/// Reads `# onesession: ignore` or `# onesession: ignore[DB101, DB104]`
/// anywhere in a comment (it may follow another tool's directive).
pub fn parse_suppression(comment: &str) -> Option<Suppression> {
    let at = comment.find("onesession:")?;
    let rest = comment[at + "onesession:".len()..].trim_start();
    let rest = rest.strip_prefix("ignore")?;
    let rest = rest.trim_start();
    if let Some(list) = rest.strip_prefix('[') {
        let list = &list[..list.find(']')?];
        let rules: Vec<String> = list
            .split(',')
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        Some(Suppression::Rules(rules))
    } else {
        Some(Suppression::All)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_collects_comments() {
        let module = parse_module("x = 1  # onesession: ignore[DB101, DB104]\n# plain\n").unwrap();
        assert_eq!(module.body.len(), 1);
        assert_eq!(module.comments.len(), 2);
        assert_eq!(
            module.suppressions,
            vec![(7, Suppression::Rules(vec!["DB101".into(), "DB104".into()]))]
        );
        assert!(!module.masked);
    }

    #[test]
    fn suppression_forms() {
        assert_eq!(
            parse_suppression("# onesession: ignore"),
            Some(Suppression::All)
        );
        assert_eq!(
            parse_suppression("# noqa: E501  onesession: ignore[DB110]"),
            Some(Suppression::Rules(vec!["DB110".into()]))
        );
        assert_eq!(parse_suppression("# onesession is great"), None);
        assert_eq!(parse_suppression("# onesession: ignore[DB1"), None);
    }

    #[test]
    fn reports_syntax_errors_with_offset() {
        let err = parse_module("def f(:\n    pass\n").unwrap_err();
        assert_eq!(err.offset, 6);
        assert!(!err.message.is_empty());
    }

    /// Each Python 3.12+ form the parser rejects still parses, with ranges
    /// that point into the original text.
    #[test]
    fn python_312_forms_parse_with_original_offsets() {
        let cases = [
            "x = f\"{d[\"k\"]}\"\nsession = factory()\n",
            "def f[T = int](x: T) -> T:\n    return x\nsession = factory()\n",
            "class A[T = int]:\n    pass\nsession = factory()\n",
            "def f():\n    x = 1\n  \t\n    return x\nsession = factory()\n",
            "x = f'{a[\"k\"]!r:>{width}} {b}'\ny = f\"{'\\n'.join(z)}\"\nsession = factory()\n",
        ];
        for source in cases {
            let module = parse_module(source).unwrap_or_else(|e| panic!("{source:?}: {e}"));
            let last = module.body.last().unwrap();
            let range = crate::range_of(last);
            assert_eq!(&source[range], "session = factory()", "{source:?}");
        }
    }
}
