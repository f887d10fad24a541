//! The sanctioned providers used the wrong way (DB105).

use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::python::visit::{self, Visitor};
use onesession_engine::python::BindingKind;
use onesession_engine::text::{Edit, TextRange};
use onesession_engine::{declare_rule, Checker, Group, Rule, Transform};

declare_rule! {
    /// ## What it finds
    /// The canonical providers used the wrong way, outside the canonical
    /// module: the context manager awaited (`await get_session()`), called
    /// and kept or dropped without `async with` (`s = get_session()`),
    /// injected as a FastAPI dependency (`Depends(get_session)`, or
    /// `Security(get_session)`), and the
    /// dependency called by hand (`async for s in get_session_dependency()`,
    /// `anext(get_session_dependency())`, `s = get_session_dependency()`).
    ///
    /// ## Why is this bad?
    /// `get_session()` is an async context manager: awaiting it fails, and
    /// a session taken out of it without `async with` is never committed,
    /// rolled back or closed. `Depends(get_session)` hands FastAPI a
    /// context manager instead of a generator dependency. Driving the
    /// dependency by hand skips its cleanup when the loop is left early.
    ///
    /// ## Example
    /// ```python
    /// session = await get_session()
    ///
    /// async def endpoint(session: AsyncSession = Depends(get_session)):
    ///     ...
    /// ```
    /// Use instead:
    /// ```python
    /// async with get_session() as session:
    ///     ...
    ///
    /// async def endpoint(session: AsyncSession = Depends(get_session_dependency)):
    ///     ...
    /// ```
    ///
    /// ## Fix safety
    /// Safe for `Depends(get_session)`: the argument becomes
    /// `get_session_dependency` (imported where needed; `db.get_session`
    /// becomes `db.get_session_dependency`), which yields the same session
    /// with the same commit/rollback policy. The `get_session` import goes
    /// when those arguments were its only uses. Unsafe when, without
    /// configuration, the dependency was picked among several (it may be
    /// a read replica's). Manual when the
    /// dependency's name is already bound to something else in the file,
    /// and for the other forms: the code around them must be restructured
    /// into an `async with` block.
    pub static DB105 = { id: "DB105", name: "provider-misuse", summary: "Session provider awaited, called without `async with`, or injected the wrong way", requires_canonical: true };
}

pub struct ProviderMisuse;

impl Transform for ProviderMisuse {
    fn name(&self) -> &'static str {
        "provider-misuse"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB105];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        if checker.is_canonical() {
            return;
        }
        let mut finder = Finder {
            checker,
            found: Vec::new(),
            handled: Vec::new(),
            depends: Vec::new(),
        };
        finder.visit_body(&checker.parsed.body);
        let mut found = finder.found;
        let depends = finder.depends;
        found.sort_by_key(|(range, _)| (range.start, range.end));
        found.dedup_by(|a, b| a.0 == b.0);
        let fixes = depends_fixes(checker, &depends);
        let group = Group::InFile("provider-misuse:depends".to_owned());
        for (range, message) in found {
            let fix = fixes
                .as_ref()
                .and_then(|(name, shared)| {
                    let target = depends.iter().find(|d| d.call == range)?;
                    let replacement = match &target.module_prefix {
                        Some(prefix) => format!("{prefix}.{}", dependency_name(checker)?),
                        None => name.clone()?,
                    };
                    let mut edits = shared.clone();
                    edits.push(Edit::replace(target.target.clone(), replacement));
                    Some(edits)
                })
                .map(|edits| {
                    // A dependency picked among several without
                    // configuration may be another database's.
                    if checker.canon().provider_guessed {
                        checker.fix_unsafe(edits)
                    } else {
                        checker.fix_safe(edits)
                    }
                });
            if let Some(finding) = checker.report(&DB105, range, message) {
                if fix.is_some() {
                    // All `Depends(get_session)` of the file are one unit:
                    // they share the import edits.
                    finding.group = Some(group.clone());
                }
                finding.fix = fix;
            }
        }
    }
}

/// A `Depends(<context manager>)` call: the call and its argument.
struct DependsMisuse {
    call: TextRange,
    target: TextRange,
    /// `db_session` in `Depends(db_session.get_session)` (an attribute of
    /// the canonical module): the fix keeps that style.
    module_prefix: Option<String>,
}

/// The fix of every `Depends(get_session)` in the file: the dependency's
/// local name (each plain-name argument becomes it; `None` when no
/// argument needs it) and the import edits they share (import the
/// dependency; drop a context-manager import whose only uses were those
/// arguments). `None` when the dependency's name is taken here.
fn depends_fixes(
    checker: &Checker<'_>,
    depends: &[DependsMisuse],
) -> Option<(Option<String>, Vec<Edit>)> {
    if depends.is_empty() || !checker.enabled(&DB105) {
        return None;
    }
    let module = checker.canon().module.clone()?;
    let qualified = checker.canon().dependency.clone()?;
    let mut imports = checker.imports();
    let by_name: Vec<&DependsMisuse> = depends
        .iter()
        .filter(|d| d.module_prefix.is_none())
        .collect();
    let name = match checker.local_name_of(&qualified) {
        _ if by_name.is_empty() => None,
        Some(local) => {
            // The import must be what the name means at every argument.
            let visible = by_name.iter().all(|d| {
                checker
                    .semantic
                    .lookup(&local, d.target.start)
                    .is_some_and(|id| {
                        matches!(&checker.semantic.binding(id).kind, BindingKind::Import { qualified: q } if checker.project.canonicalize(q) == qualified)
                    })
            });
            if !visible {
                return None;
            }
            Some(local)
        }
        None => {
            let name = dependency_name(checker)?.to_owned();
            if checker.is_bound_anywhere(&name) {
                return None;
            }
            Some(imports.add(&module, &name))
        }
    };
    // Arguments that will really be rewritten (not suppressed).
    let rewritten: Vec<&TextRange> = depends
        .iter()
        .filter(|d| checker.would_report(&DB105, &d.call))
        .map(|d| &d.target)
        .collect();
    let cm_bindings: Vec<_> = checker
        .semantic
        .bindings()
        .filter(|(_, b)| {
            matches!(&b.kind, BindingKind::Import { qualified: q } if Some(checker.project.canonicalize(q)) == checker.canon().context_manager)
        })
        .map(|(id, b)| (id, b.range.clone()))
        .collect();
    for (id, range) in cm_bindings {
        let uses = checker.semantic.uses(id);
        if !uses.is_empty() && uses.iter().all(|u| rewritten.contains(&u)) {
            imports.remove(&range);
        }
    }
    Some((name, imports.finish()))
}

struct Finder<'c, 'a> {
    checker: &'c Checker<'a>,
    found: Vec<(TextRange, String)>,
    /// Calls already reported with a more specific message.
    handled: Vec<TextRange>,
    /// `Depends(<context manager>)` calls: the form the fix rewrites.
    depends: Vec<DependsMisuse>,
}

/// The canonical dependency's name, when there is one.
fn dependency_name<'c>(checker: &Checker<'c>) -> Option<&'c str> {
    checker
        .canon()
        .dependency
        .as_deref()
        .and_then(|d| d.rsplit('.').next())
}

impl Finder<'_, '_> {
    /// `async with` for an async context manager, `with` for a sync one.
    fn with_keyword(&self) -> &'static str {
        match self.checker.canon().context_manager_is_async() {
            Some(false) => "with",
            _ => "async with",
        }
    }

    fn name_of(&self, call: &ast::ExprCall) -> String {
        self.checker.text(&range_of(call.func.as_ref())).to_owned()
    }

    /// A call of the canonical context manager: `get_session()`, `db.get_session()`.
    fn context_manager_call<'e>(&self, expr: &'e Expr) -> Option<&'e ast::ExprCall> {
        match expr {
            Expr::Call(call) if self.checker.is_context_manager(&call.func) => Some(call),
            _ => None,
        }
    }

    fn dependency_call<'e>(&self, expr: &'e Expr) -> Option<&'e ast::ExprCall> {
        match expr {
            Expr::Call(call) if self.checker.is_dependency(&call.func) => Some(call),
            _ => None,
        }
    }

    fn push(&mut self, range: TextRange, message: String) {
        self.handled.push(range.clone());
        self.found.push((range, message));
    }

    /// `s = get_session()` / a bare `get_session()` statement / sync `with`.
    fn context_manager_kept(&mut self, value: &Expr, how: &str) {
        if let Some(call) = self.context_manager_call(value) {
            let name = self.name_of(call);
            let with = self.with_keyword();
            let message = format!(
                "`{name}()` {how} without `{with}`: the session is never committed or closed; use `{with} {name}() as session:`"
            );
            self.push(range_of(value), message);
        }
    }

    /// The dependency called by hand, in a statement that gives a more
    /// specific message.
    fn dependency_by_hand(&mut self, value: &Expr, how: &str) {
        if let Some(call) = self.dependency_call(value) {
            let name = self.name_of(call);
            let advice = self.checker.session_advice(range_of(value).start);
            let message = format!(
                "dependency `{name}()` driven by hand {how}; it is for `Depends(...)` only: use {advice}"
            );
            self.push(range_of(value), message);
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(ast::StmtAssign { value, .. }) => {
                self.context_manager_kept(value, "assigned");
                self.dependency_by_hand(value, "(assigned)");
            }
            Stmt::AnnAssign(ast::StmtAnnAssign {
                value: Some(value), ..
            }) => {
                self.context_manager_kept(value, "assigned");
                self.dependency_by_hand(value, "(assigned)");
            }
            Stmt::Expr(ast::StmtExpr { value, .. }) => {
                self.context_manager_kept(value, "called");
            }
            Stmt::With(ast::StmtWith { items, .. }) => {
                let is_async = self.checker.canon().context_manager_is_async() == Some(true);
                for item in items {
                    match self.context_manager_call(&item.context_expr) {
                        Some(call) if is_async => {
                            let name = self.name_of(call);
                            let message = format!(
                                "`{name}()` is an async context manager used in a plain `with`; use `async with {name}() as session:`"
                            );
                            self.push(range_of(&item.context_expr), message);
                        }
                        // A sync context manager in `with`: the right use.
                        Some(call) => self.handled.push(range_of(call.func.as_ref())),
                        None => {}
                    }
                    self.dependency_by_hand(&item.context_expr, "in `with`");
                }
            }
            Stmt::AsyncWith(ast::StmtAsyncWith { items, .. }) => {
                let is_sync = self.checker.canon().context_manager_is_async() == Some(false);
                for item in items {
                    if let Some(call) = self.context_manager_call(&item.context_expr) {
                        if is_sync {
                            let name = self.name_of(call);
                            let message = format!(
                                "`{name}()` is a sync context manager used in `async with`; use `with {name}() as session:`"
                            );
                            self.push(range_of(&item.context_expr), message);
                        }
                    }
                    self.dependency_by_hand(&item.context_expr, "in `async with`");
                }
            }
            Stmt::AsyncFor(ast::StmtAsyncFor { iter, .. }) => {
                self.dependency_by_hand(iter, "in `async for`");
            }
            Stmt::For(ast::StmtFor { iter, .. }) => {
                self.dependency_by_hand(iter, "in a `for` loop");
            }
            _ => {}
        }
        visit::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Await(ast::ExprAwait { value, .. }) => {
                if let Some(call) = self.context_manager_call(value) {
                    let name = self.name_of(call);
                    let message = format!(
                        "`await {name}()` awaits an async context manager; use `async with {name}() as session:`"
                    );
                    self.push(range_of(value.as_ref()), message);
                }
            }
            Expr::Call(call) => {
                let range = range_of(expr);
                if let Some(target) = self.checker.depends_target(expr) {
                    if self.checker.is_context_manager(target) {
                        let dep = match dependency_name(self.checker) {
                            Some(dep) => format!("`Depends({dep})`"),
                            None => "a dependency that yields a session".to_owned(),
                        };
                        let name = self.checker.text(&range_of(target)).to_owned();
                        let module_prefix = match target {
                            Expr::Attribute(attr)
                                if self.checker.qualified(&attr.value)
                                    == self.checker.canon().module =>
                            {
                                Some(self.checker.text(&range_of(attr.value.as_ref())).to_owned())
                            }
                            _ => None,
                        };
                        self.depends.push(DependsMisuse {
                            call: range.clone(),
                            target: range_of(target),
                            module_prefix,
                        });
                        self.push(
                            range.clone(),
                            format!("`Depends({name})` injects the context manager; use {dep}"),
                        );
                    }
                }
                if self.checker.is_dependency(&call.func) && !self.handled.contains(&range) {
                    let name = self.name_of(call);
                    let advice = self.checker.session_advice(range.start);
                    self.push(
                        range,
                        format!(
                            "dependency `{name}()` called by hand; it is for `Depends({name})` only: use {advice}"
                        ),
                    );
                }
            }
            _ => {}
        }
        visit::walk_expr(self, expr);
    }
}
