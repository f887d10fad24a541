//! Router writes outside a transaction when the session dependency does
//! not commit (DB119, off by default).

use onesession_engine::python::ast::{Expr, Stmt};
use onesession_engine::python::range_of;
use onesession_engine::python::visit::{self, Visitor};
use onesession_engine::python::BindingId;
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Layer, Rule, Transform};

use crate::helpers::{method_name, SessionOrigin, Sessions};

declare_rule! {
    /// ## What it finds
    /// Only when the configuration says `dependency-commits = false` (the
    /// session dependency does not commit on exit). In a router module: an
    /// endpoint that writes through its injected request session
    /// (`session.add(...)`, `add_all`, `delete`, `merge`, or
    /// `session.execute(insert(...) / update(...) / delete(...))`) outside
    /// an `async with session.begin():` block.
    ///
    /// ## Why is this bad?
    /// If nothing commits the request session, a write outside an explicit
    /// transaction is rolled back when the session closes: the endpoint
    /// answers 200 and the data is gone. `async with session.begin():`
    /// commits on success and rolls back on error, visibly.
    ///
    /// ## Example
    /// ```python
    /// @router.post("/events")
    /// async def record(event: Event, session: AsyncSession = Depends(get_session_dependency)):
    ///     session.add(DeliveryEvent(**event.model_dump()))
    /// ```
    /// Use instead:
    /// ```python
    /// @router.post("/events")
    /// async def record(event: Event, session: AsyncSession = Depends(get_session_dependency)):
    ///     async with session.begin():
    ///         session.add(DeliveryEvent(**event.model_dump()))
    /// ```
    ///
    /// ## Fix safety
    /// Manual: where the transaction should start and end (and what the
    /// endpoint must do after it) is a decision about the endpoint.
    pub static DB119 = { id: "DB119", name: "router-transaction", summary: "Router writes through its request session outside `async with session.begin()`", enabled_by_default: false, requires_canonical: true };
}

const WRITE_METHODS: &[&str] = &["add", "add_all", "delete", "merge"];
const BEGIN_METHODS: &[&str] = &["begin", "begin_nested"];

pub struct RouterTransaction;

impl Transform for RouterTransaction {
    fn name(&self) -> &'static str {
        "router-transaction"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB119];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        if checker.settings().dependency_commits != Some(false) || checker.layer() != Layer::Router
        {
            return;
        }
        let sessions = Sessions::of_file(checker);
        let mut writes = Writes {
            checker,
            sessions: &sessions,
            begun: Vec::new(),
            found: Vec::new(),
        };
        writes.visit_body(&checker.parsed.body);
        let found = writes.found;
        for (range, message) in found {
            checker.report(&DB119, range, message);
        }
    }
}

struct Writes<'c, 'a> {
    checker: &'c Checker<'a>,
    sessions: &'c Sessions,
    /// The sessions whose `async with s.begin():` encloses the walk.
    begun: Vec<BindingId>,
    found: Vec<(TextRange, String)>,
}

impl Writes<'_, '_> {
    /// The binding of `expr` when it is an injected request session.
    fn request_session(&self, expr: &Expr) -> Option<BindingId> {
        let Expr::Name(name) = expr else { return None };
        let info = self.sessions.get(self.checker, expr)?;
        if info.origin != SessionOrigin::Request {
            return None;
        }
        self.checker.semantic.resolve(name)
    }

    /// `insert(...)`, `update(X).where(...).values(...)`: a statement
    /// built from SQLAlchemy's DML constructors.
    fn is_dml(&self, mut expr: &Expr) -> bool {
        while let Expr::Call(call) = expr {
            if self.checker.qualified(&call.func).is_some_and(|q| {
                q.starts_with("sqlalchemy")
                    && matches!(q.rsplit('.').next(), Some("insert" | "update" | "delete"))
            }) {
                return true;
            }
            match call.func.as_ref() {
                Expr::Attribute(attr) => expr = &attr.value,
                _ => return false,
            }
        }
        false
    }
}

impl<'a> Visitor<'a> for Writes<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let Stmt::AsyncWith(with) = stmt else {
            visit::walk_stmt(self, stmt);
            return;
        };
        let mut pushed = 0;
        for item in &with.items {
            self.visit_with_item(item);
            if let Expr::Call(call) = &item.context_expr {
                if let Some((receiver, method)) = method_name(call) {
                    if BEGIN_METHODS.contains(&method) {
                        if let Some(id) = self.request_session(receiver) {
                            self.begun.push(id);
                            pushed += 1;
                        }
                    }
                }
            }
        }
        self.visit_body(&with.body);
        self.begun.truncate(self.begun.len() - pushed);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some((receiver, method)) = method_name(call) {
                let write = WRITE_METHODS.contains(&method)
                    || (method == "execute" && call.args.first().is_some_and(|a| self.is_dml(a)));
                if write {
                    if let Some(id) = self.request_session(receiver) {
                        if !self.begun.contains(&id) {
                            let name = self.checker.text(&range_of(receiver)).to_owned();
                            let with = if self
                                .checker
                                .semantic
                                .in_async_function(range_of(expr).start)
                            {
                                "async with"
                            } else {
                                "with"
                            };
                            self.found.push((
                                range_of(expr),
                                format!("`{name}.{method}()` writes through the request session outside `{with} {name}.begin():`; the dependency does not commit, so the write is lost"),
                            ));
                        }
                    }
                }
            }
        }
        visit::walk_expr(self, expr);
    }
}
