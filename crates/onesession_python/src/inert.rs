//! Parsing less: the module-level functions no rule can see into.
//!
//! A module-level function whose header and body hold no word a rule
//! needs, and whose body names nothing the module imports, defines, or
//! binds from a statement that touches the database, cannot produce a
//! finding, a summary call, a reference, or a binding another scope sees.
//! Its body is handed to the parser as one `...` spanning the original
//! body, so the definition keeps its ranges while the parser, the semantic
//! model and every walk skip what was inside. The decision works on the
//! lexer's tokens (exact strings, brackets and indentation), never on a
//! text scan of its own.

use onesession_text::TextRange;
use rustc_hash::FxHashSet;
use rustpython_parser::text_size::TextRange as TokenRange;
use rustpython_parser::Tok;

/// What the engine knows that decides whether a body matters.
pub trait Relevance {
    /// `text` holds a word some rule or the index needs (the trigger
    /// words, and the names rules take for sessions and connections).
    fn mentions(&self, text: &str) -> bool;
    /// `root`, the first component of an absolute import, is one of the
    /// project's own packages.
    fn is_first_party(&self, root: &str) -> bool;
}

pub(crate) type Spanned = (Tok, TokenRange);

/// A body parsed as `...`: its tokens `tokens` (between the `Indent` and
/// the `Dedent` that closes the function) become one `...` over `range`
/// and the body's last `Newline` (`newline`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skip {
    pub tokens: std::ops::Range<usize>,
    pub range: TokenRange,
    pub newline: usize,
}

impl Skip {
    pub(crate) fn text_range(&self) -> TextRange {
        self.range.start().to_usize()..self.range.end().to_usize()
    }
}

/// One logical line: its tokens up to (not with) its `Newline`, and how
/// deep it is indented.
struct Line {
    tokens: std::ops::Range<usize>,
    newline: usize,
    level: u32,
    in_function: bool,
}

/// The bodies of `tokens` (the lexed `source`) that can be parsed as `...`.
pub(crate) fn inert_bodies(
    source: &str,
    tokens: &[Spanned],
    relevance: &dyn Relevance,
) -> Vec<Skip> {
    let lines = logical_lines(tokens);
    let candidates = candidates(tokens, &lines);
    if candidates.is_empty() {
        return Vec::new();
    }
    let Some(names) = ModuleNames::collect(source, tokens, &lines, &candidates, relevance) else {
        return Vec::new();
    };
    let skips: Vec<Skip> = candidates
        .iter()
        .filter_map(|candidate| {
            let inert = !candidate.header_matters(source, tokens, &lines, &names, relevance)
                && !candidate.body_matters(source, tokens, &lines, &names, relevance);
            if inert {
                candidate.skip(tokens, &lines)
            } else {
                None
            }
        })
        .collect();
    if skips
        .iter()
        .any(|skip| misread_by_the_lexer(source, &tokens[skip.tokens.clone()]))
    {
        return Vec::new();
    }
    skips
}

/// The lexer reads Python 3.11, and some newer strings it reads on without
/// an error, but otherwise than written: a PEP 701 f-string
/// (`f"{row["#"]}"`) ends for it at the reused quote, the rest of the line
/// then a comment or a string that hides names, and what it cut off is an
/// f-string the parser rejects; a PEP 750 template string (`t"{name}"`) is
/// a name glued to a plain string, whose fields it does not see. A body
/// holding either was judged on tokens that are not the program's: then
/// nothing is skipped, and the whole text is parsed (it fails, and is
/// masked or reported as before skipping existed). In code that is kept,
/// the parser meets these itself.
fn misread_by_the_lexer(source: &str, body: &[Spanned]) -> bool {
    let cut_fstring = body.iter().any(|(token, range)| {
        matches!(token, Tok::String { kind, .. } if kind.is_any_fstring())
            && source
                .get(range.start().to_usize()..range.end().to_usize())
                .is_none_or(|text| {
                    rustpython_parser::parse(
                        text,
                        rustpython_parser::Mode::Expression,
                        "<f-string>",
                    )
                    .is_err()
                })
    });
    cut_fstring
        || body.windows(2).any(|pair| {
            matches!(pair, [(Tok::Name { .. }, name), (Tok::String { .. }, string)]
                if name.end() == string.start())
        })
}

fn logical_lines(tokens: &[Spanned]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut level = 0u32;
    let mut start: Option<(usize, u32)> = None;
    // Levels of the `def` headers whose bodies are open.
    let mut open_functions: Vec<u32> = Vec::new();
    for (index, (token, _)) in tokens.iter().enumerate() {
        match token {
            Tok::Indent => level += 1,
            Tok::Dedent => level = level.saturating_sub(1),
            Tok::Comment(_) | Tok::NonLogicalNewline | Tok::EndOfFile => {}
            Tok::Newline => {
                if let Some((first, level)) = start.take() {
                    while open_functions.last().is_some_and(|&open| open >= level) {
                        open_functions.pop();
                    }
                    let line = Line {
                        tokens: first..index,
                        newline: index,
                        level,
                        in_function: !open_functions.is_empty(),
                    };
                    if is_block_def(tokens, &line) {
                        open_functions.push(level);
                    }
                    lines.push(line);
                }
            }
            _ => {
                if start.is_none() {
                    start = Some((index, level));
                }
            }
        }
    }
    lines
}

/// `def …:` or `async def …:` opening an indented block.
fn is_block_def(tokens: &[Spanned], line: &Line) -> bool {
    let mut significant = tokens[line.tokens.clone()]
        .iter()
        .filter(|(token, _)| !matches!(token, Tok::Comment(_)));
    let opens_def = match significant.next() {
        Some((Tok::Def, _)) => true,
        Some((Tok::Async, _)) => matches!(significant.next(), Some((Tok::Def, _))),
        _ => false,
    };
    opens_def && matches!(last_significant(tokens, line), Some((Tok::Colon, _)))
}

fn last_significant<'t>(tokens: &'t [Spanned], line: &Line) -> Option<&'t Spanned> {
    tokens[line.tokens.clone()]
        .iter()
        .rev()
        .find(|(token, _)| !matches!(token, Tok::Comment(_)))
}

/// A module-level function with an indented body: its decorator lines
/// and `def` line (`header`), its body lines.
struct Candidate {
    header: std::ops::Range<usize>,
    body: std::ops::Range<usize>,
}

fn candidates(tokens: &[Spanned], lines: &[Line]) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut decorators_from: Option<usize> = None;
    let mut index = 0;
    while index < lines.len() {
        let line = &lines[index];
        if line.level != 0 {
            index += 1;
            continue;
        }
        if matches!(tokens.get(line.tokens.start), Some((Tok::At, _))) {
            decorators_from.get_or_insert(index);
            index += 1;
            continue;
        }
        let header_start = decorators_from.take().unwrap_or(index);
        if !is_block_def(tokens, line) {
            index += 1;
            continue;
        }
        let body_end = lines[index + 1..]
            .iter()
            .position(|l| l.level == 0)
            .map_or(lines.len(), |offset| index + 1 + offset);
        if body_end > index + 1 {
            found.push(Candidate {
                header: header_start..index + 1,
                body: index + 1..body_end,
            });
        }
        index = body_end;
    }
    found
}

impl Candidate {
    fn text<'s>(
        &self,
        source: &'s str,
        tokens: &[Spanned],
        lines: &[Line],
        of: std::ops::Range<usize>,
    ) -> &'s str {
        let first = &lines[of.start];
        let last = &lines[of.end - 1];
        let start = tokens[first.tokens.start].1.start().to_usize();
        let end = tokens[last.newline].1.start().to_usize();
        source.get(start..end).unwrap_or(source)
    }

    /// The decorators or the signature mention a trigger word or a name
    /// the module binds from something that matters (an annotation with
    /// a project class, a default `Depends(get_db)`).
    fn header_matters(
        &self,
        source: &str,
        tokens: &[Spanned],
        lines: &[Line],
        names: &ModuleNames,
        relevance: &dyn Relevance,
    ) -> bool {
        if relevance.mentions(self.text(source, tokens, lines, self.header.clone())) {
            return true;
        }
        let def_line = &lines[self.header.end - 1];
        let own_name = function_name(tokens, def_line);
        self.header.clone().any(|line| {
            names_in(tokens, &lines[line])
                .any(|name| Some(name) != own_name && names.strong.contains(name))
        })
    }

    /// The body mentions a trigger word or any name the module binds at
    /// its top (imports, definitions, statements that matter) or a project
    /// package (`app.x.f()` resolves to a project name even unimported),
    /// or binds or imports something beyond its own scope, or is a
    /// generator, or calls what a call returns (`sessionmaker(...)()`,
    /// which the index takes for a session), or defines a class (the
    /// audit reads every class's bases for models).
    fn body_matters(
        &self,
        source: &str,
        tokens: &[Spanned],
        lines: &[Line],
        names: &ModuleNames,
        relevance: &dyn Relevance,
    ) -> bool {
        if relevance.mentions(self.text(source, tokens, lines, self.body.clone())) {
            return true;
        }
        self.body.clone().any(|line| {
            let line = &lines[line];
            let line_tokens = &tokens[line.tokens.clone()];
            line_tokens.iter().any(|(token, _)| {
                matches!(
                    token,
                    Tok::Import | Tok::From | Tok::Global | Tok::Nonlocal | Tok::Yield | Tok::Class
                )
            }) || line_tokens
                .windows(2)
                .any(|pair| matches!(pair, [(Tok::Rpar, _), (Tok::Lpar, _)]))
                || names_in(tokens, line)
                    .any(|name| names.bound(name) || relevance.is_first_party(name))
        })
    }

    fn skip(&self, tokens: &[Spanned], lines: &[Line]) -> Option<Skip> {
        let def_line = &lines[self.header.end - 1];
        let indent = def_line.newline
            + 1
            + tokens[def_line.newline + 1..]
                .iter()
                .position(|(token, _)| {
                    !matches!(token, Tok::Comment(_) | Tok::NonLogicalNewline)
                })?;
        if !matches!(tokens.get(indent), Some((Tok::Indent, _))) {
            return None;
        }
        let first = &lines[self.body.start];
        let last = &lines[self.body.end - 1];
        // After the last body line come only comments, blank lines and the
        // dedents back to the module: the one that reaches it closes the
        // function.
        let mut dedents = 0;
        let mut close = None;
        for (index, (token, _)) in tokens.iter().enumerate().skip(last.newline + 1) {
            match token {
                Tok::Dedent => {
                    dedents += 1;
                    if dedents == last.level {
                        close = Some(index);
                        break;
                    }
                }
                Tok::Comment(_) | Tok::NonLogicalNewline => {}
                _ => return None,
            }
        }
        let close = close?;
        let start = tokens[first.tokens.start].1.start();
        let end = last_significant(tokens, last)?.1.end();
        Some(Skip {
            tokens: indent + 1..close,
            range: TokenRange::new(start, end),
            newline: last.newline,
        })
    }
}

fn function_name<'t>(tokens: &'t [Spanned], def_line: &Line) -> Option<&'t str> {
    tokens[def_line.tokens.clone()]
        .windows(2)
        .find_map(|pair| match pair {
            [(Tok::Def, _), (Tok::Name { name }, _)] => Some(name.as_str()),
            _ => None,
        })
}

/// The names a line mentions: its name tokens and the identifiers inside
/// its f-strings (which the lexer keeps as one string token).
fn names_in<'t>(tokens: &'t [Spanned], line: &Line) -> impl Iterator<Item = &'t str> {
    tokens[line.tokens.clone()].iter().flat_map(
        |(token, _)| -> Box<dyn Iterator<Item = &'t str> + 't> {
            match token {
                Tok::Name { name } => Box::new(std::iter::once(name.as_str())),
                Tok::String { value, kind, .. } if kind.is_any_fstring() => Box::new(
                    value
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .filter(|word| !word.is_empty()),
                ),
                _ => Box::new(std::iter::empty()),
            }
        },
    )
}

/// What the module binds outside its candidate functions.
struct ModuleNames<'t> {
    /// Names that matter: bound from the project's modules or from a
    /// statement with a trigger word, the module's functions and
    /// classes, `global` names.
    strong: FxHashSet<&'t str>,
    /// Every other imported name: a body using one keeps the import's
    /// uses visible to the edits that add and remove imports.
    imported: FxHashSet<&'t str>,
}

impl<'t> ModuleNames<'t> {
    fn bound(&self, name: &str) -> bool {
        self.strong.contains(name) || self.imported.contains(name)
    }

    /// `None` when a star import makes the module's names unknowable.
    fn collect(
        source: &str,
        tokens: &'t [Spanned],
        lines: &[Line],
        candidates: &[Candidate],
        relevance: &dyn Relevance,
    ) -> Option<Self> {
        let mut in_candidate = vec![false; lines.len()];
        for candidate in candidates {
            in_candidate[candidate.header.start..candidate.body.end].fill(true);
        }
        let mut names = Self {
            strong: FxHashSet::default(),
            imported: FxHashSet::default(),
        };
        // Statements whose names become strong once one of them is.
        let mut pending: Vec<(bool, Vec<&'t str>)> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let line_tokens = &tokens[line.tokens.clone()];
            let first = line_tokens.first().map(|(token, _)| token);
            if matches!(first, Some(Tok::Global)) {
                names.strong.extend(names_in(tokens, line));
                continue;
            }
            if line.in_function {
                continue;
            }
            if let Some(name) = function_name(tokens, line).or_else(|| class_name(line_tokens)) {
                names.strong.insert(name);
            }
            if in_candidate[index] {
                continue;
            }
            let imports = line_tokens
                .iter()
                .any(|(token, _)| matches!(token, Tok::Import));
            match first {
                // An import anywhere in the line (`try: import x`,
                // `a = 1; from .b import c`) binds what the line names.
                _ if imports => {
                    if line_tokens
                        .windows(2)
                        .any(|pair| matches!(pair, [(Tok::Import, _), (Tok::Star, _)]))
                    {
                        return None;
                    }
                    let text = line_text(source, tokens, line);
                    let hot =
                        relevance.mentions(text) || imports_first_party(line_tokens, relevance);
                    let into = if hot {
                        &mut names.strong
                    } else {
                        &mut names.imported
                    };
                    into.extend(names_in(tokens, line));
                }
                Some(Tok::Def | Tok::Async | Tok::Class) => {}
                _ => {
                    let hot = relevance.mentions(line_text(source, tokens, line));
                    pending.push((hot, names_in(tokens, line).collect()));
                }
            }
        }
        let mut changed = true;
        while changed {
            changed = false;
            for (hot, line_names) in &mut pending {
                if *hot || line_names.iter().any(|name| names.strong.contains(name)) {
                    names.strong.extend(line_names.drain(..));
                    *hot = false;
                    changed = true;
                }
            }
        }
        Some(names)
    }
}

fn class_name(line_tokens: &[Spanned]) -> Option<&str> {
    match line_tokens {
        [(Tok::Class, _), (Tok::Name { name }, _), ..] => Some(name),
        _ => None,
    }
}

fn line_text<'s>(source: &'s str, tokens: &[Spanned], line: &Line) -> &'s str {
    let start = tokens[line.tokens.start].1.start().to_usize();
    let end = tokens[line.newline].1.start().to_usize();
    source.get(start..end).unwrap_or(source)
}

/// `from .x import y`, or an import naming a project package (any name in
/// the line that is one: over-reading only keeps more bodies).
fn imports_first_party(line_tokens: &[Spanned], relevance: &dyn Relevance) -> bool {
    line_tokens
        .windows(2)
        .any(|pair| matches!(pair, [(Tok::From, _), (Tok::Dot | Tok::Ellipsis, _)]))
        || line_tokens
            .iter()
            .any(|(token, _)| matches!(token, Tok::Name { name } if relevance.is_first_party(name)))
}

#[cfg(test)]
mod tests {
    use rustpython_parser::ast::{self, Ranged, Stmt};

    use super::Relevance;
    use crate::{parse_module, parse_module_skipping};

    /// The engine's view in small: `session` and `db` are the words,
    /// `app` the project's package.
    struct Words;

    impl Relevance for Words {
        fn mentions(&self, text: &str) -> bool {
            ["session", "Session", "db"]
                .iter()
                .any(|w| text.contains(w))
        }
        fn is_first_party(&self, root: &str) -> bool {
            root == "app"
        }
    }

    fn function(stmt: &Stmt) -> Option<(&str, &[Stmt])> {
        match stmt {
            Stmt::FunctionDef(def) => Some((def.name.as_str(), &def.body)),
            Stmt::AsyncFunctionDef(def) => Some((def.name.as_str(), &def.body)),
            _ => None,
        }
    }

    fn is_ellipsis(stmt: &Stmt) -> bool {
        matches!(stmt, Stmt::Expr(ast::StmtExpr { value, .. })
            if matches!(value.as_ref(), ast::Expr::Constant(c) if c.value == ast::Constant::Ellipsis))
    }

    /// The functions whose bodies were skipped, after checking that every
    /// module-level statement kept its range, that a skipped body is one
    /// `...` over the original body, and that no comment was lost.
    fn skipped(source: &str) -> Vec<String> {
        let full = parse_module(source).unwrap();
        let parsed = parse_module_skipping(source, &Words).unwrap();
        assert_eq!(full.comments, parsed.comments);
        assert_eq!(full.body.len(), parsed.body.len());
        let mut names = Vec::new();
        for (whole, outlined) in full.body.iter().zip(&parsed.body) {
            assert_eq!(whole.range(), outlined.range(), "{source}");
            let (Some((name, body)), Some((_, outlined_body))) =
                (function(whole), function(outlined))
            else {
                assert_eq!(whole, outlined);
                continue;
            };
            if outlined_body == body {
                continue;
            }
            assert!(
                outlined_body.len() == 1 && is_ellipsis(&outlined_body[0]),
                "{source}"
            );
            let span = body[0].range().start()..body[body.len() - 1].range().end();
            let only = outlined_body[0].range();
            assert_eq!(only.start()..only.end(), span);
            names.push(name.to_owned());
        }
        assert_eq!(parsed.skipped.len(), names.len());
        names
    }

    #[test]
    fn a_helper_that_names_nothing_of_the_module_is_skipped() {
        let source = "\
import logging
from app.models import User

logger = logging.getLogger(__name__)


def bucket(rows: list[dict], threshold: int = 3) -> dict[str, int]:
    \"\"\"Count the rows.\"\"\"
    counts = {}
    for row in rows:  # noqa: B007
        if row.get(\"priority\", 0) >= threshold:
            counts[row[\"status\"]] = counts.get(row[\"status\"], 0) + 1
    # trailing comment
    logger.debug(\"%d\", len(counts))
    return counts

    # after the body


async def load(session, user_id: int) -> User:
    return await session.get(User, user_id)
";
        assert_eq!(skipped(source), ["bucket"]);
    }

    #[test]
    fn a_body_naming_what_the_module_imports_or_defines_is_parsed() {
        let source = "\
import json
from app.services import notify
from sqlalchemy.ext.asyncio import async_sessionmaker
from .tasks import enqueue

make = async_sessionmaker(bind=None)
maker = make
LIMIT = 10


def uses_a_plain_import(rows):
    return json.dumps(rows)


def calls_a_project_function(rows):
    notify(rows)


def calls_a_relative_import(rows):
    enqueue(rows)


def uses_a_factory_bound_without_a_trigger_word(rows):
    with maker() as s:
        s.add_all(rows)


def uses_a_constant(rows):
    return rows[:LIMIT]


def calls_a_sibling(rows):
    return uses_a_constant(rows)


def in_a_fstring(rows):
    return f\"{make} {len(rows)}\"
";
        assert_eq!(skipped(source), ["uses_a_constant"]);
    }

    /// For the lexer (Python 3.11) `f"{row["#"]}"` ends at its second
    /// quote, and `#"]}", rb(row, cfg)` is a comment: `rb`, an import, is
    /// hidden. Such a file skips nothing; written for 3.11, it skips the
    /// helper that names nothing. The same for the other strings the lexer
    /// misreads without an error.
    #[test]
    fn a_string_the_lexer_misreads_keeps_every_body() {
        let helpers = |fstring: &str| {
            format!(
                "from app.services.crawl import rebuild as rb\n\n\n\
                 def hides_an_import(row, cfg):\n    return {fstring}, rb(row, cfg)\n\n\n\
                 def bucket(rows):\n    return f\"{{len(rows)}}\"\n"
            )
        };
        assert_eq!(skipped(&helpers(r#"f"{row['#']}""#)), ["bucket"]);
        assert!(skipped(&helpers(r##"f"{row["#"]}""##)).is_empty());
        // Here the lexer reads `']}", rb(row, cfg)  # it'` as a string, and
        // the mask does not repair the text: the file's syntax error stays
        // the whole text's.
        let source =
            helpers(r#"f"{row['"']}""#).replace("rb(row, cfg)\n", "rb(row, cfg)  # it's\n");
        assert!(source.contains("# it's\n\n\ndef bucket"), "{source}");
        let whole = parse_module(&source).unwrap_err();
        assert_eq!(parse_module_skipping(&source, &Words).unwrap_err(), whole);
        // A 3.14 template string is `t` and a plain string to the lexer,
        // which does not look into it for names.
        let template = "from app.services.crawl import rebuild as rb\n\n\n\
                        def template(row):\n    return t\"{rb}\", row\n";
        let whole = parse_module(template).unwrap_err();
        assert_eq!(parse_module_skipping(template, &Words).unwrap_err(), whole);
    }

    #[test]
    fn signatures_scopes_and_generators_keep_a_body() {
        let source = "\
from app.models import User

counter = 0


def named_like_a_session(db):
    db.add(1)


def typed_with_a_project_class(user: User):
    return user.id


def binds_a_global():
    global counter
    counter += 1


def imports_lazily():
    import app.jobs
    app.jobs.run()


def a_generator(items):
    yield from items


def calls_what_a_call_returns(make):
    return make()()


def declares_a_class(rows):
    class Row(tuple):
        pass
    return Row(rows)


def plain(items):
    return sorted(items)
";
        assert_eq!(skipped(source), ["plain"]);
    }

    #[test]
    fn only_module_level_functions_with_a_block_are_candidates() {
        let source = "\
import os


class Repository:
    def plain(self, items):
        return sorted(items)


if os.environ:
    def nested(items):
        return sorted(items)


def one_line(items): return sorted(items)


@staticmethod
def decorated(items):
    return sorted(items)


async def at_end_of_file(items):
    if items:
        return sorted(items)";
        assert_eq!(skipped(source), ["decorated", "at_end_of_file"]);
    }

    /// Found by an adversarial run: an import that does not start its line
    /// binds names too.
    #[test]
    fn an_import_anywhere_in_a_line_counts() {
        let source = "\
import os
if True: from ..services.work import touch
try: import json
except ImportError: json = None
LIMIT = 3; from helpers import clean


async def calls_touch():
    await touch()


def uses_json(rows):
    return json.dumps(rows)


def uses_clean(rows):
    return clean(rows)


def plain(rows):
    return sorted(rows)
";
        assert_eq!(skipped(source), ["plain"]);
    }

    #[test]
    fn a_star_import_skips_nothing() {
        let source = "\
from app.models import *


def plain(items):
    return sorted(items)
";
        assert!(skipped(source).is_empty());
    }

    #[test]
    fn a_syntax_error_is_reported_from_the_whole_text() {
        for source in [
            "def plain(items):\n    return sorted(items)\n\n\nx = = 1\n",
            "def plain(items):\n    return sorted(items\n",
            "def plain(items):\n    return sorted(items)\n  y = 2\n",
        ] {
            let whole = parse_module(source).unwrap_err();
            assert_eq!(parse_module_skipping(source, &Words).unwrap_err(), whole);
        }
    }

    /// Every fixture under `testdata/` parses to the same module-level
    /// ranges with everything skippable skipped (a relevance that finds
    /// nothing relevant skips the most). On a thread with the stack the
    /// engine parses with: some fixtures nest deeply.
    #[test]
    fn skipping_keeps_every_module_level_range_of_the_fixtures() {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(check_every_fixture)
            .unwrap()
            .join()
            .unwrap();
    }

    fn check_every_fixture() {
        struct Nothing;
        impl Relevance for Nothing {
            fn mentions(&self, _: &str) -> bool {
                false
            }
            fn is_first_party(&self, _: &str) -> bool {
                false
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
        let mut files = 0;
        let mut skipped = 0;
        for entry in walk(&root) {
            let Ok(source) = std::fs::read_to_string(&entry) else {
                continue;
            };
            let Ok(full) = parse_module(&source) else {
                continue;
            };
            let parsed = parse_module_skipping(&source, &Nothing).unwrap();
            assert_eq!(full.body.len(), parsed.body.len(), "{}", entry.display());
            for (whole, outlined) in full.body.iter().zip(&parsed.body) {
                assert_eq!(whole.range(), outlined.range(), "{}", entry.display());
            }
            assert_eq!(full.comments, parsed.comments);
            files += 1;
            skipped += parsed.skipped.len();
        }
        assert!(
            files > 50 && skipped > 20,
            "{files} files, {skipped} bodies skipped"
        );
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "py") {
                found.push(path);
            }
        }
        found
    }
}
