//! What several transforms need to know about sessions in a file.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use onesession_engine::names::DBAPI_DRIVERS;
use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::visit::{self, Nodes, Visitor};
use onesession_engine::python::{parse_module, range_of, BindingId, BindingKind};
use onesession_engine::text::TextRange;
use onesession_engine::Checker;

use crate::engine_config::str_literal;

pub use onesession_engine::python::visit::{for_each_expr, for_each_stmt};

/// How a name came to hold a database session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOrigin {
    /// An endpoint parameter injected with `Depends(<dependency>)`: the
    /// request's session, owned by the request.
    Request,
    /// A parameter annotated with a session class: the caller's session.
    Parameter,
    /// Opened here: `async with get_session() as s`, `s = factory()`.
    Opened,
    /// A parameter named like a session (`session`, `db`) in a file that
    /// uses the database and imports no DB-API driver.
    Named,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionInfo {
    pub origin: SessionOrigin,
    /// `Some(true)` for an `AsyncSession`, `Some(false)` for a sync
    /// `Session`, `None` when unknown.
    pub is_async: Option<bool>,
}

const SESSION_PARAM_NAMES: &[&str] = &["session", "db", "db_session", "async_session"];

/// The names bound to sessions in one file.
pub struct Sessions {
    by_binding: HashMap<BindingId, SessionInfo>,
}

impl Sessions {
    /// The file's sessions, collected once per file and shared by the
    /// transforms that ask.
    pub fn of_file(checker: &Checker<'_>) -> Rc<Self> {
        checker.memo(|| Self::collect(checker))
    }

    fn collect(checker: &Checker<'_>) -> Self {
        let mut collector = Collector {
            checker,
            touches_db: checker.touches_database(),
            imports_a_driver: imports_any_of(checker, DBAPI_DRIVERS),
            by_binding: HashMap::new(),
        };
        collector.visit_body(&checker.parsed.body);
        Self {
            by_binding: collector.by_binding,
        }
    }

    /// What `expr` (a name) holds, when it is a session.
    pub fn get(&self, checker: &Checker<'_>, expr: &Expr) -> Option<SessionInfo> {
        let Expr::Name(name) = expr else { return None };
        let binding = checker.semantic.resolve(name)?;
        self.by_binding.get(&binding).copied()
    }

    pub fn is_async_session(&self, checker: &Checker<'_>, expr: &Expr) -> bool {
        self.get(checker, expr)
            .is_some_and(|s| s.is_async == Some(true))
    }
}

struct Collector<'c, 'a> {
    checker: &'c Checker<'a>,
    touches_db: bool,
    /// The file imports a DB-API driver (`sqlite3`, `psycopg2`): a
    /// parameter named `db` may be one of its connections.
    imports_a_driver: bool,
    by_binding: HashMap<BindingId, SessionInfo>,
}

/// The file imports something from one of `packages` (top-level names:
/// `sqlite3`, `asyncpg`).
pub fn imports_any_of(checker: &Checker<'_>, packages: &[&str]) -> bool {
    checker.semantic.bindings().any(|(_, binding)| {
        let imported = match &binding.kind {
            BindingKind::Import { qualified } => qualified.as_str(),
            BindingKind::ModuleImport { module } => module.as_str(),
            _ => return false,
        };
        let package = imported.split('.').next().unwrap_or(imported);
        packages.contains(&package)
    })
}

impl Collector<'_, '_> {
    fn bind_at(&mut self, range_start: usize, info: SessionInfo) {
        if let Some(id) = self.checker.semantic.binding_starting_at(range_start) {
            self.by_binding.insert(id, info);
        }
    }

    /// What calling `func` produces, if it is a session.
    fn produced_session(&self, value: &Expr) -> Option<SessionInfo> {
        let Expr::Call(call) = value else { return None };
        let checker = self.checker;
        let opened = |is_async| SessionInfo {
            origin: SessionOrigin::Opened,
            is_async,
        };
        // A sync provider (`@contextmanager`, `def get_db`) hands out a
        // sync `Session`; an unknown kind is taken for async, as before
        // kinds were known.
        let provider = if checker.is_context_manager(&call.func) {
            Some(checker.canon().context_manager_provider())
        } else if checker.is_dependency(&call.func) {
            Some(checker.canon().dependency_provider())
        } else {
            None
        };
        if let Some(provider) = provider {
            let is_async = provider.and_then(|p| p.kind.is_async());
            return Some(opened(Some(is_async != Some(false))));
        }
        if checker.is_factory(&call.func) {
            return Some(opened(None));
        }
        if let Some(q) = checker.qualified(&call.func) {
            if onesession_engine::names::is_one_of(
                &q,
                onesession_engine::names::ASYNC_SESSION_CLASSES,
            ) {
                return Some(opened(Some(true)));
            }
            if onesession_engine::names::is_one_of(&q, onesession_engine::names::SESSION_CLASSES) {
                return Some(opened(Some(false)));
            }
        }
        // `async_sessionmaker(engine)()`
        if let Expr::Call(inner) = call.func.as_ref() {
            if checker.is_sessionmaker(&inner.func) {
                return Some(opened(None));
            }
        }
        None
    }

    fn annotation_session(&self, annotation: &Expr) -> Option<bool> {
        let checker = self.checker;
        let annotation = match annotation {
            // `Annotated[AsyncSession, Depends(...)]`
            Expr::Subscript(sub) => match sub.slice.as_ref() {
                Expr::Tuple(t) if !t.elts.is_empty() => &t.elts[0],
                _ => annotation,
            },
            _ => annotation,
        };
        let q = checker.qualified(annotation)?;
        if onesession_engine::names::is_one_of(&q, onesession_engine::names::ASYNC_SESSION_CLASSES)
        {
            Some(true)
        } else if onesession_engine::names::is_one_of(&q, onesession_engine::names::SESSION_CLASSES)
        {
            Some(false)
        } else {
            None
        }
    }

    fn parameters(&mut self, args: &ast::Arguments) {
        for arg in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            let checker = self.checker;
            let annotated = arg
                .def
                .annotation
                .as_deref()
                .and_then(|a| self.annotation_session(a));
            let depends = arg
                .default
                .as_deref()
                .and_then(|d| checker.depends_target(d))
                .or_else(|| annotated_depends(checker, arg.def.annotation.as_deref()));
            // `db: DbSession` with `DbSession = Annotated[Session, Depends(get_db)]`.
            let alias = arg
                .def
                .annotation
                .as_deref()
                .and_then(|a| checker.qualified(a))
                .and_then(|q| checker.project.annotated_alias(&q));
            let canon = checker.canon();
            let alias_injected = alias
                .as_ref()
                .and_then(|a| a.depends.as_deref())
                .is_some_and(|d| {
                    let d = checker.project.canonicalize(d);
                    canon.dependency.as_deref() == Some(d.as_str())
                        || canon.context_manager.as_deref() == Some(d.as_str())
                });
            let annotated = annotated.or_else(|| {
                let ty = alias.as_ref()?.ty.as_deref()?;
                if onesession_engine::names::is_one_of(
                    ty,
                    onesession_engine::names::ASYNC_SESSION_CLASSES,
                ) {
                    Some(true)
                } else {
                    onesession_engine::names::is_one_of(
                        ty,
                        onesession_engine::names::SESSION_CLASSES,
                    )
                    .then_some(false)
                }
            });
            let injected = alias_injected
                || depends
                    .is_some_and(|t| checker.is_dependency(t) || checker.is_context_manager(t));
            let info = if injected {
                Some(SessionInfo {
                    origin: SessionOrigin::Request,
                    is_async: annotated.or(Some(true)),
                })
            } else if let Some(is_async) = annotated {
                Some(SessionInfo {
                    origin: SessionOrigin::Parameter,
                    is_async: Some(is_async),
                })
            } else if self.touches_db
                && !self.imports_a_driver
                && arg.def.annotation.is_none()
                && SESSION_PARAM_NAMES.contains(&arg.def.arg.as_str())
            {
                Some(SessionInfo {
                    origin: SessionOrigin::Named,
                    is_async: None,
                })
            } else {
                None
            };
            if let Some(info) = info {
                self.bind_at(range_of(&arg.def).start, info);
            }
        }
    }
}

/// `Annotated[AsyncSession, Depends(dep)]` → `dep`.
fn annotated_depends<'e>(checker: &Checker<'_>, annotation: Option<&'e Expr>) -> Option<&'e Expr> {
    let Expr::Subscript(sub) = annotation? else {
        return None;
    };
    let Expr::Tuple(tuple) = sub.slice.as_ref() else {
        return None;
    };
    tuple
        .elts
        .iter()
        .skip(1)
        .find_map(|e| checker.depends_target(e))
}

impl<'a> Visitor<'a> for Collector<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.parameters(&def.args),
            Stmt::AsyncFunctionDef(def) => self.parameters(&def.args),
            Stmt::With(ast::StmtWith { items, .. })
            | Stmt::AsyncWith(ast::StmtAsyncWith { items, .. }) => {
                for item in items {
                    if let (Some(info), Some(Expr::Name(name))) = (
                        self.produced_session(&item.context_expr),
                        item.optional_vars.as_deref(),
                    ) {
                        let info = SessionInfo {
                            is_async: info.is_async.or(Some(matches!(stmt, Stmt::AsyncWith(_)))),
                            ..info
                        };
                        self.bind_at(range_of(name).start, info);
                    }
                }
            }
            Stmt::Assign(assign) => {
                if let Some(info) = self.produced_session(&assign.value) {
                    for target in &assign.targets {
                        if let Expr::Name(name) = target {
                            self.bind_at(range_of(name).start, info);
                        }
                    }
                }
            }
            _ => {}
        }
        visit::walk_stmt(self, stmt);
    }
}

/// Every function (sync or async) definition in `body`, nested ones too.
pub fn functions(body: &[Stmt]) -> Vec<FunctionRef<'_>> {
    struct Collect<'a>(Vec<FunctionRef<'a>>);
    impl<'a> Visitor<'a> for Collect<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(def) => self.0.push(FunctionRef {
                    name: &def.name,
                    args: &def.args,
                }),
                Stmt::AsyncFunctionDef(def) => self.0.push(FunctionRef {
                    name: &def.name,
                    args: &def.args,
                }),
                _ => {}
            }
            visit::walk_stmt(self, stmt);
        }
    }
    let mut collect = Collect(Vec::new());
    collect.visit_body(body);
    collect.0
}

#[derive(Clone, Copy)]
pub struct FunctionRef<'a> {
    pub name: &'a str,
    pub args: &'a ast::Arguments,
}

/// Engines used for administration (`CREATE DATABASE`, `VACUUM`, which no
/// transaction can hold), by the binding of their name: an engine put in
/// AUTOCOMMIT (`engine.execution_options(isolation_level="AUTOCOMMIT")`),
/// or one whose connection is (`async with engine.connect() as conn:` then
/// `conn.execution_options(isolation_level="AUTOCOMMIT")`).
pub fn autocommit_engines(checker: &Checker<'_>) -> HashSet<BindingId> {
    let name_binding = |expr: &Expr| match unawaited(expr) {
        Expr::Name(name) => checker.semantic.resolve(name),
        _ => None,
    };
    fn autocommit_on(expr: &Expr) -> Option<&Expr> {
        let Expr::Call(call) = expr else { return None };
        let (receiver, method) = method_name(call)?;
        (method == "execution_options" && is_autocommit(&call.keywords))
            .then(|| unawaited(receiver))
    }
    let mut out = HashSet::new();
    checker.nodes.for_each_expr(|expr| {
        out.extend(autocommit_on(expr).and_then(name_binding));
    });
    // The connection is matched by name in the block: `conn = await
    // conn.execution_options(...)` rebinds it.
    checker.nodes.for_each_stmt(|stmt| {
        let (items, body) = match stmt {
            Stmt::With(ast::StmtWith { items, body, .. })
            | Stmt::AsyncWith(ast::StmtAsyncWith { items, body, .. }) => (items, body),
            _ => return,
        };
        for item in items {
            let Expr::Call(call) = unawaited(&item.context_expr) else {
                continue;
            };
            let Some((engine, "connect" | "begin")) = method_name(call) else {
                continue;
            };
            let (Some(engine), Some(Expr::Name(connection))) =
                (name_binding(engine), item.optional_vars.as_deref())
            else {
                continue;
            };
            let mut in_autocommit = false;
            for_each_expr(body, |expr| {
                in_autocommit |=
                    matches!(autocommit_on(expr), Some(Expr::Name(n)) if n.id == connection.id);
            });
            if in_autocommit {
                out.insert(engine);
            }
        }
    });
    out
}

/// The ranges of every annotation in `body`: parameters, returns and
/// annotated assignments. A name used only there is a type, not a value.
pub fn annotation_ranges(body: &[Stmt]) -> Vec<TextRange> {
    let mut out = Vec::new();
    for_each_stmt(body, |stmt| {
        let (args, returns) = match stmt {
            Stmt::FunctionDef(ast::StmtFunctionDef { args, returns, .. })
            | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef { args, returns, .. }) => {
                (args, returns)
            }
            Stmt::AnnAssign(ast::StmtAnnAssign { annotation, .. }) => {
                out.push(range_of(annotation.as_ref()));
                return;
            }
            _ => return,
        };
        out.extend(returns.as_deref().map(range_of));
        out.extend(
            args.posonlyargs
                .iter()
                .chain(&args.args)
                .chain(&args.kwonlyargs)
                .map(|a| &a.def)
                .chain(args.vararg.as_deref())
                .chain(args.kwarg.as_deref())
                .filter_map(|a| a.annotation.as_deref())
                .map(range_of),
        );
    });
    out
}

/// `x` for `await x`, else the expression itself.
pub fn unawaited(expr: &Expr) -> &Expr {
    match expr {
        Expr::Await(a) => a.value.as_ref(),
        other => other,
    }
}

pub fn is_autocommit(keywords: &[ast::Keyword]) -> bool {
    keywords.iter().any(|k| {
        k.arg.as_deref() == Some("isolation_level")
            && str_literal(&k.value).is_some_and(|v| v.eq_ignore_ascii_case("autocommit"))
    })
}

/// The name a call's callee ends with: `a.b.commit()` → `commit`.
pub fn method_name(call: &ast::ExprCall) -> Option<(&Expr, &str)> {
    match call.func.as_ref() {
        Expr::Attribute(attr) => Some((&attr.value, attr.attr.as_str())),
        _ => None,
    }
}

/// Where an imported name may be used without a use the parser sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnseenUse {
    /// A string annotation names it (`-> "Factory"`): it is used.
    Annotation,
    /// Another string says it (`__all__`, `globals()["name"]`; not a
    /// docstring), or a `global` statement declares it (an import in a
    /// function then binds the module's name): on this line, the first
    /// such place.
    Elsewhere(usize),
}

/// How `name` (an import's local name) may be used where no parsed
/// expression shows it (see [`UnseenUse`]): what DB111 must not remove
/// and DB112 must not rename.
pub fn unseen_use(checker: &Checker<'_>, name: &str) -> Option<UnseenUse> {
    // A body the check parsed as `...` names nothing the module imports,
    // but may say it in a string: the whole text is read then.
    if checker.parsed.skipped_mentions(checker.source, name) {
        if let Ok(whole) = parse_module(checker.source) {
            return unseen_in(checker, &whole.body, &Nodes::of(&whole.body), name);
        }
    }
    unseen_in(checker, &checker.parsed.body, checker.nodes, name)
}

fn unseen_in<'b>(
    checker: &Checker<'_>,
    body: &'b [Stmt],
    nodes: &Nodes<'b>,
    name: &str,
) -> Option<UnseenUse> {
    let annotations = annotation_ranges(body);
    let mut elsewhere: Option<usize> = None;
    let mut annotation = false;
    let mut note = |at: usize| {
        elsewhere = Some(elsewhere.map_or(at, |first: usize| first.min(at)));
    };
    // A docstring (any string standing as a statement) uses nothing.
    let mut standing: Vec<TextRange> = Vec::new();
    nodes.for_each_stmt(|stmt| match stmt {
        Stmt::Expr(ast::StmtExpr { value, .. }) => {
            if matches!(value.as_ref(), Expr::Constant(c) if matches!(c.value, ast::Constant::Str(_)))
            {
                standing.push(range_of(value.as_ref()));
            }
        }
        Stmt::Global(global) if global.names.iter().any(|n| n.as_str() == name) => {
            note(range_of(stmt).start);
        }
        _ => {}
    });
    nodes.for_each_expr(|expr| {
        if let Expr::Constant(ast::ExprConstant {
            value: ast::Constant::Str(text),
            ..
        }) = expr
        {
            let range = range_of(expr);
            if says_word(text, name) && !standing.contains(&range) {
                if annotations
                    .iter()
                    .any(|a| a.start <= range.start && range.end <= a.end)
                {
                    annotation = true;
                } else {
                    note(range.start);
                }
            }
        }
    });
    if annotation {
        return Some(UnseenUse::Annotation);
    }
    elsewhere.map(|at| UnseenUse::Elsewhere(checker.line(at)))
}

/// `text` holds `name` as a whole identifier.
fn says_word(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(is_ident)
            && !text[at + name.len()..].chars().next().is_some_and(is_ident)
    })
}

/// The attributes `X` of `self.X = <session>` in the class's `__init__`,
/// where `<session>` is a session the constructor received.
pub fn session_attributes<'a>(
    class: &'a ast::StmtClassDef,
    received: &impl Fn(&Expr) -> bool,
) -> HashSet<&'a str> {
    let mut out = HashSet::new();
    for stmt in &class.body {
        let body = match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == "__init__" => &def.body,
            Stmt::AsyncFunctionDef(def) if def.name.as_str() == "__init__" => &def.body,
            _ => continue,
        };
        for_each_stmt(body, |stmt| {
            let (targets, value): (&[Expr], &Expr) = match stmt {
                Stmt::Assign(a) => (&a.targets, &a.value),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(value) => (std::slice::from_ref(a.target.as_ref()), value),
                    None => return,
                },
                _ => return,
            };
            if !received(value) {
                return;
            }
            for target in targets {
                if let Expr::Attribute(attr) = target {
                    if matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == "self") {
                        out.insert(attr.attr.as_str());
                    }
                }
            }
        });
    }
    out
}
