//! Unawaited session calls: a coroutine method of an `AsyncSession`
//! called without `await` (DB118).

use std::collections::HashSet;

use onesession_engine::python::ast::{Expr, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::text::Edit;
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{method_name, Sessions};

declare_rule! {
    /// ## What it finds
    /// A coroutine method of an `AsyncSession` (`commit()`, `rollback()`,
    /// `refresh()`, `execute()`, `flush()`, `close()`, `scalar()`,
    /// `scalars()`, `get()`, `delete()`, `merge()`, `stream()`) called
    /// inside an `async def` without `await`: as a bare statement, or with
    /// its result assigned.
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
    /// (the commit happens, the query hits the database).
    pub static DB118 = { id: "DB118", name: "unawaited-session-call", summary: "Coroutine method of an AsyncSession called without await", requires_canonical: true };
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
        let mut candidates: Vec<&Expr> = Vec::new();
        checker.nodes.for_each_stmt(|stmt| match stmt {
            Stmt::Expr(s) => candidates.push(&s.value),
            Stmt::Assign(s) => candidates.push(&s.value),
            Stmt::AnnAssign(s) => {
                if let Some(value) = &s.value {
                    candidates.push(value);
                }
            }
            _ => {}
        });
        let is_async_session = |receiver: &Expr| {
            sessions.is_async_session(checker, receiver)
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
        for expr in candidates {
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
