//! A background task handed the request's session (DB107).

use onesession_engine::python::ast::{self, Expr};
use onesession_engine::python::range_of;
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Layer, Rule, Transform};

use crate::helpers::{method_name, SessionOrigin, Sessions};

declare_rule! {
    /// ## What it finds
    /// A session that belongs to the request (injected with
    /// `Depends(get_session_dependency)`, or a session parameter of a
    /// router endpoint) passed to work that runs later:
    /// `background_tasks.add_task(func, ..., session)`,
    /// `add_task(func, session=session)`, or
    /// `asyncio.create_task(func(..., session))`.
    ///
    /// ## Why is this bad?
    /// The request's session is closed when the response is sent, before
    /// the background task runs: the task fails on a closed session, or
    /// worse, shares a connection with the next request. A background task
    /// must open its own session.
    ///
    /// ## Example
    /// ```python
    /// @router.post("/reports")
    /// async def request_report(tasks: BackgroundTasks, session: AsyncSession = Depends(get_session_dependency)):
    ///     tasks.add_task(build_report, report.id, session)
    ///
    /// async def build_report(report_id: int, session: AsyncSession):
    ///     ...
    /// ```
    /// Use instead:
    /// ```python
    /// @router.post("/reports")
    /// async def request_report(tasks: BackgroundTasks, session: AsyncSession = Depends(get_session_dependency)):
    ///     tasks.add_task(build_report, report.id)
    ///
    /// async def build_report(report_id: int):
    ///     async with get_session() as session:
    ///         ...
    /// ```
    ///
    /// ## Fix safety
    /// Planned as unsafe and cross-file: the session argument is dropped at
    /// the call site and the parameter at the task's definition, whose body
    /// is wrapped in `async with get_session() as session:`. The task then
    /// commits on its own, which changes when its writes become visible.
    pub static DB107 = { id: "DB107", name: "background-session-reuse", summary: "Background task given the request's session", requires_canonical: true };
}

pub struct BackgroundSession;

impl Transform for BackgroundSession {
    fn name(&self) -> &'static str {
        "background-session-reuse"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB107];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        let sessions = Sessions::of_file(checker);
        let in_router = checker.layer() == Layer::Router;
        let mut found: Vec<(TextRange, String)> = Vec::new();
        checker.nodes.for_each_expr(|expr| {
            let Expr::Call(call) = expr else { return };
            let Some((callee, args)) = scheduled(checker, call) else {
                return;
            };
            let callee_text = checker.text(&range_of(callee)).to_owned();
            for arg in args {
                let Some(info) = sessions.get(checker, arg) else {
                    continue;
                };
                let owned_by_request = match info.origin {
                    SessionOrigin::Request => true,
                    SessionOrigin::Parameter | SessionOrigin::Named => in_router,
                    SessionOrigin::Opened => false,
                };
                if !owned_by_request {
                    continue;
                }
                let name = checker.text(&range_of(arg)).to_owned();
                let advice = checker.session_advice(range_of(callee).start);
                found.push((
                    range_of(arg),
                    format!(
                        "the request's session `{name}` is passed to background task `{callee_text}`, which runs after it is closed; drop it and open its own session in `{callee_text}` with {advice}"
                    ),
                ));
            }
        });
        found.sort_by_key(|(range, _)| (range.start, range.end));
        found.dedup_by(|a, b| a.0 == b.0);
        for (range, message) in found {
            checker.report(&DB107, range, message);
        }
    }
}

/// For a call that schedules work for later, the scheduled callee and the
/// argument expressions it will receive.
fn scheduled<'e>(
    checker: &Checker<'_>,
    call: &'e ast::ExprCall,
) -> Option<(&'e Expr, Vec<&'e Expr>)> {
    let arguments = |args: &'e [Expr], keywords: &'e [ast::Keyword]| -> Vec<&'e Expr> {
        args.iter()
            .map(|a| match a {
                Expr::Starred(starred) => starred.value.as_ref(),
                other => other,
            })
            .chain(keywords.iter().map(|k| &k.value))
            .collect()
    };
    // `background_tasks.add_task(func, *args, **kwargs)`
    if let Some((_, "add_task")) = method_name(call) {
        let (callee, rest) = call.args.split_first()?;
        return Some((callee, arguments(rest, &call.keywords)));
    }
    // `asyncio.create_task(func(...))` / `asyncio.ensure_future(func(...))`
    let qualified = checker.qualified(&call.func)?;
    if qualified == "asyncio.create_task" || qualified == "asyncio.ensure_future" {
        let coroutine = call.args.first().or_else(|| {
            call.keywords
                .iter()
                .find(|k| matches!(k.arg.as_deref(), Some("coro" | "coro_or_future")))
                .map(|k| &k.value)
        })?;
        let Expr::Call(inner) = coroutine else {
            return None;
        };
        return Some((inner.func.as_ref(), arguments(&inner.args, &inner.keywords)));
    }
    None
}
