//! Convert `db_params` plumbing to the sanctioned session provider (DB104).

use std::collections::{BTreeMap, HashMap};

use onesession_engine::project::{FunctionSig, Param, ParamKind};
use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::{range_of, BindingId, BindingKind};
use onesession_engine::references::{check_removal, handed_on_at, line_at, Place};
use onesession_engine::resolve::Target;
use onesession_engine::text::{Edit, Fix, TextRange};
use onesession_engine::{declare_rule, Checker, Group, Rule, Transform};

use crate::helpers::{for_each_stmt, functions};

mod edits;

use edits::{remove_items, remove_params};

declare_rule! {
    /// ## What it finds
    /// Connection settings handed around as `db_params` (the names in the
    /// `db-params` setting): a function parameter called `db_params`
    /// (including `**db_params`), an endpoint parameter injected with
    /// `Depends(get_db_params)`, a `db_params=...` keyword argument, a
    /// positional argument that lands in a callee's `db_params` parameter
    /// (directly or through `background_tasks.add_task(func, ...)`), the
    /// bag handed on as `f(**db_params)`, and a call to the provider
    /// outside `Depends(...)` (`get_db_params()`, however imported:
    /// `from deps import get_db_params as params`, `deps.get_db_params()`).
    ///
    /// ## Why is this bad?
    /// Code that receives connection settings builds its own engine or
    /// session from them: a second pool, no shared commit/rollback policy,
    /// and with a transaction pooler (pgbouncer, Supavisor) connections
    /// that are held longer than the work needs. The callee should open its
    /// session through the canonical provider instead.
    ///
    /// ## Example
    /// ```python
    /// @router.post("/jobs")
    /// async def start(tasks: BackgroundTasks, db_params: dict = Depends(get_db_params)):
    ///     tasks.add_task(crawl_service.run, job_id=1, db_params=db_params)
    ///
    /// async def run(job_id: int, db_params: dict):
    ///     async with get_direct_session(db_params) as session:
    ///         ...
    /// ```
    /// Use instead:
    /// ```python
    /// @router.post("/jobs")
    /// async def start(tasks: BackgroundTasks):
    ///     tasks.add_task(crawl_service.run, job_id=1)
    ///
    /// async def run(job_id: int):
    ///     async with get_session() as session:
    ///         ...
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe and cross-file, one unit per background function: the
    /// argument is dropped at every call site, an endpoint's
    /// `Depends(get_db_params)` parameter goes when those arguments were its
    /// only uses, the function's `db_params` parameter goes and
    /// `async with X(db_params) as session` becomes
    /// `async with get_session() as session`; imports left unused
    /// (`get_db_params`, `Depends`, `X`) are removed. It changes signatures
    /// other callers may rely on, so it needs review. Manual (the whole unit)
    /// when the function uses `db_params` any other way or builds its
    /// session differently (the message names the lines to replace), when
    /// a `db_params=` keyword goes to a callee outside the project or one
    /// without such a parameter, or when the signature cannot be edited
    /// cleanly (`*db_params` followed by keyword-only parameters). A
    /// provider imported and no longer used is removed (safe).
    pub static DB104 = { id: "DB104", name: "db-params", summary: "Connection settings passed around as `db_params` instead of using the session provider" };
}

pub struct DbParams;

impl Transform for DbParams {
    fn name(&self) -> &'static str {
        "convert-db-params"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB104];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        // Every finding needs a `db_params` name or a provider's, written
        // in this file or in the callee's: resolving each call is wasted
        // in a project that writes neither.
        if !checker.project.says_db_params() {
            return;
        }
        let mut found: Vec<(TextRange, String)> = Vec::new();
        parameters(checker, &mut found);
        arguments(checker, &mut found);
        found.sort_by_key(|(range, _)| (range.start, range.end));
        found.dedup_by(|a, b| a.0 == b.0);
        let mut plan = plan(checker);
        let mut fixes: HashMap<TextRange, (String, Option<Fix>)> = HashMap::new();
        for (key, part) in &plan.groups {
            let fix = group_fix(checker, part);
            for range in &part.findings {
                fixes.insert(range.clone(), (key.clone(), fix.clone()));
            }
        }
        for (range, message) in found {
            let message = plan.messages.remove(&range).unwrap_or(message);
            let standalone = plan.standalone.remove(&range);
            let grouped = fixes.get(&range).cloned();
            if let Some(finding) = checker.report(&DB104, range, message) {
                match (grouped, standalone) {
                    (Some((group, fix)), _) => {
                        finding.group = Some(Group::AcrossFiles(group));
                        finding.fix = fix;
                    }
                    (None, fix) => finding.fix = fix,
                }
            }
        }
        for (range, message, fix) in unused_provider_imports(checker) {
            if let Some(finding) = checker.report(&DB104, range, message) {
                finding.fix = fix;
            }
        }
    }
}

fn is_db_params_name(checker: &Checker<'_>, name: &str) -> bool {
    checker.settings().db_params.iter().any(|n| n == name)
}

/// True when `expr` names a configured db_params provider (`get_db_params`),
/// resolved through imports.
fn is_provider(checker: &Checker<'_>, expr: &Expr) -> bool {
    let Some(qualified) = checker.qualified(expr) else {
        return false;
    };
    let last = qualified.rsplit('.').next().unwrap_or(&qualified);
    checker
        .settings()
        .db_params_providers
        .iter()
        .any(|p| p == last)
}

/// The provider named in a parameter's default `Depends(get_db_params)` or in
/// `Annotated[dict, Depends(get_db_params)]`.
fn injected_provider(checker: &Checker<'_>, arg: &ast::ArgWithDefault) -> Option<String> {
    provider_expr(checker, arg).map(|target| checker.text(&range_of(target)).to_owned())
}

/// How the messages name what replaces the connection settings: the
/// canonical context manager (`` `get_session()` ``), or a description.
fn context_manager(checker: &Checker<'_>) -> String {
    checker.context_manager_label()
}

/// (a) parameters named `db_params`, or injected from the provider.
fn parameters(checker: &Checker<'_>, found: &mut Vec<(TextRange, String)>) {
    let cm = context_manager(checker);
    for function in functions(&checker.parsed.body) {
        // The provider's own definition is where the plumbing starts, not a use.
        if checker
            .settings()
            .db_params_providers
            .iter()
            .any(|p| p == function.name)
        {
            continue;
        }
        let args = function.args;
        for arg in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            let name = arg.def.arg.as_str();
            let provider = injected_provider(checker, arg);
            let message = match (&provider, is_db_params_name(checker, name)) {
                (Some(provider), _) => format!(
                    "parameter `{name}` of `{}` is injected with `Depends({provider})`; drop it and open the session with {cm} where it is used",
                    function.name
                ),
                (None, true) => format!(
                    "parameter `{name}` of `{}` carries connection settings; drop `{name}` and open the session with {cm} in `{}`",
                    function.name, function.name
                ),
                (None, false) => continue,
            };
            found.push((range_of(&arg.def), message));
        }
        for arg in args.vararg.iter().chain(&args.kwarg) {
            let name = arg.arg.as_str();
            if is_db_params_name(checker, name) {
                found.push((
                    range_of(arg.as_ref()),
                    format!(
                        "parameter `{name}` of `{}` carries connection settings; drop `{name}` and open the session with {cm} in `{}`",
                        function.name, function.name
                    ),
                ));
            }
        }
    }
}

/// The short name of a callee expression for messages: `svc.run` → `run`.
fn callee_name(checker: &Checker<'_>, func: &Expr) -> String {
    match func {
        Expr::Attribute(attr) => attr.attr.to_string(),
        Expr::Name(name) => name.id.to_string(),
        other => checker.text(&range_of(other)).to_owned(),
    }
}

/// The function a call calls, or hands on (`add_task(f, ...)`), with the
/// positional arguments it receives.
struct Called<'e> {
    callee: &'e Expr,
    positional: &'e [Expr],
    key: Option<String>,
    sig: Option<std::sync::Arc<FunctionSig>>,
    bound: bool,
}

fn called<'e>(checker: &Checker<'_>, call: &'e ast::ExprCall) -> Called<'e> {
    let (callee, positional) = match handed_on_at(checker.resolver(), call) {
        Some(at) => (&call.args[at], &call.args[at + 1..]),
        None => (call.func.as_ref(), &call.args[..]),
    };
    let (key, bound) = match checker.target(callee) {
        Target::Function { key, bound } => (Some(key), bound),
        _ => (None, false),
    };
    let sig = key.as_deref().and_then(|k| checker.project.function(k));
    Called {
        callee,
        positional,
        key,
        sig,
        bound,
    }
}

impl Called<'_> {
    /// The parameter each plain positional argument lands in, until the
    /// first `*args`.
    fn positional_params(&self) -> Vec<(&Expr, &Param)> {
        let Some(sig) = &self.sig else {
            return Vec::new();
        };
        let params = if self.bound {
            sig.bound_params()
        } else {
            &sig.params
        };
        let slots = params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular));
        self.positional
            .iter()
            .take_while(|a| !matches!(a, Expr::Starred(_)))
            .zip(slots)
            .collect()
    }
}

/// (b) `db_params=` keywords and (c) positional arguments landing in a
/// callee's `db_params` parameter.
fn arguments(checker: &Checker<'_>, found: &mut Vec<(TextRange, String)>) {
    let cm = context_manager(checker).to_owned();
    // `Depends(get_db_params())` is an injection, reported on its parameter.
    let mut depends_args = std::collections::HashSet::new();
    checker.nodes.for_each_expr(|expr| {
        if let Some(target) = checker.depends_target(expr) {
            depends_args.insert(range_of(target).start);
        }
    });
    checker.nodes.for_each_expr(|expr| {
        let Expr::Call(call) = expr else { return };
        let called = called(checker, call);
        let target = callee_name(checker, called.callee);
        for keyword in &call.keywords {
            let Some(name) = keyword.arg.as_deref() else {
                continue;
            };
            if is_db_params_name(checker, name) {
                found.push((
                    range_of(keyword),
                    format!(
                        "`{name}=` passed to `{target}`; drop `{name}` and open the session with {cm} in `{target}`"
                    ),
                ));
            }
        }
        // `f(**db_params)`: the whole bag handed on.
        for keyword in call.keywords.iter().filter(|k| k.arg.is_none()) {
            if matches!(&keyword.value, Expr::Name(n) if is_db_params_name(checker, n.id.as_str()))
            {
                found.push((
                    range_of(keyword),
                    format!(
                        "`{}` hands connection settings to `{target}`; drop it and open the session with {cm} in `{target}`",
                        checker.text(&range_of(keyword))
                    ),
                ));
            }
        }
        // `get_db_params()` (under any name) outside `Depends(...)`: the
        // settings are built to be handed around.
        if is_provider(checker, &call.func) && !depends_args.contains(&range_of(expr).start) {
            found.push((
                range_of(expr),
                format!(
                    "`{}()` builds connection settings to hand around; open the session with {cm} where the work is done instead",
                    checker.text(&range_of(call.func.as_ref()))
                ),
            ));
        }
        for (arg, param) in called.positional_params() {
            if is_db_params_name(checker, &param.name) {
                found.push((
                    range_of(arg),
                    format!(
                        "`{}` passed as `{target}`'s `{}` parameter; drop `{}` and open the session with {cm} in `{target}`",
                        checker.text(&range_of(arg)),
                        param.name,
                        param.name
                    ),
                ));
            }
        }
    });
}

// ---------------------------------------------------------------------
// The fix: one unit per background function (callee), across files.
// ---------------------------------------------------------------------

/// What this file contributes to one callee's group.
#[derive(Default)]
struct GroupPart {
    /// Finding ranges that belong to the group.
    findings: Vec<TextRange>,
    edits: Vec<Edit>,
    /// Ranges the unit removes or replaces in this file (for "is every use
    /// of this name gone").
    removed: Vec<TextRange>,
    /// Import bindings `(alias range, uses)` to drop when all their uses
    /// fall in `removed`.
    import_candidates: Vec<(TextRange, Vec<TextRange>)>,
    /// The sanctioned context manager must be imported.
    add_cm: bool,
    /// This side cannot be rewritten: the whole group stays manual.
    manual: bool,
}

/// The fix plan of one file.
#[derive(Default)]
struct Plan {
    groups: BTreeMap<String, GroupPart>,
    /// Message replacing the detector's one (manual sides say what to do).
    messages: HashMap<TextRange, String>,
    /// Fixes of findings outside any group (an unused injected parameter).
    standalone: HashMap<TextRange, Fix>,
}

fn group_key(qualified: &str) -> String {
    format!("convert-db-params:{qualified}")
}

/// The sanctioned context manager: `(local name, module to import it from
/// or None when already imported)`. `None` when the name is taken here.
fn context_manager_local(checker: &Checker<'_>) -> Option<(String, Option<String>)> {
    // `async with X(db_params) as session` becomes `async with cm()`: an
    // async context manager only.
    if checker.canon().context_manager_is_async() != Some(true)
        || checker.canon().importable_context_manager().is_none()
    {
        return None;
    }
    let qualified = checker.canon().context_manager.clone()?;
    if let Some(local) = checker.local_name_of(&qualified) {
        return Some((local, None));
    }
    let (module, name) = qualified.rsplit_once('.')?;
    (!checker.is_bound_anywhere(name)).then(|| (name.to_owned(), Some(module.to_owned())))
}

fn contains(outer: &TextRange, inner: &TextRange) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn inside_any(ranges: &[TextRange], inner: &TextRange) -> bool {
    ranges.iter().any(|r| contains(r, inner))
}

/// The parameter binding declared at `def_range`.
fn parameter_binding(checker: &Checker<'_>, def_range: &TextRange) -> Option<BindingId> {
    checker
        .semantic
        .bindings()
        .find(|(_, b)| b.kind == BindingKind::Parameter && &b.range == def_range)
        .map(|(id, _)| id)
}

/// The import binding a name expression resolves to: `(alias range, uses)`.
fn import_of(checker: &Checker<'_>, expr: &Expr) -> Option<(TextRange, Vec<TextRange>)> {
    let Expr::Name(name) = expr else { return None };
    let id = checker.semantic.resolve(name)?;
    let binding = checker.semantic.binding(id);
    matches!(binding.kind, BindingKind::Import { .. })
        .then(|| (binding.range.clone(), checker.semantic.uses(id).to_vec()))
}

/// Every function definition with its qualified key when the project index
/// knows it (top level, or a method of a top-level class).
struct Def<'a> {
    name: &'a str,
    args: &'a ast::Arguments,
    body: &'a [Stmt],
    key: Option<String>,
}

fn defs<'a>(checker: &Checker<'a>) -> Vec<Def<'a>> {
    let module = checker.module().map(str::to_owned);
    let mut out = Vec::new();
    let mut indexed: HashMap<TextRange, String> = HashMap::new();
    if let Some(module) = &module {
        for stmt in &checker.parsed.body {
            match stmt {
                Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
                | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef { name, .. }) => {
                    indexed.insert(range_of(stmt), format!("{module}.{name}"));
                }
                Stmt::ClassDef(class) => {
                    for inner in &class.body {
                        if let Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
                        | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef { name, .. }) = inner
                        {
                            indexed
                                .insert(range_of(inner), format!("{module}.{}.{name}", class.name));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    checker.nodes.for_each_stmt(|stmt| {
        let (name, args, body) = match stmt {
            Stmt::FunctionDef(d) => (d.name.as_str(), d.args.as_ref(), &d.body[..]),
            Stmt::AsyncFunctionDef(d) => (d.name.as_str(), d.args.as_ref(), &d.body[..]),
            _ => return,
        };
        let key = indexed
            .get(&range_of(stmt))
            .map(|q| checker.project.canonicalize(q))
            .filter(|q| checker.project.function(q).is_some());
        out.push(Def {
            name,
            args,
            body,
            key,
        });
    });
    out
}

/// All parameters of a definition: `(Arg range, name, with default)`.
fn all_params(args: &ast::Arguments) -> Vec<(TextRange, &str, Option<&ast::ArgWithDefault>)> {
    let mut out = Vec::new();
    for arg in args.posonlyargs.iter().chain(&args.args) {
        out.push((range_of(&arg.def), arg.def.arg.as_str(), Some(arg)));
    }
    if let Some(arg) = args.vararg.as_deref() {
        out.push((range_of(arg), arg.arg.as_str(), None));
    }
    for arg in &args.kwonlyargs {
        out.push((range_of(&arg.def), arg.def.arg.as_str(), Some(arg)));
    }
    if let Some(arg) = args.kwarg.as_deref() {
        out.push((range_of(arg), arg.arg.as_str(), None));
    }
    out
}

fn plan(checker: &Checker<'_>) -> Plan {
    let mut plan = Plan::default();
    call_sites(checker, &mut plan);
    let defs = defs(checker);
    endpoint_params(checker, &defs, &mut plan);
    definitions(checker, &defs, &mut plan);
    plan
}

/// Call sites: drop the argument that lands in the callee's `db_params`.
fn call_sites(checker: &Checker<'_>, plan: &mut Plan) {
    let source = checker.source;
    checker.nodes.for_each_expr(|expr| {
        let Expr::Call(call) = expr else { return };
        let called = called(checker, call);
        let (Some(key), Some(sig)) = (&called.key, &called.sig) else {
            return;
        };
        let mut items: Vec<TextRange> = call
            .args
            .iter()
            .map(range_of)
            .chain(call.keywords.iter().map(range_of))
            .collect();
        items.sort_by_key(|r| r.start);
        let mut targets: Vec<TextRange> = Vec::new();
        let mut manual = false;
        for keyword in &call.keywords {
            let Some(name) = keyword.arg.as_deref() else {
                continue;
            };
            if is_db_params_name(checker, name) {
                targets.push(range_of(keyword));
                manual |= !sig.params.iter().any(|p| p.name == name);
            }
        }
        for (arg, param) in called.positional_params() {
            if is_db_params_name(checker, &param.name) {
                targets.push(range_of(arg));
            }
        }
        if targets.is_empty() {
            return;
        }
        let removed: Vec<usize> = targets
            .iter()
            .filter_map(|t| items.iter().position(|i| i == t))
            .collect();
        // The definition's side of the unit comes from checking its file:
        // without it, dropping the argument would break the call.
        let definition_checked = checker
            .project
            .file_defining(key)
            .is_some_and(|file| file.requested);
        let part = plan.groups.entry(group_key(key)).or_default();
        part.findings.extend(targets.iter().cloned());
        part.manual |= manual || !definition_checked;
        part.edits.extend(remove_items(source, &items, &removed));
        part.removed.extend(targets);
    });
}

/// Endpoint parameters injected with `Depends(get_db_params)`: dropped with
/// the call-site arguments that were their only uses.
fn endpoint_params(checker: &Checker<'_>, defs: &[Def<'_>], plan: &mut Plan) {
    let source = checker.source;
    for def in defs {
        for arg in def
            .args
            .posonlyargs
            .iter()
            .chain(&def.args.args)
            .chain(&def.args.kwonlyargs)
        {
            if injected_provider(checker, arg).is_none() {
                continue;
            }
            let def_range = range_of(&arg.def);
            let Some(binding) = parameter_binding(checker, &def_range) else {
                continue;
            };
            let uses = checker.semantic.uses(binding);
            // Callers (tests call endpoints too) must still fit without it.
            let param_name = arg.def.arg.as_str();
            let callable = def
                .key
                .as_deref()
                .is_some_and(|key| signature_blockers(checker, key, &[param_name]).is_empty());
            if !callable {
                continue;
            }
            // The provider's import goes when this parameter was its last use.
            let provider_import = provider_expr(checker, arg).and_then(|e| import_of(checker, e));
            if uses.is_empty() {
                let Some((edits, removed)) =
                    remove_params(source, def.args, std::slice::from_ref(&def_range))
                else {
                    continue;
                };
                let mut imports = checker.imports();
                if let Some((alias, alias_uses)) = &provider_import {
                    if alias_uses.iter().all(|u| inside_any(&removed, u)) {
                        imports.remove(alias);
                    }
                }
                let mut edits = edits;
                edits.extend(imports.finish());
                plan.standalone.insert(def_range, checker.fix_unsafe(edits));
                continue;
            }
            let owner = plan
                .groups
                .iter()
                .find(|(_, part)| uses.iter().all(|u| inside_any(&part.removed, u)));
            let Some((key, _)) = owner else { continue };
            let key = key.clone();
            let part = plan.groups.get_mut(&key).expect("found above");
            match remove_params(source, def.args, std::slice::from_ref(&def_range)) {
                Some((edits, removed)) => {
                    part.edits.extend(edits);
                    part.removed.extend(removed);
                    part.import_candidates.extend(provider_import);
                    // `Depends` itself, when this was its last use.
                    part.import_candidates
                        .extend(depends_call(checker, arg).and_then(|f| import_of(checker, f)));
                }
                None => part.manual = true,
            }
            part.findings.push(def_range);
        }
    }
}

/// The `get_db_params` expression of a parameter's `Depends(...)`.
fn provider_expr<'e>(checker: &Checker<'_>, arg: &'e ast::ArgWithDefault) -> Option<&'e Expr> {
    let mut candidates: Vec<&Expr> = Vec::new();
    if let Some(default) = arg.default.as_deref() {
        candidates.push(default);
    }
    if let Some(Expr::Subscript(sub)) = arg.def.annotation.as_deref() {
        if let Expr::Tuple(tuple) = sub.slice.as_ref() {
            candidates.extend(tuple.elts.iter().skip(1));
        }
    }
    candidates.into_iter().find_map(|candidate| {
        let target = checker.depends_target(candidate)?;
        is_provider(checker, target).then_some(target)
    })
}

/// The `Depends` callee of a parameter injected with the provider.
fn depends_call<'e>(checker: &Checker<'_>, arg: &'e ast::ArgWithDefault) -> Option<&'e Expr> {
    let mut candidates: Vec<&Expr> = Vec::new();
    if let Some(default) = arg.default.as_deref() {
        candidates.push(default);
    }
    if let Some(Expr::Subscript(sub)) = arg.def.annotation.as_deref() {
        if let Expr::Tuple(tuple) = sub.slice.as_ref() {
            candidates.extend(tuple.elts.iter().skip(1));
        }
    }
    candidates.into_iter().find_map(|candidate| {
        let Expr::Call(call) = candidate else {
            return None;
        };
        let target = checker.depends_target(candidate)?;
        is_provider(checker, target).then_some(call.func.as_ref())
    })
}

/// `async with X(... db_params ...)` items: `(context expression, callee,
/// ranges of the direct `db_params`-like name arguments)`.
fn session_builders(body: &[Stmt]) -> Vec<(TextRange, &Expr, Vec<TextRange>)> {
    let mut out = Vec::new();
    for_each_stmt(body, |stmt| {
        let Stmt::AsyncWith(with) = stmt else { return };
        for item in &with.items {
            let Expr::Call(call) = &item.context_expr else {
                continue;
            };
            let names: Vec<TextRange> = call
                .args
                .iter()
                .map(|a| match a {
                    Expr::Starred(s) => s.value.as_ref(),
                    other => other,
                })
                .chain(call.keywords.iter().map(|k| &k.value))
                .filter(|a| matches!(a, Expr::Name(_)))
                .map(range_of)
                .collect();
            out.push((range_of(&item.context_expr), call.func.as_ref(), names));
        }
    });
    out
}

/// The lines a leftover use sits on: its statement's, or its own line for
/// the header of a compound statement.
fn use_lines(checker: &Checker<'_>, body: &[Stmt], use_range: &TextRange) -> (usize, usize) {
    let mut best: Option<&Stmt> = None;
    for_each_stmt(body, |stmt| {
        if contains(&range_of(stmt), use_range) {
            best = Some(stmt);
        }
    });
    let range = match best {
        Some(
            stmt @ (Stmt::Expr(_)
            | Stmt::Assign(_)
            | Stmt::AnnAssign(_)
            | Stmt::AugAssign(_)
            | Stmt::Return(_)
            | Stmt::Raise(_)
            | Stmt::Assert(_)
            | Stmt::Delete(_)),
        ) => range_of(stmt),
        _ => use_range.clone(),
    };
    (
        checker.line(range.start),
        checker.line(range.end.saturating_sub(1).max(range.start)),
    )
}

/// Definitions: drop the parameter and open the session with the provider.
fn definitions(checker: &Checker<'_>, defs: &[Def<'_>], plan: &mut Plan) {
    let source = checker.source;
    let cm_setting = context_manager(checker).to_owned();
    for def in defs {
        let params: Vec<TextRange> = all_params(def.args)
            .into_iter()
            .filter(|(_, name, arg)| {
                is_db_params_name(checker, name)
                    && arg.is_none_or(|a| injected_provider(checker, a).is_none())
            })
            .map(|(range, _, _)| range)
            .collect();
        if params.is_empty() {
            continue;
        }
        let Some(function_key) = &def.key else {
            continue;
        };
        let key = group_key(function_key);
        let own_removed = plan
            .groups
            .get(&key)
            .map(|p| p.removed.clone())
            .unwrap_or_default();
        let builders = session_builders(def.body);
        let mut replaced: Vec<(TextRange, &Expr)> = Vec::new();
        let mut leftover: Vec<TextRange> = Vec::new();
        for param in &params {
            let Some(binding) = parameter_binding(checker, param) else {
                leftover.push(param.clone());
                continue;
            };
            for u in checker.semantic.uses(binding) {
                if inside_any(&own_removed, u) {
                    continue;
                }
                match builders.iter().find(|(_, _, names)| names.contains(u)) {
                    Some((ctx, callee, _)) => {
                        if !replaced.iter().any(|(r, _)| r == ctx) {
                            replaced.push((ctx.clone(), *callee));
                        }
                    }
                    None => leftover.push(u.clone()),
                }
            }
        }
        let cm = context_manager_local(checker);
        let removal = remove_params(source, def.args, &params);
        let part = plan.groups.entry(key).or_default();
        part.findings.extend(params.iter().cloned());
        let names: Vec<&str> = all_params(def.args)
            .into_iter()
            .filter(|(r, _, _)| params.contains(r))
            .map(|(_, n, _)| n)
            .collect();
        let shown = names.join("`, `");
        if !leftover.is_empty() || removal.is_none() || (cm.is_none() && !replaced.is_empty()) {
            part.manual = true;
            let (first, last) = leftover
                .iter()
                .map(|u| use_lines(checker, def.body, u))
                .fold((usize::MAX, 0), |(a, b), (s, e)| (a.min(s), b.max(e)));
            let message = if leftover.is_empty() {
                format!(
                    "parameter `{shown}` of `{}` carries connection settings; open the session with {cm_setting} and drop `{shown}` by hand (the automatic fix cannot rewrite this signature)",
                    def.name
                )
            } else {
                let lines = if first == last {
                    format!("line {first}, which builds")
                } else {
                    format!("lines {first}-{last}, which build")
                };
                format!(
                    "parameter `{shown}` of `{}` carries connection settings; replace {lines} a session from `{shown}` with {cm_setting}, then drop the parameter",
                    def.name
                )
            };
            for param in &params {
                plan.messages.insert(param.clone(), message.clone());
            }
            continue;
        }
        let blockers = signature_blockers(checker, function_key, &names);
        if !blockers.is_empty() {
            part.manual = true;
            let message = format!(
                "parameter `{shown}` of `{}` carries connection settings; open the session with {cm_setting} and drop `{shown}` by hand; the fix cannot rewrite every caller: {}",
                def.name,
                places_phrase(&blockers)
            );
            for param in &params {
                plan.messages.insert(param.clone(), message.clone());
            }
            continue;
        }
        let (edits, removed) = removal.expect("checked above");
        part.edits.extend(edits);
        part.removed.extend(removed);
        if let Some((local, module)) = cm {
            for (ctx, callee) in &replaced {
                part.edits
                    .push(Edit::replace(ctx.clone(), format!("{local}()")));
                part.removed.push(ctx.clone());
                let is_cm = checker.is_context_manager(callee);
                if let (false, Some(import)) = (is_cm, import_of(checker, callee)) {
                    part.import_candidates.push(import);
                }
            }
            part.add_cm |= module.is_some() && !replaced.is_empty();
        }
    }
}

/// The places that stop `removed` from leaving the signature of the
/// function `key`: references the resolver cannot prove, callers outside
/// the paths being fixed, and calls that would not bind without them.
fn signature_blockers(checker: &Checker<'_>, key: &str, removed: &[&str]) -> Vec<Place> {
    let project = checker.project;
    let Some(sig) = project.function(key) else {
        return vec![Place {
            path: checker.file.relative.clone(),
            line: 1,
            why: format!("`{key}` is not in the project index"),
        }];
    };
    let references = project.references(key);
    let mut places = references.problems.clone();
    for site in &references.sites {
        let file = project.file(site.file);
        let why = if !file.requested {
            "a caller outside the paths being fixed"
        } else if !file.runs_rules() {
            // Call sites are rewritten by checking their file.
            "a caller in a file the check does not read (it says nothing of a database), so the call is not rewritten"
        } else {
            continue;
        };
        places.push(Place {
            path: file.relative.clone(),
            line: file
                .with_text(|text| line_at(text, site.call.start))
                .unwrap_or(1),
            why: why.into(),
        });
    }
    if let Err(misfits) = check_removal(project, &sig, removed, &references.sites) {
        places.extend(misfits);
    }
    places
}

/// "a.py:3: why; b.py:9: why; and 2 more".
fn places_phrase(places: &[Place]) -> String {
    const SHOWN: usize = 4;
    let shown: Vec<String> = places.iter().take(SHOWN).map(Place::to_string).collect();
    match places.len().saturating_sub(SHOWN) {
        0 => shown.join("; "),
        more => format!("{}; and {more} more", shown.join("; ")),
    }
}

/// The fix for one group's part in this file; `None` when manual.
fn group_fix(checker: &Checker<'_>, part: &GroupPart) -> Option<Fix> {
    if part.manual || part.edits.is_empty() {
        return None;
    }
    let mut imports = checker.imports();
    let mut seen: Vec<&TextRange> = Vec::new();
    for (alias, uses) in &part.import_candidates {
        if !seen.contains(&alias) && uses.iter().all(|u| inside_any(&part.removed, u)) {
            imports.remove(alias);
            seen.push(alias);
        }
    }
    if part.add_cm {
        if let Some((local, Some(module))) = context_manager_local(checker) {
            imports.add(&module, &local);
        }
    }
    let mut edits = part.edits.clone();
    edits.extend(imports.finish());
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    if edits.windows(2).any(|w| w[0].conflicts_with(&w[1])) {
        return None;
    }
    Some(checker.fix_unsafe(edits))
}

/// A provider (`get_db_params`) imported at module level and never used:
/// what the conversion leaves behind when several endpoints shared it.
fn unused_provider_imports(checker: &Checker<'_>) -> Vec<(TextRange, String, Option<Fix>)> {
    if checker.file.is_package {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, binding) in checker.semantic.bindings() {
        let BindingKind::Import { qualified } = &binding.kind else {
            continue;
        };
        let last = qualified.rsplit('.').next().unwrap_or(qualified);
        let is_provider = checker
            .settings()
            .db_params_providers
            .iter()
            .any(|p| p == last);
        if !is_provider || !checker.semantic.uses(id).is_empty() {
            continue;
        }
        let mut imports = checker.imports();
        let fix = imports
            .remove(&binding.range)
            .then(|| checker.fix_safe(imports.finish()));
        out.push((
            binding.range.clone(),
            format!(
                "`{}` (the `db_params` provider) is imported but not used; remove the import",
                binding.name
            ),
            fix,
        ));
    }
    out
}
