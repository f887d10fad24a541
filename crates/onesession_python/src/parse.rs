//! Parsing with one lexing pass that also yields the comments, and an
//! offset-preserving fallback for Python 3.12+ syntax.

use std::fmt;

use onesession_text::TextRange;
use rustpython_parser::ast::{Mod, Suite};
use rustpython_parser::lexer::lex;
use rustpython_parser::{parse_tokens, Mode, Tok};

use crate::inert::{inert_bodies, Relevance, Skip, Spanned};
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
    /// The bodies parsed as `...` because no rule can see into them
    /// (empty unless parsed with [`parse_module_skipping`]).
    pub skipped: Vec<TextRange>,
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
    parse_module_with(source, None)
}

/// Parses `source` like [`parse_module`], with the module-level functions
/// no rule can see into parsed as `...` (see [`crate::inert`]); their
/// ranges are in [`ParsedModule::skipped`].
pub fn parse_module_skipping(
    source: &str,
    relevance: &dyn Relevance,
) -> Result<ParsedModule, SyntaxError> {
    parse_module_with(source, Some(relevance))
}

fn parse_module_with(
    source: &str,
    relevance: Option<&dyn Relevance>,
) -> Result<ParsedModule, SyntaxError> {
    match parse_text(source, relevance) {
        Ok(parsed) => Ok(ParsedModule::new(parsed, false)),
        Err(first) => {
            let Some(masked) = mask_py312(source) else {
                return Err(first);
            };
            // Nothing is skipped in masked text: a masked literal could
            // hide the word that makes a body matter.
            let mut parsed = parse_text(&masked, None)?;
            // Comments must come from the original text: a masked f-string
            // could otherwise hide or invent a suppression.
            for (range, text) in &mut parsed.comments {
                *text = source.get(range.clone()).unwrap_or_default().to_owned();
            }
            Ok(ParsedModule::new(parsed, true))
        }
    }
}

type Comments = Vec<(TextRange, String)>;

struct Parsed {
    body: Suite,
    comments: Comments,
    skipped: Vec<TextRange>,
}

fn parse_text(source: &str, relevance: Option<&dyn Relevance>) -> Result<Parsed, SyntaxError> {
    let Some(relevance) = relevance else {
        return parse_streaming(source);
    };
    // Deciding what to skip looks at the whole module before the parser
    // starts, so the tokens are collected; a file the lexer rejects is
    // parsed as it streams, which reports the error.
    let Ok(tokens) = lex(source, Mode::Module).collect::<Result<Vec<Spanned>, _>>() else {
        return parse_streaming(source);
    };
    let comments = tokens
        .iter()
        .filter_map(|(token, range)| match token {
            Tok::Comment(text) => Some((
                range.start().to_usize()..range.end().to_usize(),
                text.clone(),
            )),
            _ => None,
        })
        .collect();
    let skips = inert_bodies(source, &tokens, relevance);
    let skipped = skips.iter().map(Skip::text_range).collect();
    let body = parse_tokens(skipping(tokens, skips).map(Ok), Mode::Module, "<module>");
    match module_body(body, source) {
        Ok(body) => Ok(Parsed {
            body,
            comments,
            skipped,
        }),
        Err(error) if skipped.is_empty() => Err(error),
        // Only the whole text may report a syntax error: its message and
        // place must not depend on what was skipped.
        Err(_) => parse_streaming(source),
    }
}

/// `tokens` with each skipped body replaced by `...` and its last newline.
fn skipping(tokens: Vec<Spanned>, skips: Vec<Skip>) -> impl Iterator<Item = Spanned> {
    let mut skips = skips.into_iter().peekable();
    let mut newline = None;
    tokens
        .into_iter()
        .enumerate()
        .filter_map(move |(index, token)| {
            let Some(skip) = skips.peek() else {
                return Some(token);
            };
            if index < skip.tokens.start {
                return Some(token);
            }
            if index == skip.tokens.start {
                newline = None;
            }
            if index == skip.newline {
                newline = Some(token.1);
            }
            if index + 1 < skip.tokens.end {
                return if index == skip.tokens.start {
                    Some((Tok::Ellipsis, skip.range))
                } else {
                    None
                };
            }
            // The body's last token: the `...` ends with the body's newline.
            let range = newline.take().unwrap_or(skip.range);
            skips.next();
            Some((Tok::Newline, range))
        })
}

fn parse_streaming(source: &str) -> Result<Parsed, SyntaxError> {
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
    let body = parse_tokens(tokens, Mode::Module, "<module>");
    Ok(Parsed {
        body: module_body(body, source)?,
        comments,
        skipped: Vec::new(),
    })
}

fn module_body(
    parsed: Result<Mod, rustpython_parser::ParseError>,
    source: &str,
) -> Result<Suite, SyntaxError> {
    match parsed {
        Ok(Mod::Module(module)) => Ok(module.body),
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
    /// `word` occurs in one of the bodies parsed as `...` (in `source`, the
    /// text parsed): a question about it needs the whole text parsed.
    pub fn skipped_mentions(&self, source: &str, word: &str) -> bool {
        self.skipped.iter().any(|range| {
            source
                .get(range.clone())
                .is_some_and(|body| body.contains(word))
        })
    }

    fn new(parsed: Parsed, masked: bool) -> Self {
        let Parsed {
            body,
            comments,
            skipped,
        } = parsed;
        let suppressions = comments
            .iter()
            .filter_map(|(range, text)| Some((range.start, parse_suppression(text)?)))
            .collect();
        Self {
            body,
            comments,
            suppressions,
            masked,
            skipped,
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
