//! Scopes, bindings and qualified names.
//!
//! Detection is semantic: `f()` is a call to the raw session factory only
//! if `f` is bound, through imports (aliases, relative imports,
//! `import a.b as c`), to the factory's qualified name. The model is
//! flow-insensitive inside a scope, which is what a linter needs: a name
//! resolves to the last binding before the use, or to the first binding
//! when the use comes first (a function body referring to a module name
//! defined further down).

use rustc_hash::FxHashMap;

use onesession_text::TextRange;
use rustpython_parser::ast::{self, Arguments, Expr, ExprContext, Stmt};

use crate::range_of;
use crate::visit::{self, Visitor};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeId(u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function {
        is_async: bool,
    },
    Lambda,
    /// PEP 695's annotation scope of a generic `def`, `class` or `type`
    /// (`def f[T: Bound](x: T)`): binds the type parameters, which the
    /// bounds, annotations, bases and body see.
    TypeParams,
}

#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    /// Where the scope's own names are visible (a function's body, not its
    /// decorators or defaults, which run in the enclosing scope).
    pub range: TextRange,
    /// The whole defining statement (for functions: the `def`).
    pub node_range: TextRange,
    pub parent: Option<ScopeId>,
    bindings: FxHashMap<String, Vec<BindingId>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingKind {
    /// `from m import x [as y]` or `import a.b as y`: `qualified` is `m.x`
    /// or `a.b`, resolved against the importing module for relative forms.
    Import {
        qualified: String,
    },
    /// `import a.b` binds `a`.
    ModuleImport {
        module: String,
    },
    FunctionDef {
        is_async: bool,
    },
    ClassDef,
    Assignment,
    Parameter,
    /// `with X as name` / `async with X as name`.
    WithTarget,
    Other,
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    pub kind: BindingKind,
    /// The binding site: the alias of an import, the target name, the
    /// parameter, or the whole definition.
    pub range: TextRange,
    /// The statement that binds (the import statement, the assignment).
    pub stmt_range: TextRange,
    /// Where loads start to see it: the end of an assignment, whose
    /// right-hand side is read first (`engine = engine` reads the
    /// previous binding, in a class body the module's), else the binding
    /// site.
    pub visible_from: usize,
    pub scope: ScopeId,
}

#[derive(Debug)]
pub struct SemanticModel {
    module: String,
    scopes: Vec<Scope>,
    bindings: Vec<Binding>,
    /// Name loads by start offset → what they resolve to.
    references: FxHashMap<usize, BindingId>,
    /// Per binding, the ranges of the loads that resolve to it.
    uses: Vec<Vec<TextRange>>,
    /// The scopes (but the module) sorted for [`SemanticModel::scope_at`],
    /// or `None` when their ranges are not nested (linear scan then).
    scope_index: Option<Vec<IndexedScope>>,
    /// The first binding starting at each offset.
    binding_starts: FxHashMap<usize, BindingId>,
    /// Name loads no scope binds: builtins, names a star import may
    /// bind, and undefined names.
    unresolved: Vec<(String, TextRange)>,
}

/// A scope range in [`SemanticModel::scope_index`]: sorted by start (then
/// longest first), with the position of the innermost range containing it.
#[derive(Debug)]
struct IndexedScope {
    start: usize,
    end: usize,
    id: u32,
    parent: Option<usize>,
}

/// Sorts the scope ranges into a nesting forest; `None` when two ranges
/// overlap without one containing the other.
fn index_scopes(scopes: &[Scope]) -> Option<Vec<IndexedScope>> {
    let mut sorted: Vec<IndexedScope> = scopes
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, s)| IndexedScope {
            start: s.range.start,
            end: s.range.end.max(s.range.start),
            id: i as u32,
            parent: None,
        })
        .collect();
    sorted.sort_by(|a, b| {
        (a.start, std::cmp::Reverse(a.end)).cmp(&(b.start, std::cmp::Reverse(b.end)))
    });
    let mut stack: Vec<usize> = Vec::new();
    for position in 0..sorted.len() {
        let (start, end) = (sorted[position].start, sorted[position].end);
        while let Some(&top) = stack.last() {
            if end <= sorted[top].end {
                break;
            }
            if start < sorted[top].end {
                return None; // partial overlap
            }
            stack.pop();
        }
        sorted[position].parent = stack.last().copied();
        stack.push(position);
    }
    Some(sorted)
}

impl SemanticModel {
    /// Builds the model of `body`, the module `module` (dotted, empty when
    /// unknown); `is_package` is true for an `__init__.py`.
    pub fn build(body: &[Stmt], module: &str, is_package: bool, source_len: usize) -> Self {
        let mut builder = Builder {
            model: SemanticModel {
                module: module.to_owned(),
                scopes: vec![Scope {
                    kind: ScopeKind::Module,
                    range: 0..source_len,
                    node_range: 0..source_len,
                    parent: None,
                    bindings: FxHashMap::default(),
                }],
                bindings: Vec::new(),
                references: FxHashMap::default(),
                uses: Vec::new(),
                scope_index: None,
                binding_starts: FxHashMap::default(),
                unresolved: Vec::new(),
            },
            package: package_of(module, is_package),
            current: ScopeId(0),
            stmt_range: 0..0,
            store_kind: BindingKind::Assignment,
            assignment_end: None,
            loads: Vec::new(),
        };
        builder.visit_body(body);
        builder.mark_dunder_all(body);
        builder.finish()
    }

    pub fn module(&self) -> &str {
        &self.module
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.0 as usize]
    }

    /// The first binding whose range starts at `offset` (O(1)).
    pub fn binding_starting_at(&self, offset: usize) -> Option<BindingId> {
        self.binding_starts.get(&offset).copied()
    }

    pub fn bindings(&self) -> impl Iterator<Item = (BindingId, &Binding)> {
        self.bindings
            .iter()
            .enumerate()
            .map(|(i, b)| (BindingId(i as u32), b))
    }

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.0 as usize]
    }

    /// Ranges of the loads that resolve to `id`.
    pub fn uses(&self, id: BindingId) -> &[TextRange] {
        &self.uses[id.0 as usize]
    }

    /// The binding a name load resolves to.
    pub fn resolve(&self, name: &ast::ExprName) -> Option<BindingId> {
        self.references.get(&range_of(name).start).copied()
    }

    /// The binding of `name` visible in the module scope.
    pub fn module_binding(&self, name: &str) -> Option<BindingId> {
        self.scopes[0].bindings.get(name)?.last().copied()
    }

    /// The qualified name a binding stands for, when it has one: imports,
    /// and module-level definitions (`module.name`).
    pub fn binding_qualified_name(&self, id: BindingId) -> Option<String> {
        let binding = self.binding(id);
        match &binding.kind {
            BindingKind::Import { qualified } => Some(qualified.clone()),
            BindingKind::ModuleImport { module } => Some(module.clone()),
            BindingKind::FunctionDef { .. } | BindingKind::ClassDef | BindingKind::Assignment
                if binding.scope == ScopeId(0) && !self.module.is_empty() =>
            {
                Some(format!("{}.{}", self.module, binding.name))
            }
            _ => None,
        }
    }

    /// The dotted name an expression refers to (`sa.orm.Session` →
    /// `sqlalchemy.orm.Session` after `import sqlalchemy as sa`), or `None`
    /// for locals, builtins and anything that is not a name or attribute.
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => self.binding_qualified_name(self.resolve(name)?),
            Expr::Attribute(attribute) => {
                let base = self.qualified_name(&attribute.value)?;
                Some(format!("{base}.{}", attribute.attr))
            }
            _ => None,
        }
    }

    /// The innermost scope whose names are visible at `offset`.
    pub fn scope_at(&self, offset: usize) -> ScopeId {
        // The highest-numbered scope containing `offset`. With nested
        // ranges those are the ancestors of the last range starting at or
        // before `offset`: O(log n + depth), not O(n) per lookup (which
        // made large files quadratic).
        if let Some(index) = &self.scope_index {
            let mut best = 0;
            let mut position = index.partition_point(|s| s.start <= offset).checked_sub(1);
            while let Some(p) = position {
                let scope = &index[p];
                if scope.start <= offset && offset < scope.end {
                    best = best.max(scope.id);
                }
                position = scope.parent;
            }
            return ScopeId(best);
        }
        let mut best = ScopeId(0);
        for (i, scope) in self.scopes.iter().enumerate().skip(1) {
            if scope.range.contains(&offset) {
                best = ScopeId(i as u32);
            }
        }
        best
    }

    /// The innermost function (not lambda or class) around `offset`.
    pub fn function_at(&self, offset: usize) -> Option<ScopeId> {
        let mut id = Some(self.scope_at(offset));
        while let Some(current) = id {
            let scope = self.scope(current);
            if matches!(scope.kind, ScopeKind::Function { .. }) {
                return Some(current);
            }
            id = scope.parent;
        }
        None
    }

    /// True inside the body of an `async def` (not a nested plain `def`).
    pub fn in_async_function(&self, offset: usize) -> bool {
        self.function_at(offset)
            .is_some_and(|id| self.scope(id).kind == ScopeKind::Function { is_async: true })
    }

    /// The binding named `name` visible from `offset`.
    pub fn lookup(&self, name: &str, offset: usize) -> Option<BindingId> {
        resolve_at(
            &self.scopes,
            &self.bindings,
            self.scope_at(offset),
            name,
            offset,
        )
    }

    /// Name loads that no scope binds, with where they are.
    pub fn unresolved(&self) -> &[(String, TextRange)] {
        &self.unresolved
    }

    /// True when `name` is bound in any scope of the code the model was
    /// built from, which leaves out the function bodies a skipping parse
    /// skipped: named so a caller cannot take it for "anywhere in the
    /// file" (the engine's `Checker::is_bound_anywhere` answers that).
    pub fn is_bound_in_parsed_code(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.bindings.contains_key(name))
    }
}

/// The package a module's relative imports start from.
fn package_of(module: &str, is_package: bool) -> String {
    if is_package {
        module.to_owned()
    } else {
        module
            .rsplit_once('.')
            .map_or(String::new(), |(p, _)| p.to_owned())
    }
}

/// `from ..x import y` in package `a.b` → `a.x`; `None` when the relative
/// import climbs above the top or the module is unknown.
pub fn resolve_relative(package: &str, level: usize, module: Option<&str>) -> Option<String> {
    if level == 0 {
        return module.map(str::to_owned);
    }
    if package.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = package.split('.').collect();
    for _ in 1..level {
        parts.pop()?;
    }
    if parts.is_empty() {
        return None;
    }
    let mut base = parts.join(".");
    if let Some(module) = module {
        base.push('.');
        base.push_str(module);
    }
    Some(base)
}

/// The parts of a `def` / `async def` the builder needs.
struct FunctionParts<'s> {
    name: &'s str,
    type_params: &'s [ast::TypeParam],
    args: &'s Arguments,
    body: &'s [Stmt],
    decorators: &'s [Expr],
    returns: Option<&'s Expr>,
    is_async: bool,
}

struct Builder {
    model: SemanticModel,
    package: String,
    current: ScopeId,
    stmt_range: TextRange,
    store_kind: BindingKind,
    /// While an assignment's targets are bound: the statement's end (see
    /// [`Binding::visible_from`]).
    assignment_end: Option<usize>,
    loads: Vec<(String, usize, TextRange, ScopeId)>,
}

impl Builder {
    fn bind(&mut self, name: &str, kind: BindingKind, range: TextRange) -> BindingId {
        let id = BindingId(self.model.bindings.len() as u32);
        self.model.bindings.push(Binding {
            name: name.to_owned(),
            kind,
            visible_from: self.assignment_end.unwrap_or(range.start),
            range,
            stmt_range: self.stmt_range.clone(),
            scope: self.current,
        });
        self.model.scopes[self.current.0 as usize]
            .bindings
            .entry(name.to_owned())
            .or_default()
            .push(id);
        id
    }

    fn push_scope(&mut self, kind: ScopeKind, range: TextRange, node_range: TextRange) -> ScopeId {
        let id = ScopeId(self.model.scopes.len() as u32);
        self.model.scopes.push(Scope {
            kind,
            range,
            node_range,
            parent: Some(self.current),
            bindings: FxHashMap::default(),
        });
        self.current = id;
        id
    }

    fn bind_parameters(&mut self, arguments: &Arguments) {
        let with_defaults = arguments
            .posonlyargs
            .iter()
            .chain(&arguments.args)
            .chain(&arguments.kwonlyargs)
            .map(|a| &a.def);
        for arg in with_defaults
            .chain(arguments.vararg.as_deref())
            .chain(arguments.kwarg.as_deref())
        {
            self.bind(&arg.arg, BindingKind::Parameter, range_of(arg));
        }
    }

    fn function(&mut self, stmt: &Stmt, def: FunctionParts<'_>) {
        let FunctionParts {
            name,
            type_params,
            args,
            body,
            decorators,
            returns,
            is_async,
        } = def;
        for decorator in decorators {
            self.visit_expr(decorator);
        }
        let parent = self.current;
        self.bind(name, BindingKind::FunctionDef { is_async }, range_of(stmt));
        self.type_params(type_params, range_of(stmt).end);
        // Defaults and annotations run in the enclosing scope (the
        // annotation scope of a generic function).
        visit::walk_arguments(self, args);
        if let Some(returns) = returns {
            self.visit_expr(returns);
        }
        let body_start = body
            .first()
            .map_or(range_of(stmt).end, |s| range_of(s).start);
        self.push_scope(
            ScopeKind::Function { is_async },
            body_start..range_of(stmt).end,
            range_of(stmt),
        );
        self.bind_parameters(args);
        self.visit_body(body);
        self.current = parent;
    }

    /// Enters the annotation scope of a generic definition ending at `end`
    /// (nothing when `params` is empty): the parameters are bound, then
    /// their bounds are visited in it. The caller restores the scope.
    fn type_params(&mut self, params: &[ast::TypeParam], end: usize) {
        let Some(first) = params.first() else {
            return;
        };
        let start = range_of(first).start;
        self.push_scope(ScopeKind::TypeParams, start..end, start..end);
        for param in params {
            let name = match param {
                ast::TypeParam::TypeVar(var) => &var.name,
                ast::TypeParam::ParamSpec(spec) => &spec.name,
                ast::TypeParam::TypeVarTuple(tuple) => &tuple.name,
            };
            self.bind(name, BindingKind::Parameter, range_of(param));
        }
        for param in params {
            self.visit_type_param(param);
        }
    }

    /// The strings `__all__` lists count as uses: `__all__ = [...]`, `+=`,
    /// and `__all__.extend([...])` / `.append("...")`.
    fn mark_dunder_all(&mut self, body: &[Stmt]) {
        let is_all = |expr: &Expr| matches!(expr, Expr::Name(n) if n.id.as_str() == "__all__");
        for stmt in body {
            let listed: Vec<&Expr> = match stmt {
                Stmt::Assign(a) if a.targets.iter().any(is_all) => elements(&a.value),
                Stmt::AugAssign(a) if is_all(&a.target) => elements(&a.value),
                Stmt::AnnAssign(a) if is_all(&a.target) => {
                    a.value.as_deref().map_or_else(Vec::new, elements)
                }
                Stmt::Expr(e) => match &*e.value {
                    Expr::Call(call) => match (&*call.func, call.args.as_slice()) {
                        (Expr::Attribute(method), [argument]) if is_all(&method.value) => {
                            match method.attr.as_str() {
                                "extend" => elements(argument),
                                "append" => vec![argument],
                                _ => continue,
                            }
                        }
                        _ => continue,
                    },
                    _ => continue,
                },
                _ => continue,
            };
            for elt in listed {
                if let Expr::Constant(c) = elt {
                    if let ast::Constant::Str(name) = &c.value {
                        self.loads
                            .push((name.clone(), usize::MAX, range_of(elt), ScopeId(0)));
                    }
                }
            }
        }
    }

    fn finish(mut self) -> SemanticModel {
        let mut model = self.model;
        model.scope_index = index_scopes(&model.scopes);
        for (i, binding) in model.bindings.iter().enumerate() {
            model
                .binding_starts
                .entry(binding.range.start)
                .or_insert(BindingId(i as u32));
        }
        model.uses = vec![Vec::new(); model.bindings.len()];
        for (name, offset, range, scope) in self.loads.drain(..) {
            let Some(id) = resolve_at(&model.scopes, &model.bindings, scope, &name, offset) else {
                if offset != usize::MAX {
                    model.unresolved.push((name, range));
                }
                continue;
            };
            if offset != usize::MAX {
                model.references.insert(offset, id);
            }
            model.uses[id.0 as usize].push(range);
        }
        model
    }
}

/// The elements of a list or tuple display (nothing for anything else).
fn elements(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::List(list) => list.elts.iter().collect(),
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        _ => Vec::new(),
    }
}

/// The binding a load of `name` at `offset` in scope `start` reads: in
/// the first enclosing scope that binds the name (class scopes only when
/// innermost), the last binding visible at `offset`, or the first one when
/// the load comes before every binding. A class body that has not bound
/// the name yet reads it from the enclosing scopes, as Python does.
fn resolve_at(
    scopes: &[Scope],
    bindings: &[Binding],
    start: ScopeId,
    name: &str,
    offset: usize,
) -> Option<BindingId> {
    let mut id = Some(start);
    let mut innermost = true;
    let mut not_yet_bound = None;
    while let Some(current) = id {
        let scope = &scopes[current.0 as usize];
        if innermost || scope.kind != ScopeKind::Class {
            if let Some(candidates) = scope.bindings.get(name) {
                let visible = candidates
                    .iter()
                    .rev()
                    .find(|id| bindings[id.0 as usize].visible_from <= offset);
                match visible {
                    Some(id) => return Some(*id),
                    None if scope.kind == ScopeKind::Class => {
                        not_yet_bound.get_or_insert(candidates[0]);
                    }
                    None => return Some(not_yet_bound.unwrap_or(candidates[0])),
                }
            }
        }
        innermost = false;
        id = scope.parent;
    }
    not_yet_bound
}

impl<'a> Visitor<'a> for Builder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let saved = std::mem::replace(&mut self.stmt_range, range_of(stmt));
        match stmt {
            Stmt::FunctionDef(def) => self.function(
                stmt,
                FunctionParts {
                    name: &def.name,
                    type_params: &def.type_params,
                    args: &def.args,
                    body: &def.body,
                    decorators: &def.decorator_list,
                    returns: def.returns.as_deref(),
                    is_async: false,
                },
            ),
            Stmt::AsyncFunctionDef(def) => self.function(
                stmt,
                FunctionParts {
                    name: &def.name,
                    type_params: &def.type_params,
                    args: &def.args,
                    body: &def.body,
                    decorators: &def.decorator_list,
                    returns: def.returns.as_deref(),
                    is_async: true,
                },
            ),
            Stmt::ClassDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(decorator);
                }
                let parent = self.current;
                self.bind(&def.name, BindingKind::ClassDef, range_of(stmt));
                self.type_params(&def.type_params, range_of(stmt).end);
                for base in &def.bases {
                    self.visit_expr(base);
                }
                for keyword in &def.keywords {
                    self.visit_keyword(keyword);
                }
                let start = def
                    .body
                    .first()
                    .map_or(range_of(stmt).end, |s| range_of(s).start);
                self.push_scope(ScopeKind::Class, start..range_of(stmt).end, range_of(stmt));
                self.visit_body(&def.body);
                self.current = parent;
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let module = alias.name.to_string();
                    match &alias.asname {
                        Some(asname) => {
                            self.bind(
                                asname,
                                BindingKind::Import { qualified: module },
                                range_of(alias),
                            );
                        }
                        None => {
                            let top = module.split('.').next().unwrap_or(&module).to_owned();
                            self.bind(
                                &top.clone(),
                                BindingKind::ModuleImport { module: top },
                                range_of(alias),
                            );
                        }
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                let level = import.level.map_or(0, |l| l.to_u32() as usize);
                let base = resolve_relative(
                    &self.package,
                    level,
                    import.module.as_ref().map(|m| m.as_str()),
                );
                for alias in &import.names {
                    if alias.name.as_str() == "*" {
                        continue;
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    let kind = match &base {
                        Some(base) => BindingKind::Import {
                            qualified: format!("{base}.{}", alias.name),
                        },
                        None => BindingKind::Other,
                    };
                    self.bind(&local, kind, range_of(alias));
                }
            }
            Stmt::With(with) => self.with_items(&with.items, &with.body),
            Stmt::AsyncWith(with) => self.with_items(&with.items, &with.body),
            Stmt::For(for_) => {
                self.visit_expr(&for_.iter);
                self.store_as(BindingKind::Other, &for_.target);
                self.visit_body(&for_.body);
                self.visit_body(&for_.orelse);
            }
            Stmt::AsyncFor(for_) => {
                self.visit_expr(&for_.iter);
                self.store_as(BindingKind::Other, &for_.target);
                self.visit_body(&for_.body);
                self.visit_body(&for_.orelse);
            }
            Stmt::Try(try_) => {
                self.visit_body(&try_.body);
                for handler in &try_.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    if let Some(name) = &h.name {
                        self.bind(name, BindingKind::Other, range_of(h));
                    }
                    self.visit_except_handler(handler);
                }
                self.visit_body(&try_.orelse);
                self.visit_body(&try_.finalbody);
            }
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                self.assignment_end = Some(range_of(stmt).end);
                for target in &assign.targets {
                    self.visit_expr(target);
                }
                self.assignment_end = None;
            }
            Stmt::AugAssign(assign) => {
                self.visit_expr(&assign.value);
                self.assignment_end = Some(range_of(stmt).end);
                self.visit_expr(&assign.target);
                self.assignment_end = None;
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                }
                self.visit_expr(&assign.annotation);
                self.assignment_end = Some(range_of(stmt).end);
                self.visit_expr(&assign.target);
                self.assignment_end = None;
            }
            Stmt::TypeAlias(alias) => {
                self.visit_expr(&alias.name);
                let parent = self.current;
                self.type_params(&alias.type_params, range_of(stmt).end);
                self.visit_expr(&alias.value);
                self.current = parent;
            }
            _ => visit::walk_stmt(self, stmt),
        }
        self.stmt_range = saved;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) => match name.ctx {
                ExprContext::Load | ExprContext::Del => self.loads.push((
                    name.id.to_string(),
                    range_of(name).start,
                    range_of(name),
                    self.current,
                )),
                ExprContext::Store => {
                    let kind = self.store_kind.clone();
                    self.bind(&name.id, kind, range_of(name));
                }
            },
            Expr::Lambda(lambda) => {
                visit::walk_arguments(self, &lambda.args);
                let parent = self.current;
                self.push_scope(ScopeKind::Lambda, range_of(&*lambda.body), range_of(expr));
                self.bind_parameters(&lambda.args);
                self.visit_expr(&lambda.body);
                self.current = parent;
            }
            _ => visit::walk_expr(self, expr),
        }
    }

    /// A capture (`case x:`, `[x, *rest]`, `{**rest}`, `str() as x`) binds
    /// its name in the enclosing scope.
    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        let captured = match pattern {
            ast::Pattern::MatchAs(capture) => capture.name.as_ref(),
            ast::Pattern::MatchStar(star) => star.name.as_ref(),
            ast::Pattern::MatchMapping(mapping) => mapping.rest.as_ref(),
            _ => None,
        };
        if let Some(name) = captured {
            self.bind(name, BindingKind::Assignment, range_of(pattern));
        }
        visit::walk_pattern(self, pattern);
    }
}

impl Builder {
    fn store_as(&mut self, kind: BindingKind, target: &Expr) {
        let saved = std::mem::replace(&mut self.store_kind, kind);
        self.visit_expr(target);
        self.store_kind = saved;
    }

    fn with_items(&mut self, items: &[ast::WithItem], body: &[Stmt]) {
        for item in items {
            self.visit_expr(&item.context_expr);
            if let Some(vars) = &item.optional_vars {
                self.store_as(BindingKind::WithTarget, vars);
            }
        }
        self.visit_body(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_module;

    fn model(source: &str, module: &str) -> (crate::ParsedModule, SemanticModel) {
        let parsed = parse_module(source).unwrap();
        let model = SemanticModel::build(&parsed.body, module, false, source.len());
        (parsed, model)
    }

    fn call_names(parsed: &crate::ParsedModule, model: &SemanticModel) -> Vec<Option<String>> {
        struct Calls<'m>(&'m SemanticModel, Vec<Option<String>>);
        impl<'a> Visitor<'a> for Calls<'_> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if let Expr::Call(call) = expr {
                    self.1.push(self.0.qualified_name(&call.func));
                }
                visit::walk_expr(self, expr);
            }
        }
        let mut calls = Calls(model, Vec::new());
        calls.visit_body(&parsed.body);
        calls.1
    }

    #[test]
    fn resolves_aliases_relative_and_module_imports() {
        let source = "\
from ..db.session import async_session_factory as factory
import sqlalchemy.orm
import app.db.session as s
factory()
sqlalchemy.orm.Session()
s.get_session()
";
        let (parsed, model) = model(source, "app.routers.crawl");
        assert_eq!(
            call_names(&parsed, &model),
            vec![
                Some("app.db.session.async_session_factory".to_owned()),
                Some("sqlalchemy.orm.Session".to_owned()),
                Some("app.db.session.get_session".to_owned()),
            ]
        );
    }

    #[test]
    fn local_definitions_shadow_and_parameters_are_local() {
        let source = "\
from app.db.session import get_session
def helper(get_session):
    get_session()
def get_session():
    pass
get_session()
";
        let (parsed, model) = model(source, "app.utils.http");
        assert_eq!(
            call_names(&parsed, &model),
            vec![None, Some("app.utils.http.get_session".to_owned())]
        );
    }

    #[test]
    fn counts_uses_and_dunder_all() {
        let source = "\
from a import used, unused, exported, extended, appended
__all__ = ['exported']
__all__.extend(['extended'])
__all__.append('appended')
def f():
    return used
";
        let (_, model) = model(source, "m");
        let uses = |name: &str| model.uses(model.module_binding(name).unwrap()).len();
        assert_eq!((uses("used"), uses("unused"), uses("exported")), (1, 0, 1));
        assert_eq!((uses("extended"), uses("appended")), (1, 1));
    }

    #[test]
    fn knows_async_functions_and_class_scopes() {
        let source = "\
x = 1
class C:
    x = 2
    def m(self):
        return x
async def f():
    def inner():
        pass
    await g()
";
        let (_, model) = model(source, "m");
        let use_of_x = source.find("return x").unwrap() + 7;
        let id = model.lookup("x", use_of_x).unwrap();
        assert_eq!(model.binding(id).scope, ScopeId(0));
        assert!(model.in_async_function(source.find("await g").unwrap()));
        assert!(!model.in_async_function(source.find("pass").unwrap()));
    }

    #[test]
    fn type_parameters_have_their_own_scope() {
        let source = "\
from app.db import legacy_factory, Base, Alias
def f[T: legacy_factory, get_session](x: T) -> T:
    return get_session
class C[K](Base):
    y: K
type Pair[V: Alias] = tuple[V, V]
";
        let (_, model) = model(source, "m");
        let uses = |name: &str| model.uses(model.module_binding(name).unwrap()).len();
        // Bounds and bases are uses of the module's imports...
        assert_eq!(
            (uses("legacy_factory"), uses("Base"), uses("Alias")),
            (1, 1, 1)
        );
        // ...and the parameters are bound where the body, the annotations
        // and the alias's value look them up, never in the module.
        let in_body = source.find("return get_session").unwrap() + 7;
        let id = model.lookup("get_session", in_body).unwrap();
        assert_eq!(model.binding(id).kind, BindingKind::Parameter);
        assert_eq!(
            model.scope(model.binding(id).scope).kind,
            ScopeKind::TypeParams
        );
        for name in ["T", "K", "V", "get_session"] {
            assert!(model.module_binding(name).is_none(), "{name}");
        }
        let unresolved: Vec<&str> = model.unresolved().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(unresolved, ["tuple"]);
        assert!(model.module_binding("Pair").is_some());
    }

    #[test]
    fn an_assignment_reads_what_was_bound_before_it() {
        let source = "\
from a import engine, factory
class Config:
    engine = engine
factory = factory
def f(session):
    session = session or factory()
    return session
";
        let (_, model) = model(source, "m");
        let import_of = |name: &str| {
            model
                .bindings()
                .find(|(_, b)| b.name == name && matches!(b.kind, BindingKind::Import { .. }))
                .map(|(id, _)| id)
                .unwrap()
        };
        // The class body reads the module's `engine`; the module-level
        // `factory = factory` reads the import (`f`, later, reads what that
        // assignment bound).
        assert_eq!(model.uses(import_of("engine")).len(), 1);
        assert_eq!(model.uses(import_of("factory")).len(), 1);
        let read = source.find("session or").unwrap();
        let id = model.lookup("session", read).unwrap();
        assert_eq!(model.binding(id).kind, BindingKind::Parameter);
    }

    #[test]
    fn relative_resolution() {
        assert_eq!(
            resolve_relative("app.routers", 1, Some("x")),
            Some("app.routers.x".into())
        );
        assert_eq!(
            resolve_relative("app.routers", 2, Some("db")),
            Some("app.db".into())
        );
        assert_eq!(resolve_relative("app", 2, Some("db")), None);
        assert_eq!(resolve_relative("", 1, Some("db")), None);
    }
}
