//! Unawaited session calls: a coroutine method of an `AsyncSession`
//! called without `await` (DB118).

use std::collections::HashSet;

use onesession_engine::python::ast::{Expr, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::text::{Edit, TextRange};
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{method_name, session_attributes, Sessions};

declare_rule! {
    /// ## What it finds
    /// A coroutine method of an `AsyncSession` (`commit()`, `rollback()`,
    /// `refresh()`, `execute()`, `flush()`, `close()`, `scalar()`,
    /// `scalars()`, `get()`, `delete()`, `merge()`, `stream()`) called
    /// inside an `async def` without `await`: as a bare statement, or with
    /// its result assigned. The session is a parameter or variable known as
    /// an `AsyncSession`, or `self.<name>` in a class whose `__init__`
    /// stored one it received (a repository).
    ///
    /// ## Why is this bad?
    /// Calling a coroutine function only creates the coroutine: without
    /// `await` the commit, refresh or query never runs, silently (Python
    /// only warns "coroutine was never awaited" at garbage collection).
    /// Data that looks saved is lost, and an assigned "result" is a
    /// coroutine object, not rows.
    ///
    /// ## Example
    /// ```python
    /// async def archive(session: AsyncSession):
    ///     await session.execute(stmt)
    ///     session.commit()
    /// ```
    /// Use instead:
    /// ```python
    /// async def archive(session: AsyncSession):
    ///     await session.execute(stmt)
    ///     await session.commit()
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `await` is added in front of the call (only inside
    /// `async def`). The call then really runs, which changes behaviour
    /// (the commit happens, the query hits the database). A call whose
    /// result is stored and later awaited or handed to an awaited call or
    /// one that runs coroutines (`asyncio.wait_for(coro, 5)`,
    /// `create_task(coro)`) is not reported: nothing is dropped.
    pub static DB118 = { id: "DB118", name: "unawaited-session-call", summary: "Coroutine method of an AsyncSession called without await", requires_canonical: true };
}

/// Calls that take a coroutine and run it: `create_task(coro)`,
/// `gather(a, b)`, `asyncio.run(coro)`.
const RUNS_COROUTINES: &[&str] = &[
    "create_task",
    "ensure_future",
    "gather",
    "wait_for",
    "wait",
    "shield",
    "as_completed",
    "run",
    "run_until_complete",
    "run_coroutine_threadsafe",
    "start_soon",
];

/// Where a name is awaited, or handed as it is to a call that is awaited
/// or runs coroutines (`await coro`, `await asyncio.wait_for(coro, 5)`,
/// `loop.create_task(coro)`): the start of each such name.
fn handed_on_names(checker: &Checker<'_>) -> HashSet<usize> {
    let mut awaited_calls = HashSet::new();
    checker.nodes.for_each_expr(|expr| {
        if let Expr::Await(awaited) = expr {
            awaited_calls.insert(range_of(awaited.value.as_ref()).start);
        }
    });
    let mut found = HashSet::new();
    checker.nodes.for_each_expr(|expr| {
        let operands: Vec<&Expr> = match expr {
            Expr::Await(awaited) => vec![awaited.value.as_ref()],
            Expr::Call(call)
                if awaited_calls.contains(&range_of(expr).start)
                    || final_name(&call.func).is_some_and(|n| RUNS_COROUTINES.contains(&n)) =>
            {
                call.args
                    .iter()
                    .map(|arg| match arg {
                        Expr::Starred(starred) => starred.value.as_ref(),
                        arg => arg,
                    })
                    .chain(call.keywords.iter().map(|k| &k.value))
                    .collect()
            }
            _ => return,
        };
        for operand in operands {
            if let Expr::Name(name) = operand {
                found.insert(range_of(name).start);
            }
        }
    });
    found
}

/// `f` or `x.f` in a call: `f`.
fn final_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// The assignment stores a coroutine that is awaited or handed on later
/// (`coro = session.execute(q)` ... `await asyncio.wait_for(coro, 5)`):
/// nothing is dropped, and an added `await` would await it twice.
fn keeps_the_coroutine(
    checker: &Checker<'_>,
    targets: &[Expr],
    handed_on: &HashSet<usize>,
) -> bool {
    targets.iter().any(|target| {
        let Expr::Name(name) = target else {
            return false;
        };
        checker
            .semantic
            .binding_starting_at(range_of(name).start)
            .is_some_and(|id| {
                checker
                    .semantic
                    .uses(id)
                    .iter()
                    .any(|used| handed_on.contains(&used.start))
            })
    })
}

/// The `AsyncSession` methods that return coroutines. `add()`,
/// `add_all()`, `expunge()` and friends are sync and never reported.
const COROUTINE_METHODS: &[&str] = &[
    "commit", "rollback", "refresh", "execute", "flush", "close", "scalar", "scalars", "get",
    "delete", "merge", "stream",
];

pub struct UnawaitedCall;

impl Transform for UnawaitedCall {
    fn name(&self) -> &'static str {
        "unawaited-session-call"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB118];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        let sessions = Sessions::of_file(checker);
        // The calls that are a whole expression statement or the whole
        // value of an assignment: the places where a missing `await`
        // drops the coroutine.
        // With the targets of an assignment, asked whether they keep the
        // coroutine only for a call that would be reported (the names
        // handed on are gathered once, and only then).
        let mut candidates: Vec<(&Expr, &[Expr])> = Vec::new();
        checker.nodes.for_each_stmt(|stmt| match stmt {
            Stmt::Expr(s) => candidates.push((&s.value, &[])),
            Stmt::Assign(s) => candidates.push((&s.value, &s.targets)),
            Stmt::AnnAssign(s) => {
                if let Some(value) = &s.value {
                    candidates.push((value, std::slice::from_ref(&s.target)));
                }
            }
            _ => {}
        });
        let handed_on = std::cell::OnceCell::new();
        // `self.session` in a class whose `__init__` stored an
        // `AsyncSession` it received (a repository).
        let mut stored: Vec<(TextRange, HashSet<&str>)> = Vec::new();
        checker.nodes.for_each_stmt(|stmt| {
            if let Stmt::ClassDef(class) = stmt {
                let attributes = session_attributes(class, &|value: &Expr| {
                    sessions.is_async_session(checker, value)
                });
                if !attributes.is_empty() {
                    stored.push((range_of(stmt), attributes));
                }
            }
        });
        let is_stored_session = |receiver: &Expr| {
            let Expr::Attribute(attr) = receiver else {
                return false;
            };
            let at = range_of(receiver).start;
            matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == "self")
                && stored.iter().any(|(class, attributes)| {
                    class.start <= at && at < class.end && attributes.contains(attr.attr.as_str())
                })
        };
        let is_async_session = |receiver: &Expr| {
            is_stored_session(receiver)
                || sessions.is_async_session(checker, receiver)
                || checker.qualified(receiver).is_some_and(|q| {
                    q.rsplit_once('.').is_some_and(|(module, name)| {
                        checker.project.module(module).is_some_and(|m| {
                            m.scoped_sessions
                                .iter()
                                .any(|(s, is_async)| s == name && *is_async)
                        })
                    })
                })
        };
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        // `await session.execute(q).scalars().first()`: the `await` is for
        // the end of the chain; `execute()` itself is never awaited.
        checker.nodes.for_each_expr(|expr| {
            let Expr::Attribute(attr) = expr else { return };
            let Expr::Call(call) = attr.value.as_ref() else {
                return;
            };
            let Some((receiver, method)) = method_name(call) else {
                return;
            };
            let range = range_of(attr.value.as_ref());
            if COROUTINE_METHODS.contains(&method)
                && checker.semantic.in_async_function(range.start)
                && is_async_session(receiver)
                && seen.insert(range.start)
            {
                let name = checker.text(&range_of(receiver)).to_owned();
                found.push((
                    range,
                    format!("`{name}.{method}()` is a coroutine, but the chain goes on from it unawaited (`await` applies to the end of the chain): await it first, `(await {name}.{method}(...)).{}`", attr.attr),
                    false,
                ));
            }
        });
        for (expr, targets) in candidates {
            let Expr::Call(call) = expr else { continue };
            let Some((receiver, method)) = method_name(call) else {
                continue;
            };
            if !COROUTINE_METHODS.contains(&method) {
                continue;
            }
            let range = range_of(expr);
            if !checker.semantic.in_async_function(range.start)
                || !is_async_session(receiver)
                || !seen.insert(range.start)
            {
                continue;
            }
            if !targets.is_empty()
                && keeps_the_coroutine(
                    checker,
                    targets,
                    handed_on.get_or_init(|| handed_on_names(checker)),
                )
            {
                continue;
            }
            let name = checker.text(&range_of(receiver)).to_owned();
            found.push((
                range,
                format!("`{name}.{method}()` is a coroutine: without `await` it never runs"),
                true,
            ));
        }
        for (range, message, fixable) in found {
            // The detector only reports calls inside `async def`; a call in
            // a chain needs parentheses a person should place (manual).
            let fix =
                fixable.then(|| checker.fix_unsafe(vec![Edit::insert(range.start, "await ")]));
            if let Some(finding) = checker.report(&DB118, range, message) {
                finding.fix = fix;
            }
        }
    }
}
