//! Tenant filtering left in queries (DB108).

use std::collections::HashSet;

use onesession_engine::python::ast::{self, Expr};
use onesession_engine::python::range_of;
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Rule, Transform};

use crate::helpers::{for_each_expr, method_name};

declare_rule! {
    /// ## What it finds
    /// A tenant predicate written by hand in a query: in the arguments of
    /// `.where(...)`, `.filter(...)`, `.filter_by(...)` or `.having(...)`
    /// (and inside `and_(...)` / `or_(...)` there), a comparison on a
    /// tenant column (`Shipment.tenant_id == tenant_id`,
    /// `Shipment.tenant_id.in_(ids)`), or a `tenant_id=` keyword of
    /// `filter_by`. The columns are `tenant-columns` in the configuration
    /// (default `["tenant_id"]`). Only files that use the database are
    /// checked.
    ///
    /// Comparisons outside queries (`if shipment.tenant_id != tenant.id:`),
    /// model columns, Pydantic fields, dict keys and constructor keywords
    /// are not reported.
    ///
    /// ## Why is this bad?
    /// With tenant isolation enforced centrally (row-level security set by
    /// the canonical session, or a global criteria option), a hand-written
    /// tenant filter is redundant at best; at worst it is the only guard,
    /// and the one query that forgets it leaks another tenant's rows.
    /// Filtering in one place means no query can forget it.
    ///
    /// ## Example
    /// ```python
    /// stmt = select(Shipment).where(Shipment.tenant_id == tenant_id)
    /// ```
    /// Use instead:
    /// ```python
    /// stmt = select(Shipment)  # the session scopes every query to the tenant
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the predicate is removed (the `.where()` call too when it
    /// was the only one). This is only right once the tenant filter is
    /// enforced centrally.
    pub static DB108 = { id: "DB108", name: "tenant-filter", summary: "Tenant filtering written by hand in a query" };
}

const FILTER_METHODS: &[&str] = &["where", "filter", "filter_by", "having"];

pub struct TenantFilter;

impl Transform for TenantFilter {
    fn name(&self) -> &'static str {
        "tenant-filter"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB108];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        if !checker.touches_database() {
            return;
        }
        let columns = &checker.settings().tenant_columns;
        if columns.is_empty() {
            return;
        }
        let mut found: Vec<(TextRange, String)> = Vec::new();
        let mut seen = HashSet::new();
        for_each_expr(&checker.parsed.body, |expr| {
            let Expr::Call(call) = expr else { return };
            let Some((_, method)) = method_name(call) else {
                return;
            };
            if !FILTER_METHODS.contains(&method) {
                return;
            }
            for arg in &call.args {
                predicates(checker, columns, arg, &mut |range, column| {
                    if seen.insert(range.start) {
                        found.push((
                            range,
                            format!("query filters on the tenant column `{column}` in `.{method}()`; tenant isolation belongs in one place, not in each query"),
                        ));
                    }
                });
            }
            if method == "filter_by" {
                for keyword in &call.keywords {
                    let Some(arg) = keyword.arg.as_deref() else {
                        continue;
                    };
                    if columns.iter().any(|c| c == arg) {
                        let range = range_of(keyword);
                        if seen.insert(range.start) {
                            found.push((
                                range,
                                format!("`filter_by({arg}=...)` filters on the tenant column by hand; tenant isolation belongs in one place, not in each query"),
                            ));
                        }
                    }
                }
            }
        });
        for (range, message) in found {
            checker.report(&DB108, range, message);
        }
    }
}

/// Reports every tenant predicate in `expr`, one argument of a filter call.
fn predicates(
    checker: &Checker<'_>,
    columns: &[String],
    expr: &Expr,
    report: &mut impl FnMut(TextRange, String),
) {
    match expr {
        Expr::Compare(compare) => {
            let column = std::iter::once(compare.left.as_ref())
                .chain(&compare.comparators)
                .find_map(|side| tenant_column(columns, side));
            if let Some(column) = column {
                report(range_of(expr), column.to_owned());
            }
        }
        Expr::Call(call) => {
            if is_conjunction(checker, &call.func) {
                for arg in &call.args {
                    predicates(checker, columns, arg, report);
                }
            } else if let Expr::Attribute(method) = call.func.as_ref() {
                // `Shipment.tenant_id.in_(ids)`, `.is_(None)`, ...
                if let Some(column) = tenant_column(columns, &method.value) {
                    report(range_of(expr), column.to_owned());
                }
            }
        }
        _ => {}
    }
}

/// `X.tenant_id` (any attribute named like a tenant column).
fn tenant_column<'c>(columns: &'c [String], expr: &Expr) -> Option<&'c str> {
    let Expr::Attribute(ast::ExprAttribute { attr, .. }) = expr else {
        return None;
    };
    columns
        .iter()
        .find(|c| c.as_str() == attr.as_str())
        .map(String::as_str)
}

/// SQLAlchemy's `and_` / `or_`, however imported.
fn is_conjunction(checker: &Checker<'_>, func: &Expr) -> bool {
    checker.qualified(func).is_some_and(|q| {
        q.starts_with("sqlalchemy") && matches!(q.rsplit('.').next(), Some("and_" | "or_"))
    })
}
