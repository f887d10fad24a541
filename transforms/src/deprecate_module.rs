//! Deprecate redundant session modules: the module that builds its own
//! engine or factory (DB103), its importers (DB112), and the session
//! providers it defines (DB113).

use std::collections::{HashMap, HashSet};

use onesession_engine::model::CanonicalOrigin;
use onesession_engine::names::{is_one_of, ENGINE_BUILDERS, SESSIONMAKERS};
use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::visit::{self, Visitor};
use onesession_engine::python::{range_of, BindingId, BindingKind};
use onesession_engine::settings::Layer;
use onesession_engine::signature::{bind, CallArgs};
use onesession_engine::summary::ProviderKind;
use onesession_engine::text::{Edit, Fix, TextRange};
use onesession_engine::{declare_rule, Checker, Confidence, Group, Rule, Transform};

use crate::helpers::{
    autocommit_engines, for_each_expr, for_each_stmt, is_autocommit, unawaited, unseen_use,
    UnseenUse,
};

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
    /// The module is deprecated: `import warnings` and a
    /// `warnings.warn("<module> is deprecated; use <replacement>",
    /// DeprecationWarning, stacklevel=2)` right after its imports (inserted
    /// once), applied together with its importers' rewrites (DB112) as one
    /// cross-file unit. Safe when the configuration declares the module
    /// deprecated (`[tool.onesession.deprecated."<module>"]`); unsafe when
    /// it was only detected. Manual for a script (it is run, not imported)
    /// unless declared, and when `warnings` names something else there or
    /// a star import may bind it.
    pub static DB103 = { id: "DB103", name: "redundant-factory", summary: "Engine or session factory built outside the canonical module", requires_canonical: true };
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
    /// Part of the module's deprecation (one unit with DB103's warning):
    /// the import is replaced by the replacement module's name (merged into
    /// an existing import of it, relative when the file imports
    /// relatively) and the uses are renamed. The name is the one mapped in
    /// `[tool.onesession.deprecated."<module>"] names`; for a module only
    /// detected as redundant, the same name when the canonical module
    /// defines it. Safe for a declared module, unsafe for a detected one.
    /// Manual (without holding back the rest of the deprecation) for a
    /// name with no mapping, `import <module>`, a new name already bound to
    /// something else in the file, calls passing arguments the new
    /// function does not take, a sync engine or factory mapped to an
    /// async one (or the reverse), uses of the sanctioned context manager
    /// other than `async with name(...)`, and a local name that must
    /// change but that a string (a string annotation, `__all__`,
    /// `globals()["name"]`; not a docstring) or a `global` statement also
    /// says: a rename would leave it naming nothing. Also manual for an
    /// import in a function, a class or a block (`if TYPE_CHECKING:`,
    /// `try:`): the replacement goes to the top of the module, which could
    /// make an import cycle or a runtime import.
    pub static DB112 = { id: "DB112", name: "noncanonical-import", summary: "Name imported from a deprecated or redundant session module", requires_canonical: true };
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
    pub static DB113 = { id: "DB113", name: "shadow-provider", summary: "Session provider defined outside the canonical module", requires_canonical: true };
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
        let mut providers = Vec::new();
        shadow_providers(checker, &mut providers);
        found.extend(providers.into_iter().map(|(rule, range, message)| Item {
            rule,
            range,
            message,
            plan: Plan::Manual,
            likely: false,
        }));

        // One fix per plan, shared by every finding of that plan: the
        // engine merges a group's identical edits, and one ImportEditor
        // keeps a file's import edits consistent.
        let deprecation = found
            .iter()
            .any(|i| matches!(i.plan, Plan::Deprecate))
            .then(|| deprecation_fix(checker))
            .flatten();
        let mut rewrites: Vec<(String, Vec<&Rewrite>)> = Vec::new();
        for item in &found {
            if let Plan::Rewrite(rewrite) = &item.plan {
                if !checker.would_report(item.rule, &item.range) {
                    continue;
                }
                match rewrites.iter_mut().find(|(m, _)| *m == rewrite.module) {
                    Some((_, list)) => list.push(rewrite),
                    None => rewrites.push((rewrite.module.clone(), vec![rewrite])),
                }
            }
        }
        let rewrite_fixes: Vec<(String, Fix)> = rewrites
            .iter()
            .map(|(module, list)| (module.clone(), rewrite_fix(checker, list)))
            .collect();
        for item in found {
            let (fix, group) = match &item.plan {
                Plan::Manual => (None, None),
                Plan::Deprecate => match &deprecation {
                    Some(fix) => (
                        Some(fix.clone()),
                        Some(group_of(checker.module().unwrap_or_default())),
                    ),
                    None => (None, None),
                },
                Plan::Rewrite(rewrite) => (
                    rewrite_fixes
                        .iter()
                        .find(|(m, _)| *m == rewrite.module)
                        .map(|(_, f)| f.clone()),
                    Some(group_of(&rewrite.module)),
                ),
            };
            if let Some(finding) = checker.report(item.rule, item.range, item.message) {
                if item.likely {
                    finding.confidence = Confidence::Likely;
                }
                if fix.is_some() {
                    finding.fix = fix;
                    finding.group = group;
                }
            }
        }
    }
}

fn group_of(module: &str) -> Group {
    Group::AcrossFiles(format!("deprecate-redundant-module:{module}"))
}

/// What the fix of a finding is.
enum Plan {
    /// No fix: the message says what to do.
    Manual,
    /// DB103: the module warns at import (one insertion).
    Deprecate,
    /// DB112: the import is rewritten to the replacement module.
    Rewrite(Rewrite),
}

/// One imported name rewritten to the replacement module.
struct Rewrite {
    /// The deprecated or redundant module.
    module: String,
    /// Its replacement.
    replacement: String,
    /// The import alias (the binding's range).
    alias: TextRange,
    /// The name to import from the replacement.
    new_name: String,
    /// Import it (false when the file already imports it as `local`).
    add: bool,
    /// The local name the uses end up with.
    local: String,
    /// Uses to rename (empty when the local name stays).
    renames: Vec<TextRange>,
    declared: bool,
}

struct Item {
    rule: &'static Rule,
    range: TextRange,
    message: String,
    plan: Plan,
    /// The finding rests on the inferred model: the canonical module was
    /// detected (DB103), the module detected as redundant (DB112).
    likely: bool,
}

/// The module's replacement: the configured one, else the canonical module.
fn replacement_of(checker: &Checker<'_>, module: &str) -> String {
    checker
        .settings()
        .deprecated
        .get(module)
        .map(|d| d.replacement.clone())
        .filter(|r| !r.is_empty())
        .or_else(|| checker.canon().module.clone())
        .unwrap_or_default()
}

/// `import warnings` and a `warnings.warn(...)` right after the imports.
/// `None` when `warnings` names something else in the module, or may: a
/// star import can bind it (`warnings = [...]` in the other module), and
/// the added import would replace it, or it the added import.
fn deprecation_fix(checker: &Checker<'_>) -> Option<Fix> {
    let own = checker.module()?;
    if let Some(id) = checker.semantic.module_binding("warnings") {
        if !matches!(&checker.semantic.binding(id).kind, BindingKind::ModuleImport { module } if module == "warnings")
        {
            return None;
        }
    }
    let mut star_import = false;
    checker.nodes.for_each_stmt(|stmt| {
        star_import |= matches!(stmt, Stmt::ImportFrom(import)
            if import.names.iter().any(|alias| alias.name.as_str() == "*"));
    });
    if star_import {
        return None;
    }
    let replacement = replacement_of(checker, own);
    let mut imports = checker.imports();
    imports.add_module("warnings");
    let message = format!("\"{own} is deprecated; use {replacement}\"");
    let one_line = format!("warnings.warn({message}, DeprecationWarning, stacklevel=2)");
    let call = if one_line.len() <= 88 {
        one_line
    } else {
        format!("warnings.warn(\n    {message},\n    DeprecationWarning,\n    stacklevel=2,\n)")
    };
    imports.append_after_imports(&format!("\n{call}\n"));
    let edits = imports.finish();
    Some(if checker.settings().deprecated.contains_key(own) {
        checker.fix_safe(edits)
    } else {
        checker.fix_unsafe(edits)
    })
}

/// The rewrite of every reported name of one module in this file.
fn rewrite_fix(checker: &Checker<'_>, list: &[&Rewrite]) -> Fix {
    let mut imports = checker.imports();
    let mut edits = Vec::new();
    for rewrite in list {
        imports.remove(&rewrite.alias);
        if rewrite.add {
            imports.add(&rewrite.replacement, &rewrite.new_name);
        }
        for range in &rewrite.renames {
            edits.push(Edit::replace(range.clone(), rewrite.local.clone()));
        }
    }
    edits.extend(imports.finish());
    if list.iter().all(|r| r.declared) {
        checker.fix_safe(edits)
    } else {
        checker.fix_unsafe(edits)
    }
}

/// DB103 on each engine/sessionmaker call.
fn redundant_builders(checker: &Checker<'_>, found: &mut Vec<Item>) {
    let own = checker.module().unwrap_or_default();
    if checker
        .project
        .module(own)
        .is_some_and(|m| m.warns_deprecated)
    {
        return;
    }
    let canonical = checker.canon().module.clone().unwrap_or_default();
    let declared = checker.canon().deprecated.contains(own);
    // A script is run, not imported: a warning at import deprecates nothing.
    let script = checker.layer() == Layer::Script && !declared;
    // A module that also serves other things (the app, decorators, a
    // counter) must not warn at import: its other importers would be told
    // to leave it. Unless the configuration deprecates it.
    let app = checker
        .semantic
        .bindings()
        .any(|(_, b)| matches!(&b.kind, BindingKind::Import { qualified } if qualified == "fastapi.FastAPI" || qualified == "starlette.applications.Starlette"));
    // Asked of every project file's imports: only once a builder is found.
    let other_exports = std::cell::OnceCell::new();
    let other_exports = || {
        other_exports.get_or_init(|| {
            if declared {
                Vec::new()
            } else {
                checker.project.non_session_exports(own)
            }
        })
    };
    let serves_more = || !declared && (app || !other_exports().is_empty());
    // `sessionmaker(...)()`: the inner call is DB102's; in
    // `scoped_session(sessionmaker(...))` the outer call is the finding.
    let mut throwaway = HashSet::new();
    checker.nodes.for_each_expr(|expr| {
        if let Expr::Call(call) = expr {
            if let Expr::Call(inner) = call.func.as_ref() {
                throwaway.insert(range_of(inner).start);
            }
            if checker.is_sessionmaker(&call.func) {
                for arg in &call.args {
                    if matches!(arg, Expr::Call(_)) {
                        throwaway.insert(range_of(arg).start);
                    }
                }
            }
        }
    });
    let admin = autocommit_engines(checker);
    // The engine calls assigned to a name, by call offset → the binding.
    let assigned = assigned_calls(checker);
    checker.nodes.for_each_expr(|expr| {
        let Expr::Call(call) = expr else { return };
        let Some(q) = checker.qualified(&call.func) else {
            return;
        };
        let bound = assigned.get(&range_of(expr).start);
        if is_admin_engine(checker, call, &q, bound.is_some_and(|b| admin.contains(b))) {
            return;
        }
        // The canonical module's own builder functions, called elsewhere:
        // a second engine or factory all the same, and nothing to deprecate.
        if let Some(kind) = canonical_builder(checker, &q) {
            let name = checker.text(&range_of(call.func.as_ref()));
            found.push(Item {
                rule: &DB103,
                range: range_of(expr),
                message: format!(
                    "`{name}(...)` builds a second {kind} through the canonical module's builder; use the one `{canonical}` already made (manual)"
                ),
                plan: Plan::Manual,
                likely: false,
            });
            return;
        }
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
        let status = if script {
            "a script is not imported, so it is not deprecated: use the canonical engine or session provider by hand (manual)".to_owned()
        } else if declared {
            "the module is declared deprecated in the config: the deprecation fix is safe"
                .to_owned()
        } else if app {
            "the module is the application, so it is not deprecated: use the canonical engine or session provider here by hand (manual)".to_owned()
        } else if serves_more() {
            format!(
                "the module also provides `{}`, so it is not deprecated: use the canonical session here by hand, or move those out first (manual)",
                other_exports().iter().take(3).cloned().collect::<Vec<_>>().join("`, `")
            )
        } else {
            "the module was detected as redundant: declare it in [tool.onesession.deprecated] to make the deprecation fix safe".to_owned()
        };
        found.push(Item {
            rule: &DB103,
            range: range_of(expr),
            message: format!("`{name}(...)` builds a second {what} outside the canonical module `{canonical}`; {status}"),
            plan: if script || serves_more() { Plan::Manual } else { Plan::Deprecate },
            // Second to a canonical module that was inferred, not configured.
            likely: checker.canon().origin == CanonicalOrigin::Detected,
        });
    });
}

/// An engine built for administration (`CREATE DATABASE`, `VACUUM`): in
/// AUTOCOMMIT by its own argument or once built (`put_in_autocommit`).
/// Such statements cannot run in a session's transaction, so a separate
/// engine is what they need.
fn is_admin_engine(
    checker: &Checker<'_>,
    call: &ast::ExprCall,
    qualified: &str,
    put_in_autocommit: bool,
) -> bool {
    let engine = is_one_of(qualified, ENGINE_BUILDERS)
        || canonical_builder(checker, qualified) == Some("engine");
    engine && (is_autocommit(&call.keywords) || put_in_autocommit)
}

/// `name = call(...)` (also awaited): the call's offset → `name`'s binding.
fn assigned_calls(checker: &Checker<'_>) -> HashMap<usize, BindingId> {
    let mut out = HashMap::new();
    checker.nodes.for_each_stmt(|stmt| {
        if let Stmt::Assign(ast::StmtAssign { targets, value, .. }) = stmt {
            if let ([target @ Expr::Name(_)], call @ Expr::Call(_)) =
                (targets.as_slice(), unawaited(value))
            {
                if let Some(binding) = checker.semantic.binding_starting_at(range_of(target).start)
                {
                    out.insert(range_of(call).start, binding);
                }
            }
        }
    });
    out
}

/// `"engine"` / `"session factory"` for a function of the canonical module
/// (or a module it builds on) that returns one.
fn canonical_builder(checker: &Checker<'_>, qualified: &str) -> Option<&'static str> {
    let (module, name) = qualified.rsplit_once('.')?;
    let canon = checker.canon();
    if canon.module.as_deref() != Some(module) && !canon.support.contains(module) {
        return None;
    }
    let summary = checker.project.module(module)?;
    summary.functions.get(name)?;
    // Only when the canonical module made its own at import: where it
    // makes none (an engine per process, built at start-up), calling the
    // builder is the sanctioned way.
    let made = checker.project.module(canon.module.as_deref()?)?;
    match summary.providers.iter().find(|(n, _)| n == name)?.1 {
        ProviderKind::Engine if !made.engines.is_empty() => Some("engine"),
        ProviderKind::Factory if !made.session_factories.is_empty() => Some("session factory"),
        _ => None,
    }
}

/// Calls whose callee starts at an offset: `(callee range, call, is the
/// context expression of an `async with` item (of a `with` item, when
/// `sync_with`))`.
fn calls_by_callee(body: &[Stmt], sync_with: bool) -> Vec<(TextRange, &ast::ExprCall, bool)> {
    let mut context = HashSet::new();
    for_each_stmt(body, |stmt| {
        let items = match stmt {
            Stmt::AsyncWith(ast::StmtAsyncWith { items, .. }) if !sync_with => items,
            Stmt::With(ast::StmtWith { items, .. }) if sync_with => items,
            _ => return,
        };
        for item in items {
            context.insert(range_of(&item.context_expr));
        }
    });
    let mut out = Vec::new();
    for_each_expr(body, |expr| {
        if let Expr::Call(call) = expr {
            out.push((
                range_of(call.func.as_ref()),
                call,
                context.contains(&range_of(expr)),
            ));
        }
    });
    out
}

/// "line 3 uses" / "lines 3, 7 use".
fn lines_phrase(lines: &[String], one: &str, many: &str) -> String {
    match lines {
        [line] => format!("line {line} {one}"),
        _ => format!("lines {} {many}", lines.join(", ")),
    }
}

/// "the call on line 3 passes" / "the calls on lines 3, 7 pass".
fn calls_phrase(lines: &[String]) -> String {
    match lines {
        [line] => format!("the call on line {line} passes"),
        _ => format!("the calls on lines {} pass", lines.join(", ")),
    }
}

/// DB112 on imports from deprecated or redundant modules.
fn noncanonical_imports(checker: &Checker<'_>, found: &mut Vec<Item>) {
    let own = checker.module().unwrap_or_default().to_owned();
    let canon = checker.canon();
    let is_bad =
        |m: &str| m != own && (canon.deprecated.contains(m) || checker.project.is_redundant(m));
    let kind = |m: &str| {
        if canon.deprecated.contains(m) {
            "deprecated"
        } else {
            "redundant"
        }
    };
    let bindings: Vec<(BindingId, TextRange, String, String)> = checker
        .semantic
        .bindings()
        .filter_map(|(id, b)| match &b.kind {
            BindingKind::Import { qualified } => {
                Some((id, b.range.clone(), qualified.clone(), b.name.clone()))
            }
            _ => None,
        })
        .collect();
    let sync_context_manager = checker.canon().context_manager_is_async() == Some(false);
    let with = if sync_context_manager {
        "with"
    } else {
        "async with"
    };
    let calls = calls_by_callee(&checker.parsed.body, sync_context_manager);
    checker.nodes.for_each_stmt(|stmt| match stmt {
        Stmt::Import(ast::StmtImport { names, .. }) => {
            for alias in names {
                let module = checker.project.canonicalize(alias.name.as_str());
                if is_bad(&module) {
                    found.push(Item {
                        rule: &DB112,
                        range: range_of(alias),
                        message: format!(
                            "`import {}` imports the {} module `{module}`; import what you need from `{}` instead (manual)",
                            alias.name,
                            kind(&module),
                            replacement_of(checker, &module)
                        ),
                        plan: Plan::Manual,
                        likely: !canon.deprecated.contains(&module),
                    });
                }
            }
        }
        Stmt::ImportFrom(ast::StmtImportFrom { names, .. }) => {
            for alias in names {
                let range = range_of(alias);
                let Some((id, _, qualified, local)) =
                    bindings.iter().find(|(_, r, _, _)| *r == range)
                else {
                    continue;
                };
                let qualified = checker.project.canonicalize(qualified);
                // `from app.db import legacy_session`: the module itself.
                if is_bad(&qualified) {
                    found.push(Item {
                        rule: &DB112,
                        range,
                        message: format!(
                            "`{}` is the {} module `{qualified}`; import what you need from `{}` instead (manual)",
                            alias.name,
                            kind(&qualified),
                            replacement_of(checker, &qualified)
                        ),
                        plan: Plan::Manual,
                        likely: !canon.deprecated.contains(&qualified),
                    });
                    continue;
                }
                let (module, name) = qualified.rsplit_once('.').unwrap_or(("", &qualified));
                if !is_bad(module) {
                    continue;
                }
                // Factories are DB101's; unused deprecated names DB111's.
                let uses = checker.semantic.uses(*id);
                if checker.project.is_factory(&qualified)
                    || (canon.deprecated.contains(module) && uses.is_empty())
                {
                    continue;
                }
                let replacement = replacement_of(checker, module);
                let declared = checker.settings().deprecated.get(module);
                // Only session things: a decorator or a counter the module
                // also defines is not (a name the configuration maps is).
                let mapped_by_config = declared.is_some_and(|d| d.names.contains_key(name));
                if !mapped_by_config && !checker.project.is_session_name(module, name) {
                    continue;
                }
                let mapped = match declared {
                    Some(d) => d.names.get(name).cloned(),
                    // Detected only: the same name in the canonical module.
                    None => canon
                        .module
                        .as_ref()
                        .and_then(|c| checker.project.module(c))
                        .filter(|m| m.defined_names.contains(name))
                        .map(|_| name.to_owned()),
                };
                let Some(new) = mapped else {
                    found.push(Item {
                        rule: &DB112,
                        range,
                        message: format!(
                            "`{name}` comes from the {} module `{module}` and has no mapping: add it to [tool.onesession.deprecated.\"{module}\"] names (the name it has in `{replacement}`) or replace it by hand",
                            kind(module)
                        ),
                        plan: Plan::Manual,
                        likely: declared.is_none(),
                    });
                    continue;
                };
                let head = format!(
                    "`{name}` comes from the {} module `{module}`; import `{new}` from `{replacement}` instead",
                    kind(module)
                );
                let target = format!("{replacement}.{new}");
                let (add, new_local) = match checker.local_name_of(&target) {
                    Some(existing) => (false, existing),
                    None => (true, new.clone()),
                };
                let conflict =
                    add && new_local != *local && checker.is_bound_anywhere(&new_local);
                let line_of = |r: &TextRange| checker.line(r.start);
                let mut refusal = None;
                if conflict {
                    refusal = Some(format!(
                        "`{new_local}` already names something else in this file: import it under another name and rename the uses by hand"
                    ));
                } else if canon.context_manager.as_deref() == Some(target.as_str()) {
                    let mut bad: Vec<String> = uses
                        .iter()
                        .filter(|u| !calls.iter().any(|(callee, _, ctx)| callee == *u && *ctx))
                        .map(|u| line_of(u).to_string())
                        .collect();
                    bad.dedup();
                    if !bad.is_empty() {
                        refusal = Some(format!(
                            "`{new}` is a context manager, but {} `{local}` otherwise: rewrite those uses as `{with} {new}() as session:` first",
                            lines_phrase(&bad, "uses", "use")
                        ));
                    }
                }
                if refusal.is_none() {
                    if let Some(sig) = checker.project.function(&target) {
                        let mut bad: Vec<String> = uses
                            .iter()
                            .filter_map(|u| calls.iter().find(|(callee, _, _)| callee == u))
                            .filter(|(_, call, _)| {
                                bind(&sig.params, &CallArgs::of(&call.args, &call.keywords))
                                    .is_err()
                            })
                            .map(|(callee, _, _)| line_of(callee).to_string())
                            .collect();
                        bad.dedup();
                        if !bad.is_empty() {
                            refusal = Some(format!(
                                "{} arguments `{new}` does not take: drop them first",
                                calls_phrase(&bad)
                            ));
                        }
                    }
                }
                if refusal.is_none() {
                    refusal = kinds_differ(checker, module, name, &replacement, &new);
                }
                if refusal.is_none() && !at_module_top(checker, &range) {
                    // The fix adds the replacement at the top of the
                    // module: an import kept in a function or under `if
                    // TYPE_CHECKING:` is often there to avoid a cycle.
                    refusal = Some(
                        "the import sits in a function or a block, and moving it to the top of the module could make an import cycle or a runtime import: replace it where it is"
                            .to_owned(),
                    );
                }
                if refusal.is_none() && new_local != *local {
                    refusal = unseen_use(checker, local).map(|unseen| match unseen {
                        UnseenUse::Annotation => format!(
                            "a string annotation says `{local}` too: rename the uses by hand, that one with them"
                        ),
                        UnseenUse::Elsewhere(line) => format!(
                            "`{local}` is also said where no name is parsed (line {line}: a string or a `global`): rename the uses by hand"
                        ),
                    });
                }
                if let Some(refusal) = refusal {
                    found.push(Item {
                        rule: &DB112,
                        range,
                        message: format!("{head}; {refusal} (manual)"),
                        plan: Plan::Manual,
                        likely: declared.is_none(),
                    });
                    continue;
                }
                let renames = if new_local == *local {
                    Vec::new()
                } else {
                    uses.to_vec()
                };
                found.push(Item {
                    rule: &DB112,
                    range: range.clone(),
                    message: head,
                    plan: Plan::Rewrite(Rewrite {
                        module: module.to_owned(),
                        replacement,
                        alias: range,
                        new_name: new,
                        add,
                        local: new_local,
                        renames,
                        declared: declared.is_some(),
                    }),
                    likely: declared.is_none(),
                });
            }
        }
        _ => {}
    });
}

/// `module.name` and `replacement.new` are engines (or session factories)
/// of different kinds, one sync and one async: one cannot stand for the
/// other (`with engine.connect()` fails on an async engine).
fn kinds_differ(
    checker: &Checker<'_>,
    module: &str,
    name: &str,
    replacement: &str,
    new: &str,
) -> Option<String> {
    let (old, canonical) = (
        checker.project.module(module)?,
        checker.project.module(replacement)?,
    );
    let kind_of = |summary: &onesession_engine::summary::ModuleSummary, name: &str| {
        let is_built = summary.engines.iter().any(|e| e == name)
            || summary.session_factories.iter().any(|f| f == name);
        is_built.then(|| summary.async_builds.contains(name))
    };
    let (was_async, is_async) = (kind_of(&old, name)?, kind_of(&canonical, new)?);
    let label = |is_async: bool| if is_async { "async" } else { "sync" };
    (was_async != is_async).then(|| {
        format!(
            "`{name}` is {} and `{new}` is {}: one cannot stand for the other, so port the code that uses it first",
            label(was_async),
            label(is_async)
        )
    })
}

/// DB113 on module-level functions that hand out a session they create.
fn shadow_providers(checker: &Checker<'_>, found: &mut Vec<(&'static Rule, TextRange, String)>) {
    let own = checker.module().unwrap_or_default();
    let own_factories: HashSet<String> = checker
        .project
        .module(own)
        .map(|m| {
            m.session_factories
                .iter()
                .map(|f| format!("{own}.{f}"))
                .collect()
        })
        .unwrap_or_default();
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
        let sanctioned = checker
            .canon()
            .providers
            .iter()
            .any(|p| p.name == name && (p.kind.is_context_manager() || p.kind.is_dependency()));
        let provides_none =
            checker.canon().context_manager.is_none() && checker.canon().dependency.is_none();
        let message = if sanctioned {
            format!("`{name}` shadows the sanctioned provider `{canonical}.{name}` with its own session handling: callers that import it get different commit/rollback/close behaviour; import it from `{canonical}` instead")
        } else if provides_none {
            format!(
                "`{name}` is a shadow session provider: it creates its own session and hands it out, and the canonical module `{canonical}` provides none yet: make one sanctioned provider there (moving this one), or set `canonical-module` to where the providers live"
            )
        } else {
            format!(
                "`{name}` is a shadow session provider: it creates its own session and hands it out; use {} from `{canonical}`",
                checker.context_manager_label()
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

/// `alias` is in an `import` statement of the module's own body (not in a
/// function, a class, or an `if`/`try` block).
fn at_module_top(checker: &Checker<'_>, alias: &TextRange) -> bool {
    checker.parsed.body.iter().any(|stmt| {
        matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) && {
            let range = range_of(stmt);
            range.start <= alias.start && alias.end <= range.end
        }
    })
}
