//! Deprecate redundant session modules: the module that builds its own
//! engine or factory (DB103), its importers (DB112), and the session
//! providers it defines (DB113).

use std::collections::HashSet;

use onesession_engine::names::{is_one_of, ENGINE_BUILDERS, SESSIONMAKERS};
use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::visit::{self, Visitor};
use onesession_engine::python::{range_of, BindingId, BindingKind};
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{for_each_expr, for_each_stmt};

declare_rule! {
    /// ## What it finds
    /// A module other than the canonical one that builds its own engine or
    /// session factory: each `create_engine(...)`, `create_async_engine(...)`,
    /// `sessionmaker(...)` or `async_sessionmaker(...)` call in it. A module
    /// that already warns `DeprecationWarning` at import is being
    /// deprecated: its importers are reported instead (DB112). A throwaway
    /// `async_sessionmaker(engine)()` is DB102's (the session it makes).
    ///
    /// ## Why is this bad?
    /// Every engine is its own connection pool: a second one doubles the
    /// connections the pooler sees and ignores the canonical engine's
    /// pooler settings. A second factory hands out sessions with their own
    /// commit/rollback policy.
    ///
    /// ## Example
    /// ```python
    /// # app/db/direct_session.py
    /// direct_engine = create_async_engine(settings.database_url)
    /// direct_session_factory = async_sessionmaker(direct_engine)
    /// ```
    /// Use instead:
    /// ```python
    /// # app/db/direct_session.py
    /// import warnings
    ///
    /// warnings.warn(
    ///     "app.db.direct_session is deprecated; use app.db.session",
    ///     DeprecationWarning,
    ///     stacklevel=2,
    /// )
    /// ```
    /// and every importer imports from `app.db.session`.
    ///
    /// ## Fix safety
    /// The module is deprecated: a `DeprecationWarning` at import naming
    /// the replacement (inserted once) and its importers rewritten to the
    /// canonical module (cross-file). Safe when the configuration declares
    /// the module deprecated (`[tool.onesession.deprecated."<module>"]`);
    /// unsafe when it was only detected.
    pub static DB103 = { id: "DB103", name: "redundant-factory", summary: "Engine or session factory built outside the canonical module" };
}

declare_rule! {
    /// ## What it finds
    /// `from <module> import name` where the module is declared deprecated
    /// in the configuration or builds its own engine or factory (a
    /// redundant module), in any module but that one and the canonical
    /// one; also `import <module>` and `from <package> import <module>`.
    /// Raw session factories imported from such a module are DB101's, and
    /// unused names from a deprecated module DB111's.
    ///
    /// ## Why is this bad?
    /// Each importer keeps the redundant module (its engine, its pool, its
    /// session policy) alive, and the module cannot be deleted while
    /// anything imports from it.
    ///
    /// ## Example
    /// ```python
    /// from app.db.direct_session import get_direct_session
    /// ```
    /// Use instead:
    /// ```python
    /// from app.db.session import get_session
    /// ```
    ///
    /// ## Fix safety
    /// Safe where `[tool.onesession.deprecated."<module>"] names` maps the
    /// name to one of the replacement module: the import is rewritten (and
    /// the uses renamed) as part of the deprecation. Manual otherwise, and
    /// for `import <module>`.
    pub static DB112 = { id: "DB112", name: "noncanonical-import", summary: "Name imported from a deprecated or redundant session module" };
}

declare_rule! {
    /// ## What it finds
    /// A module-level function outside the canonical module (sync or
    /// async, possibly an `@asynccontextmanager`) that creates a database
    /// session and returns or yields it: it calls a session factory (the
    /// canonical one, a redundant module's, or a `sessionmaker(...)`
    /// product of its own module), a session class, or
    /// `async with factory() as s: yield s`. Worst when it reuses the
    /// sanctioned provider's name (`get_session`) with other behaviour.
    ///
    /// A function that wraps the canonical `get_session()` is not a
    /// shadow provider, nor is one that returns an HTTP session
    /// (`requests.Session()`).
    ///
    /// ## Why is this bad?
    /// A second provider hands out sessions nobody commits, rolls back or
    /// closes consistently; a plain coroutine named `get_session` returns
    /// a session the caller must close, so `async with get_session()`
    /// written from habit breaks or leaks.
    ///
    /// ## Example
    /// ```python
    /// async def get_session() -> AsyncSession:
    ///     return async_session_factory()
    /// ```
    /// Use instead:
    /// ```python
    /// from app.db.session import get_session
    /// ```
    ///
    /// ## Fix safety
    /// Manual: callers must move to the canonical provider (the
    /// deprecation transform warns at import).
    pub static DB113 = { id: "DB113", name: "shadow-provider", summary: "Session provider defined outside the canonical module" };
}

pub struct DeprecateModule;

impl Transform for DeprecateModule {
    fn name(&self) -> &'static str {
        "deprecate-redundant-module"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 3] = [&DB103, &DB112, &DB113];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        // Without a canonical module there is nothing to be redundant to.
        if checker.is_canonical() || checker.canon().module.is_none() {
            return;
        }
        let mut found = Vec::new();
        redundant_builders(checker, &mut found);
        noncanonical_imports(checker, &mut found);
        shadow_providers(checker, &mut found);
        for (rule, range, message) in found {
            checker.report(rule, range, message);
        }
    }
}

type Found = Vec<(&'static Rule, TextRange, String)>;

/// DB103 on each engine/sessionmaker call.
fn redundant_builders(checker: &Checker<'_>, found: &mut Found) {
    let own = checker.module().unwrap_or_default();
    if checker
        .project
        .modules
        .get(own)
        .is_some_and(|m| m.warns_deprecated)
    {
        return;
    }
    let canonical = checker.canon().module.clone().unwrap_or_default();
    let declared = checker.canon().deprecated.contains(own);
    // `sessionmaker(...)()`: the inner call is DB102's.
    let mut throwaway = HashSet::new();
    for_each_expr(&checker.parsed.body, |expr| {
        if let Expr::Call(call) = expr {
            if let Expr::Call(inner) = call.func.as_ref() {
                throwaway.insert(range_of(inner).start);
            }
        }
    });
    for_each_expr(&checker.parsed.body, |expr| {
        let Expr::Call(call) = expr else { return };
        let Some(q) = checker.qualified(&call.func) else {
            return;
        };
        let what = if is_one_of(&q, ENGINE_BUILDERS) {
            "engine"
        } else if is_one_of(&q, SESSIONMAKERS) {
            if throwaway.contains(&range_of(expr).start) {
                return;
            }
            "session factory"
        } else {
            return;
        };
        let name = checker.text(&range_of(call.func.as_ref()));
        let status = if declared {
            "the module is declared deprecated in the config: the deprecation fix is safe"
        } else {
            "the module was detected as redundant: declare it in [tool.onesession.deprecated] to make the deprecation fix safe"
        };
        found.push((
            &DB103,
            range_of(expr),
            format!("`{name}(...)` builds a second {what} outside the canonical module `{canonical}`; {status}"),
        ));
    });
}

/// DB112 on imports from deprecated or redundant modules.
fn noncanonical_imports(checker: &Checker<'_>, found: &mut Found) {
    let own = checker.module().unwrap_or_default().to_owned();
    let canon = checker.canon();
    let canonical = canon.module.clone().unwrap_or_default();
    let is_bad =
        |m: &str| m != own && (canon.deprecated.contains(m) || canon.redundant.contains(m));
    let replacement_of = |m: &str| {
        checker
            .settings()
            .deprecated
            .get(m)
            .map(|d| d.replacement.clone())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| canonical.clone())
    };
    let kind = |m: &str| {
        if canon.deprecated.contains(m) {
            "deprecated"
        } else {
            "redundant"
        }
    };
    let bindings: Vec<(BindingId, TextRange, String)> = checker
        .semantic
        .bindings()
        .filter_map(|(id, b)| match &b.kind {
            BindingKind::Import { qualified } => Some((id, b.range.clone(), qualified.clone())),
            _ => None,
        })
        .collect();
    for_each_stmt(&checker.parsed.body, |stmt| match stmt {
        Stmt::Import(ast::StmtImport { names, .. }) => {
            for alias in names {
                let module = checker.project.canonicalize(alias.name.as_str());
                if is_bad(&module) {
                    found.push((
                        &DB112,
                        range_of(alias),
                        format!(
                            "`import {}` imports the {} module `{module}`; import what you need from `{}` instead (manual)",
                            alias.name,
                            kind(&module),
                            replacement_of(&module)
                        ),
                    ));
                }
            }
        }
        Stmt::ImportFrom(ast::StmtImportFrom { names, .. }) => {
            for alias in names {
                let range = range_of(alias);
                let Some((id, _, qualified)) = bindings.iter().find(|(_, r, _)| *r == range) else {
                    continue;
                };
                let qualified = checker.project.canonicalize(qualified);
                // `from app.db import legacy_session`: the module itself.
                if is_bad(&qualified) {
                    found.push((
                        &DB112,
                        range,
                        format!(
                            "`{}` is the {} module `{qualified}`; import what you need from `{}` instead (manual)",
                            alias.name,
                            kind(&qualified),
                            replacement_of(&qualified)
                        ),
                    ));
                    continue;
                }
                let (module, name) = qualified.rsplit_once('.').unwrap_or(("", &qualified));
                if !is_bad(module) {
                    continue;
                }
                // Factories are DB101's; unused deprecated names DB111's.
                if canon.factories.contains(&qualified)
                    || (canon.deprecated.contains(module) && checker.semantic.uses(*id).is_empty())
                {
                    continue;
                }
                let mapped = checker
                    .settings()
                    .deprecated
                    .get(module)
                    .and_then(|d| d.names.get(name));
                let message = match mapped {
                    Some(new) => format!(
                        "`{name}` comes from the {} module `{module}`; import `{new}` from `{}` instead",
                        kind(module),
                        replacement_of(module)
                    ),
                    None => format!(
                        "`{name}` comes from the {} module `{module}` and has no mapping: add it to [tool.onesession.deprecated.\"{module}\"] names or replace it by hand",
                        kind(module)
                    ),
                };
                found.push((&DB112, range, message));
            }
        }
        _ => {}
    });
}

/// DB113 on module-level functions that hand out a session they create.
fn shadow_providers(checker: &Checker<'_>, found: &mut Found) {
    let own = checker.module().unwrap_or_default();
    let own_factories: HashSet<String> = checker
        .project
        .modules
        .get(own)
        .map(|m| {
            m.session_factories
                .iter()
                .map(|f| format!("{own}.{f}"))
                .collect()
        })
        .unwrap_or_default();
    let settings = checker.settings();
    let canonical = checker.canon().module.clone().unwrap_or_default();
    for stmt in &checker.parsed.body {
        let (name, body, decorators) = match stmt {
            Stmt::FunctionDef(d) => (d.name.as_str(), &d.body, &d.decorator_list),
            Stmt::AsyncFunctionDef(d) => (d.name.as_str(), &d.body, &d.decorator_list),
            _ => continue,
        };
        let mut provider = Provider {
            checker,
            own_factories: &own_factories,
            sessions: HashSet::new(),
            hands_out: false,
        };
        provider.visit_body(body);
        if !provider.hands_out {
            continue;
        }
        let range = def_keyword_range(checker, stmt, decorators, name);
        let message = if name == settings.context_manager || name == settings.dependency {
            format!("`{name}` shadows the sanctioned provider `{canonical}.{name}` with its own session handling: callers that import it get different commit/rollback/close behaviour; import it from `{canonical}` instead")
        } else {
            format!(
                "`{name}` is a shadow session provider: it creates its own session and hands it out; use `{}()` from `{canonical}`",
                settings.context_manager
            )
        };
        found.push((&DB113, range, message));
    }
}

/// From the `def` (or `async def`) keyword to the end of the name: the
/// statement's range starts at its first decorator.
fn def_keyword_range(
    checker: &Checker<'_>,
    stmt: &Stmt,
    decorators: &[Expr],
    name: &str,
) -> TextRange {
    let whole = range_of(stmt);
    let from = decorators.last().map_or(whole.start, |d| range_of(d).end);
    let text = checker.text(&(from..whole.end));
    let mut offset = from;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let start = offset + (line.len() - trimmed.len());
        offset += line.len();
        if trimmed.starts_with("async") || trimmed.starts_with("def") {
            let end = trimmed
                .find(name)
                .map_or(start + trimmed.trim_end().len(), |i| start + i + name.len());
            return start..end;
        }
    }
    whole
}

struct Provider<'c, 'a> {
    checker: &'c Checker<'a>,
    own_factories: &'c HashSet<String>,
    /// Names bound to sessions made in the function.
    sessions: HashSet<BindingId>,
    hands_out: bool,
}

impl Provider<'_, '_> {
    fn makes_session(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else { return false };
        let checker = self.checker;
        if let Expr::Call(inner) = call.func.as_ref() {
            return checker.is_sessionmaker(&inner.func);
        }
        checker.is_factory(&call.func)
            || checker.is_session_class(&call.func)
            || checker
                .qualified(&call.func)
                .is_some_and(|q| self.own_factories.contains(&q))
    }

    fn bind(&mut self, target: &Expr) {
        let Expr::Name(name) = target else { return };
        let start = range_of(name).start;
        if let Some((id, _)) = self
            .checker
            .semantic
            .bindings()
            .find(|(_, b)| b.range.start == start)
        {
            self.sessions.insert(id);
        }
    }

    fn is_session(&self, expr: &Expr) -> bool {
        if self.makes_session(expr) {
            return true;
        }
        let Expr::Name(name) = expr else { return false };
        self.checker
            .semantic
            .resolve(name)
            .is_some_and(|id| self.sessions.contains(&id))
    }
}

impl<'a> Visitor<'a> for Provider<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            // Nested functions and classes hand out nothing of ours.
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) if self.makes_session(&assign.value) => {
                for target in &assign.targets {
                    self.bind(target);
                }
            }
            Stmt::AnnAssign(ast::StmtAnnAssign {
                target,
                value: Some(value),
                ..
            }) if self.makes_session(value) => self.bind(target),
            Stmt::With(ast::StmtWith { items, .. })
            | Stmt::AsyncWith(ast::StmtAsyncWith { items, .. }) => {
                for item in items {
                    if let Some(vars) = &item.optional_vars {
                        if self.makes_session(&item.context_expr) {
                            self.bind(vars);
                        }
                    }
                }
            }
            Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) if self.is_session(value) => {
                self.hands_out = true;
            }
            _ => {}
        }
        visit::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Yield(ast::ExprYield {
                value: Some(value), ..
            }) if self.is_session(value) => {
                self.hands_out = true;
            }
            _ => {}
        }
        visit::walk_expr(self, expr);
    }
}
