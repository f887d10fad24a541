//! Queries that go around the session: on the engine, on a raw DB-API
//! connection, or blocking inside `async def` (DB115).

use std::collections::HashSet;

use onesession_engine::names::{
    is_one_of, ASYNC_SESSION_CLASSES, ENGINE_BUILDERS, RAW_CONNECTS, SESSION_CLASSES,
};
use onesession_engine::python::ast::{self, Expr, Stmt};
use onesession_engine::python::{range_of, BindingId};
use onesession_engine::text::TextRange;
use onesession_engine::{declare_rule, Checker, Confidence, Rule, Transform};

use crate::helpers::{autocommit_engines, method_name, unawaited};

declare_rule! {
    /// ## What it finds
    /// Outside the canonical module:
    /// - `engine.connect()`, `engine.begin()`, `engine.execute()`,
    ///   `engine.raw_connection()` (also through `engine.sync_engine`) on an
    ///   engine imported from a session module, or on a local variable
    ///   assigned from `create_engine(...)` / `create_async_engine(...)`;
    /// - raw driver connections: `asyncpg.connect(...)`,
    ///   `asyncpg.create_pool(...)`, `psycopg.connect(...)`, ..., and
    ///   queries on them: `fetchrow`/`fetchval` (asyncpg's own), `fetch`,
    ///   `execute` on a receiver named as a pool (`app.state.db_pool`), and
    ///   calls to a project function that opens one (`get_raw_connection()`
    ///   in a helper module; likely: it may return something else);
    /// - inside an `async def`, a plain `with` that opens a sync session
    ///   (`with Session(engine.sync_engine) as s:`, a sync `sessionmaker`
    ///   product): blocking database I/O in the event loop.
    ///
    /// The module that defines an engine may use it (its own helpers are
    /// DB103's business, as part of deprecating that module).
    ///
    /// ## Why is this bad?
    /// Work on a bare connection escapes the session's transaction and
    /// lifecycle policy: nothing commits or rolls back consistently, a raw
    /// connection ignores the pooler settings of the canonical engine, and
    /// a sync session inside `async def` blocks every other request while
    /// it waits on the database.
    ///
    /// ## Example
    /// ```python
    /// async def analyze():
    ///     async with engine.connect() as conn:
    ///         await conn.execute(text("ANALYZE events"))
    /// ```
    /// Use instead:
    /// ```python
    /// async def analyze():
    ///     async with get_session() as session:
    ///         await session.execute(text("ANALYZE events"))
    /// ```
    ///
    /// ## Fix safety
    /// Manual: the code must be moved onto a session from the provider,
    /// which changes its transaction boundaries.
    pub static DB115 = { id: "DB115", name: "engine-bypass", summary: "Query on an engine or raw connection, or blocking database call in async code" };
}

const ENGINE_METHODS: &[&str] = &["connect", "begin", "execute", "raw_connection"];

const SYNC_SESSIONMAKERS: &[&str] = &[
    "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.session.sessionmaker",
    "sqlalchemy.orm.scoped_session",
];

pub struct EngineBypass;

impl Transform for EngineBypass {
    fn name(&self) -> &'static str {
        "engine-bypass"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        static RULES: [&Rule; 1] = [&DB115];
        &RULES
    }

    fn check(&self, checker: &mut Checker<'_>) {
        if checker.is_canonical() {
            return;
        }
        let nodes = checker.nodes;
        let local_engines = local_engines(checker);
        let local_factories = local_sync_factories(checker);
        let ddl = ddl_connections(checker);
        let admin = autocommit_engines(checker);
        let is_engine = |expr: &Expr| {
            // `engine.sync_engine.connect()` is the same engine.
            let engine = match expr {
                Expr::Attribute(a) if a.attr.as_str() == "sync_engine" => a.value.as_ref(),
                other => other,
            };
            is_foreign_engine(checker, engine) || is_local_engine(checker, &local_engines, engine)
        };
        // `(range, message, by name only)`: a pool recognised by its
        // receiver's name is likely, not sure.
        let mut found: Vec<(TextRange, String, bool)> = Vec::new();
        nodes.for_each_expr(|expr| {
            let Expr::Call(call) = expr else { return };
            let at = range_of(expr).start;
            if let Some(q) = checker.qualified(&call.func) {
                // A project helper that hands out a raw connection.
                if let Some(raw) = checker
                    .project
                    .raw_connection_in(&q)
                    .filter(|_| !is_setup_module(checker, &q))
                {
                    found.push((
                        range_of(expr),
                        format!("`{}()` opens a raw driver connection (`{raw}`) outside any session and the canonical engine's pooler settings; use {}", checker.text(&range_of(call.func.as_ref())), checker.session_advice(at)),
                        true,
                    ));
                    return;
                }
                if is_one_of(&q, RAW_CONNECTS) {
                    found.push((
                        range_of(expr),
                        format!("raw driver connection `{q}(...)` bypasses the session and the canonical engine's pooler settings; use {}", checker.session_advice(at)),
                        false,
                ));
                    return;
                }
                // `inspect(engine)` connects to reflect: the engine, directly.
                if q == "sqlalchemy.inspect"
                    && checker.semantic.in_async_function(at)
                    && call.args.first().is_some_and(is_engine)
                {
                    found.push((
                        range_of(expr),
                        format!("`inspect(...)` inside `async def` connects on the engine directly and blocks the event loop; reflect once at start-up, or use {}", checker.session_advice(at)),
                        false,
                ));
                    return;
                }
            }
            if checker.semantic.in_async_function(at)
                && makes_sync_session(checker, &local_factories, expr)
            {
                let text = checker.text(&range_of(expr));
                found.push((
                    range_of(expr),
                    format!("sync session `{text}` inside `async def` blocks the event loop on every query; use {}", checker.session_advice(at)),
                    false,
                ));
                return;
            }
            let Some((receiver, method)) = method_name(call) else {
                return;
            };
            if is_raw_pool_query(receiver, method)
                && checker.touches_database()
                && !from_reported_connection(checker, receiver)
            {
                let text = checker.text(&range_of(call.func.as_ref()));
                found.push((
                    range_of(expr),
                    format!("`{text}()` queries a raw driver pool or connection, outside any session and the canonical engine's pooler settings; use {}", checker.session_advice(at)),
                    true,
                ));
                return;
            }
            let administration = match receiver {
                Expr::Name(name) => checker
                    .semantic
                    .resolve(name)
                    .is_some_and(|b| admin.contains(&b)),
                _ => false,
            };
            if ENGINE_METHODS.contains(&method)
                && is_engine(receiver)
                && !ddl.contains(&at)
                && !administration
            {
                let text = checker.text(&range_of(call.func.as_ref()));
                found.push((
                    range_of(expr),
                    format!("`{text}()` works on the engine directly, outside any session; use {} instead", checker.session_advice(at)),
                    false,
                ));
            }
        });
        for (range, message, by_name) in found {
            if let Some(finding) = checker.report(&DB115, range, message) {
                if by_name {
                    finding.confidence = Confidence::Likely;
                }
            }
        }
    }
}

/// `qualified` is defined in this module or in the session setup (the
/// canonical module and the modules it builds on), where raw connections
/// are the setup's business.
fn is_setup_module(checker: &Checker<'_>, qualified: &str) -> bool {
    let module = qualified.rsplit_once('.').map_or("", |(m, _)| m);
    let canon = checker.canon();
    Some(module) == checker.module()
        || canon.module.as_deref() == Some(module)
        || canon.support.contains(module)
}

/// The receiver's root name holds what a call reported on its own line
/// returned (`conn = await asyncpg.connect(...)`, `conn = await
/// get_raw_connection()`): the query on it is the same finding.
fn from_reported_connection<'a>(checker: &Checker<'a>, receiver: &'a Expr) -> bool {
    let mut root = receiver;
    while let Expr::Attribute(attribute) = root {
        root = attribute.value.as_ref();
    }
    if !root.is_name_expr() {
        return false;
    }
    let Expr::Call(call) = unawaited(checker.value_of(root)) else {
        return false;
    };
    let raw_method = method_name(call).is_some_and(|(_, m)| m == "raw_connection");
    raw_method
        || checker.qualified(&call.func).is_some_and(|q| {
            is_one_of(&q, RAW_CONNECTS) || checker.project.raw_connection_in(&q).is_some()
        })
}

/// asyncpg's own query methods: `fetchrow`/`fetchval` exist on asyncpg
/// pools and connections only; `fetch`/`execute`/`executemany` count
/// when the receiver is named as a pool (`request.app.postgres_pool`).
fn is_raw_pool_query(receiver: &Expr, method: &str) -> bool {
    let receiver_name = match receiver {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => "",
    };
    matches!(method, "fetchrow" | "fetchval")
        || (matches!(method, "fetch" | "execute" | "executemany")
            && receiver_name.to_ascii_lowercase().ends_with("pool"))
}

/// `async with engine.begin() as conn: await conn.run_sync(Base.metadata.create_all)`:
/// DDL at start-up needs a connection, not a session. The offsets of such
/// `begin()`/`connect()` calls.
fn ddl_connections(checker: &Checker<'_>) -> HashSet<usize> {
    let mut out = HashSet::new();
    checker.nodes.for_each_stmt(|stmt| {
        let (items, body) = match stmt {
            Stmt::With(ast::StmtWith { items, body, .. })
            | Stmt::AsyncWith(ast::StmtAsyncWith { items, body, .. }) => (items, body),
            _ => return,
        };
        let mut only_ddl = !body.is_empty();
        for inner in body {
            let call = match inner {
                Stmt::Expr(e) => match e.value.as_ref() {
                    Expr::Await(a) => a.value.as_ref(),
                    other => other,
                },
                _ => {
                    only_ddl = false;
                    break;
                }
            };
            let Expr::Call(call) = call else {
                only_ddl = false;
                break;
            };
            let runs_ddl = method_name(call).is_some_and(|(_, m)| m == "run_sync")
                && call.args.first().is_some_and(|a| {
                    matches!(a, Expr::Attribute(attr) if matches!(attr.attr.as_str(), "create_all" | "drop_all"))
                });
            only_ddl &= runs_ddl;
        }
        if only_ddl {
            for item in items {
                out.insert(range_of(&item.context_expr).start);
            }
        }
    });
    out
}

/// Local names that hold a sync session factory: assigned from
/// `sessionmaker(...)`/`scoped_session(...)`, or parameters whose default
/// is a project's sync factory (`session_factory=SessionLocal`).
fn local_sync_factories(checker: &Checker<'_>) -> HashSet<BindingId> {
    let mut starts = Vec::new();
    checker.nodes.for_each_stmt(|stmt| match stmt {
        Stmt::Assign(assign) => {
            let Expr::Call(call) = assign.value.as_ref() else {
                return;
            };
            if checker
                .qualified(&call.func)
                .is_some_and(|q| is_one_of(&q, SYNC_SESSIONMAKERS))
            {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        starts.push(range_of(name).start);
                    }
                }
            }
        }
        Stmt::FunctionDef(ast::StmtFunctionDef { args, .. })
        | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef { args, .. }) => {
            for arg in args
                .posonlyargs
                .iter()
                .chain(&args.args)
                .chain(&args.kwonlyargs)
            {
                let default_is_factory = arg
                    .default
                    .as_deref()
                    .and_then(|d| checker.qualified(d))
                    .is_some_and(|q| {
                        is_sync_factory(checker, &q) || is_sync_session_function(checker, &q)
                    });
                if default_is_factory {
                    starts.push(range_of(&arg.def).start);
                }
            }
        }
        _ => {}
    });
    starts
        .into_iter()
        .filter_map(|start| checker.semantic.binding_starting_at(start))
        .collect()
}

/// A module-level engine of another module.
fn is_foreign_engine(checker: &Checker<'_>, expr: &Expr) -> bool {
    let Some(qualified) = checker.qualified(expr) else {
        return false;
    };
    checker.project.is_engine(&qualified)
        && qualified.rsplit_once('.').map(|(m, _)| m) != checker.module()
}

/// Bindings in function scopes assigned from an engine builder.
fn local_engines(checker: &Checker<'_>) -> HashSet<BindingId> {
    let module_scope = checker.semantic.scope_at(0);
    let mut starts = Vec::new();
    checker.nodes.for_each_stmt(|stmt| {
        let Stmt::Assign(assign) = stmt else { return };
        let Expr::Call(call) = assign.value.as_ref() else {
            return;
        };
        if !checker
            .qualified(&call.func)
            .is_some_and(|q| is_one_of(&q, ENGINE_BUILDERS))
        {
            return;
        }
        for target in &assign.targets {
            if let Expr::Name(name) = target {
                starts.push(range_of(name).start);
            }
        }
    });
    checker
        .semantic
        .bindings()
        .filter(|(_, b)| b.scope != module_scope && starts.contains(&b.range.start))
        .map(|(id, _)| id)
        .collect()
}

fn is_local_engine(checker: &Checker<'_>, locals: &HashSet<BindingId>, expr: &Expr) -> bool {
    let Expr::Name(name) = expr else { return false };
    checker
        .semantic
        .resolve(name)
        .is_some_and(|id| locals.contains(&id))
}

/// `Session(...)`, `factory()` for a sync `sessionmaker` product (a
/// project's, or a local one), or `sessionmaker(...)()`.
fn makes_sync_session(checker: &Checker<'_>, locals: &HashSet<BindingId>, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    if let Expr::Call(inner) = call.func.as_ref() {
        return checker
            .qualified(&inner.func)
            .is_some_and(|q| is_one_of(&q, SYNC_SESSIONMAKERS));
    }
    if let Expr::Name(name) = call.func.as_ref() {
        if checker
            .semantic
            .resolve(name)
            .is_some_and(|id| locals.contains(&id))
        {
            return true;
        }
    }
    let Some(q) = checker.qualified(&call.func) else {
        return false;
    };
    (is_one_of(&q, SESSION_CLASSES) && !is_one_of(&q, ASYNC_SESSION_CLASSES))
        || is_sync_factory(checker, &q)
}

/// A project's plain (sync) function that returns a new session.
fn is_sync_session_function(checker: &Checker<'_>, qualified: &str) -> bool {
    let Some((module, name)) = qualified.rsplit_once('.') else {
        return false;
    };
    checker.project.module(module).is_some_and(|m| {
        m.providers.iter().any(|(n, k)| {
            n == name && *k == onesession_engine::summary::ProviderKind::SessionFunction
        }) && m.functions.get(name).is_some_and(|f| !f.is_async)
    })
}

/// True when `qualified` is a module-level name bound to a sync
/// `sessionmaker(...)` call in a project module (not one made with
/// `class_=AsyncSession`).
fn is_sync_factory(checker: &Checker<'_>, qualified: &str) -> bool {
    let Some((module, name)) = qualified.rsplit_once('.') else {
        return false;
    };
    let project = checker.project;
    if !project
        .module(module)
        .is_some_and(|m| m.session_factories.iter().any(|f| f == name))
    {
        return false;
    }
    let Some(analysis) = project.file_by_module(module).and_then(|f| f.analysis()) else {
        return false;
    };
    analysis.parsed.body.iter().any(|stmt| {
        let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
            Stmt::Assign(a) => (a.targets.iter().collect(), a.value.as_ref()),
            Stmt::AnnAssign(ast::StmtAnnAssign {
                target,
                value: Some(value),
                ..
            }) => (vec![target.as_ref()], value.as_ref()),
            _ => return false,
        };
        let Expr::Call(call) = value else {
            return false;
        };
        let makes_async = call.keywords.iter().any(|k| {
            k.arg.as_deref() == Some("class_")
                && analysis
                    .semantic
                    .qualified_name(&k.value)
                    .is_some_and(|q| is_one_of(&q, ASYNC_SESSION_CLASSES))
        });
        targets
            .iter()
            .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name))
            && !makes_async
            && analysis
                .semantic
                .qualified_name(&call.func)
                .is_some_and(|q| is_one_of(&project.canonicalize(&q), SYNC_SESSIONMAKERS))
    })
}
