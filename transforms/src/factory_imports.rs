//! Replace factory imports: the raw session factory used outside the
//! canonical module (DB101, DB102, DB111).

use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::{range_of, BindingId, BindingKind, ScopeKind};
use onesession_engine::text::{Edit, Fix, TextRange};
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{annotation_ranges, unseen_use, UnseenUse};
use onesession_engine::python::visit::for_each_expr;

declare_rule! {
    /// ## What it finds
    /// The raw session factory (e.g. `async_session_factory`) imported
    /// outside the canonical session module.
    ///
    /// ## Why is this bad?
    /// Code that holds the factory opens sessions its own way: no shared
    /// commit/rollback policy, and sessions that outlive their request or
    /// task. Only the sanctioned providers (`get_session()`,
    /// `get_session_dependency`) may leave the canonical module.
    ///
    /// ## Example
    /// ```python
    /// from app.db.session import async_session_factory
    ///
    /// async def run():
    ///     async with async_session_factory() as session:
    ///         ...
    /// ```
    /// Use instead:
    /// ```python
    /// from app.db.session import get_session
    ///
    /// async def run():
    ///     async with get_session() as session:
    ///         ...
    /// ```
    ///
    /// ## Fix safety
    /// Safe when every use is `async with factory() as s` (each becomes
    /// `get_session()`) and the factory is the canonical module's or a
    /// declared deprecated module's; unsafe for a factory of a module only
    /// detected as redundant (it may be bound to another database, such
    /// as a read replica) or when, without configuration, the context
    /// manager was picked among several; otherwise manual: rewrite the
    /// other uses first.
    pub static DB101 = { id: "DB101", name: "factory-import", summary: "Raw session factory imported outside the canonical module", requires_canonical: true };
}

declare_rule! {
    /// ## What it finds
    /// A session made directly: `async with factory() as s`,
    /// `s = factory()`, `AsyncSession(engine)`, `sessionmaker(...)()`.
    ///
    /// ## Why is this bad?
    /// A session made by hand escapes the canonical module's lifecycle:
    /// nobody commits, rolls back or closes it consistently, and with a
    /// transaction pooler (pgbouncer, Supavisor) a leaked connection is a
    /// held server connection.
    ///
    /// ## Example
    /// ```python
    /// session = async_session_factory()
    /// ```
    /// Use instead:
    /// ```python
    /// async with get_session() as session:
    ///     ...
    /// ```
    ///
    /// ## Fix safety
    /// Safe for `async with factory() as s` (no arguments): it becomes
    /// `async with get_session() as s`; unsafe when the factory belongs to
    /// a module only detected as redundant, not the canonical module or a
    /// declared deprecated one (it may be bound to another database, such
    /// as a read replica), or the context manager was picked among several
    /// without configuration. Manual for every other form. The
    /// block then follows the provider's transaction policy, which is the
    /// point: a provider that commits on exit commits what the block left
    /// pending (a block that relied on the factory discarding its writes
    /// needs a `rollback()` of its own).
    pub static DB102 = { id: "DB102", name: "direct-session", summary: "Session created directly instead of through the sanctioned provider", requires_canonical: true };
}

declare_rule! {
    /// ## What it finds
    /// A session factory, or a name from a deprecated session module,
    /// imported and never used.
    ///
    /// ## Why is this bad?
    /// An unused import of the factory invites its use and keeps the
    /// deprecated module alive.
    ///
    /// ## Example
    /// ```python
    /// from app.db.session import async_session_factory  # unused
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the import is removed. A name a string annotation uses is
    /// not reported. Reported without a fix: a name another string says
    /// (`__all__`, `globals()["name"]`) or a `global` statement declares,
    /// an import in a class body (an attribute), and one whose name is
    /// bound again in its scope (`except ImportError: name = None`).
    /// Verification also refuses to remove a name another module imports
    /// from the file.
    pub static DB111 = { id: "DB111", name: "unused-session-import", summary: "Session factory or deprecated-module name imported and unused", requires_canonical: true };
}

pub struct FactoryImports;

impl Transform for FactoryImports {
    fn name(&self) -> &'static str {
        "replace-factory-imports"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 3] = [&DB101, &DB102, &DB111];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        if checker.is_canonical() {
            return;
        }
        imports(checker);
        direct_sessions(checker);
    }
}

/// How this file names the sanctioned context manager: its existing
/// import, or the configured name (imported by the fix). `None` when that
/// name is taken by something else here.
pub(crate) fn context_manager_name(checker: &Checker<'_>) -> Option<String> {
    let qualified = checker.canon().context_manager.clone()?;
    if let Some(local) = checker.local_name_of(&qualified) {
        return Some(local);
    }
    let name = checker.canon().importable_context_manager()?.to_owned();
    (!checker.is_bound_anywhere(&name)).then_some(name)
}

/// A factory the configuration vouches for: the canonical module's, or
/// one of a module it declares deprecated. A factory of a module only
/// detected as redundant may be bound to another database (a read
/// replica, a reporting database): moving its blocks onto the provider
/// is the user's call, so that fix is unsafe; so is moving them onto a
/// provider picked among several without configuration.
fn is_vouched_for(checker: &Checker<'_>, qualified: &str) -> bool {
    let qualified = checker.project.canonicalize(qualified);
    let canon = checker.canon();
    !canon.provider_guessed
        && qualified.rsplit_once('.').is_some_and(|(module, _)| {
            canon.module.as_deref() == Some(module) || canon.deprecated.contains(module)
        })
}

/// `async with factory() as s` items with no arguments (`with` for a sync
/// context manager): `(call, callee)` ranges, the form the fix rewrites to
/// the canonical context manager, and whether the factory is vouched for
/// ([`is_vouched_for`]).
fn rewritable_calls(checker: &Checker<'_>) -> Vec<(TextRange, TextRange, bool)> {
    let mut out = Vec::new();
    let is_async = match checker.canon().context_manager_is_async() {
        Some(is_async) => is_async,
        None => return out,
    };
    checker.nodes.for_each_stmt(|stmt| {
        let (items, body) = match stmt {
            Stmt::AsyncWith(ast::StmtAsyncWith { items, body, .. }) if is_async => (items, body),
            Stmt::With(ast::StmtWith { items, body, .. }) if !is_async => (items, body),
            _ => return,
        };
        let some_paths = transaction_on_some_paths(body);
        for item in items {
            if let Expr::Call(call) = &item.context_expr {
                if call.args.is_empty()
                    && call.keywords.is_empty()
                    && checker.is_factory(&call.func)
                {
                    let vouched = !some_paths
                        && checker
                            .qualified(&call.func)
                            .is_some_and(|q| is_vouched_for(checker, &q));
                    out.push((
                        range_of(&item.context_expr),
                        range_of(call.func.as_ref()),
                        vouched,
                    ));
                }
            }
        }
    });
    out
}

/// The block commits or rolls back only on some paths (`if not dry_run:
/// await session.commit()`, a commit in a `try`): the provider, which
/// ends the block its own way (committing, for the usual one), would
/// change the others. A commit or rollback that is a statement of the
/// block itself runs on every path that reaches it.
fn transaction_on_some_paths(body: &[Stmt]) -> bool {
    let top_level: Vec<TextRange> = body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::Expr(expr) => Some(range_of(expr.value.as_ref())),
            _ => None,
        })
        .collect();
    let mut nested = false;
    for_each_expr(body, |expr| {
        let Expr::Call(call) = expr else { return };
        let Expr::Attribute(attr) = call.func.as_ref() else {
            return;
        };
        if matches!(attr.attr.as_str(), "commit" | "rollback") {
            let range = range_of(expr);
            nested |= !top_level
                .iter()
                .any(|statement| statement.start <= range.start && range.end <= statement.end);
        }
    });
    nested
}

/// Why an import no expression uses must stay all the same: in a class
/// body it is an attribute (`self.factory`); bound again in its scope
/// (`except ImportError: factory = None`, an `if`/`else`), the uses the
/// model gives the other binding may be its own.
fn kept_binding(checker: &Checker<'_>, id: BindingId) -> Option<String> {
    let semantic = checker.semantic;
    let binding = semantic.binding(id);
    if semantic.scope(binding.scope).kind == ScopeKind::Class {
        return Some("a class body binds it as an attribute".to_owned());
    }
    semantic
        .bindings()
        .find(|(other, b)| *other != id && b.scope == binding.scope && b.name == binding.name)
        .map(|(_, other)| {
            format!(
                "line {} binds `{}` again",
                checker.line(other.range.start),
                binding.name
            )
        })
}

/// The fix for a set of factory calls: each callee becomes the context
/// manager; optionally the factory import goes. Safe when the factory is
/// vouched for ([`is_vouched_for`]).
fn rewrite_fix(
    checker: &Checker<'_>,
    callees: &[TextRange],
    remove_import: Option<&TextRange>,
    vouched: bool,
) -> Option<Fix> {
    let cm = context_manager_name(checker)?;
    let module = checker.canon().module.clone()?;
    let mut imports = checker.imports();
    if let Some(alias) = remove_import {
        imports.remove(alias);
    }
    imports.add(&module, &cm);
    let mut edits: Vec<Edit> = callees
        .iter()
        .map(|r| Edit::replace(r.clone(), cm.clone()))
        .collect();
    edits.extend(imports.finish());
    Some(if vouched {
        checker.fix_safe(edits)
    } else {
        checker.fix_unsafe(edits)
    })
}

/// DB101 / DB111 on import aliases.
fn imports(checker: &mut Checker<'_>) {
    let project = checker.project;
    let canon = checker.canon();
    let bindings: Vec<_> = checker
        .semantic
        .bindings()
        .filter_map(|(id, b)| match &b.kind {
            BindingKind::Import { qualified } => {
                Some((id, b.clone(), project.canonicalize(qualified)))
            }
            _ => None,
        })
        .collect();
    let own_module = checker.module().unwrap_or_default().to_owned();
    let rewritable = rewritable_calls(checker);
    let annotations = annotation_ranges(&checker.parsed.body);
    let in_annotation = |u: &TextRange| {
        annotations
            .iter()
            .any(|a| a.start <= u.start && u.end <= a.end)
    };
    for (id, binding, qualified) in bindings {
        let is_factory = project.is_factory(&qualified)
            // The module that defines a factory may use it.
            && qualified.rsplit_once('.').map(|(m, _)| m) != Some(own_module.as_str());
        let from_deprecated = qualified
            .rsplit_once('.')
            .is_some_and(|(module, _)| canon.deprecated.contains(module));
        let uses = checker.semantic.uses(id).to_vec();
        let name = binding.name.clone();
        if uses.is_empty() && (is_factory || from_deprecated) {
            let unseen = unseen_use(checker, &name);
            if unseen == Some(UnseenUse::Annotation) {
                continue;
            }
            let why_kept = match unseen {
                Some(UnseenUse::Elsewhere(line)) => Some(format!(
                    "it may be used where no name is parsed (line {line}: a string or a `global`)"
                )),
                _ => kept_binding(checker, id),
            };
            let mut imports = checker.imports();
            let fix = match why_kept {
                Some(_) => None,
                None => imports
                    .remove(&binding.range)
                    .then(|| checker.fix_safe(imports.finish())),
            };
            let why_kept = why_kept
                .map(|why| format!("; {why}, so it is left for you to remove"))
                .unwrap_or_default();
            if let Some(finding) = checker.report(
                &DB111,
                binding.range.clone(),
                format!(
                    "`{name}` is imported from `{}` but never used{why_kept}",
                    module_of(&qualified)
                ),
            ) {
                finding.fix = fix;
            }
        } else if is_factory {
            // A name used only as a type builds no session: the import is
            // still the raw factory, and the annotation names no type.
            let (typed, uses): (Vec<TextRange>, Vec<TextRange>) =
                uses.into_iter().partition(|u| in_annotation(u));
            let typed_lines = lines_of(checker, &typed);
            if uses.is_empty() {
                checker.report(
                    &DB101,
                    binding.range.clone(),
                    format!(
                        "raw session factory `{name}` imported only to annotate (line {typed_lines}): a factory is not a session type; annotate with the session class (`Session`, or `AsyncSession` for an async factory) and drop the import"
                    ),
                );
                continue;
            }
            // An annotation left naming the factory keeps the finding: no
            // fix then, the message says what to change.
            let all_rewritable = typed.is_empty()
                && uses
                    .iter()
                    .all(|u| rewritable.iter().any(|(_, callee, _)| callee == u));
            let fix = if all_rewritable {
                let vouched = uses
                    .iter()
                    .all(|u| rewritable.iter().any(|(_, callee, v)| callee == u && *v));
                rewrite_fix(checker, &uses, Some(&binding.range), vouched)
            } else {
                None
            };
            let message = if fix.is_some() {
                format!(
                    "raw session factory `{name}` imported outside the canonical module; use {}",
                    checker.context_manager_label()
                )
            } else {
                let mut left: Vec<TextRange> = uses
                    .iter()
                    .filter(|u| !rewritable.iter().any(|(_, callee, _)| callee == *u))
                    .cloned()
                    .collect();
                if left.is_empty() {
                    left = uses.clone();
                }
                let lines = lines_of(checker, &left);
                let advice = checker.session_advice(left[0].start);
                let types = if typed.is_empty() {
                    String::new()
                } else {
                    format!(", annotate line {typed_lines} with the session class")
                };
                format!(
                    "raw session factory `{name}` imported outside the canonical module; replace its uses on line {lines} with {advice}{types}, then drop the import"
                )
            };
            if let Some(finding) = checker.report(&DB101, binding.range.clone(), message) {
                finding.fix = fix;
            }
        }
    }
}

/// The distinct line numbers of `ranges`, for a message: `3, 7`.
fn lines_of(checker: &Checker<'_>, ranges: &[TextRange]) -> String {
    let mut lines: Vec<usize> = ranges.iter().map(|r| checker.line(r.start)).collect();
    lines.dedup();
    lines
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `factory.begin()`: the factory, when the receiver is one and not this
/// module's own.
fn begin_on_factory<'e>(checker: &Checker<'_>, call: &'e ast::ExprCall) -> Option<&'e Expr> {
    let Expr::Attribute(attr) = call.func.as_ref() else {
        return None;
    };
    let own = checker.module().unwrap_or_default();
    (attr.attr.as_str() == "begin"
        && checker.is_factory(&attr.value)
        && checker
            .qualified(&attr.value)
            .is_some_and(|q| module_of(&q) != own))
    .then_some(attr.value.as_ref())
}

fn module_of(qualified: &str) -> &str {
    qualified.rsplit_once('.').map_or(qualified, |(m, _)| m)
}

/// DB102 on calls that make a session.
fn direct_sessions(checker: &mut Checker<'_>) {
    let nodes = checker.nodes;
    let rewritable = rewritable_calls(checker);
    // Calls that are the context expression of a `with`/`async with` item.
    let mut with_calls = Vec::new();
    nodes.for_each_stmt(|stmt| {
        if let Stmt::AsyncWith(ast::StmtAsyncWith { items, .. })
        | Stmt::With(ast::StmtWith { items, .. }) = stmt
        {
            for item in items {
                if let Expr::Call(_) = &item.context_expr {
                    with_calls.push(range_of(&item.context_expr));
                }
            }
        }
    });
    let own_module = checker.module().unwrap_or_default().to_owned();
    let mut found = Vec::new();
    nodes.for_each_expr(|expr| {
        let Expr::Call(call) = expr else { return };
        let range = range_of(expr);
        if checker.is_factory(&call.func) {
            let qualified = checker.qualified(&call.func).unwrap_or_default();
            if module_of(&qualified) == own_module {
                return; // DB103 covers a module's own factory
            }
            let name = checker.text(&range_of(call.func.as_ref())).to_owned();
            let advice = checker.session_advice(range.start);
            let message = if with_calls.contains(&range) {
                format!("session opened with the raw factory `{name}()`; use {advice}")
            } else {
                format!("session created directly with `{name}()`; use {advice}")
            };
            let callee = rewritable
                .iter()
                .find(|(call, _, _)| *call == range)
                .map(|(_, callee, vouched)| (callee.clone(), *vouched));
            found.push((range, message, callee));
        } else if let Some(factory) = begin_on_factory(checker, call) {
            // `async with factory.begin() as session`: a session and its
            // transaction, made by hand.
            let name = checker.text(&range_of(factory)).to_owned();
            let advice = checker.session_advice(range.start);
            found.push((
                range,
                format!("session opened with the raw factory's `{name}.begin()`; use {advice}"),
                None,
            ));
        } else if checker.is_session_class(&call.func) {
            let name = checker.text(&range_of(call.func.as_ref())).to_owned();
            let advice = checker.session_advice(range.start);
            found.push((
                range,
                format!("session constructed directly with `{name}(...)`; use {advice}"),
                None,
            ));
        } else if let Expr::Call(inner) = call.func.as_ref() {
            if checker.is_sessionmaker(&inner.func) {
                let advice = checker.session_advice(range.start);
                found.push((
                    range,
                    format!("session made from a throwaway session factory; use {advice}"),
                    None,
                ));
            }
        }
    });
    for (range, message, callee) in found {
        let fix =
            callee.and_then(|(callee, vouched)| rewrite_fix(checker, &[callee], None, vouched));
        if let Some(finding) = checker.report(&DB102, range, message) {
            finding.fix = fix;
        }
    }
}
