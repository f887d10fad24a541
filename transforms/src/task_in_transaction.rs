//! Background work scheduled inside a session transaction (DB110).

use std::collections::HashMap;

use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::python::source::{indentation_at, line_end, line_start};
use onesession_engine::python::visit::{self, for_each_expr, for_each_expr_in, Visitor};
use onesession_engine::text::{Edit, TextRange};
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{method_name, Sessions};

declare_rule! {
    /// ## What it finds
    /// `background_tasks.add_task(...)` called inside the body of
    /// `async with session.begin():` (or `with session.begin():`,
    /// `begin_nested()`), where `session` is a database session.
    ///
    /// ## Why is this bad?
    /// Scheduling inside the transaction reads as "after the commit", but
    /// nothing ties the task to the commit: if the block raises and rolls
    /// back, the task is still queued and acts on data that was never
    /// written; with other schedulers the task may start before the
    /// transaction commits and not see its rows.
    ///
    /// ## Example
    /// ```python
    /// async with session.begin():
    ///     shipment.status = "delivered"
    ///     background_tasks.add_task(notify_customer, shipment.id)
    /// ```
    /// Use instead:
    /// ```python
    /// async with session.begin():
    ///     shipment.status = "delivered"
    /// background_tasks.add_task(notify_customer, shipment.id)
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: when the call is the last statement directly in the block
    /// (and the block is the only `begin()` around it) its lines (with a
    /// trailing comment) move after the block, re-indented to the `with`
    /// statement's level; an emptied block gets `pass`. The task is then
    /// no longer scheduled when the block raises, which is the point but
    /// is a change of behaviour. Manual elsewhere in the block, inside an
    /// `if` or a nested `begin()`, when the call shares its line with
    /// other code, names something the `with` items bind (`as tx`, a task
    /// batch opened with the transaction), or holds a string written over
    /// several lines.
    pub static DB110 = { id: "DB110", name: "task-in-transaction", summary: "Background task scheduled inside a session transaction", requires_canonical: true };
}

pub struct TaskInTransaction;

impl Transform for TaskInTransaction {
    fn name(&self) -> &'static str {
        "task-in-transaction"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB110];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        let sessions = Sessions::of_file(checker);
        let mut found: Vec<(TextRange, String, Option<Edit>)> = Vec::new();
        // How many `begin()` blocks hold each call: the fix only moves a
        // call out of the one block around it.
        let mut depth: HashMap<usize, usize> = HashMap::new();
        checker.nodes.for_each_stmt(|stmt| {
            let (items, body) = match stmt {
                Stmt::With(ast::StmtWith { items, body, .. })
                | Stmt::AsyncWith(ast::StmtAsyncWith { items, body, .. }) => (items, body),
                _ => return,
            };
            let Some(session) = items.iter().find_map(|item| {
                let Expr::Call(call) = &item.context_expr else {
                    return None;
                };
                match method_name(call) {
                    Some((receiver, method @ ("begin" | "begin_nested")))
                        if sessions.get(checker, receiver).is_some() =>
                    {
                        Some(format!("{}.{method}", checker.text(&range_of(receiver))))
                    }
                    _ => None,
                }
            }) else {
                return;
            };
            let last = body.last();
            // What the `with` items bind (`as tx`, `TaskBatch() as tasks`)
            // is exited with the block: a call naming one must stay in it.
            let mut bound: Vec<&str> = Vec::new();
            for vars in items.iter().filter_map(|item| item.optional_vars.as_deref()) {
                for_each_expr_in(vars, |expr| {
                    if let Expr::Name(name) = expr {
                        bound.push(name.id.as_str());
                    }
                });
            }
            let mut calls = Calls(Vec::new());
            calls.visit_body(body);
            for (stmt_range, call_range, callee) in calls.0 {
                *depth.entry(call_range.start).or_default() += 1;
                let last_stmt = last.filter(|last| range_of(*last) == stmt_range);
                let is_last = last_stmt.is_some();
                let edit = last_stmt
                    .filter(|last| {
                        let mut keeps = false;
                        for_each_expr(std::slice::from_ref(*last), |expr| {
                            keeps |= match expr {
                                Expr::Name(name) => bound.contains(&name.id.as_str()),
                                // A string written over several lines (a
                                // triple-quoted one, one continued with a
                                // backslash): re-indenting would change it.
                                Expr::Constant(_) | Expr::JoinedStr(_) => {
                                    checker.source[range_of(expr)].contains('\n')
                                }
                                _ => false,
                            };
                        });
                        !keeps
                    })
                    .and_then(|_| {
                        move_after_block(checker.source, &range_of(stmt), body.len(), &stmt_range)
                    });
                let message = if is_last {
                    format!(
                        "`add_task({callee}, ...)` is the last statement inside `{session}()`: the task may run before the transaction commits, or after it rolls back; move it after the block"
                    )
                } else {
                    format!(
                        "`add_task({callee}, ...)` inside `{session}()`: the task may run before the transaction commits, or after it rolls back; schedule it after the block"
                    )
                };
                found.push((call_range, message, edit));
            }
        });
        found.sort_by_key(|(range, _, _)| (range.start, range.end));
        // Nested `begin()` blocks see the same call: keep the innermost
        // block's message (pushed last for the same range).
        found.reverse();
        found.dedup_by(|a, b| a.0 == b.0);
        found.reverse();
        for (range, message, edit) in found {
            let fix = edit
                .filter(|_| depth.get(&range.start) == Some(&1))
                .map(|edit| checker.fix_unsafe(vec![edit]));
            if let Some(finding) = checker.report(&DB110, range, message) {
                finding.fix = fix;
            }
        }
    }
}

/// Moves the statement at `stmt` (the last of a `with` block of
/// `body_len` statements) after the block: its whole lines (with a
/// trailing comment) are re-indented to the `with` statement's level, and
/// `pass` keeps an emptied block valid. `None` when the statement shares
/// a line with other code, or when the indentation is not a plain prefix.
fn move_after_block(
    source: &str,
    with_stmt: &TextRange,
    body_len: usize,
    stmt: &TextRange,
) -> Option<Edit> {
    let start = line_start(source, stmt.start);
    let end = line_end(source, stmt.end);
    let body_indent = &source[start..stmt.start];
    let rest = source[stmt.end..end].trim();
    if !body_indent.trim().is_empty() || !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let with_indent = indentation_at(source, with_stmt.start);
    if line_start(source, with_stmt.start) == start
        || !body_indent.starts_with(with_indent)
        || body_indent.len() <= with_indent.len()
    {
        return None;
    }
    let text = &source[start..end];
    let mut moved = String::new();
    if body_len == 1 {
        moved.push_str(body_indent);
        moved.push_str("pass\n");
    }
    for line in text.split_inclusive('\n') {
        match line.strip_prefix(body_indent) {
            Some(tail) => {
                moved.push_str(with_indent);
                moved.push_str(tail);
            }
            None => moved.push_str(line),
        }
    }
    Some(Edit::replace(start..end, moved))
}

/// `X.add_task(...)` expression statements in a block, not descending into
/// nested function or class definitions (they do not run in the block):
/// (statement range, call range, callee text).
struct Calls(Vec<(TextRange, TextRange, String)>);

impl<'a> Visitor<'a> for Calls {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Expr(ast::StmtExpr { value, .. }) => {
                if let Expr::Call(call) = value.as_ref() {
                    if let Some((_, "add_task")) = method_name(call) {
                        let callee = call
                            .args
                            .first()
                            .map(source_name)
                            .unwrap_or_else(|| "...".to_owned());
                        self.0
                            .push((range_of(stmt), range_of(value.as_ref()), callee));
                    }
                }
            }
            _ => visit::walk_stmt(self, stmt),
        }
    }
}

/// A short label for the scheduled callable: `notify_customer`,
/// `svc.notify`.
fn source_name(expr: &Expr) -> String {
    match expr {
        Expr::Name(name) => name.id.to_string(),
        Expr::Attribute(attr) => match attr.value.as_ref() {
            Expr::Name(base) => format!("{}.{}", base.id, attr.attr),
            _ => attr.attr.to_string(),
        },
        _ => "...".to_owned(),
    }
}
