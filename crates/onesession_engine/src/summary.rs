//! What the project index keeps of each module: its imports, functions,
//! classes and module-level instances, and the engines and session
//! factories it builds.

use std::sync::Arc;

use onesession_python::ast::{self, Expr, Stmt};
use onesession_python::visit::{walk_expr, walk_stmt, Visitor};
use onesession_python::{BindingKind, SemanticModel};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::names::{is_one_of, ENGINE_BUILDERS, SESSIONMAKERS};

/// What the index keeps of one module (Fx-hashed maps: looked up for
/// every name the checks resolve).
#[derive(Debug, Default, Clone)]
pub struct ModuleSummary {
    /// Module-level imports: local name → qualified target.
    pub imports: FxHashMap<String, String>,
    /// Module-level functions and methods (`Class.method`).
    pub functions: FxHashMap<String, Arc<FunctionSig>>,
    /// Module-level classes by name.
    pub classes: FxHashMap<String, Arc<ClassInfo>>,
    /// Module-level names bound to a call or annotated (`service =
    /// Service()`, `service: Service = ...`): name → the qualified callee
    /// or annotation, a class when the index knows it as one.
    pub instances: FxHashMap<String, String>,
    /// Module-level names bound to `sessionmaker(...)` calls.
    pub session_factories: Vec<String>,
    /// Module-level names bound to `create_engine(...)` calls.
    pub engines: Vec<String>,
    /// The engines and session factories above built by the asyncio
    /// builders (`create_async_engine`, `async_sessionmaker`).
    pub async_builds: FxHashSet<String>,
    /// Module-level names bound to `scoped_session(...)` /
    /// `async_scoped_session(...)`: session proxies, used as a session
    /// (for the async one, `session.execute(...)` is a coroutine).
    pub scoped_sessions: Vec<(String, bool)>,
    /// Builds an engine or session factory anywhere in the module.
    pub builds_engine_or_factory: bool,
    /// Emits a top-level `warnings.warn(..., DeprecationWarning)`.
    pub warns_deprecated: bool,
    pub defined_names: FxHashSet<String>,
    /// `DbSession = Annotated[Session, Depends(get_db)]` at module level:
    /// name → the annotated type and the dependency (qualified).
    pub annotated_aliases: FxHashMap<String, AnnotatedAlias>,
    /// What the module offers to obtain a session, by name (module-level
    /// functions, factories, engines, session-manager instances), in
    /// source order.
    pub providers: Vec<(String, ProviderKind)>,
}

/// An `Annotated[...]` type alias, as a parameter annotated with it means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnnotatedAlias {
    /// The annotated type (qualified).
    pub ty: Option<String>,
    /// The target of its `Depends(...)` (qualified).
    pub depends: Option<String>,
}

/// `Annotated[Session, Depends(get_db)]`: what it annotates and injects.
pub fn annotated_alias(semantic: &SemanticModel, value: &Expr) -> Option<AnnotatedAlias> {
    let Expr::Subscript(sub) = value else {
        return None;
    };
    let wrapper = semantic.qualified_name(&sub.value)?;
    if !matches!(
        wrapper.as_str(),
        "typing.Annotated" | "typing_extensions.Annotated"
    ) {
        return None;
    }
    let Expr::Tuple(tuple) = sub.slice.as_ref() else {
        return None;
    };
    let ty = tuple
        .elts
        .first()
        .and_then(|t| annotation_type(semantic, t));
    let depends = tuple.elts.iter().skip(1).find_map(|e| {
        let Expr::Call(call) = e else { return None };
        let callee = semantic.qualified_name(&call.func)?;
        if !is_one_of(&callee, crate::names::FASTAPI_DEPENDS) {
            return None;
        }
        call.args
            .first()
            .or_else(|| {
                call.keywords
                    .iter()
                    .find(|k| k.arg.as_deref() == Some("dependency"))
                    .map(|k| &k.value)
            })
            .and_then(|target| semantic.qualified_name(target))
    });
    Some(AnnotatedAlias { ty, depends })
}

/// How a session provider is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// `@asynccontextmanager async def`: `async with name() as session`.
    AsyncContextManager,
    /// `@contextmanager def`: `with name() as session`.
    SyncContextManager,
    /// An async generator yielding a session: `Depends(name)`.
    AsyncDependency,
    /// A generator yielding a session: `Depends(name)`.
    SyncDependency,
    /// A function returning a new session (the caller must close it).
    SessionFunction,
    /// A session factory: `sessionmaker(...)`, or a function returning one.
    Factory,
    /// An engine, or a function returning one.
    Engine,
    /// A scoped-session registry (`scoped_session(...)`), used as a session.
    ScopedSession,
    /// An instance of a class that builds its own engine and factory
    /// (`sessionmanager = DatabaseSessionManager(url)`).
    SessionManager,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::AsyncContextManager => "async context manager",
            ProviderKind::SyncContextManager => "sync context manager",
            ProviderKind::AsyncDependency => "async dependency",
            ProviderKind::SyncDependency => "sync dependency",
            ProviderKind::SessionFunction => "session function",
            ProviderKind::Factory => "factory",
            ProviderKind::Engine => "engine",
            ProviderKind::ScopedSession => "scoped session",
            ProviderKind::SessionManager => "session manager",
        }
    }

    /// `Some(true)` for the async kinds, `Some(false)` for the sync ones.
    pub fn is_async(self) -> Option<bool> {
        match self {
            ProviderKind::AsyncContextManager | ProviderKind::AsyncDependency => Some(true),
            ProviderKind::SyncContextManager | ProviderKind::SyncDependency => Some(false),
            _ => None,
        }
    }

    pub fn is_context_manager(self) -> bool {
        matches!(
            self,
            ProviderKind::AsyncContextManager | ProviderKind::SyncContextManager
        )
    }

    pub fn is_dependency(self) -> bool {
        matches!(
            self,
            ProviderKind::AsyncDependency | ProviderKind::SyncDependency
        )
    }
}

/// A module-level class.
#[derive(Debug, Default, Clone)]
pub struct ClassInfo {
    /// Each base's qualified name; `None` for a base that is not a name
    /// (a call, a subscript other than `Generic[...]`): unknown.
    pub bases: Vec<Option<String>>,
    /// Attribute types: class-level annotations (`repo: Repo`) and
    /// `self.x = Repo(...)`, `self.x = param` (annotated) or
    /// `self.x: Repo = ...` in its methods: name → qualified type.
    pub attributes: FxHashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct FunctionSig {
    pub params: Vec<Param>,
    pub is_async: bool,
    pub kind: FunctionKind,
    /// Decorated with something other than `staticmethod`/`classmethod`
    /// or a route registration (which may change how it is called).
    pub decorated: bool,
    /// Where the definition starts (its first decorator).
    pub offset: usize,
    /// Qualified names the body calls that can matter to the index (project
    /// names and SQLAlchemy session classes: "does it touch the database").
    pub calls: Vec<String>,
}

/// How a function is bound when called through an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionKind {
    Function,
    /// A plain method: `self` is bound when called through an instance.
    Method,
    ClassMethod,
    StaticMethod,
    /// `@property` / `@cached_property`: read, not called.
    Property,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub has_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    Regular,
    VarArgs,
    KeywordOnly,
    VarKeywords,
}

impl FunctionSig {
    /// Index of the parameter a positional argument lands in (skipping
    /// `self`/`cls` for methods is the caller's business).
    pub fn positional(&self, index: usize) -> Option<&Param> {
        self.params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular))
            .nth(index)
    }

    /// The parameters a call through an instance binds (a method's
    /// `self`, a classmethod's `cls` skipped).
    pub fn bound_params(&self) -> &[Param] {
        match self.kind {
            FunctionKind::Method | FunctionKind::ClassMethod | FunctionKind::Property => {
                self.params.get(1..).unwrap_or_default()
            }
            FunctionKind::Function | FunctionKind::StaticMethod => &self.params,
        }
    }
}

/// The type an annotation names: `Repo`, `Optional[Repo]`, `Repo | None`,
/// `Annotated[Repo, Depends(...)]` → the qualified name of `Repo`.
pub fn annotation_type(semantic: &SemanticModel, annotation: &Expr) -> Option<String> {
    match annotation {
        Expr::Name(_) | Expr::Attribute(_) => semantic.qualified_name(annotation),
        Expr::Subscript(sub) => {
            let wrapper = semantic.qualified_name(&sub.value)?;
            let inner: Vec<&Expr> = match sub.slice.as_ref() {
                Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                other => vec![other],
            };
            match wrapper.as_str() {
                "typing.Optional" | "typing_extensions.Optional" => {
                    annotation_type(semantic, inner.first()?)
                }
                "typing.Annotated" | "typing_extensions.Annotated" => {
                    annotation_type(semantic, inner.first()?)
                }
                "typing.Union" => {
                    let mut named = inner.iter().filter(|e| !is_none(e));
                    let only = named.next()?;
                    named
                        .next()
                        .is_none()
                        .then(|| annotation_type(semantic, only))?
                }
                _ => None,
            }
        }
        Expr::BinOp(op) if matches!(op.op, ast::Operator::BitOr) => {
            match (is_none(&op.left), is_none(&op.right)) {
                (true, false) => annotation_type(semantic, &op.right),
                (false, true) => annotation_type(semantic, &op.left),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_none(expr: &Expr) -> bool {
    matches!(expr, Expr::Constant(c) if matches!(c.value, ast::Constant::None))
}

/// Decorators of FastAPI/Starlette apps and routers that register a
/// function and return it unchanged: the routes, and these hooks.
const REGISTERING_HOOKS: &[&str] = &["on_event", "exception_handler", "middleware"];

/// How a definition's decorators bind it, and whether any other
/// decorator wraps it.
fn kind_of(decorators: &[Expr], in_class: bool) -> (FunctionKind, bool) {
    let mut kind = if in_class {
        FunctionKind::Method
    } else {
        FunctionKind::Function
    };
    let mut decorated = false;
    for decorator in decorators {
        // `@router.post("/x")` registers the function and returns it as is.
        if let Expr::Call(call) = decorator {
            if matches!(call.func.as_ref(), Expr::Attribute(a)
                if crate::names::ROUTE_METHODS.contains(&a.attr.as_str())
                    || REGISTERING_HOOKS.contains(&a.attr.as_str()))
            {
                continue;
            }
        }
        let name = match decorator {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attr) => attr.attr.as_str(),
            _ => "",
        };
        match name {
            "staticmethod" if in_class => kind = FunctionKind::StaticMethod,
            "classmethod" if in_class => kind = FunctionKind::ClassMethod,
            "property" | "cached_property" if in_class => kind = FunctionKind::Property,
            // `@x.setter` of a property, `@overload` stubs: not called.
            "setter" | "getter" | "deleter" | "overload" => kind = FunctionKind::Property,
            _ => decorated = true,
        }
    }
    (kind, decorated)
}

/// Builds the index entry of one module.
pub(crate) fn summarize(
    body: &[Stmt],
    semantic: &SemanticModel,
    keeps_call: &dyn Fn(&str) -> bool,
) -> ModuleSummary {
    let mut summary = ModuleSummary::default();
    for (_, binding) in semantic.bindings() {
        if binding.scope != semantic.scope_at(0) {
            continue;
        }
        summary.defined_names.insert(binding.name.clone());
        if let BindingKind::Import { qualified } = &binding.kind {
            summary
                .imports
                .insert(binding.name.clone(), qualified.clone());
        }
    }

    let qualified_call = |value: &Expr| -> Option<String> {
        let Expr::Call(call) = value else { return None };
        semantic.qualified_name(&call.func)
    };
    for stmt in body {
        match stmt {
            Stmt::Assign(ast::StmtAssign { targets, value, .. }) => {
                if let (Some(alias), [Expr::Name(target)]) =
                    (annotated_alias(semantic, value), targets.as_slice())
                {
                    summary
                        .annotated_aliases
                        .insert(target.id.to_string(), alias);
                }
                if let Some(name) = qualified_call(value) {
                    for target in targets {
                        if let Expr::Name(target) = target {
                            summary.record_call_binding(&target.id, &name);
                        }
                    }
                }
            }
            Stmt::AnnAssign(ast::StmtAnnAssign {
                target,
                value,
                annotation,
                ..
            }) => {
                let Expr::Name(target) = target.as_ref() else {
                    continue;
                };
                match value.as_deref().and_then(qualified_call) {
                    Some(name) => summary.record_call_binding(&target.id, &name),
                    None => {
                        if let Some(class) = annotation_type(semantic, annotation) {
                            summary.instances.insert(target.id.to_string(), class);
                        }
                    }
                }
            }
            Stmt::Expr(ast::StmtExpr { value, .. }) => {
                if let Expr::Call(call) = value.as_ref() {
                    let is_warn =
                        semantic.qualified_name(&call.func).as_deref() == Some("warnings.warn");
                    let mentions_deprecation = call.args.iter().chain(call.keywords.iter().map(|k| &k.value)).any(|a| {
                        semantic.qualified_name(a).as_deref() == Some("DeprecationWarning")
                            || matches!(a, Expr::Name(n) if n.id.as_str() == "DeprecationWarning")
                    });
                    summary.warns_deprecated |= is_warn && mentions_deprecation;
                }
            }
            Stmt::TypeAlias(alias) => {
                if let (Some(found), Expr::Name(target)) =
                    (annotated_alias(semantic, &alias.value), alias.name.as_ref())
                {
                    summary
                        .annotated_aliases
                        .insert(target.id.to_string(), found);
                }
            }
            Stmt::ClassDef(class) => {
                summary.classes.insert(
                    class.name.to_string(),
                    Arc::new(class_info(semantic, class)),
                );
            }
            _ => {}
        }
    }

    let mut functions = Functions {
        semantic,
        summary: &mut summary,
        class: None,
        depth: 0,
        calls: Vec::new(),
        keeps_call,
    };
    functions.visit_body(body);
    summary.providers = providers(body, semantic, &summary);
    // `async_db_session = create_session_factory(engine)`: a factory (or
    // engine) made by one of the module's own builder functions.
    let own = semantic.module();
    let mut made: Vec<(String, ProviderKind)> = summary
        .instances
        .iter()
        .filter_map(|(name, callee)| {
            let builder = callee.strip_prefix(own)?.strip_prefix('.')?;
            let (_, kind) = summary.providers.iter().find(|(n, _)| n == builder)?;
            matches!(kind, ProviderKind::Factory | ProviderKind::Engine)
                .then(|| (name.clone(), *kind))
        })
        .collect();
    made.sort();
    for (name, kind) in made {
        match kind {
            ProviderKind::Factory => summary.session_factories.push(name.clone()),
            _ => summary.engines.push(name.clone()),
        }
        summary.providers.push((name, kind));
    }
    summary
}

/// The module's session providers, in source order.
fn providers(
    body: &[Stmt],
    semantic: &SemanticModel,
    summary: &ModuleSummary,
) -> Vec<(String, ProviderKind)> {
    let managers: Vec<&str> = body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::ClassDef(class) if builds_anything(semantic, &class.body) => {
                Some(class.name.as_str())
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(def) => {
                if let Some(kind) =
                    function_provider(semantic, summary, &def.decorator_list, &def.body, false)
                {
                    out.push((def.name.to_string(), kind));
                }
            }
            Stmt::AsyncFunctionDef(def) => {
                if let Some(kind) =
                    function_provider(semantic, summary, &def.decorator_list, &def.body, true)
                {
                    out.push((def.name.to_string(), kind));
                }
            }
            Stmt::Assign(ast::StmtAssign { targets, .. }) => {
                for target in targets {
                    let Expr::Name(name) = target else { continue };
                    let name = name.id.as_str();
                    let kind = if summary.scoped_sessions.iter().any(|(s, _)| s == name) {
                        Some(ProviderKind::ScopedSession)
                    } else if summary.session_factories.iter().any(|f| f == name) {
                        Some(ProviderKind::Factory)
                    } else if summary.engines.iter().any(|e| e == name) {
                        Some(ProviderKind::Engine)
                    } else {
                        summary
                            .instances
                            .get(name)
                            .and_then(|class| class.rsplit('.').next())
                            .filter(|class| managers.contains(class))
                            .map(|_| ProviderKind::SessionManager)
                    };
                    if let Some(kind) = kind {
                        out.push((name.to_owned(), kind));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A statement list that calls an engine builder or a sessionmaker.
fn builds_anything(semantic: &SemanticModel, body: &[Stmt]) -> bool {
    let mut found = false;
    crate::summary::each_call(body, &mut |call| {
        found |= semantic
            .qualified_name(&call.func)
            .is_some_and(|q| is_one_of(&q, ENGINE_BUILDERS) || is_one_of(&q, SESSIONMAKERS));
    });
    found
}

/// What a module-level function provides, from its decorators and body:
/// a context manager or a dependency must hand out a session (yield a name
/// bound to one), a session function must return one.
fn function_provider(
    semantic: &SemanticModel,
    summary: &ModuleSummary,
    decorators: &[Expr],
    body: &[Stmt],
    is_async: bool,
) -> Option<ProviderKind> {
    let decorated = |wanted: &str| {
        decorators.iter().any(|d| {
            let d = match d {
                Expr::Call(call) => call.func.as_ref(),
                other => other,
            };
            semantic
                .qualified_name(d)
                .is_some_and(|q| q == format!("contextlib.{wanted}"))
                || matches!(d, Expr::Name(n) if n.id.as_str() == wanted)
        })
    };
    let makes_session = |value: &Expr| is_session_source(semantic, summary, value);
    let mut sessions = SessionNames {
        semantic,
        makes_session: &makes_session,
        names: Vec::new(),
        yielded: false,
        returned: None,
    };
    sessions.visit_body(body);
    if sessions.yielded {
        return Some(
            match (
                decorated("asynccontextmanager"),
                decorated("contextmanager"),
                is_async,
            ) {
                (true, _, _) => ProviderKind::AsyncContextManager,
                (_, true, _) => ProviderKind::SyncContextManager,
                (_, _, true) => ProviderKind::AsyncDependency,
                (_, _, false) => ProviderKind::SyncDependency,
            },
        );
    }
    sessions.returned
}

/// A value that is (or holds) a session: a session class or factory
/// called, a sessionmaker's result called, a provider entered, or a name
/// that says so (`request.state.db_session`, `sessionmanager.session()`).
fn is_session_source(semantic: &SemanticModel, summary: &ModuleSummary, value: &Expr) -> bool {
    let callee = match value {
        Expr::Call(call) => call.func.as_ref(),
        Expr::Await(awaited) => return is_session_source(semantic, summary, &awaited.value),
        Expr::Attribute(attr) => return mentions_session(attr.attr.as_str()),
        _ => return false,
    };
    if matches!(callee, Expr::Call(_)) {
        return true; // `sessionmaker(...)()`
    }
    let last = match callee {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    match semantic.qualified_name(callee) {
        Some(q) if q.starts_with("sqlalchemy.") || q.starts_with("sqlmodel.") => {
            is_one_of(&q, crate::names::SESSION_CLASSES) || is_one_of(&q, SESSIONMAKERS)
        }
        Some(q) if FOREIGN_SESSIONS.iter().any(|f| q.starts_with(f)) => false,
        _ => {
            summary.session_factories.iter().any(|f| f == last)
                || crate::settings::DEFAULT_FACTORIES.contains(&last)
                || mentions_session(last)
        }
    }
}

/// Libraries whose "sessions" are not database sessions.
const FOREIGN_SESSIONS: &[&str] = &[
    "aiohttp.",
    "requests.",
    "httpx.",
    "boto3.",
    "botocore.",
    "aiobotocore.",
];

fn mentions_session(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("session") || lower == "db"
}

/// Walks a provider's body (not nested functions): the names bound to
/// sessions, whether one is yielded, and what a `return` hands out.
struct SessionNames<'f> {
    semantic: &'f SemanticModel,
    makes_session: &'f dyn Fn(&Expr) -> bool,
    names: Vec<String>,
    yielded: bool,
    returned: Option<ProviderKind>,
}

impl SessionNames<'_> {
    fn holds_session(&self, value: &Expr) -> bool {
        (self.makes_session)(value)
            || matches!(value, Expr::Name(n) if self.names.iter().any(|s| s == n.id.as_str()))
    }
}

impl<'a> Visitor<'a> for SessionNames<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::With(ast::StmtWith { items, .. })
            | Stmt::AsyncWith(ast::StmtAsyncWith { items, .. }) => {
                for item in items {
                    if let (true, Some(Expr::Name(name))) = (
                        self.holds_session(&item.context_expr),
                        item.optional_vars.as_deref(),
                    ) {
                        self.names.push(name.id.to_string());
                    }
                }
            }
            Stmt::Assign(assign) if self.holds_session(&assign.value) => {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        self.names.push(name.id.to_string());
                    }
                }
            }
            Stmt::AnnAssign(ast::StmtAnnAssign {
                target,
                value: Some(value),
                ..
            }) if self.holds_session(value) => {
                if let Expr::Name(name) = target.as_ref() {
                    self.names.push(name.id.to_string());
                }
            }
            Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) => {
                // `return sessionmaker(...)`: a factory made by a function.
                if let Expr::Call(call) = value.as_ref() {
                    let built = self.semantic.qualified_name(&call.func).and_then(|q| {
                        if is_one_of(&q, SESSIONMAKERS) {
                            Some(ProviderKind::Factory)
                        } else if is_one_of(&q, ENGINE_BUILDERS) {
                            Some(ProviderKind::Engine)
                        } else {
                            None
                        }
                    });
                    self.returned = built.or(self.returned);
                }
                if self.returned.is_none() && self.holds_session(value) {
                    self.returned = Some(ProviderKind::SessionFunction);
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Yield(ast::ExprYield {
                value: Some(value), ..
            }) => {
                self.yielded |= self.holds_session(value);
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// Every call in a statement list, nested functions included.
pub(crate) fn each_call<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a ast::ExprCall)) {
    struct Calls<'f, 'a>(&'f mut dyn FnMut(&'a ast::ExprCall));
    impl<'a> Visitor<'a> for Calls<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                (self.0)(call);
            }
            walk_expr(self, expr);
        }
    }
    Calls(f).visit_body(body);
}

impl ModuleSummary {
    /// `target = name(...)` at module level.
    fn record_call_binding(&mut self, target: &str, callee: &str) {
        if is_one_of(callee, crate::names::SCOPED_SESSIONS) {
            let is_async = callee.ends_with("async_scoped_session");
            self.scoped_sessions.push((target.to_owned(), is_async));
        } else if is_one_of(callee, SESSIONMAKERS) {
            self.session_factories.push(target.to_owned());
            if callee.starts_with("sqlalchemy.ext.asyncio") {
                self.async_builds.insert(target.to_owned());
            }
        } else if is_one_of(callee, ENGINE_BUILDERS) {
            self.engines.push(target.to_owned());
            if callee.starts_with("sqlalchemy.ext.asyncio") {
                self.async_builds.insert(target.to_owned());
            }
        }
        self.instances.insert(target.to_owned(), callee.to_owned());
    }
}

/// A class's bases and the attribute types its body and methods declare.
fn class_info(semantic: &SemanticModel, class: &ast::StmtClassDef) -> ClassInfo {
    let bases = class
        .bases
        .iter()
        .map(|base| match base {
            // `Generic[T]`, `Base[Model]`: the subscripted class.
            Expr::Subscript(sub) => semantic.qualified_name(&sub.value),
            other => semantic.qualified_name(other),
        })
        .collect();
    let mut attributes = FxHashMap::default();
    for stmt in &class.body {
        match stmt {
            Stmt::AnnAssign(assign) => {
                if let (Expr::Name(name), Some(ty)) = (
                    assign.target.as_ref(),
                    annotation_type(semantic, &assign.annotation),
                ) {
                    attributes.insert(name.id.to_string(), ty);
                }
            }
            Stmt::FunctionDef(ast::StmtFunctionDef { args, body, .. })
            | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef { args, body, .. }) => {
                self_attributes(semantic, args, body, &mut attributes);
            }
            _ => {}
        }
    }
    ClassInfo { bases, attributes }
}

/// `self.x = Repo(...)`, `self.x = repo` (an annotated parameter) and
/// `self.x: Repo = ...` in one method.
fn self_attributes(
    semantic: &SemanticModel,
    args: &ast::Arguments,
    body: &[Stmt],
    attributes: &mut FxHashMap<String, String>,
) {
    let Some(receiver) = args.posonlyargs.iter().chain(&args.args).next() else {
        return;
    };
    let receiver = receiver.def.arg.as_str();
    let parameter_type = |name: &str| {
        args.posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
            .find(|a| a.def.arg.as_str() == name)
            .and_then(|a| a.def.annotation.as_deref())
            .and_then(|a| annotation_type(semantic, a))
    };
    let attribute_of_receiver = |target: &Expr| match target {
        Expr::Attribute(attr) if matches!(attr.value.as_ref(), Expr::Name(n) if n.id.as_str() == receiver) => {
            Some(attr.attr.to_string())
        }
        _ => None,
    };
    for stmt in body {
        match stmt {
            Stmt::Assign(assign) => {
                let ty = match assign.value.as_ref() {
                    Expr::Call(call) => semantic.qualified_name(&call.func),
                    Expr::Name(name) => parameter_type(name.id.as_str()),
                    _ => None,
                };
                let Some(ty) = ty else { continue };
                for target in &assign.targets {
                    if let Some(attr) = attribute_of_receiver(target) {
                        attributes.insert(attr, ty.clone());
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                if let (Some(attr), Some(ty)) = (
                    attribute_of_receiver(&assign.target),
                    annotation_type(semantic, &assign.annotation),
                ) {
                    attributes.insert(attr, ty);
                }
            }
            _ => {}
        }
    }
}

/// Signatures of module-level functions and methods of module-level
/// classes, with the project calls their bodies make.
struct Functions<'m> {
    semantic: &'m SemanticModel,
    summary: &'m mut ModuleSummary,
    class: Option<String>,
    depth: usize,
    calls: Vec<String>,
    keeps_call: &'m dyn Fn(&str) -> bool,
}

impl<'a> Visitor<'a> for Functions<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let (name, args, is_async, decorators) = match stmt {
            Stmt::FunctionDef(d) => (&d.name, &d.args, false, &d.decorator_list),
            Stmt::AsyncFunctionDef(d) => (&d.name, &d.args, true, &d.decorator_list),
            Stmt::ClassDef(c) if self.depth == 0 && self.class.is_none() => {
                self.class = Some(c.name.to_string());
                self.visit_body(&c.body);
                self.class = None;
                return;
            }
            _ => return walk_stmt(self, stmt),
        };
        let outer_calls = std::mem::take(&mut self.calls);
        self.depth += 1;
        walk_stmt(self, stmt);
        self.depth -= 1;
        let calls = std::mem::replace(&mut self.calls, outer_calls);
        if self.depth == 0 {
            let (kind, decorated) = kind_of(decorators, self.class.is_some());
            let key = match &self.class {
                Some(class) => format!("{class}.{name}"),
                None => name.to_string(),
            };
            let sig = FunctionSig {
                params: params_of(args),
                is_async,
                kind,
                decorated,
                offset: decorators
                    .iter()
                    .map(|d| onesession_python::range_of(d).start)
                    .chain([onesession_python::range_of(stmt).start])
                    .min()
                    .unwrap_or_default(),
                calls,
            };
            // A property's setter or an `@overload` stub must not hide
            // the definition that is called.
            if kind != FunctionKind::Property || !self.summary.functions.contains_key(&key) {
                self.summary.functions.insert(key, Arc::new(sig));
            }
        } else {
            self.calls.extend(calls);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(name) = self.semantic.qualified_name(&call.func) {
                if is_one_of(&name, ENGINE_BUILDERS) || is_one_of(&name, SESSIONMAKERS) {
                    self.summary.builds_engine_or_factory = true;
                }
                if self.depth > 0 && (self.keeps_call)(&name) && !self.calls.contains(&name) {
                    self.calls.push(name);
                }
            }
        }
        walk_expr(self, expr);
    }
}

/// Parameters in declaration order.
pub fn params_of(args: &ast::Arguments) -> Vec<Param> {
    let mut params = Vec::new();
    let mut push = |name: &ast::Identifier, kind, has_default| {
        params.push(Param {
            name: name.to_string(),
            kind,
            has_default,
        })
    };
    for arg in &args.posonlyargs {
        push(
            &arg.def.arg,
            ParamKind::PositionalOnly,
            arg.default.is_some(),
        );
    }
    for arg in &args.args {
        push(&arg.def.arg, ParamKind::Regular, arg.default.is_some());
    }
    if let Some(arg) = &args.vararg {
        push(&arg.arg, ParamKind::VarArgs, false);
    }
    for arg in &args.kwonlyargs {
        push(&arg.def.arg, ParamKind::KeywordOnly, arg.default.is_some());
    }
    if let Some(arg) = &args.kwarg {
        push(&arg.arg, ParamKind::VarKeywords, false);
    }
    params
}
