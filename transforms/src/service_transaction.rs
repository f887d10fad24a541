//! Service-layer transaction control: a service that commits, rolls back
//! or begins on a session it received from its caller (DB106).

use std::collections::HashSet;

use onesession_engine::python::ast::{Expr, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::text::{Edit, TextRange};
use onesession_engine::{declare_rule, Checker, Confidence, Layer, Rule, Transform};

use crate::helpers::{for_each_expr, method_name, session_attributes, SessionOrigin, Sessions};

declare_rule! {
    /// ## What it finds
    /// In a service module (layer `services`): `commit()`, `rollback()`,
    /// `begin()` or `begin_nested()` called on a session the function
    /// received from its caller: a parameter annotated with a session
    /// class, an injected request session, a parameter named like a
    /// session (`session`, `db`; not in a file that imports a DB-API driver
    /// such as `sqlite3`, whose connections go by the same names), or
    /// `self.session` / `self.db` stored by
    /// an `__init__` that received it. This includes
    /// `async with session.begin():`.
    ///
    /// Also a method wrapped by a project decorator whose body commits the
    /// instance's session (`@managed_tx(Mode.COMMIT)` with `self.db.commit()`
    /// in the wrapper), as likely: unless the decorator's arguments name
    /// another mode (`FLUSH`, `NONE`, `ROLLBACK`, `False`).
    ///
    /// A function that opened its own session (`async with get_session()
    /// as session:`) owns it and is not reported; neither are `commit()`
    /// calls on objects that are not sessions (zope `transaction.commit()`,
    /// a repository's `commit()`).
    ///
    /// A function documented as owning its transaction (its docstring or a
    /// comment says it "owns the transaction", or a background module that
    /// names it says so: a scheduler loop that hands each processing
    /// function a session to commit) is reported as likely, with no fix:
    /// it may be the design, to confirm and suppress, not a slip.
    ///
    /// ## Why is this bad?
    /// The caller (the request dependency, the background task's
    /// `get_session()`) owns the transaction and commits or rolls back
    /// once, at its end. A service that commits splits the caller's unit
    /// of work in two: a later failure can no longer roll back what the
    /// service already committed. A service rollback discards the caller's
    /// earlier work, and `begin()` fails outright ("a transaction is
    /// already begun") when the caller's transaction is open.
    ///
    /// ## Example
    /// ```python
    /// async def create_invoice(session: AsyncSession, shipment_id: int) -> Invoice:
    ///     invoice = Invoice(shipment_id=shipment_id)
    ///     session.add(invoice)
    ///     await session.commit()
    ///     return invoice
    /// ```
    /// Use instead:
    /// ```python
    /// async def create_invoice(session: AsyncSession, shipment_id: int) -> Invoice:
    ///     invoice = Invoice(shipment_id=shipment_id)
    ///     session.add(invoice)
    ///     await session.flush()
    ///     return invoice
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe for `commit()`: it becomes `flush()` (the SQL is still sent
    /// and ids are assigned, but the commit now happens at the caller's
    /// end); manual when a sanctioned provider does not commit (nothing
    /// would commit then): the configuration says `dependency-commits =
    /// false`, or, unsaid, the dependency or the context manager makes its
    /// session in the canonical module and never commits it there; also
    /// when neither is known. The flush is right only for callers whose
    /// session a provider commits: a job that opens its own session (see
    /// DB102, DB113) and relied on the service's commit loses its writes,
    /// so move such jobs onto the provider first. Manual for `rollback()` (raise
    /// instead and let the caller's transaction roll back) and for
    /// `begin()` / `begin_nested()` (remove the block and let the caller's
    /// transaction decide).
    pub static DB106 = { id: "DB106", name: "service-transaction", summary: "Service commits, rolls back or begins a transaction on its caller's session", requires_canonical: true };
}

const TRANSACTION_METHODS: &[&str] = &["commit", "rollback", "begin", "begin_nested"];

pub struct ServiceTransaction;

impl Transform for ServiceTransaction {
    fn name(&self) -> &'static str {
        "service-transaction"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB106];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        if checker.layer() != Layer::Service {
            return;
        }
        let sessions = Sessions::of_file(checker);
        let received = |expr: &Expr| {
            sessions
                .get(checker, expr)
                .is_some_and(|s| s.origin != SessionOrigin::Opened)
        };
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        let mut report = |receiver: &Expr, method: &str, call: &Expr| {
            let range = range_of(call);
            if seen.insert(range.start) {
                let name = checker.text(&range_of(receiver)).to_owned();
                let Expr::Call(call) = call else { return };
                // `commit()` becomes `flush()`: only the method name changes.
                let commit = (method == "commit")
                    .then(|| method_range(checker.source, &range_of(call.func.as_ref()), "commit"))
                    .flatten();
                found.push((range, message(&name, method), commit, Confidence::Sure));
            }
        };

        // `session.commit()` on a received session.
        checker.nodes.for_each_expr(|expr| {
            let Expr::Call(call) = expr else { return };
            let Some((receiver, method)) = method_name(call) else {
                return;
            };
            if TRANSACTION_METHODS.contains(&method) && received(receiver) {
                report(receiver, method, expr);
            }
        });

        // `self.session.commit()` in a class whose `__init__` stored a
        // received session as `self.session`.
        checker.nodes.for_each_stmt(|stmt| {
            let Stmt::ClassDef(class) = stmt else { return };
            let attributes = session_attributes(class, &received);
            if attributes.is_empty() {
                return;
            }
            for_each_expr(&class.body, |expr| {
                let Expr::Call(call) = expr else { return };
                let Some((receiver, method)) = method_name(call) else {
                    return;
                };
                if !TRANSACTION_METHODS.contains(&method) {
                    return;
                }
                if let Expr::Attribute(attr) = receiver {
                    if matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == "self")
                        && attributes.contains(attr.attr.as_str())
                    {
                        report(receiver, method, expr);
                    }
                }
            });
        });

        committing_decorators(checker, &mut found);
        for (range, message, commit, confidence) in found {
            if let Some(function) = documented_owner(checker, range.start) {
                let message = format!("{message}; but `{function}` is documented as owning its transaction (a loop hands it the session to commit): confirm that design and suppress this, or commit in the caller");
                if let Some(finding) = checker.report(&DB106, range, message) {
                    finding.confidence = Confidence::Likely;
                }
                continue;
            }
            let (fix, message) = match commit {
                // A provider does not commit (`dependency-commits = false`,
                // or its body in the canonical module): nothing commits at
                // the caller's end unless a router does, so a flush would
                // lose the write.
                Some(_) if checker.project.uncommitted_provider().is_some() => (
                    None,
                    format!(
                        "{message} (manual: {}, so a flush here would lose the write; commit where the request or job ends first)",
                        checker.project.uncommitted_provider().unwrap_or_default()
                    ),
                ),
                Some(at) => (
                    Some(checker.fix_unsafe(vec![Edit::replace(at, "flush")])),
                    message,
                ),
                None => (None, message),
            };
            if let Some(finding) = checker.report(&DB106, range, message) {
                finding.fix = fix;
                finding.confidence = confidence;
            }
        }
    }
}

/// Methods wrapped by a project decorator that commits the instance's
/// session (`@managed_tx_method(CommitMode.COMMIT)` whose wrapper calls
/// `self.db.commit()`): the same commit, written once for many methods.
/// A decorator call whose arguments ask for something else (`FLUSH`,
/// `NONE`, `ROLLBACK`, `False`) is skipped: the commit is conditional.
fn committing_decorators(
    checker: &Checker<'_>,
    found: &mut Vec<(TextRange, String, Option<TextRange>, Confidence)>,
) {
    let mut known: std::collections::HashMap<String, bool> = Default::default();
    checker.nodes.for_each_stmt(|stmt| {
        let (name, decorators) = match stmt {
            Stmt::FunctionDef(def) => (def.name.as_str(), &def.decorator_list),
            Stmt::AsyncFunctionDef(def) => (def.name.as_str(), &def.decorator_list),
            _ => return,
        };
        for decorator in decorators {
            let (callee, arguments) = match decorator {
                Expr::Call(call) => (call.func.as_ref(), Some(call)),
                other => (other, None),
            };
            let Some(qualified) = checker.qualified(callee) else {
                continue;
            };
            let commits = *known
                .entry(qualified.clone())
                .or_insert_with(|| decorator_commits(checker, &qualified));
            let other_mode = arguments.is_some_and(|call| {
                let text = checker.text(&range_of(call));
                ["FLUSH", "NONE", "ROLLBACK", "False"]
                    .iter()
                    .any(|mode| text.contains(mode))
            });
            if commits && !other_mode {
                let text = checker.text(&range_of(decorator));
                found.push((
                    range_of(decorator),
                    format!("`@{text}` commits the instance's session after `{name}`: in a service the caller owns the transaction; flush instead and let the caller commit"),
                    None,
                    // What the decorator does is read from its body.
                    Confidence::Likely,
                ));
            }
        }
    });
}

/// The project function `qualified` (a decorator) commits a session held
/// by the object it wraps: `self.<attribute>.commit()` in its body.
fn decorator_commits(checker: &Checker<'_>, qualified: &str) -> bool {
    let Some((module, name)) = qualified.rsplit_once('.') else {
        return false;
    };
    let Some(file) = checker.project.file_by_module(module) else {
        return false;
    };
    file.with_any_analysis(|analysis, _| {
        analysis.parsed.body.iter().any(|stmt| {
            let body = match stmt {
                Stmt::FunctionDef(def) if def.name.as_str() == name => &def.body,
                Stmt::AsyncFunctionDef(def) if def.name.as_str() == name => &def.body,
                _ => return false,
            };
            let mut commits = false;
            for_each_expr(body, |expr| {
                let Expr::Call(call) = expr else { return };
                if let Some((Expr::Attribute(held), "commit")) = method_name(call) {
                    commits |=
                        matches!(held.value.as_ref(), Expr::Name(n) if n.id.as_str() == "self");
                }
            });
            commits
        })
    })
    .unwrap_or(false)
}

/// "owns its transaction", "responsible for the commit", "commits its own":
/// compiled once per process, not per file.
static SAYS_IT_OWNS_ITS_TRANSACTION: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\bowns?\s+(?:the|its|their)\s+(?:own\s+)?transactions?\b|\bresponsible\s+for\s+(?:the\s+)?commit|\bcommits?\s+(?:its|their)\s+own\b",
        )
        .ok()
    });

/// The texts of background modules that say a function owns its
/// transaction: read once per project, when a finding first asks.
struct OwnerLoops(Vec<String>);

/// "the caller owns the transaction" says the opposite.
fn claims_ownership(says_so: &regex::Regex, text: &str) -> bool {
    says_so.find_iter(text).any(|m| {
        let before = &text[text.floor_char_boundary(m.start().saturating_sub(30))..m.start()];
        !before.to_ascii_lowercase().contains("caller")
    })
}

/// The name of the function around `offset` when it is documented as
/// owning its transaction: in its own text, or in a background module
/// that names it.
fn documented_owner(checker: &Checker<'_>, offset: usize) -> Option<String> {
    let says_so = SAYS_IT_OWNS_ITS_TRANSACTION.as_ref()?;
    let scope = checker.semantic.function_at(offset)?;
    let def = checker.semantic.scope(scope).node_range.clone();
    let text = checker.text(&def);
    // The definition binds its name over the whole statement.
    let binding = checker.semantic.binding_starting_at(def.start)?;
    let name = checker.semantic.binding(binding).name.clone();
    if claims_ownership(says_so, text) {
        return Some(name);
    }
    let loops = checker.project.memo(|| {
        OwnerLoops(
            checker
                .project
                .files
                .iter()
                .filter(|f| f.layer() == Layer::Background)
                .filter_map(|f| f.with_text(|t| claims_ownership(says_so, t).then(|| t.to_owned())))
                .flatten()
                .collect(),
        )
    });
    let word = regex::Regex::new(&format!(r"\b{}\b", regex::escape(&name))).ok()?;
    loops.0.iter().any(|t| word.is_match(t)).then_some(name)
}

/// The range of the attribute name `method` in a callee `x.method`: the
/// last occurrence of the name in the callee's text.
fn method_range(source: &str, func: &TextRange, method: &str) -> Option<TextRange> {
    let text = source.get(func.clone())?;
    let at = func.start + text.rfind(method)?;
    (at + method.len() == func.end).then(|| at..at + method.len())
}

fn message(name: &str, method: &str) -> String {
    match method {
        "commit" => format!(
            "`{name}.commit()` in a service: the caller owns the transaction: use `flush()`"
        ),
        "rollback" => format!(
            "`{name}.rollback()` in a service: the caller owns the transaction: raise instead and let the caller roll back"
        ),
        _ => format!(
            "`{name}.{method}()` in a service: the caller owns the transaction: let the caller's transaction decide"
        ),
    }
}
