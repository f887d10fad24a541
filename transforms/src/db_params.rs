//! Convert `db_params` plumbing to the sanctioned session provider (DB104).

use onesession_engine::python::ast::{self, Expr};
use onesession_engine::python::range_of;
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{for_each_expr, functions, method_name};

declare_rule! {
    /// ## What it finds
    /// Connection settings handed around as `db_params` (the names in the
    /// `db-params` setting): a function parameter called `db_params`
    /// (including `**db_params`), an endpoint parameter injected with
    /// `Depends(get_db_params)`, a `db_params=...` keyword argument, and a
    /// positional argument that lands in a callee's `db_params` parameter
    /// (directly or through `background_tasks.add_task(func, ...)`).
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
    /// Planned as unsafe and cross-file: the argument is dropped at every
    /// call site and the parameter at the definition, sessions built from
    /// it become `async with get_session() as session`, and imports that
    /// become unused are removed. It changes signatures other callers may
    /// rely on, so it needs review.
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
        let mut found: Vec<(TextRange, String)> = Vec::new();
        parameters(checker, &mut found);
        arguments(checker, &mut found);
        found.sort_by_key(|(range, _)| (range.start, range.end));
        found.dedup_by(|a, b| a.0 == b.0);
        for (range, message) in found {
            checker.report(&DB104, range, message);
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
        is_provider(checker, target).then(|| checker.text(&range_of(target)).to_owned())
    })
}

fn context_manager<'a>(checker: &Checker<'a>) -> &'a str {
    &checker.settings().context_manager
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
                    "parameter `{name}` of `{}` is injected with `Depends({provider})`; drop it and open the session with `async with {cm}()` where it is used",
                    function.name
                ),
                (None, true) => format!(
                    "parameter `{name}` of `{}` carries connection settings; drop `{name}` and open the session with `async with {cm}()` in `{}`",
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
                        "parameter `{name}` of `{}` carries connection settings; drop `{name}` and open the session with `async with {cm}()` in `{}`",
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

/// (b) `db_params=` keywords and (c) positional arguments landing in a
/// callee's `db_params` parameter.
fn arguments(checker: &Checker<'_>, found: &mut Vec<(TextRange, String)>) {
    let cm = context_manager(checker).to_owned();
    for_each_expr(&checker.parsed.body, |expr| {
        let Expr::Call(call) = expr else { return };
        // `X.add_task(func, *args, **kwargs)`: the callee is `func`.
        let (callee, positional): (Option<&Expr>, &[Expr]) = match method_name(call) {
            Some((_, "add_task")) if !call.args.is_empty() => {
                (Some(&call.args[0]), &call.args[1..])
            }
            _ => (Some(call.func.as_ref()), &call.args[..]),
        };
        let callee_label = callee.map(|c| callee_name(checker, c));
        for keyword in &call.keywords {
            let Some(name) = keyword.arg.as_deref() else {
                continue;
            };
            if is_db_params_name(checker, name) {
                let target = callee_label.as_deref().unwrap_or("the callee");
                found.push((
                    range_of(keyword),
                    format!(
                        "`{name}=` passed to `{target}`; drop `{name}` and open the session with `async with {cm}()` in `{target}`"
                    ),
                ));
            }
        }
        let Some(callee) = callee else { return };
        let Some(qualified) = checker.qualified(callee) else {
            return;
        };
        let Some(sig) = checker.project.function(&qualified) else {
            return;
        };
        // A classmethod called through its class binds `cls` itself.
        let skip = usize::from(sig.positional(0).is_some_and(|p| p.name == "cls"));
        for (i, arg) in positional.iter().enumerate() {
            if matches!(arg, Expr::Starred(_)) {
                break; // later positions are unknown
            }
            let Some(param) = sig.positional(i + skip) else {
                break;
            };
            if is_db_params_name(checker, &param.name) {
                let target = callee_label.as_deref().unwrap_or("the callee");
                found.push((
                    range_of(arg),
                    format!(
                        "`{}` passed as `{target}`'s `{}` parameter; drop `{}` and open the session with `async with {cm}()` in `{target}`",
                        checker.text(&range_of(arg)),
                        param.name,
                        param.name
                    ),
                ));
            }
        }
    });
}
