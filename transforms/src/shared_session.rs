//! One session shared by coroutines that run concurrently (DB117).

use std::collections::HashMap;

use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::visit::{self, Visitor};
use onesession_engine::python::{range_of, BindingId};
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{method_name, Sessions};

declare_rule! {
    /// ## What it finds
    /// One session handed to coroutines that run concurrently:
    /// `asyncio.gather(...)` whose awaitables receive the same session
    /// (`gather(count_open(session), count_late(session))`,
    /// `gather(*[load(session, i) for i in ids])`,
    /// `gather(session.execute(a), session.execute(b))`), or two
    /// `tg.create_task(f(session))` in one `async with asyncio.TaskGroup()
    /// as tg:` (or one inside a loop there).
    ///
    /// ## Why is this bad?
    /// An `AsyncSession` (and its connection) is not safe for concurrent
    /// use: interleaved coroutines fail with "This session is provisioning
    /// a new connection; concurrent operations are not permitted" or
    /// asyncpg's "another operation is in progress", or worse, corrupt
    /// the session's identity map and transaction state.
    ///
    /// ## Example
    /// ```python
    /// open_count, late_count = await asyncio.gather(
    ///     count_open(session, tenant_id), count_late(session, tenant_id)
    /// )
    /// ```
    /// Use instead:
    /// ```python
    /// open_count = await count_open(session, tenant_id)
    /// late_count = await count_late(session, tenant_id)
    /// ```
    /// (or give each coroutine its own `async with get_session()`).
    ///
    /// ## Fix safety
    /// Manual: run the calls one after the other, or open one session per
    /// coroutine; which is right depends on whether they must share a
    /// transaction.
    pub static DB117 = { id: "DB117", name: "shared-session-concurrency", summary: "One session used by concurrently running coroutines", requires_canonical: true };
}

pub struct SharedSession;

impl Transform for SharedSession {
    fn name(&self) -> &'static str {
        "shared-session-concurrency"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB117];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        let sessions = Sessions::of_file(checker);
        let mut found: Vec<(TextRange, String)> = Vec::new();

        // asyncio.gather(...)
        checker.nodes.for_each_expr(|expr| {
            let Expr::Call(call) = expr else { return };
            if checker.qualified(&call.func).as_deref() != Some("asyncio.gather") {
                return;
            }
            let mut counts = Counts::default();
            for arg in &call.args {
                match arg {
                    Expr::Starred(starred) => match starred.value.as_ref() {
                        // `*[f(session) for x in xs]`: many awaitables.
                        Expr::ListComp(ast::ExprListComp { elt, .. })
                        | Expr::GeneratorExp(ast::ExprGeneratorExp { elt, .. })
                        | Expr::SetComp(ast::ExprSetComp { elt, .. }) => {
                            let _ = counts.awaitable(checker, &sessions, elt, 2);
                        }
                        Expr::List(ast::ExprList { elts, .. })
                        | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
                            for elt in elts {
                                let _ = counts.awaitable(checker, &sessions, elt, 1);
                            }
                        }
                        _ => {}
                    },
                    _ => {
                        let _ = counts.awaitable(checker, &sessions, arg, 1);
                    }
                }
            }
            if let Some(name) = counts.shared() {
                found.push((
                    range_of(expr),
                    format!("`{name}` is shared by coroutines that `asyncio.gather()` runs concurrently; a session is not safe for concurrent use: await them one by one or give each its own session"),
                ));
            }
        });

        // async with asyncio.TaskGroup() as tg: tg.create_task(f(session))
        checker.nodes.for_each_stmt(|stmt| {
            let Stmt::AsyncWith(with) = stmt else { return };
            for item in &with.items {
                let Expr::Call(ctx) = &item.context_expr else {
                    continue;
                };
                if checker.qualified(&ctx.func).as_deref() != Some("asyncio.TaskGroup") {
                    continue;
                }
                let Some(Expr::Name(tg)) = item.optional_vars.as_deref() else {
                    continue;
                };
                let Some(group) = checker
                    .semantic
                    .bindings()
                    .find(|(_, b)| b.range.start == range_of(tg).start)
                    .map(|(id, _)| id)
                else {
                    continue;
                };
                let mut tasks = Tasks {
                    checker,
                    sessions: &sessions,
                    group,
                    loops: 0,
                    counts: Counts::default(),
                    first: HashMap::new(),
                };
                tasks.visit_body(&with.body);
                if let Some(name) = tasks.counts.shared() {
                    let binding = tasks
                        .counts
                        .by_binding
                        .iter()
                        .find(|(_, (_, n))| *n >= 2)
                        .map(|(id, _)| *id);
                    if let Some(range) = binding.and_then(|b| tasks.first.get(&b)) {
                        found.push((
                            range.clone(),
                            format!("`{name}` is shared by tasks of one `TaskGroup`, which run concurrently; a session is not safe for concurrent use: give each task its own session"),
                        ));
                    }
                }
            }
        });

        for (range, message) in found {
            checker.report(&DB117, range, message);
        }
    }
}

/// How many concurrent awaitables use each session binding.
#[derive(Default)]
struct Counts {
    by_binding: HashMap<BindingId, (String, usize)>,
}

impl Counts {
    /// Counts `weight` uses for every session `awaitable` uses: as the
    /// receiver of a method (`session.execute(...)`) or as an argument
    /// (`f(session)`, `f(db=session)`).
    fn awaitable(
        &mut self,
        checker: &Checker<'_>,
        sessions: &Sessions,
        awaitable: &Expr,
        weight: usize,
    ) -> Vec<BindingId> {
        let Expr::Call(call) = awaitable else {
            return Vec::new();
        };
        let mut used: Vec<(BindingId, String)> = Vec::new();
        let mut consider = |expr: &Expr| {
            let Expr::Name(name) = expr else { return };
            if sessions.get(checker, expr).is_none() {
                return;
            }
            if let Some(id) = checker.semantic.resolve(name) {
                if !used.iter().any(|(u, _)| *u == id) {
                    used.push((id, name.id.to_string()));
                }
            }
        };
        if let Some((receiver, _)) = method_name(call) {
            consider(receiver);
        }
        for arg in &call.args {
            consider(arg);
        }
        for keyword in &call.keywords {
            consider(&keyword.value);
        }
        for (id, name) in &used {
            self.by_binding
                .entry(*id)
                .or_insert_with(|| (name.clone(), 0))
                .1 += weight;
        }
        used.into_iter().map(|(id, _)| id).collect()
    }

    /// The name of a session used by two or more awaitables.
    fn shared(&self) -> Option<&str> {
        let mut shared: Vec<_> = self.by_binding.values().filter(|(_, n)| *n >= 2).collect();
        shared.sort();
        shared.first().map(|(name, _)| name.as_str())
    }
}

/// The `tg.create_task(...)` calls in a task group's body.
struct Tasks<'c, 'a> {
    checker: &'c Checker<'a>,
    sessions: &'c Sessions,
    group: BindingId,
    loops: usize,
    counts: Counts,
    /// The first `create_task` call per session.
    first: HashMap<BindingId, TextRange>,
}

impl<'a> Visitor<'a> for Tasks<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::For(_) | Stmt::AsyncFor(_) | Stmt::While(_) => {
                self.loops += 1;
                visit::walk_stmt(self, stmt);
                self.loops -= 1;
            }
            // A nested function's body does not run here.
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => {}
            _ => visit::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(
            expr,
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::GeneratorExp(_) | Expr::DictComp(_)
        ) {
            self.loops += 1;
            visit::walk_expr(self, expr);
            self.loops -= 1;
            return;
        }
        if let Expr::Call(call) = expr {
            if let Some((Expr::Name(receiver), "create_task")) = method_name(call) {
                if self.checker.semantic.resolve(receiver) == Some(self.group) {
                    let weight = if self.loops > 0 { 2 } else { 1 };
                    for arg in call.args.iter().take(1) {
                        let used = self
                            .counts
                            .awaitable(self.checker, self.sessions, arg, weight);
                        for id in used {
                            self.first.entry(id).or_insert_with(|| range_of(expr));
                        }
                    }
                }
            }
        }
        visit::walk_expr(self, expr);
    }
}
