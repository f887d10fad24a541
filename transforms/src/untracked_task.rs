//! Database work started as a task nobody keeps (DB116).

use std::collections::HashSet;

use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::{range_of, BindingId};
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{method_name, Sessions};

declare_rule! {
    /// ## What it finds
    /// A task started and dropped: an expression statement
    /// `asyncio.create_task(coro(...))`, `asyncio.ensure_future(...)`,
    /// `loop.create_task(...)` whose result is not kept, where the
    /// coroutine's function (a project function) opens or uses a database
    /// session, or where a session is passed to it.
    ///
    /// ## Why is this bad?
    /// The event loop keeps only a weak reference to a task: a dropped task
    /// can be garbage-collected before it finishes, its exceptions are never
    /// seen, and nothing orders it with the caller's transaction (it may run
    /// before the caller commits, or after the caller's session is closed).
    /// A task created inside `async with asyncio.TaskGroup() as tg` is not
    /// reported: the group awaits it.
    ///
    /// ## Example
    /// ```python
    /// async def on_scan_received(shipment_id: int) -> None:
    ///     asyncio.create_task(sync_carrier_status(shipment_id))
    /// ```
    /// Use instead:
    /// ```python
    /// _tasks: set[asyncio.Task] = set()
    ///
    /// async def on_scan_received(shipment_id: int) -> None:
    ///     task = asyncio.create_task(sync_carrier_status(shipment_id))
    ///     _tasks.add(task)
    ///     task.add_done_callback(_tasks.discard)
    /// ```
    /// (or `await` it, or schedule it with FastAPI's `BackgroundTasks`).
    ///
    /// ## Fix safety
    /// Manual: whether to await the work, track it, or hand it to a task
    /// queue is a design decision.
    pub static DB116 = { id: "DB116", name: "untracked-task", summary: "Database work started with a task whose result is dropped", requires_canonical: true };
}

pub struct UntrackedTask;

impl Transform for UntrackedTask {
    fn name(&self) -> &'static str {
        "untracked-task"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB116];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        let sessions = Sessions::of_file(checker);
        let groups = task_groups(checker);
        let mut found: Vec<(TextRange, String)> = Vec::new();
        checker.nodes.for_each_stmt(|stmt| {
            let Stmt::Expr(ast::StmtExpr { value, .. }) = stmt else {
                return;
            };
            let Expr::Call(call) = value.as_ref() else {
                return;
            };
            let Some(starter) = task_starter(checker, call, &groups) else {
                return;
            };
            let Some(Expr::Call(coroutine)) = call.args.first().or_else(|| {
                call.keywords
                    .iter()
                    .find(|k| matches!(k.arg.as_deref(), Some("coro" | "coro_or_future")))
                    .map(|k| &k.value)
            }) else {
                return;
            };
            let callee = checker.text(&range_of(coroutine.func.as_ref())).to_owned();
            let session_arg = coroutine
                .args
                .iter()
                .chain(coroutine.keywords.iter().map(|k| &k.value))
                .find(|a| sessions.get(checker, a).is_some());
            let why = if let Some(arg) = session_arg {
                format!("is given the session `{}`", checker.text(&range_of(arg)))
            } else if checker
                .qualified(&coroutine.func)
                .or_else(|| match checker.target(&coroutine.func) {
                    // `self._disable(model)`: a method, through its instance.
                    onesession_engine::resolve::Target::Function { key, .. } => Some(key),
                    _ => None,
                })
                .is_some_and(|q| touches_db(checker, &q, 3))
            {
                "uses the database".to_owned()
            } else {
                return;
            };
            found.push((
                range_of(value.as_ref()),
                format!(
                    "`{starter}({callee}(...))` starts database work and drops the task (`{callee}` {why}): it may be garbage-collected, its errors are lost, and it is not ordered with the caller's commit; await it or keep a reference"
                ),
            ));
        });
        for (range, message) in found {
            checker.report(&DB116, range, message);
        }
    }
}

/// The label of a call that starts a task (`asyncio.create_task`,
/// `loop.create_task`), unless it is a task group's `create_task`.
fn task_starter(
    checker: &Checker<'_>,
    call: &ast::ExprCall,
    groups: &HashSet<BindingId>,
) -> Option<String> {
    if let Some(q) = checker.qualified(&call.func) {
        if q == "asyncio.create_task" || q == "asyncio.ensure_future" {
            return Some(checker.text(&range_of(call.func.as_ref())).to_owned());
        }
    }
    let (receiver, "create_task") = method_name(call)? else {
        return None;
    };
    if let Expr::Name(name) = receiver {
        if checker
            .semantic
            .resolve(name)
            .is_some_and(|id| groups.contains(&id))
        {
            return None;
        }
    }
    // A receiver that is itself a task group made inline.
    if let Expr::Call(inner) = receiver {
        if is_task_group(checker, &inner.func) {
            return None;
        }
    }
    Some(checker.text(&range_of(call.func.as_ref())).to_owned())
}

fn is_task_group(checker: &Checker<'_>, func: &Expr) -> bool {
    checker
        .qualified(func)
        .is_some_and(|q| q == "asyncio.TaskGroup" || q == "asyncio.taskgroups.TaskGroup")
}

/// Names bound to task groups: `async with asyncio.TaskGroup() as tg`, and
/// `tg = asyncio.TaskGroup()`.
fn task_groups(checker: &Checker<'_>) -> HashSet<BindingId> {
    let mut starts = Vec::new();
    checker.nodes.for_each_stmt(|stmt| match stmt {
        Stmt::With(ast::StmtWith { items, .. })
        | Stmt::AsyncWith(ast::StmtAsyncWith { items, .. }) => {
            for item in items {
                if let (Expr::Call(call), Some(Expr::Name(name))) =
                    (&item.context_expr, item.optional_vars.as_deref())
                {
                    if is_task_group(checker, &call.func) {
                        starts.push(range_of(name).start);
                    }
                }
            }
        }
        Stmt::Assign(ast::StmtAssign { targets, value, .. }) => {
            if let Expr::Call(call) = value.as_ref() {
                if is_task_group(checker, &call.func) {
                    for target in targets {
                        if let Expr::Name(name) = target {
                            starts.push(range_of(name).start);
                        }
                    }
                }
            }
        }
        _ => {}
    });
    checker
        .semantic
        .bindings()
        .filter(|(_, b)| starts.contains(&b.range.start))
        .map(|(id, _)| id)
        .collect()
}

/// True when a project function, or one it calls (up to `depth` levels),
/// opens or uses a database session.
fn touches_db(checker: &Checker<'_>, qualified: &str, depth: usize) -> bool {
    if checker.project.function_touches_db(qualified) {
        return true;
    }
    if depth == 0 {
        return false;
    }
    let Some(sig) = checker.project.function(qualified) else {
        return false;
    };
    sig.calls
        .iter()
        .any(|call| call != qualified && touches_db(checker, call, depth - 1))
}
