//! What a callee refers to, beyond imports: methods reached through
//! instances of project classes. `batch_service.run(...)` (a module-level
//! instance), `BatchService(chunk_size=10).run(...)`, `self.run(...)`,
//! `service.run(...)` with `service: BatchService`, `self.repo.run(...)`
//! with `self.repo = Repo()` in `__init__`, and `super().run(...)` all
//! resolve to the method that Python would call, or say they cannot tell.
//!
//! The answers are a proof, not a guess: [`Target::Unrelated`] only when
//! the expression provably refers to something else (a local value, an
//! external library, an instance of another class), [`Target::Unknown`]
//! whenever the type cannot be told. The fixes that change a signature
//! (see [`crate::references`]) refuse to act on an unknown.

use std::sync::Arc;

use onesession_python::ast::{self, Expr, Stmt};
use onesession_python::visit::{walk_stmt, Visitor};
use onesession_python::{BindingId, BindingKind, ScopeKind, SemanticModel};
use rustc_hash::FxHashMap;

use crate::project::Project;
use crate::summary::{annotation_type, ClassInfo, FunctionKind, FunctionSig};

/// What an expression evaluates to, as far as calls through it go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// An instance of the class with this qualified name (a project class
    /// or an external one).
    Instance(String),
    /// The class object itself.
    Class(String),
    /// `super()` inside a method of this class.
    Super(String),
    /// A project module (or package).
    Module(String),
    /// Something from outside the project: no project function is reached
    /// through it.
    External,
}

/// What a callee refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A project function or method (`module.func`, `module.Class.method`,
    /// the class that defines it), called with `self`/`cls` bound when
    /// `bound` is true.
    Function { key: String, bound: bool },
    /// Provably not a project function.
    Unrelated,
    /// Cannot tell.
    Unknown,
}

impl Project {
    /// A module-level class of the project by qualified name.
    pub fn class(&self, qualified: &str) -> Option<Arc<ClassInfo>> {
        let qualified = self.canonicalize(qualified);
        let (module, name) = qualified.rsplit_once('.')?;
        self.module(module)?.classes.get(name).cloned()
    }

    /// True for a project module or package.
    pub fn is_module(&self, qualified: &str) -> bool {
        self.file_by_module(qualified).is_some()
    }

    /// The project classes of `class`'s method resolution order, `class`
    /// first (left-to-right depth-first, each once: C3 agrees on the
    /// hierarchies real backends write), and whether every base is known
    /// (a project class or an external one).
    pub fn mro(&self, class: &str) -> (Vec<String>, bool) {
        let mut order = Vec::new();
        let mut complete = true;
        let mut stack = vec![self.canonicalize(class)];
        while let Some(current) = stack.pop() {
            if order.contains(&current) || order.len() > 64 {
                continue;
            }
            let Some(info) = self.class(&current) else {
                continue; // external: ends this branch
            };
            order.push(current);
            for base in info.bases.iter().rev() {
                match base {
                    Some(base) => stack.push(self.canonicalize(base)),
                    None => complete = false,
                }
            }
        }
        (order, complete)
    }

    /// The class of a module-level instance (`module.name` bound to
    /// `Class(...)` or annotated with a class).
    pub fn instance_class(&self, qualified: &str) -> Option<String> {
        let qualified = self.canonicalize(qualified);
        let (module, name) = qualified.rsplit_once('.')?;
        let callee = self.module(module)?.instances.get(name)?.clone();
        let class = self.canonicalize(&callee);
        self.class(&class).is_some().then_some(class)
    }

    /// The class of `class`'s MRO that defines `method`, and its signature.
    pub fn find_method(&self, class: &str, method: &str) -> Option<(String, Arc<FunctionSig>)> {
        let (order, _) = self.mro(class);
        order.into_iter().find_map(|owner| {
            let (module, name) = owner.rsplit_once('.')?;
            let sig = self
                .module(module)?
                .functions
                .get(&format!("{name}.{method}"))?
                .clone();
            Some((format!("{owner}.{method}"), sig))
        })
    }

    /// A structural type (`typing.Protocol`) or an abstract base: an
    /// annotation with it says nothing about which class's method runs.
    fn is_interface(&self, class: &str) -> bool {
        let (order, _) = self.mro(class);
        order.iter().any(|c| {
            self.class(c).is_some_and(|info| {
                info.bases.iter().flatten().any(|b| {
                    matches!(
                        b.as_str(),
                        "typing.Protocol" | "typing_extensions.Protocol" | "abc.ABC"
                    )
                })
            })
        })
    }

    /// The `Annotated[...]` alias a qualified name stands for.
    pub fn annotated_alias(&self, qualified: &str) -> Option<crate::summary::AnnotatedAlias> {
        let qualified = self.canonicalize(qualified);
        let (module, name) = qualified.rsplit_once('.')?;
        self.module(module)?.annotated_aliases.get(name).cloned()
    }

    /// The file that defines the function or method `key`.
    pub fn file_defining(&self, key: &str) -> Option<&crate::project::ProjectFile> {
        let (owner, _) = key.rsplit_once('.')?;
        let module = match self.class(owner) {
            Some(_) => owner.rsplit_once('.').map_or(owner, |(m, _)| m),
            None => owner,
        };
        self.file_by_module(module)
    }

    /// What a qualified name outside any local scope is.
    fn global_ty(&self, qualified: &str) -> Option<Ty> {
        let qualified = self.canonicalize(qualified);
        if self.is_module(&qualified) {
            return Some(Ty::Module(qualified));
        }
        if self.class(&qualified).is_some() {
            return Some(Ty::Class(qualified));
        }
        if let Some(class) = self.instance_class(&qualified) {
            return Some(Ty::Instance(class));
        }
        let top = qualified.split('.').next().unwrap_or(&qualified);
        (!self.is_module(top)).then_some(Ty::External)
    }
}

/// Answers [`Target`] questions about one file's expressions.
pub struct Resolver<'a> {
    project: &'a Project,
    semantic: &'a SemanticModel,
    /// What local bindings hold: parameters (annotated, `self`, `cls`),
    /// `x = Class(...)`, `x = other_typed_name`.
    locals: FxHashMap<BindingId, Ty>,
    /// `from x import *`: an unbound name may come from it.
    star_import: bool,
}

impl<'a> Resolver<'a> {
    pub fn new(project: &'a Project, semantic: &'a SemanticModel, body: &'a [Stmt]) -> Self {
        let mut resolver = Self {
            project,
            semantic,
            locals: FxHashMap::default(),
            star_import: false,
        };
        let mut locals = Locals {
            resolver: &mut resolver,
            class: None,
        };
        locals.visit_body(body);
        resolver
    }

    /// The qualified name of `expr`, following re-exports in the project.
    pub fn qualified(&self, expr: &Expr) -> Option<String> {
        self.semantic
            .qualified_name(expr)
            .map(|name| self.project.canonicalize(&name))
    }

    /// What `expr` evaluates to; `None` when unknown.
    pub fn ty(&self, expr: &Expr) -> Option<Ty> {
        match expr {
            Expr::Name(name) => {
                let Some(id) = self.semantic.resolve(name) else {
                    // A builtin, or a name a star import may bind.
                    return (!self.star_import).then_some(Ty::External);
                };
                if let Some(ty) = self.locals.get(&id) {
                    return Some(ty.clone());
                }
                let qualified = self.semantic.binding_qualified_name(id)?;
                self.project.global_ty(&qualified)
            }
            Expr::Attribute(attr) => match self.ty(&attr.value)? {
                Ty::Instance(class) => {
                    if self.project.class(&class).is_none() {
                        return Some(Ty::External);
                    }
                    let (order, _) = self.project.mro(&class);
                    let declared = order.iter().find_map(|c| {
                        self.project
                            .class(c)
                            .and_then(|info| info.attributes.get(attr.attr.as_str()).cloned())
                    })?;
                    let declared = self.project.canonicalize(&declared);
                    match self.project.class(&declared) {
                        Some(_) => Some(Ty::Instance(declared)),
                        None => self.project.global_ty(&declared).and_then(|ty| match ty {
                            Ty::External => Some(Ty::External),
                            _ => None,
                        }),
                    }
                }
                Ty::Module(module) => self.project.global_ty(&format!("{module}.{}", attr.attr)),
                Ty::External => Some(Ty::External),
                Ty::Class(_) | Ty::Super(_) => None,
            },
            Expr::Call(call) => {
                if let Expr::Name(name) = call.func.as_ref() {
                    if name.id.as_str() == "super" && self.semantic.resolve(name).is_none() {
                        return self.super_of(name);
                    }
                }
                match self.ty(&call.func)? {
                    Ty::Class(class) => Some(Ty::Instance(class)),
                    Ty::External => Some(Ty::External),
                    // A project function's result: unknown.
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `super()` in a method: the method's class, from its `self`/`cls`.
    fn super_of(&self, at: &ast::ExprName) -> Option<Ty> {
        let offset = onesession_python::range_of(at).start;
        let function = self.semantic.function_at(offset)?;
        self.semantic
            .bindings()
            .filter(|(_, b)| b.scope == function && b.kind == BindingKind::Parameter)
            .min_by_key(|(_, b)| b.range.start)
            .and_then(|(id, _)| match self.locals.get(&id)? {
                Ty::Instance(class) | Ty::Class(class) => Some(Ty::Super(class.clone())),
                _ => None,
            })
    }

    /// What calling `func` calls.
    pub fn target(&self, func: &Expr) -> Target {
        match func {
            Expr::Name(name) => match self.semantic.resolve(name) {
                None if self.star_import => Target::Unknown,
                None => Target::Unrelated,
                Some(id) => {
                    let binding = self.semantic.binding(id);
                    let global = matches!(
                        binding.kind,
                        BindingKind::Import { .. }
                            | BindingKind::ModuleImport { .. }
                            | BindingKind::FunctionDef { .. }
                            | BindingKind::ClassDef
                    ) || self.semantic.scope(binding.scope).kind == ScopeKind::Module;
                    if let Some(ty) = self.locals.get(&id) {
                        return self.call_of_ty(ty.clone());
                    }
                    if !global {
                        // A local callable: whatever it holds was handed
                        // over where it was bound, which is where a
                        // reference search looks.
                        return Target::Unrelated;
                    }
                    match self.semantic.binding_qualified_name(id) {
                        Some(qualified) => self.global_target(&qualified),
                        None => Target::Unrelated,
                    }
                }
            },
            Expr::Attribute(attr) => {
                let method = attr.attr.as_str();
                match self.ty(&attr.value) {
                    None => Target::Unknown,
                    Some(Ty::External) => Target::Unrelated,
                    Some(Ty::Module(module)) => self.global_target(&format!("{module}.{method}")),
                    Some(Ty::Instance(class)) => self.method_target(&class, method, true),
                    Some(Ty::Class(class)) => self.method_target(&class, method, false),
                    Some(Ty::Super(class)) => {
                        let (order, _) = self.project.mro(&class);
                        match order.get(1) {
                            Some(base) => self.method_target(base, method, true),
                            None => Target::Unrelated,
                        }
                    }
                }
            }
            _ => Target::Unknown,
        }
    }

    fn call_of_ty(&self, ty: Ty) -> Target {
        match ty {
            Ty::Class(class) => self.constructor(&class),
            Ty::External => Target::Unrelated,
            // Calling an instance (`__call__`) or a module: not a
            // function the index knows.
            Ty::Instance(_) | Ty::Module(_) | Ty::Super(_) => Target::Unknown,
        }
    }

    fn global_target(&self, qualified: &str) -> Target {
        let qualified = self.project.canonicalize(qualified);
        if let Some((module, name)) = qualified.rsplit_once('.') {
            if self
                .project
                .module(module)
                .is_some_and(|m| m.functions.contains_key(name))
            {
                return Target::Function {
                    key: qualified,
                    bound: false,
                };
            }
        }
        match self.project.global_ty(&qualified) {
            Some(Ty::Class(class)) => self.constructor(&class),
            Some(Ty::External) => Target::Unrelated,
            // A module attribute the index does not know as a function:
            // a variable of that module (it may hold anything).
            _ => Target::Unknown,
        }
    }

    /// Calling a class runs its `__init__`.
    fn constructor(&self, class: &str) -> Target {
        match self.project.find_method(class, "__init__") {
            Some((key, _)) => Target::Function { key, bound: true },
            None => Target::Unrelated,
        }
    }

    /// `instance.method` / `Class.method` of a class the index knows.
    fn method_target(&self, class: &str, method: &str, through_instance: bool) -> Target {
        if self.project.class(class).is_none() {
            // A class of a project module the index has not read (a file
            // the check skipped) may have the method: unknown. Otherwise
            // an external class.
            let module = class.rsplit_once('.').map_or("", |(module, _)| module);
            return if self.project.file_by_module(module).is_some() {
                Target::Unknown
            } else {
                Target::Unrelated
            };
        }
        if self.project.is_interface(class) {
            return Target::Unknown;
        }
        match self.project.find_method(class, method) {
            Some((key, sig)) => {
                let bound = match sig.kind {
                    FunctionKind::Method | FunctionKind::Property => through_instance,
                    FunctionKind::ClassMethod => true,
                    FunctionKind::Function | FunctionKind::StaticMethod => false,
                };
                Target::Function { key, bound }
            }
            None => {
                let (_, complete) = self.project.mro(class);
                if complete {
                    Target::Unrelated
                } else {
                    Target::Unknown
                }
            }
        }
    }
}

/// Collects what local bindings hold.
struct Locals<'r, 'a> {
    resolver: &'r mut Resolver<'a>,
    /// The qualified name of the module-level class being walked.
    class: Option<String>,
}

impl Locals<'_, '_> {
    fn bind(&mut self, start: usize, ty: Ty) {
        if let Some(id) = self.resolver.semantic.binding_starting_at(start) {
            self.resolver.locals.insert(id, ty);
        }
    }

    fn annotated(&self, annotation: &Expr) -> Option<Ty> {
        let qualified = annotation_type(self.resolver.semantic, annotation)?;
        let qualified = self.resolver.project.canonicalize(&qualified);
        if self.resolver.project.class(&qualified).is_some() {
            return Some(Ty::Instance(qualified));
        }
        let top = qualified.split('.').next().unwrap_or(&qualified);
        (!self.resolver.project.is_module(top)).then_some(Ty::Instance(qualified))
    }

    fn parameters(&mut self, args: &ast::Arguments, decorators: &[Expr]) {
        let method_class = self.class.clone();
        let decorator = |name: &str| {
            decorators
                .iter()
                .any(|d| matches!(d, Expr::Name(n) if n.id.as_str() == name))
        };
        let mut first = true;
        for arg in args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
        {
            let start = onesession_python::range_of(&arg.def).start;
            let receiver = std::mem::take(&mut first) && !decorator("staticmethod");
            let ty = match (&method_class, receiver) {
                (Some(class), true) if decorator("classmethod") => Some(Ty::Class(class.clone())),
                (Some(class), true) => Some(Ty::Instance(class.clone())),
                _ => arg
                    .def
                    .annotation
                    .as_deref()
                    .and_then(|a| self.annotated(a)),
            };
            if let Some(ty) = ty {
                self.bind(start, ty);
            }
        }
    }
}

impl<'a> Visitor<'a> for Locals<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.parameters(&def.args, &def.decorator_list);
                let class = self.class.take();
                walk_stmt(self, stmt);
                self.class = class;
            }
            Stmt::AsyncFunctionDef(def) => {
                self.parameters(&def.args, &def.decorator_list);
                let class = self.class.take();
                walk_stmt(self, stmt);
                self.class = class;
            }
            Stmt::ClassDef(class) => {
                let semantic = self.resolver.semantic;
                let top_level = semantic.scope_at(onesession_python::range_of(stmt).start)
                    == semantic.scope_at(0)
                    && !semantic.module().is_empty();
                let outer = std::mem::replace(
                    &mut self.class,
                    top_level.then(|| format!("{}.{}", semantic.module(), class.name)),
                );
                walk_stmt(self, stmt);
                self.class = outer;
            }
            Stmt::Assign(assign) => {
                if let Some(ty) = self.resolver.ty(&assign.value) {
                    for target in &assign.targets {
                        if let Expr::Name(name) = target {
                            self.bind(onesession_python::range_of(name).start, ty.clone());
                        }
                    }
                }
                walk_stmt(self, stmt);
            }
            Stmt::AnnAssign(assign) => {
                if let Expr::Name(name) = assign.target.as_ref() {
                    if let Some(ty) = self.annotated(&assign.annotation) {
                        self.bind(onesession_python::range_of(name).start, ty);
                    }
                }
                walk_stmt(self, stmt);
            }
            Stmt::ImportFrom(import) => {
                self.resolver.star_import |= import.names.iter().any(|a| a.name.as_str() == "*");
            }
            _ => walk_stmt(self, stmt),
        }
    }
}
