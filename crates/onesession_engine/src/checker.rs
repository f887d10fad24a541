//! What a transform sees of one file, and how it reports.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::mem::Discriminant;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use onesession_python::ast::Expr;
use onesession_python::visit::Nodes;
use onesession_python::{ParsedModule, SemanticModel, Suppression};
use onesession_text::{Fix, LineIndex, TextRange};

use crate::names::{is_one_of, FASTAPI_DEPENDS, SESSIONMAKERS, SESSION_CLASSES};
use crate::project::{Analysis, Canon, Project, ProjectFile};
use crate::rule::{Finding, Rule, RuleSet};
use crate::settings::{Layer, Settings};

/// The context of one file under check.
pub struct Checker<'a> {
    pub project: &'a Project,
    pub file: &'a ProjectFile,
    pub source: &'a str,
    pub parsed: &'a ParsedModule,
    /// The module's statements and expressions, listed by one walk.
    pub nodes: &'a Nodes<'a>,
    pub semantic: &'a SemanticModel,
    pub lines: &'a LineIndex,
    rules: &'a RuleSet<'a>,
    ignored: Vec<&'a str>,
    findings: Vec<Finding>,
    /// `(comment offset, rule)` for every finding a comment suppressed.
    used_suppressions: Vec<(usize, &'static str)>,
    /// [`Checker::qualified`]'s answers by expression: the transforms ask
    /// about the same expression many times, and each answer follows
    /// re-exports through the index.
    qualified: RefCell<FxHashMap<ExprKey, Option<String>>>,
    /// Made when a transform first asks what a callee refers to.
    resolver: std::cell::OnceCell<crate::resolve::Resolver<'a>>,
    /// Simple `name = value` statements by start offset, made when a
    /// transform first follows a name to its value.
    assignments: std::cell::OnceCell<FxHashMap<usize, &'a Expr>>,
    /// The semantic model of the whole text, made when a question about
    /// the file's names reaches into a function body the parse skipped.
    whole: std::cell::OnceCell<Option<SemanticModel>>,
    /// [`Checker::memo`]'s answers, by type.
    memo: RefCell<FxHashMap<TypeId, Rc<dyn Any>>>,
}

/// An expression by position and kind (no two expressions share both).
type ExprKey = (usize, usize, Discriminant<Expr>);

/// The edit that drops unused codes from a suppression comment: the whole
/// comment (and the line, when it is alone) when nothing is kept.
/// `None` when the comment holds other text (another tool's directive).
fn suppression_edit(
    source: &str,
    range: &TextRange,
    text: &str,
    keep: &[String],
) -> Option<onesession_text::Edit> {
    use onesession_python::source::{line_end, line_start};
    use onesession_text::Edit;
    let directive = text.find("onesession:")?;
    let after_ignore = directive + text[directive..].find("ignore")? + "ignore".len();
    let (list, rest) = match text[after_ignore..].strip_prefix('[') {
        Some(inner) => {
            let close = after_ignore + 1 + inner.find(']')?;
            (Some(after_ignore..close + 1), &text[close + 1..])
        }
        None => (None, &text[after_ignore..]),
    };
    // Only a comment that is nothing but the directive is edited.
    if !text[1..directive].trim().is_empty() || !rest.trim().is_empty() {
        return None;
    }
    if !keep.is_empty() {
        let list = list?;
        let at = range.start + list.start..range.start + list.end;
        return Some(Edit::replace(at, format!("[{}]", keep.join(", "))));
    }
    let start = line_start(source, range.start);
    let before = &source[start..range.start];
    if before.trim().is_empty() {
        return Some(Edit::delete(start..line_end(source, range.end)));
    }
    Some(Edit::delete(start + before.trim_end().len()..range.end))
}

impl<'a> Checker<'a> {
    pub(crate) fn new(
        project: &'a Project,
        file: &'a ProjectFile,
        source: &'a str,
        analysis: &'a Analysis,
        nodes: &'a Nodes<'a>,
        rules: &'a RuleSet<'a>,
    ) -> Self {
        Self {
            project,
            file,
            source,
            parsed: &analysis.parsed,
            nodes,
            semantic: &analysis.semantic,
            lines: &analysis.lines,
            rules,
            ignored: project.settings.ignored_for(&file.relative),
            findings: Vec::new(),
            used_suppressions: Vec::new(),
            qualified: RefCell::default(),
            resolver: std::cell::OnceCell::new(),
            assignments: std::cell::OnceCell::new(),
            whole: std::cell::OnceCell::new(),
            memo: RefCell::default(),
        }
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    pub fn settings(&self) -> &'a Settings {
        &self.project.settings
    }

    pub fn canon(&self) -> &'a Canon {
        &self.project.canon
    }

    pub fn layer(&self) -> Layer {
        self.file.layer()
    }

    pub fn module(&self) -> Option<&'a str> {
        self.file.module.as_deref()
    }

    /// True in the session setup: the canonical module, or a module it
    /// builds on (`deps.py` hands out sessions made in `database.py`).
    pub fn is_canonical(&self) -> bool {
        let canon = self.canon();
        self.module().is_some_and(|module| {
            canon.module.as_deref() == Some(module) || canon.support.contains(module)
        })
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        self.rules.is_enabled(rule.id)
    }

    /// Reports a finding unless its rule is off, ignored for this file, or
    /// suppressed by a comment on the first or last line of `range`.
    /// Returns the finding so the caller can attach a fix.
    pub fn report(
        &mut self,
        rule: &'static Rule,
        range: TextRange,
        message: impl Into<String>,
    ) -> Option<&mut Finding> {
        if !self.rules.is_enabled(rule.id)
            || self.ignored.contains(&rule.id)
            || !self.applies_here(rule.id)
        {
            return None;
        }
        let suppressions = self.suppressions_of(rule, &range);
        if !suppressions.is_empty() {
            self.used_suppressions
                .extend(suppressions.into_iter().map(|offset| (offset, rule.id)));
            return None;
        }
        self.findings.push(Finding {
            confidence: Default::default(),
            rule,
            file: self.file.id,
            range,
            message: message.into(),
            fix: None,
            group: None,
        });
        self.findings.last_mut()
    }

    /// An import planner for this file: every transform adds and removes
    /// imports through it.
    pub fn imports(&self) -> onesession_python::imports::ImportEditor<'a> {
        onesession_python::imports::ImportEditor::new(
            self.source,
            &self.parsed.body,
            self.semantic,
            self.file.is_package,
        )
    }

    /// Offsets of the suppression comments covering `rule` at `range`
    /// (on its first or last line).
    fn suppressions_of(&self, rule: &Rule, range: &TextRange) -> Vec<usize> {
        let first = self.lines.line_of(range.start);
        let last = self
            .lines
            .line_of(range.end.saturating_sub(1).max(range.start));
        self.parsed
            .suppressions
            .iter()
            .filter(|(offset, s)| {
                let line = self.lines.line_of(*offset);
                (line == first || line == last) && s.covers(rule.id)
            })
            .map(|(offset, _)| *offset)
            .collect()
    }

    /// True when a finding of `rule` at `range` would be reported (the
    /// rule is on, not ignored for this file, not suppressed): lets a
    /// transform leave suppressed sites out of a shared fix.
    pub fn would_report(&self, rule: &Rule, range: &TextRange) -> bool {
        self.rules.is_enabled(rule.id)
            && !self.ignored.contains(&rule.id)
            && self.applies_here(rule.id)
            && self.suppressions_of(rule, range).is_empty()
    }

    /// Reports DB003 for suppression comments that suppressed nothing:
    /// codes of enabled rules that matched no finding, unknown codes, and
    /// bare `ignore` comments with no finding on their line.
    pub(crate) fn report_unused_suppressions(&mut self, rule: &'static Rule) {
        if !self.rules.is_enabled(rule.id) {
            return;
        }
        let mut found = Vec::new();
        for (offset, suppression) in &self.parsed.suppressions {
            let used: Vec<&str> = self
                .used_suppressions
                .iter()
                .filter(|(o, _)| o == offset)
                .map(|(_, r)| *r)
                .collect();
            let Some((range, text)) = self
                .parsed
                .comments
                .iter()
                .find(|(r, _)| r.start == *offset)
            else {
                continue;
            };
            let (unused, keep): (Vec<String>, Vec<String>) = match suppression {
                // A bare `ignore` may be for a rule that did not run here.
                Suppression::All if used.is_empty() && self.every_rule_ran() => (vec![], vec![]),
                Suppression::All => continue,
                Suppression::Rules(codes) => codes.iter().cloned().partition(|code| {
                    !self.rules.is_known(code) || (self.ran(code) && !used.contains(&code.as_str()))
                }),
            };
            if matches!(suppression, Suppression::Rules(_)) && unused.is_empty() {
                continue;
            }
            let message =
                match suppression {
                    Suppression::All => {
                        "`# onesession: ignore` suppresses nothing on this line; remove it"
                            .to_owned()
                    }
                    Suppression::Rules(_) => {
                        let unknown: Vec<&String> =
                            unused.iter().filter(|c| !self.rules.is_known(c)).collect();
                        if unknown.is_empty() {
                            format!("unused suppression of {}; remove it", unused.join(", "))
                        } else {
                            format!(
                            "suppression names unknown rule {}; remove it (see `onesession rules`)",
                            unknown.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                        )
                        }
                    }
                };
            found.push((range.clone(), text.clone(), keep, message));
        }
        for (range, text, keep, message) in found {
            // A comment cannot silence its own report; only an explicit
            // `ignore[DB003]` elsewhere on the line can.
            let line = self.lines.line_of(range.start);
            let silenced = self.parsed.suppressions.iter().any(|(offset, s)| {
                *offset != range.start
                    && self.lines.line_of(*offset) == line
                    && matches!(s, Suppression::Rules(codes) if codes.iter().any(|c| c == rule.id))
            });
            if silenced || self.ignored.contains(&rule.id) {
                continue;
            }
            // Without a configuration the project model is a guess: a
            // suppression it calls unused is reported, never removed.
            let fix = suppression_edit(self.source, &range, &text, &keep)
                .filter(|_| self.settings().config.is_some())
                .map(|e| self.fix_safe(vec![e]));
            self.findings.push(Finding {
                confidence: Default::default(),
                rule,
                file: self.file.id,
                range,
                message,
                fix,
                group: None,
            });
        }
    }

    /// Tests are held to [`Layer::TEST_RULES`] only.
    fn applies_here(&self, code: &str) -> bool {
        self.layer() != Layer::Test || Layer::TEST_RULES.contains(&code)
    }

    /// True when the rule `code` ran in full on this file: enabled, not
    /// ignored here, and with the canonical module it may need.
    fn ran(&self, code: &str) -> bool {
        self.rules.is_enabled(code)
            && !self.ignored.contains(&code)
            && self.applies_here(code)
            && self
                .rules
                .rule(code)
                .is_some_and(|rule| !rule.requires_canonical || self.canon().module.is_some())
    }

    /// Every enabled rule ran in full on this file.
    fn every_rule_ran(&self) -> bool {
        self.rules.enabled().iter().all(|code| self.ran(code))
    }

    pub fn fix_safe(&self, edits: Vec<onesession_text::Edit>) -> Fix {
        Fix::safe(self.file.id, edits)
    }

    pub fn fix_unsafe(&self, edits: Vec<onesession_text::Edit>) -> Fix {
        Fix::unsafe_(self.file.id, edits)
    }

    pub fn text(&self, range: &TextRange) -> &'a str {
        self.source.get(range.clone()).unwrap_or_default()
    }

    pub fn line(&self, offset: usize) -> usize {
        self.lines.line_of(offset) + 1
    }

    /// An answer about this file that several transforms need (the
    /// sessions its names hold): made by `make` on first use, one per type
    /// `T`, and shared by the transforms that check the file after.
    pub fn memo<T: Any>(&self, make: impl FnOnce() -> T) -> Rc<T> {
        let key = TypeId::of::<T>();
        let known = self.memo.borrow().get(&key).cloned();
        let answer = known.unwrap_or_else(|| {
            // Made without the borrow: `make` may ask for another memo.
            let made: Rc<dyn Any> = Rc::new(make());
            Rc::clone(self.memo.borrow_mut().entry(key).or_insert(made))
        });
        answer
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("memo entries are keyed by their type"))
    }

    /// `name` is bound somewhere in the file, in any scope: the question a
    /// fix asks before it imports `name`. The function bodies the parse
    /// skipped bind only their own locals, but a local still takes the
    /// name, so when `name` occurs in one the whole text is parsed to
    /// answer.
    pub fn is_bound_anywhere(&self, name: &str) -> bool {
        if self.semantic.is_bound_in_parsed_code(name) {
            return true;
        }
        self.parsed.skipped_mentions(self.source, name)
            && self
                .whole
                .get_or_init(|| {
                    let parsed = onesession_python::parse_module(self.source).ok()?;
                    Some(SemanticModel::build(
                        &parsed.body,
                        self.file.module.as_deref().unwrap_or(""),
                        self.file.is_package,
                        self.source.len(),
                    ))
                })
                .as_ref()
                .is_some_and(|whole| whole.is_bound_in_parsed_code(name))
    }

    /// The qualified name of `expr`, following re-exports in the project.
    pub fn qualified(&self, expr: &Expr) -> Option<String> {
        let range = onesession_python::range_of(expr);
        let key = (range.start, range.end, std::mem::discriminant(expr));
        if let Some(known) = self.qualified.borrow().get(&key) {
            return known.clone();
        }
        let answer = self
            .semantic
            .qualified_name(expr)
            .map(|name| self.project.canonicalize(&name));
        self.qualified.borrow_mut().insert(key, answer.clone());
        answer
    }

    /// What calling `callee` calls, through instances of project classes
    /// as well as imports (see [`crate::resolve`]).
    pub fn target(&self, callee: &Expr) -> crate::resolve::Target {
        self.resolver().target(callee)
    }

    pub fn resolver(&self) -> &crate::resolve::Resolver<'a> {
        self.resolver.get_or_init(|| {
            crate::resolve::Resolver::new(self.project, self.semantic, &self.parsed.body)
        })
    }

    /// What `expr` stands for when it is a name bound once by a simple
    /// assignment (`sql = "..."`, `opts = {...}`), followed through a few
    /// such names; `expr` itself otherwise. For detection only: the model
    /// is flow-insensitive, so the value is the last one bound before use.
    pub fn value_of(&self, expr: &'a Expr) -> &'a Expr {
        let assignments = self.assignments.get_or_init(|| {
            let mut out = FxHashMap::default();
            onesession_python::visit::for_each_stmt(&self.parsed.body, |stmt| {
                use onesession_python::ast::{Stmt, StmtAnnAssign, StmtAssign};
                match stmt {
                    Stmt::Assign(StmtAssign { targets, value, .. })
                        if targets.len() == 1 && targets[0].is_name_expr() =>
                    {
                        out.insert(
                            onesession_python::range_of(&targets[0]).start,
                            value.as_ref(),
                        );
                    }
                    Stmt::AnnAssign(StmtAnnAssign {
                        target,
                        value: Some(value),
                        ..
                    }) if target.is_name_expr() => {
                        out.insert(
                            onesession_python::range_of(target.as_ref()).start,
                            value.as_ref(),
                        );
                    }
                    _ => {}
                }
            });
            out
        });
        let mut current = expr;
        for _ in 0..4 {
            let Expr::Name(name) = current else { break };
            let Some(binding) = self.semantic.resolve(name) else {
                break;
            };
            let binding = self.semantic.binding(binding);
            if binding.kind != onesession_python::BindingKind::Assignment {
                break;
            }
            match assignments.get(&binding.range.start) {
                Some(value) => current = value,
                None => break,
            }
        }
        current
    }

    /// How to obtain a session at `offset`, for a message: the canonical
    /// context manager in the form that runs there (`async with get_session()
    /// as session:` in async code, `with get_db_session() as session:` for a
    /// sync one), never a name the canonical module does not define.
    pub fn session_advice(&self, offset: usize) -> String {
        let canon = self.canon();
        let in_async = self.semantic.in_async_function(offset);
        match (
            canon.context_manager_name(),
            canon.context_manager_is_async(),
        ) {
            (Some(cm), Some(true)) if in_async => format!("`async with {cm}() as session:`"),
            (Some(cm), Some(true)) => format!(
                "the canonical `{cm}()` (an async context manager: open it from async code)"
            ),
            (Some(cm), _) => format!("`with {cm}() as session:`"),
            (None, _) => match (&canon.dependency, &canon.module) {
                (Some(dependency), _)
                    if self.layer() == Layer::Router && self.in_endpoint(offset) =>
                {
                    format!(
                        "the dependency `Depends({})`",
                        dependency.rsplit('.').next().unwrap_or(dependency)
                    )
                }
                (_, Some(module)) => format!("a session from the canonical module `{module}`"),
                (_, None) => "the canonical session provider".to_owned(),
            },
        }
    }

    /// `offset` is inside a function FastAPI calls with its dependencies:
    /// one registered by a route decorator (`@router.get(...)`), or one
    /// taking a `Depends(...)` parameter. Not a lifespan, a startup hook or
    /// a helper, where `Depends` does nothing.
    pub fn in_endpoint(&self, offset: usize) -> bool {
        use onesession_python::ast::{Stmt, StmtAsyncFunctionDef, StmtFunctionDef};
        let Some(function) = self.semantic.function_at(offset) else {
            return false;
        };
        let def_range = self.semantic.scope(function).node_range.clone();
        let mut endpoint = false;
        onesession_python::visit::for_each_stmt(&self.parsed.body, |stmt| {
            let (decorators, args) = match stmt {
                Stmt::FunctionDef(StmtFunctionDef {
                    decorator_list,
                    args,
                    ..
                })
                | Stmt::AsyncFunctionDef(StmtAsyncFunctionDef {
                    decorator_list,
                    args,
                    ..
                }) => (decorator_list, args),
                _ => return,
            };
            if onesession_python::range_of(stmt) != def_range {
                return;
            }
            let routed = decorators.iter().any(|d| {
                matches!(d, Expr::Call(call) if matches!(call.func.as_ref(), Expr::Attribute(a)
                    if crate::names::ROUTE_METHODS.contains(&a.attr.as_str())))
            });
            let injected = args.defaults().any(|default| self.is_depends_call(default))
                || args
                    .posonlyargs
                    .iter()
                    .chain(&args.args)
                    .chain(&args.kwonlyargs)
                    .filter_map(|a| a.def.annotation.as_deref())
                    .any(|annotation| {
                        let mut found = false;
                        onesession_python::visit::for_each_expr_in(annotation, |e| {
                            found |= self.is_depends_call(e);
                        });
                        found
                    });
            endpoint = routed || injected;
        });
        endpoint
    }

    fn is_depends_call(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Call(call) if self.is_depends(&call.func))
    }

    /// The canonical context manager's name, or a description when there
    /// is none (for messages).
    pub fn context_manager_label(&self) -> String {
        match self.canon().context_manager_name() {
            Some(cm) => format!("`{cm}()`"),
            None => "the canonical session provider".to_owned(),
        }
    }

    pub fn is_factory(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| self.project.is_factory(&q))
    }

    pub fn is_context_manager(&self, expr: &Expr) -> bool {
        self.canon().context_manager.is_some()
            && self.qualified(expr) == self.canon().context_manager
    }

    pub fn is_dependency(&self, expr: &Expr) -> bool {
        self.canon().dependency.is_some() && self.qualified(expr) == self.canon().dependency
    }

    pub fn is_depends(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| is_one_of(&q, FASTAPI_DEPENDS))
    }

    pub fn is_session_class(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| is_one_of(&q, SESSION_CLASSES))
    }

    pub fn is_sessionmaker(&self, expr: &Expr) -> bool {
        self.qualified(expr)
            .is_some_and(|q| is_one_of(&q, SESSIONMAKERS))
    }

    /// The local name under which `qualified` is imported at module level.
    pub fn local_name_of(&self, qualified: &str) -> Option<String> {
        self.semantic.bindings().find_map(|(_, b)| match &b.kind {
            onesession_python::BindingKind::Import { qualified: q }
                if b.scope == self.semantic.scope_at(0)
                    && self.project.canonicalize(q) == qualified =>
            {
                Some(b.name.clone())
            }
            _ => None,
        })
    }

    /// For `Depends(x)` calls: the dependency expression.
    pub fn depends_target<'e>(&self, expr: &'e Expr) -> Option<&'e Expr> {
        let Expr::Call(call) = expr else { return None };
        if !self.is_depends(&call.func) {
            return None;
        }
        call.args.first().or_else(|| {
            call.keywords
                .iter()
                .find(|k| k.arg.as_deref() == Some("dependency"))
                .map(|k| &k.value)
        })
    }

    /// True when a file imports SQLAlchemy (or SQLModel), the canonical
    /// module or a redundant one, or a project module that imports
    /// SQLAlchemy (its models, say): the name heuristics (a parameter
    /// called `db_session`) only apply in such files.
    pub fn touches_database(&self) -> bool {
        self.imports_database()
            || self.file.scan().is_some_and(|scan| {
                // `pkg.models.Shipment` names `pkg.models` or a submodule.
                scan.imported().any(|imported| {
                    let file = self.project.file_by_module(imported).or_else(|| {
                        let (module, _) = imported.rsplit_once('.')?;
                        self.project.file_by_module(module)
                    });
                    file.and_then(ProjectFile::scan)
                        .is_some_and(|s| s.sqlalchemy)
                })
            })
    }

    fn imports_database(&self) -> bool {
        self.semantic.bindings().any(|(_, b)| match &b.kind {
            onesession_python::BindingKind::Import { qualified }
            | onesession_python::BindingKind::ModuleImport { module: qualified } => {
                let q = self.project.canonicalize(qualified);
                q.starts_with("sqlalchemy")
                    || q.starts_with("sqlmodel")
                    || self
                        .canon()
                        .module
                        .as_ref()
                        .is_some_and(|m| q.starts_with(m.as_str()))
                    || self.project.is_under_redundant(&q)
                    || self
                        .canon()
                        .deprecated
                        .iter()
                        .any(|m| q.starts_with(m.as_str()))
            }
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::suppression_edit;
    use onesession_text::apply_edits;

    /// Each answer is made once per file and type, and shared.
    #[test]
    fn a_memo_is_made_once_per_type() {
        use std::cell::Cell;
        use std::rc::Rc;

        let (_dir, project) = crate::testing::project_of(&[("a.py", "session = 1\n")], true);
        let file = &project.files[0];
        let rules = crate::RuleSet::new(&[], None, &[], &[]).unwrap();
        let made = Cell::new(0);
        let answers = file.with_any_analysis(|analysis, text| {
            let nodes = onesession_python::visit::Nodes::of(&analysis.parsed.body);
            let checker = super::Checker::new(&project, file, text, analysis, &nodes, &rules);
            let make = |value: u32| {
                made.set(made.get() + 1);
                value
            };
            let first = checker.memo(|| make(7));
            let again = checker.memo(|| make(8));
            let other = checker.memo(|| "another type");
            (Rc::ptr_eq(&first, &again), *again, *other)
        });
        assert_eq!(answers, Some((true, 7, "another type")));
        assert_eq!(made.get(), 1);
    }

    fn fixed(source: &str, keep: &[&str]) -> Option<String> {
        let start = source.find('#').unwrap();
        let end = source[start..]
            .find('\n')
            .map_or(source.len(), |e| start + e);
        let keep: Vec<String> = keep.iter().map(|s| (*s).to_owned()).collect();
        let edit = suppression_edit(source, &(start..end), &source[start..end], &keep)?;
        Some(apply_edits(source, &[edit]).unwrap())
    }

    #[test]
    fn removes_or_trims_unused_suppressions() {
        assert_eq!(
            fixed("x = 1  # onesession: ignore[DB101]\ny = 2\n", &[]).unwrap(),
            "x = 1\ny = 2\n"
        );
        assert_eq!(
            fixed("# onesession: ignore\ny = 2\n", &[]).unwrap(),
            "y = 2\n"
        );
        assert_eq!(
            fixed("x = 1  # onesession: ignore[DB101, DB102]\n", &["DB102"]).unwrap(),
            "x = 1  # onesession: ignore[DB102]\n"
        );
        assert_eq!(
            fixed("x = 1  # noqa: E501 onesession: ignore[DB101]\n", &[]),
            None
        );
        assert_eq!(
            fixed("x = 1  # onesession: ignore[DB101]  # why\n", &[]),
            None
        );
    }
}
