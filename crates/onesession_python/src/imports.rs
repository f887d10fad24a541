//! The import planner: the one place that adds or removes imported names.
//! Transforms schedule changes on an [`ImportEditor`]; `finish` turns them
//! into non-overlapping edits that keep the file's style:
//!
//! - a name is added to an existing `from <module> import ...` when there
//!   is one, else in a new statement placed after the docstring,
//!   `__future__` imports and the last top-level import, written relative
//!   when the file already imports relatively;
//! - a removed name takes its comma with it (parenthesised multi-line
//!   imports keep their other lines and comments); a statement left empty
//!   is deleted, and a block left empty gets `pass`;
//! - nothing is imported twice.

use onesession_text::{Edit, TextRange};
use rustpython_parser::ast::{self, Stmt};

use crate::semantic::resolve_relative;
use crate::source::{indentation_at, line_end, line_start};
use crate::{range_of, BindingKind, SemanticModel};

/// An import statement located in the module.
struct ImportStmt<'a> {
    stmt: &'a ast::StmtImportFrom,
    range: TextRange,
    /// The module it imports from, resolved (absolute).
    module: Option<String>,
    /// Top-level (not inside a function or block).
    top_level: bool,
    /// The statement is the only one of its block.
    alone_in_block: bool,
}

pub struct ImportEditor<'a> {
    source: &'a str,
    body: &'a [Stmt],
    semantic: &'a SemanticModel,
    package: String,
    imports: Vec<ImportStmt<'a>>,
    /// `(statement index, alias index)` to remove.
    removals: Vec<(usize, usize)>,
    /// `(module, name)` to import.
    additions: Vec<(String, String)>,
    /// `import <module>` statements to add.
    module_imports: Vec<String>,
    /// Statements to place right after the imports (after any added ones).
    trailer: String,
}

impl<'a> ImportEditor<'a> {
    pub fn new(
        source: &'a str,
        body: &'a [Stmt],
        semantic: &'a SemanticModel,
        is_package: bool,
    ) -> Self {
        let module = semantic.module();
        let package = if is_package {
            module.to_owned()
        } else {
            module
                .rsplit_once('.')
                .map_or(String::new(), |(p, _)| p.to_owned())
        };
        let mut imports = Vec::new();
        collect_imports(body, true, &package, &mut imports);
        Self {
            source,
            body,
            semantic,
            package,
            imports,
            removals: Vec::new(),
            additions: Vec::new(),
            module_imports: Vec::new(),
            trailer: String::new(),
        }
    }

    /// Removes the import alias at `alias_range` (a binding's range).
    /// Returns false when no `from ... import` alias is there.
    pub fn remove(&mut self, alias_range: &TextRange) -> bool {
        for (i, import) in self.imports.iter().enumerate() {
            if let Some(j) = import
                .stmt
                .names
                .iter()
                .position(|alias| &range_of(alias) == alias_range)
            {
                if !self.removals.contains(&(i, j)) {
                    self.removals.push((i, j));
                }
                return true;
            }
        }
        false
    }

    /// Imports `name` from `module` at module level, unless it already is.
    /// Returns the local name to use (today always `name`).
    pub fn add(&mut self, module: &str, name: &str) -> String {
        let pair = (module.to_owned(), name.to_owned());
        if !self.additions.contains(&pair) && !self.already_imported(module, name) {
            self.additions.push(pair);
        }
        name.to_owned()
    }

    /// Adds `import module` unless a top-level statement of the module
    /// already imports it so: one inside a block (`try`, `if`) may never
    /// run, or run after the code that needs it.
    pub fn add_module(&mut self, module: &str) {
        let bound = self.body.iter().any(|stmt| {
            matches!(stmt, Stmt::Import(import)
                if import.names.iter().any(|a| a.name.as_str() == module && a.asname.is_none()))
        });
        if !bound && !self.module_imports.iter().any(|m| m == module) {
            self.module_imports.push(module.to_owned());
        }
    }

    /// Places `text` (whole lines) right after the module's imports, after
    /// any import this editor adds.
    pub fn append_after_imports(&mut self, text: &str) {
        self.trailer.push_str(text);
    }

    /// True when `name` is already imported from `module` at module level
    /// (and that import is not being removed).
    fn already_imported(&self, module: &str, name: &str) -> bool {
        let target = format!("{module}.{name}");
        self.imports.iter().enumerate().any(|(i, import)| {
            import.top_level
                && import.stmt.names.iter().enumerate().any(|(j, alias)| {
                    !self.removals.contains(&(i, j))
                        && alias.asname.is_none()
                        && alias.name.as_str() == name
                        && import.module.as_deref().map(|m| format!("{m}.{}", alias.name)) == Some(target.clone())
                })
        }) || self.semantic.module_binding(name).is_some_and(|id| {
            matches!(&self.semantic.binding(id).kind, BindingKind::Import { qualified } if qualified == &target)
                && !self.removals.iter().any(|(i, j)| {
                    range_of(&self.imports[*i].stmt.names[*j]) == self.semantic.binding(id).range
                })
        })
    }

    pub fn finish(self) -> Vec<Edit> {
        let mut edits = Vec::new();
        let mut pending_additions = self.additions.clone();
        // Statements touched by removals, additions, or both.
        let mut touched: Vec<usize> = self.removals.iter().map(|(i, _)| *i).collect();
        touched.sort_unstable();
        touched.dedup();

        // Additions that can join an existing top-level import of their module.
        let mut joins: Vec<(usize, Vec<String>)> = Vec::new();
        pending_additions.retain(|(module, name)| {
            let host = self.imports.iter().enumerate().find(|(_, import)| {
                import.top_level && import.module.as_deref() == Some(module.as_str())
            });
            match host {
                Some((i, _)) => {
                    match joins.iter_mut().find(|(j, _)| *j == i) {
                        Some((_, names)) => names.push(name.clone()),
                        None => joins.push((i, vec![name.clone()])),
                    }
                    false
                }
                None => true,
            }
        });

        let mut statements: Vec<usize> = touched.clone();
        statements.extend(joins.iter().map(|(i, _)| *i));
        statements.sort_unstable();
        statements.dedup();
        for i in statements {
            let import = &self.imports[i];
            let removed: Vec<usize> = self
                .removals
                .iter()
                .filter(|(s, _)| *s == i)
                .map(|(_, a)| *a)
                .collect();
            let added: Vec<String> = joins
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, names)| names.clone())
                .unwrap_or_default();
            edits.extend(self.edit_statement(import, &removed, &added));
        }

        if !pending_additions.is_empty()
            || !self.module_imports.is_empty()
            || !self.trailer.is_empty()
        {
            let (at, prefix) = self.insertion_point();
            let mut text = String::new();
            for module in &self.module_imports {
                text.push_str(&format!("import {module}\n"));
            }
            let mut by_module: Vec<(String, Vec<String>)> = Vec::new();
            for (module, name) in pending_additions {
                match by_module.iter_mut().find(|(m, _)| *m == module) {
                    Some((_, names)) => names.push(name),
                    None => by_module.push((module, vec![name])),
                }
            }
            for (module, names) in by_module {
                text.push_str(&format!(
                    "from {} import {}\n",
                    self.spelling(&module),
                    names.join(", ")
                ));
            }
            text.push_str(&self.trailer);
            edits.push(Edit::insert(at, format!("{prefix}{text}")));
        }
        edits
    }

    /// Edits for one `from ... import` statement.
    fn edit_statement(
        &self,
        import: &ImportStmt<'_>,
        removed: &[usize],
        added: &[String],
    ) -> Vec<Edit> {
        let aliases: Vec<TextRange> = import.stmt.names.iter().map(range_of).collect();
        let kept = aliases.len() - removed.len();
        if kept == 0 && added.is_empty() {
            return vec![self.delete_statement(import)];
        }
        let mut edits = Vec::new();
        if kept == 0 {
            // Every old name goes, new ones come: swap the names in place.
            let first = aliases[0].start;
            let last = aliases[aliases.len() - 1].end;
            edits.push(Edit::replace(first..last, added.join(", ")));
            return edits;
        }
        // Remove runs of removed aliases with their commas.
        let is_removed = |j: usize| removed.contains(&j);
        let mut j = 0;
        while j < aliases.len() {
            if !is_removed(j) {
                j += 1;
                continue;
            }
            let run_start = j;
            while j < aliases.len() && is_removed(j) {
                j += 1;
            }
            let run_end = j - 1;
            if let Some(lines) = self.whole_lines(&aliases[run_start], &aliases[run_end]) {
                edits.push(Edit::delete(lines));
            } else if j < aliases.len() {
                edits.push(Edit::delete(aliases[run_start].start..aliases[j].start));
            } else {
                // The run ends the list: take the comma before it.
                let previous = aliases[run_start - 1].end;
                edits.push(Edit::delete(previous..aliases[run_end].end));
            }
        }
        if !added.is_empty() {
            let last_kept = (0..aliases.len())
                .rev()
                .find(|j| !is_removed(*j))
                .unwrap_or(0);
            let end = aliases[last_kept].end;
            let stmt_text = &self.source[import.range.clone()];
            let parenthesised = stmt_text.contains('(') && stmt_text.contains('\n');
            let after = &self.source[end..import.range.end];
            if parenthesised && after.trim_start().starts_with(',') {
                let comma = end + after.find(',').unwrap_or(0) + 1;
                let indent = indentation_at(self.source, aliases[last_kept].start);
                let text: String = added.iter().map(|n| format!("\n{indent}{n},")).collect();
                edits.push(Edit::insert(comma, text));
            } else {
                let text: String = added.iter().map(|n| format!(", {n}")).collect();
                edits.push(Edit::insert(end, text));
            }
        }
        edits
    }

    /// When aliases `first..=last` fill their own lines (a parenthesised
    /// import, one name per line, maybe a trailing comma and comment), the
    /// range of those lines.
    fn whole_lines(&self, first: &TextRange, last: &TextRange) -> Option<TextRange> {
        let start = line_start(self.source, first.start);
        if !self.source[start..first.start].trim().is_empty() {
            return None;
        }
        let end = line_end(self.source, last.end);
        let rest = self.source[last.end..end].trim();
        let rest = rest.strip_prefix(',').unwrap_or(rest).trim();
        (rest.is_empty() || rest.starts_with('#')).then_some(start..end)
    }

    fn delete_statement(&self, import: &ImportStmt<'_>) -> Edit {
        let range = &import.range;
        if import.alone_in_block {
            return Edit::replace(range.clone(), "pass");
        }
        let start = line_start(self.source, range.start);
        let before = &self.source[start..range.start];
        let end = line_end(self.source, range.end);
        let after = self.source[range.end..end].trim();
        if before.trim().is_empty() && (after.is_empty() || after.starts_with('#')) {
            Edit::delete(start..end)
        } else {
            // Shares its line (`import x; y = 1`): remove it and its `;`.
            let rest = &self.source[range.end..];
            let trimmed = rest.trim_start_matches([' ', '\t']);
            if let Some(after_semicolon) = trimmed.strip_prefix(';') {
                let skip = rest.len() - after_semicolon.trim_start_matches([' ', '\t']).len();
                Edit::delete(range.start..range.end + skip)
            } else {
                Edit::replace(range.clone(), "pass")
            }
        }
    }

    /// Where a new import goes, and what must precede it there.
    fn insertion_point(&self) -> (usize, &'static str) {
        let mut after: Option<usize> = None;
        for (index, stmt) in self.body.iter().enumerate() {
            match stmt {
                Stmt::Import(_) | Stmt::ImportFrom(_) => after = Some(range_of(stmt).end),
                Stmt::Expr(expr)
                    if index == 0
                        && matches!(expr.value.as_ref(), ast::Expr::Constant(c) if matches!(c.value, ast::Constant::Str(_))) =>
                {
                    after = Some(range_of(stmt).end);
                }
                Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => break,
                _ => {}
            }
        }
        match after {
            Some(end) => {
                let at = line_end(self.source, end);
                let prefix = if at == self.source.len() && !self.source.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                (at, prefix)
            }
            None => (0, ""),
        }
    }

    /// How this file should spell `module`: relative when the file already
    /// imports relatively and the module shares its top package.
    fn spelling(&self, module: &str) -> String {
        let uses_relative = self
            .imports
            .iter()
            .any(|i| i.stmt.level.is_some_and(|l| l.to_u32() > 0));
        if !uses_relative || self.package.is_empty() {
            return module.to_owned();
        }
        let package: Vec<&str> = self.package.split('.').collect();
        let target: Vec<&str> = module.split('.').collect();
        let common = package
            .iter()
            .zip(&target)
            .take_while(|(a, b)| a == b)
            .count();
        if common == 0 {
            return module.to_owned();
        }
        let dots = ".".repeat(package.len() - common + 1);
        format!("{dots}{}", target[common..].join("."))
    }
}

fn collect_imports<'a>(
    body: &'a [Stmt],
    top_level: bool,
    package: &str,
    out: &mut Vec<ImportStmt<'a>>,
) {
    for stmt in body {
        match stmt {
            Stmt::ImportFrom(import) => {
                let level = import.level.map_or(0, |l| l.to_u32() as usize);
                out.push(ImportStmt {
                    stmt: import,
                    range: range_of(stmt),
                    module: resolve_relative(package, level, import.module.as_deref()),
                    top_level,
                    alone_in_block: !top_level && body.len() == 1,
                });
            }
            Stmt::FunctionDef(def) => collect_imports(&def.body, false, package, out),
            Stmt::AsyncFunctionDef(def) => collect_imports(&def.body, false, package, out),
            Stmt::ClassDef(def) => collect_imports(&def.body, false, package, out),
            Stmt::If(s) => {
                collect_imports(&s.body, false, package, out);
                collect_imports(&s.orelse, false, package, out);
            }
            Stmt::Try(s) => {
                collect_imports(&s.body, false, package, out);
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    collect_imports(&h.body, false, package, out);
                }
                collect_imports(&s.orelse, false, package, out);
                collect_imports(&s.finalbody, false, package, out);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_module;
    use onesession_text::apply_edits;

    fn edit(
        source: &str,
        module: &str,
        f: impl FnOnce(&mut ImportEditor<'_>, &SemanticModel),
    ) -> String {
        let parsed = parse_module(source).unwrap();
        let semantic = SemanticModel::build(&parsed.body, module, false, source.len());
        let mut editor = ImportEditor::new(source, &parsed.body, &semantic, false);
        f(&mut editor, &semantic);
        let edits = editor.finish();
        let out = apply_edits(source, &edits).unwrap();
        parse_module(&out).unwrap_or_else(|e| panic!("{out}\n{e}"));
        out
    }

    fn remove_name(editor: &mut ImportEditor<'_>, semantic: &SemanticModel, name: &str) {
        let id = semantic.module_binding(name).unwrap();
        assert!(editor.remove(&semantic.binding(id).range));
    }

    #[test]
    fn removes_a_name_and_its_comma() {
        let out = edit("from a import b, c, d\n", "m", |e, s| {
            remove_name(e, s, "c")
        });
        assert_eq!(out, "from a import b, d\n");
        let out = edit("from a import b, c, d\n", "m", |e, s| {
            remove_name(e, s, "c");
            remove_name(e, s, "d");
        });
        assert_eq!(out, "from a import b\n");
    }

    #[test]
    fn removes_from_parenthesised_multiline_import_with_comments() {
        let source =
            "from a import (\n    b,  # keep b\n    c,  # the factory\n    d,\n)\nx = b, d\n";
        let out = edit(source, "m", |e, s| remove_name(e, s, "c"));
        assert_eq!(
            out,
            "from a import (\n    b,  # keep b\n    d,\n)\nx = b, d\n"
        );
        let out = edit(source, "m", |e, s| remove_name(e, s, "d"));
        assert_eq!(
            out,
            "from a import (\n    b,  # keep b\n    c,  # the factory\n)\nx = b, d\n"
        );
    }

    #[test]
    fn deletes_an_emptied_statement_and_fills_an_emptied_block() {
        let out = edit(
            "import os\nfrom a import b  # note\nx = 1\n",
            "m",
            |e, s| remove_name(e, s, "b"),
        );
        assert_eq!(out, "import os\nx = 1\n");
        let source = "def f():\n    from a import b\n";
        let parsed = parse_module(source).unwrap();
        let semantic = SemanticModel::build(&parsed.body, "m", false, source.len());
        let mut editor = ImportEditor::new(source, &parsed.body, &semantic, false);
        let alias = semantic
            .bindings()
            .find(|(_, b)| b.name == "b")
            .unwrap()
            .1
            .range
            .clone();
        assert!(editor.remove(&alias));
        assert_eq!(
            apply_edits(source, &editor.finish()).unwrap(),
            "def f():\n    pass\n"
        );
    }

    #[test]
    fn adds_to_an_existing_import_of_the_module() {
        let out = edit("from app.db.session import engine\n", "app.x", |e, _| {
            e.add("app.db.session", "get_session");
        });
        assert_eq!(out, "from app.db.session import engine, get_session\n");
        let out = edit(
            "from app.db.session import (\n    engine,\n)\n",
            "app.x",
            |e, _| {
                e.add("app.db.session", "get_session");
            },
        );
        assert_eq!(
            out,
            "from app.db.session import (\n    engine,\n    get_session,\n)\n"
        );
    }

    #[test]
    fn replaces_a_removed_name_with_the_added_one_in_place() {
        let out = edit(
            "from app.db.session import async_session_factory\n",
            "app.x",
            |e, s| {
                remove_name(e, s, "async_session_factory");
                e.add("app.db.session", "get_session");
            },
        );
        assert_eq!(out, "from app.db.session import get_session\n");
    }

    #[test]
    fn new_import_goes_after_docstring_future_and_imports() {
        let source = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport os\n\nx = 1\n\ndef f():\n    import sys\n";
        let out = edit(source, "app.tasks.x", |e, _| {
            e.add("app.db.session", "get_session");
        });
        assert_eq!(
            out,
            "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport os\nfrom app.db.session import get_session\n\nx = 1\n\ndef f():\n    import sys\n"
        );
        let out = edit("x = 1\n", "m", |e, _| {
            e.add("app.db.session", "get_session");
        });
        assert_eq!(out, "from app.db.session import get_session\nx = 1\n");
    }

    #[test]
    fn module_import_and_trailer_follow_the_imports() {
        let source = "\"\"\"Doc.\"\"\"\nimport os\n\nx = 1\n";
        let out = edit(source, "app.db.direct", |e, _| {
            e.add_module("warnings");
            e.add_module("os");
            e.append_after_imports(
                "\nwarnings.warn(\"deprecated\", DeprecationWarning, stacklevel=2)\n",
            );
        });
        assert_eq!(
            out,
            "\"\"\"Doc.\"\"\"\nimport os\nimport warnings\n\nwarnings.warn(\"deprecated\", DeprecationWarning, stacklevel=2)\n\nx = 1\n"
        );
    }

    #[test]
    fn follows_relative_style_and_never_duplicates() {
        let out = edit("from ..models import Job\n", "app.tasks.x", |e, _| {
            e.add("app.db.session", "get_session");
        });
        assert_eq!(
            out,
            "from ..models import Job\nfrom ..db.session import get_session\n"
        );
        let out = edit(
            "from app.db.session import get_session\n",
            "app.x",
            |e, _| {
                e.add("app.db.session", "get_session");
                e.add("app.db.session", "get_session");
            },
        );
        assert_eq!(out, "from app.db.session import get_session\n");
    }
}
