//! Tenant filtering left in queries (DB108).

use std::collections::HashSet;

use onesession_engine::python::ast::{self, Expr};
use onesession_engine::python::source::{line_end, line_start, remove_list_item};
use onesession_engine::python::{range_of, BindingKind, ScopeId, ScopeKind};
use onesession_engine::text::{Edit, TextRange};
use onesession_engine::{declare_rule, Checker, Confidence, Group, Rule, Transform};

use crate::helpers::{imports_any_of, method_name};

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
    /// Also, reported without a fix:
    /// - predicates collected into a list and passed on as
    ///   `.where(*filters)` or `and_(*filters)`
    ///   (`filters.append(Shipment.tenant_id == tenant_id)`);
    /// - raw SQL that filters on a tenant column: a string or f-string
    ///   (also one assembled from parts) with `WHERE`/`AND`/`ON tenant_id =
    ///   ...`, or `tenant_id = :tenant_id` (`%s`, `%(name)s`, `$1`) with a
    ///   bind parameter. Docstrings and the canonical module are not
    ///   reported.
    ///
    /// Comparisons outside queries (`if shipment.tenant_id != tenant.id:`),
    /// model columns, Pydantic fields, dict keys, constructor keywords and
    /// log messages (`f"tenant_id = {tenant_id}"`) are not reported.
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
    /// Manual unless the canonical session provably applies the tenant
    /// filter: `tenant-filter-in-session = true` in the configuration, or
    /// its module calls `with_loader_criteria` with a tenant column in its
    /// arguments (a `do_orm_execute` hook alone proves nothing: it may only
    /// log, or hide soft-deleted rows). Otherwise the hand-written filter
    /// is the only guard, and removing it would leak rows across tenants.
    ///
    /// Then unsafe: the predicate is removed with its comma (its whole line when
    /// it stands alone on one), from the filter call or from an `and_(...)`
    /// there; the `.where()` / `.filter()` / `.filter_by()` call goes from
    /// the chain when it held only tenant predicates. This is only right
    /// once the tenant filter is enforced centrally. Manual inside
    /// `or_(...)` (removing an alternative changes which rows match), for
    /// an `and_(...)` holding only tenant predicates, for a
    /// parenthesised predicate, and for any predicate but an equality with
    /// the current tenant (`Shipment.tenant_id == tenant_id`, `tenant.id`,
    /// `current_tenant()`: a name that says tenant or the column, not a
    /// module-level constant): `!=`, `>=`, `.in_(ids)`, `.is_(None)`,
    /// `== 42`, `== SHARED_TENANT`, `== tenant_id + 1`,
    /// `== other_tenant_id`, `== Carrier.tenant_id` (a join) or
    /// `filter_by(tenant_id=42)` select other rows than the central filter,
    /// and removing them changes what the query returns.
    pub static DB108 = { id: "DB108", name: "tenant-filter", summary: "Tenant filtering written by hand in a query" };
}

const FILTER_METHODS: &[&str] = &["where", "filter", "filter_by", "having"];

/// Raw SQL only: the file talks to the database through one of these.
const RAW_SQL_DRIVERS: &[&str] = &["asyncpg", "psycopg", "psycopg2", "aiopg", "databases"];

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
        let columns = &checker.settings().tenant_columns;
        if columns.is_empty() {
            return;
        }
        if !checker.is_canonical()
            && (checker.touches_database() || imports_any_of(checker, RAW_SQL_DRIVERS))
        {
            raw_sql(checker, columns);
        }
        if !checker.touches_database() {
            return;
        }
        filter_lists(checker, columns);
        let source = checker.source;
        let mut found: Vec<(TextRange, String, Option<Removal>)> = Vec::new();
        let mut seen = HashSet::new();
        checker.nodes.for_each_expr(|expr| {
            let Expr::Call(call) = expr else { return };
            let Some((receiver, method)) = method_name(call) else {
                return;
            };
            if !FILTER_METHODS.contains(&method) {
                return;
            }
            let items = call_items(call);
            // Every argument is a tenant predicate: the call goes.
            let all_tenant = call
                .args
                .iter()
                .all(|a| is_tenant_predicate(checker, columns, a))
                && call.keywords.iter().all(|k| {
                    method == "filter_by"
                        && is_current_tenant_value(checker, columns, &k.value)
                        && k.arg
                            .as_deref()
                            .is_some_and(|a| columns.iter().any(|c| c == a))
                });
            let whole_call = || Removal {
                edit: remove_call(source, &range_of(receiver), &range_of(expr)),
                group: Some(Group::InFile(format!(
                    "tenant-filter:{}",
                    range_of(expr).start
                ))),
            };
            for arg in &call.args {
                let mut in_arg = Vec::new();
                predicates(checker, columns, arg, &mut |range, column, parent, current| {
                    in_arg.push((range, column, parent, current))
                });
                for (range, column, parent, current) in in_arg {
                    if !seen.insert(range.start) {
                        continue;
                    }
                    let removal = match parent {
                        // Only what the central filter applies anyway goes.
                        _ if !current => None,
                        Parent::Filter if all_tenant => Some(whole_call()),
                        Parent::Filter => remove_item(source, &items, &range),
                        Parent::Conjunction(conjunction) => {
                            conjunction_removal(checker, columns, conjunction, &range)
                        }
                    };
                    found.push((
                        range,
                        format!("query filters on the tenant column `{column}` in `.{method}()`; tenant isolation belongs in one place, not in each query"),
                        removal,
                    ));
                }
            }
            if method == "filter_by" {
                for keyword in &call.keywords {
                    let Some(arg) = keyword.arg.as_deref() else {
                        continue;
                    };
                    if columns.iter().any(|c| c == arg) {
                        let range = range_of(keyword);
                        if seen.insert(range.start) {
                            let removal = if !is_current_tenant_value(checker, columns, &keyword.value) {
                                None
                            } else if all_tenant {
                                Some(whole_call())
                            } else {
                                remove_item(source, &items, &range)
                            };
                            found.push((
                                range,
                                format!("`filter_by({arg}=...)` filters on the tenant column by hand; tenant isolation belongs in one place, not in each query"),
                                removal,
                            ));
                        }
                    }
                }
            }
        });
        // Removing a filter nothing else applies leaks rows across tenants.
        let removable = checker.canon().applies_tenant_filter;
        for (range, message, removal) in found {
            let removal = removal.filter(|_| removable);
            let message = if removable {
                message
            } else {
                format!("{message}; keep it until the canonical session applies the tenant filter (then set `tenant-filter-in-session = true`, and the fix removes it)")
            };
            let fix = removal
                .as_ref()
                .map(|r| checker.fix_unsafe(vec![r.edit.clone()]));
            if let Some(finding) = checker.report(&DB108, range, message) {
                if let Some(removal) = removal {
                    finding.group = removal.group;
                }
                finding.fix = fix;
            }
        }
    }
}

/// What the fix of one predicate deletes; findings whose fixes remove the
/// same whole call share a group (one unit, identical edits).
struct Removal {
    edit: Edit,
    group: Option<Group>,
}

/// Where a predicate sits: directly in the filter call's arguments, or in
/// the arguments of an `and_(...)` / `or_(...)` there.
enum Parent<'a> {
    Filter,
    Conjunction(&'a ast::ExprCall),
}

/// The ranges of a call's arguments and keywords, in source order.
fn call_items(call: &ast::ExprCall) -> Vec<TextRange> {
    let mut items: Vec<TextRange> = call
        .args
        .iter()
        .map(range_of)
        .chain(call.keywords.iter().map(range_of))
        .collect();
    items.sort_by_key(|r| r.start);
    items
}

/// `and_(a, b)`: the predicate is removed from it. Manual for `or_`
/// (removing an alternative narrows the query) and for an `and_` whose
/// every argument is a tenant predicate (it would be left empty).
fn conjunction_removal(
    checker: &Checker<'_>,
    columns: &[String],
    conjunction: &ast::ExprCall,
    predicate: &TextRange,
) -> Option<Removal> {
    let is_and = checker
        .qualified(&conjunction.func)
        .is_some_and(|q| q.rsplit('.').next() == Some("and_"));
    if !is_and
        || !conjunction.keywords.is_empty()
        || conjunction
            .args
            .iter()
            .all(|a| is_tenant_predicate(checker, columns, a))
    {
        return None;
    }
    remove_item(checker.source, &call_items(conjunction), predicate)
}

/// Removes the item at `range` from a comma-separated list: its whole
/// line(s) when it stands alone on them (with its comma and comment),
/// else the item with its comma. `None` when the deleted text would not
/// be balanced (a parenthesised item).
fn remove_item(source: &str, items: &[TextRange], range: &TextRange) -> Option<Removal> {
    let index = items.iter().position(|r| r == range)?;
    let line_rest = &source[range.end..line_end(source, range.end)];
    let rest = line_rest.trim_start();
    let rest = rest.strip_prefix(',').unwrap_or(rest).trim();
    let alone = items.len() > 1
        && source[line_start(source, range.start)..range.start]
            .trim()
            .is_empty()
        && (rest.is_empty() || rest.starts_with('#'))
        && line_rest.ends_with('\n');
    let edit = if alone {
        Edit::delete(line_start(source, range.start)..line_end(source, range.end))
    } else {
        remove_list_item(items, index)
    };
    balanced(&source[edit.range.clone()]).then_some(Removal { edit, group: None })
}

/// Deletes the call `receiver.where(...)` from a method chain, keeping
/// `receiver`: its whole line when the call starts a line of a
/// parenthesised chain, else from the end of the receiver to the end of
/// the call (valid whatever the line breaks and backslashes between).
fn remove_call(source: &str, receiver: &TextRange, call: &TextRange) -> Edit {
    let head_end = source[receiver.end..call.end]
        .find('(')
        .map_or(call.end, |i| receiver.end + i);
    let dot = source[receiver.end..head_end]
        .rfind('.')
        .map(|i| receiver.end + i);
    if let Some(dot) = dot {
        let line = line_start(source, dot);
        let gap = &source[receiver.end..dot];
        let line_rest = &source[call.end..line_end(source, call.end)];
        let rest = line_rest.trim();
        if gap.contains('\n')
            && !gap.contains('\\')
            && source[line..dot].trim().is_empty()
            && (rest.is_empty() || rest.starts_with('#'))
            && line_rest.ends_with('\n')
        {
            return Edit::delete(line..line_end(source, call.end));
        }
    }
    Edit::delete(receiver.end..call.end)
}

/// Parentheses and brackets balance in `text` (ignoring strings).
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth < 0 {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0 && quote.is_none()
}

/// True when `expr` is itself a tenant predicate (not a conjunction).
fn is_tenant_predicate(checker: &Checker<'_>, columns: &[String], expr: &Expr) -> bool {
    let mut direct = false;
    let range = range_of(expr);
    predicates(checker, columns, expr, &mut |r, _, parent, current| {
        direct |= matches!(parent, Parent::Filter) && r == range && current;
    });
    direct
}

/// Reports every tenant predicate in `expr`, one argument of a filter call.
fn predicates<'e>(
    checker: &Checker<'_>,
    columns: &[String],
    expr: &'e Expr,
    report: &mut impl FnMut(TextRange, String, Parent<'e>, bool),
) {
    predicates_in(checker, columns, expr, Parent::Filter, report)
}

fn predicates_in<'e>(
    checker: &Checker<'_>,
    columns: &[String],
    expr: &'e Expr,
    parent: Parent<'e>,
    report: &mut impl FnMut(TextRange, String, Parent<'e>, bool),
) {
    match expr {
        Expr::Compare(compare) => {
            let column = std::iter::once(compare.left.as_ref())
                .chain(&compare.comparators)
                .find_map(|side| tenant_column(columns, side));
            if let Some(column) = column {
                report(
                    range_of(expr),
                    column.to_owned(),
                    parent,
                    is_current_tenant(checker, columns, compare),
                );
            }
        }
        Expr::Call(call) => {
            if is_conjunction(checker, &call.func) {
                for arg in &call.args {
                    predicates_in(checker, columns, arg, Parent::Conjunction(call), report);
                }
            } else if let Expr::Attribute(method) = call.func.as_ref() {
                // `Shipment.tenant_id.in_(ids)`, `.is_(None)`, ...
                if let Some(column) = tenant_column(columns, &method.value) {
                    report(range_of(expr), column.to_owned(), parent, false);
                }
            }
        }
        _ => {}
    }
}

/// `X.tenant_id == tenant` (either way round), the one predicate the
/// central filter applies too: not `!=`, `>=`, `.in_(...)`, `.is_(None)`,
/// nor a value other than the current tenant (see
/// [`is_current_tenant_value`]), whose removal changes what the query
/// returns.
fn is_current_tenant(
    checker: &Checker<'_>,
    columns: &[String],
    compare: &ast::ExprCompare,
) -> bool {
    let [ast::CmpOp::Eq] = compare.ops.as_slice() else {
        return false;
    };
    let [right] = compare.comparators.as_slice() else {
        return false;
    };
    let left = compare.left.as_ref();
    let other = if tenant_column(columns, left).is_some() {
        right
    } else {
        left
    };
    is_current_tenant_value(checker, columns, other)
}

/// What the central filter compares with: the request's or the context's
/// tenant, written with a word that says tenant or a tenant column
/// (`tenant_id`, `tenant.id`, `ctx.tenant_id`, `current_tenant()`,
/// `org.id` for `org_id`). Not a constant (`42`, a
/// module-level name such as `SHARED_TENANT`), arithmetic (`tenant_id +
/// 1`), another table's column (`Carrier.tenant_id`: a join), nor a name
/// that says another tenant (`other_tenant_id`).
fn is_current_tenant_value(checker: &Checker<'_>, columns: &[String], expr: &Expr) -> bool {
    let callee_or_value = match expr {
        Expr::Call(call) if call.args.is_empty() && call.keywords.is_empty() => call.func.as_ref(),
        other => other,
    };
    let mut words = Vec::new();
    let mut at = callee_or_value;
    let base = loop {
        match at {
            Expr::Attribute(attr) => {
                words.push(attr.attr.as_str());
                at = attr.value.as_ref();
            }
            Expr::Name(name) => {
                words.push(name.id.as_str());
                break name;
            }
            _ => return false,
        }
    };
    let module_constant = checker.semantic.resolve(base).is_some_and(|id| {
        let binding = checker.semantic.binding(id);
        checker.semantic.scope(binding.scope).kind == ScopeKind::Module
            && binding.kind == BindingKind::Assignment
    });
    let says = |part: &str| words.iter().any(|w| w.to_ascii_lowercase().contains(part));
    !module_constant
        && !base.id.starts_with(|c: char| c.is_ascii_uppercase())
        && (says("tenant")
            || columns
                .iter()
                .any(|c| says(&c.to_ascii_lowercase()) || says(c.trim_end_matches("_id"))))
        && !says("other")
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

/// The tenant predicate of raw SQL: after `WHERE`/`AND`/`ON`, compared to
/// a `:name` bind parameter, or to a `%s`/`%(name)s`/`$1` one in text that
/// reads as SQL. A log message (`f"tenant_id = {tenant_id}"`,
/// `"tenant_id=%s"`) is none of these.
struct SqlPredicate {
    sure: regex::Regex,
    positional: regex::Regex,
    statement: regex::Regex,
}

impl SqlPredicate {
    fn new(columns: &[String]) -> Option<Self> {
        let columns = columns
            .iter()
            .map(|c| regex::escape(c))
            .collect::<Vec<_>>()
            .join("|");
        let column = format!(r#"(?:\w+\.)?"?\b(?:{columns})\b"?"#);
        let compare = r"\s*(?:=|!=|<>|\bin\b|\bis\b)\s*\(?\s*";
        Some(Self {
            sure: regex::Regex::new(&format!(
                r"(?i)\b(?:where|and|on)\s+({column}){compare}|({column}){compare}:\w"
            ))
            .ok()?,
            positional: regex::Regex::new(&format!(
                r"(?i)({column}){compare}(?:%s|%\(\w+\)s|\$\d)"
            ))
            .ok()?,
            statement: regex::Regex::new(r"(?i)\b(?:select|update|delete|insert|where|from)\b")
                .ok()?,
        })
    }

    /// Where the tenant column of a predicate starts in `text`.
    fn find(&self, text: &str) -> Option<usize> {
        let column = |c: regex::Captures<'_>| c.get(1).or_else(|| c.get(2)).map(|m| m.start());
        self.sure.captures(text).and_then(column).or_else(|| {
            self.statement
                .is_match(text)
                .then(|| self.positional.captures(text).and_then(column))
                .flatten()
        })
    }
}

/// DB108 on string literals and f-strings that filter on a tenant column
/// in SQL. Manual: SQL text is not rewritten.
fn raw_sql(checker: &mut Checker<'_>, columns: &[String]) {
    let source = checker.source;
    // Cheap first: no string can match when no column is written at all.
    if !columns.iter().any(|c| source.contains(c.as_str())) {
        return;
    }
    // Compiling costs more than checking a file: once per project (the
    // columns are its settings').
    struct Compiled(Option<SqlPredicate>);
    let compiled = checker
        .project
        .memo(|| Compiled(SqlPredicate::new(columns)));
    let Some(pattern) = compiled.0.as_ref() else {
        return;
    };
    let mut docstrings = HashSet::new();
    checker.nodes.for_each_stmt(|stmt| {
        if let ast::Stmt::Expr(e) = stmt {
            docstrings.insert(range_of(e.value.as_ref()).start);
        }
    });
    let mut found: Vec<TextRange> = Vec::new();
    let mut inside_fstring: Vec<TextRange> = Vec::new();
    checker.nodes.for_each_expr(|expr| {
        let range = range_of(expr);
        if docstrings.contains(&range.start)
            || inside_fstring
                .iter()
                .any(|f| f.start <= range.start && range.end <= f.end)
        {
            return;
        }
        let text = match expr {
            Expr::Constant(ast::ExprConstant {
                value: ast::Constant::Str(text),
                ..
            }) => text.clone(),
            Expr::JoinedStr(joined) => {
                inside_fstring.push(range.clone());
                joined
                    .values
                    .iter()
                    .map(|part| match part {
                        Expr::Constant(ast::ExprConstant {
                            value: ast::Constant::Str(text),
                            ..
                        }) => text.as_str(),
                        _ => "{}",
                    })
                    .collect()
            }
            _ => return,
        };
        if pattern.find(&text).is_some() {
            // At the column in the source when it is written there as is
            // (a multi-line string's line), else at the string.
            let at = pattern
                .find(checker.text(&range))
                .map_or(range.start, |i| range.start + i);
            found.push(at..at);
        }
    });
    for range in found {
        // Recognised by its text: likely, not sure.
        if let Some(finding) = checker.report(
            &DB108,
            range,
            "raw SQL filters on a tenant column by hand; tenant isolation belongs in one place (the session), not in each query; remove it by hand once the session applies it",
        ) {
            finding.confidence = Confidence::Likely;
        }
    }
}

/// DB108 on tenant predicates collected into a list that a filter call
/// unpacks (`filters.append(Model.tenant_id == t)` ... `.where(*filters)`).
/// Manual: the list is built elsewhere in the function.
fn filter_lists<'a>(checker: &mut Checker<'a>, columns: &[String]) {
    // The unpacked names, with the scope they are looked up in.
    let mut lists: Vec<(String, Option<ScopeId>, &'static str)> = Vec::new();
    checker.nodes.for_each_expr(|expr| {
        let Expr::Call(call) = expr else { return };
        let filter =
            method_name(call).and_then(|(_, m)| FILTER_METHODS.iter().find(|f| **f == m).copied());
        let method = match filter {
            Some(method) => method,
            None if is_conjunction(checker, &call.func) => "and_",
            None => return,
        };
        for arg in &call.args {
            if let Expr::Starred(starred) = arg {
                if let Expr::Name(name) = starred.value.as_ref() {
                    let scope = checker.semantic.function_at(range_of(name).start);
                    lists.push((name.id.to_string(), scope, method));
                }
            }
        }
    });
    if lists.is_empty() {
        return;
    }
    let list_of = |name: &str, at: usize| {
        let scope = checker.semantic.function_at(at);
        lists
            .iter()
            .find(|(n, s, _)| n == name && *s == scope)
            .map(|(n, _, m)| (n.clone(), *m))
    };
    // Every expression put into such a list: list literals bound to the
    // name, `+=`, `.append(x)`, `.extend([...])`, `.insert(i, x)`.
    let mut members: Vec<(&Expr, String, &'static str)> = Vec::new();
    checker.nodes.for_each_stmt(|stmt| {
        let (target, value) = match stmt {
            ast::Stmt::Assign(ast::StmtAssign { targets, value, .. }) if targets.len() == 1 => {
                (&targets[0], value.as_ref())
            }
            ast::Stmt::AnnAssign(ast::StmtAnnAssign {
                target,
                value: Some(value),
                ..
            }) => (target.as_ref(), value.as_ref()),
            ast::Stmt::AugAssign(ast::StmtAugAssign { target, value, .. }) => {
                (target.as_ref(), value.as_ref())
            }
            _ => return,
        };
        let Expr::Name(name) = target else { return };
        let Some(list) = list_of(&name.id, range_of(name).start) else {
            return;
        };
        if let Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) =
            value
        {
            members.extend(elts.iter().map(|e| (e, list.0.clone(), list.1)));
        }
    });
    checker.nodes.for_each_expr(|expr| {
        let Expr::Call(call) = expr else { return };
        let Some((Expr::Name(name), method)) = method_name(call) else {
            return;
        };
        let Some(list) = list_of(&name.id, range_of(name).start) else {
            return;
        };
        match (method, call.args.as_slice()) {
            ("append", [item]) | ("insert", [_, item]) => members.push((item, list.0, list.1)),
            (
                "extend",
                [Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. })],
            ) => {
                members.extend(elts.iter().map(|e| (e, list.0.clone(), list.1)));
            }
            _ => {}
        }
    });
    let mut found = Vec::new();
    for (member, list, method) in members {
        predicates(checker, columns, member, &mut |range, column, _, _| {
            found.push((range, format!("query filters on the tenant column `{column}` through the list `{list}` unpacked into `{method}(*{list})`; tenant isolation belongs in one place, not in each query (manual: the list is built by hand)")));
        });
    }
    for (range, message) in found {
        checker.report(&DB108, range, message);
    }
}
